"""Every request's protobuf bytes are checked before they are parsed, so hostile input gets a clear status
instead of grpc's INTERNAL ("Exception deserializing request!") or a parse that eats memory.

The check walks the wire format against the request's descriptor (no parse, no objects):

- bytes that are not protobuf (a bad varint, a length past the end, wire types 3/4 "groups", which no
  field of this API uses, nesting deeper than MAX_DEPTH): INVALID_ARGUMENT naming where it broke;
- a known field sent with another wire type (an int where a message or string belongs, ...): protobuf
  would file it away as an unknown field and the call would go on without it; INVALID_ARGUMENT naming
  the field (`passengers[0].name`). Unknown field numbers are skipped, as protobuf does (newer clients);
- a string that is not UTF-8: INVALID_ARGUMENT naming the field;
- more than `max_items` nested messages and repeated values in one request message: RESOURCE_EXHAUSTED.
  Parsing costs ~200 bytes of memory per nested message, and an empty one takes 2 bytes on the wire:
  without this bound a 16 MiB request of empty passengers would take ~1.5 GB before any limit could
  look at it.

`guard_interceptor(max_items)` installs it as the innermost server interceptor: its deserialiser never raises
(a refused request becomes a marker that the behaviour turns into the status), so auth still rejects a
caller before any byte of the request is looked at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from server._rpc import responses, wrap_rpc_handler

from .errors import Fail, invalid, log_refusal, status_of
from .threads import to_thread

MAX_DEPTH = 32  # the API's messages nest 3 deep; protobuf's own limit is 100
# Larger request messages are checked and parsed in the thread pool, not on the event loop: the check
# walks ~20 MB/s, so this keeps each message's turn on the loop under ~1 ms.
LOOP_CHECK_BYTES = 16 * 1024

_VARINT, _I64, _LEN, _GROUP_START, _GROUP_END, _I32 = range(6)
_WIRE_NAMES = {_VARINT: "varint", _I64: "64-bit", _LEN: "length-delimited", _GROUP_START: "group start",
               _GROUP_END: "group end", _I32: "32-bit"}
_I64_TYPES = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED64}
_I32_TYPES = {FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_SFIXED32}
_LEN_TYPES = {FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES}
_TYPE_NAMES = {v: k[len("TYPE_"):].lower() for k, v in vars(FieldDescriptor).items() if k.startswith("TYPE_")}


def _expected_wire(field: FieldDescriptor) -> tuple[int, ...]:
    if field.type in _LEN_TYPES:
        return (_LEN,)
    scalar = _I64 if field.type in _I64_TYPES else _I32 if field.type in _I32_TYPES else _VARINT
    return (scalar, _LEN) if field.is_repeated else (scalar,)  # repeated scalars may come packed


class _Field:
    """What the walk needs of a field, looked up once per descriptor."""

    __slots__ = ("name", "wires", "counted", "repeated", "message", "string", "type_name")

    def __init__(self, field: FieldDescriptor):
        self.name = field.name
        self.wires = _expected_wire(field)
        self.repeated = bool(field.is_repeated)
        self.counted = self.repeated or field.type == FieldDescriptor.TYPE_MESSAGE
        self.message = field.message_type if field.type == FieldDescriptor.TYPE_MESSAGE else None
        self.string = field.type == FieldDescriptor.TYPE_STRING
        self.type_name = _TYPE_NAMES.get(field.type, "?")


_FIELDS: dict[str, dict[int, _Field]] = {}


def _fields(desc: Descriptor) -> dict[int, _Field]:
    found = _FIELDS.get(desc.full_name)
    if found is None:
        found = _FIELDS[desc.full_name] = {n: _Field(f) for n, f in desc.fields_by_number.items()}
    return found


def _path(prefix: str, f: _Field, seen: dict[int, int], number: int) -> str:
    path = f"{prefix}.{f.name}" if prefix else f.name
    if f.repeated:
        i = seen.get(number, 0)
        seen[number] = i + 1
        path += f"[{i}]"
    return path


class _Walk:
    def __init__(self, data: bytes, max_items: int):
        self.buf = memoryview(data)
        self.items = 0
        self.max_items = max_items

    def varint(self, pos: int, end: int, where: str) -> tuple[int, int]:
        buf, result, shift = self.buf, 0, 0
        while True:
            if pos >= end:
                raise invalid(where or "request", "not a valid protobuf message: truncated varint")
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result, pos
            shift += 7
            if shift >= 64:
                raise invalid(where or "request", "not a valid protobuf message: varint longer than 10 bytes")

    def message(self, start: int, end: int, desc: Descriptor, prefix: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise invalid(prefix, f"not a valid request: messages nested deeper than {MAX_DEPTH}")
        fields = _fields(desc)
        buf, seen, pos = self.buf, {}, start
        while pos < end:
            key = buf[pos]
            if key < 0x80:  # one-byte key: fields 1-15, every field of this API
                pos += 1
            else:
                key, pos = self.varint(pos, end, prefix)
            number, wire = key >> 3, key & 7
            f = fields.get(number)
            if wire == _LEN:
                size = buf[pos] if pos < end else 0x80
                if size < 0x80:
                    pos += 1
                else:
                    size, pos = self.varint(pos, end, self._where(prefix, f, seen, number))
                body, pos = pos, pos + size
            elif wire == _VARINT:
                _, pos = self.varint(pos, end, self._where(prefix, f, seen, number))
                body = -1
            elif wire == _I64 or wire == _I32:
                pos += 8 if wire == _I64 else 4
                body = -1
            else:
                raise invalid(self._where(prefix, f, seen, number),
                              f"wire type {wire} ({_WIRE_NAMES.get(wire, 'unknown')}) is not used by this API")
            if number == 0:
                raise invalid(prefix or "request", "not a valid protobuf message: field number 0")
            if pos > end:
                raise invalid(self._where(prefix, f, seen, number),
                              "not a valid protobuf message: the field runs past the end of its message")
            if f is None:
                continue  # an unknown field (a newer client's): skipped, as protobuf does
            if wire not in f.wires:
                want = " or ".join(_WIRE_NAMES[w] for w in f.wires)
                raise invalid(_path(prefix, f, seen, number),
                              f"wrong type: sent as {_WIRE_NAMES[wire]}, expected {want} ({f.type_name})")
            if f.counted:
                self.items += 1
                if self.items > self.max_items:
                    raise Fail(
                        grpc.StatusCode.RESOURCE_EXHAUSTED,
                        f"{_path(prefix, f, seen, number)}: more than {self.max_items} nested messages and repeated "
                        "values in one request message (this server's limit); split it",
                    )
            if body < 0 or pos == body:  # not length-delimited, or empty
                if f.repeated:
                    seen[number] = seen.get(number, 0) + 1
                continue
            if f.message is not None:
                self.message(body, pos, f.message, _path(prefix, f, seen, number), depth + 1)
            elif f.string:
                try:
                    str(buf[body:pos], "utf-8")
                except UnicodeDecodeError as e:
                    raise invalid(_path(prefix, f, seen, number), f"not valid UTF-8 (byte {e.start} of the string)") from None
            elif f.repeated:
                seen[number] = seen.get(number, 0) + 1

    @staticmethod
    def _where(prefix: str, f: _Field | None, seen: dict[int, int], number: int) -> str:
        if f is None:
            return f"{prefix or 'request'} (field {number})"
        return _path(prefix, f, dict(seen), number)


def check(data: bytes, descriptor: Descriptor, max_items: int) -> None:
    """Raises Fail (INVALID_ARGUMENT or RESOURCE_EXHAUSTED) when `data` is not a sound `descriptor` message."""
    _Walk(data, max_items).message(0, len(data), descriptor, "", 0)


class Refused:
    """What the guarded deserialiser returns instead of raising: the behaviour ends the call with `fail`."""

    __slots__ = ("fail",)

    def __init__(self, fail: Fail):
        self.fail = fail


class _Deferred:
    """A request too large to check and parse on the event loop: the behaviour has it done in the pool."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


