"""The EU Financial Sanctions Files (FSF XML 1.1) loader."""

from __future__ import annotations

import gzip
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

import engine
import watchlists
from engine import countries
from watchlists import FORMATS, ListFormatError, load_records, schema
from watchlists.eu import parse_eu_xml, sniff

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "eu_small.xml"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_EU = SHARED / "eu_fsf_consolidated" / "eu_fsf_2021-03-05.xml"
SHARED_EU_SAMPLE = SHARED / "format_samples_deriv" / "sample_eu.xml"
NS = "{http://eu.europa.ec/fpi/fsd/export}"


def line_of(path: Path, text: str, start: int = 1) -> int:
    """1-based number of the first line at or after `start` that contains `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if i >= start and text in line)


def entity_line(path: Path, logical_id: str, nth: int = 1) -> int:
    """Line of the nth <sanctionEntity ... logicalId="..."> start tag."""
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if "<sanctionEntity " in line and f'logicalId="{logical_id}"' in line]
    return hits[nth - 1]


def edited(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    out = tmp_path / "edited.xml"
    out.write_text(text.replace(old, new, count), encoding="utf-8")
    return out


# --- the small fixture, field by field -------------------------------------------------------------

EXPECTED_SMALL = [
    {
        "id": "EU-900001",
        "kind": "person",
        "names": [
            "Marta Ilinichna Testova",  # wholeName of the first strong alias
            "Marta Testowa",  # no wholeName: firstName middleName lastName
            "Марта Ильинична Тестова",
            "مارتا تستوفا",  # non-Latin with a blank nameLanguage
            "Marthe Testová",  # FR: a transliteration, not an original script
        ],
        "weak_names": ["Madame X", "MARTA TESTOVA"],  # strong="false"
        "original_script_names": ["Марта Ильинична Тестова", "مارتا تستوفا"],
        "birth_dates": ["1961-02-03", "1962-07", "1963", "1955", "1956", "1957", "1960-08-09"],
        "birth_date_ranges": [
            {"from": "1963", "to": "1963", "circa": True},
            {"from": "1955", "to": "1957", "circa": True},
        ],  # the ISLAMIC year 1380 without a Gregorian birthdate is left out
        "nationalities": ["RU", "KZ"],  # "00" and the former YU dropped; KZ from countryDescription
        "countries": ["RU"],
        "sex": "F",
        "documents": [
            {"number": "75 1234567", "type": "passport", "type_raw": "National passport", "country": "RU",
             "expires": "2021-06-30", "status": "false"},
            {"number": "DP-0042", "type": "passport", "type_raw": "National passport", "country": None,
             "expires": None, "diplomatic": True},
            {"number": "0987654321", "type": "national_id", "type_raw": "National identification card",
             "country": "KZ", "expires": None},
            {"number": "DL 555", "type": "driving_licence", "type_raw": "Driving licence", "country": None,
             "expires": None, "status": "lost"},
        ],  # the identification without a number is dropped
        "addresses": ["1 Test Street, 101000, Exampleburg, RUSSIAN FEDERATION"],
        "birth_places": ["Exampleburg, Test Oblast, RUSSIAN FEDERATION", "Sample Village, KAZAKHSTAN"],
        "list_id": "eu-fsf",
        "program": "TST",
        "remarks": "Fictional person for tests. Second remark.",
        "listed_on": "2012-03-24",  # designationDate, not the 2019 amendment
        "eu_logical_id": "900001",
        "eu_reference_number": "EU.9001.01",
        "un_reference": "TSi.001",
    },
    {
        "id": "EU-900002",
        "kind": "organization",
        "names": ["Example Shipping Company Ltd", "ESC"],
        "weak_names": [],
        "original_script_names": [],
        "birth_dates": [],
        "birth_date_ranges": [],
        "nationalities": [],
        "countries": ["IR", "AE"],
        "sex": None,
        "documents": [{"number": "9876543", "type": "other", "type_raw": "IMO (vessel identification)",
                       "country": None, "expires": None}],
        "addresses": ["PO Box 77, Bandar Example, IRAN (ISLAMIC REPUBLIC OF)", "UNITED ARAB EMIRATES"],
        "birth_places": [],
        "list_id": "eu-fsf",
        "program": "TST",
        "remarks": None,
        "listed_on": "2009-10-02",  # no designationDate: the earliest act, not the 2020 amendment
        "eu_logical_id": "900002",
        "eu_reference_number": "EU.9002.02",
    },
    {
        "id": "EU-900003-AFG",  # one logicalId under two programmes: two records
        "kind": "person",
        "names": ["Haji Example Khan"],
        "weak_names": [],
        "original_script_names": [],
        "birth_dates": [],
        "birth_date_ranges": [],
        "nationalities": [],
        "countries": [],
        "sex": "M",
        "documents": [],
        "addresses": [],
        "birth_places": [],
        "list_id": "eu-fsf",
        "program": "AFG",
        "remarks": None,
        "listed_on": "2001-01-25",
        "eu_logical_id": "900003",
        "eu_reference_number": "EU.9003.03",
    },
    {
        "id": "EU-900003-TAQA",
        "kind": "person",
        "names": ["Khan, Example"],
        "weak_names": [],
        "original_script_names": [],
        "birth_dates": [],
        "birth_date_ranges": [],
        "nationalities": [],
        "countries": [],
        "sex": "M",
        "documents": [],
        "addresses": [],
        "birth_places": [],
        "list_id": "eu-fsf",
        "program": "TAQA",
        "remarks": None,
        "listed_on": "2011-08-01",
        "eu_logical_id": "900003",
        "eu_reference_number": "EU.9003.03",
    },
    {
        "id": "EU-900005",
        "kind": "person",
        "names": ["The Sample"],  # only weak aliases: the first still serves as primary name
        "weak_names": ["Sampler"],
        "original_script_names": [],
        "birth_dates": ["1970"],  # yearRangeTo alone
        "birth_date_ranges": [],
        "nationalities": [],
        "countries": [],
        "sex": None,
        "documents": [],
        "addresses": [],
        "birth_places": [],
        "list_id": "eu-fsf",
        "program": "UKR",
        "remarks": None,
        "listed_on": "2015-04-01",
        "eu_logical_id": "900005",
        "eu_reference_number": "EU.9005.05",
    },
]


@pytest.mark.parametrize("index", range(len(EXPECTED_SMALL)), ids=[r["id"] for r in EXPECTED_SMALL])
def test_small_fixture_record(index):
    records = parse_eu_xml(SMALL)
    assert len(records) == len(EXPECTED_SMALL)
    got, want = records[index], EXPECTED_SMALL[index]
    for field in want:
        assert got[field] == want[field], field
    assert set(got) == set(want)


def test_load_detects_eu_xml_from_paths_streams_and_gzip(tmp_path):
    expected = parse_eu_xml(SMALL)
    data = SMALL.read_bytes()
    gz = tmp_path / "eu.xml.gz"
    gz.write_bytes(gzip.compress(data))
    assert load_records(SMALL) == expected
    assert load_records(SMALL, "eu-xml") == expected
    assert load_records(gz) == expected
    assert load_records(io.BytesIO(data)) == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("eu-fsf", len(EXPECTED_SMALL))
    assert wl.get("EU-900001").names[0] == "Marta Ilinichna Testova"


def test_records_survive_the_store_schema():
    records = parse_eu_xml(SMALL)
    back = list(schema.iter_records(schema.to_table(records)))
    for got, want in zip(back, records):
        for field in want:
            if field == "documents":
                assert [{k: v for k, v in d.items() if v is not None} for d in got[field]] == [
                    {k: v for k, v in d.items() if v is not None} for d in want[field]
                ]
            else:
                assert got[field] == want[field], field


# --- detection -------------------------------------------------------------------------------------

OTHER_HEADS = {
    "un": b'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n<INDIVIDUALS>',
    "ofac": b'<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="https://tempuri.org/sdnList.xsd">\n<publshInformation>',
    "csl": b"_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice\r\n",
    "csv": b"id,name,kind,birth_date,nationality\n1,Jane Example,person,1970-01-01,GB\n",
    "uk": b"Last Updated,27/04/2020,,\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title\n",
    "canada": b'<?xml version="1.0"?>\n<data-set>\n<record>\n<Country>Iran</Country>\n<Item>1</Item>',
}


def test_sniff_claims_the_fsf_export_only():
    head = SMALL.read_bytes()[:4096]
    assert sniff(head)
    assert [name for name, fmt in FORMATS.items() if fmt.sniff(head)] == ["eu-xml"]
    prefixed = b'<?xml version="1.0"?>\n<fsd:export xmlns:fsd="http://eu.europa.ec/fpi/fsd/export">'
    assert sniff(prefixed)
    for name, other in OTHER_HEADS.items():
        assert not sniff(other), name
    assert not sniff(b"<export><item/></export>")  # an export of something else


# --- errors ----------------------------------------------------------------------------------------


def test_truncated_file_names_file_and_line(tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    cut = text[: text.index('logicalId="910011"')]
    truncated = tmp_path / "cut.xml"
    truncated.write_text(cut, encoding="utf-8")
    with pytest.raises(ListFormatError) as info:
        load_records(truncated)
    e = info.value
    assert (e.path, e.line) == (str(truncated), cut.count("\n") + 1)
    assert str(e).startswith(f"{truncated}:{e.line}: malformed XML")


def test_truncated_gzip(tmp_path):
    gz = tmp_path / "cut.xml.gz"
    gz.write_bytes(gzip.compress(SMALL.read_bytes())[:-300])
    with pytest.raises(ListFormatError, match=r"cut\.xml\.gz:\d+: (corrupt or truncated gzip|malformed XML)"):
        load_records(gz)


def test_malformed_xml_reports_its_line(tmp_path):
    bad = edited(tmp_path, "<remark>Second remark.</remark>", "<remark>Second remark.</note>")
    with pytest.raises(ListFormatError, match="mismatched tag") as info:
        parse_eu_xml(bad)
    assert info.value.line == line_of(bad, "</note>")


def test_undecodable_bytes_are_malformed_xml(tmp_path):
    data = SMALL.read_bytes().replace("Fictional person".encode(), b"Fictional \xff\xfe person")
    bad = tmp_path / "bytes.xml"
    bad.write_bytes(data)
    with pytest.raises(ListFormatError, match="malformed XML") as info:
        parse_eu_xml(bad)
    assert info.value.line == line_of(SMALL, "Fictional person")


def test_wrong_root(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n\n<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"other\.xml:3: not an EU FSF sanctions list \(root element <CONSOLIDATED_LIST>"):
        parse_eu_xml(other)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError, match="malformed XML"):
        parse_eu_xml(empty)


def test_record_without_a_name_names_its_line_and_element(tmp_path):
    bad = edited(tmp_path, 'wholeName="Example Shipping Company Ltd"', 'wholeName=""')
    bad.write_text(bad.read_text(encoding="utf-8").replace('wholeName="ESC"', 'wholeName=" "'), encoding="utf-8")
    with pytest.raises(ListFormatError) as info:
        parse_eu_xml(bad)
    e = info.value
    assert (e.line, e.element) == (entity_line(bad, "900002"), "sanctionEntity[2]")
    assert str(e) == f"{bad}:{e.line}: sanctionEntity logicalId 900002: no name"

    problems: list[ListFormatError] = []
    records = load_records(bad, skip_bad=True, problems=problems)
    assert [r["id"] for r in records] == ["EU-900001", "EU-900003-AFG", "EU-900003-TAQA", "EU-900005"]
    assert [(p.line, p.element) for p in problems] == [(e.line, e.element)]


def test_unknown_subject_type_and_missing_logical_id(tmp_path):
    bad = edited(tmp_path, '<subjectType code="enterprise" classificationCode="E"/>', '<subjectType code="vessel"/>')
    with pytest.raises(ListFormatError, match=r"logicalId 900002: unknown subjectType code 'vessel'") as info:
        parse_eu_xml(bad)
    assert info.value.line == entity_line(bad, "900002")
    bad = edited(tmp_path, 'euReferenceNumber="EU.9005.05" logicalId="900005"', 'euReferenceNumber="EU.9005.05"')
    with pytest.raises(ListFormatError, match=r"sanctionEntity 'The Sample': no logicalId") as info:
        parse_eu_xml(bad)
    assert info.value.element == "sanctionEntity[5]"
    assert len(parse_eu_xml(bad, skip_bad=True)) == 4


def test_duplicate_logical_id_and_programme_is_a_bad_record(tmp_path, caplog):
    bad = edited(tmp_path, 'programme="TAQA"', 'programme="AFG"')
    with pytest.raises(ListFormatError, match="sanctionEntity logicalId 900003: duplicate record") as info:
        parse_eu_xml(bad)
    assert info.value.line == entity_line(bad, "900003", nth=2)
    problems: list[ListFormatError] = []
    ids = [r["id"] for r in parse_eu_xml(bad, skip_bad=True, problems=problems)]
    assert ids == ["EU-900001", "EU-900002", "EU-900003-AFG", "EU-900005"]
    assert len(problems) == 1 and "logicalId 900003" in caplog.text


def test_non_latin_detection():
    from watchlists._xmlstream import non_latin

    assert not non_latin("Qoussaï Mašadzev Ţara")
    assert not non_latin("ʼAli Kon’kov")
    assert non_latin("Газпромбанк AO")
    assert non_latin("金铁三") and non_latin("ΑΒΓ") and non_latin("עברית")


# --- the real file from ../shared ------------------------------------------------------------------


def _real(path: Path):
    if not path.is_file():
        pytest.skip(f"{path} is absent (it ships with the shared data, not with a clone)")
    return ET.parse(path).getroot(), parse_eu_xml(path)


@pytest.fixture(scope="module")
def real():
    return _real(SHARED_EU)


def _foreign(name: str) -> bool:
    # Independent of the loader's test: any letter whose Unicode name is not LATIN.
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") and unicodedata.category(ch) != "Lm"
               for ch in name)


def _whole(alias: ET.Element) -> str:
    name = alias.get("wholeName") or " ".join(alias.get(k, "") for k in ("firstName", "middleName", "lastName"))
    return " ".join(name.split())


@pytest.mark.shared_data
def test_real_file_counts(real):
    root, records = real
    entities = root.findall(f"{NS}sanctionEntity")
    assert len(entities) == 2269  # PROVENANCE.md
    assert len(records) == len(entities)
    codes = Counter(e.find(f"{NS}subjectType").get("code") for e in entities)
    assert codes == {"person": 1700, "enterprise": 569}
    assert Counter(r["kind"] for r in records) == {"person": codes["person"], "organization": codes["enterprise"]}
    assert len({r["id"] for r in records}) == len(records)
    numbered = [i for e in entities for i in e.findall(f"{NS}identification") if i.get("number") or i.get("latinNumber")]
    assert sum(len(r["documents"]) for r in records) == len(numbered) == 667
    assert sum(len(r["nationalities"]) for r in records) == len(
        {(e.get("logicalId"), e.find(f"{NS}regulation").get("programme"), c.get("countryIso2Code"))
         for e in entities for c in e.findall(f"{NS}citizenship") if c.get("countryIso2Code") not in ("00", "YU")}
    )
    assert all(r["listed_on"] and r["program"] for r in records)
    wl = engine.Watchlist.from_records(records, list_id="eu-fsf")
    assert len(wl) == 2269


@pytest.mark.shared_data
def test_real_file_every_alias_is_kept_with_its_strength(real):
    root, records = real
    entities = root.findall(f"{NS}sanctionEntity")
    assert sum(len(e.findall(f"{NS}nameAlias")) for e in entities) == 9544
    checked = 0
    for elem, rec in zip(entities, records):
        assert rec["eu_logical_id"] == elem.get("logicalId")
        strong = {n.casefold() for n in rec["names"]}
        weak = {n.casefold() for n in rec["weak_names"]}
        for alias in elem.findall(f"{NS}nameAlias"):
            name = _whole(alias).casefold()
            assert name in (weak | strong if alias.get("strong") == "false" else strong), (rec["id"], name)
            checked += 1
    assert checked == 9544


@pytest.mark.shared_data
def test_real_file_original_script_names_are_kept(real):
    root, records = real
    foreign = Counter()
    for elem, rec in zip(root.findall(f"{NS}sanctionEntity"), records):
        scripts = {_whole(a) for a in elem.findall(f"{NS}nameAlias") if _foreign(_whole(a))}
        assert {s.casefold() for s in scripts} == {n.casefold() for n in rec["original_script_names"]}, rec["id"]
        assert all(n in rec["names"] for n in rec["original_script_names"])
        foreign.update(unicodedata.name(ch).split()[0] for s in scripts for ch in s if ch.isalpha())
    assert sum(1 for r in records if r["original_script_names"]) == 687
    assert {"CYRILLIC", "ARABIC", "GREEK"} <= set(foreign)


@pytest.mark.shared_data
def test_real_file_every_country_code_maps(real):
    root, records = real
    codes = Counter(x.get("countryIso2Code") for x in root.iter()
                    if x.tag in {f"{NS}{t}" for t in ("citizenship", "birthdate", "address", "identification")})
    unmapped = {c for c in codes if countries.to_iso2(c) != c}
    assert unmapped == {"00", "YU"}  # "unknown", and Yugoslavia (no present-day code)
    every = [c for r in records for c in r["nationalities"] + r["countries"]] + [
        d["country"] for r in records for d in r["documents"] if d["country"]]
    assert every and all(re.fullmatch(r"[A-Z]{2}", c) for c in every)


@pytest.mark.shared_data
def test_real_excerpt_sample_eu():
    if not SHARED_EU_SAMPLE.is_file():
        pytest.skip(f"{SHARED_EU_SAMPLE} is absent")
    root = ET.parse(SHARED_EU_SAMPLE).getroot()
    entities = root.findall(f"{NS}sanctionEntity")
    assert len(entities) == 7
    # The excerpt (a parser test fixture of its own) repeats logicalId 5468 under the same programme
    # with a made-up one-word name: a duplicate record.
    with pytest.raises(ListFormatError, match="logicalId 5468: duplicate record") as info:
        parse_eu_xml(SHARED_EU_SAMPLE)
    assert info.value.line == entity_line(SHARED_EU_SAMPLE, "5468", nth=2)
    records = parse_eu_xml(SHARED_EU_SAMPLE, skip_bad=True)
    assert len(records) == len(entities) - 1
    assert sum(len(r["names"]) for r in records) == sum(
        len({_whole(a).casefold() for a in e.findall(f"{NS}nameAlias")}) for e in entities[:-2] + entities[-1:]
    )
    assert watchlists.detect_format(SHARED_EU_SAMPLE.read_bytes()[:4096]) == "eu-xml"
