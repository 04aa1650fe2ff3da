"""A watchlist: validated entries of one list version, with their name and document indexes."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import threading
from array import array
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NamedTuple

from . import _native
from .documents import DocumentIndex
from .model import KINDS, Entry, InputError
from .names import NameIndex
from .scoring import FAR_BIRTH_YEARS

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)


# A list of this many names or more is millions of long-lived Python objects, and it holds no
# reference cycles: a full cyclic collection would walk every one of them to find nothing (about a
# second for a million names, the GIL held, every request stalled), whenever enough other objects
# had outlived a young collection. See _settle.
SETTLE_MIN_NAMES = 20_000


_pause_lock = threading.Lock()
_pauses = 0  # builds in progress, in any thread
_resume = False  # whether the collector was enabled when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic collection while a list is built (or read and written whole by the
    store's import, watchlists.store). Every object a build makes lives on, so each full collection
    the growing heap triggers walks millions of objects to free nothing: 4 of them took 3.9 s of a
    1,000,000-entry list's 11.9 s. Builds in several threads nest; the collector is enabled again
    when the last ends, if it was enabled when the first began."""
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def _settle() -> None:
    """Moves every object alive now to the collector's permanent generation (gc.freeze), which full
    collections skip. They are still freed when no longer referenced (a replaced list goes with
    its last request, by reference count); only a reference cycle that is garbage at this moment
    would stay, and a collection first clears the usual ones. That collection is a full one: it
    costs little more than a young one here (a build's objects are all young, collector_paused)
    and sets the long-lived count the collector compares new survivors with to the list's size,
    which gc.freeze leaves as it was. With a stale small count, a batch that holds its hits (a
    50,000-query batch holds ~300,000 objects) met 5-6 full collections, 0.6 s of GIL; now none."""
    gc.collect()
    gc.freeze()


def _build_name_index(names: list[str], owners: list[int]) -> NameIndex:
    """The one place a name index is built (tests count its calls)."""
    return NameIndex(names, owners)


# A parenthesised part of an organisation's or vessel's name: a qualifier (`(HK)`, `(PVT)`, `(Netherlands branch)`)
# or the acronym the list gives it (`DAEDONG CREDIT BANK (DCB)`).
_PARENTHESISED = re.compile(r"\s*\(([^()]*)\)")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&.-]{1,7}")


def _names_within(name: str) -> list[str]:
    """The names an organisation's listed name holds besides itself: without its parenthesised parts
    (`LEADER (HONG KONG) INTERNATIONAL TRADING LIMITED` -> `LEADER INTERNATIONAL TRADING LIMITED`), and a
    parenthesised acronym alone (`KOREA KWANGSON BANKING CORPORATION (KKBC)` -> `KKBC`), which is how
    shipping papers and other lists often name the company. Empty for a name with no parentheses."""
    if "(" not in name:
        return []
    out = []
    bare = " ".join(_PARENTHESISED.sub(" ", name).split())
    if bare and bare != name:
        out.append(bare)
    parts = (m.strip() for m in _PARENTHESISED.findall(name))
    out += [p for p in parts if _ACRONYM.fullmatch(p) and _abbreviates(p, bare)]
    return out


def _abbreviates(acronym: str, name: str) -> bool:
    """Whether `acronym` can be made of `name`'s letters: its first letter, then others in order (KKBC of
    KOREA KWANGSON BANKING CORPORATION, PEDCO of PETROIRAN DEVELOPMENT COMPANY); not a qualifier that is no
    abbreviation of the name (`(HK)`, `(PVT)` in `LEADER (HK) TRADING (PVT) LTD`)."""
    letters = iter(c for c in name.upper() if c.isalnum())
    wanted = [c for c in acronym.upper() if c.isalnum()]
    first = next(letters, None)
    return len(wanted) >= 2 and first == wanted[0] and all(c in letters for c in wanted[1:])


class IndexedName(NamedTuple):
    """Row i of the name index: its entry (`Watchlist.owners[owner]`) and whether it is a weak alias.
    (A named tuple: made ~3x faster than a frozen dataclass, and a list has millions of them.)"""

    owner: int
    name: str
    weak: bool


