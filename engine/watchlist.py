"""A watchlist: validated entries of one list version, with their name and document indexes."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from .documents import DocumentIndex
from .model import Entry, InputError
from .names import NameIndex

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True, slots=True)
class IndexedName:
    """Row i of the name index: which entry it belongs to and whether it is a weak alias."""

    entry: int
    name: str
    weak: bool


class Watchlist:
    """Entries of one list, immutable once built: a new list version is a new Watchlist, which is
    what lets a screener swap versions atomically while requests are in flight."""

    def __init__(self, entries: list[Entry], list_id: str = "", version: str = ""):
        ids: dict[str, int] = {}
        for i, e in enumerate(entries):
            if e.id in ids:
                raise InputError(f"records[{i}].id", f"duplicate id {e.id!r} (also records[{ids[e.id]}])")
            ids[e.id] = i
        self.list_id = list_id
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id = ids
        self.version = version or self._fingerprint()
        self._names: list[IndexedName] = [
            IndexedName(i, n, weak)
            for i, e in enumerate(self.entries)
            for names, weak in ((e.names, False), (e.weak_names, True))
            for n in names
        ]
        self._lock = threading.Lock()
        self._name_index: NameIndex | None = None
        self._document_index: DocumentIndex | None = None
        self._document_rows = 0  # rows of a document-list table (from_document_table)

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], list_id: str | None = None, version: str = ""
    ) -> "Watchlist":
        """Validates every record (DESIGN.md 'Record'); errors name the record and field."""
        entries = [Entry.from_dict(r, f"records[{i}]", list_id or "") for i, r in enumerate(records)]
        if list_id is None:
            found = {e.list_id for e in entries if e.list_id}
            list_id = found.pop() if len(found) == 1 else "default"
        return cls(entries, list_id, version)

    @classmethod
    def from_document_table(cls, table: "pa.Table", list_id: str, version: str = "") -> "Watchlist":
        """A stolen/lost document list (SLTD) from its table in the store's "documents" layout
        (watchlists.schema.DOCUMENT_LIST_SCHEMA: number, type, country, ...), e.g. the memory-mapped
        `Store.table(list_id)`: its columns go to the native document index as they are, so 100M
        rows never become Python objects. Entry ids are `{country or '--'}:{type or 'other'}:{number}`
        (watchlists.schema.document_record_id); `version` defaults to a hash of the columns."""
        index = DocumentIndex.from_table(table)
        wl = cls([], list_id, version or index.fingerprint())
        wl._document_index = index
        wl._document_rows = len(index)
        return wl

    def _fingerprint(self) -> str:
        """A content hash, so that two identical lists carry the same version."""
        h = hashlib.sha256()
        for e in self.entries:
            h.update(json.dumps([e.id, e.kind, e.names, e.weak_names, [str(b) for b in e.birth_dates]]).encode())
        return h.hexdigest()[:16]

    def __len__(self) -> int:
        return len(self.entries) + self._document_rows

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __repr__(self) -> str:
        return f"Watchlist(list_id={self.list_id!r}, version={self.version!r}, entries={len(self)})"

    def get(self, entry_id: str) -> Entry | None:
        i = self._by_id.get(entry_id)
        if i is None and self._document_rows:
            return self.document_index.entry(entry_id)
        return None if i is None else self.entries[i]

    @property
    def indexed_names(self) -> list[IndexedName]:
        return self._names

    @property
    def name_index(self) -> NameIndex:
        """Built on first use (in native code, in parallel), then shared by every screen call."""
        if self._name_index is None:
            with self._lock:
                if self._name_index is None:
                    self._name_index = NameIndex([n.name for n in self._names], [n.entry for n in self._names])
        return self._name_index

    @property
    def document_index(self) -> DocumentIndex:
        if self._document_index is None:
            with self._lock:
                if self._document_index is None:
                    self._document_index = DocumentIndex(list(self.entries))
        return self._document_index
