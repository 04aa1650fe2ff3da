"""engine.messages.cargo (Cargo-IMP FWB, FHL) and engine.messages.cargo_xml (XFWB, XFZB): parties with
their roles, addresses and countries, waybills and the AWB check digit, one bad party among good
ones, XML safety, and MessageError as the only error for any mutation of a message."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.messages import MessageError
from engine.messages.cargo import (
    CargoResult,
    awb_check_digit_ok,
    parse_cargo_imp,
    party_kind,
)
from engine.messages.cargo_xml import parse_cargo_xml
from engine.model import Query

FIXTURES = Path(__file__).parent / "fixtures" / "messages"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def by_role(result: CargoResult) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in result.parties:
        out.setdefault(p.role, []).append(p)
    return out


# -- AWB check digit and the person rule -----------------------------------------------------------


@pytest.mark.parametrize("serial, ok", [("12345675", True), ("12345670", False), ("00000000", True), ("96667465", True), ("1234567", False), ("1234567X", False)])
def test_awb_check_digit(serial, ok):
    assert awb_check_digit_ok(serial) is ok


@pytest.mark.parametrize(
    "name, kind",
    [
        ("MR JOHN Q PUBLIC", "person"),
        ("Mrs. Jane Doe", "person"),
        ("HERR KARL MEIER", "person"),
        ("MR PRICE GROUP LTD", "organization"),  # a title, but a legal form
        ("JOHN SMITH", "organization"),  # no clear sign: left as an organisation
        ("MR", "organization"),
        ("ACME EXPORTS LTD", "organization"),
    ],
)
def test_party_kind(name, kind):
    assert party_kind(name) == kind


# -- FWB -------------------------------------------------------------------------------------------


def test_fwb_16_parties_and_waybill():
    r = parse_cargo_imp(fixture("fwb_16.txt"))
    assert (r.message, r.version, r.waybill, r.warnings) == ("FWB", "16", "020-12345675", [])
    (awb,) = r.waybills
    assert (awb.origin, awb.destination, awb.pieces, awb.weight, awb.check_digit_valid) == ("LHR", "JFK", 2, "25.0 K", True)
    assert awb.description == "MACHINE PARTS" and awb.hs_codes == ["848180"]
    parties = by_role(r)
    shp, cne, agt, nfy = parties["shipper"][0], parties["consignee"][0], parties["agent"][0], parties["notify"][0]
    assert (shp.name, shp.address, shp.city, shp.country, shp.kind) == (
        "ACME PRECISION PARTS LTD", "UNIT 4 RIVERSIDE TRADING ESTATE", "SLOUGH", "GB", "organization")
    assert shp.extra["account"] == "ACC4711" and shp.extra["state"] == "BERKSHIRE" and shp.extra["postcode"] == "SL1 4XX"
    assert shp.extra["contacts"] == [{"type": "TE", "number": "441753000000"}]
    assert shp.extra["customs_ids"] == [{"country": "GB", "type": "T", "value": "GB123456789000"}]
    assert (cne.name, cne.city, cne.country) == ("NORTHWIND IMPORTS INC", "NEWARK", "US")
    assert [c["type"] for c in cne.extra["contacts"]] == ["TE", "FX"] and cne.extra["customs_ids"][0]["value"] == "98-7654321"
    assert (agt.name, agt.city, agt.extra["iata_code"], agt.extra["cass_address"]) == ("BLUE SKY FORWARDING GMBH", "FRANKFURT", "1234567", "0001")
    assert (nfy.name, nfy.kind, nfy.address, nfy.city, nfy.country) == ("MR JOHN Q PUBLIC", "person", "48 ELM STREET", "HOBOKEN", "US")
    assert all(p.waybill == "020-12345675" and p.errors == [] for p in r.parties)
    assert shp.source == "FWB line 5"
    queries = [Query.from_dict(q) for q in r.queries()]
    assert queries[0].kind == "organization" and queries[0].country == "GB" and "SLOUGH" in queries[0].address


def test_fwb_one_bad_party_among_good_ones_and_a_bad_check_digit():
    r = parse_cargo_imp(fixture("fwb_17_bad_party.txt"))  # behind a Type B envelope
    assert (r.message, r.version, r.waybill) == ("FWB", "17", "020-12345670")
    assert r.waybills[0].check_digit_valid is False
    assert r.warnings == ["line 4: air waybill 020-12345670: check digit 0 should be 5 (first seven digits modulo 7): mistyped or altered number"]
    parties = by_role(r)
    assert parties["shipper"][0].errors == [] and parties["shipper"][0].country == "DE"
    assert parties["agent"][0].errors == [] and parties["agent"][0].name == "CARGO PARTNERS AG"
    cne = parties["consignee"][0]
    assert cne.name == "ORIENT TRADING CO" and cne.country == "" and cne.errors == ["line 14: 'XQ' is not an ISO 3166-1 alpha-2 country code"]
    assert parties["notify"][0].errors == ["line 15: NFY block without a name"]
    assert len(r.queries()) == 3  # the nameless party is not a query


@pytest.mark.parametrize(
    "text, where, reason",
    [
        ("", "line 1", "not a Cargo-IMP"),
        ("HELLO\nWORLD", "line 1", "not a Cargo-IMP"),
        ("FWB/16", "line 1", "ends before"),
        ("FWB/16\n020-1234567LHRJFK/T2K25.0", "line 2", "consignment line"),
        ("FWB/16\n\nSHP\n/ACME", "line 3", "consignment line"),
        ("FHL/5\n020-12345675LHRJFK/T2K25.0", "line 2", "MBI"),
        ("FHL/5\nMBI/020-12345675LHR/T2K25.0", "line 2", "consignment line"),
    ],
)
def test_unreadable_messages(text, where, reason):
    with pytest.raises(MessageError, match=reason) as e:
        parse_cargo_imp(text)
    assert e.value.where == where


def test_warnings_for_unknown_segments_missing_parties_and_other_versions():
    r = parse_cargo_imp("FWB/9\n020-12345675LHRJFK/T2K25\nCNF\n/NOBODY\nSHP\n/ACME LTD\n/1 ROAD\n/LONDON\n/GB\n/TE/123/FX/456\n/EXTRA")
    assert r.warnings == [
        "line 1: FWB version 9 read with the FWB/16 and 17 layout",
        "line 3: unknown segment CNF, skipped",
        "no consignee (CNE) in the air waybill",
    ]
    (shp,) = r.parties
    assert shp.extra["contacts"] == [{"type": "TE", "number": "123"}, {"type": "FX", "number": "456"}]
    assert shp.errors == ["line 11: unexpected line in the SHP block: 'EXTRA'"]


def test_a_second_street_line_in_a_positional_block():
    r = parse_cargo_imp("FWB/16\n020-12345675LHRJFK/T2K25\nSHP\n/ACME LTD\n/1 ROAD\n/BUILDING 5\n/LONDON/LDN\n/GB/E1 1AA")
    (shp,) = r.parties
    assert (shp.address, shp.city, shp.extra["state"], shp.country, shp.errors) == ("1 ROAD, BUILDING 5", "LONDON", "LDN", "GB", [])


def test_crlf_lowercase_and_bytes():
    text = fixture("fwb_16.txt")
    r = parse_cargo_imp(text.lower().replace("\n", "\r\n").encode("latin-1"))
    assert [p.name for p in r.parties] == [p.name for p in parse_cargo_imp(text).parties]


# -- FHL -------------------------------------------------------------------------------------------


def test_fhl_houses_and_their_parties():
    r = parse_cargo_imp(fixture("fhl_5.txt"))
    assert (r.message, r.version, r.waybill, r.warnings) == ("FHL", "5", "020-12345675", [])
    master, h1, h2, h3 = r.waybills
    assert (master.kind, master.pieces, master.check_digit_valid) == ("master", 3, True)
    assert [(h.number, h.kind, h.master) for h in (h1, h2, h3)] == [
        ("HAWB0001", "house", "020-12345675"), ("HAWB0002", "house", "020-12345675"), ("HAWB0003", "house", "020-12345675")]
    assert (h1.origin, h1.destination, h1.pieces, h1.weight) == ("LHR", "JFK", 2, "40.0 K")
    assert h1.description == "MACHINE PARTS BEARINGS AND SEALS" and h1.hs_codes == ["848180", "848210"]
    assert [(p.waybill, p.role, p.name, p.kind, p.country) for p in r.parties] == [
        ("HAWB0001", "shipper", "ACME PRECISION PARTS LTD", "organization", "GB"),
        ("HAWB0001", "consignee", "MRS JANE DOE", "person", "US"),
        ("HAWB0002", "shipper", "KESTREL BOOKS LIMITED", "organization", "GB"),
        ("HAWB0002", "consignee", "LIBRARY SUPPLY LLC", "organization", "US"),
    ]
    shp, cne = r.parties[0], r.parties[1]
    assert (shp.address, shp.city, shp.extra["state"], shp.extra["postcode"]) == ("UNIT 4 RIVERSIDE TRADING ESTATE", "SLOUGH", "BERKSHIRE", "SL1 4XX")
    assert cne.extra["customs_ids"] == [{"country": "", "type": "T", "value": "US12-3456789"}]
    assert all(p.errors == [] for p in r.parties) and h3.errors == []


def test_fhl_bad_house_line_is_a_house_error():
    r = parse_cargo_imp("FHL/4\nMBI/020-12345675LHRJFK/T1K5\nHBS//LHR/x/y\nSHP\nNAM/ACME LTD\nLOC/LONDON\n/GB")
    house = r.waybills[1]
    assert house.errors == ["line 3: '' is not a house waybill number (1-12 letters or digits)", "line 3: 'LHR' is not an origin and destination (e.g. LHRJFK)"]
    assert [(p.name, p.city, p.country) for p in r.parties] == [("ACME LTD", "LONDON", "GB")]


def test_digits_that_are_not_ascii_are_not_numbers():
    """str.isdigit() also accepts '\u00b3', which int() refuses (found by the atheris harness): a house's
    pieces and an air waybill serial are ASCII digits, or not numbers."""
    r = parse_cargo_imp("FHL/4\nMBI/020-12345675LHRJFK/T1K5\nHBS/HAWB1/LHRJFK/\u00b32/K40\nSHP\nNAM/ACME LTD\nLOC/LONDON\n/GB")
    assert (r.waybills[1].number, r.waybills[1].pieces, r.waybills[1].weight) == ("HAWB1", None, "40 K")
    assert awb_check_digit_ok("1234567\u00b3") is False


# -- XFWB / XFZB -----------------------------------------------------------------------------------


def test_xfwb_parties():
    r = parse_cargo_xml((FIXTURES / "xfwb_3.xml").read_bytes())
    assert (r.message, r.version, r.waybill, r.warnings) == ("XFWB", "3.00", "020-12345675", [])
    (awb,) = r.waybills
    assert (awb.origin, awb.destination, awb.pieces, awb.weight, awb.check_digit_valid) == ("LHR", "JFK", 2, "25.0 KGM", True)
    assert awb.hs_codes == ["848180"] and awb.description == "MACHINE PARTS"
    shp, cne, agt, nfy = r.parties
    assert (shp.role, shp.name, shp.address, shp.city, shp.country) == ("shipper", "Acme Precision Parts Ltd", "Unit 4 Riverside Trading Estate", "Slough", "GB")
    assert shp.extra["postcode"] == "SL1 4XX" and shp.extra["AccountID"] == "ACC4711"
    assert shp.extra["customs_ids"] == [{"country": "GB", "type": "T", "value": "GB123456789000"}]
    assert shp.extra["contacts"] == [{"person": "J Smith", "numbers": ["441753000000"]}]
    assert shp.source == "Waybill/MasterConsignment/ConsignorParty"
    assert (cne.role, cne.name, cne.country, cne.extra["state"]) == ("consignee", "Northwind Imports Inc", "US", "NJ")
    assert (agt.role, agt.name, agt.city, agt.country) == ("agent", "Blue Sky Forwarding GmbH", "Frankfurt am Main", "DE")
    assert agt.address == "Cargo City Süd, Gebäude 5"  # FreightForwarderAddress, UTF-8
    assert (nfy.role, nfy.name, nfy.kind) == ("notify", "Mr John Q Public", "person")
    assert all(p.waybill == "020-12345675" and p.errors == [] for p in r.parties)
    assert all(Query.from_dict(q) for q in r.queries())


def test_xfzb_house_waybill_with_one_bad_party():
    r = parse_cargo_xml(fixture("xfzb_3.xml"))
    assert (r.message, r.waybill) == ("XFZB", "020-12345675")
    _, house = r.waybills
    assert (house.number, house.kind, house.master, house.pieces, house.description) == ("HAWB0001", "house", "020-12345675", 2, "BEARINGS AND SEALS")
    assert [(p.role, p.name, p.waybill, p.kind) for p in r.parties] == [
        ("shipper", "Acme Precision Parts Ltd", "HAWB0001", "organization"),
        ("consignee", "Mrs Jane Doe", "HAWB0001", "person"),
        ("notify", "Library Supply LLC", "HAWB0001", "organization"),
    ]
    assert r.parties[0].errors == r.parties[1].errors == []
    path = "HouseWaybill/MasterConsignment/IncludedHouseConsignment/NotifyParty/PostalStructuredAddress/CountryID"
    assert r.parties[2].errors == [f"{path}: 'USA' is not an ISO 3166-1 alpha-2 country code"]


def test_xml_matching_ignores_prefixes_and_namespaces():
    text = fixture("xfwb_3.xml")
    plain = text.replace("rsm:", "").replace("ram:", "").replace(' xmlns:rsm="iata:waybill:1"', "").replace(' xmlns:ram="iata:datamodel:3"', "")
    r = parse_cargo_xml(plain)
    assert [p.name for p in r.parties] == [p.name for p in parse_cargo_xml(text).parties]
    assert r.warnings == ["Waybill: namespace '(none)', expected 'iata:waybill:1'; read by element names"]


def test_xml_in_utf16_and_a_bad_check_digit():
    text = fixture("xfwb_3.xml").replace('encoding="UTF-8"', 'encoding="UTF-16"').replace("020-12345675", "020-12345670")
    r = parse_cargo_xml(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert r.waybill == "020-12345670" and r.waybills[0].check_digit_valid is False
    assert "check digit 0 should be 5" in r.warnings[0] and len(r.parties) == 4


_BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Waybill><BusinessHeaderDocument><ID>&lol2;</ID></BusinessHeaderDocument></Waybill>"""
_XXE = """<?xml version="1.0"?>
<!DOCTYPE Waybill [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Waybill><BusinessHeaderDocument><ID>&xxe;</ID></BusinessHeaderDocument></Waybill>"""


