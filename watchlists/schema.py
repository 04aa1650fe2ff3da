"""The canonical record as an Arrow table, and back.

One fixed schema for every list, so that versions of any list can be stored, diffed and memory-mapped
the same way. Keys a loader adds beyond it (``un_dataid``, ``ofac_uid``, a document's ``type_raw``)
travel in JSON ``extra`` columns, so nothing a loader found is lost in the store.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

import pyarrow as pa

from ._common import RECORD_FIELDS

_STRINGS = pa.list_(pa.string())

DOCUMENT_FIELDS = ("number", "type", "country", "expires", "status", "reported_on")
DOCUMENT = pa.struct([*(pa.field(f, pa.string()) for f in DOCUMENT_FIELDS), pa.field("extra", pa.string())])
DATE_RANGE = pa.struct([pa.field("from", pa.string()), pa.field("to", pa.string()), pa.field("circa", pa.bool_())])

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("names", _STRINGS),
        pa.field("weak_names", _STRINGS),
        pa.field("original_script_names", _STRINGS),
        pa.field("birth_dates", _STRINGS),
        pa.field("birth_date_ranges", pa.list_(DATE_RANGE)),
        pa.field("nationalities", _STRINGS),
        pa.field("countries", _STRINGS),
        pa.field("sex", pa.string()),
        pa.field("documents", pa.list_(DOCUMENT)),
        pa.field("addresses", _STRINGS),
        pa.field("birth_places", _STRINGS),
        pa.field("list_id", pa.string()),
        pa.field("program", pa.string()),
        pa.field("remarks", pa.string()),
        pa.field("listed_on", pa.string()),
        pa.field("extra", pa.string()),  # JSON object of the loader's own keys, "" when none
    ]
)

_LIST_FIELDS = {f.name for f in SCHEMA if pa.types.is_list(f.type)}
_SCALAR_FIELDS = [f.name for f in SCHEMA if f.name not in _LIST_FIELDS and f.name != "extra"]
_KNOWN = set(SCHEMA.names) - {"extra"}


def _document_row(doc: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {f: _str_or_none(doc.get(f)) for f in DOCUMENT_FIELDS}
    rest = {k: v for k, v in doc.items() if k not in DOCUMENT_FIELDS}
    row["extra"] = json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""
    return row


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _range_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"from": _str_or_none(r.get("from")), "to": _str_or_none(r.get("to")), "circa": bool(r.get("circa"))}


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    """One record as a row of SCHEMA (lists as lists, unknown keys into ``extra``)."""
    row: dict[str, Any] = {}
    for name in _SCALAR_FIELDS:
        value = record.get(name, RECORD_FIELDS.get(name))
        row[name] = _str_or_none(value)
    row["kind"] = row["kind"] or "person"
    for name in _LIST_FIELDS:
        values = record.get(name) or []
        if name == "documents":
            row[name] = [_document_row(d) for d in values]
        elif name == "birth_date_ranges":
            row[name] = [_range_row(r) for r in values]
        else:
            row[name] = [str(v) for v in values]
    rest = {k: v for k, v in record.items() if k not in _KNOWN}
    row["extra"] = json.dumps(rest, ensure_ascii=False, sort_keys=True, default=str) if rest else ""
    return row


def to_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist([to_row(r) for r in records], schema=SCHEMA)


def _from_document_row(row: dict[str, Any]) -> dict[str, Any]:
    doc = {f: row[f] for f in DOCUMENT_FIELDS if row[f] is not None or f in ("number", "type", "country", "expires")}
    if row.get("extra"):
        doc.update(json.loads(row["extra"]))
    return doc


def from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The record a row was made from (to_row's inverse, up to empty optional document fields)."""
    record = {k: v for k, v in row.items() if k != "extra"}
    record["documents"] = [_from_document_row(d) for d in row["documents"] or []]
    for name in _LIST_FIELDS - {"documents"}:
        record[name] = list(row[name] or [])
    if row.get("extra"):
        record.update(json.loads(row["extra"]))
    return record


def iter_records(table: pa.Table, batch_rows: int = 65_536) -> Iterator[dict[str, Any]]:
    """The records of a table, as from_row gives them. Read a column at a time: a row dict per row
    from Arrow cost ~10 us (a 1,000,000-entry list took 10 s to read, then 12 s more in from_row),
    most of it building the many empty lists of the optional fields one by one."""
    for batch in table.to_batches(max_chunksize=batch_rows):
        names = [name for name in batch.schema.names if name != "extra"]
        columns = [_column_values(batch.column(name), name) for name in names]
        extras = batch.column("extra").to_pylist() if "extra" in batch.schema.names else [None] * batch.num_rows
        for values, extra in zip(zip(*columns), extras):
            record = dict(zip(names, values))
            if extra:
                record.update(json.loads(extra))
            yield record


def _column_values(column: pa.Array, name: str) -> list[Any]:
    """One column's values as from_row gives them: a list field as a new list per row (empty for null)."""
    if name not in _LIST_FIELDS:
        return column.to_pylist()
    if column.null_count == 0:
        offsets = column.offsets.to_pylist()
        if offsets[0] == offsets[-1]:  # most optional fields are empty on every row
            return [[] for _ in range(len(column))]
        if not pa.types.is_struct(column.type.value_type):  # the flat values, and each row's slice of them
            flat, base = column.flatten().to_pylist(), offsets[0]
            return [flat[a - base:b - base] for a, b in zip(offsets, offsets[1:])]
    if name == "documents":
        return [[_from_document_row(d) for d in docs] if docs else [] for docs in column.to_pylist()]
    return [list(values) if values else [] for values in column.to_pylist()]


# -- stolen / lost travel documents ----------------------------------------------------------------
# An SLTD-style list has ~100M rows: one canonical record per row would be ~1 kB of Python each, so
# such lists are stored in a flat layout of their own (Version.layout == "documents"), written batch
# by batch and never held whole. A row is the one document of a DESIGN.md `kind: document` record;
# from_document_row gives that record back.

DOCUMENT_LIST_SCHEMA = pa.schema(
    [
        pa.field("number", pa.string(), nullable=False),  # normalised: upper case, letters and digits only
        pa.field("type", pa.string()),  # passport | national_id | visa | travel_document | other
        pa.field("country", pa.string()),  # issuing country, ISO 3166-1 alpha-2; null when unknown
        pa.field("status", pa.string()),  # stolen | lost | revoked | invalidated | ...
        pa.field("reported_on", pa.date32()),
        pa.field("number_raw", pa.string()),  # as written in the source, when it differs from `number`
    ]
)


def document_record_id(number: str, type: str | None, country: str | None) -> str:
    """The id of a document list entry: its key (issuing country, type, number), DESIGN.md 'Documents'."""
    return f"{country or '--'}:{type or 'other'}:{number}"


def from_document_row(row: dict[str, Any], list_id: str = "") -> dict[str, Any]:
    """The canonical `kind: document` record of one DOCUMENT_LIST_SCHEMA row."""
    reported = row.get("reported_on")
    doc = {
        "number": row["number"],
        "type": row.get("type"),
        "country": row.get("country"),
        "expires": None,
        "status": row.get("status"),
        "reported_on": reported.isoformat() if reported is not None else None,
    }
    if row.get("number_raw"):
        doc["number_raw"] = row["number_raw"]
    return {
        "id": document_record_id(row["number"], row.get("type"), row.get("country")),
        "kind": "document",
        "names": [],
        "documents": [doc],
        "list_id": list_id,
        "listed_on": doc["reported_on"],
    }
