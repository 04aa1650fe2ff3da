"""WatchlistService: the versioned list store behind the server (watchlists.store.Store).

Every change becomes the list's active version and is swapped into screening (ServerState.apply);
calls in flight keep the snapshot they started with. A server started without --store serves its
embedded list read-only: changes get FAILED_PRECONDITION.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import grpc

import engine
import watchlists
from server.proto_gen.interdict.v1 import watchlist_pb2 as wpb
from server.proto_gen.interdict.v1 import watchlist_pb2_grpc
from watchlists.store import StoreError

from . import convert
from .errors import Fail, from_store_error, handler, invalid, invalid_many
from .state import ServerState
from .threads import ThreadContext

_LIST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _list_id(value: str, required: bool = True) -> str:
    if not value:
        if required:
            raise invalid("list_id", "required")
        return value
    if not _LIST_ID.match(value):
        raise invalid("list_id", f"{value!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return value


class WatchlistServicer(watchlist_pb2_grpc.WatchlistServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    def _versions(self) -> dict[str, str]:
        return dict(self.state.screener.versions)

    def _stored(self, list_id: str) -> bool:
        store = self.state.store
        return store is not None and list_id in store.list_ids()

    def _receive(self, request_iterator: Iterator[wpb.ImportListRequest], tmp: str) -> tuple[wpb.ImportListRequest, Path]:
        """Writes the streamed chunks to a file under `tmp`; the first message carries the options."""
        most = self.state.limits.max_import_bytes
        first, path, out, size = None, Path(tmp) / "upload", None, 0
        try:
            for chunk in request_iterator:
                if first is None:
                    first = chunk
                    _list_id(chunk.list_id, required=False)
                    path = Path(tmp) / (_SAFE_NAME.sub("_", os.path.basename(chunk.file_name)).strip(".") or "upload")
                    out = open(path, "wb")
                size += len(chunk.chunk)
                if size > most:
                    raise Fail(grpc.StatusCode.RESOURCE_EXHAUSTED, f"import larger than this server's limit of {most} bytes")
                out.write(chunk.chunk)
        finally:
            if out is not None:
                out.close()
        if first is None or size == 0:
            raise invalid("chunk", "the file is empty")
        return first, path

    @handler("ImportList")
    def ImportList(self, request_iterator: Iterator[wpb.ImportListRequest], context: ThreadContext) -> wpb.ImportListResponse:
        state = self.state
        store = state.require_store()
        with store.staging() as tmp:
            first, path = self._receive(request_iterator, tmp)
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                raise Fail(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded before the import started")
            fmt = first.format or None
            try:
                result = state.apply(
                    lambda s: s.import_file(path, fmt, list_id=first.list_id or None, skip_bad=first.skip_bad),
                    lambda r: r.version.list_id,
                )
            except watchlists.ListFormatError as e:  # named by the caller's file name, not the temporary path
                where = (first.file_name or "upload") + (f":{e.line}" if e.line else "")
                field = "format" if e.reason.startswith("unknown list format") else "chunk"
                raise invalid(field, f"{where}: {e.reason}") from None
        v = result.version
        return wpb.ImportListResponse(
            version=convert.version_message(v, store.active(v.list_id).version),
            created=result.created,
            problems=[str(p) for p in result.problems],
            list_versions=self._versions(),
        )

    @handler("UpsertEntries")
    def UpsertEntries(self, request: wpb.UpsertEntriesRequest, context: ThreadContext) -> wpb.UpsertEntriesResponse:
        list_id = _list_id(request.list_id)
        if not request.entries:
            raise invalid("entries", "no entries given")
        records, violations = [], []
        for i, e in enumerate(request.entries):
            r = convert.entry_record(e)
            try:
                engine.Entry.from_dict(r, f"entries[{i}]", list_id)
            except engine.InputError as err:
                violations.append((err.field, err.reason))
            records.append(r)
        if violations:
            raise invalid_many(violations)
        store = self.state.require_store()
        if not self._stored(list_id):
            raise Fail(grpc.StatusCode.NOT_FOUND, f"no list {list_id!r} in the store: import it first")
        v = self.state.apply(
            lambda s: s.upsert(list_id, records), lambda v: v.list_id,
            derive=lambda current, version: current.updated(store.stored_entries(list_id, records), (), version),
        )
        return wpb.UpsertEntriesResponse(version=convert.version_message(v, store.active(list_id).version), list_versions=self._versions())

    @handler("DeleteEntries")
    def DeleteEntries(self, request: wpb.DeleteEntriesRequest, context: ThreadContext) -> wpb.DeleteEntriesResponse:
        list_id = _list_id(request.list_id)
        if not request.entry_ids:
            raise invalid("entry_ids", "no ids given")
        blank = [(f"entry_ids[{i}]", "empty id") for i, x in enumerate(request.entry_ids) if not x.strip()]
        if blank:
            raise invalid_many(blank)
        store = self.state.require_store()
        if not self._stored(list_id):
            raise Fail(grpc.StatusCode.NOT_FOUND, f"no list {list_id!r} in the store")
        v = self.state.apply(
            lambda s: s.delete(list_id, list(request.entry_ids)), lambda v: v.list_id,
            derive=lambda current, version: current.updated((), request.entry_ids, version),
        )
        return wpb.DeleteEntriesResponse(version=convert.version_message(v, store.active(list_id).version), list_versions=self._versions())

    @handler("ListWatchlists")
    def ListWatchlists(self, request: wpb.ListWatchlistsRequest, context: ThreadContext) -> wpb.ListWatchlistsResponse:
        snap = self.state.snapshot()
        stored = self.state.stored_ids
        return wpb.ListWatchlistsResponse(
            watchlists=[
                wpb.WatchlistInfo(list_id=w.list_id, version=w.version, entries=len(w), stored=w.list_id in stored)
                for w in sorted(snap.watchlists, key=lambda w: w.list_id)
            ],
            list_versions=snap.versions,
        )

    @handler("GetEntry")
    def GetEntry(self, request: wpb.GetEntryRequest, context: ThreadContext) -> wpb.GetEntryResponse:
        list_id = _list_id(request.list_id)
        if not request.entry_id:
            raise invalid("entry_id", "required")
        snap = self.state.snapshot()
        wl = next((w for w in snap.watchlists if w.list_id == list_id), None)
        if wl is None:
            raise Fail(grpc.StatusCode.NOT_FOUND, f"no list {list_id!r} (lists: {', '.join(sorted(snap.versions))})")
        entry = wl.get(request.entry_id)
        if entry is None:
            raise Fail(grpc.StatusCode.NOT_FOUND, f"list {list_id!r} version {wl.version} has no entry {request.entry_id!r}")
        return wpb.GetEntryResponse(entry=convert.entry_message(entry), list_version=wl.version, list_versions=snap.versions)

    @handler("ListVersions")
    def ListVersions(self, request: wpb.ListVersionsRequest, context: ThreadContext) -> wpb.ListVersionsResponse:
        list_id = _list_id(request.list_id)
        if self._stored(list_id):
            store = self.state.store
            versions = store.versions(list_id)
            active = store.active(list_id)
            active_id = active.version if active else ""
            served = self._versions()
            return wpb.ListVersionsResponse(
                versions=[convert.version_message(v, active_id) for v in versions],
                active_version=active_id,
                list_versions=served,
                serving_version=served.get(list_id, ""),
            )
        wl = next((w for w in self.state.screener.watchlists if w.list_id == list_id), None)
        if wl is None:
            raise Fail(grpc.StatusCode.NOT_FOUND, f"no list {list_id!r}")
        # The embedded list: one version, not kept in a store.
        only = wpb.VersionInfo(list_id=list_id, version=wl.version, rows=len(wl), change="embedded", active=True)
        return wpb.ListVersionsResponse(
            versions=[only], active_version=wl.version, list_versions=self._versions(), serving_version=wl.version
        )

    @handler("ActivateVersion")
    def ActivateVersion(self, request: wpb.ActivateVersionRequest, context: ThreadContext) -> wpb.ActivateVersionResponse:
        list_id = _list_id(request.list_id)
        store = self.state.require_store()
        if not self._stored(list_id):
            raise Fail(grpc.StatusCode.NOT_FOUND, f"no list {list_id!r} in the store")
        if request.version and not re.match(r"^v\d{6}$", request.version):
            raise invalid("version", f"{request.version!r} is not a version id (e.g. v000003)")
        try:
            v = self.state.apply(lambda s: s.rollback(list_id, request.version or None), lambda v: v.list_id)
        except StoreError as e:
            raise from_store_error(e, "version") from None
        return wpb.ActivateVersionResponse(version=convert.version_message(v, store.active(list_id).version), list_versions=self._versions())
