"""Hostile gRPC requests against a real `interdict serve --store` process: bytes that are not protobuf,
wrong wire types, non-UTF-8 strings, huge, empty and many-times-repeated fields, nested groups, and
seeded mutations of a valid request for every method. Each gets a clear status naming the field
(INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...): never INTERNAL or UNKNOWN, never a hang (every call has a
deadline and DEADLINE_EXCEEDED fails the test), and the server's memory stays bounded (its peak RSS is
read from /proc while a 16 MiB request of empty passengers is refused).

The requests are raw bytes (identity serialisers), so the client's protobuf library cannot refuse to
send them. INTERDICT_HOSTILE_CASES sets the mutations per method (40 by default).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")
from google.protobuf.descriptor import FieldDescriptor
from google.rpc import error_details_pb2
from grpc_status import rpc_status

import engine
from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import watchlist_pb2 as w
from serve_process import mib, peak_bytes, reset_peak, rss_bytes, serve

FIXTURES = Path(__file__).parent / "fixtures"
CASES = int(os.environ.get("INTERDICT_HOSTILE_CASES", "40"))
TIMEOUT = 30  # seconds per call: far above any answer; DEADLINE_EXCEEDED is a hang
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED,
         grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED}

METHODS = [
    (svc, m)
    for fd in (s.DESCRIPTOR, w.DESCRIPTOR)
    for svc in fd.services_by_name.values()
    for m in svc.methods
]


def _path(method) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


def _valid_requests() -> dict[str, list[bytes]]:
    """A valid request (a list of messages for a request stream) for every method."""
    badege = c.Passenger(id="1", surname="BADEGE", given_names="ERIC", birth_date="1971", nationality="COD",
                         documents=[c.TravelDocument(number="AB123456", type="passport", country="COD")])
    other = c.Passenger(id="2", name="Elspeth Quartermaine", birth_date="1990-01-02", sex="F")
    msgs = {
        "ScreenPassengers": [s.ScreenPassengersRequest(passengers=[badege, other], limit=5)],
        "ScreenPassengerStream": [s.ScreenPassengerStreamRequest(passenger=p) for p in (badege, other, badege)],
        "ScreenShipments": [s.ScreenShipmentsRequest(shipments=[s.Shipment(
            id="s1", air_waybill="020-12345675", shipper=s.Party(name="Acme Trading LLC", country="AE"),
            consignee=s.Party(name="Eric Badege", kind=c.PARTY_KIND_PERSON))])],
        "CheckDocuments": [s.CheckDocumentsRequest(documents=[c.TravelDocument(number="AB123456", country="COD")])],
        "ScreenMessage": [s.ScreenMessageRequest(content=(FIXTURES / "messages" / "paxlst_badege.edi").read_bytes())],
        "ExplainMatch": [s.ExplainMatchRequest(passenger=badege, list_id="un-sc", entry_id="CDi.001")],
        "ImportList": [w.ImportListRequest(list_id="fuzz", file_name="eu_small.xml", chunk=(FIXTURES / "eu_small.xml").read_bytes())],
        "UpsertEntries": [w.UpsertEntriesRequest(list_id="fuzz", entries=[
            c.Entry(id="H-1", names=["Hostile Tester"], birth_dates=["1970"], nationalities=["DE"])])],
        "DeleteEntries": [w.DeleteEntriesRequest(list_id="fuzz", entry_ids=["H-1"])],
        "ListWatchlists": [w.ListWatchlistsRequest()],
        "GetEntry": [w.GetEntryRequest(list_id="un-sc", entry_id="CDi.001")],
        "ListVersions": [w.ListVersionsRequest(list_id="fuzz")],
        "ActivateVersion": [w.ActivateVersionRequest(list_id="fuzz", version="v000001")],
    }
    assert set(msgs) == {m.name for _, m in METHODS}, "a new RPC needs a valid request here"
    return {name: [m.SerializeToString() for m in ms] for name, ms in msgs.items()}


VALID = _valid_requests()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    from watchlists.store import Store

    Store(tmp / "store").import_file(FIXTURES / "eu_small.xml", list_id="fuzz")
    served = serve(tmp, "--store", str(tmp / "store"), "--max-workers", "4")
    yield served
    assert served.stop() == 0
    assert "Traceback" not in served.log() and "internal error" not in served.log()


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.target, options=[("grpc.max_send_message_length", 64 << 20)]) as ch:
        yield ch


def call(channel, method, payload: bytes | list[bytes]) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    """Sends raw bytes (a list: a request stream); (code, details, field violations)."""
    ident = {"request_serializer": lambda b: b, "response_deserializer": lambda b: b}
    path = _path(method)
    msgs = payload if isinstance(payload, list) else [payload]
    try:
        if method.client_streaming and method.server_streaming:
            list(channel.stream_stream(path, **ident)(iter(msgs), timeout=TIMEOUT))
        elif method.client_streaming:
            channel.stream_unary(path, **ident)(iter(msgs), timeout=TIMEOUT)
        elif method.server_streaming:
            list(channel.unary_stream(path, **ident)(msgs[0], timeout=TIMEOUT))
        else:
            channel.unary_unary(path, **ident)(msgs[0], timeout=TIMEOUT)
        return grpc.StatusCode.OK, "", {}
    except grpc.RpcError as e:
        fields: dict[str, str] = {}
        status = rpc_status.from_call(e)
        for detail in status.details if status else ():
            bad = error_details_pb2.BadRequest()
            if detail.Unpack(bad):
                fields.update({v.field: v.description for v in bad.field_violations})
        return e.code(), e.details() or "", fields


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _len_field(number: int, body: bytes) -> bytes:
    return _key(number, 2) + _varint(len(body)) + body


def _field_paths(desc, prefix=(), depth=0):
    """(fields from the request down to a leaf) for every field of the request, nested messages to depth 2."""
    for f in desc.fields:
        path = prefix + (f,)
        yield path
        if f.type == FieldDescriptor.TYPE_MESSAGE and depth < 2 and f.message_type.full_name.startswith("interdict."):
            yield from _field_paths(f.message_type, path, depth + 1)


def _nest(path, leaf: bytes) -> bytes:
    """`leaf` (the encoded last field) wrapped in the messages of the path above it."""
    data = leaf
    for f in reversed(path[:-1]):
        data = _len_field(f.number, data)
    return data


def _name(method, path) -> str:
    name = ".".join(f.name + ("[0]" if f.is_repeated else "") for f in path)
    return f"requests[0].{name}" if method.client_streaming else name


def _expect_refused(method, sent, code, details, fields, want_code=grpc.StatusCode.INVALID_ARGUMENT, field=None):
    assert code not in NEVER, (method.name, code, details)
    assert code == want_code, (method.name, sent[:80], code, details)
    if field is not None:
        assert field in fields, (method.name, field, fields, details)


# --- protobuf-level hostility ----------------------------------------------------------------------------------

GARBAGE = {
    "varint of 11 bytes": b"\xff" * 64,
    "nested groups": b"\x0b" * 5000 + b"\x0c" * 5000,
    "length past the end": b"\x0a\x64abc",
    "field number 0": b"\x00\x00",
}


@pytest.mark.parametrize("what", sorted(GARBAGE))
@pytest.mark.parametrize("svc, method", METHODS, ids=[m.name for _, m in METHODS])
def test_bytes_that_are_not_protobuf(channel, svc, method, what):
    code, details, fields = call(channel, method, GARBAGE[what])
    _expect_refused(method, GARBAGE[what], code, details, fields)
    assert "not a valid protobuf message" in details or "not used by this API" in details, details


WITH_STRINGS = [m for _, m in METHODS if any(p[-1].type == FieldDescriptor.TYPE_STRING for p in _field_paths(m.input_type))]
WITH_FIELDS = [m for _, m in METHODS if m.input_type.fields]


@pytest.mark.parametrize("method", WITH_STRINGS, ids=[m.name for m in WITH_STRINGS])
def test_non_utf8_in_every_string_field(channel, method):
    paths = [p for p in _field_paths(method.input_type) if p[-1].type == FieldDescriptor.TYPE_STRING]
    for path in paths:
        sent = _nest(path, _len_field(path[-1].number, b"ok\xff\xfe\xc3("))
        code, details, fields = call(channel, method, sent)
        _expect_refused(method, sent, code, details, fields, field=_name(method, path))
        assert "not valid UTF-8" in fields[_name(method, path)]


@pytest.mark.parametrize("method", WITH_FIELDS, ids=[m.name for m in WITH_FIELDS])
def test_wrong_wire_type_in_every_field(channel, method):
    """An int where a message or string belongs, a string where an int or double belongs: protobuf would
    drop it as an unknown field and the call would go on without it; the server names it instead."""
    for path in _field_paths(method.input_type):
        f = path[-1]
        if f.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
            leaf = _key(f.number, 0) + _varint(7)  # a varint where a length-delimited field belongs
        elif f.is_repeated:
            continue  # a length-delimited repeated scalar is its packed form: valid
        else:
            leaf = _len_field(f.number, b"seven")  # a string where a number belongs
        sent = _nest(path, leaf)
        code, details, fields = call(channel, method, sent)
        _expect_refused(method, sent, code, details, fields, field=_name(method, path))
        assert "wrong type" in fields[_name(method, path)]


def test_unknown_fields_are_ignored_as_protobuf_does(channel):
    """A newer client's fields (unknown numbers, any wire type but groups, nested deep) do not fail a call."""
    method = next(m for _, m in METHODS if m.name == "ScreenPassengers")
    nested = b"x"
    for _ in range(500):  # unknown length-delimited fields are skipped, not parsed: depth does not matter
        nested = _len_field(99, nested)
    sent = VALID["ScreenPassengers"][0] + nested + _key(98, 0) + _varint(1) + _key(97, 5) + b"\0\0\0\0"
    assert call(channel, method, sent)[0] == grpc.StatusCode.OK


