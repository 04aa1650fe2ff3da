"""The OFAC loaders: sdnList XML (SDN and non-SDN consolidated) and the legacy CSV set."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

import watchlists
from watchlists import FORMATS, ListFormatError, detect_format, load_records, schema
from watchlists import ofac, ofac_csv
from watchlists.ofac import parse_ofac_xml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "ofac_small.xml"
SMALL_CSV = FIXTURES / "ofac_csv_small"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_SDN = SHARED / "ofac_sdn" / "sdn_xml_2021-03-10" / "sdn.xml"
SHARED_NONSDN = SHARED / "ofac_consolidated_nonsdn" / "consolidated.xml"
SHARED_CSV = SHARED / "ofac_sdn" / "watchman_bench_2021-07"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / "edited.xml"
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def csv_set(tmp_path: Path, **replace: bytes) -> Path:
    """A copy of the small CSV set, with files replaced (name=bytes) or removed (name=b"")."""
    out = tmp_path / "set"
    shutil.copytree(SMALL_CSV, out)
    for name, data in replace.items():
        target = out / f"{name}.csv"
        if data == b"":
            target.unlink()
        else:
            target.write_bytes(data)
    return out


# --- the small fixtures, field by field ------------------------------------------------------------

PERSON = {
    "id": "OFAC-90001",
    "kind": "person",
    "names": ["Ivan Petrovich TESTOV", "Ivan TESTOV", "Ivan TESTOFF"],  # f.k.a. is a name too
    "weak_names": ["IVO"],  # category weak / the quoted a.k.a. of the CSV remarks
    "birth_dates": ["1961-03-12", "1965", "1958", "1959", "1960", "1970-01"],
    "birth_date_ranges": [
        {"from": "1965", "to": "1965", "circa": True},  # circa 1965
        {"from": "1958", "to": "1960", "circa": False},  # 1958 to 1960
    ],
    "nationalities": ["RU", "KZ"],  # nationality + citizenship
    "countries": ["RU"],
    "sex": "M",  # from the "Gender" identifier
    "birth_places": ["Moscow, Russia"],
    "list_id": "ofac-sdn",
    "program": "SDGT; IRGC",
    "listed_on": None,
    "ofac_uid": "90001",
    "ofac_type": "Individual",
    "title": "Director",
    "ofac_ids_other": ["Website: www.example.test"],
}
PASSPORT = {"number": "A1234567", "type": "passport", "type_raw": "Passport", "country": "RU",
            "expires": "2020-01-31", "issued": "2010-02-01"}
DIPLOMATIC = {"number": "D-42", "type": "passport", "type_raw": "Diplomatic Passport", "country": None,
              "expires": None, "diplomatic": True}
ENTITY = {
    "id": "OFAC-90002",
    "kind": "organization",
    "names": ["EXAMPLE TRADING CO., LTD.", "EXAMPLE TRADING GROUP"],  # n.k.a.
    "weak_names": ["ETC"],
    "countries": ["CV", "PS"],  # "Cabo Verde.  Previously Cape Verde.", "Region: Gaza"; "undetermined" none
    "documents": [
        {"number": "55-66", "type": "other", "type_raw": "Registration Number", "country": "AE", "expires": None},
        {"number": "EXAMAEAD", "type": "other", "type_raw": "SWIFT/BIC", "country": None, "expires": None},
    ],
    "sex": None,
    "ofac_ids_other": ["Email Address: info@example.test"],
}
VESSEL = {
    "id": "OFAC-90003",
    "kind": "vessel",
    "names": ["SEA EXAMPLE"],
    "countries": ["PA"],  # the flag
    "documents": [
        {"number": "9123456", "type": "other", "type_raw": "Vessel Registration Identification", "country": None, "expires": None},
        {"number": "123456789", "type": "other", "type_raw": "MMSI", "country": None, "expires": None},
    ],
    "vessel_call_sign": "HOXX", "vessel_type": "Crude Oil Tanker", "vessel_flag": "PA",
    "vessel_owner": "EXAMPLE TRADING CO., LTD.", "vessel_tonnage": "150,000", "vessel_grt": "80,000",
    "ofac_type": "Vessel",
}
AIRCRAFT = {
    "id": "OFAC-90004",
    "kind": "vessel",  # the engine has no aircraft kind
    "ofac_type": "Aircraft",
    "documents": [{"number": "1234", "type": "other", "type_raw": "Aircraft Manufacturer's Serial Number (MSN)",
                   "country": None, "expires": None}],
    "ofac_ids_other": ["Aircraft Model: A300"],
}


def _check(record, want):
    for field, value in want.items():
        assert record[field] == value, field


def test_xml_small_fixture():
    records = parse_ofac_xml(SMALL)
    assert [r["id"] for r in records] == ["OFAC-90001", "OFAC-90002", "OFAC-90003", "OFAC-90004"]
    person, entity, vessel, aircraft = records
    _check(person, {**PERSON, "names": PERSON["names"] + ["Иван ТЕСТОВ"]})
    assert person["original_script_names"] == ["Иван ТЕСТОВ"]
    assert person["addresses"] == ["1 Test Street, Moscow, 101000, Russia"]
    assert person["remarks"] == "Fictional person for tests."
    assert person["documents"] == [
        PASSPORT, DIPLOMATIC,
        {"number": "12345", "type": "national_id", "type_raw": "National ID No.", "country": "KZ", "expires": None,
         "note": "Almaty"},
        # an idType the loader does not know, with a digit in its value: kept as a document
        {"number": "XYZ-9", "type": "other", "type_raw": "Frobnication Code", "country": None, "expires": None},
    ]
    _check(entity, ENTITY)
    assert entity["addresses"] == ["Praia, Cabo Verde. Previously Cape Verde.", "Region: Gaza", "undetermined"]
    _check(vessel, VESSEL)
    _check(aircraft, AIRCRAFT)
    assert all(r["list_id"] == "ofac-sdn" for r in records)


def test_csv_small_fixture():
    records = load_records(SMALL_CSV)
    assert [r["id"] for r in records] == ["OFAC-90001", "OFAC-90002", "OFAC-90003", "OFAC-90004"]
    person, entity, vessel, aircraft = records
    _check(person, PERSON)
    assert person["original_script_names"] == []
    assert person["addresses"] == ["1 Test Street, Moscow 101000, Russia"]
    assert person["documents"] == [
        PASSPORT, DIPLOMATIC,
        {"number": "12345", "type": "national_id", "type_raw": "National ID No.", "country": "KZ", "expires": None},
    ]
    # sdn_comments.csv continues the remarks mid-word; an unknown item stays in the remarks only
    assert person["remarks"].endswith("Frobnication Code XYZ-9; Linked To: EXAMPLE TRADING CO., LTD.")
    assert "Linked To: EXAMPLE" in person["remarks"]
    _check(entity, ENTITY)
    assert entity["addresses"] == ["Praia, Cabo Verde. Previously Cape Verde.", "Region: Gaza"]
    _check(vessel, VESSEL)
    _check(aircraft, AIRCRAFT)


def test_csv_loads_from_the_sdn_csv_path_and_xml_from_streams_and_gzip(tmp_path):
    assert load_records(SMALL_CSV / "sdn.csv") == load_records(SMALL_CSV)
    assert load_records(SMALL_CSV / "sdn.csv", "ofac-csv") == load_records(SMALL_CSV)
    expected = parse_ofac_xml(SMALL)
    gz = tmp_path / "sdn.xml.gz"
    gz.write_bytes(gzip.compress(SMALL.read_bytes()))
    assert load_records(gz) == expected
    assert load_records(io.BytesIO(SMALL.read_bytes())) == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("ofac-sdn", 4)
    assert watchlists.load(SMALL_CSV).list_id == "ofac-sdn"


def test_records_survive_the_store_schema():
    for records in (parse_ofac_xml(SMALL), load_records(SMALL_CSV)):
        back = list(schema.iter_records(schema.to_table(records)))
        assert [r["names"] for r in back] == [r["names"] for r in records]
        assert back[0]["ofac_uid"] == "90001" and back[2]["vessel_flag"] == "PA"


def test_birth_date_forms():
    assert ofac.birth_dates(["circa 01 Jul 1970"]) == (["1970-07-01"], [{"from": "1970-07-01", "to": "1970-07-01", "circa": True}])
    assert ofac.birth_dates(["01 Jan 1953 to 31 Dec 1954"]) == (
        ["1953", "1954"], [{"from": "1953-01-01", "to": "1954-12-31", "circa": False}])
    assert ofac.birth_dates(["1930 to 1960"])[0] == ["1930", "1960"]  # wide range: its ends
    assert ofac.birth_dates(["Mar 1962 to Feb 1960"])[1] == [{"from": "1960-02", "to": "1962-03", "circa": False}]
    assert ofac.birth_dates(["Feb 1960 to Feb 1960", "not a date"]) == (["1960-02"], [])


def test_country_texts():
    assert [ofac.country(x) for x in ("Korea, North", "Region: Gaza", "Region: Northern Mali", "Region: Crimea",
                                      "Cabo Verde.  Previously Cape Verde.", "Region: Kafia Kingi",
                                      "Netherlands Antilles", "undetermined", "Burma")] == [
        "KP", "PS", "ML", "UA", "CV", None, None, None, "MM"]


# --- list membership and detection -----------------------------------------------------------------


def test_nonsdn_list_id_from_content(tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    # three of four entries on a non-SDN-only program -> the file is the non-SDN list
    nonsdn = tmp_path / "cons.xml"
    nonsdn.write_text(text.replace("<program>SDGT</program>", "<program>NS-PLC</program>")
                      .replace("<program>IRAN</program>", "<program>CMIC-EO13959</program>", 1), encoding="utf-8")
    records = load_records(nonsdn)
    assert {r["list_id"] for r in records} == {"ofac-nonsdn"}
    assert watchlists.load(nonsdn).list_id == "ofac-nonsdn"
    one = tmp_path / "one.xml"  # one marked entry of four: still the SDN list
    one.write_text(text.replace("<program>IRAN</program>", "<program>NS-PLC</program>", 1), encoding="utf-8")
    assert {r["list_id"] for r in load_records(one)} == {"ofac-sdn"}


OTHER_HEADS = {
    "un": b'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n<INDIVIDUALS>',
    "eu": b'<?xml version="1.0"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity>',
    "canada": b'<?xml version="1.0"?>\n<data-set>\n<record>\n<Country>Iran</Country>\n<Item>1</Item>',
    "uk": b"Last Updated,27/04/2020,,\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title\n",
    "csl": b"_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice\r\n",
    "add.csv": b'36,25,-0- ,"Havana","Cuba",-0- \r\n',
    "alt.csv": b'36,12,"aka","AERO-CARIBBEAN",-0- \r\n',
}


def test_sniffing():
    assert [n for n, f in FORMATS.items() if f.sniff(SMALL.read_bytes()[:4096])] == ["ofac-xml"]
    head = (SMALL_CSV / "sdn.csv").read_bytes()[:4096]
    assert [n for n, f in FORMATS.items() if f.sniff(head)] == ["ofac-csv"]
    for name, other in OTHER_HEADS.items():
        assert not ofac.sniff(other) and not ofac_csv.sniff(other), name
    assert ofac_csv.sniff_path(SMALL_CSV) and ofac_csv.sniff_path(SMALL_CSV / "sdn.csv")
    assert not ofac_csv.sniff_path(SMALL_CSV / "add.csv") and not ofac_csv.sniff_path(SMALL)


@pytest.mark.shared_data
def test_detect_format_on_every_shared_file():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent")
    found = {}
    for path in sorted(SHARED.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".csv", ".txt"):
            found[str(path.relative_to(SHARED))] = detect_format(path.read_bytes()[:4096])
    ofac_files = {p: f for p, f in found.items() if f in ("ofac-xml", "ofac-csv")}
    assert ofac_files == {
        "format_samples_deriv/sample_ofac_consolidated.xml": "ofac-xml",
        "ofac_consolidated_nonsdn/consolidated.xml": "ofac-xml",
        "ofac_sdn/sdn_xml_2021-03-10/sdn.xml": "ofac-xml",
        "ofac_sdn/watchman_bench_2021-07/sdn.csv": "ofac-csv",
    }
    assert found["un_sc_consolidated/consolidated.xml"] == "un-xml"
    assert found["eu_fsf_consolidated/eu_fsf_2021-03-05.xml"] == "eu-xml"
    assert found["canada_sema/sema.xml"] == "canada-xml"


# --- bad input: XML --------------------------------------------------------------------------------


def test_truncated_xml_names_file_and_line(tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    cut = text[: text.index("<uid>90003</uid>")]
    truncated = tmp_path / "cut.xml"
    truncated.write_text(cut, encoding="utf-8")
    for skip_bad in (False, True):
        with pytest.raises(ListFormatError) as info:
            load_records(truncated, skip_bad=skip_bad)
        assert (info.value.path, info.value.line) == (str(truncated), cut.count("\n") + 1)
        assert "malformed XML" in str(info.value)


def test_malformed_xml_reports_its_line(tmp_path):
    bad = edited(tmp_path, "<remarks>Fictional person for tests.</remarks>", "<remarks>Fictional</note>")
    with pytest.raises(ListFormatError, match="mismatched tag") as info:
        parse_ofac_xml(bad)
    assert info.value.line == line_of(bad, "</note>")


def test_undecodable_xml_bytes(tmp_path):
    bad = tmp_path / "bytes.xml"
    bad.write_bytes(SMALL.read_bytes().replace(b"Fictional person", b"Fictional \xff person"))
    with pytest.raises(ListFormatError, match="malformed XML") as info:
        parse_ofac_xml(bad)
    assert info.value.line == line_of(SMALL, "Fictional person")


def test_wrong_root(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n<export><sanctionEntity/></export>\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"other\.xml:2: not an OFAC sdnList XML file"):
        parse_ofac_xml(other)


def test_entry_without_a_name(tmp_path):
    bad = edited(tmp_path, "<lastName>SEA EXAMPLE</lastName>", "<lastName> </lastName>")
    with pytest.raises(ListFormatError) as info:
        parse_ofac_xml(bad)
    e = info.value
    assert (e.line, e.element) == (line_of(bad, "<uid>90003</uid>") - 1, "sdnEntry[3]")
    assert str(e) == f"{bad}:{e.line}: sdnEntry uid 90003: no name"
    problems: list[ListFormatError] = []
    records = load_records(bad, skip_bad=True, problems=problems)
    assert [r["id"] for r in records] == ["OFAC-90001", "OFAC-90002", "OFAC-90004"]
    assert [(p.line, p.element) for p in problems] == [(e.line, e.element)]


def test_unknown_sdn_type_and_duplicate_uid(tmp_path):
    bad = edited(tmp_path, "<sdnType>Aircraft</sdnType>", "<sdnType>Spacecraft</sdnType>")
    with pytest.raises(ListFormatError, match=r"uid 90004: unknown sdnType 'Spacecraft'"):
        parse_ofac_xml(bad)
    assert len(parse_ofac_xml(bad, skip_bad=True)) == 3
    dup = edited(tmp_path, "<uid>90004</uid>", "<uid>90003</uid>")
    with pytest.raises(ListFormatError, match="uid 90003: duplicate uid") as info:
        parse_ofac_xml(dup)
    assert info.value.element == "sdnEntry[4]"


# --- bad input: CSV --------------------------------------------------------------------------------


def test_csv_missing_add_csv(tmp_path):
    folder = csv_set(tmp_path, add=b"")
    for source in (folder, folder / "sdn.csv"):
        with pytest.raises(ListFormatError, match="no add.csv beside sdn.csv") as info:
            load_records(source, skip_bad=True)
        assert info.value.path == str(folder / "add.csv")
    # sdn_comments.csv is optional: without it the remarks stop where sdn.csv cut them
    records = load_records(csv_set(tmp_path / "b", sdn_comments=b""))
    assert records[0]["remarks"].endswith("Link")


def test_csv_stream_is_refused_clearly():
    with pytest.raises(ListFormatError, match="several files"):
        load_records(io.BytesIO((SMALL_CSV / "sdn.csv").read_bytes()))


def test_csv_wrong_field_count(tmp_path):
    sdn = (SMALL_CSV / "sdn.csv").read_bytes().replace(b'90002,"EXAMPLE TRADING CO., LTD.",-0- ,', b'90002,"EXAMPLE TRADING CO., LTD.",')
    folder = csv_set(tmp_path, sdn=sdn)
    with pytest.raises(ListFormatError, match="11 fields") as info:
        load_records(folder)
    assert (info.value.path, info.value.line) == (str(folder / "sdn.csv"), 2)
    problems: list[ListFormatError] = []
    records = load_records(folder, skip_bad=True, problems=problems)
    # the entry is gone, and so (reported too) are its add.csv and alt.csv rows
    assert [r["id"] for r in records] == ["OFAC-90001", "OFAC-90003", "OFAC-90004"]
    assert [(Path(p.path).name, p.line) for p in problems] == [("sdn.csv", 2), ("add.csv", 2), ("add.csv", 3), ("alt.csv", 3)]


def test_csv_undecodable_bytes_and_cp1252(tmp_path):
    sdn = (SMALL_CSV / "sdn.csv").read_bytes()
    cp1252 = csv_set(tmp_path / "a", sdn=sdn.replace(b'"SEA EXAMPLE"', b'"SEA EXAMPL\xc9"'))
    assert load_records(cp1252)[2]["names"] == ["SEA EXAMPLÉ"]  # Windows-1252, read as such
    broken = csv_set(tmp_path / "b", sdn=sdn.replace(b'"SEA EXAMPLE"', b'"SEA \x81EXAMPLE"'))
    with pytest.raises(ListFormatError, match="undecodable bytes") as info:
        load_records(broken)
    assert info.value.line == 3
    assert [r["id"] for r in load_records(broken, skip_bad=True)] == ["OFAC-90001", "OFAC-90002", "OFAC-90004"]


def test_csv_truncated_file_is_fatal(tmp_path):
    sdn = (SMALL_CSV / "sdn.csv").read_bytes()
    cut = sdn[: sdn.index(b"Aircraft Model")]
    folder = csv_set(tmp_path, sdn=cut)
    with pytest.raises(ListFormatError, match="truncated file") as info:
        load_records(folder, skip_bad=True)
    assert info.value.line == 4


def test_csv_unknown_type_no_name_and_orphans(tmp_path):
    sdn = (SMALL_CSV / "sdn.csv").read_bytes()
    folder = csv_set(tmp_path / "a", sdn=sdn.replace(b'"aircraft"', b'"spacecraft"'))
    with pytest.raises(ListFormatError, match=r"ent_num 90004: unknown SDN_Type 'spacecraft'") as info:
        load_records(folder)
    assert info.value.line == 4
    folder = csv_set(tmp_path / "b", sdn=sdn.replace(b'"SEA EXAMPLE"', b"-0- "))
    with pytest.raises(ListFormatError, match="ent_num 90003: no name"):
        load_records(folder)
    alt = (SMALL_CSV / "alt.csv").read_bytes().replace(b"90002,712", b"99999,712")
    folder = csv_set(tmp_path / "c", alt=alt)
    with pytest.raises(ListFormatError, match="ent_num 99999 is not in sdn.csv") as info:
        load_records(folder)
    assert (Path(info.value.path).name, info.value.line) == ("alt.csv", 3)
    # an alt_type other than aka/fka/nka: the name is still a (strong) name
    alt = (SMALL_CSV / "alt.csv").read_bytes().replace(b'"nka"', b'"xyz"')
    assert "EXAMPLE TRADING GROUP" in load_records(csv_set(tmp_path / "d", alt=alt))[1]["names"]


def test_remarks_items():
    split = ofac_csv._split_remarks
    assert split("DOB 1970; a.k.a. 'A; B'; POB 'Aniza, Saudi Arabia; nationality Saudi Arabia.") == [
        "DOB 1970", "a.k.a. 'A; B'", "POB 'Aniza, Saudi Arabia", "nationality Saudi Arabia"]
    assert split("Passport 1 (Eritrea); (Derived data: Passport No.: 2, Eritrea; DOB 1960); Gender Male.") == [
        "Passport 1 (Eritrea)", "(Derived data: Passport No.: 2, Eritrea; DOB 1960)", "Gender Male"]


# --- the real files from ../shared -----------------------------------------------------------------


def _need(path: Path):
    if not path.exists():
        pytest.skip(f"{path} is absent (it ships with the shared data, not with a clone)")


def _xml_entries(path: Path):
    root = ET.parse(path).getroot()
    ns = root.tag[: root.tag.index("}") + 1]
    return ns, root.findall(f"{ns}sdnEntry")


@pytest.mark.shared_data
def test_real_sdn_xml_counts():
    _need(SHARED_SDN)
    ns, entries = _xml_entries(SHARED_SDN)
    records = parse_ofac_xml(SHARED_SDN)
    assert len(entries) == len(records) == 8832  # PROVENANCE.md
    assert {r["list_id"] for r in records} == {"ofac-sdn"}
    assert Counter(r["ofac_type"] for r in records) == {"Individual": 4539, "Entity": 3613, "Vessel": 403, "Aircraft": 277}
    assert Counter(r["kind"] for r in records) == {"person": 4539, "organization": 3613, "vessel": 680}
    akas = [a for e in entries for a in e.iter(f"{ns}aka")]
    assert len(akas) == 14094
    passports = [i for e in entries for i in e.iter(f"{ns}id") if i.findtext(f"{ns}idType") == "Passport"]
    assert len(passports) == 1512
    got = [d for r in records for d in r["documents"] if d["type_raw"] == "Passport"]
    assert len(got) == 1512 - sum(1 for i in passports if not any(ch.isdigit() for ch in i.findtext(f"{ns}idNumber")))
    # every aka is kept, with its strength
    checked = 0
    for elem, rec in zip(entries, records):
        strong = {n.casefold() for n in rec["names"]}
        weak = {n.casefold() for n in rec["weak_names"]} | strong
        person = rec["kind"] == "person"
        for aka in elem.iter(f"{ns}aka"):
            first, last = aka.findtext(f"{ns}firstName") or "", aka.findtext(f"{ns}lastName") or ""
            name = " ".join(f"{first} {last}".split()) if first else ofac.name_text(last, person)
            name = ofac.name_text(name, False)
            assert name.casefold() in (weak if aka.findtext(f"{ns}category") == "weak" else strong), (rec["id"], name)
            checked += 1
    assert checked == 14094
    dobs = sum(1 for e in entries for _ in e.iter(f"{ns}dateOfBirth"))
    assert dobs == 5033 and sum(1 for r in records if r["birth_dates"]) == sum(
        1 for e in entries if e.find(f"{ns}dateOfBirthList") is not None)
    circa = [d.text for e in entries for d in e.iter(f"{ns}dateOfBirth") if d.text.startswith("circa")]
    assert len(circa) == 77 and sum(1 for r in records for x in r["birth_date_ranges"] if x["circa"]) == 77
    spans = [d.text for e in entries for d in e.iter(f"{ns}dateOfBirth") if " to " in d.text]
    assert sum(1 for r in records for x in r["birth_date_ranges"] if not x["circa"]) == sum(
        1 for t in spans if t.split(" to ")[0] != t.split(" to ")[1])  # "01 Feb 1970 to 01 Feb 1970" is a date
    assert all(len(c) == 2 for r in records for c in r["nationalities"] + r["countries"])
    assert Counter(r["sex"] for r in records) == {None: 8832 - 1415, "M": 1297, "F": 118}


@pytest.mark.shared_data
def test_real_nonsdn_xml():
    _need(SHARED_NONSDN)
    _, entries = _xml_entries(SHARED_NONSDN)
    records = load_records(SHARED_NONSDN)
    assert len(entries) == len(records) == 442
    assert {r["list_id"] for r in records} == {"ofac-nonsdn"}
    assert watchlists.load(SHARED_NONSDN).list_id == "ofac-nonsdn"
    assert Counter(r["kind"] for r in records) == {"organization": 363, "person": 79}
    assert sum(1 for r in records if r["listed_on"]) == 94  # "Listing Date (...)" identifiers
    assert sum(len(r["names"]) + len(r["weak_names"]) for r in records) >= 442 + 1144 - 60  # akas repeating names merge


@pytest.mark.shared_data
def test_real_csv_set_counts_and_agreement_with_the_xml():
    _need(SHARED_CSV)
    with open(SHARED_CSV / "sdn.csv", encoding="cp1252", newline="") as f:
        rows = [r for r in csv.reader(f) if len(r) == 12]
    records = load_records(SHARED_CSV)
    assert len(rows) == len(records) == 8976  # PROVENANCE.md
    assert Counter(r["ofac_type"] for r in records) == {"Individual": 4620, "Entity": 3673, "Vessel": 406, "Aircraft": 277}
    with open(SHARED_CSV / "alt.csv", encoding="cp1252", newline="") as f:
        assert sum(1 for r in csv.reader(f) if len(r) == 5) == 11910
    weak_quoted = sum(r[11].count("a.k.a. '") + r[11].count("f.k.a. '") for r in rows)
    assert sum(len(r["weak_names"]) for r in records) >= weak_quoted - 60  # a weak alias equal to a name merges
    assert sum(len(r["addresses"]) for r in records) > 11000
    by_id = {r["id"]: r for r in records}
    assert by_id["OFAC-306"]["weak_names"] == ["BNC"]
    # the comment continues ent_num 28263's remarks mid-word: "'snowsjo" + "hn'"
    assert "snowsjohn" in by_id["OFAC-28263"]["weak_names"]
    if SHARED_SDN.exists():  # a different publication (March vs July 2021): nearly every shared entry agrees
        xml = {r["id"]: r for r in parse_ofac_xml(SHARED_SDN)}
        both = [i for i in by_id if i in xml]
        assert len(both) > 8700
        for field in ("birth_dates", "nationalities", "sex", "kind", "weak_names"):
            same = sum(1 for i in both if sorted(map(str, by_id[i][field] or [])) == sorted(map(str, xml[i][field] or [])))
            assert same / len(both) > 0.99, field
        def docs_of(rec):
            return sorted((d["number"], d["type"], d["country"] or "") for d in rec["documents"])

        docs = sum(1 for i in both if docs_of(by_id[i]) == docs_of(xml[i]))
        assert docs / len(both) > 0.99
