"""The US Consolidated Screening List (CSL CSV) and BIS Denied Persons List (dpl.txt) loaders."""

from __future__ import annotations

import csv
import gzip
import io
import re
import time
from collections import Counter
from pathlib import Path

import pytest

import watchlists
from watchlists import FORMATS, ListFormatError, load_records, schema
from watchlists.csl import guess_kind, parse_csl_csv, parse_dpl, sniff, sniff_dpl

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "csl_small.csv"
DPL_SMALL = FIXTURES / "dpl_small.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_CSL = SHARED / "us_csl_bis" / "csl.csv"
SHARED_DPL = SHARED / "us_csl_bis" / "dpl.txt"

ORIGINAL_SMALL = SMALL.read_bytes()


def edited(tmp_path: Path, old: str, new: str, source: Path = SMALL) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / ("edited" + source.suffix)
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def appended(tmp_path: Path, marker: str, extra: str) -> Path:
    """SMALL with `extra` added at the end of the line holding `marker`."""
    lines = SMALL.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if marker in line)
    lines[i] = lines[i].rstrip("\n") + extra + "\n"
    out = tmp_path / "appended.csv"
    out.write_text("".join(lines), encoding="utf-8")
    return out


def line_of(path: Path, text: str) -> int:
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- the small fixture, field by field -------------------------------------------------------------

SDN_PERSON = {
    "id": "CSL-SDN-900101",
    "kind": "person",
    "names": ["TESTANI, Ahmed Ben Example", "TESTANI, Ahmad", "AL-TESTANI, Ahmed"],
    "weak_names": ["THE TUNISIAN"],  # a quoted alias is a weak a.k.a.
    "original_script_names": [],
    "birth_dates": ["1962-03-04", "1965", "1938-09"],
    "birth_date_ranges": [{"from": "1965", "to": "1965", "circa": True}],
    "nationalities": ["TN", "IT", "MA"],  # citizenships, nationalities (a name), ids "Nationality Country"
    "countries": ["TN", "IT"],  # from the addresses' last parts ("TN", "Italy")
    "sex": "M",  # ids "Gender, Male"
    "documents": [
        {"number": "G 649385", "type": "passport", "type_raw": "Passport", "country": "TN",
         "expires": "2011-07-17", "issued": "2006-09-08"},
        {"number": "484824", "type": "passport", "type_raw": "Passport", "country": "EG", "expires": None,
         "detail": "18 Jan 1984"},  # one date: issue or expiry, OFAC does not say
        {"number": "12345678", "type": "national_id", "type_raw": "D.N.I.", "country": "ES", "expires": None},
        {"number": "7702070139", "type": "other", "type_raw": "Tax ID No.", "country": "RU", "expires": None},
    ],
    "addresses": ["12 Rue de l'Essai, Tunis, TN", "Via Prova 3, Milan, Italy"],
    "birth_places": ["Sfax, Tunisia"],
    "list_id": "us-csl",
    "program": "SDGT; IFSR",
    "remarks": "Fictional person for tests.",
    "listed_on": None,
    "csl_source": "Specially Designated Nationals (SDN) - Treasury Department",
    "csl_source_code": "SDN",
    "csl_raw_id": "900101",
    "csl_entity_number": "900101",
    "csl_title": "Financier",
    "csl_source_list_url": "https://example.test/sdn",
    "csl_ids_other": ["Website: http://example.test", "Nationality Country: Morocco"],
}

EMPTY = {"weak_names": [], "original_script_names": [], "birth_dates": [], "birth_date_ranges": [],
         "nationalities": [], "sex": None, "birth_places": [], "list_id": "us-csl"}

