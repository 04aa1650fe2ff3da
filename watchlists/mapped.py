"""Loader for a watchlist exported from some database as CSV or Parquet, with a small mapping that says
which column holds what (format ``mapped``, chosen by the ``mapping=`` option; list_id ``custom``)::

    watchlists.load_records("nat.csv", mapping="nat.toml")      # or mapping={...}, the same as a dict

The mapping, a TOML file (read with tomllib) or a dict of the same shape::

    list_id = "nl-national"   # optional: the records' list_id (default "custom")
    kind = "person"           # optional: the kind of every row (person | organization | vessel | aircraft)
    delimiter = ","           # CSV only (default ","); one character, "\\t" for tab
    encoding = "utf-8"        # CSV only (default "utf-8"); a UTF-8 byte-order mark is dropped
    date_order = "DMY"        # how 01/02/1970 reads: DMY (default) or MDY; YMD for 1970/02/01

    [columns]                 # key = "column name", or key = { column = "...", separator = ";" }
    id = "ref"                # the entry's id (unique in the list)
    name = "full_name"        # the primary name ...
    surname = "surname"       # ... or surname and given names, joined "given surname" (both may be
    given_names = "given"     #     mapped with name: name then comes first, the joined name after)
    kind = { column = "type", values = { Individual = "person", Entity = "organization" } }
    aliases = { column = "aka", separator = ";" }        # more names (strong)
    weak_aliases = { column = "low_aka", separator = ";" }
    birth_date = "dob"        # YYYY, YYYY-MM, YYYY-MM-DD, 01/02/1970 (date_order), 1 Feb 1970, circa 1970
    nationality = { column = "nat", separator = ";" }    # ISO alpha-2 / alpha-3 codes or names
    sex = "gender"            # M/F, male/female
    passport = "passport_no"  # a document of type passport ...
    national_id = "id_no"     # ... and of type national_id,
    document_country = "passport_country"               # ... issued by this country
    address = "address"       # addresses (a separator splits several)
    country = "country"       # address countries
    program = "program"
    listed_on = "listed"      # a date, as birth_date
    remarks = "remarks"

Every key may be left out except a name: ``name``, or ``surname`` and/or ``given_names``. A column spec
may also carry ``separator`` (any key) and, for ``kind`` only, ``values`` (matched case-insensitively;
a kind value it does not list is a bad row; without ``values`` the column must hold the kinds
themselves). Unknown keys, a value of the wrong type, an unknown kind or date order raise
ListFormatError naming the mapping file and the key; a mapped column missing from the file's header
(or from the Parquet schema) raises it naming the mapping file, the key and the column (line 1 of the
list file). Header names match exactly, else ignoring case and surrounding whitespace.

**Rows -> records** (DESIGN.md 'Record'): whitespace is normalised; ``names`` = name, the joined
surname/given names, then the aliases; a row with no name is a bad row (its line for CSV, ``row N``
for Parquet, counted from 1). A birth or listing date that is no date is a bad row too (a national list
is curated: a mangled date is an export error, not something to drop quietly). Nationalities and
countries that name no country are dropped, as in the other loaders.

**Ids.** The id column's value (a duplicate id is a bad row). Without an id column, the id is derived
from the content: ``<list_id>-`` and 16 hex digits of a SHA-256 of kind, names, birth dates,
nationalities and documents. It is stable across exports (row order and unmapped columns do not change
it), so a version diff sees unchanged entries as unchanged; an entry whose content changes is a removal
plus an addition. Two rows with the same content are one entry: the second is a duplicate (bad row).

**Files.** CSV is read line by line (watchlists._csvrows: undecodable bytes name their line, a truncated
last row is fatal). Parquet (recognised by its ``PAR1`` magic, whatever the name) is read with
pyarrow.parquet in batches, only the mapped columns; dates, numbers and other types become text
(a date as YYYY-MM-DD).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import re
import tomllib
import zlib
from dataclasses import dataclass, field
from gzip import BadGzipFile
from pathlib import Path
from typing import Any, BinaryIO

from . import _common as c
from ._csvrows import read_rows
from ._source import Source, open_source, peek
from .errors import ListFormatError

__all__ = ["FORMAT", "LIST_ID", "Mapping", "load_mapping", "read_mapped", "read_mapped_path", "sniff", "sniff_path"]

FORMAT = "mapped"
LIST_ID = "custom"

_TOP_KEYS = {"list_id", "kind", "delimiter", "encoding", "date_order", "columns"}
_COLUMN_KEYS = (
    "id", "name", "surname", "given_names", "kind", "aliases", "weak_aliases", "birth_date", "nationality",
    "sex", "passport", "national_id", "document_country", "address", "country", "program", "listed_on", "remarks",
)
_SPEC_KEYS = {"column", "separator", "values"}
_DATE_ORDERS = ("DMY", "MDY", "YMD")
_KINDS = ("person", "organization", "vessel", "aircraft")
_PARQUET_MAGIC = b"PAR1"


def sniff(head: bytes) -> bool:
    """Never: a mapped list is chosen by its mapping option, not recognised."""
    return False


def sniff_path(path: Path) -> bool:
    return False


@dataclass(frozen=True)
class Column:
    key: str  # the mapping key ("aliases")
    column: str  # the column name in the file
    separator: str | None = None
    values: dict[str, str] | None = None  # kind only: casefolded raw value -> kind


@dataclass(frozen=True)
class Mapping:
    source: str  # the mapping file, or "<mapping>" for a dict: how errors name it
    columns: dict[str, Column]
    list_id: str = LIST_ID
    kind: str = "person"
    delimiter: str = ","
    encoding: str = "utf-8"
    date_order: str = "DMY"


def _bad_mapping(source: str, message: str) -> ListFormatError:
    return ListFormatError(f"mapping: {message}", source)


def load_mapping(mapping: str | os.PathLike[str] | dict[str, Any] | Mapping) -> Mapping:
    """A validated Mapping from a TOML path or a dict (see the module docstring)."""
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return _parse_mapping(mapping, "<mapping>")
    if not isinstance(mapping, (str, os.PathLike)):
        raise ListFormatError(f"mapping= must be a TOML file path or a dict, not {type(mapping).__name__}")
    source = os.fspath(mapping)
    try:
        with open(source, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ListFormatError("mapping file: no such file", source) from None
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise ListFormatError(f"mapping file is not valid TOML: {e}", source, int(line.group(1)) if line else None) from None
    except UnicodeDecodeError as e:
        raise ListFormatError(f"mapping file is not valid UTF-8 ({e.reason})", source) from None
    return _parse_mapping(data, source)


def _parse_mapping(data: dict[str, Any], source: str) -> Mapping:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _bad_mapping(source, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    options: dict[str, str] = {}
    for key in ("list_id", "kind", "delimiter", "encoding", "date_order"):
        if key in data:
            if not isinstance(data[key], str) or not data[key]:
                raise _bad_mapping(source, f"{key!r} must be a non-empty string")
            options[key] = data[key]
    if options.get("kind", "person") not in _KINDS:
        raise _bad_mapping(source, f"kind {options['kind']!r} is not one of {', '.join(_KINDS)}")
    if "date_order" in options:
        options["date_order"] = options["date_order"].upper()
        if options["date_order"] not in _DATE_ORDERS:
            raise _bad_mapping(source, f"date_order {data['date_order']!r} is not one of {', '.join(_DATE_ORDERS)}")
    if len(options.get("delimiter", ",")) != 1:
        raise _bad_mapping(source, f"delimiter {options['delimiter']!r} must be one character")
    if "encoding" in options:
        try:
            "".encode(options["encoding"])
        except LookupError:
            raise _bad_mapping(source, f"unknown encoding {options['encoding']!r}") from None
    table = data.get("columns")
    if not isinstance(table, dict) or not table:
        raise _bad_mapping(source, "a [columns] table is required (which column holds the name, ...)")
    columns: dict[str, Column] = {}
    for key, spec in table.items():
        if key not in _COLUMN_KEYS:
            raise _bad_mapping(source, f"unknown key 'columns.{key}' (known: {', '.join(_COLUMN_KEYS)})")
        columns[key] = _parse_column(key, spec, source)
    if not any(k in columns for k in ("name", "surname", "given_names")):
        raise _bad_mapping(source, "no name column: map 'columns.name', or 'columns.surname' / 'columns.given_names'")
    return Mapping(source=source, columns=columns, **options)


def _parse_column(key: str, spec: Any, source: str) -> Column:
    where = f"columns.{key}"
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise _bad_mapping(source, f"{where!r} must be a column name or a table {{ column = ... }}")
    unknown = sorted(set(spec) - _SPEC_KEYS)
    if unknown:
        raise _bad_mapping(source, f"unknown key '{where}.{unknown[0]}' (known: column, separator, values)")
    column = spec.get("column")
    if not isinstance(column, str) or not column.strip():
        raise _bad_mapping(source, f"'{where}.column' must name a column")
    separator = spec.get("separator")
    if separator is not None and (not isinstance(separator, str) or not separator):
        raise _bad_mapping(source, f"'{where}.separator' must be a non-empty string")
    values = spec.get("values")
    if values is not None:
        if key != "kind":
            raise _bad_mapping(source, f"'{where}.values': only columns.kind takes a value map")
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise _bad_mapping(source, f"'{where}.values' must map column values to kinds")
        wrong = [v for v in values.values() if v not in _KINDS]
        if wrong:
            raise _bad_mapping(source, f"'{where}.values': {wrong[0]!r} is not one of {', '.join(_KINDS)}")
        values = {k.strip().casefold(): v for k, v in values.items()}
    return Column(key, column, separator, values)


# -- reading -----------------------------------------------------------------------------------------


def read_mapped(
    stream: BinaryIO,
    name: str,
    *,
    skip_bad: bool = False,
    problems: list[ListFormatError] | None = None,
    mapping: Any = None,
) -> list[dict[str, Any]]:
    """Records of a CSV or Parquet stream under `mapping` (a TOML path, a dict or a Mapping)."""
    spec = _required(mapping, name)
    try:
        head, stream = peek(stream, len(_PARQUET_MAGIC))
        data = stream.read() if head == _PARQUET_MAGIC else None
    except (BadGzipFile, EOFError, zlib.error) as e:
        raise ListFormatError(f"corrupt or truncated gzip data ({e})", name) from None
    if data is not None:
        return _read_parquet(io.BytesIO(data), name, spec, skip_bad, problems)
    return _read_csv(stream, name, spec, skip_bad, problems)


def read_mapped_path(
    path: Source,
    name: str,
    *,
    skip_bad: bool = False,
    problems: list[ListFormatError] | None = None,
    mapping: Any = None,
) -> list[dict[str, Any]]:
    """read_mapped on a file: Parquet is read by pyarrow from the path (no copy in memory)."""
    spec = _required(mapping, name)
    with open(path, "rb") as f:  # type: ignore[arg-type]
        is_parquet = f.read(len(_PARQUET_MAGIC)) == _PARQUET_MAGIC
    if is_parquet:
        return _read_parquet(path, name, spec, skip_bad, problems)
    with open_source(path) as stream:
        return _read_csv(stream, name, spec, skip_bad, problems)


def _required(mapping: Any, name: str) -> Mapping:
    if mapping is None:
        raise ListFormatError("the mapped format needs mapping= (a TOML file or a dict naming the columns)", name)
    return load_mapping(mapping)


def _resolve(spec: Mapping, header: list[str], name: str, what: str) -> dict[str, int]:
    """Mapping key -> index in `header`; a mapped column that is not there is fatal."""
    exact = {h: i for i, h in reversed(list(enumerate(header)))}
    loose = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
    out = {}
    for key, col in spec.columns.items():
        i = exact.get(col.column, loose.get(col.column.strip().casefold()))
        if i is None:
            raise ListFormatError(
                f"mapping {spec.source}: columns.{key} names column {col.column!r}, which the {what} does not have "
                f"(it has: {', '.join(header)})",
                name,
                1 if what == "header" else None,
            )
        out[key] = i
    return out


def _read_csv(stream: BinaryIO, name: str, spec: Mapping, skip_bad: bool, problems: list[ListFormatError] | None):
    report = c.Reporter(name, skip_bad, problems)
    rows = read_rows(stream, report, delimiter=spec.delimiter, encoding=spec.encoding)
    first = next(rows, None)
    if first is None:
        raise report.fatal("empty file: no header", 1)
    _, header = first
    header = [h.lstrip("\ufeff") for h in header]
    builder = _Builder(spec, _resolve(spec, header, name, "header"), report)
    for line, fields in rows:
        builder.add(fields, line, None)
    return builder.records


def _read_parquet(source: Any, name: str, spec: Mapping, skip_bad: bool, problems: list[ListFormatError] | None):
    import pyarrow.parquet as pq

    report = c.Reporter(name, skip_bad, problems)
    try:
        pf = pq.ParquetFile(source)
    except Exception as e:  # pyarrow raises ArrowInvalid / OSError for a damaged file
        raise report.fatal(f"not a readable Parquet file ({e})") from None
    header = pf.schema_arrow.names
    index = _resolve(spec, header, name, "Parquet schema")
    wanted = sorted(set(index.values()))
    position = {i: n for n, i in enumerate(wanted)}
    builder = _Builder(spec, {k: position[i] for k, i in index.items()}, report)
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=65_536, columns=[header[i] for i in wanted], use_threads=False):
            columns = [[_text(v) for v in col.to_pylist()] for col in batch.columns]
            for fields in zip(*columns):
                row += 1
                builder.add(list(fields), None, f"row {row}")
    except (OSError, ValueError) as e:
        if isinstance(e, ListFormatError):
            raise
        raise report.fatal(f"damaged Parquet data after row {row} ({e})", None, f"row {row + 1}") from None
    return builder.records


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(_text(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


class _BadRow(Exception):
    pass


@dataclass
class _Builder:
    """Rows (lists of text fields) -> records, ids checked for duplicates."""

    spec: Mapping
    index: dict[str, int]
    report: c.Reporter
    records: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # id -> where first
    _dates: dict[str, str | None] = field(default_factory=dict)
    _countries: dict[str, str | None] = field(default_factory=dict)

    def add(self, fields: list[str], line: int | None, element: str | None) -> None:
        try:
            rec = self._record(fields)
        except _BadRow as e:
            self.report.bad(str(e), line, element)
            return
        where = f"line {line}" if line is not None else element
        first = self.seen.get(rec["id"])
        if first is not None:
            if "id" in self.index:
                message = f"duplicate id {rec['id']!r} (first on {first})"
            else:
                message = f"duplicate entry: the same content as {first}"
            self.report.bad(message, line, element)
            return
        self.seen[rec["id"]] = where or ""
        self.records.append(rec)

    def _values(self, fields: list[str], key: str) -> list[str]:
        i = self.index.get(key)
        if i is None:
            return []
        value = fields[i]
        if not value:  # most optional cells are empty
            return []
        sep = self.spec.columns[key].separator
        parts = value.split(sep) if sep else [value]
        return [t for t in (c.clean(p) for p in parts) if t]

    def _one(self, fields: list[str], key: str) -> str:
        i = self.index.get(key)
        return c.clean(fields[i]) if i is not None and fields[i] else ""

    def _date(self, raw: str, what: str) -> str | None:
        if raw in self._dates:
            value = self._dates[raw]
        else:
            text = raw
            if self.spec.date_order == "YMD":
                text = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$", r"\1-\2-\3", text)
            value = c.parse_date(text, day_first=self.spec.date_order != "MDY")[0]
            self._dates[raw] = value
        if value is None:
            raise _BadRow(f"{what} {raw!r} is not a date")
        return value

    def _country(self, raw: str) -> str | None:
        if raw not in self._countries:
            self._countries[raw] = c.country(raw)
        return self._countries[raw]

    def _kind(self, fields: list[str]) -> str:
        if "kind" not in self.index:
            return self.spec.kind
        raw = self._one(fields, "kind")
        if not raw:
            return self.spec.kind
        col = self.spec.columns["kind"]
        kind = (col.values or {k: k for k in _KINDS}).get(raw.casefold())
        if kind is None:
            raise _BadRow(f"unknown kind {raw!r} in column {col.column!r}")
        return kind

    def _record(self, fields: list[str]) -> dict[str, Any]:
        name = self._one(fields, "name")
        joined = c.clean(f"{self._one(fields, 'given_names')} {self._one(fields, 'surname')}")
        names = [n for n in (name, joined) if n] + self._values(fields, "aliases")
        weak = self._values(fields, "weak_aliases")
        rid = self._one(fields, "id")
        if not names:
            if not weak:
                raise _BadRow(f"{'id ' + repr(rid) + ': ' if rid else ''}no name")
            names = weak[:1]  # only weak aliases: the first still serves as primary name
        kind = self._kind(fields)
        births = [self._date(v, "birth date") for v in self._values(fields, "birth_date")]
        listed = self._one(fields, "listed_on")
        doc_country = self._country(self._one(fields, "document_country"))
        documents = [
            {"number": number, "type": doc_type, "country": doc_country, "expires": None}
            for key, doc_type in (("passport", "passport"), ("national_id", "national_id"))
            for number in self._values(fields, key)
        ]
        nationalities = list(dict.fromkeys(x for x in map(self._country, self._values(fields, "nationality")) if x))
        rec = c.record(
            id=rid,
            kind=kind,
            names=names,
            weak_names=weak,
            birth_dates=list(dict.fromkeys(births)),
            nationalities=nationalities,
            countries=list(dict.fromkeys(x for x in map(self._country, self._values(fields, "country")) if x)),
            sex=c.sex(self._one(fields, "sex")) if kind == "person" else None,
            documents=documents,
            addresses=c.unique(self._values(fields, "address")),
            list_id=self.spec.list_id,
            program=self._one(fields, "program") or None,
            remarks=self._one(fields, "remarks") or None,
            listed_on=self._date(listed, "listing date") if listed else None,
        )
        if "id" not in self.index:
            rec["id"] = _content_id(rec)
        elif not rid:
            raise _BadRow(f"{names[0]!r}: no id in column {self.spec.columns['id'].column!r}")
        return rec


def _content_id(rec: dict[str, Any]) -> str:
    """`<list_id>-` and 16 hex digits of a hash of what identifies the entry (not row order)."""
    key = [
        rec["kind"],
        rec["names"],
        rec["weak_names"],
        rec["birth_dates"],
        rec["nationalities"],
        [[d["number"], d["type"], d["country"]] for d in rec["documents"]],
    ]
    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    return f"{rec['list_id']}-{digest[:16]}"
