"""The domain model: watchlist entries, screening queries, documents and hits (DESIGN.md).

Inputs arrive as plain dicts (from list loaders, gRPC, CSV rows); `Entry.from_dict` and
`Query.from_dict` validate them and raise `InputError` naming the offending field, e.g.
`records[12].birth_dates[0]: '1970-13-01' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from .text import normalize

KINDS = ("person", "organization", "vessel", "document")
QUERY_KINDS = ("person", "organization", "vessel")
SEXES = ("M", "F")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_COUNTRY = re.compile(r"^[A-Z]{2,3}$")

# A query's free-text fields are bounded: longer is not a name (real listed names reach ~250 characters and
# ~26 words), and screening cost grows faster than linearly in a name's words (thousands of words would hold
# a server thread for minutes).
MAX_TEXT_CHARS = 1024  # name, surname, given_names, address
MAX_NAME_WORDS = 64  # words of name, surname and given_names after normalisation (CJK: one per character)


class InputError(ValueError):
    """A record, query or document that cannot be used; `field` names where (`queries[3].birth_date`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day (lists often give only a year)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: str, where: str) -> "PartialDate":
        m = _DATE.match(value.strip()) if isinstance(value, str) else None
        if not m:
            raise InputError(where, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(g) if g else None for g in m.groups())
        try:
            if day is not None:
                _dt.date(year, month, day)
            elif month is not None and not 1 <= month <= 12:
                raise ValueError("month out of range")
        except ValueError:
            raise InputError(where, f"{value!r} is not a valid calendar date") from None
        if not 1800 <= year <= 2200:
            raise InputError(where, f"{value!r}: year outside 1800-2200")
        return cls(year, month, day)

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
            if self.day is not None:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


def _strings(value: Any, where: str, field: str, size_as: str = "") -> list[str]:
    """The non-blank strings of a list field, stripped. The field's path (`records[12].names[0]`) is
    written only for an error: a million-entry list is read back through here at every start."""
    if value is None:
        return []
    if type(value) is str:
        value = [value]
    elif type(value) is not list and not isinstance(value, (list, tuple)):
        raise InputError(f"{where}.{field}", f"expected a list of strings, got {type(value).__name__}")
    out = []
    for i, v in enumerate(value):
        if type(v) is not str and not isinstance(v, str):
            raise InputError(f"{where}.{field}[{i}]", f"expected a string, got {type(v).__name__}")
        v = v.strip()
        if v:
            if size_as:
                _check_size(size_as, v, f"{where}.{field}[{i}]")
            out.append(v)
    return out


# Values seen before, parsed once: a list repeats its birth dates and countries thousands of times.
# Only valid values are kept (an error names its own field), and only so many.
_PARSED_MOST = 100_000
_parsed_dates: dict[str, PartialDate] = {}
_parsed_countries: dict[str, str] = {}


def _dates(values: list[str], where: str, field: str) -> tuple[PartialDate, ...]:
    out = []
    for i, v in enumerate(values):
        date = _parsed_dates.get(v)
        out.append(date if date is not None else _date(v, f"{where}.{field}[{i}]"))
    return tuple(out)


def _date(value: Any, where: str) -> PartialDate:
    date = _parsed_dates.get(value) if type(value) is str else None
    if date is None:
        date = PartialDate.parse(value, where)
        if len(_parsed_dates) < _PARSED_MOST:
            _parsed_dates[value] = date
    return date


def _countries(values: list[str], where: str, field: str) -> tuple[str, ...]:
    return tuple(_parsed_countries.get(v) or _country(v, f"{where}.{field}[{i}]") for i, v in enumerate(values))


def _country(value: str, where: str) -> str:
    code = _parsed_countries.get(value) if type(value) is str else None
    if code is not None:
        return code
    if not isinstance(value, str):
        raise InputError(where, f"expected a country code, got {type(value).__name__}")
    code = value.strip().upper()
    if not _COUNTRY.match(code):
        raise InputError(where, f"{value!r} is not an ISO 3166 alpha-2 or alpha-3 code")
    if len(_parsed_countries) < _PARSED_MOST:
        _parsed_countries[value] = code
    return code


_DOCUMENT_FIELDS = frozenset(("number", "type", "country", "expires", "mrz"))


@dataclass(frozen=True, slots=True)
class Document:
    """A travel or identity document: on a list entry, or presented by a traveller."""

    number: str
    type: str = ""
    country: str = ""
    expires: str = ""
    mrz: str = ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | "Document", where: str, strict: bool = True) -> "Document":
        """strict (queries): unknown keys are errors; list records may carry more (raw forms, status)."""
        if type(d) is not dict:  # (a plain dict skips the slower checks)
            if isinstance(d, Document):
                return d
            if not isinstance(d, Mapping):
                raise InputError(where, f"expected an object with a number, got {type(d).__name__}")
        if strict:
            unknown = d.keys() - _DOCUMENT_FIELDS
            if unknown:
                raise InputError(f"{where}.{sorted(unknown)[0]}", "unknown field")
        number = d.get("number")
        if not isinstance(number, str) or not number.strip():
            raise InputError(f"{where}.number", "a document needs a number")
        country = d.get("country") or ""
        if country:
            country = _country(country, f"{where}.country")
        expires = d.get("expires") or ""
        if expires:
            PartialDate.parse(expires, f"{where}.expires")
        return cls(number.strip(), str(d.get("type") or "").strip().lower(), country, expires, str(d.get("mrz") or ""))


