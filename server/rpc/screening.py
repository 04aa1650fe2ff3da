"""ScreeningService: passengers (batch and stream), shipments, documents, raw messages, explanations.

Each call screens against one snapshot of the lists (ServerState.snapshot) and names its versions.
Work is done in batches of `limits.batch_size` passengers, one native call each (the GIL is released
there, so the thread pool uses every core); the deadline is checked between batches and a call whose
deadline has passed stops there with DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import grpc

import engine
import engine.messages
from server import messages
from server.proto_gen.interdict.v1 import common_pb2 as pb
from server.proto_gen.interdict.v1 import screening_pb2 as spb
from server.proto_gen.interdict.v1 import screening_pb2_grpc

from . import convert
from .errors import Fail, handler, invalid, invalid_many
from .state import ServerState
from .threads import ThreadContext, to_thread

log = logging.getLogger("server.rpc")

DEFAULT_LIMIT = 10
# ScreenMessageRequest.format -> engine.messages format name (MESSAGE_FORMAT_UNSPECIFIED: detected).
MESSAGE_FORMATS = {
    spb.MESSAGE_FORMAT_PAXLST: "paxlst",
    spb.MESSAGE_FORMAT_PNRGOV: "pnrgov",
    spb.MESSAGE_FORMAT_MRZ: "mrz",
    spb.MESSAGE_FORMAT_FWB: "fwb",
    spb.MESSAGE_FORMAT_FHL: "fhl",
    spb.MESSAGE_FORMAT_XFWB: "xfwb",
    spb.MESSAGE_FORMAT_XFZB: "xfzb",
}
_END = object()


def _check_alive(context: ThreadContext, state: ServerState) -> None:
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        state.counters["deadline_stops"] += 1
        raise Fail(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline exceeded: screening stopped")
    if not context.is_active():
        state.counters["deadline_stops"] += 1
        raise Fail(grpc.StatusCode.CANCELLED, "call cancelled: screening stopped")


def _options(state: ServerState, limit: int, has_threshold: bool, threshold: float) -> tuple[int, float | None]:
    violations = []
    if limit > state.limits.max_limit:
        violations.append(("limit", f"at most {state.limits.max_limit} hits per passenger, got {limit}"))
    if has_threshold and not 0.0 <= threshold <= 1.0:
        violations.append(("threshold", f"expected a number in [0, 1], got {threshold!r}"))
    if violations:
        raise invalid_many(violations)
    return (limit or DEFAULT_LIMIT), (threshold if has_threshold else None)


def _too_many(what: str, n: int, most: int) -> Fail:
    return Fail(grpc.StatusCode.RESOURCE_EXHAUSTED, f"{n} {what} in one request; at most {most} (split the batch or stream it)")


def _queries(items: Iterable[tuple[str, dict[str, Any]]]) -> list[engine.Query]:
    """Validates every query; all the malformed ones are reported, each with its field."""
    out, violations = [], []
    for where, d in items:
        try:
            out.append(engine.Query.from_dict(d, where))
        except engine.InputError as e:
            violations.append((e.field, e.reason))
    if violations:
        raise invalid_many(violations)
    return out


def screen_batched(
    state: ServerState, snap: engine.Screener, queries: Sequence[engine.Query], limit: int,
    threshold: float | None, context: ThreadContext,
) -> list[list[engine.Hit]]:
    size = max(1, state.limits.batch_size)
    results: list[list[engine.Hit]] = []
    for start in range(0, len(queries), size):
        _check_alive(context, state)
        results.extend(snap.screen(queries[start:start + size], limit=limit, threshold=threshold))
        state.counters["batches"] += 1
    return results


def _caller(context: ThreadContext) -> str:
    """The authenticated caller's name (server.auth), else the peer address."""
    try:
        from server.auth import ANONYMOUS, current_caller
    except ImportError:
        return context.peer()
    name = current_caller()
    return context.peer() if name == ANONYMOUS else name


def _hit_dict(h: Any) -> dict[str, Any]:
    return {
        "entry_id": h.entry_id, "list_id": h.list_id, "list_version": h.list_version,
        "score": round(h.score, 6), "band": h.band,
    }


def record(
    state: ServerState, method: str, context: ThreadContext, queries: Sequence[dict[str, Any]],
    hits: Sequence[Sequence[Any]], versions: dict[str, str],
) -> None:
    """One log line (counts and versions, no payload), then the audit log and hit counters when configured."""
    caller = _caller(context)
    log.info(
        "%s by %s: %d queries, %d hits, lists %s", method, caller, len(queries),
        sum(len(hs) for hs in hits), ", ".join(f"{k}@{v}" for k, v in sorted(versions.items())),
    )
    if state.metrics is not None:
        counts: dict[tuple[str, str], int] = {}
        for hs in hits:
            for h in hs:
                counts[(h.list_id, h.band)] = counts.get((h.list_id, h.band), 0) + 1
        for (list_id, band), n in counts.items():
            state.metrics.hits(list_id, band, n)
    if state.audit is not None:
        state.audit.record(method, caller, list(queries), [[_hit_dict(h) for h in hs] for hs in hits], versions)