EXPECTED_SMALL = [
    SDN_PERSON,
    {
        **EMPTY,
        "id": "CSL-SSI-17014",  # the same entity number on SSI and NS-MBS: one record per listing
        "kind": "organization",
        "names": ["JOINT STOCK COMPANY EXAMPLE AGRICULTURAL BANK", "EXAMPLE AGRIBANK"],
        "countries": ["RU"],
        "documents": [
            {"number": "1027700342890", "type": "other", "type_raw": "Registration ID", "country": "RU", "expires": None},
            {"number": "BE 454,419,759", "type": "other", "type_raw": "V.A.T. Number", "country": None, "expires": None},
        ],
        "addresses": ["3, Gagarinsky Pereulok, Moscow, 119034, RU"],
        "program": "UKRAINE-EO13662; RUSSIA-EO14024",
        "remarks": "",
        "listed_on": None,
        "csl_source": "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
        "csl_source_code": "SSI",
        "csl_raw_id": "17014",
        "csl_entity_number": "17014",
        "csl_ids_other": ["SWIFT/BIC: RUAGRUMM"],
    },
    {
        **EMPTY,
        "id": "CSL-NS-MBS-17014",
        "kind": "organization",
        "names": ["Joint Stock Company Example Agricultural Bank"],
        "countries": ["RU"],
        "documents": [],
        "addresses": ["3, Gagarinsky Pereulok, Moscow, 119034, RU"],
        "program": "RUSSIA-EO14024",
        "remarks": "",
        "listed_on": None,
        "csl_source": "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
        "csl_source_code": "NS-MBS",
        "csl_raw_id": "17014",
        "csl_entity_number": "17014",
    },
    {
        **EMPTY,
        "id": "CSL-b6e959b59898e975daaae8fae3a8da1ec522f9f888cafc0e6401a16d",
        "kind": "organization",  # no type: "S.L." is a legal form
        "names": ["KOTO COMMERCIO IBERICA, S.L.", "KOTO IBERICA"],
        "countries": ["ES"],
        "documents": [],
        "addresses": ["Calle de Prueba 1, Madrid, ES"],
        "program": "EL",  # no programs: the list's code
        "remarks": "",
        "listed_on": "2020-12-23",
        "csl_source": "Entity List (EL) - Bureau of Industry and Security",
        "csl_source_code": "EL",
        "csl_raw_id": "b6e959b59898e975daaae8fae3a8da1ec522f9f888cafc0e6401a16d",
        "kind_guessed": True,
        "csl_federal_register_notice": "85 FR 83799",
        "csl_license_requirement": "For all items subject to the EAR.",
        "csl_license_policy": "Presumption of denial.",
    },
    {
        **EMPTY,
        "id": "CSL-278be3e06d711cd8c6ea146bcd625d9f17cc901b980ea83daec759d2",
        "kind": "person",
        "names": ["PEARL LI", "NEI-CHIEN CHU"],  # the a.k.a. inside the name
        "countries": ["US"],  # NJ and a ZIP code
        "documents": [],
        "addresses": ["1132 SEAGULL LANE, CHERRY HILL, NJ, 08054"],
        "program": "DPL",
        "remarks": "NAME CORRECTED",
        "listed_on": "2006-06-23",
        "csl_source": "Denied Persons List (DPL) - Bureau of Industry and Security",
        "csl_source_code": "DPL",
        "csl_raw_id": "278be3e06d711cd8c6ea146bcd625d9f17cc901b980ea83daec759d2",
        "kind_guessed": True,
        "csl_federal_register_notice": "71 F.R. 38363 7/6/06",
        "csl_end_date": "2026-06-23",
        "csl_standard_order": "Y",
    },
    {
        **EMPTY,
        "id": "CSL-4c6871a37531abfedef67af60514d473234693ad93cf8abb796c3c4e",
        "kind": "organization",
        "names": ["Synnat Pharma Pvt Ltd."],
        "countries": [],
        "documents": [],
        "addresses": [],
        "program": "Iran, North Korea, and Syria Nonproliferation Act (INKSNA)",
        "remarks": "Line one of a remark that goes on on a second line.",  # a quoted line break
        "listed_on": "2020-03-06",
        "csl_source": "Nonproliferation Sanctions (ISN) - State Department",
        "csl_source_code": "ISN",
        "csl_raw_id": "4c6871a37531abfedef67af60514d473234693ad93cf8abb796c3c4e",
        "csl_name_note": "and any successor, sub-unit, or subsidiary thereof",
        "kind_guessed": True,
        "csl_federal_register_notice": "Vol. 85, No. 45",
    },
    {
        **EMPTY,
        "id": "CSL-dcc742038bcb47f1bf9e805ef279484d",
        "kind": "organization",
        "names": ["CAST Xi\u2019an Spaceflight Engine Factory"],  # U+0092 read as the cp1252 quote it was
        "countries": ["CN"],
        "documents": [],
        "addresses": ["Xi'an, Shaanxi, CN"],
        "program": "MEU",
        "remarks": "",
        "listed_on": "2020-12-23",
        "csl_source": "Military End User (MEU) List - Bureau of Industry and Security",
        "csl_source_code": "MEU",
        "csl_raw_id": "dcc742038bcb47f1bf9e805ef279484d",
        "kind_guessed": True,
    },
    {
        **EMPTY,
        "id": "CSL-SDN-7406",
        "kind": "vessel",
        "names": ["TESTER OCEAN", "OCEAN TESTER"],
        "countries": ["MT"],
        "documents": [{"number": "7406784", "type": "other", "type_raw": "IMO", "country": None, "expires": None}],
        "addresses": [],
        "program": "CUBA",
        "remarks": "",
        "listed_on": None,
        "csl_source": "Specially Designated Nationals (SDN) - Treasury Department",
        "csl_source_code": "SDN",
        "csl_raw_id": "7406",
        "csl_entity_number": "7406",
        "csl_call_sign": "9HOM4",
        "csl_vessel_type": "Bulk Carrier",
        "csl_gross_registered_tonnage": "38,000",
        "csl_vessel_flag": "Malta",
        "csl_vessel_owner": "Example Navigation Ltd",
        "csl_ids_other": ["Nationality of Registration: MT"],
    },
    {
        **EMPTY,
        "id": "CSL-e749b5e2712a4398ba1338dc990eac85",
        "kind": "person",  # no type; a date of birth
        "names": ["Miguel Ejemplo-Reyna"],
        "birth_dates": ["1975"],
        "countries": [],
        "documents": [],
        "addresses": [],
        "program": "DTC",
        "remarks": "",
        "listed_on": None,
        "csl_source": "ITAR Debarred (DTC) - State Department",
        "csl_source_code": "DTC",
        "csl_raw_id": "e749b5e2712a4398ba1338dc990eac85",
        "kind_guessed": True,
        "csl_federal_register_notice": "67 FR 10033",
    },
]


