"""The holder of a machine-readable zone (ICAO Doc 9303, 8th edition 2021, parts 3-7) as a traveller.

`engine.mrz` reads the zone (layout, check digits); this module adds what screening needs: names
split at `<<`, dates with their century, sex, countries normalised, and a `Traveller(role="holder")`.

Tolerance, and where it stops:
- surrounding whitespace, blank lines, lower case, a zone on one line (see engine.mrz.split_lines);
- OCR slips only where the specification fixes a field's character set: a letter in a numeric date
  field (O->0, I->1, S->5, B->8, ...) or a digit in an alphabetic field (names, codes, sex; 0->O,
  1->I, 5->S, ...) is read as its look-alike and listed in `corrections`. Document numbers and
  optional data may hold both, so they are never changed; nor are check digits: a wrong one is
  reported in `checks` and `errors`, never "fixed".
- Centuries: a birth year later than the current year is 19xx, otherwise 20xx (no birth year
  after this one; a holder over 100 reads as born this century); an expiry year is always
  20xx: documents in use expire after 2000 (a zone that expired in the 1990s reads as 20xx).
- Countries: ISO 3166-1 alpha-3 as printed; Doc 9303's own codes (part 3) are mapped to what
  `engine.countries` knows where they name a state (D -> DEU, GBD/GBN/GBO/GBP/GBS -> GBR,
  RKS -> XKX) and otherwise kept as written with an explanation in `notes` (XXA stateless, UNO
  United Nations, XOM Order of Malta...); `same_country` compares those as written.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import mrz as _zone
from ..countries import ALPHA3_TO_ALPHA2, to_iso2
from ..model import InputError
from .model import MessageError, TravelDocumentInfo, Traveller, digits

# Doc 9303 part 3: codes that are not ISO 3166-1 alpha-3. Those naming a state map to its code.
_STATE_CODES = {
    "D": ("DEU", "Germany"),
    "GBD": ("GBR", "British Overseas Territories citizen"),
    "GBN": ("GBR", "British National (Overseas)"),
    "GBO": ("GBR", "British Overseas citizen"),
    "GBP": ("GBR", "British protected person"),
    "GBS": ("GBR", "British subject"),
    "RKS": ("XKX", "Kosovo"),
}
# ... and those naming no state: kept as written, explained.
_SPECIAL_CODES = {
    "UNO": "United Nations Organization or one of its officials",
    "UNA": "specialized agency of the United Nations or one of its officials",
    "UNK": "resident of Kosovo issued a travel document by UNMIK",
    "XXA": "stateless person (1954 Convention)",
    "XXB": "refugee (1951 Convention)",
    "XXC": "refugee other than under the 1951 Convention",
    "XXX": "person of unspecified nationality",
    "EUE": "European Union",
    "XBA": "African Development Bank",
    "XIM": "African Export-Import Bank",
    "XCC": "Caribbean Community (CARICOM)",
    "XCE": "Council of Europe",
    "XCO": "Common Market for Eastern and Southern Africa (COMESA)",
    "XEC": "Economic Community of West African States (ECOWAS)",
    "XES": "Organisation of Eastern Caribbean States",
    "XMP": "Parliamentary Assembly of the Mediterranean",
    "XOM": "Sovereign Military Order of Malta",
    "XPO": "International Criminal Police Organization (INTERPOL)",
    "XDC": "Southern African Development Community (SADC)",
    "UTO": "Utopia, the fictitious state of the ICAO specimens",
}
_ALPHA2_TO_ALPHA3 = {a2: a3 for a3, a2 in ALPHA3_TO_ALPHA2.items()}

_DOCUMENT_TYPES = {"P": "passport", "V": "visa", "I": "national_id", "A": "travel_document", "C": "travel_document"}
_CHECK_NAMES = {
    "number": "document number",
    "birth_date": "birth date",
    "expiry": "expiry date",
    "personal_number": "personal number",
    "composite": "composite",
}
# Look-alikes, used only where the field's character set rules the read character out.
_AS_DIGIT = str.maketrans("OQDILZSGB", "000112568")
_AS_LETTER = str.maketrans("012568", "OIZSGB")
_MRZ_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<")


@dataclass
class MrzResult:
    """One zone, read. `checks`: every check digit (number, birth_date, expiry, personal_number on
    TD3, composite except on visas) -> whether it agrees; `errors`: failed checks and unreadable
    fields, each naming its line and position; `notes`: how non-ISO country codes were read;
    `corrections`: OCR look-alikes replaced (see the module docstring)."""

    format: str  # TD1 | TD2 | TD3 | MRV-A | MRV-B
    document_code: str  # as printed, fillers removed: P, PM, ID, V, AC...
    document_type: str  # passport | visa | national_id | travel_document | other
    issuing_state: str  # as printed: UTO, D, GBR
    issuing_country: str  # normalised: ISO alpha-3, or a special code kept as printed
    surname: str
    given_names: str
    number: str
    nationality_code: str  # as printed
    nationality: str  # normalised like issuing_country
    birth_date: str  # YYYY-MM-DD, YYYY-MM or YYYY when the zone leaves parts unknown; "" if unreadable
    sex: str  # M, F or X
    expiry_date: str
    optional_data: str  # TD3: the personal number; TD1: both optional fields joined by a space
    checks: dict[str, bool]
    lines: tuple[str, ...]  # the zone read, after the corrections
    raw: str
    notes: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(self.checks.values())

    @property
    def invalid_checks(self) -> list[str]:
        return [k for k, ok in self.checks.items() if not ok]

    @property
    def zone(self) -> str:
        return "\n".join(self.lines)

    @property
    def travellers(self) -> list[Traveller]:
        """The holder, as the travel-message results (PAXLST, PNRGOV) list theirs."""
        return [self.to_traveller()]

    def to_traveller(self) -> Traveller:
        document = TravelDocumentInfo(self.number, self.document_type, self.issuing_country, self.expiry_date, self.zone)
        extra: dict[str, Any] = {
            "mrz_format": self.format,
            "document_code": self.document_code,
            "mrz_checks": dict(self.checks),
            "mrz_valid": self.valid,
        }
        if self.optional_data:
            extra["optional_data"] = self.optional_data
        if self.notes:
            extra["country_notes"] = list(self.notes)
        if self.corrections:
            extra["ocr_corrections"] = list(self.corrections)
        return Traveller(
            role="holder",
            surname=self.surname,
            given_names=self.given_names,
            birth_date=self.birth_date,
            sex=self.sex,
            nationality=self.nationality,
            documents=[document],
            source=f"MRZ {self.format}",
            errors=list(self.errors),
            extra=extra,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "valid": self.valid}


def parse_mrz(text: str | bytes, today: _dt.date | None = None) -> MrzResult:
    """Reads a TD1, TD2, TD3, MRV-A or MRV-B zone. MessageError (naming the line and position) for
    anything that is not such a zone; bad check digits and unreadable fields are reported in the
    result, which still carries everything else. `today` fixes the birth-date century (tests)."""
    raw = _text(text)
    try:
        lines = _zone.split_lines(raw)
        fmt = _zone.zone_format(lines)
    except InputError as e:
        raise MessageError("mrz", e.reason) from None
    for i, line in enumerate(lines):
        for j, c in enumerate(line):
            if c not in _MRZ_CHARS:
                raise MessageError(f"line {i + 1} position {j + 1}", f"{c!r} is not an MRZ character (0-9, A-Z, <)")
    lines, corrections = _repair(lines, fmt)
    try:
        zone = _zone.read_zone(lines)
    except InputError as e:  # not expected after the checks above: keep the one error type
        raise MessageError("mrz", e.reason) from None
    return _interpret(zone, raw, corrections, today or _dt.date.today())


def detect_mrz(data: str | bytes) -> str | None:
    """"mrz" when the data is one machine-readable zone (any format, any case); else None."""
    head = data[:400]
    text = head.decode("latin-1") if isinstance(head, (bytes, bytearray)) else str(head)
    if len(data) > 400 or not text.strip():
        return None
    lines = _zone.split_lines(text)
    try:
        _zone.zone_format(lines)
    except InputError:
        return None
    return "mrz" if all(set(line) <= _MRZ_CHARS for line in lines) else None


def _text(text: str | bytes) -> str:
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError:
            return text.decode("latin-1")
    if not isinstance(text, str):
        raise MessageError("mrz", f"expected text, got {type(text).__name__}")
    return text


def _repair(lines: list[str], fmt: str) -> tuple[list[str], list[str]]:
    rows = [list(line) for line in lines]
    corrections = []
    for f in _zone.LAYOUTS[fmt]:
        table = _AS_DIGIT if f.chars == "numeric" else _AS_LETTER if f.chars == "alpha" else None
        if table is None:
            continue
        for pos in range(f.start, f.end):
            was = rows[f.line][pos]
            now = was.translate(table)
            if now != was:
                rows[f.line][pos] = now
                corrections.append(f"line {f.line + 1} position {pos + 1}: {was!r} read as {now!r} ({f.name} is {f.chars})")
    return ["".join(r) for r in rows], corrections


def _stray_digits(zone: _zone.Zone) -> list[str]:
    """Digits left in alphabetic fields (no look-alike letter): named, not guessed."""
    found = []
    for f in _zone.LAYOUTS[zone.format]:
        if f.chars == "alpha":
            for pos in range(f.start, f.end):
                if zone.lines[f.line][pos].isdigit():
                    found.append(f"line {f.line + 1} position {pos + 1}: digit {zone.lines[f.line][pos]!r} in {f.name} (alphabetic)")
    return found


def _interpret(zone: _zone.Zone, raw: str, corrections: list[str], today: _dt.date) -> MrzResult:
    f = zone.fields
    errors: list[str] = _stray_digits(zone)
    notes: list[str] = []
    for name, ok in zone.checks.items():
        if not ok:
            line, pos = zone.check_at[name]
            digit = zone.lines[line][pos]
            errors.append(f"line {line + 1} position {pos + 1}: {_CHECK_NAMES[name]} check digit {digit!r} does not match")
    code = f["document_code"].rstrip("<")
    surname, given, truncated = _names(f["name"])
    if truncated:
        notes.append("the name fills its field: it may have been truncated (Doc 9303 part 3 truncation)")
    issuing = _country(f["issuing_state"], "issuing state", notes, errors)
    nationality = _country(f["nationality"], "nationality", notes, errors)
    birth = _date(f["birth_date"], "birth date", lambda yy: 1900 + yy if 2000 + yy > today.year else 2000 + yy, errors)
    expiry = _date(f["expiry"], "expiry date", lambda yy: 2000 + yy, errors)
    sex = {"M": "M", "F": "F", "<": "X", "X": "X"}.get(f["sex"], "")
    if not sex:
        errors.append(f"sex {f['sex']!r} is not M, F, X or <")
    optional = " ".join(p for p in (_optional(f["optional_data"]), _optional(f.get("optional_data_2", ""))) if p)
    return MrzResult(
        format=zone.format,
        document_code=code,
        document_type=_DOCUMENT_TYPES.get(code[:1], "other"),
        issuing_state=f["issuing_state"].rstrip("<"),
        issuing_country=issuing,
        surname=surname,
        given_names=given,
        number=f["number"].replace("<", ""),
        nationality_code=f["nationality"].rstrip("<"),
        nationality=nationality,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        optional_data=optional,
        checks=dict(zone.checks),
        lines=zone.lines,
        raw=raw,
        notes=notes,
        corrections=corrections,
        errors=errors,
    )


def _names(field: str) -> tuple[str, str, bool]:
    """Primary and secondary identifiers, split at the first `<<`; `<` inside a name is a space."""
    surname, _, given = field.rstrip("<").partition("<<")
    return " ".join(surname.replace("<", " ").split()), " ".join(given.replace("<", " ").split()), field[-1:] != "<"


def _optional(value: str) -> str:
    return " ".join(value.replace("<", " ").split())


def _country(printed: str, what: str, notes: list[str], errors: list[str]) -> str:
    code = printed.rstrip("<")
    if not code:
        return ""
    if code in ALPHA3_TO_ALPHA2:
        return code
    if code in _STATE_CODES:
        mapped, meaning = _STATE_CODES[code]
        notes.append(f"{what} {code}: {meaning} (Doc 9303), screened as {mapped}")
        return mapped
    if code in _SPECIAL_CODES:
        notes.append(f"{what} {code}: {_SPECIAL_CODES[code]} (Doc 9303); no ISO 3166 country")
        return code
    if code.isalpha() and len(code) == 2 and to_iso2(code):  # an alpha-2 code where alpha-3 belongs
        mapped = _ALPHA2_TO_ALPHA3.get(to_iso2(code) or "", "")
        if mapped:
            notes.append(f"{what} {code}: an ISO alpha-2 code, screened as {mapped}")
            return mapped
    errors.append(f"{what} {printed!r} is not an ISO 3166 or Doc 9303 code")
    return code if code.isalpha() and len(code) >= 2 else ""  # a query accepts 2-3 letters


def _date(value: str, what: str, century: Callable[[int], int], errors: list[str]) -> str:
    """YYMMDD with `<` (or 00) for unknown parts: the full date, or its known year / month."""
    yy, mm, dd = value[0:2], value[2:4], value[4:6]
    if yy == "<<":
        return ""
    if not digits(yy) or not (digits(mm) or mm == "<<") or not (digits(dd) or dd == "<<"):
        errors.append(f"{what} {value!r} is not YYMMDD")
        return ""
    year = century(int(yy))
    if mm in ("<<", "00"):  # 00: how some issuers write an unknown month or day
        return f"{year:04d}"
    month = int(mm)
    if not 1 <= month <= 12:
        errors.append(f"{what} {value!r}: month {mm} out of range")
        return f"{year:04d}"
    if dd in ("<<", "00"):
        return f"{year:04d}-{month:02d}"
    try:
        return _dt.date(year, month, int(dd)).isoformat()
    except ValueError:
        errors.append(f"{what} {value!r} is not a calendar date")
        return f"{year:04d}-{month:02d}"