# A stream sent in chunks (`passengers`) is answered in chunks of at most this many results: a message
# stays well under a client's default 4 MiB receive limit even with `limit` hits for each.
STREAM_RESULTS_PER_MESSAGE = 100


def _single_counts(request: spb.ScreenPassengerStreamRequest) -> bool:
    """Whether a stream message's `passenger` is one of its passengers: when set, and also when nothing
    is set (validation then names it)."""
    return request.HasField("passenger") or not request.passengers


def _stream_passengers(request: spb.ScreenPassengerStreamRequest) -> list[pb.Passenger]:
    """A stream message's passengers: `passenger` (_single_counts), then the chunk `passengers`."""
    return ([request.passenger] if _single_counts(request) else []) + list(request.passengers)


def _stream_passenger_count(item: Any) -> int:
    """Passengers in an inbox item (none in the end of the stream or its failure), without copying them."""
    if not isinstance(item, spb.ScreenPassengerStreamRequest):
        return 0
    return len(item.passengers) + _single_counts(item)


def _ends(item: Any) -> bool:
    """Whether an inbox item ends the stream: its end, or its failure."""
    return item is _END or isinstance(item, Exception)


def _stream_responses(
    index: int, passengers: Sequence[pb.Passenger], results: Sequence[Sequence[Any]], chunked: bool, versions: dict[str, str]
) -> list[spb.ScreenPassengerStreamResponse]:
    """A screened batch's answers: one message per passenger (`result`), or chunks of results (`results`)."""
    out = []
    if chunked:
        for at in range(0, len(passengers), STREAM_RESULTS_PER_MESSAGE):
            message = spb.ScreenPassengerStreamResponse(list_versions=versions)
            end = at + STREAM_RESULTS_PER_MESSAGE
            convert.add_passenger_results(message.results, index + at, passengers[at:end], results[at:end])
            out.append(message)
        return out
    for k, (p, hits) in enumerate(zip(passengers, results)):
        message = spb.ScreenPassengerStreamResponse()
        convert.set_map(message.list_versions, versions)
        answer = message.result
        answer.index, answer.passenger_id = index + k, p.id  # (sets `result`, even to defaults)
        convert.add_hits(answer.hits, hits)
        out.append(message)
    return out


