"""UN/EDIFACT PAXLST, the Advance Passenger Information (API) manifest, into travellers.

Message `PAXLST:D:05B:UN:IATA` (and the older `D:02B`) as the WCO/IATA/ICAO API implementation guide
(v3.0 2010 to v6.0 2016) lays it out:

    UNH BGM [RFF] [DTM]  NAD+MS COM          header: document type (745 passengers, 250 crew), sender
    TDT+20 (LOC DTM)*    (repeated per leg)   flights: LOC+125/87/92 with DTM+189/232
    NAD+FL|FM|DDU|DDT ATT DTM+329 MEA GEI FTX LOC NAT RFF (DOC DTM LOC+91 ...)*   one group per traveller
    CNT+42 / CNT+41  UNT                      declared passenger / crew totals

Choices a PIU should know:
- Two-digit birth years (DTM+329:YYMMDD): a year later than the year the interchange was prepared
  (UNB) is last century, otherwise this one (prepared 2020: 20 -> 2020, 21 -> 1921). Flight and
  expiry dates take the century nearest to that year.
- CNT totals that disagree with the travellers read are a warning on the message, not an error: the
  travellers are returned anyway (`strict=True` makes it an error). `CNT+41+8` (value as a second
  element, seen in US APIS feeds) is read like `CNT+41:8`.
- A traveller group with damage (bad date, garbled segment, unknown NAD qualifier, no surname) keeps
  its traveller, with the problem in `Traveller.errors`; unknown qualifiers elsewhere are warnings.
- Traveller-level LOC: 178 or 125 embarkation, 179 or 87 debarkation (some feeds use the flight
  qualifiers), 22 clearance airport, 174 residence, 180 birthplace (free text allowed) into `extra`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .edifact import (
    FlightLeg,
    Interchange,
    Message,
    Segment,
    country_alpha3,
    document_type,
    edifact_date,
    guarded,
    read_interchange,
    split_flight,
)
from .model import MessageError, TravelDocumentInfo, Traveller, digits

__all__ = ["PaxlstMessage", "PaxlstResult", "parse_paxlst", "paxlst_from_interchange"]

DOCUMENT_NAMES = {"745": "passenger list", "250": "crew list", "266": "flight status update", "336": "master crew list"}
_CREW_LISTS = {"250", "336"}
TRAVELLER_ROLES = {"FL": "passenger", "DDU": "passenger", "FM": "crew", "DDT": "crew"}
_IN_TRANSIT = {"DDU", "DDT"}
COUNT_QUALIFIERS = {"42": "passengers", "41": "crew"}
SEXES = {"M": "M", "F": "F", "U": "U", "X": "X", "MALE": "M", "FEMALE": "F"}
SUPPORTED_VERSIONS = {("D", "02B"), ("D", "05B")}
# Segments of the D:05B PAXLST that carry nothing a screening needs.
_IGNORED = {"COM", "CTA", "MEA", "GEI", "FTX", "EMP", "QTY", "CPI", "AUT"}


@dataclass
class PaxlstMessage:
    """One PAXLST message (a manifest, or one part of a manifest sent in several messages)."""

    number: int
    reference: str
    identifier: str  # PAXLST:D:05B:UN:IATA
    document: str = ""  # BGM code: 745, 250, ...
    document_name: str = ""
    transfer: str = ""  # UNH S010, e.g. "01:C" for the first of several parts
    reporting_party: str = ""
    references: dict[str, str] = field(default_factory=dict)  # header RFF (TN: transaction) and DTM ("DTM+137")
    flights: list[FlightLeg] = field(default_factory=list)
    travellers: list[Traveller] = field(default_factory=list)
    declared_counts: dict[str, int] = field(default_factory=dict)  # CNT: {"passengers": 10, "crew": 0}
    warnings: list[str] = field(default_factory=list)


@dataclass
class PaxlstResult:
    """An interchange of PAXLST messages. `travellers` and `warnings` gather every message's."""

    sender: str = ""
    recipient: str = ""
    interchange_reference: str = ""
    prepared: str = ""  # YYYY-MM-DD[THH:MM], from UNB
    syntax: str = ""  # UNOA, ...
    encoding: str = ""
    messages: list[PaxlstMessage] = field(default_factory=list)
    travellers: list[Traveller] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def message_reference(self) -> str:
        return self.messages[0].reference if self.messages else ""

    @property
    def flights(self) -> list[FlightLeg]:
        seen: dict[tuple[str, str, str], FlightLeg] = {}
        for m in self.messages:
            for leg in m.flights:
                seen.setdefault((leg.label, leg.departure, leg.arrival), leg)
        return list(seen.values())


