"""Builds and runs the gRPC server: servicers, health, reflection, limits, optional auth/TLS
(server/auth.py), audit log (server/audit.py) and Prometheus metrics (server/metrics.py).

    state = ServerState.create(store_dir=None)          # the embedded UN list
    running = start(state, port=0)                      # running.port: the bound port
    running.stop(grace=5)                               # health NOT_SERVING, drain in-flight calls
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from server import audit, auth, metrics
from server.proto_gen.interdict.v1 import (
    screening_pb2,
    screening_pb2_grpc,
    watchlist_pb2,
    watchlist_pb2_grpc,
)

from .lists import WatchlistServicer
from .screening import ScreeningServicer
from .state import ServerState
from .wire import guard_interceptor

log = logging.getLogger("server.rpc")

SERVICE_NAMES = (
    screening_pb2.DESCRIPTOR.services_by_name["ScreeningService"].full_name,
    watchlist_pb2.DESCRIPTOR.services_by_name["WatchlistService"].full_name,
)


class HookMissing(RuntimeError):
    """The server's options do not fit together (e.g. --tls-key without --tls-cert)."""


@dataclass
class Security:
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    auth_file: str | None = None
    interceptors: list[grpc.aio.ServerInterceptor] = field(default_factory=list)

    def credentials(self) -> grpc.ServerCredentials | None:
        if not (self.tls_cert or self.tls_key or self.tls_client_ca):
            return None
        if not (self.tls_cert and self.tls_key):
            raise HookMissing("TLS needs both --tls-cert and --tls-key")
        return auth.server_credentials(self.tls_cert, self.tls_key, self.tls_client_ca)

    def all_interceptors(self) -> list[grpc.aio.ServerInterceptor]:
        out = list(self.interceptors)
        if self.auth_file:
            out.insert(0, auth.auth_interceptor(auth.AuthConfig.load(self.auth_file)))
        return out


def attach_audit(state: ServerState, path: str | None, retention_days: float | None = None, depersonalise: bool = False) -> None:
    if path:
        state.audit = audit.AuditLog(path, retention_days=retention_days, depersonalise=depersonalise)
        state.audit.start_retention()  # applies the retention now and hourly (nothing when no retention is set)


def attach_metrics(state: ServerState, port: int | None, host: str = "127.0.0.1") -> None:
    if port is not None:
        state.metrics = metrics.Metrics()
        state.metrics.start_http(port, host)
        state.publish_versions()


class RunningServer:
    """A grpc.aio server running on its own event loop thread; its blocking work goes to `pool`."""

    def __init__(self, server: grpc.aio.Server, port: int, health_servicer: health.aio.HealthServicer, state: ServerState,
                 loop: asyncio.AbstractEventLoop, loop_thread: threading.Thread, pool: futures.ThreadPoolExecutor):
        self.server, self.port, self.health, self.state = server, port, health_servicer, state
        self.loop, self._loop_thread, self._pool = loop, loop_thread, pool

    def _run(self, coroutine: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self, grace: float | None = 5.0) -> None:
        """Health turns NOT_SERVING, new calls are refused, calls in flight get `grace` seconds to finish."""
        if not self.loop.is_running():
            return
        self._run(self.health.enter_graceful_shutdown())
        self._run(self.server.stop(grace))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._loop_thread.join()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Waits for the server to stop; as grpc's wait_for_termination, True if `timeout` passed first."""
        if not self.loop.is_running():
            return False
        return bool(self._run(self.server.wait_for_termination(timeout)))


def _metrics_first(state: ServerState) -> list[grpc.aio.ServerInterceptor]:
    """server.metrics times every call, rejected ones included: its interceptor goes first."""
    if state.metrics is None:
        return []
    return [metrics.metrics_interceptor(state.metrics)]


def server_options(state: ServerState) -> list[tuple[str, Any]]:
    most = state.limits.max_message_bytes
    return [
        ("grpc.max_receive_message_length", most),
        ("grpc.max_send_message_length", most),
        ("grpc.so_reuseport", 0),  # a second server on the same port fails instead of starting silently
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ]


def start(
    state: ServerState,
    host: str = "127.0.0.1",
    port: int = 50051,
    max_workers: int | None = None,
    security: Security | None = None,
) -> RunningServer:
    """Starts the server on a new event loop thread and returns once it listens.

    Messages are read and written on the loop (grpc.aio: no thread hand-off per message, which is what a
    one-passenger-per-message stream is made of); the servicers' blocking work (the engine, the store)
    runs in a pool of `max_workers` threads, the loop's default executor (server/rpc/threads.py)."""
    security = security or Security()
    credentials = security.credentials()  # a bad TLS option fails before anything starts
    interceptors = _metrics_first(state) + security.all_interceptors() + [guard_interceptor(state.limits.max_request_items)]
    workers = max_workers or min(32, 4 * (os.cpu_count() or 1) + 4)
    pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="interdict-rpc")
    loop = asyncio.new_event_loop()
    loop.set_default_executor(pool)
    loop_thread = threading.Thread(target=loop.run_forever, name="interdict-grpc-loop", daemon=True)
    loop_thread.start()

    async def serve() -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
        # the request check is innermost: auth refuses a caller before any byte of the request is read
        server = grpc.aio.server(interceptors=interceptors, options=server_options(state))
        screening_pb2_grpc.add_ScreeningServiceServicer_to_server(ScreeningServicer(state), server)
        watchlist_pb2_grpc.add_WatchlistServiceServicer_to_server(WatchlistServicer(state), server)
        health_servicer = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        reflection.enable_server_reflection(
            SERVICE_NAMES + (health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
        )
        address = f"{host}:{port}"
        try:
            bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
        except RuntimeError:  # grpc.aio raises where the threaded server returned 0
            bound = 0
        if not bound:
            raise OSError(f"cannot listen on {address}")
        await server.start()
        for name in ("", *SERVICE_NAMES):
            await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
        return server, bound, health_servicer

    try:
        server, bound, health_servicer = asyncio.run_coroutine_threadsafe(serve(), loop).result()
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        loop_thread.join()
        pool.shutdown(wait=False)
        raise
    return RunningServer(server, bound, health_servicer, state, loop, loop_thread, pool)


def usage_hint(host: str, port: int, tls: bool, versions: dict[str, str]) -> Sequence[str]:
    target = f"{host}:{port}"
    plain = "" if tls else "-plaintext "
    lists = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
    return (
        f"interdict gRPC server on {target} ({'TLS' if tls else 'plaintext'}), lists: {lists}",
        "Try it:",
        f"  grpcurl {plain}-d '{{\"passengers\": [{{\"id\": \"1\", \"surname\": \"BADEGE\", \"given_names\": \"ERIC\", "
        f"\"birth_date\": \"1971\"}}]}}' {target} interdict.v1.ScreeningService/ScreenPassengers",
        "  python -c \"import grpc; from server.proto_gen.interdict.v1 import common_pb2 as c, screening_pb2 as s, "
        "screening_pb2_grpc as g; "
        f"stub = g.ScreeningServiceStub(grpc.insecure_channel('{target}')); "
        "print(stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(name='Eric Badege', "
        "birth_date='1971')])))\"",
        "Stop with Ctrl-C or SIGTERM (calls in flight are drained).",
    )
