"""PAXLST (API manifests) into travellers: engine.messages.paxlst."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.messages import MessageError, parse, parse_paxlst
from engine.messages.paxlst import PaxlstResult

FIXTURE = Path(__file__).parent / "fixtures" / "messages" / "paxlst_d05b_two_messages.edi"
GTAS = Path(__file__).resolve().parents[2] / "shared" / "data" / "travel_messages_gtas" / "paxlst"


def manifest(*body: str, version: str = "D:05B", unb_date: str = "250614") -> str:
    segments = [f"UNH+M1+PAXLST:{version}:UN:IATA", *body]
    segments.append(f"UNT+{len(segments) + 1}+M1")
    return "\n".join(s + "'" for s in [f"UNB+UNOA:4+AIR+PIU+{unb_date}:0930+R1", *segments, "UNZ+1+R1"])


FLIGHT = [
    "BGM+745",
    "NAD+MS+++DESK",
    "TDT+20+KL1234+++KL",
    "LOC+125+AMS",
    "DTM+189:2506141015:201",
    "LOC+87+JFK",
    "DTM+232:2506141230:201",
]


@pytest.fixture(scope="module")
def fixture() -> PaxlstResult:
    return parse_paxlst(FIXTURE.read_bytes())


def test_fixture_metadata(fixture):
    assert (fixture.sender, fixture.recipient, fixture.interchange_reference) == ("AIRLINE1", "NLPIU", "IC0001")
    assert fixture.prepared == "2025-06-14T09:30" and fixture.syntax == "UNOC" and fixture.encoding == "latin-1"
    assert [m.reference for m in fixture.messages] == ["M001", "M002"] and fixture.message_reference == "M001"
    first, second = fixture.messages
    assert first.identifier == "PAXLST:D:05B:UN:IATA" and first.transfer == "01:F"
    assert (first.document, first.document_name, second.document_name) == ("745", "passenger list", "crew list")
    assert first.reporting_party == "ANALYST DESK"
    assert first.declared_counts == {"passengers": 4} and second.declared_counts == {"crew": 2}
    assert fixture.warnings == []


def test_fixture_flight_legs(fixture):
    legs = fixture.messages[0].flights
    assert [(leg.flight, leg.departure, leg.arrival, leg.departure_time, leg.arrival_time) for leg in legs] == [
        ("KL1234", "LHR", "AMS", "2025-06-14T10:15", "2025-06-14T12:30"),
        ("KL1235", "AMS", "JFK", "2025-06-14T14:00", "2025-06-14T16:00"),  # LOC+92 placed by DTM+189/232
    ]
    assert len(fixture.flights) == 2  # message 2 (crew) repeats KL1234: one leg
    assert fixture.travellers[0].flights == ["KL1234 2025-06-14", "KL1235 2025-06-14"]


def test_fixture_passenger_with_everything(fixture):
    t = fixture.travellers[0]
    assert (t.role, t.surname, t.given_names) == ("passenger", "MÜLLER", "JOSÉ MARIA")
    assert (t.birth_date, t.sex, t.nationality) == ("1985-03-07", "M", "DEU")
    assert (t.embarkation, t.debarkation, t.reservation, t.seat) == ("LHR", "JFK", "ABC123", "12A")
    assert t.address == "12 HIGH STREET, LONDON, SW1A 1AA, GB"
    assert [(d.type, d.number, d.country, d.expires) for d in t.documents] == [
        ("passport", "C01X00T47", "DEU", "2030-01-01"),  # LOC+91+DE: alpha-2 becomes alpha-3
        ("visa", "VIS12345", "USA", "2026-01-01"),
    ]
    assert t.source == "PAXLST 1/1" and t.errors == []
    query = t.to_query()
    assert query["surname"] == "MÜLLER" and query["documents"][0]["number"] == "C01X00T47"


def test_fixture_names_centuries_and_roles(fixture):
    by_surname = {t.surname: t for t in fixture.travellers}
    oneill = by_surname["O'NEILL"]  # O?'NEILL: released apostrophe
    assert oneill.birth_date == "1926-01-01"  # 26 is later than the message's 2025: last century
    assert oneill.documents[0].expires == ""  # DTM+36 with no value
    unsplit = by_surname["NGUYEN VAN AN"]
    assert unsplit.given_names == "" and unsplit.extra == {"in_transit": True, "name_unsplit": True}
    assert (unsplit.role, unsplit.sex, unsplit.birth_date) == ("passenger", "U", "1999-07-15")  # CCYYMMDD, format 102
    assert (unsplit.embarkation, unsplit.debarkation) == ("LHR", "AMS")  # LOC+125/87 at traveller level
    crew = [t for t in fixture.travellers if t.role == "crew"]
    assert [(t.surname, t.source, t.extra) for t in crew] == [
        ("DE VRIES", "PAXLST 2/1", {}),
        ("JANSEN", "PAXLST 2/2", {"in_transit": True}),
    ]


def test_one_bad_traveller_keeps_the_others(fixture):
    smith = next(t for t in fixture.travellers if t.surname == "SMITH")
    assert smith.birth_date == "" and smith.nationality == "GBR"
    assert smith.errors == ["segment 48 (DTM): date '010229' is not a calendar date"]
    assert sum(bool(t.errors) for t in fixture.travellers) == 1


def test_split_and_unsplit_names():
    r = parse_paxlst(
        manifest(
            *FLIGHT,
            "NAD+FL+++SMITH:JOHN:PAUL",
            "NAD+FL+++SMITH/JOHN PAUL",
            "NAD+FL+++ SMITH  :  JOHN ",
            "NAD+FL++SMITH JOHN",
            "CNT+42:4",
        )
    )
    names = [(t.surname, t.given_names, t.extra.get("name_unsplit", False)) for t in r.travellers]
    assert names == [
        ("SMITH", "JOHN PAUL", False),
        ("SMITH", "JOHN PAUL", True),
        ("SMITH", "JOHN", False),
        ("SMITH JOHN", "", True),
    ]


def test_cnt_mismatch_is_a_warning_and_the_travellers_are_kept():
    text = manifest(*FLIGHT, "NAD+FL+++A:B", "NAD+FL+++C:D", "CNT+42:3")
    r = parse_paxlst(text)
    assert len(r.travellers) == 2
    assert r.warnings == ["segment 12 (CNT): CNT+42 declares 3 passengers; the message lists 2 passengers and 0 crew"]
    with pytest.raises(MessageError, match=r"segment 12 \(CNT\): CNT\+42 declares 3"):
        parse_paxlst(text, strict=True)


def test_cnt_value_as_a_second_element():
    r = parse_paxlst(manifest(*FLIGHT, "NAD+FM+++A:B", "CNT+41+1"))  # US APIS dialect (GTAS Test1)
    assert r.messages[0].declared_counts == {"crew": 1} and r.warnings == []


@pytest.mark.parametrize(
    "segment, error",
    [
        ("DTM+329:671332", "segment 11 (DTM): date '671332' is not a calendar date"),
        ("ATT+2++Q", "segment 11 (ATT): sex 'Q' is not M, F, U or X"),
        ("AT#T+2++F", "segment 11 (AT#T): garbled segment (no valid tag); skipped"),
        ("LOC+91+GBR", "segment 11 (LOC): issuing country (LOC+91) outside a DOC group"),
        ("DTM+36:300101", "segment 11 (DTM): document date (DTM+36) outside a DOC group"),
    ],
)
def test_damaged_traveller_details_become_traveller_errors(segment, error):
    r = parse_paxlst(manifest(*FLIGHT, "NAD+FL+++SMITH:JOHN", segment, "NAT+2+GBR", "NAD+FL+++DOE:JANE", "CNT+42:2"))
    smith, doe = r.travellers
    assert smith.errors == [error] and smith.nationality == "GBR"
    assert doe.errors == [] and r.warnings == []


def test_unknown_traveller_qualifier_and_missing_surname():
    r = parse_paxlst(manifest(*FLIGHT, "NAD+ZZ+++SMITH:JOHN", "NAD+FL+++:JANE", "CNT+42:2"))
    zz, nameless = r.travellers
    assert zz.role == "passenger" and zz.errors == ["segment 10 (NAD): unknown traveller qualifier 'ZZ'; read as passenger"]
    assert nameless.errors == ["segment 11 (NAD): no surname"]


def test_crew_list_defaults_unknown_qualifiers_to_crew():
    body = ["BGM+250", *FLIGHT[1:], "NAD+XX+++SMITH:JOHN", "CNT+41:1"]
    assert parse_paxlst(manifest(*body)).travellers[0].role == "crew"


def test_unknown_qualifiers_and_segments_are_warnings():
    r = parse_paxlst(manifest(*FLIGHT, "NAD+FL+++SMITH:JOHN", "LOC+999+XXX", "ZZZ+1", "CNT+42:1"))
    assert r.travellers[0].errors == []
    assert r.warnings == [
        "segment 11 (LOC): unknown traveller location qualifier '999'; ignored",
        "segment 12 (ZZZ): not a PAXLST segment; ignored",
    ]


def test_d02b_and_other_versions():
    assert parse_paxlst(manifest(*FLIGHT, "NAD+FL+++A:B", version="D:02B")).warnings == []
    r = parse_paxlst(manifest(*FLIGHT, "NAD+FL+++A:B", version="D:12B"))
    assert len(r.travellers) == 1 and "neither D:02B nor D:05B" in r.warnings[0]


def test_birthplace_residence_clearance_and_references():
    r = parse_paxlst(
        manifest(
            *FLIGHT,
            "NAD+FL+++A:B",
            "LOC+22+IAD",
            "LOC+174+GB",
            "LOC+180+:::Hartford USA",
            "RFF+ABO:X1",
            "RFF+SEA:3C",
            "RFF+AVF:PNR1",
        )
    )
    t = r.travellers[0]
    assert t.extra == {"clearance": "IAD", "residence": "GBR", "birthplace": "Hartford USA", "references": {"ABO": "X1"}}
    assert (t.seat, t.reservation) == ("3C", "PNR1")


def test_century_rule_follows_the_interchange_date():
    r = parse_paxlst(manifest(*FLIGHT, "NAD+FL+++A:B", "DTM+329:200101", unb_date="200130"))
    assert r.travellers[0].birth_date == "2020-01-01"
    r = parse_paxlst(manifest(*FLIGHT, "NAD+FL+++A:B", "DTM+329:210101", unb_date="200130"))
    assert r.travellers[0].birth_date == "1921-01-01"


def test_not_a_paxlst_message():
    text = manifest("BGM+745").replace("PAXLST:D:05B:UN:IATA", "PNRGOV:13:1:IA")
    with pytest.raises(MessageError, match=r"segment 2 \(UNH\): not a PAXLST message"):
        parse_paxlst(text)


def test_only_message_error_escapes():
    for bad in (b"", b"\x00", "UNB+UNOA", "NAD+FL+++X'", manifest(*FLIGHT)[:-30], 42):
        with pytest.raises(MessageError):
            parse_paxlst(bad)  # type: ignore[arg-type]


# -- the GTAS samples (US CBP), when the shared data is present


def _gtas_files() -> list[Path]:
    return sorted(GTAS.glob("*")) if GTAS.is_dir() else []


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


@pytest.mark.shared_data
@pytest.mark.parametrize("path", _gtas_files() or [None], ids=lambda p: p.name if p else "absent")
def test_gtas_samples(path):
    if path is None:
        pytest.skip(f"{GTAS} is absent")
    data = path.read_bytes()
    text = data.decode("latin-1")
    result = parse(data)
    assert isinstance(result, PaxlstResult)
    # Counted independently: traveller NAD segments in the raw text.
    passengers = _count(r"(?:^|['\s])NAD\+(?:FL|DDU)\+", text)
    crew = _count(r"(?:^|['\s])NAD\+(?:FM|DDT)\+", text)
    assert sum(t.role == "passenger" for t in result.travellers) == passengers
    assert sum(t.role == "crew" for t in result.travellers) == crew
    assert all(t.surname for t in result.travellers) and all(not t.errors for t in result.travellers)
    for message in result.messages:
        declared = message.declared_counts
        read = {"passengers": passengers, "crew": crew}
        mismatched = {k: v for k, v in declared.items() if v != read[k]}
        if mismatched:
            # gtas-loader__Test3.txt: a passenger list (BGM+745, 260 NAD+FL) whose trailer says CNT+41:206,
            # a crew count; the travellers are returned with a warning naming the CNT segment.
            assert any("(CNT): CNT+41 declares 206 crew" in w for w in result.warnings), result.warnings
        else:
            assert declared, "every GTAS sample has a CNT"
    for t in result.travellers:
        assert t.flights and re.fullmatch(r"\w{2,3}\d{4} \d{4}-\d{2}-\d{2}", t.flights[0])
        assert not t.birth_date or re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", t.birth_date)