# --- sizes -----------------------------------------------------------------------------------------------------

def _method(name: str):
    return next(m for _, m in METHODS if m.name == name)


def test_huge_and_wordy_names_are_refused_at_once(channel):
    screen = _method("ScreenPassengers")
    for name, reason in (("N" * (10 << 20), "characters; at most"), ("ab " * 3000, "characters; at most"),
                         ("ab " * 300, "words; at most")):
        sent = s.ScreenPassengersRequest(passengers=[c.Passenger(name=name)]).SerializeToString()
        code, details, fields = call(channel, screen, sent)
        _expect_refused(screen, sent, code, details, fields, field="passengers[0].name")
        assert reason in fields["passengers[0].name"]
    explain = _method("ExplainMatch")
    sent = s.ExplainMatchRequest(passenger=c.Passenger(surname="ab " * 300), list_id="un-sc", entry_id="CDi.001").SerializeToString()
    code, details, fields = call(channel, explain, sent)
    _expect_refused(explain, sent, code, details, fields, field="passenger.surname")
    # a list's names have the same bounds: an entry with a name of hundreds of words is refused, naming it
    upsert = _method("UpsertEntries")
    sent = w.UpsertEntriesRequest(list_id="fuzz", entries=[c.Entry(id="H-2", names=["Long Name", "ab " * 300])]).SerializeToString()
    code, details, fields = call(channel, upsert, sent)
    _expect_refused(upsert, sent, code, details, fields, field="entries[0].names[1]")
    assert "words; at most" in fields["entries[0].names[1]"]
    # at the limits, a name is screened
    ok = " ".join(["Badege"] * (engine.model.MAX_NAME_WORDS - 1))
    ok += " " + "a" * (engine.model.MAX_TEXT_CHARS - len(ok) - 1)
    assert len(ok) == engine.model.MAX_TEXT_CHARS
    assert call(channel, screen, s.ScreenPassengersRequest(passengers=[c.Passenger(name=ok)]).SerializeToString())[0] == grpc.StatusCode.OK