def _deserialiser(parse: Callable[[bytes], Any], max_items: int) -> Callable[[bytes], Any]:
    """The request's bytes checked (`check`), then parsed; never raises: a refused request becomes `Refused`."""
    descriptor = getattr(getattr(parse, "__self__", None), "DESCRIPTOR", None)  # Message.FromString's class

    def safe(data: bytes) -> Any:
        try:
            if isinstance(descriptor, Descriptor):
                check(data, descriptor, max_items)
        except Fail as f:
            return Refused(f)
        try:
            return parse(data)
        except Exception as e:  # noqa: BLE001 - what the parser still refuses is the caller's bytes, not a bug
            return Refused(invalid("request", f"not a valid protobuf message ({type(e).__name__})"))

    return safe


def _deferring(safe: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    """grpc.aio deserialises on the event loop, which reads and writes every call's messages: a message
    over LOOP_CHECK_BYTES is handed on as `_Deferred` and checked in the pool (`_ready`) instead."""

    def deserialise(data: bytes) -> Any:
        return _Deferred(data) if len(data) > LOOP_CHECK_BYTES else safe(data)

    return deserialise


async def _ready(request: Any, safe: Callable[[bytes], Any]) -> Any:
    return await to_thread(safe, request.data) if isinstance(request, _Deferred) else request


async def _checked(requests: AsyncIterator[Any], safe: Callable[[bytes], Any]) -> AsyncIterator[Any]:
    """A request stream whose refused messages raise their Fail, numbered by their place in the stream."""
    i = 0
    async for r in requests:
        if isinstance(r, _Deferred):  # (tested first: no coroutine per message of a one-passenger stream)
            r = await to_thread(safe, r.data)
        if isinstance(r, Refused):  # named by its place in the stream: requests[3].passenger.name
            f = r.fail
            fields = [(f"requests[{i}]" + ("" if field == "request" else f".{field}"), d) for field, d in f.violations]
            raise Fail(f.code, f"{fields[0][0]}: {fields[0][1]}" if fields else f"requests[{i}]: {f.message}", fields)
        yield r
        i += 1


class _GuardInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, max_items: int):
        self.max_items = max_items

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]], details: grpc.HandlerCallDetails
    ) -> Any:
        handler = await continuation(details)
        if handler is None or handler.request_deserializer is None:
            return handler
        streaming_in = bool(handler.request_streaming)
        method = details.method.rsplit("/", 1)[-1]
        safe = _deserialiser(handler.request_deserializer, self.max_items)

        def wrapper(behaviour: Callable[..., Any], response_streaming: bool) -> Callable[..., Any]:
            if streaming_in:  # a refused message ends the stream where it comes, through the servicer's handler
                if response_streaming:

                    async def stream_in_out(requests: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                        async for item in responses(behaviour, _checked(requests, safe), context):
                            yield item

                    return stream_in_out

                async def stream_in(requests: Any, context: grpc.aio.ServicerContext) -> Any:
                    return await behaviour(_checked(requests, safe), context)

                return stream_in

            async def refuse(request: Refused, context: grpc.aio.ServicerContext) -> None:
                log_refusal(method, request.fail)
                await context.abort_with_status(status_of(request.fail))

            if response_streaming:

                async def stream_out(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                    request = await _ready(request, safe)
                    if isinstance(request, Refused):
                        await refuse(request, context)
                    async for item in responses(behaviour, request, context):
                        yield item

                return stream_out

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                request = await _ready(request, safe)
                if isinstance(request, Refused):
                    await refuse(request, context)
                return await behaviour(request, context)

            return unary

        return wrap_rpc_handler(handler, wrapper, request_deserializer=_deferring(safe))


def guard_interceptor(max_items: int) -> grpc.aio.ServerInterceptor:
    """The request check above, for every method whose request type is a generated protobuf message."""
    return _GuardInterceptor(max_items)