@pytest.mark.parametrize("index", range(len(EXPECTED_SMALL)), ids=[r["id"][:20] for r in EXPECTED_SMALL])
def test_small_fixture_record(index):
    records = parse_csl_csv(SMALL)
    assert len(records) == len(EXPECTED_SMALL)  # the repeated header on line 2 is no record
    got, want = records[index], EXPECTED_SMALL[index]
    for field in want:
        assert got[field] == want[field], field
    assert set(got) == set(want)


EXPECTED_DPL = [
    {"id": "DPL-f96a5deea562", "kind": "person", "names": ["PEARL LI", "NEI-CHIEN CHU"], "countries": ["US"],
     "addresses": ["1132 SEAGULL LANE, CHERRY HILL, NJ, 08054"], "listed_on": "2006-06-23",
     "dpl_expires": "2026-06-23", "remarks": "NAME CORRECTED", "program": "DPL", "list_id": "us-bis-dpl",
     "dpl_standard_order": "Y", "dpl_last_update": "2007-08-15", "dpl_fr_citation": "71 F.R. 38363 7/6/06",
     "kind_guessed": True},
    {"id": "DPL-20f10ac42ad0", "kind": "organization", "names": ["EXAMPLE AVIATION FZE"], "countries": ["AE"],
     "addresses": ["PO BOX 1234, DUBAI, AE"], "listed_on": "2008-03-17", "dpl_expires": "2028-03-17"},
    {"id": "DPL-6fb7f6c50271", "kind": "person", "names": ["JOHN QUENTIN TESTER"], "countries": ["GB"],
     "addresses": ["45 EXAMPLE ROAD, LONDON, SW1A 1AA, GB"], "listed_on": "2015-01-05",
     "dpl_standard_order": "N"},
]


