"""Air waybill parties from Cargo-IMP text messages (IATA Cargo Interchange Message Procedures):
FWB (air waybill data, versions 16 and 17) and FHL (consolidation list of house waybills, 4 and 5).

FWB: `FWB/16`, the consignment line `020-12345675LHRJFK/T2K25.0` (airline prefix, serial with its
check digit, origin, destination, shipment description code, pieces, weight code and weight), then
segments: a three-letter tag starting a line, its continuation lines starting with `/`. The party
segments SHP (shipper), CNE (consignee) and NFY (also notify) are positional:
    SHP/<account>                         NFY/<name>
    /<name>                               /<street>
    /<street>                             /<place>/<state>
    /<place>/<state>                      /<country>/<postcode>/<contact id>/<number>
    /<ISO 3166 alpha-2 country>/<postcode>/<contact id>/<contact number>
and AGT (agent) is `AGT/<account>/<IATA agent code>/<CASS address>/<participant id>`, `/<name>`,
`/<place>`. FHL: `FHL/5`, `MBI/<consignment line>` (the master), then per house waybill an HBS line
`HBS/<number>/<origin><destination>/<pieces>/<weight code><weight>/<SLAC>/<description>`, TXT
(goods), HTS (HS codes), OCI, and SHP / CNE blocks whose lines are tagged NAM (name), ADR (street),
LOC (place/state), the country and postcode following LOC as a continuation. Either form is read in
either message. OCI lines (`OCI/<country>/<SHP|CNE|...>/<T: tax id, EORI...>/<value>`) attach their
identifiers to the party they name (EU ICS2).

Choices:
- The air waybill serial's eighth digit is the first seven modulo 7. A bad one is a *warning* (`CargoResult.warnings`, `Waybill.check_digit_valid`): the parties are still
  screened, since refusing the message would leave them unscreened.
- A message that is not FWB/FHL, or whose consignment (or MBI) line cannot be read, is a
  MessageError naming the line. A party that cannot be fully read (no name, a country that is not
  ISO 3166 alpha-2, a line that fits nowhere) is still returned, carrying its own `errors`.
- `Party.kind` is "organization" unless the name starts with a personal title (MR, MRS, MS, MISS,
  MX, MME, MLLE, HERR, FRAU) and holds no legal form (LTD, GMBH, INC...): cargo messages do not say,
  and a title is the one clear sign. "MR PRICE GROUP LTD" stays an organisation.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import _native
from ..countries import COUNTRY_NAMES
from .model import MessageError, Party, digits

_HEADER = re.compile(r"^(FWB|FHL)(?:/(\d{1,3}))?$")
_CONSIGNMENT = re.compile(
    r"^(?P<prefix>\d{3})-(?P<serial>\d{8})(?P<origin>[A-Z]{3})(?P<destination>[A-Z]{3})"
    r"(?:/(?P<code>[TPSDM])(?P<pieces>\d{1,5})(?P<unit>[KL])(?P<weight>\d{1,7}(?:\.\d{1,2})?)(?P<rest>\S*))?$"
)
_TAGGED = re.compile(r"^([A-Z]{3})(?:/|$)")
_PARTY_ROLES = {"SHP": "shipper", "CNE": "consignee", "NFY": "notify", "AGT": "agent"}
_QUALIFIERS = ("NAM", "ADR", "LOC")  # FHL's tagged party lines
_CONTACT_IDS = frozenset({"TE", "FX", "TL", "EM", "TX", "PHO", "FAX", "TEL"})
_KNOWN_TAGS = frozenset({
    "FWB", "FHL", "FLT", "RTG", "SHP", "CNE", "AGT", "SSR", "NFY", "ACC", "CVD", "RTD", "OTH", "PPD", "COL", "CER",
    "ISU", "OSI", "REF", "COR", "COI", "SII", "ARD", "SPH", "NOM", "SRI", "OPI", "OCI", "TXT", "CDC", "MBI", "HBS",
    "HTS", "NAM", "ADR", "LOC",
})
_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "MX", "MME", "MLLE", "HERR", "FRAU"})
_VERSIONS = {"FWB": ("16", "17"), "FHL": ("4", "5")}


@dataclass
class Waybill:
    """A master air waybill (MAWB, `020-12345675`) or a house waybill (HAWB, the forwarder's number)."""

    number: str
    kind: str = "master"  # master | house
    master: str = ""  # a house waybill's MAWB
    origin: str = ""
    destination: str = ""
    pieces: int | None = None
    weight: str = ""  # as written, with its unit: "25.0 K" (K kilograms, L pounds)
    description: str = ""
    hs_codes: list[str] = field(default_factory=list)
    check_digit_valid: bool | None = None  # MAWB serial check digit; None for house waybills
    customs: list[dict[str, str]] = field(default_factory=list)  # OCI / IncludedCustomsNote rows
    source: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class CargoResult:
    """What a cargo message says about who ships to whom: its waybills, their parties, warnings
    about the message as a whole (bad AWB check digit, missing shipper, unknown segments)."""

    message: str  # FWB | FHL | XFWB | XFZB
    version: str = ""
    waybills: list[Waybill] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def waybill(self) -> str:
        """The message's (master) air waybill number."""
        return self.waybills[0].number if self.waybills else ""

    def queries(self) -> list[dict[str, Any]]:
        """One screening query per party that has a name."""
        return [p.to_query() for p in self.parties if p.name]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def awb_check_digit_ok(serial: str) -> bool:
    """Whether an 8-digit AWB serial's last digit is its first seven modulo 7 (12345675: 1234567 % 7 == 5)."""
    return len(serial) == 8 and digits(serial) and int(serial[:7]) % 7 == int(serial[7])


def check_digit_warning(where: str, prefix: str, serial: str) -> str | None:
    """The warning for an AWB whose serial fails its check digit, None when it agrees."""
    if awb_check_digit_ok(serial):
        return None
    return (
        f"{where}: air waybill {prefix}-{serial}: check digit {serial[7]} should be {int(serial[:7]) % 7} "
        "(first seven digits modulo 7): mistyped or altered number"
    )


def party_kind(name: str) -> str:
    """person when the name starts with a personal title and holds no legal form; else organization."""
    words = re.sub(r"[^\w\s]", " ", name.upper()).split()
    if len(words) >= 2 and words[0] in _TITLES and not _native.legal_form(name):
        return "person"
    return "organization"


def parse_cargo_imp(data: str | bytes) -> CargoResult:
    """Parties and waybills of an FWB or FHL message (a Type B envelope before the FWB/FHL line is
    skipped). MessageError, naming the line, when it is neither or its consignment line is unreadable."""
    lines = _lines(data)
    found = next(((i, m) for i, (_, text) in enumerate(lines) if (m := _HEADER.match(text))), None)
    if found is None:
        where = f"line {lines[0][0]}" if lines else "line 1"
        raise MessageError(where, "not a Cargo-IMP FWB or FHL message (no FWB/<version> or FHL/<version> line)")
    start, m = found
    number = lines[start][0]
    kind, version = m.group(1), m.group(2) or ""
    result = CargoResult(kind, version)
    if version not in _VERSIONS[kind]:
        layout = f"{kind}/{' and '.join(_VERSIONS[kind])}"
        result.warnings.append(f"line {number}: {kind} version {version or '(none)'} read with the {layout} layout")
    body = lines[start + 1 :]
    if not body:
        raise MessageError(f"line {number}", f"{kind} message ends before its {'consignment' if kind == 'FWB' else 'MBI'} line")
    first_number, first = body[0]
    if kind == "FHL":
        if not first.startswith("MBI/"):
            raise MessageError(f"line {first_number}", f"expected the MBI line (master waybill), found {first[:20]!r}")
        first = first[4:]
    master = _consignment(first, first_number, result)
    blocks = _blocks(body[1:], result)
    if kind == "FWB":
        _read_fwb(blocks, master, result)
    else:
        _read_fhl(blocks, master, result)
    return result


def detect_cargo_imp(data: str | bytes) -> str | None:
    """"fwb" or "fhl" when one of the first lines (after a Type B envelope) is FWB/<v> or FHL/<v>."""
    head = data[:2048]
    text = head.decode("latin-1") if isinstance(head, (bytes, bytearray)) else str(head)
    lines = [line.strip().upper() for line in text.splitlines() if line.strip()][:8]
    found = next((m for m in map(_HEADER.match, lines) if m), None)
    return found.group(1).lower() if found else None


# -- lines and blocks ------------------------------------------------------------------------------


@dataclass
class _Line:
    number: int
    tag: str  # the segment tag, "" for a continuation line
    fields: list[str]


def _lines(data: str | bytes) -> list[tuple[int, str]]:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")  # Type B is ASCII; never fail on a stray byte
    elif isinstance(data, str):
        text = data
    else:
        raise MessageError("line 1", f"expected text, got {type(data).__name__}")
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped:
            out.append((i, stripped.upper()))
    return out


def _blocks(lines: list[tuple[int, str]], result: CargoResult) -> list[list[_Line]]:
    """Segments: a tagged line and its `/` continuation lines. Lines that are neither, and
    continuations of nothing, are warned about and skipped."""
    blocks: list[list[_Line]] = []
    for number, text in lines:
        if text.startswith("/"):
            if blocks:
                blocks[-1].append(_Line(number, "", [f.strip() for f in text[1:].split("/")]))
            else:
                result.warnings.append(f"line {number}: continuation line with no segment, skipped")
            continue
        m = _TAGGED.match(text)
        if not m:
            result.warnings.append(f"line {number}: not a Cargo-IMP segment, skipped: {text[:20]!r}")
            continue
        tag = m.group(1)
        if tag not in _KNOWN_TAGS:
            result.warnings.append(f"line {number}: unknown segment {tag}, skipped")
        blocks.append([_Line(number, tag, [f.strip() for f in text[4:].split("/")] if len(text) > 3 else [])])
    return [b for b in blocks if b[0].tag in _KNOWN_TAGS]


def _consignment(text: str, number: int, result: CargoResult) -> Waybill:
    m = _CONSIGNMENT.match(text)
    if not m:
        raise MessageError(
            f"line {number}",
            f"not an air waybill consignment line (e.g. 020-12345675LHRJFK/T2K25.0): {text[:40]!r}",
        )
    warning = check_digit_warning(f"line {number}", m["prefix"], m["serial"])
    if warning:
        result.warnings.append(warning)
    waybill = Waybill(
        f"{m['prefix']}-{m['serial']}",
        origin=m["origin"],
        destination=m["destination"],
        pieces=int(m["pieces"]) if m["pieces"] else None,
        weight=f"{m['weight']} {m['unit']}" if m["weight"] else "",
        check_digit_valid=warning is None,
        source=f"line {number}",
    )
    result.waybills.append(waybill)
    return waybill


# -- FWB and FHL -----------------------------------------------------------------------------------


def _merge_party_lines(blocks: list[list[_Line]]) -> list[list[_Line]]:
    """FHL's NAM / ADR / LOC segments belong to the SHP / CNE block before them."""
    merged: list[list[_Line]] = []
    for block in blocks:
        if block[0].tag in _QUALIFIERS and merged and merged[-1][0].tag in _PARTY_ROLES:
            merged[-1] = merged[-1] + block
        else:
            merged.append(block)
    return merged


def _read_fwb(blocks: list[list[_Line]], master: Waybill, result: CargoResult) -> None:
    parties: list[Party] = []
    for block in _merge_party_lines(blocks):
        tag = block[0].tag
        if tag in _PARTY_ROLES:
            parties.append(_party(block, tag, master.number, "FWB"))
        elif tag == "OCI":
            master.customs += _customs_rows(block)
        elif tag == "RTD":
            _goods(block, master)
        elif tag in _QUALIFIERS:
            result.warnings.append(f"line {block[0].number}: {tag} outside a SHP/CNE block, skipped")
    for role, tag in (("shipper", "SHP"), ("consignee", "CNE")):
        if not any(p.role == role for p in parties):
            result.warnings.append(f"no {role} ({tag}) in the air waybill")
    attach_customs_ids(master.customs, parties)
    result.parties += parties


def _read_fhl(blocks: list[list[_Line]], master: Waybill, result: CargoResult) -> None:
    scope, parties = master, []  # parties before any HBS belong to the master

    def finish_scope() -> None:
        attach_customs_ids(scope.customs, parties)
        result.parties.extend(parties)
        parties.clear()

    for block in _merge_party_lines(blocks):
        tag = block[0].tag
        if tag == "HBS":
            finish_scope()
            scope = _house(block[0], master.number)
            result.waybills.append(scope)
        elif tag in _PARTY_ROLES:
            parties.append(_party(block, tag, scope.number, "FHL"))
        elif tag == "OCI":
            scope.customs += _customs_rows(block)
        elif tag == "TXT":
            text = " ".join("/".join(line.fields) for line in block).strip()
            scope.description = f"{scope.description} {text}".strip()
        elif tag == "HTS":
            scope.hs_codes += [f for line in block for f in line.fields if f]
        elif tag in _QUALIFIERS:
            result.warnings.append(f"line {block[0].number}: {tag} outside a SHP/CNE block, skipped")
    finish_scope()
    if len(result.waybills) == 1:
        result.warnings.append("no house waybill (HBS) in the consolidation list")


def _house(line: _Line, master: str) -> Waybill:
    f = line.fields + [""] * max(0, 6 - len(line.fields))
    number, route, pieces, weight, _slac = f[0], f[1], f[2], f[3], f[4]
    house = Waybill(number, kind="house", master=master, description="/".join(f[5:]).strip(), source=f"line {line.number}")
    if not re.fullmatch(r"[A-Z0-9]{1,12}", number):
        house.errors.append(f"line {line.number}: {number!r} is not a house waybill number (1-12 letters or digits)")
    if re.fullmatch(r"[A-Z]{6}", route):
        house.origin, house.destination = route[:3], route[3:]
    else:
        house.errors.append(f"line {line.number}: {route!r} is not an origin and destination (e.g. LHRJFK)")
    if digits(pieces):
        house.pieces = int(pieces)
    if re.fullmatch(r"[KL]\d{1,7}(?:\.\d{1,2})?", weight):
        house.weight = f"{weight[1:]} {weight[0]}"
    return house


def _goods(block: list[_Line], waybill: Waybill) -> None:
    """RTD continuation lines: /NG/ nature of goods, /NC/ consolidation, /NH/ HS code (after an
    optional line number: `/2/NG/ATTACHED LIST`)."""
    for line in block[1:]:
        fields = line.fields[1:] if line.fields[:1] and digits(line.fields[0]) else line.fields
        if len(fields) >= 2 and fields[0] in ("NG", "NC"):
            waybill.description = f"{waybill.description} {'/'.join(fields[1:])}".strip()
        elif len(fields) >= 2 and fields[0] == "NH":
            waybill.hs_codes += [x for x in fields[1:] if x]


# -- parties ---------------------------------------------------------------------------------------


def _party(block: list[_Line], tag: str, waybill: str, message: str) -> Party:
    """A party block: the SHP/CNE/NFY/AGT line, then positional `/` lines, or FHL's NAM/ADR/LOC."""
    head = block[0]
    party = Party(role=_PARTY_ROLES[tag], waybill=waybill, source=f"{message} line {head.number}")
    slots = ["name", "place"] if tag == "AGT" else ["name", "street", "place", "country"]
    extra: dict[str, Any] = {"segment": tag}
    streets: list[str] = []
    next_slot = 0
    lines = list(block)
    if tag == "AGT":
        ids = head.fields + [""] * 4
        extra.update({k: v for k, v in zip(("account", "iata_code", "cass_address", "participant"), ids) if v})
        lines = lines[1:]
    elif head.fields[:1] and head.fields[0] in _QUALIFIERS:
        lines[0] = _Line(head.number, head.fields[0], head.fields[1:])  # SHP/NAM/...
    elif tag == "NFY" and any(head.fields):  # NFY carries the name on its own line
        lines[0] = _Line(head.number, "NAM", head.fields)
    else:
        if head.fields and head.fields[0]:
            extra["account"] = head.fields[0]
        lines = lines[1:]

    country_lines = [i for i, line in enumerate(lines) if not line.tag and _looks_like_country(line.fields)]
    for i, line in enumerate(lines):
        fields = line.fields
        qualifier = line.tag if line.tag in _QUALIFIERS else ""
        if not qualifier and fields[:1] and fields[0] in _QUALIFIERS:  # /NAM/... written as a continuation
            qualifier, fields = fields[0], fields[1:]
        if qualifier:
            slot = {"NAM": "name", "ADR": "street", "LOC": "place"}[qualifier]
            next_slot = slots.index(slot) + 1 if slot in slots else len(slots)
        elif next_slot < len(slots) and slots[next_slot] == "country" and party.city and any(c > i for c in country_lines):
            # a second street line pushed the place down: what looked like the place was street
            streets.append("/".join(filter(None, (party.city, extra.pop("state", "")))))
            slot = "place"
        elif next_slot < len(slots):
            slot = slots[next_slot]
            next_slot += 1
        elif fields[:1] and fields[0] in _CONTACT_IDS:
            slot = "contact"
        else:
            party.errors.append(f"line {line.number}: unexpected line in the {tag} block: {'/'.join(fields)[:35]!r}")
            continue
        _fill(party, slot, fields, line.number, streets, extra)

    party.address = ", ".join(streets)
    if not party.name:
        party.errors.append(f"line {head.number}: {tag} block without a name")
    party.kind = party_kind(party.name) if party.name else "organization"
    party.extra = extra
    return party


def _looks_like_country(fields: list[str]) -> bool:
    return bool(fields) and len(fields[0]) == 2 and fields[0].isalpha() and fields[0] not in _CONTACT_IDS


def _fill(party: Party, slot: str, fields: list[str], number: int, streets: list[str], extra: dict[str, Any]) -> None:
    text = "/".join(fields).strip()
    if slot == "name":
        party.name = f"{party.name} {text}".strip()  # a second NAM line continues the name
    elif slot == "street":
        if text:
            streets.append(text)
    elif slot == "place":
        party.city = fields[0] if fields else ""
        if len(fields) > 1 and fields[1]:
            extra["state"] = fields[1]
    elif slot == "country":
        code = fields[0] if fields else ""
        if code in COUNTRY_NAMES:
            party.country = code
        else:
            party.errors.append(f"line {number}: {code!r} is not an ISO 3166-1 alpha-2 country code")
        if len(fields) > 1 and fields[1]:
            extra["postcode"] = fields[1]
        _contacts(fields[2:], extra)
    else:
        _contacts(fields, extra)


def _contacts(fields: list[str], extra: dict[str, Any]) -> None:
    for kind, value in zip(fields[0::2], fields[1::2]):
        if value:
            extra.setdefault("contacts", []).append({"type": kind, "number": value})


def _customs_rows(block: list[_Line]) -> list[dict[str, str]]:
    """OCI lines: country / information identifier (SHP, CNE, ISS...) / customs information
    identifier (T: tax or EORI number, ...) / supplementary information."""
    rows = []
    for line in block:
        f = line.fields + [""] * max(0, 4 - len(line.fields))
        if any(f[:4]):
            rows.append({"country": f[0], "subject": f[1], "type": f[2], "value": "/".join(f[3:]).strip()})
    return rows


def attach_customs_ids(rows: list[dict[str, str]], parties: list[Party]) -> None:
    """Identifiers whose subject names a party role (SHP, CNE, NFY, AGT) go to those parties'
    `extra["customs_ids"]` (OCI lines, Cargo-XML IncludedCustomsNote)."""
    for row in rows:
        role = _PARTY_ROLES.get(row["subject"])
        for party in parties:
            if role and party.role == role and row["value"]:
                party.extra.setdefault("customs_ids", []).append({k: row[k] for k in ("country", "type", "value")})
