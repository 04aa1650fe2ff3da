"""Builds and runs the gRPC server: servicers, health, reflection, limits, optional auth/TLS
(server/auth.py), audit log (server/audit.py) and Prometheus metrics (server/metrics.py).

    state = ServerState.create(store_dir=None)          # the embedded UN list
    running = start(state, port=0)                      # running.port: the bound port
    running.stop(grace=5)                               # health NOT_SERVING, drain in-flight calls
"""

from __future__ import annotations

import logging
import os
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
    interceptors: list[grpc.ServerInterceptor] = field(default_factory=list)

    def credentials(self) -> grpc.ServerCredentials | None:
        if not (self.tls_cert or self.tls_key or self.tls_client_ca):
            return None
        if not (self.tls_cert and self.tls_key):
            raise HookMissing("TLS needs both --tls-cert and --tls-key")
        return auth.server_credentials(self.tls_cert, self.tls_key, self.tls_client_ca)

    def all_interceptors(self) -> list[grpc.ServerInterceptor]:
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
    def __init__(self, server: grpc.Server, port: int, health_servicer: health.HealthServicer, state: ServerState):
        self.server, self.port, self.health, self.state = server, port, health_servicer, state

    def stop(self, grace: float | None = 5.0) -> None:
        """Health turns NOT_SERVING, new calls are refused, calls in flight get `grace` seconds to finish."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()

    def wait(self, timeout: float | None = None) -> bool:
        return self.server.wait_for_termination(timeout)


def _metrics_first(state: ServerState) -> list[grpc.ServerInterceptor]:
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
    security = security or Security()
    workers = max_workers or min(32, 4 * (os.cpu_count() or 1) + 4)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="interdict-rpc"),
        # the request check is innermost: auth refuses a caller before any byte of the request is read
        interceptors=_metrics_first(state) + security.all_interceptors() + [guard_interceptor(state.limits.max_request_items)],
        options=server_options(state),
    )
    screening_pb2_grpc.add_ScreeningServiceServicer_to_server(ScreeningServicer(state), server)
    watchlist_pb2_grpc.add_WatchlistServiceServicer_to_server(WatchlistServicer(state), server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        SERVICE_NAMES + (health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server
    )
    address = f"{host}:{port}"
    credentials = security.credentials()
    bound = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    if not bound:
        raise OSError(f"cannot listen on {address}")
    server.start()
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, bound, health_servicer, state)


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