def test_dpl_small_fixture(caplog):
    caplog.set_level("INFO", logger="watchlists")
    records = parse_dpl(DPL_SMALL)
    # Four data rows; the last repeats the second field for field: one listing.
    assert len(records) == 3
    for got, want in zip(records, EXPECTED_DPL):
        for field, value in want.items():
            assert got[field] == value, (want["id"], field)
    assert "line 3" in caplog.text and ":5:" in caplog.text
    assert records == load_records(DPL_SMALL)  # detected as bis-dpl
    assert watchlists.load(DPL_SMALL).list_id == "us-bis-dpl"


def test_dpl_ids_are_stable_and_depend_on_the_listing(tmp_path):
    ids = [r["id"] for r in parse_dpl(DPL_SMALL)]
    moved = edited(tmp_path, "45 EXAMPLE ROAD", "46 EXAMPLE ROAD", DPL_SMALL)
    assert [r["id"] for r in parse_dpl(moved)] == [ids[0], ids[1], parse_dpl(moved)[2]["id"]]
    assert parse_dpl(moved)[2]["id"] != ids[2]


def test_dpl_same_listing_different_details_is_a_bad_record(tmp_path):
    text = DPL_SMALL.read_text(encoding="utf-8").splitlines(keepends=True)
    text[4] = text[4].replace('"F.R. NOTICE ADDED"', '"F.R. NOTICE UPDATED"')
    bad = tmp_path / "dpl.txt"
    bad.write_text("".join(text), encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"dpl\.txt:5: DPL 'EXAMPLE AVIATION FZE': listed twice .*\(line 3\)"):
        parse_dpl(bad)
    problems: list[ListFormatError] = []
    assert len(parse_dpl(bad, skip_bad=True, problems=problems)) == 3
    assert [p.line for p in problems] == [5]


def test_load_detects_csl_from_paths_streams_and_gzip(tmp_path):
    expected = parse_csl_csv(SMALL)
    gz = tmp_path / "csl.csv.gz"
    gz.write_bytes(gzip.compress(ORIGINAL_SMALL))
    assert load_records(SMALL) == expected
    assert load_records(SMALL, "csl-csv") == expected
    assert load_records(gz) == expected
    assert load_records(io.BytesIO(ORIGINAL_SMALL)) == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("us-csl", len(EXPECTED_SMALL))


def test_records_survive_the_store_schema():
    for records in (parse_csl_csv(SMALL), parse_dpl(DPL_SMALL)):
        back = list(schema.iter_records(schema.to_table(records)))
        for got, want in zip(back, records):
            for field in want:
                if field == "documents":
                    assert [{k: v for k, v in d.items() if v is not None} for d in got[field]] == [
                        {k: v for k, v in d.items() if v is not None} for d in want[field]]
                else:
                    assert got[field] == want[field], field


def test_guess_kind_rules():
    assert guess_kind("Gazprom Transgaz Yugorsk, OOO") == "organization"
    assert guess_kind("SUNTRONIC F.Z.E.") == "organization"  # dots removed: FZE
    assert guess_kind("Air Weapons Complex (AWC)") == "organization"
    assert guess_kind("Magtech") == "organization"  # one word
    assert guess_kind("Alberto Di Salle") == "person"
    assert guess_kind("ALEXANDER M. ROVEGNO") == "person"
    assert guess_kind("Alberto Di Salle", "UVL") == "organization"  # a list of organisations only
    assert guess_kind("Example Holding", "", has_birth_date=True) == "person"