def test_over_the_message_size_limit(channel):
    sent = s.ScreenMessageRequest(content=b"U" * (17 << 20)).SerializeToString()
    code, details, _ = call(channel, _method("ScreenMessage"), sent)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED, (code, details)


def test_a_long_quoted_value_does_not_break_the_status(channel):
    """An error message quoting a 1 MB value would not fit in the trailers: messages are cut, not lost."""
    sent = s.ScreenPassengersRequest(passengers=[c.Passenger(name="A B", nationality="Z" * (1 << 20))]).SerializeToString()
    code, details, fields = call(channel, _method("ScreenPassengers"), sent)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "characters)" in details and len(details) < 2000
    assert "passengers[0].nationality" in fields
    many = s.ScreenPassengersRequest(passengers=[c.Passenger(name="A B", birth_date="1970-13-01")] * 5000).SerializeToString()
    code, details, fields = call(channel, _method("ScreenPassengers"), many)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "(and 4999 more)" in details and len(fields) == 100


def test_empty_requests(channel):
    """Every method with an empty request: an answer or a named refusal."""
    for _, method in METHODS:
        code, details, fields = call(channel, method, [] if method.client_streaming else b"")
        assert code not in NEVER, (method.name, code, details)
        if code == grpc.StatusCode.INVALID_ARGUMENT:
            assert fields, (method.name, details)


