"""Air waybill parties from IATA Cargo-XML (Cargo-XML Toolkit, message version 3): XFWB, the air
waybill (root `Waybill`, namespace `iata:waybill:1`), and XFZB, the house waybill (root
`HouseWaybill`, namespace `iata:housewaybill:1`), both with the `iata:datamodel:3` (ram) elements.

Parties: ConsignorParty (shipper), ConsigneeParty (consignee), NotifyParty (notify),
FreightForwarderParty (agent; its address element is FreightForwarderAddress) and AssociatedParty
(notify when its RoleCode / Role says so, else kept with role "associated"). Each has a Name and a
PostalStructuredAddress with StreetName, CityName, PostcodeCode, CountryID (ISO 3166 alpha-2) and
CountrySubDivisionName / ID. IncludedCustomsNote rows (SubjectCode SHP, CNE...; ContentCode T for
tax / EORI numbers) are attached to the party they name, like Cargo-IMP OCI lines.

Waybill numbers: XFWB's MasterConsignment/TransportContractDocument/ID, else
BusinessHeaderDocument/ID (else MessageHeaderDocument/ID), checked like Cargo-IMP's (a bad AWB
check digit is a warning). XFZB: the house number is BusinessHeaderDocument/ID and its master the
MasterConsignment/TransportContractDocument/ID.

Elements are matched by local name, whatever their prefix or namespace. Safety: the standard
library's expat parser does not fetch external entities, but an internal entity can still expand
exponentially, and defusedxml is not a dependency here; so any document with a DOCTYPE or ENTITY
declaration is refused before parsing (the watchlist loaders parse official list files and need no
such rule; messages come from outside). Cargo-XML never needs a DTD.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from ..countries import COUNTRY_NAMES
from .cargo import (
    CargoResult,
    Waybill,
    attach_customs_ids,
    check_digit_warning,
    party_kind,
)
from .model import MessageError, Party, digits

_ROOTS = {"Waybill": ("XFWB", "iata:waybill:1"), "HouseWaybill": ("XFZB", "iata:housewaybill:1")}
_PARTIES = {
    "ConsignorParty": "shipper",
    "ConsigneeParty": "consignee",
    "NotifyParty": "notify",
    "FreightForwarderParty": "agent",
    "AssociatedParty": "associated",
}
_ADDRESSES = ("PostalStructuredAddress", "FreightForwarderAddress")
_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_AWB = re.compile(r"^(\d{3})[-\s]?(\d{8})$")
_FIRST_ELEMENT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")  # skips <?xml and <!--
_MAX_DEPTH = 64
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def parse_cargo_xml(data: str | bytes) -> CargoResult:
    """Parties and waybills of an XFWB or XFZB document. MessageError, naming the line or the element
    path, for malformed XML, a DTD, another root element, or no waybill number."""
    root = _parse(_text(data))
    name = _local(root.tag)
    if name not in _ROOTS:
        raise MessageError(name, "not a Cargo-XML XFWB (Waybill) or XFZB (HouseWaybill) document")
    message, namespace = _ROOTS[name]
    result = CargoResult(message, _child_text(root, "MessageHeaderDocument", "VersionID"))
    found = _namespace(root.tag)
    if found != namespace:
        result.warnings.append(f"{name}: namespace {found or '(none)'!r}, expected {namespace!r}; read by element names")
    paths = dict(_walk(root))
    waybill = _xfwb_waybill(root, name, result) if message == "XFWB" else _xfzb_waybill(root, name, result)
    customs = [_customs_row(e) for e in root.iter() if _local(e.tag) == "IncludedCustomsNote"]
    waybill.customs = [r for r in customs if any(r.values())]
    parties = [_party(e, paths[e], waybill.number) for e in root.iter() if _local(e.tag) in _PARTIES]
    attach_customs_ids(waybill.customs, parties)
    for role in ("shipper", "consignee"):
        if not any(p.role == role for p in parties):
            result.warnings.append(f"no {role} party in the {message}")
    result.parties = parties
    return result


def detect_cargo_xml(data: str | bytes) -> str | None:
    """"xfwb" or "xfzb" when the first element is a Waybill or HouseWaybill (any prefix)."""
    head = data[:4096]
    if isinstance(head, (bytes, bytearray)):
        encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "latin-1")
        text = head.decode(encoding, errors="ignore")
    else:
        text = str(head)
    text = text.lstrip("\ufeff\xef\xbb\xbf \t\r\n\x00")
    if not text.startswith("<"):
        return None
    m = _FIRST_ELEMENT.search(text)
    return _ROOTS[m.group(1)][0].lower() if m and m.group(1) in _ROOTS else None


# -- reading the document safely -------------------------------------------------------------------


def _text(data: str | bytes) -> str:
    """The document as text: bytes decoded by their BOM or XML declaration (UTF-8 by default), so
    that the DTD check below sees every encoding."""
    if isinstance(data, str):
        return data
    if not isinstance(data, bytes):
        raise MessageError("document", f"expected text or bytes, got {type(data).__name__}")
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        m = _DECLARATION.match(data[:200])
        encoding = m.group(1).decode("ascii") if m else "utf-8"
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as e:
        raise MessageError("document", f"cannot be decoded as {encoding}: {e}") from None


def _parse(text: str) -> ET.Element:
    m = _FORBIDDEN.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise MessageError(f"line {line}", f"{m.group(1).upper()} declarations are refused (entity expansion, external entities)")
    try:
        return ET.fromstring(text)  # a str: the parser ignores the declared encoding, already applied
    except ET.ParseError as e:
        line, column = getattr(e, "position", (0, 0))  # expat counts columns from 0
        raise MessageError(f"line {line} column {column + 1}", f"malformed XML: {e}") from None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _walk(root: ET.Element) -> Iterator[tuple[ET.Element, str]]:
    """Every element with its path of local names (`Waybill/MasterConsignment/ConsigneeParty`, a
    `[n]` where siblings share a name). Cargo-XML nests a few levels: a document nested deeper than
    _MAX_DEPTH is refused rather than walked (paths would grow with the square of the depth)."""
    stack = [(root, _local(root.tag), 1)]
    while stack:
        elem, path, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise MessageError(f"{path[:120]}...", f"elements nested deeper than {_MAX_DEPTH} levels")
        yield elem, path
        counts: dict[str, int] = {}
        for child in elem:
            counts[_local(child.tag)] = counts.get(_local(child.tag), 0) + 1
        seen: dict[str, int] = {}
        for child in elem:
            name = _local(child.tag)
            seen[name] = seen.get(name, 0) + 1
            stack.append((child, f"{path}/{name}" + (f"[{seen[name]}]" if counts[name] > 1 else ""), depth + 1))


def _find(elem: ET.Element, *names: str) -> ET.Element | None:
    """The first descendant path of direct children with these local names."""
    current: ET.Element | None = elem
    for name in names:
        current = next((c for c in current if _local(c.tag) == name), None) if current is not None else None
    return current


def _child_text(elem: ET.Element, *names: str) -> str:
    found = _find(elem, *names)
    return " ".join((found.text or "").split()) if found is not None else ""


def _texts(elem: ET.Element, name: str) -> list[str]:
    return [t for t in (" ".join((c.text or "").split()) for c in elem if _local(c.tag) == name) if t]


# -- waybills --------------------------------------------------------------------------------------


def _xfwb_waybill(root: ET.Element, name: str, result: CargoResult) -> Waybill:
    candidates = (
        ("MasterConsignment", "TransportContractDocument", "ID"),
        ("BusinessHeaderDocument", "ID"),
        ("MessageHeaderDocument", "ID"),
    )
    found = [(f"{name}/{'/'.join(path)}", _child_text(root, *path)) for path in candidates]
    where, number = next(((w, n) for w, n in found if n), ("", ""))
    if not number:
        raise MessageError(f"{name}/BusinessHeaderDocument/ID", "no air waybill number")
    awb, valid = _awb(number, where, result)
    waybill = Waybill(awb, check_digit_valid=valid, source=where)
    _consignment(_find(root, "MasterConsignment"), waybill)
    result.waybills.append(waybill)
    return waybill


def _xfzb_waybill(root: ET.Element, name: str, result: CargoResult) -> Waybill:
    where = f"{name}/BusinessHeaderDocument/ID"
    number = _child_text(root, "BusinessHeaderDocument", "ID") or _child_text(root, "MessageHeaderDocument", "ID")
    if not number:
        raise MessageError(where, "no house waybill number")
    master_where = f"{name}/MasterConsignment/TransportContractDocument/ID"
    master = _child_text(root, "MasterConsignment", "TransportContractDocument", "ID")
    if master:
        awb, valid = _awb(master, master_where, result)
        result.waybills.append(Waybill(awb, check_digit_valid=valid, source=master_where))
    else:
        result.warnings.append(f"{master_where}: no master air waybill number")
    house = Waybill(number, kind="house", master=result.waybills[0].number if master else "", source=where)
    consignment = _find(root, "MasterConsignment", "IncludedHouseConsignment")
    _consignment(consignment if consignment is not None else _find(root, "MasterConsignment"), house)
    result.waybills.append(house)
    return house


def _awb(number: str, where: str, result: CargoResult) -> tuple[str, bool | None]:
    """`020-12345675` and whether its check digit agrees (None: not an AWB number; warned)."""
    m = _AWB.match(number)
    if not m:
        result.warnings.append(f"{where}: {number!r} is not an air waybill number (3-digit prefix, 8-digit serial)")
        return number, None
    warning = check_digit_warning(where, m.group(1), m.group(2))
    if warning:
        result.warnings.append(warning)
    return f"{m.group(1)}-{m.group(2)}", warning is None


def _consignment(elem: ET.Element | None, waybill: Waybill) -> None:
    if elem is None:
        return
    waybill.origin = _child_text(elem, "OriginLocation", "ID")
    waybill.destination = _child_text(elem, "FinalDestinationLocation", "ID")
    pieces = _child_text(elem, "TotalPieceQuantity")
    waybill.pieces = int(pieces) if digits(pieces) else None
    weight = _find(elem, "IncludedTareGrossWeightMeasure")
    if weight is None:
        weight = _find(elem, "GrossWeightMeasure")
    if weight is not None and (weight.text or "").strip():
        waybill.weight = f"{weight.text.strip()} {weight.get('unitCode', '')}".strip()
    waybill.description = _child_text(elem, "SummaryDescription") or _child_text(
        elem, "NatureIdentificationTransportCargo", "Identification"
    )
    for item in elem:
        if _local(item.tag) in ("IncludedMasterConsignmentItem", "IncludedHouseConsignmentItem"):
            waybill.hs_codes += [c for c in _texts(item, "TypeCode") if digits(c)]
            goods = _child_text(item, "NatureIdentificationTransportCargo", "Identification")
            if goods and goods not in waybill.description:
                waybill.description = f"{waybill.description} {goods}".strip()


def _customs_row(elem: ET.Element) -> dict[str, str]:
    return {
        "country": _child_text(elem, "CountryID"),
        "subject": _child_text(elem, "SubjectCode"),
        "type": _child_text(elem, "ContentCode"),
        "value": _child_text(elem, "Content"),
    }


# -- parties ---------------------------------------------------------------------------------------


def _party(elem: ET.Element, path: str, waybill: str) -> Party:
    role = _PARTIES[_local(elem.tag)]
    extra: dict[str, Any] = {"element": _local(elem.tag)}
    if role == "associated":
        code = _child_text(elem, "RoleCode") or _child_text(elem, "Role")
        extra["role_code"] = code
        if code.upper() in ("NI", "NP") or "NOTIF" in code.upper():
            role = "notify"
    party = Party(role=role, name=_child_text(elem, "Name"), waybill=waybill, source=path, extra=extra)
    if not party.name:
        party.errors.append(f"{path}/Name: missing")
    for key in ("PrimaryID", "AdditionalID", "AccountID", "CargoAgentID"):
        value = _child_text(elem, key)
        if value:
            extra[key] = value
    address = next((c for c in elem if _local(c.tag) in _ADDRESSES), None)
    if address is not None:
        _address(party, address, f"{path}/{_local(address.tag)}")
    contacts = []
    for contact in (c for c in elem if _local(c.tag) == "DefinedTradeContact"):
        person = _child_text(contact, "PersonName")
        numbers = [t for c in contact for t in _texts(c, "CompleteNumber") + _texts(c, "URIID")]
        if person or numbers:
            contacts.append({"person": person, "numbers": numbers})
    if contacts:
        extra["contacts"] = contacts
    party.kind = party_kind(party.name) if party.name else "organization"
    return party


def _address(party: Party, elem: ET.Element, path: str) -> None:
    party.address = ", ".join(_texts(elem, "StreetName"))
    party.city = _child_text(elem, "CityName")
    country = _child_text(elem, "CountryID").upper()
    if country in COUNTRY_NAMES:
        party.country = country
    elif country:
        party.errors.append(f"{path}/CountryID: {country!r} is not an ISO 3166-1 alpha-2 country code")
    for key, element in (("postcode", "PostcodeCode"), ("state", "CountrySubDivisionID"), ("state_name", "CountrySubDivisionName")):
        value = _child_text(elem, element)
        if value:
            party.extra[key] = value