def _organisation_names_within(entries: tuple[Entry, ...], owner_of: list[int]) -> tuple[list[IndexedName], list[int]]:
    """Organisations' and vessels' names within their listed names (_names_within), as rows after the listed
    ones: an acronym is a weak alias (it names many things), a name without its qualifier what it came from.
    Also which of those rows (by position in the list returned) are acronyms."""
    out: list[IndexedName] = []
    acronyms: list[int] = []
    for i, e in enumerate(entries):
        if e.kind == "person":
            continue
        listed = set(e.names) | set(e.weak_names)
        for names, weak in ((e.names, False), (e.weak_names, True)):
            for n in names:
                for within in _names_within(n):
                    if within not in listed:
                        listed.add(within)
                        acronym = _ACRONYM.fullmatch(within) is not None
                        if acronym:
                            acronyms.append(len(out))
                        out.append(IndexedName(owner_of[i], within, weak or acronym))
    return out, acronyms


class CandidateFacts:
    """What the evidence step reads of every candidate before it rules most of them out, in flat
    arrays by entry number (`Watchlist.owners`) and name row: the entry's kind, its one listed
    birth year, whether the name is a weak alias. A candidate has its Entry and IndexedName
    objects read only once it may hit: a million of them lie scattered over a gigabyte of heap,
    and each first touch is a cache (and TLB) miss, with the native search's threads loading the
    memory bus beside it. Two candidates in three of the screening benchmark's are ruled out on
    these (a birth year two or more years from the listed one), most of them by the native search
    itself (`birth_years`: every listed year), the rest by Screener._weigh."""

    __slots__ = ("kind", "birth_year", "weak", "born_on", "birth_years")

    # birth_year: no listed birth date, and more than one (the entry's dates are read then)
    NO_YEAR, SEVERAL_YEARS = 0, 1

    def __init__(self, owners: tuple[Entry, ...], names: list[IndexedName]):
        code = {kind: i for i, kind in enumerate(KINDS)}
        self.kind = bytes(code[e.kind] for e in owners)  # KINDS[self.kind[owner]]
        self.birth_year = array("H", (
            self.NO_YEAR if not e.birth_dates else e.birth_dates[0].year if len(e.birth_dates) == 1 else self.SEVERAL_YEARS
            for e in owners
        ))
        self.weak = bytes(n.weak for n in names)
        self.born_on = _names_born_on(owners, names)
        # every listed birth year, for the native search to set aside the candidates born far from a
        # passenger whose name cannot reach the threshold against a conflicting date (Screener.screen)
        offsets, years = [0], []
        for e in owners:
            years.extend(d.year for d in e.birth_dates)
            offsets.append(len(years))
        self.birth_years = _native.BirthYears(offsets, years, FAR_BIRTH_YEARS)


# A full birth date listed for more names than this is no key for proposing candidates (a list that
# dates many people alike: they would be as many candidates as the name index's own).
MAX_NAMES_BORN_ON = 256


def birth_date_key(date: Any) -> int | None:
    """A full birth date as a key (YYYYMMDD), or None: a partial one, or 1 January (a placeholder)."""
    if date is None or date.day is None or (date.month, date.day) == (1, 1):
        return None
    return date.year * 10_000 + date.month * 100 + date.day


def _names_born_on(owners: tuple[Entry, ...], names: list[IndexedName]) -> dict[int, array]:
    """Per full listed birth date (birth_date_key), the name numbers of the persons listing it: the
    second blocking key. A passenger who travels under a name sharing only a common token with the
    listed one (`Mohammad Zahid` for `Zahid Ahmadzai`) is not among the name index's candidates,
    while the birth date would lift the pair to a hit (engine.scoring.deepen_conflict)."""
    keys_of: dict[int, tuple[int, ...]] = {}
    for owner, e in enumerate(owners):
        if e.kind == "person" and e.birth_dates:
            keys = tuple({k for k in map(birth_date_key, e.birth_dates) if k is not None})
            if keys:
                keys_of[owner] = keys
    born_on: dict[int, array] = {}
    if not keys_of:
        return born_on
    for number, n in enumerate(names):
        for key in keys_of.get(n.owner, ()):
            found = born_on.get(key)
            if found is None:
                found = born_on[key] = array("I")
            found.append(number)
    return {k: v for k, v in born_on.items() if len(v) <= MAX_NAMES_BORN_ON}


