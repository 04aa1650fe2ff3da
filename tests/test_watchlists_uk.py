"""The UK HMT / OFSI ConList CSV loader: grouping rows into records, partial dates, encodings, errors."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections import defaultdict
from pathlib import Path

import pytest

import watchlists
from watchlists import FORMATS, ListFormatError, load_records, schema
from watchlists.uk import demonym, parse_uk_csv, sniff

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "uk_small.csv"
SHARED_HMT = Path(__file__).resolve().parents[2] / "shared" / "data" / "format_samples_deriv" / "sample_hmt.csv"

HEADER = SMALL.read_text(encoding="utf-8").splitlines()[1]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_bytes().decode("utf-8").split("\n"), 1) if text in line)


def written(tmp_path: Path, text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    out = tmp_path / name
    out.write_bytes(text.encode(encoding))
    return out


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text, old
    return written(tmp_path, text.replace(old, new, 1))


def small_csv(rows: list[dict[str, str]], header: str = HEADER, first_line: str = "Last Updated,01/01/2026") -> str:
    """A ConList CSV with these rows (by column name)."""
    columns = next(csv.reader([header]))
    out = io.StringIO(newline="")
    out.write(first_line + "\r\n" + header + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def person_row(name6: str, name1: str, gid: str, **more: str) -> dict[str, str]:
    return {"Name 6": name6, "Name 1": name1, "Group Type": "Individual", "Alias Type": "Primary name",
            "Regime": "Test", "Group ID": gid, **more}


# --- the small fixture, field by field -------------------------------------------------------------

EXPECTED_SMALL = [
    {
        "id": "UK-9001",
        "kind": "person",
        "names": ["Johan Peter TESTMAN", "Yohan TESTMAN", "Johann TESTMANN", "يوهان تستمان"],
        "weak_names": ["ABU TEST"],  # AKA with Alias Quality "Low"
        "original_script_names": ["يوهان تستمان"],
        "birth_dates": ["1965-03-12", "1966-03"],  # 12/03/1965 and 00/03/1966
        "birth_date_ranges": [],
        "nationalities": ["IQ", "SY"],  # "(1) Iraqi (2) Syrian"
        "countries": ["IQ"],
        "sex": None,
        "documents": [
            {"number": "A1234567", "type": "passport", "type_raw": "Passport", "country": "IQ", "expires": None,
             "details": "Iraqi passport issued 2010"},
            {"number": "B7654321", "type": "passport", "type_raw": "Passport", "country": "SY", "expires": None,
             "details": "issued in Syria"},
            {"number": "IQ-998877", "type": "national_id", "type_raw": "National Identification Number",
             "country": "IQ", "expires": None, "details": "Iraqi"},
        ],  # once each, though repeated on five rows
        "addresses": ["12 Example Road, Baghdad, 10001, Iraq"],
        "birth_places": ["Sampletown, Iraq"],
        "list_id": "uk-ofsi",
        "program": "Iraq",
        "remarks": "Fictional person for tests. Second line of the note.",
        "listed_on": "2012-06-05",
        "title": "Dr",
        "position": "Director of Examples",
    },
    {
        "id": "UK-9002",
        "kind": "organization",
        "names": ["EXAMPLE TRADING LLC", "ETL"],
        "weak_names": [],
        "original_script_names": [],
        "birth_dates": [],
        "birth_date_ranges": [],
        "nationalities": [],
        "countries": ["AE"],
        "sex": None,
        "documents": [],
        "addresses": ["Office 5, Sample Tower, Dubai, United Arab Emirates"],
        "birth_places": [],
        "list_id": "uk-ofsi",
        "program": "Russia",
        "remarks": "Fictional company.",
        "listed_on": "2022-03-15",  # no Listed On: UK Sanctions List Date Designated
    },
    {
        "id": "UK-9005",
        "kind": "person",
        "names": ["José MUESTRA"],  # "Prime Alias", the older files' word for the primary name
        "weak_names": [],
        "original_script_names": [],
        "birth_dates": ["1970", "1971"],  # 00/00/1970 and 10/00/1971
        "birth_date_ranges": [],
        "nationalities": ["KP"],  # "North Korean"
        "countries": [],
        "sex": None,
        "documents": [],
        "addresses": [],
        "birth_places": [],
        "list_id": "uk-ofsi",
        "program": "North Korea",
        "remarks": None,
        "listed_on": "2009-12-30",
    },
    {
        "id": "UK-9003",
        "kind": "vessel",
        "names": ["SEA SPECIMEN"],
        "weak_names": [],
        "original_script_names": [],
        "birth_dates": [],
        "birth_date_ranges": [],
        "nationalities": [],
        "countries": [],
        "sex": None,
        "documents": [{"number": "9000002", "type": "other", "type_raw": "IMO", "country": None, "expires": None}],
        "addresses": [],
        "birth_places": [],
        "list_id": "uk-ofsi",
        "program": "Russia",
        "remarks": "IMO number: 9000002. Fictional vessel.",
        "listed_on": "2023-02-24",
    },
    {
        "id": "UK-9004",
        "kind": "person",
        "names": ["Sami PROBE"],  # no primary row: the first strong AKA
        "weak_names": ["Samy PROBE"],  # Alias Quality "weak"
        "original_script_names": [],
        "birth_dates": ["1980-07-01"],
        "birth_date_ranges": [],
        "nationalities": ["PK"],
        "countries": [],  # Country "na" is no country (and not Namibia)
        "sex": None,
        "documents": [  # Passport Number "N/A" has no number
            {"number": "35202-1234567-1", "type": "national_id", "type_raw": "National Identification Number",
             "country": "PK", "expires": None, "details": "Pakistani national identity card"},
        ],
        "addresses": [],
        "birth_places": [],
        "list_id": "uk-ofsi",
        "program": "ISIL (Da'esh) and Al-Qaida",
        "remarks": "No primary name row.",
        "listed_on": "2015-02-01",
    },
]


@pytest.mark.parametrize("index", range(len(EXPECTED_SMALL)), ids=[r["id"] for r in EXPECTED_SMALL])
def test_small_fixture_record(index):
    records = parse_uk_csv(SMALL)
    assert len(records) == len(EXPECTED_SMALL)
    got, want = records[index], EXPECTED_SMALL[index]
    for field in want:
        assert got[field] == want[field], field
    assert set(got) == set(want)


def test_load_detects_uk_csv_from_paths_streams_and_gzip(tmp_path):
    expected = parse_uk_csv(SMALL)
    gz = tmp_path / "conlist.csv.gz"
    gz.write_bytes(gzip.compress(SMALL.read_bytes()))
    assert load_records(SMALL) == expected
    assert load_records(gz, "uk-csv") == expected
    assert load_records(io.BytesIO(SMALL.read_bytes())) == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("uk-ofsi", len(EXPECTED_SMALL))
    assert wl.get("UK-9001").weak_names == ("ABU TEST",)


@pytest.mark.parametrize("format", sorted(set(FORMATS) - {"mapped", "ofac-csv"}))  # these two need a mapping / a path
def test_corrupt_gzip_header_is_a_list_format_error(format):
    # Found by tests/fuzz/atheris_watchlists.py: gzip magic, then no deflate method byte; peek() at the
    # start of uk.py (and of format detection) let BadGzipFile escape.
    data = b"\x1f\x8b" + SMALL.read_bytes()
    with pytest.raises(ListFormatError, match="corrupt or truncated gzip data"):
        load_records(io.BytesIO(data), format=format)
    with pytest.raises(ListFormatError, match="corrupt or truncated gzip data"):
        load_records(io.BytesIO(data))  # format detection peeks too


def test_records_survive_the_store_schema():
    records = parse_uk_csv(SMALL)
    assert list(schema.iter_records(schema.to_table(records))) == records


# --- encodings -------------------------------------------------------------------------------------


def test_utf8_bom_and_utf16_read_the_same(tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    expected = parse_uk_csv(SMALL)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert load_records(bom) == expected  # detected through the BOM too
    for codec in ("utf-16", "utf-16-be"):
        wide = tmp_path / f"{codec}.csv"
        data = text.encode(codec)
        wide.write_bytes(data if codec == "utf-16" else codecs.BOM_UTF16_BE + data)
        assert load_records(wide) == expected, codec


def test_windows_1252_and_mixed_lines(tmp_path):
    rows = [person_row("MÜLLER", "José", "1"), person_row("O’BRIEN", "Zoë", "2")]
    cp1252 = written(tmp_path, small_csv(rows), "cp1252.csv", "cp1252")
    assert b"\xdc" in cp1252.read_bytes() and b"\x92" in cp1252.read_bytes()  # Ü and ’ as cp1252 bytes
    assert [r["names"] for r in load_records(cp1252)] == [["José MÜLLER"], ["Zoë O’BRIEN"]]
    # A UTF-8 file with one line re-saved as cp1252: each line is read in its own encoding.
    lines = small_csv(rows).split("\r\n")
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("\r\n".join(lines[:3]).encode("utf-8") + b"\r\n" + "\r\n".join(lines[3:]).encode("cp1252"))
    assert [r["names"] for r in load_records(mixed)] == [["José MÜLLER"], ["Zoë O’BRIEN"]]


def test_undecodable_bytes_name_the_line(tmp_path):
    data = small_csv([person_row("ALPHA", "Ann", "1"), person_row("BETA", "Bob", "2")]).encode("utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(data.replace(b"BETA", b"B\x81TA"))  # 0x81: undefined in cp1252, invalid in UTF-8
    with pytest.raises(ListFormatError) as info:
        load_records(bad, skip_bad=True)  # not a bad record: the file itself is unreadable
    e = info.value
    assert (e.path, e.line) == (str(bad), 4)
    assert "undecodable bytes b'\\x81'" in str(e) and "neither UTF-8 nor Windows-1252" in str(e)
    wide = tmp_path / "wide.csv"
    wide.write_bytes(codecs.BOM_UTF16_LE + "Last Updated,x\r\n".encode("utf-16-le") + b"\x00\xd8\x41")  # lone surrogate
    with pytest.raises(ListFormatError, match="undecodable bytes in UTF-16"):
        parse_uk_csv(wide)


# --- detection -------------------------------------------------------------------------------------

OTHER_HEADS = {
    "un": b'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n<INDIVIDUALS>',
    "ofac": b'<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="https://tempuri.org/sdnList.xsd">\n',
    "eu": b'<?xml version="1.0"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="1">',
    "canada": b'<?xml version="1.0"?>\n<data-set>\n<record>\n<Country>Iran</Country>\n<Item>1</Item>',
    "csl": b"_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice\r\n",
    "csv": b"id,name,kind,birth_date,nationality\n1,Jane Example,person,1970-01-01,GB\n",
    "csv-with-name-6": b"id,Name 1,Name 6\n1,Jane,Example\n",
}


def test_sniff_claims_the_conlist_only():
    head = SMALL.read_bytes()[:4096]
    assert sniff(head)
    assert [name for name, fmt in FORMATS.items() if fmt.sniff(head)] == ["uk-csv"]
    assert sniff(codecs.BOM_UTF8 + head)
    assert not sniff("Last Updated,01/01/2026\r\n".encode("utf-16"))  # no header yet
    assert sniff(head.decode("utf-8").encode("utf-16"))
    assert sniff(HEADER.encode() + b"\r\n")  # the header on the first line
    assert sniff(b'"Last Updated","27/04/2020"\n"Name 6","Name 1","Name 2"\n')
    for name, other in OTHER_HEADS.items():
        assert not sniff(other), name


def test_demonyms():
    assert [demonym(x) for x in ("Pakistani", "north korean", "British.", "Congolese", "Atlantean", None)] == [
        "PK", "KP", "GB", None, None, None]


# --- errors ----------------------------------------------------------------------------------------


def test_missing_required_column_names_it(tmp_path):
    bad = written(tmp_path, small_csv([], header=HEADER.replace(",Group ID", ",Group")))
    with pytest.raises(ListFormatError) as info:
        load_records(bad, skip_bad=True)
    e = info.value
    assert e.line == 2
    assert str(e).startswith(f"{bad}:2: not a UK OFSI ConList CSV: missing column 'Group ID'; the header has Name 6, Name 1")
    bad = written(tmp_path, small_csv([], header=HEADER.replace("Group Type,Alias Type,", "")))
    with pytest.raises(ListFormatError, match=r"missing column 'Group Type' \(and 'Alias Type'\)"):
        load_records(bad, "uk-csv")


def test_no_header_at_all(tmp_path):
    with pytest.raises(ListFormatError, match=r"empty\.csv:1: not a UK OFSI ConList CSV: no header row"):
        parse_uk_csv(written(tmp_path, "", "empty.csv"))
    with pytest.raises(ListFormatError, match=r"only\.csv:1: not a UK OFSI ConList CSV: no header row"):
        parse_uk_csv(written(tmp_path, "Last Updated,01/01/2026\r\n", "only.csv"))


def test_short_row_names_its_line(tmp_path):
    text = SMALL.read_bytes().decode("utf-8")
    start = text.index("PROBE,Samy")
    row = text[start : text.index("\r\n", start)]
    line = text[:start].count("\n") + 1  # physical lines: the notes above span two each
    assert line > 14
    bad = written(tmp_path, text.replace(row, ",".join(row.split(",")[:20])))
    with pytest.raises(ListFormatError) as info:
        parse_uk_csv(bad)
    e = info.value
    assert (e.line, e.element) == (line, "row 12")
    assert str(e) == f"{bad}:{line}: short row: 20 fields, the header has 36"
    problems: list[ListFormatError] = []
    records = parse_uk_csv(bad, skip_bad=True, problems=problems)
    assert len(records) == len(EXPECTED_SMALL) and records[-1]["weak_names"] == []
    assert [(p.line, p.element) for p in problems] == [(e.line, e.element)]


def test_long_row_and_row_without_group_id(tmp_path):
    rows = small_csv([person_row("ALPHA", "Ann", "1"), person_row("BETA", "Bob", "")]).split("\r\n")
    bad = written(tmp_path, "\r\n".join(rows))
    with pytest.raises(ListFormatError, match=r":4: row without a Group ID"):
        parse_uk_csv(bad)
    rows[2] += ",extra"
    bad = written(tmp_path, "\r\n".join(rows))
    with pytest.raises(ListFormatError, match=r":3: long row: 37 fields, the header has 36"):
        parse_uk_csv(bad)
    rows[2] = rows[2].removesuffix(",extra") + ",,"  # trailing empty fields are harmless
    assert [r["id"] for r in parse_uk_csv(written(tmp_path, "\r\n".join(rows)), skip_bad=True)] == ["UK-1"]


def test_group_without_a_name_or_with_an_unknown_type(tmp_path, caplog):
    rows = [person_row("ALPHA", "Ann", "1"), person_row("", "", "2"), {**person_row("", "", "2"), "Alias Type": "AKA"},
            {**person_row("GAMMA", "", "3"), "Group Type": "Aircraft"}]
    bad = written(tmp_path, small_csv(rows))
    with pytest.raises(ListFormatError) as info:
        parse_uk_csv(bad)
    e = info.value
    assert (e.line, e.element) == (4, "Group ID 2")
    assert str(e) == f"{bad}:4: Group ID 2: no name"
    problems: list[ListFormatError] = []
    assert [r["id"] for r in parse_uk_csv(bad, skip_bad=True, problems=problems)] == ["UK-1"]
    assert [str(p.reason) for p in problems] == [
        "Group ID 2: no name", "Group ID 3: unknown Group Type 'Aircraft' (known: Individual, Entity, Ship)"]
    assert "Group ID 3" in caplog.text


def test_nul_byte_and_unclosed_quote(tmp_path):
    data = small_csv([person_row("ALPHA", "Ann", "1"), person_row("BETA", "Bob", "2")])
    with pytest.raises(ListFormatError, match=r"bad\.csv:4: NUL byte \(column 3\)"):
        parse_uk_csv(written(tmp_path, data.replace("BETA", "BE\x00TA"), "bad.csv"))
    # An unclosed quote swallows the rest of the file into one field: at the end, a short row...
    unclosed = data.replace("ALPHA", '"ALPHA')
    with pytest.raises(ListFormatError, match=r"open\.csv:3: short row"):
        parse_uk_csv(written(tmp_path, unclosed, "open.csv"))
    # ... or, in a big file, a field over the csv module's limit: malformed CSV where the record starts.
    long_tail = unclosed + "\r\n".join(["x" * 1000] * 200)
    with pytest.raises(ListFormatError, match=r"long\.csv:3: malformed CSV: field larger than field limit"):
        parse_uk_csv(written(tmp_path, long_tail, "long.csv"), skip_bad=True)


def test_optional_gender_column_gives_sex(tmp_path):
    header = HEADER + ",Gender"
    rows = [person_row("ALPHA", "Ann", "1", Gender="Female"), {**person_row("ACME", "", "2", Gender="Male"),
                                                               "Group Type": "Entity"}]
    records = parse_uk_csv(written(tmp_path, small_csv(rows, header=header)))
    assert [r["sex"] for r in records] == ["F", None]  # an entity has no sex


# --- the real excerpt from ../shared ---------------------------------------------------------------


@pytest.mark.shared_data
def test_real_excerpt_sample_hmt():
    if not SHARED_HMT.is_file():
        pytest.skip(f"{SHARED_HMT} is absent (it ships with the shared data, not with a clone)")
    assert watchlists.detect_format(SHARED_HMT.read_bytes()[:4096]) == "uk-csv"
    records = load_records(SHARED_HMT)
    with SHARED_HMT.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f.readlines()[1:]))
    assert len(rows) == 23  # PROVENANCE.md
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["Group ID"]].append(row)
    assert len(groups) == 6
    assert [r["id"] for r in records] == [f"UK-{gid}" for gid in groups]
    for rec, (gid, group) in zip(records, groups.items()):
        every = {n.casefold() for n in rec["names"] + rec["weak_names"]}
        for row in group:  # every row's name, surname last, and its non-Latin form
            name = " ".join(" ".join(row[f"Name {i}"] for i in (1, 2, 3, 4, 5, 6)).split())
            assert name.casefold() in every, (gid, name)
            if row["Name Non-Latin Script"]:
                assert row["Name Non-Latin Script"] in rec["original_script_names"]
        primary = [r for r in group if r["Alias Type"] == "Prime Alias"]
        if primary:
            assert rec["names"][0] == " ".join(" ".join(primary[0][f"Name {i}"] for i in (1, 2, 3, 4, 5, 6)).split())
        dobs = {r["DOB"] for r in group if r["DOB"]}
        assert len(rec["birth_dates"]) == len(dobs), gid  # one per distinct DOB: none lost, none made up
    so = next(r for r in records if r["id"] == "UK-11039")
    assert so["birth_dates"] == ["1936", "1937", "1938", "1932", "1933", "1934", "1935"]  # 00/00/yyyy
    hub = next(r for r in records if r["id"] == "UK-13063")
    assert hub["birth_dates"] == ["1983-07-05", "1983", "1984-04"]  # 10/00/1983, 00/04/1984
    saeed = next(r for r in records if r["id"] == "UK-9215")
    assert saeed["nationalities"] == ["PK"] and saeed["documents"][0]["country"] == "PK"
    assert watchlists.load(SHARED_HMT).list_id == "uk-ofsi"
