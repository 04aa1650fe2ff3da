"""Watchlist loaders: published list files -> canonical records (DESIGN.md 'Record') -> engine.Watchlist.

```python
import watchlists
records = watchlists.load_records("consolidated.xml")      # format detected; .gz read transparently
wl = watchlists.load("consolidated.xml.gz")                 # an engine.Watchlist, list_id "un-sc"
wl = watchlists.default_list()                              # the UN list bundled with the package
```
Every loader raises ListFormatError (file, line, element) for what it cannot read. A new format is a
`ListFormat` added to FORMATS with register_format: a sniffing test on the file's first bytes and a
reader from a binary stream to records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import engine
from engine.countries import to_iso2
from engine.model import oversized

from . import un
from . import canada, eu, uk
from . import csl, ftm
from . import ofac, ofac_csv
from . import mapped, sltd
from ._common import Reporter
from ._source import Source, open_source, peek, source_name
from .errors import ListFormatError
from .un import parse_un_xml


__all__ = [
    "DEFAULT_LIST_PATH",
    "FORMATS",
    "ListFormat",
    "ListFormatError",
    "default_list",
    "detect_format",
    "load",
    "load_records",
    "parse_un_xml",
    "register_format",
    "to_iso2",
]

#: The UN Security Council consolidated list shipped with the package (see data/PROVENANCE.md).
DEFAULT_LIST_PATH = Path(__file__).resolve().parent / "data" / "un_sc_consolidated.xml.gz"

#: How many (decompressed) bytes format detection looks at.
SNIFF_BYTES = 4096

Reader = Callable[..., list[dict[str, Any]]]  # (stream, name, *, skip_bad, problems, **options) -> records
PathReader = Callable[..., list[dict[str, Any]]]  # (path, name, *, skip_bad, problems, **options) -> records


@dataclass(frozen=True)
class ListFormat:
    """A list format. `read` gets the decompressed binary stream; a format made of several files (the
    OFAC CSV set) or read by a library that wants a path (Parquet) also sets `read_path`, used
    whenever the source is a path, and `sniff_path` to recognise a directory or a file by its path.
    Reader options (``mapping=`` for the mapped CSV/Parquet format) are passed through as keywords."""

    name: str  # "un-xml"
    list_id: str  # the list_id a Watchlist gets unless the caller names one
    sniff: Callable[[bytes], bool]  # does this head of a file look like the format?
    read: Reader
    read_path: PathReader | None = None
    sniff_path: Callable[[Path], bool] | None = None
    # A list too large for records (SLTD, ~100M rows) also reads as Arrow batches of
    # schema.DOCUMENT_LIST_SCHEMA: (source, name, *, skip_bad, problems, batch_rows) -> Iterator[RecordBatch].
    # Store.import_file uses it, so such a list is never held whole in memory.
    read_batches: Callable[..., Any] | None = None


FORMATS: dict[str, ListFormat] = {}


def register_format(fmt: ListFormat) -> None:
    FORMATS[fmt.name] = fmt


register_format(ListFormat("un-xml", un.LIST_ID, lambda head: b"<" + un.ROOT_TAG.encode() in head, un.read_un_xml))
register_format(ListFormat(eu.FORMAT, eu.LIST_ID, eu.sniff, eu.read_eu_xml))
register_format(ListFormat(canada.FORMAT, canada.LIST_ID, canada.sniff, canada.read_canada_xml))
register_format(ListFormat(uk.FORMAT, uk.LIST_ID, uk.sniff, uk.read_uk_csv))
register_format(ListFormat(ofac.FORMAT, ofac.LIST_ID, ofac.sniff, ofac.read_ofac_xml))
register_format(ListFormat(ofac_csv.FORMAT, ofac_csv.LIST_ID, ofac_csv.sniff, ofac_csv.read_ofac_csv,
                           read_path=ofac_csv.read_ofac_csv_path, sniff_path=ofac_csv.sniff_path))
register_format(ListFormat(csl.FORMAT, csl.LIST_ID, csl.sniff, csl.read_csl_csv))
register_format(ListFormat(csl.DPL_FORMAT, csl.DPL_LIST_ID, csl.sniff_dpl, csl.read_dpl))
register_format(ListFormat(ftm.FORMAT, ftm.LIST_ID, ftm.sniff, ftm.read_ftm_json))
register_format(ListFormat(mapped.FORMAT, mapped.LIST_ID, mapped.sniff, mapped.read_mapped,
                           read_path=mapped.read_mapped_path, sniff_path=mapped.sniff_path))
register_format(ListFormat(sltd.FORMAT, sltd.LIST_ID, sltd.sniff, sltd.read_sltd_csv,
                           read_batches=sltd.iter_sltd_batches))


def detect_format(head: bytes) -> str | None:
    """The name of the first registered format that recognises these first bytes of a file."""
    return next((f.name for f in FORMATS.values() if f.sniff(head)), None)


def _detect_path(path: Path) -> str | None:
    return next((f.name for f in FORMATS.values() if f.sniff_path is not None and f.sniff_path(path)), None)


def _read(
    path: Source,
    format: str | None,
    skip_bad: bool,
    problems: list[ListFormatError] | None,
    **options: Any,
) -> tuple[ListFormat, list[dict[str, Any]]]:
    name = source_name(path)
    known = ", ".join(sorted(FORMATS))
    if format is not None and format not in FORMATS:
        raise ListFormatError(f"unknown list format {format!r} (known formats: {known})", name)
    if format is None and options.get("mapping") is not None and "mapped" in FORMATS:
        format = "mapped"  # a mapping file says which columns hold what: only the generic reader takes one
    is_path = isinstance(path, (str, os.PathLike))
    if is_path:
        if not os.path.exists(path):
            raise ListFormatError("no such file or directory", name)
        format = format or _detect_path(Path(path))
        if format is None and os.path.isdir(path):
            raise ListFormatError(f"a directory that no list format recognises (known formats: {known})", name)
        if format is not None and FORMATS[format].read_path is not None:
            fmt = FORMATS[format]
            records = fmt.read_path(Path(path), name, skip_bad=skip_bad, problems=problems, **options)
            return fmt, _bounded(records, name, skip_bad, problems)
    with open_source(path) as stream:
        if format is None:
            head, stream = peek(stream, SNIFF_BYTES)
            format = detect_format(head)
            if format is None:
                raise ListFormatError(
                    f"unknown list format: not recognised from its first {SNIFF_BYTES} bytes "
                    f"(known formats: {known}); name one with format=",
                    name,
                )
        fmt = FORMATS[format]
        return fmt, _bounded(fmt.read(stream, name, skip_bad=skip_bad, problems=problems, **options), name, skip_bad, problems)


def _bounded(
    records: list[dict[str, Any]], name: str, skip_bad: bool, problems: list[ListFormatError] | None
) -> list[dict[str, Any]]:
    """The records with every name within the engine's bounds (engine.model.oversized). A longer
    name is an error naming its record; with `skip_bad` that name alone is left out (the entity stays
    screenable by its other names) and reported, and a record left with no name is left out."""
    report = Reporter(name, skip_bad, problems)
    out = []
    for r in records:
        trimmed: dict[str, list[Any]] = {}
        for label in ("names", "weak_names"):
            values = r.get(label)
            if not isinstance(values, list):
                continue
            fine = []
            for i, n in enumerate(values):
                problem = oversized("name", n) if isinstance(n, str) else None
                if problem is None:
                    fine.append(n)
                else:
                    report.bad(f"record {r.get('id')!r}: {label}[{i}]: {problem}")
            if len(fine) != len(values):
                trimmed[label] = fine
        if trimmed:
            r = {**r, **trimmed}
            if not r.get("names") and r.get("kind") != "document":  # a document record needs no name
                continue
        out.append(r)
    return out


def load_records(
    path: Source,
    format: str | None = None,
    *,
    skip_bad: bool = False,
    problems: list[ListFormatError] | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """Canonical records from a list file (path or binary stream, plain or gzip). `format` is one of
    FORMATS, detected from the content when None. With `skip_bad`, unusable records are left out and
    appended to `problems` (when given) instead of raising ListFormatError. `options` go to the
    format's reader (``mapping="columns.toml"`` for a generic CSV or Parquet file)."""
    return _read(path, format, skip_bad, problems, **options)[1]


def load(
    path: Source,
    format: str | None = None,
    *,
    list_id: str | None = None,
    skip_bad: bool = False,
    problems: list[ListFormatError] | None = None,
    **options: Any,
) -> engine.Watchlist:
    """load_records, built into an engine.Watchlist with `list_id` (by default the format's, e.g. "un-sc")."""
    fmt, records = _read(path, format, skip_bad, problems, **options)
    return engine.Watchlist.from_records(records, list_id=list_id or records_list_id(records) or fmt.list_id)


def records_list_id(records: list[dict[str, Any]]) -> str | None:
    """The list_id every record names, when they all name the same one (one format can carry several
    lists: OFAC's XML is the SDN list or the non-SDN consolidated list)."""
    ids = {r.get("list_id") or "" for r in records}
    return ids.pop() or None if len(ids) == 1 else None


def default_list() -> engine.Watchlist:
    """The bundled UN Security Council consolidated list, as a Watchlist with list_id "un-sc"."""
    return load(DEFAULT_LIST_PATH, list_id="un-sc")
