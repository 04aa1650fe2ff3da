"""A grpc.aio server on its own event loop thread, for tests that call it with blocking clients (as
server/rpc/app.py runs Interdict's): stand-in handlers are coroutines or async generators."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import grpc


class LoopServer:
    def __init__(self, handlers: Sequence[grpc.GenericRpcHandler], interceptors: Sequence[Any] = (),
                 creds: grpc.ServerCredentials | None = None, options: Sequence[tuple[str, Any]] = ()):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

        async def start() -> tuple[grpc.aio.Server, int]:
            server = grpc.aio.server(interceptors=list(interceptors), options=[("grpc.so_reuseport", 0), *options])
            server.add_generic_rpc_handlers(list(handlers))
            port = server.add_secure_port("127.0.0.1:0", creds) if creds else server.add_insecure_port("127.0.0.1:0")
            await server.start()
            return server, port

        self.server, self.port = self._run(start())

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def stop(self, grace: float | None = None) -> None:
        self._run(self.server.stop(grace))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