@pytest.mark.parametrize("doc", [_BILLION_LAUGHS, _XXE, _XXE.encode("utf-16"), '<!doctype Waybill SYSTEM "x.dtd"><Waybill/>'], ids=["laughs", "xxe", "xxe-utf16", "external-dtd"])
def test_dtds_and_entities_are_refused(doc):
    with pytest.raises(MessageError, match="declarations are refused") as e:
        parse_cargo_xml(doc)
    assert e.value.where.startswith("line ")


@pytest.mark.parametrize(
    "doc, where, reason",
    [
        ("<Waybill><BusinessHeaderDocument></Waybill>", "line 1 column 36", "malformed XML"),
        ("", "line 1 column 1", "malformed XML"),
        ("<Invoice/>", "Invoice", "not a Cargo-XML"),
        ("<Waybill><MasterConsignment/></Waybill>", "Waybill/BusinessHeaderDocument/ID", "no air waybill number"),
        ("<HouseWaybill><MasterConsignment/></HouseWaybill>", "HouseWaybill/BusinessHeaderDocument/ID", "no house waybill number"),
        (b'<?xml version="1.0" encoding="no-such-codec"?><Waybill/>', "document", "cannot be decoded"),
        (b"<Waybill>\xff</Waybill>", "document", "cannot be decoded"),
    ],
)
def test_unreadable_xml(doc, where, reason):
    with pytest.raises(MessageError, match=reason) as e:
        parse_cargo_xml(doc)
    assert e.value.where == where


