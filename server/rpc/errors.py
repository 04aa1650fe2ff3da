"""gRPC status for Interdict's servicers: one exception type, one wrapper per method.

Servicer code raises `Fail` (or lets engine.InputError, watchlists.ListFormatError, StoreError
through); `handler` turns each into its status: INVALID_ARGUMENT with google.rpc.BadRequest field
violations, NOT_FOUND, RESOURCE_EXHAUSTED, ... Anything else is a bug: INTERNAL, logged with its
type and traceback but never its message or the request (which may hold names and dates).
"""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

import engine
import watchlists
from watchlists.store import StoreError

from .threads import in_thread

log = logging.getLogger("server.rpc")


class Fail(Exception):
    """Ends a call with `code`; `violations` are (field, description) pairs for INVALID_ARGUMENT."""

    def __init__(self, code: grpc.StatusCode, message: str, violations: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.violations = list(violations)


def invalid(field: str, description: str) -> Fail:
    return Fail(grpc.StatusCode.INVALID_ARGUMENT, f"{field}: {description}", [(field, description)])


def invalid_many(violations: Sequence[tuple[str, str]]) -> Fail:
    first = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    return Fail(grpc.StatusCode.INVALID_ARGUMENT, f"{first[0]}: {first[1]}{more}", violations)


def from_input_error(e: engine.InputError, rename: Callable[[str], str] = lambda f: f) -> Fail:
    return invalid(rename(e.field) or "request", e.reason)


def from_store_error(e: StoreError, field: str = "list_id") -> Fail:
    """StoreError carries no code: its messages are stable enough to tell the cases apart."""
    text = str(e)
    if text.startswith("no list ") or " has no version " in text or " has no entry " in text:
        return Fail(grpc.StatusCode.NOT_FOUND, text)
    if text.startswith("list id "):
        return invalid(field, text)
    return Fail(grpc.StatusCode.FAILED_PRECONDITION, text)


_MAX_TEXT = 1000  # characters of a status message or violation: a quoted value must not blow the trailers


def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else f"{text[:_MAX_TEXT]}... ({len(text)} characters)"


def status_of(fail: Fail) -> grpc.Status:
    """The grpc.Status of `fail`: its code, message and BadRequest field violations (long texts cut)."""
    details: list[any_pb2.Any] = []
    if fail.violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=_short(f), description=_short(d))
                for f, d in fail.violations[:100]
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        details.append(packed)
    return rpc_status.to_status(status_pb2.Status(code=fail.code.value[0], message=_short(fail.message), details=details))


def _classify(e: BaseException, method: str) -> Fail:
    if isinstance(e, Fail):
        return e
    if isinstance(e, engine.InputError):
        return from_input_error(e)
    if isinstance(e, engine.ConfigError):
        return Fail(grpc.StatusCode.FAILED_PRECONDITION, str(e))
    if isinstance(e, watchlists.ListFormatError):
        return invalid("chunk", str(e))
    if isinstance(e, StoreError):
        return from_store_error(e)
    # A bug: the type and where, never the message (it may quote a name or a birth date).
    tb = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(e.__traceback__))
    log.error("internal error in %s: %s\n%s", method, type(e).__name__, tb)
    return Fail(grpc.StatusCode.INTERNAL, f"internal error ({type(e).__name__}); see the server log")


def log_refusal(method: str, fail: Fail) -> None:
    """One line per refused call: the code and the offending field paths, never the message (it may quote a value)."""
    if fail.code != grpc.StatusCode.INTERNAL:
        fields = ", ".join(f for f, _ in fail.violations[:5]) + (" ..." if len(fail.violations) > 5 else "")
        log.info("%s refused: %s%s", method, fail.code.name, f" ({fields})" if fields else "")


def handler(method: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorates a servicer method: maps exceptions to status codes. (Timings and codes are counted by
    server.metrics' interceptor.)

    A plain function is blocking code (the engine, the store): it runs in the server's thread pool
    (server/rpc/threads.py) and becomes a coroutine for the grpc.aio server. A coroutine function runs on
    the event loop as it is (a response stream that writes its messages with `context.write`)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):
            body = fn
        elif inspect.isfunction(fn) and not (inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn)):

            async def body(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
                return await in_thread(functools.partial(fn, self), request, context)
        else:
            raise TypeError(f"{method}: a servicer method is a plain function (run in the pool) or a coroutine function")

        @functools.wraps(fn)
        async def call(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
            fail: Fail | None = None
            try:
                response = await body(self, request, context)
            except Exception as e:  # noqa: BLE001 - mapped to a status below
                fail = _classify(e, method)
            if fail is not None:
                log_refusal(method, fail)
                await context.abort_with_status(status_of(fail))
            return response

        return call

    return decorate
