"""Servicer code that blocks (the engine, the store) runs in the server's thread pool, not on its event loop.

The server is a grpc.aio server (server/rpc/app.py): reading and writing messages happens on one event loop
thread, without the per-message thread hand-offs of grpcio's threaded server. A method body written as plain
blocking code runs through `in_thread`: in the loop's default executor (the `--max-workers` pool), in a copy
of the call's contextvars (the authenticated caller goes with it), and sees a `ThreadContext` instead of the
loop's context, whose methods are coroutines. A client-streamed request reaches it as a plain iterator.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import grpc

T = TypeVar("T")


class ThreadContext:
    """What a blocking body may ask of its call: the deadline, whether the call is still wanted, the peer."""

    def __init__(self, context: grpc.aio.ServicerContext):
        self._context = context
        # Read now, on the loop: once the call has ended grpc releases it, and asking the context for its
        # peer then (from a batch still finishing in the pool) would read a freed call.
        self._peer = context.peer()
        self.cancelled = False  # set by in_thread when the call's task is cancelled (client gone, deadline)

    def time_remaining(self) -> float | None:
        return self._context.time_remaining()

    def is_active(self) -> bool:
        return not (self.cancelled or self._context.done())

    def peer(self) -> str:
        return self._peer


def blocking_iterator(requests: AsyncIterator[T], loop: asyncio.AbstractEventLoop) -> Iterator[T]:
    """A client-streamed request, read message by message from a pool thread (each read runs on the loop)."""
    source = requests.__aiter__()
    while True:
        try:
            yield asyncio.run_coroutine_threadsafe(source.__anext__(), loop).result()
        except StopAsyncIteration:
            return


async def in_thread(fn: Callable[..., T], request: Any, context: grpc.aio.ServicerContext) -> T:
    """`fn(request, ThreadContext)` in the pool. If the call is cancelled meanwhile, the body is told
    (ThreadContext.is_active() turns False; it checks between batches) and the cancellation goes on."""
    loop = asyncio.get_running_loop()
    if hasattr(request, "__aiter__"):
        request = blocking_iterator(request, loop)
    thread_context = ThreadContext(context)
    job = _in_pool(loop, fn, request, thread_context)
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        thread_context.cancelled = True
        raise


async def to_thread(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the pool, in a copy of this call's contextvars."""
    return await _in_pool(asyncio.get_running_loop(), fn, *args)


def _in_pool(loop: asyncio.AbstractEventLoop, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    return loop.run_in_executor(None, functools.partial(contextvars.copy_context().run, fn, *args))
