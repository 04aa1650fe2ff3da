"""A versioned, crash-safe store of watchlists on disk (Arrow IPC), one active version per list.

Layout::

    <root>/.lock                        writers take it (flock), readers never wait
    <root>/.incoming/<id>/              an upload being received (Store.staging), before it is imported; one a
                                        killed process left is removed by the next staging or a server's start
    <root>/<list_id>/catalog.json       versions, which is active, activation history: the commit point
    <root>/<list_id>/v000007.arrow      one immutable Arrow IPC file per version (canonical schema)
    <root>/<list_id>/v000007.arrow.nameidx  its name index, saved on first use and memory-mapped on
                                        later opens (a cache: rebuilt when missing or invalid)

Every change (import, upsert, delete) writes a new data file aside under a temporary name, fsyncs it,
renames it to its version name, fsyncs the directory, and only then replaces ``catalog.json`` by a
rename of a fsynced temporary file. Until that last rename the old catalog, and with it the old active
version, is what every reader sees; a crash or kill at any point leaves it active and intact, and the
next writer removes what the crashed one left behind. Data files are never rewritten, so a reader
that opened one keeps a consistent version however the catalog moves on.

A version records its row count, the SHA-256 of its data file (checked on every read), the name,
format and SHA-256 of the source file, the import time, what made it (import, upsert, delete) and the
version it was made from. Importing a file whose content equals the active version makes no version.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

import engine
from engine.watchlist import collector_paused

from . import schema
from .errors import ListFormatError

try:  # POSIX: writers exclude each other; elsewhere a single writer is assumed
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["DEFAULT_RETENTION", "Diff", "Store", "StoreError", "Version"]

#: How many versions of a list are kept, the active one included, unless the store is told otherwise.
DEFAULT_RETENTION = 10

_CATALOG = "catalog.json"
_LIST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_VERSION = re.compile(r"^v\d{6}$")
_BATCH_ROWS = 50_000
_NAME_INDEX_SUFFIX = ".nameidx"  # <version>.arrow.nameidx: the version's saved name index (a cache)
_HASH_CHUNK = 1 << 20
_INCOMING = ".incoming"  # uploads being received, next to the store (its disk, its permissions), not in /tmp
_HELD = ".held"  # a staging directory's lock file: its owner holds it, so a stale one is told by flock
_STAGING_GRACE = 60.0  # seconds: a staging directory without its lock file yet is left alone this long

Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 when unknown


class StoreError(Exception):
    """A store operation that cannot be done (unknown list or version, bad list id, corrupt file)."""


@dataclass(frozen=True)
class Version:
    list_id: str
    version: str  # "v000007"
    rows: int
    checksum: str  # SHA-256 of the data file
    change: str  # import | upsert | delete
    parent: str | None  # the version this one was made from
    created_at: str  # UTC, ISO 8601
    source_name: str = ""
    source_sha256: str = ""
    source_format: str = ""
    skipped: int = 0  # bad records left out (skip_bad)
    layout: str = "records"  # the data file's schema: "records" (schema.SCHEMA) or "documents" (schema.DOCUMENT_LIST_SCHEMA)

    @property
    def file(self) -> str:
        return f"{self.version}.arrow"


@dataclass(frozen=True)
class ImportResult:
    version: Version
    created: bool  # False when the content equalled the active version's
    problems: list[ListFormatError] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    list_id: str
    old: str | None
    new: str
    added: list[str]
    removed: list[str]
    changed: dict[str, list[str]]  # entry id -> the fields that differ

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


# --- failpoints: where the crash tests kill a writer ---------------------------------------------

_FAILPOINT_ENV = "INTERDICT_STORE_FAILPOINT"


def _failpoint(name: str) -> None:
    """Kills this process (SIGKILL, no clean-up) when the environment names this point: how the
    tests prove that a crash at each step of a write leaves the store intact."""
    if os.environ.get(_FAILPOINT_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


# --- small file-system helpers ---------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def source_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a source file; of a directory (a set such as OFAC's CSVs), over its files' names and hashes."""
    p = Path(path)
    if p.is_dir():
        h = hashlib.sha256()
        for child in sorted(p.iterdir()):
            if child.is_file():
                h.update(f"{child.name}\0{_sha256_file(child)}\n".encode())
        return h.hexdigest()
    return _sha256_file(p)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    _failpoint("before-catalog-rename")
    os.replace(tmp, path)
    _fsync_dir(path.parent)