@dataclass(frozen=True, slots=True)
class Entry:
    """One watchlist record (DESIGN.md 'Record')."""

    id: str
    kind: str
    names: tuple[str, ...]
    weak_names: tuple[str, ...] = ()
    birth_dates: tuple[PartialDate, ...] = ()
    nationalities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sex: str = ""
    documents: tuple[Document, ...] = ()
    addresses: tuple[str, ...] = ()
    list_id: str = ""
    program: str = ""
    remarks: str = ""
    listed_on: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "record", list_id: str = "") -> "Entry":
        if type(d) is not dict and not isinstance(d, Mapping):  # (a plain dict skips the slower ABC check)
            raise InputError(where, f"expected an object, got {type(d).__name__}")
        rid = d.get("id")
        if isinstance(rid, int):
            rid = str(rid)
        if not isinstance(rid, str) or not rid.strip():
            raise InputError(f"{where}.id", "every record needs an id")
        kind = d.get("kind", "person")
        if kind not in KINDS:
            raise InputError(f"{where}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        # a list's names are bounded as a query's are: one name of thousands of words would hold a
        # thread for seconds in every comparison with it
        names = _strings(d.get("names"), where, "names", size_as="name")
        weak_names = _strings(d.get("weak_names"), where, "weak_names", size_as="name")
        documents = tuple(
            Document.from_dict(x, f"{where}.documents[{i}]", strict=False) for i, x in enumerate(d.get("documents") or ())
        )
        if not names and not (kind == "document" and documents):
            raise InputError(f"{where}.names", f"record {rid!r} has no name")
        sex = (d.get("sex") or "").upper()[:1]
        if sex and sex not in SEXES:
            raise InputError(f"{where}.sex", f"{d.get('sex')!r} is not M or F")
        return cls(
            id=rid.strip(),
            kind=kind,
            names=tuple(names),
            weak_names=tuple(weak_names),
            birth_dates=_dates(_strings(d.get("birth_dates"), where, "birth_dates"), where, "birth_dates"),
            nationalities=_countries(_strings(d.get("nationalities"), where, "nationalities"), where, "nationalities"),
            countries=_countries(_strings(d.get("countries"), where, "countries"), where, "countries"),
            sex=sex,
            documents=documents,
            addresses=tuple(_strings(d.get("addresses"), where, "addresses")),
            list_id=str(d.get("list_id") or list_id),
            program=str(d.get("program") or ""),
            remarks=str(d.get("remarks") or ""),
            listed_on=str(d.get("listed_on") or ""),
            extra={k: v for k, v in d.items() if k not in _ENTRY_FIELDS and not _empty(v)},
        )

    @property
    def primary_name(self) -> str:
        return self.names[0] if self.names else (self.documents[0].number if self.documents else "")


_ENTRY_FIELDS = frozenset(f for f in Entry.__dataclass_fields__ if f != "extra")  # the rest of a record: Entry.extra


def _empty(value: Any) -> bool:
    """A record's field that says nothing (None, "", an empty list or object): not kept in Entry.extra.
    A stored record has every field of the store's schema, most of them empty: kept, the empty lists
    of a 1,000,000-entry list took ~350 MB."""
    return value is None or (type(value) in (list, tuple, dict, str) and not value)


@dataclass(frozen=True, slots=True)
class Query:
    """A passenger, crew member, shipment party or document holder to screen (DESIGN.md 'Query')."""

    kind: str = "person"
    name: str = ""
    surname: str = ""
    given_names: str = ""
    birth_date: PartialDate | None = None
    nationality: str = ""
    sex: str = ""
    documents: tuple[Document, ...] = ()
    address: str = ""
    country: str = ""

    @property
    def full_name(self) -> str:
        if self.name:
            return self.name
        return " ".join(p for p in (self.given_names, self.surname) if p)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | "Query", where: str = "query") -> "Query":
        if isinstance(d, Query):
            return d
        if type(d) is not dict and not isinstance(d, Mapping):  # (a plain dict skips the slower ABC check)
            raise InputError(where, f"expected an object, got {type(d).__name__}")
        unknown = d.keys() - cls.__dataclass_fields__.keys()
        if unknown:
            raise InputError(f"{where}.{sorted(unknown)[0]}", "unknown field")
        kind = d.get("kind") or "person"
        if kind not in QUERY_KINDS:
            raise InputError(f"{where}.kind", f"{kind!r} is not one of {', '.join(QUERY_KINDS)}")
        text = {}
        for f in ("name", "surname", "given_names", "address", "nationality", "country", "sex"):
            v = d.get(f) or ""
            if not isinstance(v, str):
                raise InputError(f"{where}.{f}", f"expected a string, got {type(v).__name__}")
            text[f] = v = v.strip()
            if v:  # (most fields of a query are empty: nothing to check, no field path to write)
                _check_size(f, v, f"{where}.{f}")
        if not (text["name"] or text["surname"] or text["given_names"]):
            raise InputError(f"{where}.name", "a query needs a name, or a surname and given names")
        bd = d.get("birth_date") or None
        sex = text["sex"].upper()[:1]
        if sex and sex not in SEXES + ("U", "X"):
            raise InputError(f"{where}.sex", f"{text['sex']!r} is not M, F, U or X")
        return cls(
            kind=kind,
            name=text["name"],
            surname=text["surname"],
            given_names=text["given_names"],
            birth_date=_date(bd, f"{where}.birth_date") if bd else None,  # (a batch repeats its dates too)
            nationality=_country(text["nationality"], f"{where}.nationality") if text["nationality"] else "",
            sex=sex if sex in SEXES else "",
            documents=tuple(
                Document.from_dict(x, f"{where}.documents[{i}]") for i, x in enumerate(d.get("documents") or ())
            ),
            address=text["address"],
            country=_country(text["country"], f"{where}.country") if text["country"] else "",
        )


