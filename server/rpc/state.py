"""What a server holds: the live Screener, the list store, limits and the optional hooks.

Screening calls take `snapshot()` once and use it to the end: a Screener over the tuple of
watchlists live at that moment. List changes go through `apply()` under one lock (so two admin
calls cannot install their versions out of order) and end with `replace_watchlist`: an atomic swap
that in-flight calls never see.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import engine
import watchlists
from watchlists.store import Store, StoreError

log = logging.getLogger("server.rpc")

T = TypeVar("T")


@dataclass
class Limits:
    max_message_bytes: int = 16 * 1024 * 1024  # grpc.max_receive_message_length / max_send_message_length
    # per ScreenPassengers request (and parties per ScreenShipments, documents per CheckDocuments,
    # travellers or parties per ScreenMessage)
    max_passengers: int = 10_000
    max_stream_passengers: int = 1_000_000  # per ScreenPassengerStream
    max_import_bytes: int = 1024 * 1024 * 1024  # per ImportList
    max_limit: int = 100  # hits per passenger
    batch_size: int = 256  # passengers per engine call; deadlines are checked between batches
    max_request_items: int = 200_000  # nested messages and repeated values per request message (server/rpc/wire.py)


@dataclass
class ServerState:
    screener: engine.Screener
    store: Store | None = None
    limits: Limits = field(default_factory=Limits)
    audit: Any = None  # server.audit.AuditLog
    metrics: Any = None  # server.metrics.Metrics
    stored_ids: set[str] = field(default_factory=set)  # lists loaded from the store
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    counters: dict[str, int] = field(default_factory=lambda: {"deadline_stops": 0, "batches": 0})

    @classmethod
    def create(cls, store_dir: str | None = None, config: Any = None, limits: Limits | None = None) -> ServerState:
        """Every list of the store at its active version; the embedded UN list when there is no
        store or it holds no list."""
        store = Store(store_dir) if store_dir else None
        if store is not None:  # made now: `--audit DIR` naming the same directory must find a directory
            store.root.mkdir(parents=True, exist_ok=True)
            store.remove_stale_uploads()  # what an import killed with the last server left
        lists: list[engine.Watchlist] = []
        if store is not None:
            for list_id in store.list_ids():
                if store.active(list_id) is not None:
                    lists.append(_intact_watchlist(store, list_id))
        stored = {w.list_id for w in lists}
        if not lists:
            lists.append(watchlists.default_list())
        for wl in lists:
            wl.name_index  # build every index before the first call
        state = cls(engine.Screener(lists, config=config), store, limits or Limits(), stored_ids=stored)
        state.publish_versions()
        return state

    def snapshot(self) -> engine.Screener:
        """A Screener nobody else changes: the lists and configuration live now."""
        return engine.Screener(self.screener.watchlists, self.screener.config)

    def apply(
        self, change: Callable[[Store], T], list_id_of: Callable[[T], str],
        derive: Callable[[engine.Watchlist, str], engine.Watchlist] | None = None,
    ) -> T:
        """Runs a store change and swaps the list's new active version into screening. `derive`
        (a hand edit: upsert, delete) makes the new version from the one screening now when that is
        its parent, `derive(current, new_version)`, instead of reading the whole list back from the
        store: seconds for a 1,000,000-entry list instead of ~20."""
        with self._lock:
            store = self.require_store()
            result = change(store)
            list_id = list_id_of(result)
            self.screener.replace_watchlist(self._new_active(store, list_id, derive))
            self.stored_ids.add(list_id)
        self.publish_versions()
        return result

    def _new_active(
        self, store: Store, list_id: str, derive: Callable[[engine.Watchlist, str], engine.Watchlist] | None,
    ) -> engine.Watchlist:
        active = store.active(list_id)
        current = next((w for w in self.screener.watchlists if w.list_id == list_id), None)
        if derive is None or current is None or active is None:
            return store.watchlist(list_id)
        if current.version == active.version:  # the change changed nothing
            return current
        if current.version == active.parent:
            try:
                wl = derive(current, active.version)
            except engine.InputError as e:  # (an edit the store took and the list cannot: read it back)
                log.warning("%s %s: read from the store (%s)", list_id, active.version, e.reason)
            else:
                if len(wl) == active.rows:
                    wl.use_name_index_file(store.name_index_path(list_id, active.version))
                    return wl
                log.warning("%s %s: %d entries made, %d stored: read from the store", list_id, active.version, len(wl), active.rows)
        return store.watchlist(list_id)

    def require_store(self) -> Store:
        import grpc

        from .errors import Fail

        if self.store is None:
            raise Fail(grpc.StatusCode.FAILED_PRECONDITION, "this server has no list store: start it with --store DIR")
        return self.store

    def publish_versions(self) -> None:
        if self.metrics is not None:
            try:
                self.metrics.set_versions(dict(self.screener.versions))
            except Exception:  # noqa: BLE001 - metrics never fail a change
                pass


def _intact_watchlist(store: Store, list_id: str) -> engine.Watchlist:
    """The list's active version; when its data file fails its checksum (damaged or removed since it was
    written), the newest earlier version that passes, with an error in the log naming the file. The
    catalog is left as it is (an operator decides: `interdict lists rollback` or a re-import). No intact
    version: StoreError, and the server does not start."""
    try:
        return store.watchlist(list_id)
    except StoreError as damage:
        active = store.active(list_id).version
        log.error("%s: active version %s refused: %s", list_id, active, damage)
        kept = {v.version for v in store.versions(list_id)}
        earlier = [h["version"] for h in reversed(store.history(list_id)) if h["version"] != active and h["version"] in kept]
        for version in dict.fromkeys(earlier):
            try:
                wl = store.watchlist(list_id, version)
            except StoreError as e:
                log.error("%s: version %s refused too: %s", list_id, version, e)
                continue
            log.error("%s: serving the earlier version %s instead of %s until the list is re-imported or rolled back",
                      list_id, version, active)
            return wl
        raise StoreError(f"{list_id}: no intact version to serve ({damage})") from None