# --- detection -------------------------------------------------------------------------------------

OTHER_HEADS = {
    "uk": b"Last Updated,27/04/2020,,\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title\n",
    "uk-no-date": b'"Name 6","Name 1","Name 2","Name 3","Name 4","Name 5","Title","Name Non-Latin Script"\n',
    "ofac-csv": b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n',
    "csv": b"id,name,kind,birth_date,nationality\n1,Jane Example,person,1970-01-01,GB\n",
    "ftm": b'{"id":"NK-1","schema":"Person","properties":{"name":["X"]}}\n',
    "un": b'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">',
}


def test_sniffs_claim_their_own_files_only():
    assert [n for n, f in FORMATS.items() if f.sniff(ORIGINAL_SMALL[:4096])] == ["csl-csv"]
    assert [n for n, f in FORMATS.items() if f.sniff(DPL_SMALL.read_bytes()[:4096])] == ["bis-dpl"]
    for name, head in OTHER_HEADS.items():
        assert not sniff(head), name
        assert not sniff_dpl(head), name
    assert not sniff_dpl(ORIGINAL_SMALL[:4096]) and not sniff(DPL_SMALL.read_bytes()[:4096])
    for fixture in FIXTURES.iterdir():
        if fixture.suffix in (".csv", ".xml", ".txt", ".jsonl") and fixture not in (SMALL, DPL_SMALL):
            head = fixture.read_bytes()[:4096]
            assert not sniff(head) and not sniff_dpl(head), fixture.name


# --- errors ----------------------------------------------------------------------------------------


def test_wrong_field_count_names_its_line(tmp_path):
    bad = appended(tmp_path, "KOTO COMMERCIO", ',"extra","cells"')
    line = line_of(bad, "KOTO COMMERCIO")
    with pytest.raises(ListFormatError) as info:
        parse_csl_csv(bad)
    assert (info.value.path, info.value.line) == (str(bad), line)
    assert str(info.value) == f"{bad}:{line}: 31 fields where the header has 29"
    short = edited(tmp_path, '"85 FR 83799","2020-12-23",', '"85 FR 83799",')
    with pytest.raises(ListFormatError, match=r":6: 28 fields where the header has 29"):
        parse_csl_csv(short)
    problems: list[ListFormatError] = []
    records = parse_csl_csv(bad, skip_bad=True, problems=problems)
    assert len(records) == len(EXPECTED_SMALL) - 1
    assert "CSL-b6e959b59898e975daaae8fae3a8da1ec522f9f888cafc0e6401a16d" not in {r["id"] for r in records}
    assert [p.line for p in problems] == [line]
    assert len(parse_csl_csv(appended(tmp_path, "KOTO COMMERCIO", ',"",""'))) == len(EXPECTED_SMALL)  # empty: fine


def test_rows_after_a_multiline_field_keep_their_line_numbers(tmp_path):
    bad = appended(tmp_path, "CAST Xi", ',"surplus"')
    with pytest.raises(ListFormatError) as info:
        parse_csl_csv(bad)
    assert info.value.line == line_of(bad, "CAST Xi") > line_of(bad, "that goes on on a second line")


def test_undecodable_bytes_name_their_line(tmp_path):
    bad = tmp_path / "bytes.csv"
    bad.write_bytes(ORIGINAL_SMALL.replace(b"Fictional person", b"Fictional \xff person"))
    line = line_of(bad, "Fictional")
    with pytest.raises(ListFormatError, match=r"undecodable bytes: byte 0xff") as info:
        parse_csl_csv(bad)
    assert info.value.line == line == 3
    problems: list[ListFormatError] = []
    assert "CSL-SDN-900101" not in {r["id"] for r in parse_csl_csv(bad, skip_bad=True, problems=problems)}
    assert [p.line for p in problems] == [3]


