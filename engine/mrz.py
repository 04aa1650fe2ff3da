"""Machine-readable zones (ICAO Doc 9303 parts 3-6): layout and check digits.

Written from the specification (not from mrz-python, which is GPL): a check digit is the sum of the
character values weighted 7, 3, 1, 7, 3, 1, ... modulo 10, where 0-9 count as themselves, A-Z as
10-35 and the filler `<` as 0 (part 3, section 4.9).

Formats, by their line lengths:
- TD3 (passports, 2 x 44): line 2 holds the document number (0-8) and its check digit (9), birth
  date (13-18, check 19), expiry (21-26, check 27), personal number (28-41, check 42), composite (43);
- TD2 (2 x 36): line 2 like TD3 up to the expiry, optional data 28-34, composite 35;
- TD1 (ID cards, 3 x 30): line 1 holds the number (5-13, check 14; a longer number continues in the
  optional data 15-29 and its check digit follows it there, the check position holding `<`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import InputError

_VALUES = {**{str(d): d for d in range(10)}, **{chr(ord("A") + i): 10 + i for i in range(26)}, "<": 0}
_WEIGHTS = (7, 3, 1)
_LINE = re.compile(r"[0-9A-Z<]+")
_FORMATS = {(44, 2): "TD3", (36, 2): "TD2", (30, 3): "TD1"}


def check_digit(field: str) -> str:
    """The check digit of an MRZ field: check_digit("L898902C3") == "6"."""
    try:
        return str(sum(_VALUES[c] * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)
    except KeyError as e:
        raise ValueError(f"{e.args[0]!r} is not an MRZ character (0-9, A-Z, <)") from None


@dataclass(frozen=True, slots=True)
class Mrz:
    format: str  # TD1 | TD2 | TD3
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


def parse(text: str, where: str = "mrz") -> Mrz:
    """Parses a TD1, TD2 or TD3 zone (lines separated by newlines or spaces) and checks every
    check digit; a malformed zone is an InputError, a wrong check digit is reported in `checks`."""
    lines = text.upper().split()  # MRZ lines hold no spaces
    fmt = _FORMATS.get((len(lines[0]) if lines else 0, len(lines)))
    if fmt is None or any(len(line) != len(lines[0]) for line in lines):
        shape = " + ".join(str(len(line)) for line in lines) or "empty"
        raise InputError(where, f"not a TD1 (3 x 30), TD2 (2 x 36) or TD3 (2 x 44) machine-readable zone: {shape} characters")
    for i, line in enumerate(lines):
        if not _LINE.fullmatch(line):
            bad = next(c for c in line if c not in _VALUES)
            raise InputError(where, f"line {i + 1}: {bad!r} is not an MRZ character (0-9, A-Z, <)")
    first = lines[0]
    code, state = first[0:2].rstrip("<"), first[2:5].rstrip("<")
    if fmt == "TD1":
        l1, l2 = lines[0], lines[1]
        number, digit = l1[5:14], l1[14]
        if digit == "<" and l1[15] != "<":  # long number: continues in the optional data
            rest = l1[15:30].rstrip("<")
            number, digit = number + rest[:-1], rest[-1:]
        checks = {
            "number": _check(number, digit),
            "birth_date": _check(l2[0:6], l2[6]),
            "expiry": _check(l2[8:14], l2[14]),
            "composite": _check(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]),
        }
    else:
        l2 = lines[1]
        number, digit = l2[0:9], l2[9]
        checks = {"number": _check(number, digit), "birth_date": _check(l2[13:19], l2[19]), "expiry": _check(l2[21:27], l2[27])}
        if fmt == "TD3":
            checks["personal_number"] = _check(l2[28:42], l2[42])
            checks["composite"] = _check(l2[0:10] + l2[13:20] + l2[21:43], l2[43])
        else:
            checks["composite"] = _check(l2[0:10] + l2[13:20] + l2[21:35], l2[35])
    return Mrz(fmt, code, state, number.replace("<", ""), checks["number"], checks)
