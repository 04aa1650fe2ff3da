"""Prometheus metrics for the gRPC server, served on their own port (default loopback only).

    interdict_requests_total{method,code}          RPCs finished, by gRPC status code
    interdict_request_seconds{method}              RPC latency (histogram, 1 ms .. 10 s)
    interdict_requests_in_progress{method}         RPCs being handled
    interdict_hits_total{list_id,band}             hits returned, by list and band
    interdict_list_version_info{list_id,version}   1 for each list's active version

`metrics_interceptor(metrics)` times every RPC with its status code; put it first in the server's interceptor list so
that RPCs rejected by the auth interceptor are counted too (as UNAUTHENTICATED / PERMISSION_DENIED).
Labels never carry request data: method names come from registered handlers only (unknown methods are not counted).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Awaitable, Callable

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest, start_http_server

from ._rpc import responses, status_name, wrap_rpc_handler

log = logging.getLogger("server.metrics")

LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "interdict_requests", "gRPC requests finished, by method and status code", ["method", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "interdict_request_seconds", "gRPC request latency in seconds", ["method"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.in_progress = Gauge(
            "interdict_requests_in_progress", "gRPC requests being handled", ["method"], registry=self.registry
        )
        self.hit_counter = Counter(
            "interdict_hits", "Watchlist hits returned, by list and band", ["list_id", "band"],
            registry=self.registry,
        )
        self.version_info = Gauge(
            "interdict_list_version_info", "Active version of each list (value 1)", ["list_id", "version"],
            registry=self.registry,
        )
        self._versions: dict[str, str] = {}
        self._lock = threading.Lock()
        self._http: Any = None

    # -- recording ---------------------------------------------------------------------------------------------
    def observe(self, method: str, code: str, seconds: float) -> None:
        self.requests.labels(method=method, code=code).inc()
        self.latency.labels(method=method).observe(seconds)

    def hits(self, list_id: str, band: str, n: int = 1) -> None:
        if n > 0:
            self.hit_counter.labels(list_id=list_id, band=band).inc(n)

    def count_hits(self, hits: Iterable[Iterable[Mapping[str, Any]]]) -> None:
        """Count hits given as the audit log takes them: one list of hit dicts (list_id, band) per query."""
        counts: dict[tuple[str, str], int] = {}
        for per_query in hits:
            for h in per_query:
                key = (str(h.get("list_id", "")), str(h.get("band", "")))
                counts[key] = counts.get(key, 0) + 1
        for (list_id, band), n in counts.items():
            self.hits(list_id, band, n)

    def set_versions(self, versions: Mapping[str, str]) -> None:
        """Make `versions` (list_id -> active version) the exported set; labels of replaced versions are removed."""
        with self._lock:
            new = {str(k): str(v) for k, v in versions.items()}
            for list_id, version in self._versions.items():
                if new.get(list_id) != version:
                    try:
                        self.version_info.remove(list_id, version)
                    except KeyError:
                        pass
            for list_id, version in new.items():
                self.version_info.labels(list_id=list_id, version=version).set(1)
            self._versions = new

    # -- exposition --------------------------------------------------------------------------------------------
    def start_http(self, port: int, host: str = "127.0.0.1") -> int:
        """Serve /metrics on host:port (0: any free port) in a daemon thread; returns the bound port."""
        if self._http is not None:
            raise RuntimeError("metrics HTTP server already started")
        server, thread = start_http_server(port, addr=host, registry=self.registry)
        self._http = (server, thread)
        bound = server.server_address[1]
        log.info("metrics on http://%s:%d/metrics", host, bound)
        return bound

    def stop_http(self) -> None:
        if self._http is not None:
            server, thread = self._http
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            self._http = None

    def exposition(self) -> bytes:
        """The text exposition format, as served on /metrics."""
        return generate_latest(self.registry)


class _MetricsInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        m = self.metrics

        def finish(context: grpc.ServicerContext, start: float, default: grpc.StatusCode) -> None:
            m.in_progress.labels(method=method).dec()
            code = status_name(context, default)
            seconds = time.perf_counter() - start
            m.observe(method, code, seconds)
            log.debug("%s %s %.1f ms", method, code, seconds * 1000)

        def wrapper(behaviour: Callable[..., Any], response_streaming: bool) -> Callable[..., Any]:
            if response_streaming:

                async def stream(request: Any, context: grpc.aio.ServicerContext) -> Any:
                    start = time.perf_counter()
                    m.in_progress.labels(method=method).inc()
                    default = grpc.StatusCode.UNKNOWN
                    try:
                        async for item in responses(behaviour, request, context):
                            yield item
                        default = grpc.StatusCode.OK
                    except (GeneratorExit, asyncio.CancelledError):  # the client went away mid-stream
                        default = grpc.StatusCode.CANCELLED
                        raise
                    finally:
                        finish(context, start, default)

                return stream

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                start = time.perf_counter()
                m.in_progress.labels(method=method).inc()
                default = grpc.StatusCode.UNKNOWN
                try:
                    response = await behaviour(request, context)
                    default = grpc.StatusCode.OK
                    return response
                except asyncio.CancelledError:
                    default = grpc.StatusCode.CANCELLED
                    raise
                finally:
                    finish(context, start, default)

            return unary

        return wrap_rpc_handler(handler, wrapper)


def metrics_interceptor(metrics: Metrics) -> grpc.aio.ServerInterceptor:
    return _MetricsInterceptor(metrics)
