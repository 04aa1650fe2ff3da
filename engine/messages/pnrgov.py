"""PNRGOV (IATA/WCO/ICAO PNR push to governments, EDIFACT `PNRGOV:10:1:IA` to `PNRGOV:17:1:IA`) into
travellers, one list per PNR.

A message carries the flight it is pushed for and then one SRC group per PNR:

    UNH MSG ORG TVL EQN                              the flight (TVL, dates DDMMYY) and the PNR count
    SRC RCI DAT ORG ADD ... (TIF FTI REF FAR SSR TKT ...)*    booking: record locator, travellers
        (TVL RPI APD SSR RCI (TRI TIF SSD TBD)*)*             itinerary: legs, seats, check-in
        (ABI DAT SAC TIF SSR TVL ...)* LTS*                    history: ignored (it restates old data)
    UNT

Reading choices:
- TIF names: `TIF+SMITH+JOHNMR:A:1`. Titles are stripped from the given names when spaced (`NINA MS`)
  and when glued to the end (`JOHNMR`): MR, MRS, MS, MSTR, MISS, DR (spaced only: PROF, REV, SIR, CAPT,
  MME, MLLE). Glued MS and DR are ambiguous (WILLIAMS, ALEKSANDR), so a few names are exempt; the name
  as booked is kept in `extra["booking_name"]`. A doubled one-letter surname (`YY`) is the letter
  itself. A TIF with qualifier G is a group name (`Pnr.group_name`), not a traveller; passenger type
  IN makes an infant.
- SSR DOCS (`/P/GBR/123456789/GBR/12JUL82/M/23OCT19/SMITH/JOHN`: type, issuing state, number,
  nationality, birth date, sex, expiry, surname, given names) is the better identity source: its name,
  birth date, sex and nationality override the booking. Fields shifted by one (a missing or extra
  leading field) are realigned on the birth date and sex. DOCA gives the address, DOCO visas.
- An SSR is given to a traveller by: infant sex (FI/MI) -> an infant; traveller reference (`+::2`);
  name; the TIF it follows; the only traveller. One that matches no traveller adds one, with a warning;
  so does a check-in TIF (TRI) naming nobody booked, since a PIU would rather see too many names.
- Two-digit birth years follow the PAXLST rule (later than the interchange year -> 19xx).
- An EQN count that disagrees with the SRC groups read is a warning (`strict=True`: an error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .edifact import (
    FlightLeg,
    Interchange,
    Message,
    Segment,
    country_alpha3,
    ddmmmyy_date,
    ddmmyy_date,
    document_type,
    guarded,
    pad_flight_number,
    read_interchange,
    split_flight,
)
from .model import MessageError, TravelDocumentInfo, Traveller, digits

__all__ = ["Pnr", "PnrgovMessage", "PnrgovResult", "parse_pnrgov", "pnrgov_from_interchange", "strip_titles"]


@dataclass
class Pnr:
    number: int  # 1-based SRC group in its message
    locator: str = ""  # the PNR's record locator (first RCI)
    record_locators: list[str] = field(default_factory=list)  # "1A:2LS6KP", "KE:EDP2RW"
    group_name: str = ""
    address: str = ""  # booking contact address (ADD before any traveller)
    flights: list[FlightLeg] = field(default_factory=list)
    travellers: list[Traveller] = field(default_factory=list)


@dataclass
class PnrgovMessage:
    number: int
    reference: str
    identifier: str  # PNRGOV:13:1:IA
    flight: FlightLeg | None = None  # the flight the PNRs are pushed for
    declared_pnrs: int | None = None  # EQN
    pnrs: list[Pnr] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def travellers(self) -> list[Traveller]:
        return [t for p in self.pnrs for t in p.travellers]


@dataclass
class PnrgovResult:
    """An interchange of PNRGOV messages; `pnrs`, `travellers` and `warnings` gather all messages'."""

    sender: str = ""
    recipient: str = ""
    interchange_reference: str = ""
    prepared: str = ""
    syntax: str = ""
    encoding: str = ""
    messages: list[PnrgovMessage] = field(default_factory=list)
    pnrs: list[Pnr] = field(default_factory=list)
    travellers: list[Traveller] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def message_reference(self) -> str:
        return self.messages[0].reference if self.messages else ""

    @property
    def flights(self) -> list[FlightLeg]:
        return [m.flight for m in self.messages if m.flight is not None]