@guarded
def parse_paxlst(data: bytes | str, *, strict: bool = False) -> PaxlstResult:
    """Parse a PAXLST interchange (bytes or text). Raises only MessageError."""
    return paxlst_from_interchange(read_interchange(data, strict=strict), strict=strict)


@guarded
def paxlst_from_interchange(ic: Interchange, *, strict: bool = False) -> PaxlstResult:
    result = PaxlstResult(
        sender=ic.sender, recipient=ic.recipient, interchange_reference=ic.reference,
        prepared=ic.prepared, syntax=ic.syntax, encoding=ic.encoding, warnings=list(ic.warnings),
    )  # fmt: skip
    for message in ic.messages:
        if message.type != "PAXLST":
            result.warnings.append(f"{message.where}: {message.type} message ignored (not PAXLST)")
            continue
        read = _MessageReader(message, ic.year, strict).run()
        result.messages.append(read)
        result.travellers.extend(read.travellers)
        result.warnings.extend(read.warnings)
    if not result.messages:
        first = ic.messages[0]
        raise MessageError(first.where, f"not a PAXLST message: UNH says {first.type!r}")
    return result


class _Unreadable(Exception):
    """A value that cannot be read; becomes a traveller error or a message warning."""


class _MessageReader:
    def __init__(self, message: Message, year: int, strict: bool):
        self.message = message
        self.year = year
        self.strict = strict
        self.out = PaxlstMessage(
            number=message.number, reference=message.reference, identifier=message.identifier, transfer=message.transfer
        )
        self.traveller: Traveller | None = None
        self.traveller_segment: Segment | None = None
        self.document: TravelDocumentInfo | None = None
        self.leg: FlightLeg | None = None
        self.stops: list[str] = []  # LOC+92 of the current leg
        self.last_location = ""  # the current leg's last LOC code, which a DTM+189/232 dates
        self.counts: list[tuple[Segment, str, int]] = []

    # -- reporting

    def warn(self, seg: Segment, text: str) -> None:
        self.out.warnings.append(f"{seg.where}: {text}")

    def fault(self, seg: Segment, text: str) -> None:
        """Damage: on the traveller being read when there is one, else a warning."""
        if self.traveller is not None:
            self.traveller.errors.append(f"{seg.where}: {text}")
        else:
            self.warn(seg, text)

    # -- the walk

    def run(self) -> PaxlstMessage:
        m = self.message
        if (m.version.upper(), m.release.upper()) not in SUPPORTED_VERSIONS:
            self.warn(m.segments[0], f"PAXLST {m.version}:{m.release} is neither D:02B nor D:05B; read as D:05B")
        for seg in m.body:
            try:
                self.read(seg)
            except _Unreadable as e:
                self.fault(seg, str(e))
        self.finish_traveller()
        self.finish_leg()
        labels = [leg.label for leg in self.out.flights if leg.flight]
        for t in self.out.travellers:
            t.flights = list(labels)
        self.check_counts()
        return self.out

    def read(self, seg: Segment) -> None:
        if not seg.tag_ok:
            raise _Unreadable("garbled segment (no valid tag); skipped")
        handler = getattr(self, "on_" + seg.tag, None)
        if handler is not None:
            handler(seg)
        elif seg.tag in _IGNORED:
            if seg.tag in ("MEA", "EMP"):  # traveller-level: a DOC group before them has ended
                self.document = None
        else:
            self.warn(seg, "not a PAXLST segment; ignored")

    # -- header

    def on_BGM(self, seg: Segment) -> None:
        self.out.document = seg.get(0)
        self.out.document_name = DOCUMENT_NAMES.get(self.out.document, "")
        if not self.out.document_name:
            self.warn(seg, f"unknown document type {self.out.document!r}")

    def on_RFF(self, seg: Segment) -> None:
        qualifier, value = seg.get(0, 0).upper(), seg.get(0, 1)
        t = self.traveller
        if t is None:
            self.out.references[qualifier] = value
        elif qualifier == "AVF":
            t.reservation = value
        elif qualifier == "SEA":
            t.seat = value
        else:
            t.extra.setdefault("references", {})[qualifier] = value

    def on_NAD(self, seg: Segment) -> None:
        qualifier = seg.get(0).upper()
        if qualifier == "MS":
            if self.traveller is not None:
                self.finish_traveller()
                self.warn(seg, "reporting party (NAD+MS) after the travellers")
            name = " ".join(c for c in seg.components(3) if c) or " ".join(c for c in seg.components(1) if c)
            self.out.reporting_party = " ".join(name.split())
        elif qualifier in TRAVELLER_ROLES or self.leg is not None or self.out.flights or self.traveller is not None:
            self.start_traveller(seg, qualifier)  # after the flight, every NAD is a traveller
        else:
            self.warn(seg, f"unknown party qualifier {qualifier!r} before the flight; ignored")

    # -- flights

    def on_TDT(self, seg: Segment) -> None:
        self.finish_leg()
        if self.traveller is not None:
            self.warn(seg, "flight (TDT) after the travellers")
        if seg.get(0) not in ("20", ""):
            self.warn(seg, f"transport stage qualifier {seg.get(0)!r} (20 expected)")
        carrier, number = split_flight(seg.get(1), seg.get(4))
        self.leg = FlightLeg(carrier=carrier, number=number)
        self.stops, self.last_location = [], ""

    def finish_leg(self) -> None:
        leg = self.leg
        if leg is None:
            return
        if not leg.departure and self.stops:
            leg.departure = self.stops[0]
        if not leg.arrival and len(self.stops) > 1:
            leg.arrival = self.stops[-1]
        self.out.flights.append(leg)
        self.leg = None

    def on_LOC(self, seg: Segment) -> None:
        qualifier = seg.get(0)
        code = seg.get(1, 0).upper()
        if self.traveller is None:
            self.flight_location(seg, qualifier, code)
            return
        t = self.traveller
        if qualifier == "91":
            if self.document is None:
                raise _Unreadable("issuing country (LOC+91) outside a DOC group")
            self.document.country = country_alpha3(code)
        elif qualifier in ("178", "125"):
            if not t.embarkation or qualifier == "178":
                t.embarkation = code
        elif qualifier in ("179", "87"):
            if not t.debarkation or qualifier == "179":
                t.debarkation = code
        elif qualifier == "22":
            t.extra["clearance"] = code
        elif qualifier == "174":
            t.extra["residence"] = country_alpha3(code)
        elif qualifier == "180":
            place = ", ".join(c for c in seg.components(1)[::3] if c)  # code and/or free-text name
            t.extra["birthplace"] = place
        else:
            self.warn(seg, f"unknown traveller location qualifier {qualifier!r}; ignored")

    def flight_location(self, seg: Segment, qualifier: str, code: str) -> None:
        if self.leg is None:
            self.warn(seg, "location before any flight (TDT); ignored")
            return
        if qualifier == "125":
            self.leg.departure = code
        elif qualifier == "87":
            self.leg.arrival = code
        elif qualifier == "92":
            self.stops.append(code)
        else:
            self.warn(seg, f"unknown flight location qualifier {qualifier!r}; ignored")
            return
        self.last_location = code

    def on_DTM(self, seg: Segment) -> None:
        qualifier, value, fmt = seg.get(0, 0), seg.get(0, 1), seg.get(0, 2)
        if qualifier == "329":
            if self.traveller is None:
                raise _Unreadable("birth date (DTM+329) before any traveller")
            if value:
                self.traveller.birth_date = self.date(value, fmt, birth=True)
        elif qualifier in ("36", "182"):
            if self.document is None:
                raise _Unreadable(f"document date (DTM+{qualifier}) outside a DOC group")
            if qualifier == "36" and value:
                self.document.expires = self.date(value, fmt)
        elif qualifier in ("189", "232") and self.leg is not None and self.traveller is None:
            when = self.date(value, fmt) if value else ""
            if qualifier == "189":
                self.leg.departure_time = when
                if not self.leg.departure and self.last_location:
                    self.leg.departure = self.last_location
            else:
                self.leg.arrival_time = when
                if not self.leg.arrival and self.last_location:
                    self.leg.arrival = self.last_location
            if self.last_location in self.stops:
                self.stops.remove(self.last_location)  # placed by its date, not by its order
        elif self.traveller is None and self.leg is None:
            self.out.references["DTM+" + qualifier] = value
        else:
            self.warn(seg, f"unknown date qualifier {qualifier!r} here; ignored")

    def date(self, value: str, fmt: str, *, birth: bool = False) -> str:
        try:
            return edifact_date(value, fmt, self.year, birth=birth)
        except ValueError as e:
            raise _Unreadable(str(e)) from None

    # -- travellers

    def start_traveller(self, seg: Segment, qualifier: str) -> None:
        self.finish_traveller()
        index = len(self.out.travellers) + 1
        role = TRAVELLER_ROLES.get(qualifier, "crew" if self.out.document in _CREW_LISTS else "passenger")
        t = Traveller(role=role, source=f"PAXLST {self.message.number}/{index}")
        self.finish_leg()
        self.traveller, self.traveller_segment, self.document = t, seg, None
        self.out.travellers.append(t)
        if qualifier not in TRAVELLER_ROLES:
            t.errors.append(f"{seg.where}: unknown traveller qualifier {qualifier!r}; read as {role}")
        if qualifier in _IN_TRANSIT:
            t.extra["in_transit"] = True
        t.surname, t.given_names, unsplit = _name(seg)
        if unsplit:
            t.extra["name_unsplit"] = True
        t.address = _address(seg)

    def finish_traveller(self) -> None:
        t = self.traveller
        if t is not None and not t.surname:
            t.errors.append(f"{self.traveller_segment.where}: no surname")  # type: ignore[union-attr]
        self.traveller = self.traveller_segment = self.document = None

    def on_ATT(self, seg: Segment) -> None:
        t = self.need_traveller(seg)
        self.document = None
        if seg.get(0) != "2":
            self.warn(seg, f"unknown attribute qualifier {seg.get(0)!r}; ignored")
            return
        code = seg.get(2).upper()
        if code not in SEXES:
            raise _Unreadable(f"sex {code!r} is not M, F, U or X")
        t.sex = SEXES[code]

    def on_NAT(self, seg: Segment) -> None:
        t = self.need_traveller(seg)
        self.document = None
        code = country_alpha3(seg.get(1))
        if seg.get(0) in ("2", ""):
            t.nationality = code
        else:
            t.extra.setdefault("nationalities", []).append(code)

    def on_DOC(self, seg: Segment) -> None:
        t = self.need_traveller(seg)
        number = seg.get(1).replace(" ", "").upper()
        self.document = TravelDocumentInfo(number=number, type=document_type(seg.get(0)))
        t.documents.append(self.document)

    def need_traveller(self, seg: Segment) -> Traveller:
        if self.traveller is None:
            raise _Unreadable("traveller detail before any traveller (NAD)")
        return self.traveller

    # -- totals

    def on_CNT(self, seg: Segment) -> None:
        elements = seg.elements
        i = 0
        while i < len(elements):
            qualifier = seg.get(i, 0)
            value = seg.get(i, 1)
            if not value and i + 1 < len(elements) and len(elements[i + 1]) == 1 and digits(seg.get(i + 1)):
                value = seg.get(i + 1)  # CNT+41+8
                i += 1
            i += 1
            if not digits(value):
                self.warn(seg, f"count {value!r} is not a number")
            elif qualifier not in COUNT_QUALIFIERS:
                self.warn(seg, f"unknown count qualifier {qualifier!r}; ignored")
            else:
                self.counts.append((seg, qualifier, int(value)))
                self.out.declared_counts[COUNT_QUALIFIERS[qualifier]] = int(value)

    def check_counts(self) -> None:
        read = {
            "passengers": sum(t.role == "passenger" for t in self.out.travellers),
            "crew": sum(t.role == "crew" for t in self.out.travellers),
        }
        for seg, qualifier, declared in self.counts:
            what = COUNT_QUALIFIERS[qualifier]
            if declared != read[what]:
                text = f"CNT+{qualifier} declares {declared} {what}; the message lists {read['passengers']} passengers and {read['crew']} crew"
                if self.strict:
                    raise MessageError(seg.where, text)
                self.warn(seg, text)


def _name(seg: Segment) -> tuple[str, str, bool]:
    """Surname, given names, and whether the name came unsplit (one component holding it all)."""
    parts = [" ".join(c.split()) for c in seg.components(3)[:5]]
    if not any(parts):
        parts = [" ".join(" ".join(seg.components(2)).split())]  # C058: free-form name and address
    surname, given = parts[0], " ".join(p for p in parts[1:] if p)
    if given or not surname:
        return surname, given, False
    if "/" in surname:  # SURNAME/GIVEN, as reservation systems write it
        surname, _, given = surname.partition("/")
        return surname.strip(), " ".join(given.replace("/", " ").split()), True
    return surname, "", " " in surname


def _address(seg: Segment) -> str:
    street = " ".join(c for c in seg.components(4) if c)
    rest = [seg.get(i) for i in range(5, 9)]  # city, country sub-entity, postcode, country
    return ", ".join(p for p in [street, *rest] if p)