def oversized(field: str, value: str) -> str | None:
    """Why `value` is too long for `field` (name, surname, given_names, address), or None."""
    if field in ("name", "surname", "given_names", "address") and len(value) > MAX_TEXT_CHARS:
        return f"{len(value)} characters; at most {MAX_TEXT_CHARS}"
    if field in ("name", "surname", "given_names") and value:  # one character may give several words (U+FDFD: 4)
        if len(value) <= MAX_NAME_WORDS and value.isascii():
            return None  # an ASCII character gives at most one word: no need to normalise to count them
        words = len(normalize(value).split())
        if words > MAX_NAME_WORDS:
            return f"{words} words; at most {MAX_NAME_WORDS} in a name"
    return None


def _check_size(field: str, value: str, where: str) -> None:
    problem = oversized(field, value)
    if problem:
        raise InputError(where, problem)


def queries_from(items: Iterable[Mapping[str, Any] | Query], where: str = "queries") -> list[Query]:
    return [Query.from_dict(q, f"{where}[{i}]") for i, q in enumerate(items)]


class Hit:
    """One watchlist entry that a query matched, with the reasons (DESIGN.md 'Hit').

    `explanation` (a sentence per feature, the name's alignment first) may be given as a function
    that writes it: it is then written when first read. Batch screening and resolution read only
    the features, and most hits of a large batch are never read by a person; the gRPC service and
    the CLI read every hit's. Immutable, equal by value, pickled with its explanation written."""

    __slots__ = ("entry_id", "list_id", "score", "band", "matched_name", "features", "list_version", "_explanation")
    entry_id: str
    list_id: str
    score: float
    band: str
    matched_name: str
    features: dict[str, float]
    list_version: str
    _explanation: tuple[str, ...] | Callable[[], Sequence[str]]

    def __init__(
        self, entry_id: str, list_id: str, score: float, band: str, matched_name: str, features: dict[str, float],
        list_version: str = "", explanation: tuple[str, ...] | Callable[[], Sequence[str]] = (),
    ):
        setter = object.__setattr__  # (its own __setattr__ refuses)
        setter(self, "entry_id", entry_id)
        setter(self, "list_id", list_id)
        setter(self, "score", score)
        setter(self, "band", band)
        setter(self, "matched_name", matched_name)
        setter(self, "features", features)
        setter(self, "list_version", list_version)
        setter(self, "_explanation", explanation)

    @property
    def explanation(self) -> tuple[str, ...]:
        written = self._explanation
        if callable(written):
            written = tuple(written())
            object.__setattr__(self, "_explanation", written)
        return written

    def _values(self) -> tuple[Any, ...]:
        return (self.entry_id, self.list_id, self.score, self.band, self.matched_name, self.features, self.list_version, self.explanation)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        return self._values() == other._values() if isinstance(other, Hit) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (features is a dict)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name.lstrip('_')}={value!r}" for name, value in zip(self.__slots__, self._values()))
        return f"Hit({fields})"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return (Hit, self._values())


@dataclass(frozen=True, slots=True)
class DocumentHit:
    entry_id: str
    list_id: str
    score: float
    band: str
    matched_number: str
    features: dict[str, float]
    list_version: str = ""
    explanation: tuple[str, ...] = ()