@guarded
def parse_pnrgov(data: bytes | str, *, strict: bool = False) -> PnrgovResult:
    """Parse a PNRGOV interchange (bytes or text). Raises only MessageError."""
    return pnrgov_from_interchange(read_interchange(data, strict=strict), strict=strict)


@guarded
def pnrgov_from_interchange(ic: Interchange, *, strict: bool = False) -> PnrgovResult:
    result = PnrgovResult(
        sender=ic.sender, recipient=ic.recipient, interchange_reference=ic.reference,
        prepared=ic.prepared, syntax=ic.syntax, encoding=ic.encoding, warnings=list(ic.warnings),
    )  # fmt: skip
    for message in ic.messages:
        if message.type != "PNRGOV":
            result.warnings.append(f"{message.where}: {message.type} message ignored (not PNRGOV)")
            continue
        read = _MessageReader(message, ic.year, strict).run()
        result.messages.append(read)
        result.pnrs.extend(read.pnrs)
        result.travellers.extend(read.travellers)
        result.warnings.extend(read.warnings)
    if not result.messages:
        first = ic.messages[0]
        raise MessageError(first.where, f"not a PNRGOV message: UNH says {first.type!r}")
    return result


# --------------------------------------------------------------------------------------------------
# Names

TITLES = ("MSTR", "MISS", "MRS", "MR", "MS", "DR")  # longest first: MRS before MR
_SPACED_TITLES = set(TITLES) | {"PROF", "REV", "SIR", "CAPT", "MME", "MLLE"}
_GLUED_EXEMPT = {"MS": ("WILLIAMS", "ADAMS"), "DR": ("ANDR",)}  # WILLIAMS, ALEKSANDR: not titles
_VOWELS = set("AEIOUY")


def strip_titles(given: str) -> tuple[str, str]:
    """Given names without a title, and the title: `JOHNMR` -> (`JOHN`, `MR`), `NINA MS` -> (`NINA`,
    `MS`), `MRJONATHON` -> (`JONATHON`, `MR`), `ALEKSANDR` unchanged."""
    tokens = given.upper().split()
    if not tokens:
        return "", ""
    if len(tokens) > 1 and tokens[-1] in _SPACED_TITLES:
        return " ".join(tokens[:-1]), tokens[-1]
    if len(tokens) > 1 and tokens[0] in _SPACED_TITLES:
        return " ".join(tokens[1:]), tokens[0]
    last = tokens[-1]
    for title in TITLES:
        rest = last[: -len(title)]
        if last.endswith(title) and len(rest) >= (2 if title in _GLUED_EXEMPT else 1):
            if any(last.endswith(e) for e in _GLUED_EXEMPT.get(title, ())):
                break
            return " ".join(tokens[:-1] + [rest]), title
    first = tokens[0]
    for title in ("MRS", "MR"):  # glued before the name, as some DOCS write it: only before a consonant
        rest = first[len(title) :]
        if first.startswith(title) and len(rest) >= 2 and rest[0].isalpha() and rest[0] not in _VOWELS:
            return " ".join([rest] + tokens[1:]), title
    return " ".join(tokens), ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _surname(text: str) -> str:
    s = _clean(text).upper()
    return s[0] if re.fullmatch(r"([A-Z])\1", s) else s  # one-letter surnames are booked doubled


