"""What every message parser yields: travellers (PAXLST, PNRGOV, MRZ) and parties (air cargo), each
turning into a screening query, and the one error type the parsers raise.

A parser never lets another exception out: malformed input becomes `MessageError`, naming the
segment number and tag (EDIFACT), the line (Cargo-IMP, MRZ) or the element path (XML). A message
with one bad traveller still yields the others; the bad one carries its own `errors`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..model import InputError


class MessageError(InputError):
    """A message that cannot be read. `where` names the place: `segment 14 (NAD)`, `line 3`,
    `ConsignorParty/PostalStructuredAddress`; `field` (engine.InputError) is the same text."""

    def __init__(self, where: str, reason: str):
        super().__init__(where, reason)
        self.where = where


def digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses. Every parser reads a
    number through this before int()."""
    return text.isascii() and text.isdigit()


def segment_where(number: int, tag: str) -> str:
    """How EDIFACT errors name a segment: its 1-based position in the interchange and its tag."""
    return f"segment {number} ({tag})"


@dataclass
class TravelDocumentInfo:
    """A document as the message states it (DOC / SSR DOCS / MRZ)."""

    number: str = ""
    type: str = ""  # passport, id-card, visa, ... (or the message's own code when unknown)
    country: str = ""  # issuing country, ISO 3166-1 alpha-3 where the message gives one
    expires: str = ""  # YYYY-MM-DD / YYYY-MM / YYYY
    mrz: str = ""

    def to_query_document(self) -> dict[str, Any]:
        return {k: v for k, v in (("number", self.number), ("type", self.type), ("country", self.country), ("expires", self.expires), ("mrz", self.mrz)) if v}


@dataclass
class Traveller:
    """One passenger or crew member of a PAXLST / PNRGOV message, or the holder of an MRZ.

    `role`: passenger | crew | infant | holder. `source`: which message and where (`PAXLST 3/12`:
    message 3, traveller 12). `errors`: what could not be read for this traveller (the rest still is).
    """

    role: str = "passenger"
    surname: str = ""
    given_names: str = ""
    birth_date: str = ""  # YYYY-MM-DD (YYYY-MM, YYYY when that is all the message says)
    sex: str = ""  # M, F, U or X
    nationality: str = ""  # ISO 3166-1 alpha-3 where given
    documents: list[TravelDocumentInfo] = field(default_factory=list)
    address: str = ""
    flights: list[str] = field(default_factory=list)  # carrier + number + date, e.g. "BA0123 2025-06-14"
    embarkation: str = ""  # IATA airport code
    debarkation: str = ""
    reservation: str = ""  # record locator (RFF+AVF / RCI)
    seat: str = ""
    source: str = ""
    errors: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_query(self) -> dict[str, Any]:
        """A screening query (DESIGN.md 'Query'); fields the message lacks are left out."""
        q: dict[str, Any] = {"kind": "person", "surname": self.surname, "given_names": self.given_names}
        for key in ("birth_date", "sex", "nationality", "address"):
            value = getattr(self, key)
            if value:
                q[key] = value
        docs = [d.to_query_document() for d in self.documents if d.number]
        if docs:
            q["documents"] = docs
        return q

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Party:
    """A shipper (consignor), consignee, notify party or agent of an air waybill / house waybill."""

    role: str = ""  # shipper | consignee | notify | agent
    name: str = ""
    kind: str = "organization"  # or person, when the message says so or the name reads as one
    address: str = ""  # address lines joined with ", "
    city: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 as cargo messages write it
    waybill: str = ""  # e.g. "020-12345675" (MAWB) or a house waybill number
    source: str = ""
    errors: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_query(self) -> dict[str, Any]:
        q: dict[str, Any] = {"kind": self.kind, "name": self.name}
        address = ", ".join(p for p in (self.address, self.city) if p)
        if address:
            q["address"] = address
        if self.country:
            q["country"] = self.country
        return q

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