def test_many_empty_passengers_are_refused_before_they_are_parsed(channel, server):
    """16 MiB of empty passengers (2 bytes each, ~200 bytes each once parsed): refused while walking the bytes,
    and the server's peak memory stays near the size of the request itself."""
    screen = _method("ScreenPassengers")
    sent = b"\x0a\x00" * ((16 << 20) // 2 - 8)
    if not reset_peak(server.pid):
        pytest.skip("cannot reset the server's peak RSS (/proc/PID/clear_refs)")
    before = rss_bytes(server.pid)
    code, details, _ = call(channel, screen, sent)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "more than 200000 nested messages" in details, details
    grew = peak_bytes(server.pid) - before
    print(f"\n16 MiB of empty passengers: server peak RSS +{mib(grew):.0f} MiB (parsed, it would take ~1,600 MiB)")
    assert grew < 160 << 20, f"peak RSS grew by {mib(grew):.0f} MiB"


def test_the_memory_check_would_see_a_parse(server):
    """Negative control for the test above: parsing 1 MiB of empty passengers takes tens of MiB."""
    if not reset_peak(os.getpid()):
        pytest.skip("cannot reset this process's peak RSS")
    before = rss_bytes(os.getpid())
    parsed = s.ScreenPassengersRequest.FromString(b"\x0a\x00" * (1 << 19))
    assert len(parsed.passengers) == 1 << 19
    assert peak_bytes(os.getpid()) - before > 20 << 20


# --- mutations of valid requests -------------------------------------------------------------------------------

def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        if not b:
            b += rng.randbytes(rng.randint(1, 8))
        elif op == 0:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[rng.randrange(len(b))] = rng.choice((0x00, 0x7F, 0x80, 0xFF, 0x0B, 0x0C, 0xC3))
        elif op == 2:
            del b[rng.randrange(len(b)):]
        elif op == 3:
            at = rng.randrange(len(b) + 1)
            b[at:at] = rng.randbytes(rng.randint(1, 16))
        else:
            i = rng.randrange(len(b))
            b[i:i] = b[i:i + rng.randint(1, 32)]
    return bytes(b)


@pytest.mark.parametrize("svc, method", METHODS, ids=[m.name for _, m in METHODS])
def test_mutated_requests(channel, server, svc, method):
    rng = random.Random(f"hostile-{method.name}")
    valid = VALID[method.name]
    assert call(channel, method, valid if method.client_streaming else valid[0])[0] in (
        grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT), "the valid request"
    codes: dict[str, int] = {}
    for _ in range(CASES):
        msgs = list(valid)
        i = rng.randrange(len(msgs))
        msgs[i] = _mutate(rng, msgs[i])
        code, details, _ = call(channel, method, msgs if method.client_streaming else msgs[0])
        assert code not in NEVER, (method.name, msgs[i][:200], code, details)
        codes[code.name] = codes.get(code.name, 0) + 1
    assert server.proc.poll() is None
    print(f"\n{method.name}: {codes}")


def test_a_large_request_is_checked_in_the_pool_not_on_the_event_loop():
    """grpc.aio deserialises on the loop that reads and writes every call's messages: a request over
    LOOP_CHECK_BYTES is handed on unparsed and checked (and refused, or parsed) in the thread pool."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from server.rpc import wire

    safe = wire._deserialiser(s.ScreenPassengersRequest.FromString, 200_000)
    deserialise = wire._deferring(safe)
    small = s.ScreenPassengersRequest(passengers=[c.Passenger(id="1", name="ANNA NOVAK")]).SerializeToString()
    big = s.ScreenPassengersRequest(passengers=[c.Passenger(id=str(i), name="ANNA NOVAK") for i in range(2000)]).SerializeToString()
    assert len(small) <= wire.LOOP_CHECK_BYTES < len(big)
    assert deserialise(small) == s.ScreenPassengersRequest.FromString(small)  # small: parsed at once
    threads: list[int] = []

    def checked(data: bytes):
        threads.append(threading.get_ident())
        return safe(data)

    async def ready(data: bytes):
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
        handed_on = deserialise(data)
        assert isinstance(handed_on, wire._Deferred)
        return await wire._ready(handed_on, checked)

    assert asyncio.run(ready(big)) == s.ScreenPassengersRequest.FromString(big)
    refused = asyncio.run(ready(big + b"\x08\x01"))  # field 1 (passengers) as a varint: the wrong wire type
    assert isinstance(refused, wire.Refused) and refused.fail.violations[0][0].startswith("passengers")
    assert threading.get_ident() not in threads and len(threads) == 2

    async def stream(*messages: bytes):  # a client stream: each large message checked in the pool, in its place
        async def arriving():
            for m in messages:
                yield deserialise(m)

        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
        got = []
        try:
            async for r in wire._checked(arriving(), checked):
                got.append(r)
        except Exception as e:  # noqa: BLE001 - the Fail that ends the stream
            return got, e
        return got, None

    got, fail = asyncio.run(stream(small, big, big + b"\x08\x01"))
    assert got == [s.ScreenPassengersRequest.FromString(small), s.ScreenPassengersRequest.FromString(big)]
    assert fail.violations[0][0].startswith("requests[2].passengers") and len(threads) == 4