_DOCUMENT_VALUES = ("status", "reported_on", "number_raw")


def _document_keys(table: pa.Table) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Per row: its entry id (country:type:number) and the id with every other value appended."""
    import pyarrow.compute as pc

    def text(name: str, empty: str) -> pa.ChunkedArray:
        return pc.fill_null(pc.cast(table[name], pa.string()), empty)

    ids = pc.binary_join_element_wise(text("country", "--"), text("type", "other"), text("number", ""), ":")
    full = pc.binary_join_element_wise(ids, *(text(n, "") for n in _DOCUMENT_VALUES), "\x1f")
    return ids, full


def _diff_documents(list_id: str, old: str | None, new: str, old_table: pa.Table | None, new_table: pa.Table) -> Diff:
    """Diff of two document-list versions in Arrow (hash sets over columns, no per-row Python objects
    but the ids that differ), so two 100M-row SLTD versions compare in memory a few times their keys."""
    import pyarrow.compute as pc

    new_ids, new_full = _document_keys(new_table)
    if old_table is None:
        return Diff(list_id, old, new, added=sorted(set(new_ids.to_pylist())), removed=[], changed={})
    old_ids, old_full = _document_keys(old_table)
    new_only = pc.invert(pc.is_in(new_full, value_set=pa.concat_arrays(old_full.chunks) if old_full.num_chunks else pa.array([], pa.string())))
    old_only = pc.invert(pc.is_in(old_full, value_set=pa.concat_arrays(new_full.chunks) if new_full.num_chunks else pa.array([], pa.string())))
    # Only rows whose values differ can be added, removed or changed: the rest is compared no further.
    new_rows = new_table.filter(new_only)
    old_rows = old_table.filter(old_only)
    new_changed_ids = set(pc.filter(new_ids, new_only).to_pylist())
    old_changed_ids = set(pc.filter(old_ids, old_only).to_pylist())
    both = new_changed_ids & old_changed_ids
    changed: dict[str, list[str]] = {}
    if both:
        before = {schema.document_record_id(r["number"], r["type"], r["country"]): r for r in old_rows.to_pylist()}
        for r in new_rows.to_pylist():
            rid = schema.document_record_id(r["number"], r["type"], r["country"])
            if rid in both:
                a = before[rid]
                changed[rid] = [f for f in _DOCUMENT_VALUES if a.get(f) != r.get(f)] or ["documents"]
    # Ids present only on one side (a changed entry is neither added nor removed).
    new_all = pa.concat_arrays(new_ids.chunks) if new_ids.num_chunks else pa.array([], pa.string())
    old_all = pa.concat_arrays(old_ids.chunks) if old_ids.num_chunks else pa.array([], pa.string())
    def absent(ids: set[str], other: pa.Array) -> list[str]:
        candidates = pa.array(sorted(ids), pa.string())
        return pc.filter(candidates, pc.invert(pc.is_in(candidates, value_set=other))).to_pylist()

    added, removed = absent(new_changed_ids - both, old_all), absent(old_changed_ids - both, new_all)
    return Diff(list_id, old, new, added=added, removed=removed, changed=dict(sorted(changed.items())))


def _skipped(problems: Sequence[ListFormatError]) -> int:
    """Bad records left out: one per problem, except a reader's summary of the ones it did not list
    (sltd keeps the first 1,000 problems and counts the rest in `skipped`)."""
    return sum(getattr(p, "skipped", 1) for p in problems)


def _detect_batch_format(source: str | os.PathLike[str]) -> str | None:
    """The format of a file, when it is one read in batches (SLTD): detected from its first bytes."""
    from . import FORMATS, SNIFF_BYTES
    from ._source import open_source

    if os.path.isdir(source) or not os.path.exists(source):
        return None
    with open_source(source) as stream:
        head = stream.read(SNIFF_BYTES)
    return next((f.name for f in FORMATS.values() if f.read_batches is not None and f.sniff(head)), None)


# --- the store -----------------------------------------------------------------------------------

class Store:
    """Watchlists on disk under `root`, each with its versions; see the module docstring."""

    def __init__(self, root: str | os.PathLike[str], retention: int = DEFAULT_RETENTION):
        if retention < 1:
            raise ValueError(f"retention must keep at least the active version, got {retention}")
        self.root = Path(root)
        self.retention = retention

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r}, retention={self.retention})"

    # -- reading --

    def list_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / _CATALOG).is_file())

    def versions(self, list_id: str) -> list[Version]:
        """Every kept version, oldest first."""
        return [Version(**v) for v in self._catalog(list_id)["versions"]]

    def active(self, list_id: str) -> Version | None:
        catalog = self._catalog(list_id)
        return self._find(catalog, catalog["active"]) if catalog["active"] else None

    def history(self, list_id: str) -> list[dict[str, str]]:
        """Activations, oldest first: {"version", "at", "change"}."""
        return list(self._catalog(list_id)["history"])

    def table(self, list_id: str, version: str | None = None, *, verify: bool = True) -> pa.Table:
        """The version's data (the active one by default), memory-mapped; its checksum is verified
        first unless told not to."""
        v = self._resolve(list_id, version)
        path = self._dir(list_id) / v.file
        if verify:
            try:
                actual = _sha256_file(path)
            except FileNotFoundError:
                raise StoreError(f"{path}: missing: the data file of {list_id} {v.version} was removed; "
                                 "roll back or re-import") from None
            if actual != v.checksum:
                raise StoreError(
                    f"{path}: checksum mismatch (catalog {v.checksum[:12]}..., file {actual[:12]}...): "
                    "the file was changed or damaged after it was written; roll back or re-import"
                )
        with pa.memory_map(str(path), "r") as source:
            return pa.ipc.open_file(source).read_all()

    def records(self, list_id: str, version: str | None = None) -> list[dict[str, Any]]:
        """The version's canonical records (a document list's rows as `kind: document` records)."""
        v = self._resolve(list_id, version)
        table = self.table(list_id, v.version)
        if v.layout == "documents":
            return [schema.from_document_row(row, list_id) for row in table.to_pylist()]
        return list(schema.iter_records(table))

    def watchlist(self, list_id: str, version: str | None = None) -> engine.Watchlist:
        """The version as an engine.Watchlist whose `version` is the store's version id."""
        v = self._resolve(list_id, version)
        if v.layout == "documents":  # SLTD-size: the memory-mapped columns go straight to the native index
            return engine.Watchlist.from_document_table(self.table(list_id, v.version), list_id, v.version)
        # Records are read one at a time as they are validated (the collector paused meanwhile, see
        # engine.Watchlist), not all first; the version is the store's, not a hash of the content.
        wl = engine.Watchlist.from_records(schema.iter_records(self.table(list_id, v.version)), list_id=list_id, version=v.version)
        # The name index is cached next to the version's data file: built and written on first use,
        # memory-mapped on later opens; a damaged or foreign cache is rebuilt (engine.Watchlist).
        wl.use_name_index_file(self.name_index_path(list_id, v.version))
        return wl

    def name_index_path(self, list_id: str, version: str | None = None) -> Path:
        """Where the version's name index is cached (written on first use, then memory-mapped)."""
        return self._dir(list_id) / f"{self._resolve(list_id, version).file}{_NAME_INDEX_SUFFIX}"

    def stored_entries(self, list_id: str, records: Iterable[dict[str, Any]]) -> list[engine.Entry]:
        """The entries `records` become once stored in `list_id` and read back (the list id filled in,
        the schema's fields): what `watchlist` gives for them, for engine.Watchlist.updated."""
        rows = schema.to_table([{**r, "list_id": r.get("list_id") or list_id} for r in records])
        return [engine.Entry.from_dict(r, f"records[{i}]", list_id) for i, r in enumerate(schema.iter_records(rows))]

    # -- writing --

    def import_file(
        self,
        source: str | os.PathLike[str],
        format: str | None = None,
        *,
        list_id: str | None = None,
        skip_bad: bool = False,
        progress: Progress | None = None,
        **reader_options: Any,
    ) -> ImportResult:
        """Reads a list file with its loader (format detected when None), validates every record,
        and makes it the new active version of `list_id` (by default the format's list id).
        A bad file raises ListFormatError and leaves the store as it was; with `skip_bad`, bad
        records are left out and returned in `problems`."""
        from . import FORMATS, _read, records_list_id  # the loaders' registry; imported late to avoid a cycle

        problems: list[ListFormatError] = []
        if progress:
            progress("reading", 0, 0)
        fmt = FORMATS.get(format) if format else None
        if fmt is None and format is None and isinstance(source, (str, os.PathLike)):
            fmt = FORMATS.get(_detect_batch_format(source) or "")
        if fmt is not None and fmt.read_batches is not None and isinstance(source, (str, os.PathLike)):
            name = os.fspath(source)
            batches = fmt.read_batches(source, name, skip_bad=skip_bad, problems=problems, **reader_options)
            version, created = self.import_document_batches(
                list_id or fmt.list_id,
                batches,
                source_name=name,
                source_sha256=source_sha256(source),
                source_format=fmt.name,
                problems=problems,
                progress=progress,
            )
            return ImportResult(version, created, problems)
        # The records of a large list live until they are written: no cyclic collection meanwhile,
        # each one walks all of them to free nothing (a 1,000,000-row file read in 27 s, not 17)
        with collector_paused():
            fmt, records = _read(source, format, skip_bad, problems, **reader_options)
            list_id = list_id or records_list_id(records) or fmt.list_id
            digest = source_sha256(source) if isinstance(source, (str, os.PathLike)) else ""
            version, created = self._commit(
                list_id,
                records,
                change="import",
                source_name=os.fspath(source) if isinstance(source, (str, os.PathLike)) else "",
                source_sha256=digest,
                source_format=fmt.name,
                skipped=_skipped(problems),
                progress=progress,
            )
        assert fmt.name in FORMATS
        return ImportResult(version, created, problems)

    def import_records(
        self, list_id: str, records: Iterable[dict[str, Any]], *, source_name: str = "", progress: Progress | None = None
    ) -> ImportResult:
        """Replaces the list's content with `records` (canonical record dicts) as a new version."""
        version, created = self._commit(list_id, list(records), change="import", source_name=source_name, progress=progress)
        return ImportResult(version, created)

    def import_document_batches(
        self,
        list_id: str,
        batches: Iterable[pa.RecordBatch],
        *,
        source_name: str = "",
        source_sha256: str = "",
        source_format: str = "",
        problems: Sequence[ListFormatError] = (),
        progress: Progress | None = None,
    ) -> tuple[Version, bool]:
        """Makes a document list (schema.DOCUMENT_LIST_SCHEMA batches, e.g. a 100M-row SLTD file read by
        sltd.iter_sltd_batches) the new active version of `list_id`, in the "documents" layout. The
        batches are written as they come, so memory stays at one batch whatever the list's size; a
        bad row raised by the reader midway leaves the store as it was, like any failed import.
        Returns (version, created)."""
        with self._writing():
            directory = self._dir(list_id)
            directory.mkdir(parents=True, exist_ok=True)
            catalog = self._load_or_new_catalog(list_id)
            self._remove_leftovers(directory, catalog)
            tmp = directory / f".{uuid.uuid4().hex}.arrow.tmp"
            try:
                rows = self._write_batches(tmp, batches, progress)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            return self._switch_in(
                directory,
                catalog,
                tmp,
                rows=rows,
                change="import",
                source_name=source_name,
                source_sha256=source_sha256,
                source_format=source_format,
                skipped=_skipped(problems),
                layout="documents",
            )

    def upsert(self, list_id: str, records: Iterable[dict[str, Any]]) -> Version:
        """Adds the records, replacing the entries with the same ids in place (a record given twice:
        the later): a new version (the active one when nothing changes). Only the given records are
        validated and converted; the rest of the version is copied as Arrow rows, so adding one entry
        to a 1,000,000-entry list takes seconds, not the minute of reading and writing every record."""
        new = list(records)
        if not new:
            raise StoreError("upsert: no records given")
        with self._writing(), collector_paused():
            table = self._editable_table(list_id)
            given: dict[str, dict[str, Any]] = {}  # by id: the later of a repeated one, where the first was
            for i, r in enumerate(new):
                rid = r.get("id") if isinstance(r, dict) else None
                if not isinstance(rid, str) or not rid.strip():
                    raise engine.InputError(f"records[{i}].id", "every record needs an id")
                r = {**r, "list_id": r.get("list_id") or list_id}
                engine.Entry.from_dict(r, f"records[{i}]", list_id)
                given[rid] = r
            ids = table.column("id").to_pylist()
            at = {rid: row for row, rid in enumerate(ids)}
            # an entry's id is the record's stripped: a new id that differs from a listed one, or from
            # another given one, only by spaces would make two entries of one id
            taken = {rid.strip() for rid in ids}
            first: dict[str, tuple[str, int]] = {}
            for i, r in enumerate(new):
                rid, key = r["id"], r["id"].strip()
                if rid not in at and key in taken:
                    raise engine.InputError(f"records[{i}].id", f"duplicate id {key!r} (already listed)")
                if first.setdefault(key, (rid, i))[0] != rid:
                    raise engine.InputError(f"records[{i}].id", f"duplicate id {key!r} (also records[{first[key][1]}])")
            changes = schema.to_table(list(given.values()))
            rows = list(range(len(ids)))  # the new version's rows: of `table`, then of `changes` from len(ids)
            for j, rid in enumerate(given):
                if rid in at:
                    rows[at[rid]] = len(ids) + j
                else:
                    rows.append(len(ids) + j)
            if len(rows) == len(ids) and all(
                table.slice(at[rid], 1).to_pylist() == changes.slice(j, 1).to_pylist() for j, rid in enumerate(given)
            ):
                return self.active(list_id)  # every record as listed: nothing changes
            edited = pa.concat_tables([table, changes]).take(pa.array(rows, pa.int64()))
            return self._commit_table_locked(list_id, edited, change="upsert")

    def delete(self, list_id: str, ids: Sequence[str]) -> Version:
        """Removes the entries with these ids: a new version. An id the active version lacks is an
        error (nothing is written), so a typo cannot pass for a deletion. The other rows are copied
        as they are (see upsert)."""
        if not ids:
            raise StoreError("delete: no ids given")
        with self._writing():
            table = self._editable_table(list_id)
            present = set(table.column("id").to_pylist())
            missing = [i for i in ids if i not in present]
            if missing:
                raise StoreError(f"delete: {list_id} has no entry {', '.join(map(repr, missing[:5]))}")
            gone = pa.array(sorted(set(ids)), pa.string())
            kept = table.filter(pc.invert(pc.is_in(table.column("id"), value_set=gone)))
            return self._commit_table_locked(list_id, kept, change="delete")

    def rollback(self, list_id: str, to: str | None = None) -> Version:
        """Makes an earlier version active again: `to`, or the version active before the current one.
        Only the catalog changes; the data files are the ones written at the time."""
        with self._writing():
            catalog = self._catalog(list_id)
            current = catalog["active"]
            if to is None:
                kept = {v["version"] for v in catalog["versions"]}
                earlier = [h["version"] for h in catalog["history"] if h["version"] != current and h["version"] in kept]
                if not earlier:
                    raise StoreError(f"rollback: {list_id} has no earlier version to go back to")
                to = earlier[-1]
            target = self._find(catalog, to)
            if target is None:
                known = ", ".join(v["version"] for v in catalog["versions"])
                raise StoreError(f"rollback: {list_id} has no version {to!r} (kept: {known})")
            if to == current:
                return target
            self.table(list_id, to)  # verifies the checksum before making it active
            catalog["active"] = to
            catalog["history"].append({"version": to, "at": _now(), "change": "rollback"})
            _write_json_atomic(self._dir(list_id) / _CATALOG, catalog)
            return target

    def diff(self, list_id: str, old: str | None = None, new: str | None = None) -> Diff:
        """What changed between two versions: by default from the one before the active to the active."""
        new_v = self._resolve(list_id, new)
        if old is None:
            versions = [v.version for v in self.versions(list_id)]
            at = versions.index(new_v.version)
            old = versions[at - 1] if at > 0 else None
        if new_v.layout == "documents" and (old is None or self._resolve(list_id, old).layout == "documents"):
            return _diff_documents(list_id, old, new_v.version, self.table(list_id, old) if old else None, self.table(list_id, new_v.version))
        old_records = {r["id"]: r for r in self.records(list_id, old)} if old else {}
        new_records = {r["id"]: r for r in self.records(list_id, new_v.version)}
        changed = {}
        for rid in old_records.keys() & new_records.keys():
            a, b = old_records[rid], new_records[rid]
            fields = sorted(k for k in a.keys() | b.keys() if k != "list_id" and a.get(k) != b.get(k))
            if fields:
                changed[rid] = fields
        return Diff(
            list_id,
            old,
            new_v.version,
            added=sorted(new_records.keys() - old_records.keys()),
            removed=sorted(old_records.keys() - new_records.keys()),
            changed=dict(sorted(changed.items())),
        )

    # -- internals --

    def _dir(self, list_id: str) -> Path:
        if not _LIST_ID.match(list_id or ""):
            raise StoreError(f"list id {list_id!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        return self.root / list_id

    def _catalog(self, list_id: str) -> dict[str, Any]:
        path = self._dir(list_id) / _CATALOG
        try:
            with open(path, encoding="utf-8") as f:
                catalog = json.load(f)
        except FileNotFoundError:
            known = ", ".join(self.list_ids()) or "none"
            raise StoreError(f"no list {list_id!r} in {self.root} (lists: {known})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:  # written by rename only: damaged afterwards
            raise StoreError(f"{path}: damaged catalog, not valid JSON ({e}); restore it from a backup") from None
        if not (isinstance(catalog, dict) and isinstance(catalog.get("versions"), list)
                and isinstance(catalog.get("history"), list) and "active" in catalog and "next" in catalog):
            raise StoreError(f"{path}: damaged catalog (expected list_id, next, active, versions, history)")
        return catalog

    def verify(self, list_id: str | None = None) -> list[str]:
        """Checks every kept version of `list_id` (every list by default): the catalog reads, the active
        version is among the kept ones, each data file is there with its checksum and row count.
        Returns the problems found, each naming the file; [] when the store is sound. (Leftovers of a
        crashed writer are not problems: the next write removes them.)"""
        problems: list[str] = []
        for lid in [list_id] if list_id else self.list_ids():
            try:
                catalog = self._catalog(lid)
                versions = [Version(**v) for v in catalog["versions"]]
            except (StoreError, TypeError) as e:
                problems.append(str(e) if isinstance(e, StoreError) else f"{self._dir(lid) / _CATALOG}: damaged catalog ({e})")
                continue
            if catalog["active"] and catalog["active"] not in {v.version for v in versions}:
                problems.append(f"{self._dir(lid) / _CATALOG}: active version {catalog['active']} is not among the kept versions")
            for v in versions:
                try:
                    table = self.table(lid, v.version)
                except StoreError as e:
                    problems.append(str(e))
                    continue
                except (OSError, pa.ArrowInvalid) as e:
                    problems.append(f"{self._dir(lid) / v.file}: unreadable ({e})")
                    continue
                if table.num_rows != v.rows:
                    problems.append(f"{self._dir(lid) / v.file}: {table.num_rows} rows, the catalog says {v.rows}")
        return problems

    @staticmethod
    def _find(catalog: dict[str, Any], version: str) -> Version | None:
        return next((Version(**v) for v in catalog["versions"] if v["version"] == version), None)

    def _resolve(self, list_id: str, version: str | None) -> Version:
        catalog = self._catalog(list_id)
        wanted = version or catalog["active"]
        if not wanted:
            raise StoreError(f"{list_id} has no active version")
        found = self._find(catalog, wanted)
        if found is None:
            known = ", ".join(v["version"] for v in catalog["versions"])
            raise StoreError(f"{list_id} has no version {wanted!r} (kept: {known})")
        return found

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """A private directory under the store for an upload on its way in, removed on leaving. A process
        killed meanwhile leaves its directory behind: the next staging() removes those no live process holds
        (each owner keeps an flock on its directory's lock file), so a list file never lingers in /tmp."""
        incoming = self.root / _INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        self.remove_stale_uploads()
        path = incoming / uuid.uuid4().hex
        path.mkdir(mode=0o700)
        with open(path / _HELD, "w") as held:
            if fcntl is not None:
                fcntl.flock(held.fileno(), fcntl.LOCK_EX)
            try:
                yield path
            finally:
                shutil.rmtree(path, ignore_errors=True)

    def remove_stale_uploads(self) -> None:
        """Removes the staging directories (staging()) that no live process holds: what a killed upload left.
        A server calls it at start-up too, so a dead upload does not wait for the next one."""
        incoming = self.root / _INCOMING
        if fcntl is None or not incoming.is_dir():  # Windows: no way to tell a live upload from a dead one
            return
        for path in incoming.iterdir():
            try:
                with open(path / _HELD) as held:
                    fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while its owner lives
            except BlockingIOError:
                continue
            except OSError:  # no lock file yet: being made now, or by a process killed before it took the lock
                with contextlib.suppress(OSError):
                    if time.time() - path.stat().st_mtime < _STAGING_GRACE:
                        continue
            shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _editable_table(self, list_id: str) -> pa.Table:
        """The active version's rows, to edit by hand (upsert, delete), in this build's schema."""
        active = self.active(list_id)
        if active is None:
            raise StoreError(f"{list_id} has no active version")
        if active.layout == "documents":
            # A document list is an agency's feed (SLTD): it changes by a new import of the feed,
            # never by hand, and a hand edit would be lost at the next import anyway.
            raise StoreError(f"{list_id} is a document list: it changes by importing a new file, not by upsert/delete")
        table = self.table(list_id)
        if table.schema != schema.SCHEMA:  # written by a build with another schema: its records, rewritten
            table = schema.to_table(schema.iter_records(table))
        return table

    def _commit_table_locked(self, list_id: str, table: pa.Table, *, change: str) -> Version:
        """A hand edit's rows (valid: the version's own, and records validated by the caller) as the
        new active version."""
        directory = self._dir(list_id)
        catalog = self._load_or_new_catalog(list_id)
        self._remove_leftovers(directory, catalog)
        tmp = directory / f".{uuid.uuid4().hex}.arrow.tmp"
        try:
            self._write_tables(tmp, [table])
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self._switch_in(directory, catalog, tmp, rows=table.num_rows, change=change)[0]

    def _commit(self, list_id: str, records: list[dict[str, Any]], **kw: Any) -> tuple[Version, bool]:
        with self._writing(), collector_paused():  # (the records are validated and written whole: see import_file)
            return self._commit_locked(list_id, records, **kw)

    def _commit_locked(
        self,
        list_id: str,
        records: list[dict[str, Any]],
        *,
        change: str,
        source_name: str = "",
        source_sha256: str = "",
        source_format: str = "",
        skipped: int = 0,
        progress: Progress | None = None,
    ) -> tuple[Version, bool]:
        directory = self._dir(list_id)
        if progress:
            progress("validating", 0, len(records))
        # Validation first: the engine's own checks (ids unique, names present, dates, countries),
        # with errors that name the record and field. Nothing is written for an invalid list.
        records = [{**r, "list_id": r.get("list_id") or list_id} for r in records]
        engine.Watchlist.validate_records(records, list_id)
        directory.mkdir(parents=True, exist_ok=True)
        catalog = self._load_or_new_catalog(list_id)
        self._remove_leftovers(directory, catalog)

        tmp = directory / f".{uuid.uuid4().hex}.arrow.tmp"
        self._write_table(tmp, records, progress)
        return self._switch_in(
            directory,
            catalog,
            tmp,
            rows=len(records),
            change=change,
            source_name=source_name,
            source_sha256=source_sha256,
            source_format=source_format,
            skipped=skipped,
        )

    def _switch_in(self, directory: Path, catalog: dict[str, Any], tmp: Path, *, rows: int, **meta: Any) -> tuple[Version, bool]:
        """Makes the fsynced data file `tmp` the active version: rename to its version name, fsync the
        directory, then replace the catalog (the commit point). Same content as the active version:
        nothing changes."""
        checksum = _sha256_file(tmp)
        active = self._find(catalog, catalog["active"]) if catalog["active"] else None
        if active is not None and active.checksum == checksum:  # same content: nothing to do
            tmp.unlink()
            return active, False

        number = catalog["next"]
        version = Version(
            list_id=catalog["list_id"],
            version=f"v{number:06d}",
            rows=rows,
            checksum=checksum,
            parent=catalog["active"],
            created_at=_now(),
            **meta,
        )
        _failpoint("before-data-rename")
        os.replace(tmp, directory / version.file)
        _fsync_dir(directory)
        _failpoint("after-data-rename")

        catalog["next"] = number + 1
        catalog["versions"].append(asdict(version))
        catalog["active"] = version.version
        catalog["history"].append({"version": version.version, "at": version.created_at, "change": version.change})
        pruned = self._prune(catalog)
        _write_json_atomic(directory / _CATALOG, catalog)  # the commit point
        _failpoint("after-catalog-rename")
        for name in pruned:
            with contextlib.suppress(FileNotFoundError):
                (directory / name).unlink()
        return version, True

    def _load_or_new_catalog(self, list_id: str) -> dict[str, Any]:
        try:
            return self._catalog(list_id)
        except StoreError:
            return {"list_id": list_id, "next": 1, "active": None, "versions": [], "history": []}

    def _prune(self, catalog: dict[str, Any]) -> list[str]:
        """Drops the oldest inactive versions beyond the retention; returns their file names."""
        versions = catalog["versions"]
        excess = len(versions) - self.retention
        dropped = [v for v in versions if v["version"] != catalog["active"]][: max(excess, 0)]
        names = {v["version"] for v in dropped}
        catalog["versions"] = [v for v in versions if v["version"] not in names]
        return [f"{n}.arrow{suffix}" for n in sorted(names) for suffix in ("", _NAME_INDEX_SUFFIX)]

    @staticmethod
    def _remove_leftovers(directory: Path, catalog: dict[str, Any]) -> None:
        """Removes what a crashed writer left: temporary files, and version files the catalog never
        took in (written and renamed, but the crash came before the catalog's rename)."""
        kept = {f"{v['version']}.arrow" for v in catalog["versions"]}
        for path in directory.iterdir():
            name = path.name
            if name.endswith(_NAME_INDEX_SUFFIX) and name.removesuffix(_NAME_INDEX_SUFFIX) not in kept:
                path.unlink(missing_ok=True)  # the name index cache of a version that is gone
                continue
            stale_version = _VERSION.match(name.removesuffix(".arrow")) and name.endswith(".arrow") and name not in kept
            if name.endswith(".tmp") or stale_version:
                path.unlink()

    @staticmethod
    def _write_batches(path: Path, batches: Iterable[pa.RecordBatch], progress: Progress | None) -> int:
        rows = 0
        with open(path, "wb") as f:
            with pa.ipc.new_file(f, schema.DOCUMENT_LIST_SCHEMA) as writer:
                for batch in batches:
                    if batch.schema != schema.DOCUMENT_LIST_SCHEMA:
                        batch = pa.Table.from_batches([batch]).cast(schema.DOCUMENT_LIST_SCHEMA).combine_chunks().to_batches()[0]
                    writer.write_batch(batch)
                    rows += batch.num_rows
                    _failpoint("mid-data-write")
                    if progress:
                        progress("writing", rows, 0)
            f.flush()
            os.fsync(f.fileno())
        return rows

    @staticmethod
    def _write_table(path: Path, records: list[dict[str, Any]], progress: Progress | None) -> None:
        total = len(records)

        def chunks() -> Iterator[pa.Table]:
            for start in range(0, max(total, 1), _BATCH_ROWS):
                yield schema.to_table(records[start : start + _BATCH_ROWS])
                if progress:
                    progress("writing", min(start + _BATCH_ROWS, total), total)

        Store._write_tables(path, chunks())

    @staticmethod
    def _write_tables(path: Path, tables: Iterable[pa.Table]) -> None:
        """The tables as one Arrow IPC file of the store's schema (batches of at most _BATCH_ROWS), fsynced."""
        with open(path, "wb") as f:
            with pa.ipc.new_file(f, schema.SCHEMA) as writer:
                for table in tables:
                    writer.write_table(table, max_chunksize=_BATCH_ROWS)
                    _failpoint("mid-data-write")
            f.flush()
            os.fsync(f.fileno())