def test_deep_nesting_is_refused_quickly():
    n = 100_000
    doc = "<Waybill><BusinessHeaderDocument><ID>02012345675</ID></BusinessHeaderDocument>" + "<a>" * n + "</a>" * n + "</Waybill>"
    with pytest.raises(MessageError, match="nested deeper than 64 levels"):
        parse_cargo_xml(doc)


def test_xml_party_without_name_or_address():
    r = parse_cargo_xml(
        "<Waybill><BusinessHeaderDocument><ID>02012345675</ID></BusinessHeaderDocument><MasterConsignment>"
        "<ConsignorParty><PostalStructuredAddress><CountryID>FR</CountryID></PostalStructuredAddress></ConsignorParty>"
        "<ConsigneeParty><Name>X CORP</Name></ConsigneeParty><ConsigneeParty><Name>Y CORP</Name></ConsigneeParty>"
        "</MasterConsignment></Waybill>"
    )
    assert r.waybill == "020-12345675"
    assert [(p.name, p.country, p.errors) for p in r.parties] == [
        ("", "FR", ["Waybill/MasterConsignment/ConsignorParty/Name: missing"]),
        ("X CORP", "", []),
        ("Y CORP", "", []),
    ]
    assert r.parties[2].source == "Waybill/MasterConsignment/ConsigneeParty[2]"


