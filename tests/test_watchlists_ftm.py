"""The OpenSanctions / FollowTheMoney JSON-lines loader (entities.ftm.json, targets.nested.json)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

import watchlists
from watchlists import FORMATS, ListFormatError, load_records, schema
from watchlists.ftm import parse_ftm_json, sniff

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "ftm_small.jsonl"
ORIGINAL = SMALL.read_bytes()
LINES = ORIGINAL.decode("utf-8").splitlines(keepends=True)


def line_no(entity_id: str) -> int:
    return next(i for i, line in enumerate(LINES, 1) if json.loads(line)["id"] == entity_id)


def with_lines(tmp_path: Path, replace: dict[str, str | None] | None = None, extra: str = "") -> Path:
    """SMALL with the line of each entity id in `replace` replaced (None: removed), `extra` appended."""
    out = []
    for line in LINES:
        eid = json.loads(line)["id"]
        if replace and eid in replace:
            if replace[eid] is not None:
                out.append(replace[eid])
        else:
            out.append(line)
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(out) + extra, encoding="utf-8")
    return path


def nothing(**fields):
    base = {"weak_names": [], "original_script_names": [], "birth_dates": [], "birth_date_ranges": [],
            "nationalities": [], "countries": [], "sex": None, "documents": [], "addresses": [],
            "birth_places": [], "list_id": "opensanctions", "program": "", "remarks": "", "listed_on": None}
    base.update(fields)
    return base


def doc(number, type, type_raw, country=None, expires=None, **more):
    return {"number": number, "type": type, "type_raw": type_raw, "country": country, "expires": expires, **more}


EXPECTED_SMALL = [
    nothing(
        id="NK-test-1",
        kind="person",
        names=["Ivan Petrovich Testov", "Иван Петрович Тестов", "Ivan Testoff", "Ivan Testovsky"],  # + previousName
        weak_names=["Vanya"],
        original_script_names=["Иван Петрович Тестов"],
        birth_dates=["1970-05", "1971"],  # FtM dates are ISO prefixes
        nationalities=["RU", "KZ"],  # nationality, citizenship
        countries=["RU"],
        sex="M",
        documents=[  # a Passport and an Identification, each on a line of its own naming its holder
            doc("750000001", "passport", "Diplomatic", "RU", "2030-01-31", issued="2020-01-31"),
            doc("4500 123456", "national_id", "National ID card", "RU"),
        ],
        addresses=["1 Test Street, Moscow, Russia", "ul. Testovaya 5, 101000 Moscow, Russia"],  # + addressEntity
        birth_places=["Testograd, Russia"],
        program="RUSSIA-EO14024; EU-UKR",  # two Sanction lines: program, programId
        remarks="Fictional person for tests.",
        listed_on="2014-03-17",  # the earliest sanction
        ftm_schema="Person",
        ftm_topics=["sanction"],
        ftm_datasets=["us_ofac_sdn", "eu_fsf"],
    ),
    nothing(
        id="NK-org",
        kind="organization",
        names=["Example Shipping Holding", "شركة المثال للشحن", "Old Example Shipping"],
        weak_names=["ESH"],
        original_script_names=["شركة المثال للشحن"],
        countries=["IR", "AE"],
        documents=[doc("10101234567", "other", "registrationNumber")],
        addresses=["PO Box 77, Bandar Abbas"],  # a nested Address without "full"
        program="IRAN",  # a nested Sanction
        listed_on="2012-07-12",
        ftm_schema="Organization",
        ftm_topics=["sanction"],
        ftm_datasets=["us_ofac_sdn"],
    ),
    nothing(
        id="NK-co",
        kind="organization",
        names=["ООО Тест Трейд", "Test Trade LLC"],
        original_script_names=["ООО Тест Трейд"],
        countries=["RU"],  # jurisdiction
        documents=[doc("7701234567", "other", "taxNumber"), doc("1027700000001", "other", "ogrnCode")],  # INN = tax no.
        program="HM Treasury",  # no program: the authority
        listed_on="2022-05-04",
        ftm_schema="Company",
        ftm_datasets=["gb_hmt_sanctions"],
    ),
    nothing(
        id="NK-le",  # no "target" flag: a target
        kind="organization",
        names=["Mystery Holder"],
        countries=["CY"],
        documents=[doc("C01X00T47", "passport", "passport"), doc("HE 123456", "national_id", "idNumber")],
        ftm_schema="LegalEntity",
        ftm_datasets=["ua_nsdc_sanctions"],
    ),
    nothing(
        id="NK-vessel",
        kind="vessel",
        names=["OCEAN TESTER", "SEA TESTER"],
        countries=["PA"],  # flag
        documents=[doc("9123456", "other", "imoNumber"), doc("352000000", "other", "mmsi")],
        ftm_schema="Vessel",
        ftm_datasets=["us_ofac_sdn"],
    ),
    nothing(
        id="NK-parts",
        kind="person",
        names=["Juana Maria Ejemplo"],  # no name: firstName middleName lastName
        birth_dates=["1970"],
        nationalities=["VE"],
        sex="F",
        documents=[doc("A1234567", "passport", "Passport", "VE", "2027-06")],  # nested under "identification"
        ftm_schema="Person",
        ftm_datasets=["us_ofac_sdn"],
    ),
]


@pytest.mark.parametrize("index", range(len(EXPECTED_SMALL)), ids=[r["id"] for r in EXPECTED_SMALL])
def test_small_fixture_record(index):
    records = parse_ftm_json(SMALL)
    # 13 lines: 7 targets, of which one is marked "target": false (a relative); the rest are linked
    # entities (Passport, Identification, 2 Sanctions, Address) and a Family relation.
    assert len(records) == len(EXPECTED_SMALL)
    got, want = records[index], EXPECTED_SMALL[index]
    for field in want:
        assert got[field] == want[field], field
    assert set(got) == set(want)


def test_non_targets_and_relations_are_not_records(caplog):
    caplog.set_level("INFO", logger="watchlists")
    ids = {r["id"] for r in parse_ftm_json(SMALL)}
    assert "NK-rel" not in ids and not ids & {"pass-1", "id-1", "san-1", "addr-1", "fam-1"}
    assert "1 not a target" in caplog.text and "1 Family" in caplog.text


def test_linked_entities_may_come_before_their_target(tmp_path):
    target = LINES[0]
    moved = tmp_path / "moved.jsonl"
    moved.write_text("".join(LINES[1:6]) + target + "".join(LINES[6:]), encoding="utf-8")
    assert parse_ftm_json(moved) == parse_ftm_json(SMALL)


def test_load_detects_ftm_from_paths_streams_and_gzip(tmp_path):
    expected = parse_ftm_json(SMALL)
    gz = tmp_path / "entities.ftm.json.gz"
    gz.write_bytes(gzip.compress(ORIGINAL))
    assert load_records(SMALL) == expected
    assert load_records(gz) == expected
    assert load_records(io.BytesIO(ORIGINAL), "ftm-json") == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("opensanctions", len(EXPECTED_SMALL))


def test_records_survive_the_store_schema():
    records = parse_ftm_json(SMALL)
    back = list(schema.iter_records(schema.to_table(records)))
    for got, want in zip(back, records):
        for field in want:
            if field == "documents":
                assert [{k: v for k, v in d.items() if v is not None} for d in got[field]] == [
                    {k: v for k, v in d.items() if v is not None} for d in want[field]]
            else:
                assert got[field] == want[field], field


def test_sniff_claims_ftm_lines_only():
    assert [n for n, f in FORMATS.items() if f.sniff(ORIGINAL[:4096])] == ["ftm-json"]
    assert sniff(b'\xef\xbb\xbf\n{"id": "x", "schema": "Person", "properties": {}}\n')
    assert not sniff(b'[{"id": "x", "schema": "Person", "properties": {}}]')  # a JSON array
    assert not sniff(b'{"id": "x", "name": "Person"}\n')
    for fixture in FIXTURES.iterdir():
        if fixture != SMALL and fixture.is_file():
            assert not sniff(fixture.read_bytes()[:4096]), fixture.name


# --- errors ----------------------------------------------------------------------------------------


def test_malformed_json_line_names_its_line(tmp_path):
    bad = with_lines(tmp_path, {"NK-co": '{"id": "NK-co", "schema": "Company", "properties": {"name": ["X"]\n'})
    line = line_no("NK-co")
    with pytest.raises(ListFormatError, match=r"not JSON: Expecting ',' delimiter") as info:
        parse_ftm_json(bad)
    assert (info.value.path, info.value.line) == (str(bad), line)
    assert str(info.value).startswith(f"{bad}:{line}: not JSON")
    problems: list[ListFormatError] = []
    ids = [r["id"] for r in parse_ftm_json(bad, skip_bad=True, problems=problems)]
    assert ids == ["NK-test-1", "NK-org", "NK-le", "NK-vessel", "NK-parts"]
    assert [p.line for p in problems] == [line]


def test_entity_without_a_name(tmp_path):
    nameless = json.dumps({"id": "NK-vessel", "schema": "Vessel", "properties": {"name": [" "], "imoNumber": ["IMO9123456"]}})
    bad = with_lines(tmp_path, {"NK-vessel": nameless + "\n"})
    with pytest.raises(ListFormatError) as info:
        parse_ftm_json(bad)
    assert str(info.value) == f"{bad}:{line_no('NK-vessel')}: Vessel NK-vessel: no name"
    problems: list[ListFormatError] = []
    assert len(parse_ftm_json(bad, skip_bad=True, problems=problems)) == len(EXPECTED_SMALL) - 1
    assert [p.line for p in problems] == [line_no("NK-vessel")]


@pytest.mark.parametrize(
    "line, message",
    [
        ('["not", "an", "entity"]', "not an FtM entity: a JSON list, not an object"),
        ('{"schema": "Person", "properties": {"name": ["X"]}}', 'not an FtM entity: no "id"'),
        ('{"id": "NK-x", "properties": {"name": ["X"]}}', 'entity NK-x: no "schema"'),
        ('{"id": "NK-x", "schema": "Person", "properties": ["X"]}', 'entity NK-x: "properties" is not an object'),
        ('{"id": "NK-le", "schema": "Person", "properties": {"name": ["Again"]}}', "Person NK-le: duplicate id (first on line 9)"),
    ],
)
def test_entities_that_are_not_usable(tmp_path, line, message):
    bad = with_lines(tmp_path, extra=line + "\n")
    with pytest.raises(ListFormatError) as info:
        parse_ftm_json(bad)
    assert str(info.value) == f"{bad}:{len(LINES) + 1}: {message}"
    assert len(parse_ftm_json(bad, skip_bad=True)) == len(EXPECTED_SMALL)


def test_undecodable_bytes_name_their_line(tmp_path):
    bad = tmp_path / "bytes.jsonl"
    bad.write_bytes(ORIGINAL.replace("Test Trade LLC".encode(), b"Test \xff\xfe Trade"))
    with pytest.raises(ListFormatError, match="undecodable bytes: not UTF-8 JSON") as info:
        parse_ftm_json(bad)
    assert info.value.line == line_no("NK-co")
    assert "NK-co" not in {r["id"] for r in parse_ftm_json(bad, skip_bad=True)}


def test_blank_lines_are_passed_over(tmp_path):
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_text("\n".join(line.rstrip("\n") for line in LINES) + "\n\n\n", encoding="utf-8")
    assert parse_ftm_json(spaced) == parse_ftm_json(SMALL)


def test_truncated_file_is_fatal_even_with_skip_bad(tmp_path):
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(ORIGINAL[: ORIGINAL.index(b'"Juana"') + 3])  # the last line, cut inside a string
    for skip_bad in (False, True):
        with pytest.raises(ListFormatError, match="truncated file: the last line ends inside its JSON") as info:
            parse_ftm_json(cut, skip_bad=skip_bad)
        assert info.value.line == len(LINES)
    # A last line without its line break that is whole JSON is no truncation.
    whole = tmp_path / "whole.jsonl"
    whole.write_bytes(ORIGINAL.rstrip(b"\n"))
    assert parse_ftm_json(whole) == parse_ftm_json(SMALL)


def test_truncated_gzip(tmp_path):
    gz = tmp_path / "cut.json.gz"
    gz.write_bytes(gzip.compress(ORIGINAL * 3)[:-100])
    with pytest.raises(ListFormatError, match=r"cut\.json\.gz:\d+: (corrupt or truncated gzip|truncated file)"):
        parse_ftm_json(gz, skip_bad=True)
