"""What every loader needs: the canonical record's shape, text clean-up, dates, countries, document
types, sexes, and reporting a bad record (raise, or skip and tell) in one way."""

from __future__ import annotations

import datetime as _dt
import logging
import re
from typing import Any, Iterable

from engine.countries import to_iso2

from .errors import ListFormatError

_log = logging.getLogger("watchlists")

#: Every key of a canonical record (DESIGN.md 'Record' plus what loaders keep for analysts), with
#: its empty value. Loaders may add format-specific keys (``un_dataid``, ``ofac_uid``); the store
#: keeps those in its ``extra`` column.
RECORD_FIELDS: dict[str, Any] = {
    "id": "",
    "kind": "person",
    "names": [],
    "weak_names": [],
    "original_script_names": [],
    "birth_dates": [],
    "birth_date_ranges": [],  # [{"from": "1960", "to": "1962", "circa": False}]
    "nationalities": [],
    "countries": [],
    "sex": None,
    "documents": [],  # [{"number", "type", "country", "expires", ...}]
    "addresses": [],
    "birth_places": [],
    "list_id": "",
    "program": "",
    "remarks": "",
    "listed_on": None,
}

KINDS = ("person", "organization", "vessel", "aircraft", "document")

# Country fields sometimes say "not available" in words; "na" would otherwise read as Namibia.
_NO_COUNTRY = {"na", "n/a", "n.a.", "unknown", "not known", "none", "-", ""}
_SEXES = {"m": "M", "male": "M", "man": "M", "f": "F", "female": "F", "woman": "F"}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_CIRCA = re.compile(r"^\s*(?:circa|ca\.?|c\.|approx(?:imately|\.)?|about|around)\s*", re.I)


def record(**fields: Any) -> dict[str, Any]:
    """A canonical record: the given fields over fresh empty defaults, names de-duplicated."""
    out = {k: (list(v) if isinstance(v, list) else v) for k, v in RECORD_FIELDS.items()}
    out.update(fields)
    out["names"] = unique(out["names"])
    out["weak_names"] = unique(out["weak_names"], {n.casefold() for n in out["names"]})
    return out


def clean(text: str | None) -> str:
    """Whitespace runs collapsed, ends trimmed; None -> ""."""
    return " ".join(text.split()) if text else ""


def unique(items: Iterable[str | None], exclude: set[str] | None = None) -> list[str]:
    """Order-preserving, case-insensitive de-duplication; empty items dropped."""
    seen = set(exclude or ())
    out = []
    for item in items:
        if not item:
            continue
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a code or a name, None for 'unknown' or a country that no longer exists."""
    value = clean(value)
    return None if value.casefold() in _NO_COUNTRY else to_iso2(value)


def countries(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(c for c in map(country, values) if c))


def sex(value: str | None) -> str | None:
    return _SEXES.get(clean(value).casefold())


def document_type(text: str | None) -> str:
    """passport, national_id, visa, driving_licence, or other, from a list's free-text type."""
    t = clean(text).casefold()
    if re.search(r"pass(?:port|eport)|pasaporte|passeport", t):
        return "passport"
    if re.search(r"national\s+id|identi(?:ty|fication)\s+(?:card|number|document)|\bid card\b|cedula|c[ée]dula", t):
        return "national_id"
    if "visa" in t:
        return "visa"
    if re.search(r"driv\w*(?:'s)?\s+licen[cs]e", t):
        return "driving_licence"
    return "other"


def _ymd(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1800 <= year <= 2200:
        return None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def parse_date(value: str | None, *, day_first: bool = True) -> tuple[str | None, bool]:
    """(YYYY, YYYY-MM or YYYY-MM-DD, circa) from the ways lists write a date: ``1970-05-06``,
    ``1970-05``, ``1970``, ``06/05/1970`` (day first unless told), ``6 May 1970``, ``06 MAY 1970``,
    ``May 1970``, ``May 6, 1970``, ``circa 1970``, ``c. 1970``, ``1970-00-00``, ``19700506``.
    (None, False) when it is no date."""
    s = clean(value).rstrip(".")
    if not s:
        return None, False
    circa = bool(_CIRCA.match(s))
    s = _CIRCA.sub("", s)
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*)?", s)
    if m:
        y, mo, d = (int(g) if g else None for g in m.groups())
        return _ymd(y, mo or None, d or None) if mo else _ymd(y), circa
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m:
        return _ymd(*map(int, m.groups())), circa
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", s)
    if m:
        a, b, y = map(int, m.groups())
        day, month = (a, b) if day_first else (b, a)
        if month > 12 and day <= 12:  # unambiguous the other way round
            day, month = month, day
        return _ymd(y, month, day), circa
    m = re.fullmatch(r"(?:(\d{1,2})\s+)?([A-Za-z]{3,})\.?,?\s+(?:(\d{1,2}),?\s+)?(\d{4})", s)
    if m and m.group(2)[:3].casefold() in _MONTHS:
        day = m.group(1) or m.group(3)
        return _ymd(int(m.group(4)), _MONTHS[m.group(2)[:3].casefold()], int(day) if day else None), circa
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{4})", s)
    if m:
        return _ymd(int(m.group(2)), int(m.group(1))), circa
    return None, False


class Reporter:
    """Raises a bad record's ListFormatError, or (skip_bad) logs it, appends it to `problems` and
    lets the loader go on without the record."""

    def __init__(self, name: str, skip_bad: bool, problems: list[ListFormatError] | None):
        self.name, self.skip_bad, self.problems = name, skip_bad, problems
        self.skipped = 0

    def bad(self, message: str, line: int | None = None, element: str | None = None) -> None:
        err = ListFormatError(message, self.name, line, element)
        if not self.skip_bad:
            raise err
        self.skipped += 1
        _log.warning("skipped: %s", err)
        if self.problems is not None:
            self.problems.append(err)

    def fatal(self, message: str, line: int | None = None, element: str | None = None) -> ListFormatError:
        """An error that ends the load whatever skip_bad says (a truncated file, a wrong header)."""
        return ListFormatError(message, self.name, line, element)