# -- mutations: MessageError or a result, nothing else ---------------------------------------------


def _mutate(draw, data: bytearray) -> bytes:
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["truncate", "flip", "delete_line", "duplicate_line"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            data = data[:i]
        elif op == "flip":
            data[i] = draw(st.integers(0, 255))
        else:
            lines = data.split(b"\n")
            j = draw(st.integers(0, len(lines) - 1))
            if op == "delete_line":
                del lines[j]
            else:
                lines.insert(j, lines[j])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


_IMP = [(FIXTURES / n).read_bytes() for n in ("fwb_16.txt", "fwb_17_bad_party.txt", "fhl_5.txt")]
_XML = [(FIXTURES / n).read_bytes() for n in ("xfwb_3.xml", "xfzb_3.xml")]


@st.composite
def mutated(draw, sources: list[bytes]) -> bytes:
    return _mutate(draw, bytearray(draw(st.sampled_from(sources))))


def _check(parse, data: bytes) -> None:
    try:
        r = parse(data)
    except MessageError as e:
        assert e.where
        return
    for q in r.queries():
        Query.from_dict(q)  # every party with a name is a valid query


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutated(_IMP))
def test_any_mutation_of_cargo_imp_gives_a_result_or_message_error(data):
    _check(parse_cargo_imp, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutated(_XML))
def test_any_mutation_of_cargo_xml_gives_a_result_or_message_error(data):
    _check(parse_cargo_xml, data)


@pytest.mark.parametrize(
    "name, fmt, message",
    [("fwb_16.txt", "fwb", "FWB"), ("fwb_17_bad_party.txt", "fwb", "FWB"), ("fhl_5.txt", "fhl", "FHL"),
     ("xfwb_3.xml", "xfwb", "XFWB"), ("xfzb_3.xml", "xfzb", "XFZB")],
)
def test_registered_in_the_message_registry(name, fmt, message):
    from engine import messages

    data = (FIXTURES / name).read_bytes()
    assert messages.detect(data) == fmt and messages.parse(data).message == message