def test_no_name_and_duplicate_id(tmp_path):
    bad = edited(tmp_path, '"Miguel Ejemplo-Reyna"', '"  "')
    with pytest.raises(ListFormatError, match=r"CSL CSL-e749b5e2712a4398ba1338dc990eac85: no name") as info:
        parse_csl_csv(bad)
    assert info.value.line == line_of(bad, "ITAR Debarred")
    assert len(parse_csl_csv(bad, skip_bad=True)) == len(EXPECTED_SMALL) - 1

    dup = edited(tmp_path, "Non-SDN Menu-Based Sanctions List (NS-MBS List)", "Sectoral Sanctions Identifications List (SSI)")
    with pytest.raises(ListFormatError, match=r"CSL CSL-SSI-17014 .*duplicate record \(first on line 4\)") as info:
        parse_csl_csv(dup)
    assert info.value.line == 5
    problems: list[ListFormatError] = []
    assert len(parse_csl_csv(dup, skip_bad=True, problems=problems)) == len(EXPECTED_SMALL) - 1
    assert [p.line for p in problems] == [5]


@pytest.mark.parametrize("cut_after", ['"Bulk Carrier","","38,0', '"Miguel Ejemplo-Re'])
def test_truncated_file_is_fatal_even_with_skip_bad(tmp_path, cut_after):
    text = ORIGINAL_SMALL.decode("utf-8")
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.index(cut_after) + len(cut_after)], encoding="utf-8")
    for skip_bad in (False, True):
        with pytest.raises(ListFormatError, match="truncated file: it ends inside a quoted field") as info:
            parse_csl_csv(cut, skip_bad=skip_bad)
        assert info.value.line == text[: text.index(cut_after)].count("\n") + 1


def test_truncated_inside_a_quoted_field_after_a_line_break(tmp_path):
    # The cut falls right after the line break inside the multi-line remark: every line ends with one.
    text = ORIGINAL_SMALL.decode("utf-8")
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.index("that goes on")], encoding="utf-8")
    with pytest.raises(ListFormatError, match="truncated file") as info:
        parse_csl_csv(cut, skip_bad=True)
    assert info.value.line == line_of(SMALL, "Synnat Pharma")


def test_truncated_gzip(tmp_path):
    gz = tmp_path / "cut.csv.gz"
    gz.write_bytes(gzip.compress(ORIGINAL_SMALL * 20)[:-200])
    with pytest.raises(ListFormatError, match=r"cut\.csv\.gz:\d+: (corrupt or truncated gzip|truncated file)"):
        parse_csl_csv(gz, skip_bad=True)