def _name_key(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


# --------------------------------------------------------------------------------------------------
# SSR free text


class _Unreadable(Exception):
    pass


_DDMMMYY = re.compile(r"[0-9]{1,2}[A-Z]{3}(?:[0-9]{2}|[0-9]{4})")
_DOCS_SEXES = {"M": "M", "F": "F", "U": "U", "X": "X", "MI": "M", "FI": "F", "UI": "U"}


def _fields(text: str) -> list[str]:
    parts = [p.strip() for p in text.split("/")]
    return parts[1:] if parts and parts[0] == "" else parts


@dataclass
class _Docs:
    type: str = ""
    issuing: str = ""
    number: str = ""
    nationality: str = ""
    birth_date: str = ""
    sex: str = ""
    infant: bool = False
    expires: str = ""
    surname: str = ""
    given: str = ""
    errors: list[str] = field(default_factory=list)


def parse_docs(text: str, year: int) -> _Docs:
    """SSR DOCS free text; fields shifted by one are realigned on the birth date + sex pair."""
    f = _fields(text)
    anchor = next((i for i in range(len(f) - 1) if _DDMMMYY.fullmatch(f[i].upper()) and f[i + 1].upper() in _DOCS_SEXES), None)
    if anchor is not None and anchor != 4:
        f = f[anchor - 4 :] if anchor > 4 else [""] * (4 - anchor) + f
    f += [""] * (10 - len(f))
    d = _Docs(
        type=document_type(f[0]),
        issuing=country_alpha3(f[1]),
        number=f[2].replace(" ", "").upper(),
        nationality=country_alpha3(f[3]),
    )
    sex = f[5].upper()
    if sex:
        if sex in _DOCS_SEXES:
            d.sex, d.infant = _DOCS_SEXES[sex], sex.endswith("I") and len(sex) == 2
        else:
            d.errors.append(f"DOCS sex {f[5]!r} is not M, F, U, X, MI or FI")
    for attr, value, birth in (("birth_date", f[4], True), ("expires", f[6], False)):
        if value:
            try:
                setattr(d, attr, ddmmmyy_date(value, year, birth=birth))
            except ValueError as e:
                d.errors.append(f"DOCS {e}")
    d.surname = _clean(f[7]).upper()
    d.given = " ".join(g for g in (strip_titles(p)[0] for p in f[8:10]) if g)  # MOLLYMRS/ZARA
    return d


# --------------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Booked:
    traveller: Traveller
    reference: str = ""


@dataclass
class _Ssr:
    segment: Segment
    code: str
    text: str
    reference: str
    context: _Booked | None


class _MessageReader:
    def __init__(self, message: Message, year: int, strict: bool):
        self.message = message
        self.year = year
        self.strict = strict
        self.out = PnrgovMessage(number=message.number, reference=message.reference, identifier=message.identifier)
        self.eqn: Segment | None = None

    def run(self) -> PnrgovMessage:
        pnr: _PnrReader | None = None
        for seg in self.message.body:
            if seg.tag == "SRC":
                if pnr is not None:
                    pnr.finish()
                pnr = _PnrReader(self, len(self.out.pnrs) + 1)
                self.out.pnrs.append(pnr.pnr)
            elif pnr is not None:
                pnr.read(seg)
            else:
                self.header(seg)
        if pnr is not None:
            pnr.finish()
        if self.eqn is not None and self.out.declared_pnrs is not None and self.out.declared_pnrs != len(self.out.pnrs):
            text = f"EQN declares {self.out.declared_pnrs} PNRs; the message has {len(self.out.pnrs)}"
            if self.strict:
                raise MessageError(self.eqn.where, text)
            self.warn(self.eqn, text)
        return self.out

    def warn(self, seg: Segment, text: str) -> None:
        self.out.warnings.append(f"{seg.where}: {text}")

    def header(self, seg: Segment) -> None:
        if not seg.tag_ok:
            self.warn(seg, "garbled segment (no valid tag); skipped")
        elif seg.tag == "TVL":
            leg, operating_only = self.leg(seg)
            if self.out.flight is None and leg is not None:
                self.out.flight = leg
            elif operating_only and self.out.flight is not None:
                self.out.flight.operating_number = operating_only
        elif seg.tag == "EQN" and self.eqn is None:
            self.eqn = seg
            count = seg.get(0)
            if digits(count):
                self.out.declared_pnrs = int(count)
            else:
                self.warn(seg, f"PNR count {count!r} is not a number")

    def leg(self, seg: Segment) -> tuple[FlightLeg | None, str]:
        """A flight leg, or (None, operating flight number) for `TVL+++++624:M` (the codeshare's
        operating flight), or (None, "") for what is no flight (hotel, car)."""
        dep, arr, number = seg.get(1, 0).upper(), seg.get(2, 0).upper(), seg.get(4, 0)
        if not dep and not arr and not seg.get(0, 0) and number:
            return None, pad_flight_number(number)
        if not (dep and arr and number):
            return None, ""
        carrier, num = split_flight(number, seg.get(3, 0) or "")
        leg = FlightLeg(carrier=carrier, number=num, departure=dep, arrival=arr, operating_carrier=seg.get(3, 1).upper())
        dep_date, dep_time, arr_date, arr_time = (seg.get(0, i) for i in range(4))
        if len(arr_date) == 4 and not arr_time:  # `120518:1220:1505`: an arrival time without its date
            arr_date, arr_time = dep_date, arr_date
        elif not arr_date and arr_time:  # `121210:0915::1230`: arrival the same day
            arr_date = dep_date
        leg.departure_time = self.when(seg, dep_date, dep_time)
        leg.arrival_time = self.when(seg, arr_date, arr_time)
        return leg, ""

    def when(self, seg: Segment, date: str, time: str) -> str:
        if not date:
            return ""
        try:
            day = ddmmyy_date(date, self.year)
        except ValueError as e:
            self.warn(seg, str(e))
            return ""
        if len(time) == 4 and digits(time) and int(time[:2]) < 24 and int(time[2:]) < 60:
            return f"{day}T{time[:2]}:{time[2:]}"
        return day


class _PnrReader:
    """One SRC group: booking, then itinerary and check-in, then history (skipped)."""

    def __init__(self, owner: _MessageReader, number: int):
        self.msg = owner
        self.pnr = Pnr(number=number)
        self.phase = "booking"
        self.booked: list[_Booked] = []
        self.current: _Booked | None = None  # the TIF being read (booking) or checked in (TRI)
        self.ssrs: list[_Ssr] = []
        self.seats: dict[tuple[int, str], str] = {}  # (leg index, traveller reference) -> seat

    # -- reporting

    def warn(self, seg: Segment, text: str) -> None:
        self.msg.warn(seg, text)

    def fault(self, seg: Segment, text: str, who: _Booked | None = None) -> None:
        who = who or self.current
        if who is not None:
            who.traveller.errors.append(f"{seg.where}: {text}")
        else:
            self.warn(seg, text)

    # -- the walk

    def read(self, seg: Segment) -> None:
        if not seg.tag_ok:
            self.fault(seg, "garbled segment (no valid tag); skipped")
            return
        tag = seg.tag
        if self.phase == "history":
            return
        if tag in ("ABI", "SAC", "LTS"):
            self.phase, self.current = "history", None
        elif tag == "TVL":
            self.on_TVL(seg)
        elif tag == "TRI":
            self.phase, self.current = "checkin", None
        elif tag == "TIF":
            self.on_TIF(seg)
        elif tag == "SSR":
            self.on_SSR(seg)
        elif tag == "SSD" and self.phase == "checkin":
            seat = seg.get(0).upper()
            if self.current is not None and self.pnr.flights and seat and seat != "XXX":
                self.seats[(len(self.pnr.flights) - 1, self.current.reference or str(id(self.current)))] = seat
        elif tag == "RCI" and self.phase == "booking":
            for i in range(len(seg.elements)):
                company, locator = seg.get(i, 0), seg.get(i, 1)
                if locator:
                    self.pnr.record_locators.append(f"{company}:{locator}" if company else locator)
                    self.pnr.locator = self.pnr.locator or locator
        elif tag == "ADD" and self.phase == "booking":
            address = ", ".join(p for p in seg.components(1)[1:7] if p)
            if self.current is not None:
                self.current.traveller.address = self.current.traveller.address or address
            elif address:
                self.pnr.address = self.pnr.address or address

    def on_TVL(self, seg: Segment) -> None:
        leg, operating = self.msg.leg(seg)
        if leg is not None:
            self.pnr.flights.append(leg)
            self.phase, self.current = "itinerary", None
        elif operating and self.pnr.flights:
            self.pnr.flights[-1].operating_number = operating

    def on_TIF(self, seg: Segment) -> None:
        if seg.get(0, 1).upper() == "G":  # a group name, not a traveller
            self.pnr.group_name = self.pnr.group_name or _clean(seg.get(0, 0))
            self.current = None
            return
        if self.phase == "booking":
            for booked in _travellers_of(seg):
                self.add(booked)
            return
        # Check-in (TRI) or itinerary: the TIF names someone already booked.
        found = self.find(
            seg.get(1, 2), _surname(seg.get(0, 0)), strip_titles(seg.get(1, 0))[0], infant=seg.get(1, 1).upper() in ("IN", "INF")
        )
        if found is None:
            candidates = _travellers_of(seg)
            if not candidates:
                return
            found = candidates[0]
            self.add(found)
            self.warn(
                seg,
                f"check-in names {found.traveller.surname}/{found.traveller.given_names}, who is not among the PNR's travellers; added",
            )
        self.current = found

    def add(self, booked: _Booked) -> None:
        t = booked.traveller
        t.source = f"PNRGOV {self.msg.out.number}/{self.pnr.number}/{len(self.booked) + 1}"
        self.booked.append(booked)
        self.pnr.travellers.append(t)
        self.current = booked

    def on_SSR(self, seg: Segment) -> None:
        code = seg.get(0, 0).upper()
        if code in ("DOCS", "DOCO", "DOCA", "INFT"):
            raw = seg.elements[0]
            text = ":".join(raw[8:]) if len(raw) > 8 else next((c for c in raw[4:] if "/" in c), "")
            context = self.current if self.phase == "booking" else None
            self.ssrs.append(_Ssr(seg, code, text.strip(), seg.get(1, 2), context))
        elif code == "SEAT" and self.pnr.flights:
            leg = len(self.pnr.flights) - 1
            for i in range(1, len(seg.elements)):
                seat, ref = seg.get(i, 0).upper(), seg.get(i, 2)
                if seat and seat != "XXX" and ref:
                    self.seats.setdefault((leg, ref), seat)

    # -- matching SSRs to travellers

    def find(self, reference: str, surname: str, given: str, *, infant: bool) -> _Booked | None:
        pool = [b for b in self.booked if (b.traveller.role == "infant") == infant]
        if reference and not infant:
            for b in pool:
                if b.reference == reference:
                    return b
        key = _name_key(surname)
        same = [b for b in pool if key and _name_key(b.traveller.surname) == key]
        if len(same) > 1 and given:
            g = _name_key(given)
            same = [b for b in same if _given_compatible(g, b.traveller)]
        return same[0] if len(same) == 1 else None

    def owner(self, ssr: _Ssr, surname: str, given: str, *, infant: bool, create: bool = True) -> _Booked:
        found = self.find(ssr.reference, surname, given, infant=infant)
        if found is None and not infant and ssr.context is not None:
            found = ssr.context
        if found is None:
            pool = [b for b in self.booked if (b.traveller.role == "infant") == infant]
            if len(pool) == 1 and (infant or not surname or _name_key(pool[0].traveller.surname) == _name_key(surname)):
                found = pool[0]
        if found is None and not create:
            raise _Unreadable(f"{ssr.code} matches none of the PNR's travellers; ignored")
        if found is None:
            found = _Booked(Traveller(role="infant" if infant else "passenger", surname=surname, given_names=given), reference="")
            found.traveller.extra["booking_name"] = ""
            self.add(found)
            self.warn(ssr.segment, f"{ssr.code} for {surname or '?'}/{given}, who is not among the PNR's travellers; added")
        return found

    def finish(self) -> None:
        for ssr in self.ssrs:
            try:
                getattr(self, "apply_" + ssr.code)(ssr)
            except _Unreadable as e:
                self.fault(ssr.segment, str(e), ssr.context)
        flight = self.msg.out.flight
        labels = [leg.label for leg in self.pnr.flights] or ([flight.label] if flight else [])
        leg_index = next((i for i, leg in enumerate(self.pnr.flights) if flight and _same_leg(leg, flight)), None)
        for b in self.booked:
            t = b.traveller
            t.flights = list(labels)
            t.reservation = self.pnr.locator
            if flight is not None:
                t.embarkation, t.debarkation = flight.departure, flight.arrival
            key = b.reference or str(id(b))
            seats = {self.pnr.flights[i].label: s for (i, ref), s in sorted(self.seats.items()) if ref == key}
            if seats:
                t.extra["seats"] = seats
            if leg_index is not None:
                t.seat = self.seats.get((leg_index, key), "")
            if self.pnr.record_locators:
                t.extra["record_locators"] = list(self.pnr.record_locators)
            if self.pnr.group_name:
                t.extra["group_name"] = self.pnr.group_name
            if not t.surname:
                t.errors.append(f"PNR {self.pnr.number} ({self.pnr.locator}): traveller without a surname")

    def apply_DOCS(self, ssr: _Ssr) -> None:
        d = parse_docs(ssr.text, self.msg.year)
        who = self.owner(ssr, d.surname, d.given, infant=d.infant)
        t = who.traveller
        t.errors.extend(f"{ssr.segment.where}: {e}" for e in d.errors)
        if d.surname and not t.extra.get("name_from_docs"):
            t.surname, t.given_names = d.surname, d.given
            t.extra["name_from_docs"] = True
        t.birth_date = t.birth_date or d.birth_date
        t.sex = t.sex or d.sex
        t.nationality = t.nationality or d.nationality
        if d.number or d.type:
            _add_document(t, TravelDocumentInfo(number=d.number, type=d.type, country=d.issuing, expires=d.expires))

    def apply_DOCA(self, ssr: _Ssr) -> None:
        f = _fields(ssr.text) + [""] * 7
        t = self.owner(ssr, "", "", infant=f[6].upper() == "I", create=False).traveller
        kind = f[0].upper()
        address = ", ".join(p for p in (f[2], f[3], f[4], f[5], country_alpha3(f[1])) if p)
        if kind == "D":
            t.extra["destination_address"] = address
        elif address and (kind == "R" or not t.address):
            t.address = address

    def apply_DOCO(self, ssr: _Ssr) -> None:
        f = _fields(ssr.text) + [""] * 7
        t = self.owner(ssr, "", "", infant=f[6].upper() == "I", create=False).traveller
        if f[0]:
            t.extra["birthplace"] = _clean(f[0])
        kind, number = f[1].upper(), f[2].replace(" ", "").upper()
        if kind == "V" and number:
            _add_document(t, TravelDocumentInfo(number=number, type="visa", country=country_alpha3(f[5])))
        elif kind == "K" and number:
            t.extra["known_traveller_number"] = number
        elif kind == "R" and number:
            t.extra["redress_number"] = number

    def apply_INFT(self, ssr: _Ssr) -> None:
        surname, _, rest = ssr.text.strip().lstrip("/").partition("/")
        tokens = rest.split()
        birth = ""
        if tokens and _DDMMMYY.fullmatch(tokens[-1].upper()):
            try:
                birth = ddmmmyy_date(tokens.pop(), self.msg.year, birth=True)
            except ValueError as e:
                raise _Unreadable(f"INFT {e}") from None
        who = self.owner(ssr, _clean(surname).upper(), strip_titles(" ".join(tokens))[0], infant=True)
        who.traveller.birth_date = who.traveller.birth_date or birth
        if ssr.reference:
            who.traveller.extra.setdefault("accompanying_reference", ssr.reference)


def _travellers_of(seg: Segment) -> list[_Booked]:
    """TIF+SURNAME[:qualifier]+GIVEN:TYPE:REF:INFANT-INDICATOR[+GIVEN:...]: one traveller per given-name
    element (several travellers may share one surname)."""
    surname = _surname(seg.get(0, 0))
    out: list[_Booked] = []
    for i in range(1, max(len(seg.elements), 2)):
        raw_given = _clean(seg.get(i, 0))
        given, title = strip_titles(raw_given)
        ptype = seg.get(i, 1).upper()
        t = Traveller(role="infant" if ptype in ("IN", "INF") else "passenger", surname=surname, given_names=given)
        t.extra["booking_name"] = f"{_clean(seg.get(0, 0))}/{raw_given}"
        if title:
            t.extra["title"] = title
        if ptype:
            t.extra["passenger_type"] = ptype
        if seg.get(i, 2):
            t.extra["traveller_reference"] = seg.get(i, 2)
        if seg.get(i, 3) == "1":
            t.extra["accompanied_by_infant"] = True
        out.append(_Booked(t, seg.get(i, 2)))
    return out


def _given_compatible(key: str, t: Traveller) -> bool:
    other = _name_key(t.given_names)
    return not key or not other or key.startswith(other) or other.startswith(key)


def _same_leg(a: FlightLeg, b: FlightLeg) -> bool:
    return a.departure == b.departure and a.arrival == b.arrival and a.departure_time[:10] == b.departure_time[:10]


def _add_document(t: Traveller, doc: TravelDocumentInfo) -> None:
    for known in t.documents:
        if known.number == doc.number and known.type in (doc.type, "") and known.country in (doc.country, ""):
            known.type = known.type or doc.type
            known.country = known.country or doc.country
            known.expires = known.expires or doc.expires
            return
    t.documents.append(doc)