class ScreeningServicer(screening_pb2_grpc.ScreeningServiceServicer):
    def __init__(self, state: ServerState):
        self.state = state

    @handler("ScreenPassengers")
    def ScreenPassengers(self, request: spb.ScreenPassengersRequest, context: ThreadContext) -> spb.ScreenPassengersResponse:
        state = self.state
        if len(request.passengers) > state.limits.max_passengers:
            raise _too_many("passengers", len(request.passengers), state.limits.max_passengers)
        limit, threshold = _options(state, request.limit, request.HasField("threshold"), request.threshold)
        dicts = [convert.passenger_dict(p) for p in request.passengers]
        queries = _queries((f"passengers[{i}]", d) for i, d in enumerate(dicts))
        snap = state.snapshot()
        versions = dict(snap.versions)
        results = screen_batched(state, snap, queries, limit, threshold, context)
        record(state, "ScreenPassengers", context, dicts, results, versions)
        response = spb.ScreenPassengersResponse(list_versions=versions)
        convert.add_passenger_results(response.results, 0, request.passengers, results)
        return response

    @handler("ScreenPassengerStream")
    async def ScreenPassengerStream(
        self, request_iterator: AsyncIterator[spb.ScreenPassengerStreamRequest], context: grpc.aio.ServicerContext
    ) -> None:
        """Runs on the event loop: messages are read as they arrive (a task fills `inbox`) and gathered into
        batches of what has arrived, up to `limits.batch_size` passengers. Each batch is screened in the pool
        (native, all cores) while the previous batch's results are written: one message each, or in chunks."""
        state = self.state
        size = max(1, state.limits.batch_size)
        snap = state.snapshot()
        versions = dict(snap.versions)
        work = ThreadContext(context)  # what the pool's part sees of the call (record() names the caller)
        inbox: asyncio.Queue[Any] = asyncio.Queue(maxsize=4 * size)

        async def pump() -> None:
            try:
                async for item in request_iterator:
                    await inbox.put(item)
                await inbox.put(_END)
            except Exception as e:  # noqa: BLE001 - a refused message (Fail) or the client's stream failing
                await inbox.put(e)

        def screen(items: list[Any], index: int, limit: int, threshold: float | None, chunked: bool) -> list[Any]:
            passengers = [p for r in items for p in _stream_passengers(r)]
            if index + len(passengers) > state.limits.max_stream_passengers:
                raise _too_many("passengers", index + len(passengers), state.limits.max_stream_passengers)
            dicts = [convert.passenger_dict(p) for p in passengers]
            queries = _queries((f"passengers[{index + k}]", d) for k, d in enumerate(dicts))
            results = snap.screen(queries, limit=limit, threshold=threshold)
            state.counters["batches"] += 1
            record(state, "ScreenPassengerStream", work, dicts, results, versions)
            return _stream_responses(index, passengers, results, chunked, versions)

        reader = asyncio.ensure_future(pump())
        screened: list[Any] = []  # the last batch's messages, written while the next batch is screened
        limit: int | None = None
        threshold: float | None = None
        chunked = False
        index = 0
        try:
            while True:
                _check_alive(work, state)
                batch = [await inbox.get()]
                count = _stream_passenger_count(batch[0])
                while count < size and not _ends(batch[-1]) and not inbox.empty():
                    batch.append(inbox.get_nowait())
                    count += _stream_passenger_count(batch[-1])
                ended = _ends(batch[-1])
                items = batch[:-1] if ended else batch
                job = None
                if items:
                    if limit is None:
                        limit, threshold = _options(state, items[0].limit, items[0].HasField("threshold"), items[0].threshold)
                        chunked = len(items[0].passengers) > 0
                    # started only once the batch before has been screened: a refused batch stops the stream
                    # before any later one is screened (or audited)
                    job = asyncio.ensure_future(to_thread(screen, items, index, limit, threshold, chunked))
                    index += count  # (the end of the stream counts no passenger)
                for message in screened:
                    await context.write(message)
                screened = await job if job is not None else []
                if ended or inbox.empty():  # no next batch to screen meanwhile: the results go out now
                    for message in screened:
                        await context.write(message)
                    screened = []
                if ended:
                    if batch[-1] is _END:
                        return
                    if isinstance(batch[-1], Fail):  # a request message refused by server/rpc/wire.py
                        raise batch[-1]
                    raise Fail(grpc.StatusCode.CANCELLED, "the client stream failed")
        except asyncio.CancelledError:  # the client went away or the deadline passed: the pool's batch is its last
            work.cancelled = True
            raise
        finally:
            reader.cancel()

    @handler("ScreenShipments")
    def ScreenShipments(self, request: spb.ScreenShipmentsRequest, context: ThreadContext) -> spb.ScreenShipmentsResponse:
        state = self.state
        limit, threshold = _options(state, request.limit, request.HasField("threshold"), request.threshold)
        roles = (("shipper", spb.PARTY_ROLE_SHIPPER), ("consignee", spb.PARTY_ROLE_CONSIGNEE), ("notify_party", spb.PARTY_ROLE_NOTIFY_PARTY))
        parties: list[tuple[int, int, str, dict[str, Any]]] = []  # (shipment index, role, where, query)
        violations: list[tuple[str, str]] = []
        for i, s in enumerate(request.shipments):
            given = [(f, role) for f, role in roles if s.HasField(f)]
            if not given:
                violations.append((f"shipments[{i}]", "a shipment needs a shipper, consignee or notify party"))
            for f, role in given:
                party = getattr(s, f)
                q = {"kind": convert.PARTY_KINDS.get(party.kind, "organization"), "name": party.name}
                for extra in ("address", "country"):
                    if getattr(party, extra):
                        q[extra] = getattr(party, extra)
                parties.append((i, role, f"shipments[{i}].{f}", q))
        if len(parties) > state.limits.max_passengers:
            raise _too_many("shipment parties", len(parties), state.limits.max_passengers)
        try:
            queries = _queries((where, q) for _, _, where, q in parties)
        except Fail as f:
            violations.extend(f.violations)
        if violations:
            raise invalid_many(violations)
        snap = state.snapshot()
        versions = dict(snap.versions)
        results = screen_batched(state, snap, queries, limit, threshold, context)
        record(state, "ScreenShipments", context, [q for *_, q in parties], results, versions)
        response = spb.ScreenShipmentsResponse(list_versions=versions)
        out = [response.results.add(index=i, shipment_id=s.id, air_waybill=s.air_waybill) for i, s in enumerate(request.shipments)]
        for (i, role, _, q), hits in zip(parties, results):
            convert.add_hits(out[i].parties.add(role=role, name=q["name"]).hits, hits)
        return response

    @handler("CheckDocuments")
    def CheckDocuments(self, request: spb.CheckDocumentsRequest, context: ThreadContext) -> spb.CheckDocumentsResponse:
        state = self.state
        if len(request.documents) > state.limits.max_passengers:
            raise _too_many("documents", len(request.documents), state.limits.max_passengers)
        threshold = request.threshold if request.HasField("threshold") else None
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise invalid("threshold", f"expected a number in [0, 1], got {threshold!r}")
        docs, violations = [], []
        for i, d in enumerate(request.documents):
            try:
                docs.append(engine.Document.from_dict(convert.document_dict(d), f"documents[{i}]"))
            except engine.InputError as e:
                violations.append((e.field, e.reason))
        if violations:
            raise invalid_many(violations)
        snap = state.snapshot()
        versions = dict(snap.versions)
        size = max(1, state.limits.batch_size)
        results: list[list[engine.DocumentHit]] = []
        for start in range(0, len(docs), size):
            _check_alive(context, state)
            try:
                results.extend(snap.check_documents(docs[start:start + size], threshold=threshold))
            except engine.InputError as e:  # an MRZ: the engine numbers documents within the batch
                raise invalid(_renumber(e.field, start), e.reason) from None
        record(state, "CheckDocuments", context, [convert.document_dict(d) for d in request.documents], results, versions)
        response = spb.CheckDocumentsResponse(list_versions=versions)
        for i, hits in enumerate(results):
            convert.add_hits(response.results.add(index=i).hits, hits, matched="matched_number")
        return response

    @handler("ScreenMessage")
    def ScreenMessage(self, request: spb.ScreenMessageRequest, context: ThreadContext) -> spb.ScreenMessageResponse:
        state = self.state
        limit, threshold = _options(state, request.limit, request.HasField("threshold"), request.threshold)
        if request.format != spb.MESSAGE_FORMAT_UNSPECIFIED and request.format not in MESSAGE_FORMATS:
            raise invalid("format", f"unknown message format {request.format}")
        if not request.content:
            raise invalid("content", "required: the message as received")
        try:
            result = engine.messages.parse(request.content, format=MESSAGE_FORMATS.get(request.format))
        except engine.messages.MessageError as e:  # "segment 14 (NAD): ...": where in the message, on `content`
            raise invalid("content", str(e)) from None
        kind, found = messages.items_of(result)
        if len(found) > state.limits.max_passengers:
            raise _too_many(f"{kind}s" if kind == "traveller" else "parties", len(found), state.limits.max_passengers)
        items = messages.build_items(kind, found)
        todo = [it for it in items if it.query is not None]
        snap = state.snapshot()
        versions = dict(snap.versions)
        results = screen_batched(state, snap, [it.query for it in todo], limit, threshold, context)
        record(state, "ScreenMessage", context, [it.query_dict for it in todo], results, versions)
        hits_of = {it.index: hits for it, hits in zip(todo, results)}
        response = spb.ScreenMessageResponse(list_versions=versions, warnings=messages.warnings_of(result))
        for it in items:
            answer = response.results.add(index=it.index, passenger_id=it.item.source, errors=it.errors)
            convert.add_hits(answer.hits, hits_of.get(it.index, []))
        return response

    @handler("ExplainMatch")
    def ExplainMatch(self, request: spb.ExplainMatchRequest, context: ThreadContext) -> spb.ExplainMatchResponse:
        violations = []
        if not request.list_id:
            violations.append(("list_id", "required"))
        if not request.entry_id:
            violations.append(("entry_id", "required"))
        if not request.HasField("passenger"):
            violations.append(("passenger", "required"))
        if violations:
            raise invalid_many(violations)
        query = _queries([("passenger", convert.passenger_dict(request.passenger))])[0]
        snap = self.state.snapshot()
        wl = next((w for w in snap.watchlists if w.list_id == request.list_id), None)
        if wl is None:
            raise Fail(grpc.StatusCode.NOT_FOUND, f"no list {request.list_id!r} (lists: {', '.join(sorted(snap.versions))})")
        entry = wl.get(request.entry_id)
        if entry is None:
            raise Fail(grpc.StatusCode.NOT_FOUND, f"list {request.list_id!r} version {wl.version} has no entry {request.entry_id!r}")
        m = engine.score_pair(query, entry, snap.config)
        return spb.ExplainMatchResponse(
            list_id=wl.list_id,
            list_version=wl.version,
            entry_id=entry.id,
            score=m.score,
            band=convert.BANDS.get(m.band, pb.BAND_UNSPECIFIED),
            matched_name=m.matched_name,
            features=m.features,
            explanation=m.explanation,
            list_versions=snap.versions,
        )


def _renumber(field: str, offset: int) -> str:
    """`documents[3].mrz` within a batch starting at `offset` -> `documents[offset + 3].mrz`."""
    import re

    return re.sub(r"^documents\[(\d+)\]", lambda m: f"documents[{int(m.group(1)) + offset}]", field)