def test_not_a_csl_file_and_empty_file(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("id,name,kind\n1,Jane,person\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"other\.csv:1: not a CSL file: no column 'source'"):
        parse_csl_csv(other)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError, match=r"empty\.csv:1: empty file"):
        parse_csl_csv(empty)
    with pytest.raises(ListFormatError, match=r"other\.csv:1: not a Denied Persons List: no column 'name'"):
        parse_dpl(other)


# --- the real files from ../shared -----------------------------------------------------------------


def _need(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is absent (it ships with the shared data, not with a clone)")


@pytest.mark.shared_data
def test_real_csl_is_truncated_and_its_complete_part_loads(tmp_path):
    _need(SHARED_CSL)
    data = SHARED_CSL.read_bytes()
    last_line = data.count(b"\n") + 1  # PROVENANCE.md: the last record is cut off mid-quoted-field
    assert not data.endswith(b"\n")
    for skip_bad in (False, True):
        with pytest.raises(ListFormatError, match="truncated file: it ends inside a quoted field") as info:
            parse_csl_csv(SHARED_CSL, skip_bad=skip_bad)
        assert info.value.line == last_line == 4233

    complete = tmp_path / "csl_complete.csv"
    complete.write_bytes(data[: data.rindex(b"\n") + 1])
    start = time.perf_counter()
    records = parse_csl_csv(complete)
    elapsed = time.perf_counter() - start

    # An independent count with the csv module over the whole (truncated) file.
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, data_rows = rows[0], rows[1:]
    assert len(data_rows) == 4228  # PROVENANCE.md, the duplicated header and the cut-off row included
    assert data_rows[0] == header and len(data_rows[-1]) < len(header)
    whole = data_rows[1:-1]
    assert len(records) == len(whole) == 4226
    sources = Counter(r[1] for r in whole)
    assert Counter(r["csl_source"] for r in records) == sources
    assert sources["Specially Designated Nationals (SDN) - Treasury Department"] == 1737  # 1,738 less the cut row
    types = Counter(r[3] for r in whole)
    assert types == {"": 2039, "Individual": 1124, "Entity": 1060, "Vessel": 3}
    assert sum(1 for r in records if r.get("kind_guessed")) == 2039
    typed = Counter(r["kind"] for r in records if not r.get("kind_guessed"))
    assert typed == {"person": 1124, "organization": 1060, "vessel": 3}
    assert len({r["id"] for r in records}) == len(records)
    # 7 entity numbers are on two OFAC lists: each listing a record of its own
    assert sum(1 for n in Counter(r[2] for r in whole if r[2]).values() if n == 2) == 7
    # every alt name is kept (strong, or weak when quoted)
    # (an alias holding "F.K.A." / "D/B/A" is kept as its parts: compare words)
    i_alt = header.index("alt_names")
    markers = {"a", "k", "f", "d", "b", "aka", "fka", "dba"}
    for row, rec in zip(whole, records):
        kept = {w for n in rec["names"] + rec["weak_names"] for w in re.findall(r"\w+", n.casefold())}
        for alt in row[i_alt].split(";"):
            missing = set(re.findall(r"\w+", alt.casefold().replace("\x92", "'"))) - kept - markers
            assert not missing, (rec["id"], alt, missing)
    passports = sum(e.strip().startswith("Passport,") for r in whole for e in r[header.index("ids")].split(";"))
    assert sum(d["type_raw"] == "Passport" for r in records for d in r["documents"]) == passports == 325
    assert all(len(c) == 2 for r in records for c in r["countries"] + r["nationalities"])
    assert elapsed < 10, elapsed


@pytest.mark.shared_data
def test_real_dpl_count_and_repeated_rows():
    _need(SHARED_DPL)
    rows = list(csv.reader(io.StringIO(SHARED_DPL.read_text(encoding="utf-8"), newline=""), delimiter="\t"))
    data_rows = rows[1:]
    assert len(data_rows) == 665  # PROVENANCE.md
    repeats = sum(n - 1 for n in Counter(map(tuple, data_rows)).values())
    assert repeats == 2  # DAQING ZHOU and NEI-CHIEN CHU are each published twice, field for field
    records = parse_dpl(SHARED_DPL)
    assert len(records) == 665 - repeats == 663
    assert len({r["id"] for r in records}) == 663
    assert Counter(r["kind"] for r in records) == {"person": 519, "organization": 144}
    assert all(r["listed_on"] for r in records)
    assert watchlists.detect_format(SHARED_DPL.read_bytes()[:4096]) == "bis-dpl"
    assert watchlists.detect_format(SHARED_CSL.read_bytes()[:4096]) == "csl-csv"


def test_a_cell_over_the_csv_default_limit_loads_and_the_limit_is_left_alone(tmp_path):
    long_ids = "; ".join(f"Website, http://example.test/{i:06d}" for i in range(6000))  # ~200 kB
    assert len(long_ids) > csv.field_size_limit()
    big = edited(tmp_path, '"Vessel Registration Identification, IMO 7406784;', f'"{long_ids}; Vessel Registration Identification, IMO 7406784;')
    records = parse_csl_csv(big)
    assert len(records[7]["csl_ids_other"]) == 6001 and records[7]["documents"][0]["number"] == "7406784"
    assert csv.field_size_limit() == 131072  # the csv module's default, for the other readers
