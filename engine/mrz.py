"""Machine-readable zones (ICAO Doc 9303, 8th edition 2021, parts 3-7): layout and check digits.

Written from the specification (not from mrz-python, which is GPL): a check digit is the sum of the
character values weighted 7, 3, 1, 7, 3, 1, ... modulo 10, where 0-9 count as themselves, A-Z as
10-35 and the filler `<` as 0 (part 3, section 4.9).

Formats, by their shape (positions below are 0-based):
- TD3 (passports, 2 x 44): line 2 holds the document number (0-8) and its check digit (9), birth
  date (13-18, check 19), expiry (21-26, check 27), personal number (28-41, check 42), composite (43);
- TD2 (2 x 36): line 2 like TD3 up to the expiry, optional data 28-34, composite 35;
- TD1 (ID cards, 3 x 30): line 1 holds the number (5-13, check 14), optional data 15-29; line 2 the
  birth date, sex, expiry, nationality, optional data 18-28 and the composite (29); line 3 the name;
- MRV-A (2 x 44) and MRV-B (2 x 36) visas (document code V, part 7): line 2 like TD3 up to the
  expiry, then optional data to the end of the line: no personal-number and no composite check digit.
A TD1 or TD2 number longer than 9 characters continues in the optional data, its check digit
following it there, and the check position holds `<` (parts 5 and 6).

This module reads the zone strictly (upper-cased, no OCR repairs): `engine.messages.mrz` builds the
holder's data (names, dates, countries) on top of `read_zone`, after its own tolerant clean-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import InputError

_VALUES = {**{str(d): d for d in range(10)}, **{chr(ord("A") + i): 10 + i for i in range(26)}, "<": 0}
_WEIGHTS = (7, 3, 1)
_LINE = re.compile(r"[0-9A-Z<]+")
_SHAPES = {(44, 2): "TD3", (36, 2): "TD2", (30, 3): "TD1"}
_VISAS = {"TD3": "MRV-A", "TD2": "MRV-B"}  # same shapes, told apart by the document code V
#: Characters of a zone written on one line with no separator, by format.
_ONE_LINE = {88: (44, 2), 72: (36, 2), 90: (30, 3)}


def check_digit(field: str) -> str:
    """The check digit of an MRZ field: check_digit("L898902C3") == "6"."""
    try:
        return str(sum(_VALUES[c] * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)
    except KeyError as e:
        raise ValueError(f"{e.args[0]!r} is not an MRZ character (0-9, A-Z, <)") from None


@dataclass(frozen=True, slots=True)
class Field:
    """A field of a zone: `line` and `start`/`end` 0-based; `chars` what the specification allows:
    alpha (A-Z and <), numeric (0-9 and < for unknown parts of a date), alnum, or check (a digit)."""

    name: str
    line: int
    start: int
    end: int
    chars: str


def _layout_2line(width: int, visa: bool) -> tuple[Field, ...]:
    fields = [
        Field("document_code", 0, 0, 2, "alpha"),
        Field("issuing_state", 0, 2, 5, "alpha"),
        Field("name", 0, 5, width, "alpha"),
        Field("number", 1, 0, 9, "alnum"),
        Field("number_check", 1, 9, 10, "check"),
        Field("nationality", 1, 10, 13, "alpha"),
        Field("birth_date", 1, 13, 19, "numeric"),
        Field("birth_date_check", 1, 19, 20, "check"),
        Field("sex", 1, 20, 21, "alpha"),
        Field("expiry", 1, 21, 27, "numeric"),
        Field("expiry_check", 1, 27, 28, "check"),
    ]
    if visa:
        fields.append(Field("optional_data", 1, 28, width, "alnum"))
    elif width == 44:
        fields += [
            Field("optional_data", 1, 28, 42, "alnum"),
            Field("personal_number_check", 1, 42, 43, "check"),
            Field("composite_check", 1, 43, 44, "check"),
        ]
    else:
        fields += [Field("optional_data", 1, 28, 35, "alnum"), Field("composite_check", 1, 35, 36, "check")]
    return tuple(fields)


#: Every field of every format, in the order of the zone.
LAYOUTS: dict[str, tuple[Field, ...]] = {
    "TD1": (
        Field("document_code", 0, 0, 2, "alpha"),
        Field("issuing_state", 0, 2, 5, "alpha"),
        Field("number", 0, 5, 14, "alnum"),
        Field("number_check", 0, 14, 15, "check"),
        Field("optional_data", 0, 15, 30, "alnum"),
        Field("birth_date", 1, 0, 6, "numeric"),
        Field("birth_date_check", 1, 6, 7, "check"),
        Field("sex", 1, 7, 8, "alpha"),
        Field("expiry", 1, 8, 14, "numeric"),
        Field("expiry_check", 1, 14, 15, "check"),
        Field("nationality", 1, 15, 18, "alpha"),
        Field("optional_data_2", 1, 18, 29, "alnum"),
        Field("composite_check", 1, 29, 30, "check"),
        Field("name", 2, 0, 30, "alpha"),
    ),
    "TD2": _layout_2line(36, visa=False),
    "TD3": _layout_2line(44, visa=False),
    "MRV-A": _layout_2line(44, visa=True),
    "MRV-B": _layout_2line(36, visa=True),
}

#: What the composite check digit covers: (line, start, end) spans (part 4-6).
_COMPOSITE: dict[str, tuple[tuple[int, int, int], ...]] = {
    "TD1": ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    "TD2": ((1, 0, 10), (1, 13, 20), (1, 21, 35)),
    "TD3": ((1, 0, 10), (1, 13, 20), (1, 21, 43)),
}


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone read field by field. `fields` holds each field as printed (fillers kept), with
    `number` the whole document number (a long TD1/TD2 number's continuation included) and
    `optional_data` without that continuation; `checks` every check digit's verdict, keyed
    number, birth_date, expiry, personal_number (TD3), composite (not on visas); `check_at` where
    each check digit sits, as (line, position), both 0-based."""

    format: str
    lines: tuple[str, ...]
    fields: dict[str, str]
    checks: dict[str, bool]
    check_at: dict[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Mrz:
    format: str  # TD1 | TD2 | TD3 | MRV-A | MRV-B
    document_code: str  # P, I, A, C, V... (first letter: the type)
    issuing_state: str  # ICAO code as printed (UTO, D, GBR)
    number: str  # the document number, fillers removed
    number_valid: bool  # its check digit agrees
    checks: dict[str, bool]  # every check digit of the zone: number, birth_date, expiry, ..., composite

    @property
    def valid(self) -> bool:
        return all(self.checks.values())

    @property
    def invalid_checks(self) -> list[str]:
        return [k for k, ok in self.checks.items() if not ok]


def _check(field: str, digit: str) -> bool:
    return digit.isdigit() and check_digit(field) == digit or (digit == "<" and set(field) <= {"<"})


def split_lines(text: str) -> list[str]:
    """The lines of a zone as given: upper-cased, blank lines and surrounding whitespace dropped.
    MRZ lines hold no spaces, so a zone on one line separated by spaces splits there, and a zone
    on one line with no separator at all splits by its length (88: 2 x 44, 72: 2 x 36, 90: 3 x 30)."""
    rows = [row for row in (line.strip() for line in text.upper().splitlines()) if row]
    if len(rows) == 1:
        rows = rows[0].split()
    if len(rows) == 1 and len(rows[0]) in _ONE_LINE:
        width, count = _ONE_LINE[len(rows[0])]
        rows = [rows[0][i * width : (i + 1) * width] for i in range(count)]
    return rows


def zone_format(lines: list[str], where: str = "mrz") -> str:
    """TD1, TD2, TD3, MRV-A or MRV-B from the shape of the lines and the document code (V: visa);
    InputError for any other shape."""
    fmt = _SHAPES.get((len(lines[0]) if lines else 0, len(lines)))
    if fmt is None or any(len(line) != len(lines[0]) for line in lines):
        shape = " + ".join(str(len(line)) for line in lines) or "empty"
        raise InputError(
            where, f"not a TD1 (3 x 30), TD2 (2 x 36), TD3 (2 x 44) or visa (2 x 44, 2 x 36) machine-readable zone: {shape} characters"
        )
    return _VISAS[fmt] if fmt in _VISAS and lines[0][:1] == "V" else fmt


def _long_number(number: str, digit: str, optional: str) -> tuple[str, str, str] | None:
    """A number longer than 9 characters: `<` in the check position, the rest of the number and
    then its check digit at the start of the optional data, up to the first filler."""
    if digit != "<" or optional[:1] in ("", "<"):
        return None
    cont = optional.split("<", 1)[0]
    return number + cont[:-1], cont[-1], optional[len(cont) :]


def read_zone(lines: list[str], where: str = "mrz") -> Zone:
    """Reads every field of a zone and verifies every check digit. InputError when the shape is not
    a known format or a character is not an MRZ character; a wrong check digit is reported in
    `checks`, never raised."""
    fmt = zone_format(lines, where)
    for i, line in enumerate(lines):
        if not _LINE.fullmatch(line):
            bad = next(c for c in line if c not in _VALUES)
            raise InputError(where, f"line {i + 1}: {bad!r} is not an MRZ character (0-9, A-Z, <)")
    layout = LAYOUTS[fmt]
    fields = {f.name: lines[f.line][f.start : f.end] for f in layout}
    at = {f.name: (f.line, f.start) for f in layout if f.chars == "check"}
    check_at = {"number": at["number_check"], "birth_date": at["birth_date_check"], "expiry": at["expiry_check"]}
    number, digit = fields["number"], fields["number_check"]
    if fmt in ("TD1", "TD2"):
        long = _long_number(number, digit, fields["optional_data"])
        if long:
            number, digit, fields["optional_data"] = long
            optional = next(f for f in layout if f.name == "optional_data")
            check_at["number"] = (optional.line, optional.start + len(number) - 9)
    fields["number"], fields["number_check"] = number, digit
    checks = {
        "number": _check(number, digit),
        "birth_date": _check(fields["birth_date"], fields["birth_date_check"]),
        "expiry": _check(fields["expiry"], fields["expiry_check"]),
    }
    if fmt == "TD3":
        checks["personal_number"] = _check(fields["optional_data"], fields["personal_number_check"])
        check_at["personal_number"] = at["personal_number_check"]
    if fmt in _COMPOSITE:
        covered = "".join(lines[line][start:end] for line, start, end in _COMPOSITE[fmt])
        checks["composite"] = _check(covered, fields["composite_check"])
        check_at["composite"] = at["composite_check"]
    return Zone(fmt, tuple(lines), fields, checks, check_at)


def parse(text: str, where: str = "mrz") -> Mrz:
    """Parses a TD1, TD2, TD3, MRV-A or MRV-B zone (lines separated by newlines or spaces) and checks
    every check digit; a malformed zone is an InputError, a wrong check digit is reported in `checks`."""
    zone = read_zone(split_lines(text), where)
    code, state = zone.fields["document_code"].rstrip("<"), zone.fields["issuing_state"].rstrip("<")
    return Mrz(zone.format, code, state, zone.fields["number"].replace("<", ""), zone.checks["number"], dict(zone.checks))
