"""Helpers shared by the gRPC interceptors (server.auth, server.metrics, server.rpc.wire): no grpc servicer code here.

The interceptors are grpc.aio interceptors: the behaviours they wrap are coroutine functions (as
server.rpc.errors.handler makes every servicer method; a streamed response is written with `context.write`)
or async generator functions (a streamed response yielded, as grpc's reflection servicer does).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any, Awaitable, Callable

import grpc

# wrapper(behaviour, response_streaming) -> behaviour with the same signature (async, as the behaviour)
Wrapper = Callable[[Callable[..., Any], bool], Callable[..., Any]]

_FACTORIES = {
    (False, False): ("unary_unary", grpc.unary_unary_rpc_method_handler),
    (False, True): ("unary_stream", grpc.unary_stream_rpc_method_handler),
    (True, False): ("stream_unary", grpc.stream_unary_rpc_method_handler),
    (True, True): ("stream_stream", grpc.stream_stream_rpc_method_handler),
}


def wrap_rpc_handler(
    handler: grpc.RpcMethodHandler, wrapper: Wrapper, request_deserializer: Callable[[bytes], Any] | None = None
) -> grpc.RpcMethodHandler:
    """The same handler (same streaming shape, same (de)serialisers unless `request_deserializer` replaces
    the request's) with its behaviour wrapped."""
    attr, factory = _FACTORIES[(bool(handler.request_streaming), bool(handler.response_streaming))]
    behaviour = getattr(handler, attr)
    return factory(
        wrapper(behaviour, bool(handler.response_streaming)),
        request_deserializer=request_deserializer or handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


def responses(behaviour: Callable[..., Any], request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
    """What a response-streaming behaviour yields: an async generator's items. A coroutine behaviour (one that
    writes its messages with `context.write`, as ScreenPassengerStream and grpc's health servicer do, or
    that only aborts) yields none."""
    if inspect.iscoroutinefunction(behaviour):
        return _awaited(behaviour(request, context))
    return behaviour(request, context)


async def _awaited(call: Awaitable[Any]) -> AsyncIterator[Any]:
    await call
    return
    yield  # an async generator that yields nothing


def abort_handler(
    handler: grpc.RpcMethodHandler | None, code: grpc.StatusCode, details: str
) -> grpc.RpcMethodHandler:
    """A handler of the same shape as `handler` (unary-unary when there is none) that only aborts.

    The request is never deserialised: the deserialisers are dropped so a rejected caller's payload is not parsed.
    """

    async def abort(request_or_iterator: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(code, details)

    shape = (bool(handler.request_streaming), bool(handler.response_streaming)) if handler else (False, False)
    return _FACTORIES[shape][1](abort)


def status_name(context: grpc.ServicerContext, default: grpc.StatusCode) -> str:
    """The status code the servicer set on `context` (by set_code or abort), else `default`, as e.g. 'OK'."""
    try:
        code = context.code()
    except Exception:  # noqa: BLE001 - older grpcio without ServicerContext.code()
        code = None
    if code is None:
        code = default
    if isinstance(code, grpc.StatusCode):
        return code.name
    try:  # an int set by hand
        return next(c.name for c in grpc.StatusCode if c.value[0] == int(code))
    except (StopIteration, TypeError, ValueError):
        return str(code)