def _entries(records: Iterable[Mapping[str, Any]], list_id: str) -> list[Entry]:
    """Every record validated (DESIGN.md 'Record'); an error names the record and field."""
    return [Entry.from_dict(r, f"records[{i}]", list_id) for i, r in enumerate(records)]


def _unique_ids(entries: list[Entry]) -> dict[str, int]:
    """Each entry's position by its id; a repeated id is an error naming both records."""
    ids: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.id in ids:
            raise InputError(f"records[{i}].id", f"duplicate id {e.id!r} (also records[{ids[e.id]}])")
        ids[e.id] = i
    return ids


class Watchlist:
    """Entries of one list, immutable once built: a new list version is a new Watchlist, which is
    what lets a screener swap versions atomically while requests are in flight."""

    def __init__(self, entries: list[Entry], list_id: str = "", version: str = ""):
        with collector_paused():
            self._take(entries, list_id, version)
            if len(self._names) >= SETTLE_MIN_NAMES:
                _settle()

    def _take(self, entries: list[Entry], list_id: str, version: str) -> None:
        ids = _unique_ids(entries)
        self.list_id = list_id
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id = ids
        self.version = version or self._fingerprint()
        # The name index numbers the entries ("owners") in id order: its search gives candidates of
        # equal name score lowest number first, the order of hits on a tie (score, then entry id), so
        # the evidence step can stop at the first equal candidate that cannot enter (Screener._weigh).
        by_id = [ids[entry_id] for entry_id in sorted(ids)]
        self.owners: tuple[Entry, ...] = tuple(self.entries[i] for i in by_id)
        owner_of = [0] * len(by_id)
        for owner, i in enumerate(by_id):
            owner_of[i] = owner
        self._names: list[IndexedName] = [
            IndexedName(owner_of[i], n, weak)
            for i, e in enumerate(self.entries)
            for names, weak in ((e.names, False), (e.weak_names, True))
            for n in names
        ]
        within, acronyms = _organisation_names_within(self.entries, owner_of)
        # rows of acronyms (`DCB`): found only as written, never by sound or spelling (`MID` is not `MIT`)
        self.acronym_rows = frozenset(len(self._names) + k for k in acronyms)
        self._names += within
        self._lock = threading.Lock()
        self._name_index: NameIndex | None = None
        self._name_index_file: str | None = None
        self._candidate_facts: CandidateFacts | None = None
        self._names_fingerprint: int | None = None
        self.name_index_origin = ""  # "built", "file" (memory-mapped) or "attached", once there is one
        self._document_index: DocumentIndex | None = None
        self._document_rows = 0  # rows of a document-list table (from_document_table)

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], list_id: str | None = None, version: str = ""
    ) -> "Watchlist":
        """Validates every record (DESIGN.md 'Record'); errors name the record and field."""
        with collector_paused():
            entries = _entries(records, list_id or "")
            if list_id is None:
                found = {e.list_id for e in entries if e.list_id}
                list_id = found.pop() if len(found) == 1 else "default"
            return cls(entries, list_id, version)

    def updated(self, entries: Iterable[Entry] = (), removed: Iterable[str] = (), version: str = "") -> "Watchlist":
        """A new list: this one with `entries` in place of the entries with the same ids (an id given
        twice: the later entry, where the first was), the others after them, and the `removed` ids
        gone (each must be listed). The unchanged Entry objects are shared, not read and validated
        again: a list store's upsert and delete (watchlists.store) give the same list, in seconds."""
        if self._document_rows:
            raise InputError("entries", f"{self.list_id} is a document list: it changes by a new import")
        gone = set(removed)
        unknown = sorted(gone - self._by_id.keys())
        if unknown:
            raise InputError("removed", f"{self.list_id} has no entry {', '.join(map(repr, unknown[:5]))}")
        given: dict[str, Entry] = {}
        for e in entries:
            given[e.id] = e
        kept = [given.pop(e.id, e) for e in self.entries if e.id not in gone]
        return Watchlist(kept + list(given.values()), self.list_id, version)

    @staticmethod
    def validate_records(records: Iterable[Mapping[str, Any]], list_id: str = "") -> int:
        """The checks of from_records (every record, ids unique), without building the list: how a
        store validates an import before writing it. Returns the number of records."""
        with collector_paused():
            return len(_unique_ids(_entries(records, list_id)))

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
        """Built on first use (in native code, in parallel), then shared by every screen call; with
        an index file (`use_name_index_file`), memory-mapped from it instead when it is valid and
        made from these very names, else built and (re)written to it."""
        if self._name_index is None:
            with self._lock:
                if self._name_index is None:
                    self._name_index = self._load_or_build_name_index()
            self.candidate_facts  # made with the index, so that no request waits for them
        return self._name_index

    @property
    def candidate_facts(self) -> CandidateFacts:
        """Made with the name index (or on first use when one is attached)."""
        if self._candidate_facts is None:
            with self._lock:
                if self._candidate_facts is None:
                    self._candidate_facts = CandidateFacts(self.owners, self._names)
        return self._candidate_facts

    @property
    def names_fingerprint(self) -> int:
        """_native.name_fingerprint of the indexed names and their entries, in index order: what a
        saved name index must carry to be attached to this list."""
        if self._names_fingerprint is None:
            self._names_fingerprint = _native.name_fingerprint([n.name for n in self._names], [n.owner for n in self._names])
        return self._names_fingerprint

    def attach_name_index(self, index: NameIndex) -> None:
        """Uses `index` (e.g. `NameIndex.load(path)`) as this list's name index. Raises ValueError
        when it was not built from exactly these indexed names and entries (fingerprint and count)."""
        if len(index) != len(self._names) or index.fingerprint != self.names_fingerprint:
            raise ValueError(
                f"name index of {len(index)} names (fingerprint {index.fingerprint:016x}) does not belong to "
                f"{self.list_id or 'this list'} ({len(self._names)} names, fingerprint {self.names_fingerprint:016x})"
            )
        with self._lock:
            self._name_index = index
            self.name_index_origin = "attached"

    def load_name_index(self, path: str | os.PathLike[str]) -> None:
        """Memory-maps a saved name index and attaches it. ValueError: damaged file or another
        list's index; OSError: unreadable."""
        self.attach_name_index(NameIndex.load(os.fspath(path)))
        self.name_index_origin = "file"

    def save_index(self, path: str | os.PathLike[str]) -> None:
        """Writes the name index (built first if need be) to `path`, crash-safe (NameIndex.save)."""
        self.name_index.save(os.fspath(path))

    def use_name_index_file(self, path: str | os.PathLike[str]) -> None:
        """Caches the name index in `path`: the first use of `name_index` maps it when it is valid
        for these names, and otherwise builds the index and rewrites the file. A bad or foreign file
        is ignored (logged), never fatal; so is a failure to write it."""
        self._name_index_file = os.fspath(path)

    def _load_or_build_name_index(self) -> NameIndex:
        path = self._name_index_file
        if path is not None and os.path.exists(path):
            try:
                index = NameIndex.load(path)
                if len(index) == len(self._names) and index.fingerprint == self.names_fingerprint:
                    self.name_index_origin = "file"
                    return index
                log.warning("name index cache %s belongs to other names; rebuilding it", path)
            except (OSError, ValueError) as e:
                log.warning("name index cache ignored, rebuilding it: %s", e)
        index = _build_name_index([n.name for n in self._names], [n.owner for n in self._names])
        self.name_index_origin = "built"
        if path is not None:
            try:
                index.save(path)
            except OSError as e:
                log.warning("could not write the name index cache %s: %s", path, e)
        return index

    @property
    def document_index(self) -> DocumentIndex:
        if self._document_index is None:
            with self._lock:
                if self._document_index is None:
                    self._document_index = DocumentIndex(list(self.entries))
        return self._document_index
