"""The Canada consolidated autonomous sanctions list (SEMA / JVCFOA XML) loader."""

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
from watchlists import FORMATS, ListFormatError, load_records, schema
from watchlists.canada import parse_canada_xml, regime, schedule_key, sniff, split_aliases

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "canada_small.xml"
SHARED_CA = Path(__file__).resolve().parents[2] / "shared" / "data" / "canada_sema" / "sema.xml"


def record_line(path: Path, nth: int) -> int:
    """Line of the nth <record> start tag."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, 1) if "<record>" in line][nth - 1]


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / "edited.xml"
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def base(rid: str, kind: str, names: list[str], program: str, listed_on: str, **fields) -> dict:
    record = {
        "id": rid, "kind": kind, "names": names, "weak_names": [], "original_script_names": [],
        "birth_dates": [], "birth_date_ranges": [], "nationalities": [], "countries": [], "sex": None,
        "documents": [], "addresses": [], "birth_places": [], "list_id": "ca-sema", "program": program,
        "remarks": "", "listed_on": listed_on,
    }
    record.update(fields)
    return record


EXPECTED_SMALL = [
    base(
        "CA-BY-1-P1-1", "person",
        [
            "Ivan Petrovich Testovich",  # GivenName "Ivan (Yan) Petrovich": both readings
            "Yan Petrovich Testovich",
            "Ivan Piatrovich TESTOVICH",
            "Yan Testovich",
            "Іван Пятровіч ТЭСТОВІЧ",  # after "Belarusian:"
            "Иван Петрович ТЕСТОВИЧ",  # after "Russian&#160;:"
        ],
        "Belarus: Schedule 1, Part 1", "2020-09-28",
        original_script_names=["Іван Пятровіч ТЭСТОВІЧ", "Иван Петрович ТЕСТОВИЧ"],
        birth_dates=["1966-06-21"],
        ca_regime="Belarus", regime_country="BY", ca_schedule="1, Part 1", ca_item="1",
    ),
    base(
        "CA-BY-1-P1-2", "person",
        ["Alena Examplova", "Sergeevna Examplova", "Alena Primerova", "Алена Примерова"],
        "Belarus: Schedule 1, Part 1", "2020-10-15",
        weak_names=["Alena", "Elena"],  # single words of "Alena or Elena / Sergeevna Examplova"
        original_script_names=["Алена Примерова"],
        birth_dates=["1963", "1964"],  # "1963 or 1964"
        ca_regime="Belarus", regime_country="BY", ca_schedule="1, Part 1", ca_item="2",
    ),
    base(
        "CA-BY-1-P2-2", "person", ["Alena Examplova"], "Belarus: Schedule 1, Part 2", "2021-06-21",
        birth_dates=["1970", "1971", "1972"],
        birth_date_ranges=[{"from": "1970", "to": "1972", "circa": False}],  # "1970-1972"
        ca_regime="Belarus", regime_country="BY", ca_schedule="1, Part 2", ca_item="2",
    ),
    base(
        "CA-SY-P1-12", "person", ["Samplani", "Sampli"], "Syria: Part 1", "2011-12-23",  # LastName only
        birth_dates=["1959-09"],  # "Sep-59"
        ca_regime="Syria", regime_country="SY", ca_schedule="Part 1", ca_item="12",
        title="Major General/major-général",
    ),
    base(
        "CA-SD-P1-3", "person", ["Hamid Specimen", "Hamid Speciman", "Hamid Al-Specimen", "حامد العينة"],
        "Sudan: Part 1", "2024-04-23",
        weak_names=["Hemo"],
        original_script_names=["حامد العينة"],
        birth_dates=["1970", "1971", "1972", "1973"],  # "born in the early 1970s"
        birth_date_ranges=[{"from": "1970", "to": "1973", "circa": True}],
        ca_regime="Sudan", regime_country="SD", ca_schedule="Part 1", ca_item="3",
    ),
    base(
        "CA-RU-1-P2-7", "organization",
        [
            "Example Instrument Plant JSC",
            "Joint Stock Company Example Instrument Plant",  # "(also known as ...)" over three lines
            "Акционерное общество «Пример»",
            "АО «Пример»",
            "Пример, АО",  # a bare legal form after a comma stays with its name
        ],  # and "Акционерное общество" alone (a legal form, no name) is dropped
        "Russia: Schedule 1, Part 2", "2022-03-24",
        original_script_names=["Акционерное общество «Пример»", "АО «Пример»", "Пример, АО"],
        ca_regime="Russia", regime_country="RU", ca_schedule="1, Part 2", ca_item="7",
    ),
    base(
        "CA-IR-1-P1-7", "organization",
        ["Sample Research Institute (SRI)", "Institut de recherche échantillon", "SRI",
         "Sample Institute of Research", "Samplegah"],  # an organisation's one-word aliases stay strong
        "Iran: Schedule 1, Part 1", "2010-07-22",
        ca_regime="Iran", regime_country="IR", ca_schedule="1, Part 1", ca_item="7",
    ),
    base(
        "CA-RU-1.1-1", "vessel", ["Example Star"], "Russia: Schedule 1.1", "2025-02-21",
        documents=[{"number": "9000001", "type": "other", "type_raw": "IMO", "country": None, "expires": None}],
        ca_regime="Russia", regime_country="RU", ca_schedule="1.1", ca_item="1",
        vessel_type="Oil Tanker", build_date="2004",  # a build date is no birth date
    ),
    base(
        "CA-JVCFOR-4", "person", ["Pat Placeholder"],
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)", "2018-11-29",
        ca_regime="Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)", ca_item="4",
        birth_date_raw="unknown, possibly 1950s",
    ),
    base(
        "CA-EXTREMIST-SETTLER-VIOLENCE-P2-1", "organization", ["Sample Hilltop Group"],
        "Extremist Settler Violence: Part 2", "2024-05-16",
        ca_regime="Extremist Settler Violence", ca_schedule="Part 2", ca_item="1",
    ),
]


@pytest.mark.parametrize("index", range(len(EXPECTED_SMALL)), ids=[r["id"] for r in EXPECTED_SMALL])
def test_small_fixture_record(index):
    records = parse_canada_xml(SMALL)
    assert len(records) == len(EXPECTED_SMALL)
    got, want = records[index], EXPECTED_SMALL[index]
    for field in want:
        assert got[field] == want[field], field
    assert set(got) == set(want)


def test_load_detects_canada_xml_from_paths_streams_and_gzip(tmp_path):
    expected = parse_canada_xml(SMALL)
    gz = tmp_path / "sema.xml.gz"
    gz.write_bytes(gzip.compress(SMALL.read_bytes()))
    assert load_records(SMALL) == expected
    assert load_records(gz, "canada-xml") == expected
    assert load_records(io.BytesIO(SMALL.read_bytes())) == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("ca-sema", len(EXPECTED_SMALL))
    assert wl.get("CA-RU-1.1-1").kind == "vessel"


def test_records_survive_the_store_schema():
    records = parse_canada_xml(SMALL)
    assert list(schema.iter_records(schema.to_table(records))) == records


@pytest.mark.parametrize(
    "raw, person, names",
    [
        ("Aleksei Ivanov; Алексей Иванов", True, ["Aleksei Ivanov", "Алексей Иванов"]),
        ("A B or C D / E F", True, ["A B", "C D", "E F"]),
        ("Anna Test and Anna Probe", True, ["Anna Test", "Anna Probe"]),
        ("Research and Production Plant", False, ["Research and Production Plant"]),  # no 'and' split for firms
        ("Ministry of X, and of Y", False, ["Ministry of X, and of Y"]),  # lower case goes on
        ("Завод, соотечественников", False, ["Завод, соотечественников"]),
        ('Concern "Alpha, Beta" JSC, Gamma', False, ['Concern "Alpha, Beta" JSC', "Gamma"]),  # quotes
        ("Example Bank, PJSC", False, ["Example Bank, PJSC"]),
        ("Example Bank or PJSC", False, ["Example Bank"]),  # a bare legal form is no name
        ("Name One\nwrapped", True, ["Name One wrapped"]),  # a wrapped line
        ("Almaz-\nAntey", False, ["Almaz-Antey"]),
        ("Abbas Testi\n عباس تستي", True, ["Abbas Testi", "عباس تستي"]),  # a script change
        ("Unit (Hmaw/Pyi) Mills", False, ["Unit (Hmaw/Pyi) Mills"]),  # a slash in brackets
        ("(Ivan Test / Іван Тест", True, ["Ivan Test", "Іван Тест"]),  # a stray bracket
        ("Test Plant (also known as Probe Works)", False, ["Test Plant", "Probe Works"]),
        ("Belarussian:  Іван, Russian: Иван Тест", True, ["Іван", "Иван Тест"]),
        ("", True, []),
        (None, False, []),
    ],
)
def test_split_aliases(raw, person, names):
    assert split_aliases(raw, person) == names


def test_regime_and_schedule_keys():
    assert regime("Russia / Russie") == ("Russia", "RU", "RU")
    assert regime("Myanmar (Burma) / Myanmar (Birmanie)") == ("Myanmar (Burma)", "MM", "MM")
    assert regime("Venezuela ") == ("Venezuela", "VE", "VE")
    assert regime("Hamas Terrorist Attacks / Attaques terroristes du Hamas") == (
        "Hamas Terrorist Attacks", "HAMAS-TERRORIST-ATTACKS", None)
    assert [schedule_key(s) for s in ("1, Part 1", "1,Part 3", "Part 2", "1.1", "1, Part 2.1", "")] == [
        "1-P1", "1-P3", "P2", "1.1", "1-P2.1", ""]


# --- detection -------------------------------------------------------------------------------------

OTHER_HEADS = {
    "un": b'<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">\n<INDIVIDUALS>',
    "ofac": b'<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="https://tempuri.org/sdnList.xsd">\n<publshInformation>',
    "eu": b'<?xml version="1.0"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="1">',
    "csl": b"_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice\r\n",
    "csv": b"id,name,kind,birth_date,nationality,Country,Item\n1,Jane Example,person,1970-01-01,GB,GB,1\n",
    "data-set": b"<data-set><record><Name>x</Name></record></data-set>",  # some other data-set
}


def test_sniff_claims_the_canada_list_only():
    head = SMALL.read_bytes()[:4096]
    assert sniff(head)
    assert [name for name, fmt in FORMATS.items() if fmt.sniff(head)] == ["canada-xml"]
    for name, other in OTHER_HEADS.items():
        assert not sniff(other), name


# --- errors ----------------------------------------------------------------------------------------


def test_truncated_file_names_file_and_line(tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    cut = text[: text.index("<Item>12</Item>")]
    truncated = tmp_path / "cut.xml"
    truncated.write_text(cut, encoding="utf-8")
    with pytest.raises(ListFormatError) as info:
        load_records(truncated)
    assert (info.value.path, info.value.line) == (str(truncated), cut.count("\n") + 1)
    assert "malformed XML" in str(info.value)


def test_malformed_xml_and_wrong_root(tmp_path):
    bad = edited(tmp_path, "<Item>3</Item>", "<Item>3</Itme>")
    with pytest.raises(ListFormatError, match="mismatched tag") as info:
        parse_canada_xml(bad)
    assert info.value.line == next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if "</Itme>" in l)
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n<sdnList><sdnEntry/></sdnList>\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match=r"other\.xml:2: not a Canada autonomous sanctions list \(root element <sdnList>"):
        parse_canada_xml(other)


@pytest.mark.parametrize("encoding", ["UTF-9", "shift_jis", "rot13"])
@pytest.mark.parametrize("format", ["canada-xml", "un-xml", "eu-xml", "ofac-xml"])
def test_xml_declaring_an_encoding_expat_cannot_read(format, encoding):
    # Found by tests/fuzz/atheris_watchlists.py: LookupError / ValueError escaped record_elements.
    assert format in FORMATS
    data = SMALL.read_bytes().replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)
    assert encoding.encode() in data
    with pytest.raises(ListFormatError, match="unreadable encoding") as info:
        load_records(io.BytesIO(data), format=format)
    assert info.value.line == 1


def test_record_without_a_name(tmp_path):
    bad = edited(tmp_path, "<EntityOrShip>Sample Hilltop Group</EntityOrShip>", "<EntityOrShip> </EntityOrShip>")
    with pytest.raises(ListFormatError) as info:
        parse_canada_xml(bad)
    e = info.value
    assert (e.line, e.element) == (record_line(bad, 10), "record[10]")
    assert str(e) == f"{bad}:{e.line}: record CA-EXTREMIST-SETTLER-VIOLENCE-P2-1: no name"
    problems: list[ListFormatError] = []
    assert len(load_records(bad, skip_bad=True, problems=problems)) == len(EXPECTED_SMALL) - 1
    assert [(p.line, p.element) for p in problems] == [(e.line, e.element)]


def test_record_without_item_or_country(tmp_path):
    bad = edited(tmp_path, "<Item>12</Item>", "")
    with pytest.raises(ListFormatError, match=r"record Samplani \(Sampli\): no Item") as info:
        parse_canada_xml(bad)
    assert info.value.line == record_line(bad, 4)
    bad = edited(tmp_path, "<Country>Iran</Country>", "<Country/>")
    with pytest.raises(ListFormatError, match=r"record Sample Research Institute.*: no Country"):
        parse_canada_xml(bad)
    assert len(parse_canada_xml(bad, skip_bad=True)) == len(EXPECTED_SMALL) - 1


def test_duplicate_country_schedule_item(tmp_path, caplog):
    bad = edited(tmp_path, "<Schedule>1, Part 2</Schedule>\n\t\t<Item>2</Item>", "<Schedule>1, Part 1</Schedule>\n\t\t<Item>2</Item>")
    with pytest.raises(ListFormatError, match=r"record CA-BY-1-P1-2: duplicate record") as info:
        parse_canada_xml(bad)
    assert info.value.line == record_line(bad, 3)
    assert [r["id"] for r in parse_canada_xml(bad, skip_bad=True)][:3] == ["CA-BY-1-P1-1", "CA-BY-1-P1-2", "CA-SY-P1-12"]
    assert "CA-BY-1-P1-2" in caplog.text


# --- the real file from ../shared ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    if not SHARED_CA.is_file():
        pytest.skip(f"{SHARED_CA} is absent (it ships with the shared data, not with a clone)")
    return ET.parse(SHARED_CA).getroot(), parse_canada_xml(SHARED_CA)


def _t(elem: ET.Element, tag: str) -> str:
    return " ".join((elem.findtext(tag) or "").split())


def _foreign(text: str) -> bool:
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") and unicodedata.category(ch) != "Lm"
               for ch in text)


@pytest.mark.shared_data
def test_real_file_counts(real):
    root, records = real
    elems = root.findall("record")
    assert len(elems) == 4759  # PROVENANCE.md
    assert len(records) == len(elems)
    people = [e for e in elems if _t(e, "GivenName") or _t(e, "LastName")]
    ships = [e for e in elems if _t(e, "ShipIMONumber")]
    assert (len(people), len(ships)) == (3334, 109)
    assert Counter(r["kind"] for r in records) == {
        "person": len(people), "vessel": len(ships), "organization": len(elems) - len(people) - len(ships)}
    assert len({r["id"] for r in records}) == len(records)
    assert len({(_t(e, "Country"), _t(e, "Schedule"), _t(e, "Item")) for e in elems}) == len(elems)
    imos = sorted(_t(e, "ShipIMONumber") for e in ships)
    assert sorted(d["number"] for r in records for d in r["documents"] if d["type_raw"] == "IMO") == imos
    assert all(r["listed_on"] and r["program"] for r in records)
    with_dob = [r for r, e in zip(records, elems) if r["kind"] == "person" and _t(e, "DateOfBirthOrShipBuildDate")]
    assert len(with_dob) > 1700 and all(r["birth_dates"] or r.get("birth_date_raw") for r in with_dob)
    assert not any(r.get("birth_date_raw") for r in records)  # every date in the 2025 file parses
    wl = engine.Watchlist.from_records(records, list_id="ca-sema")
    assert len(wl) == 4759


# Aliases that are only a legal form ("joint-stock company", "limited liability company"): they name
# nobody, so the loader drops them.
LEGAL_FORM_ONLY = {"CA-BY-1-P2-68": "Общество с ограниченной ответственностью", "CA-RU-1-P2-191": "Акционерное общество"}


@pytest.mark.shared_data
def test_real_file_aliases_are_kept_with_strength(real):
    root, records = real
    elems = root.findall("record")
    assert sum(1 for e in elems if _t(e, "Aliases")) == 2877
    plain = 0
    for elem, rec in zip(elems, records):
        raw = _t(elem, "Aliases")
        if not raw or re.search(r"[;/,:()\n]| or | and ", elem.findtext("Aliases")):
            continue
        plain += 1  # one name, nothing to split: it must be there, weak only if a person's single word
        single = rec["kind"] == "person" and len(raw.split()) == 1
        if rec["id"] in LEGAL_FORM_ONLY:
            assert raw == LEGAL_FORM_ONLY[rec["id"]] and raw.casefold() not in {n.casefold() for n in rec["names"]}
            continue
        assert raw.casefold() in {n.casefold() for n in (rec["weak_names"] if single else rec["names"])}, rec["id"]
    assert plain > 2300
    assert sum(len(r["weak_names"]) for r in records) < 150  # weak names are the rare single words


@pytest.mark.shared_data
def test_real_file_original_script_names_are_kept(real):
    root, records = real
    for elem, rec in zip(root.findall("record"), records):
        fields = ("Aliases", "GivenName", "LastName", "EntityOrShip")
        raw = ";".join(" ".join((elem.findtext(f) or "").split()) for f in fields)
        if rec["id"] not in LEGAL_FORM_ONLY:
            assert bool(rec["original_script_names"]) == _foreign(raw), rec["id"]
        for name in rec["original_script_names"]:  # made of the list's own words, none invented
            assert all(word.strip(",") in raw for word in name.split()), (rec["id"], name)
    assert sum(1 for r in records if r["original_script_names"]) == 2660


@pytest.mark.shared_data
def test_real_file_every_country_maps(real):
    root, records = real
    values = Counter(_t(e, "Country") for e in root.findall("record"))
    assert len(values) == 19  # PROVENANCE.md
    unmapped = {v for v in values if regime(v)[2] is None}
    assert {v.split(" / ")[0] for v in unmapped} == {
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)",
        "Hamas Terrorist Attacks",
        "Extremist Settler Violence",
    }
    assert all(re.fullmatch(r"[A-Z]{2}", r["regime_country"]) for r in records if "regime_country" in r)
    # The regime is never taken for a nationality or an address country.
    assert not any(r["nationalities"] or r["countries"] for r in records)
