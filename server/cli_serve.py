"""`interdict serve`: the gRPC server (server/rpc/), until SIGTERM or SIGINT.

    interdict serve [--host 127.0.0.1] [--port 50051] [--store DIR] [--config interdict.toml]
                    [--max-workers N] [--search-threads N] [--max-message-mb M] [--max-passengers N] [--max-import-mb M]
                    [--tls-cert F --tls-key F [--tls-client-ca F]] [--auth FILE]
                    [--audit PATH [--audit-retention-days D] [--audit-depersonalise]]
                    [--metrics-port P [--metrics-host H]] [--grace S]

Without --store it serves the embedded UN list (read-only); with one, every list of the store at its
active version (the embedded list too while the store is empty). SIGHUP re-reads --config.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

log = logging.getLogger("server.serve")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the gRPC server (ScreeningService, WatchlistService)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=50051, help="port (default 50051; 0 picks a free one)")
    p.add_argument("--store", help="list store directory (default: the embedded UN list, read-only)")
    p.add_argument("--config", help="TOML configuration (thresholds, weights); SIGHUP reloads it")
    p.add_argument("--max-workers", type=int, default=None, help="threads for the calls' blocking work: screening, the store (default 4 x cores + 4, at most 32)")
    p.add_argument(
        "--search-threads", type=_threads, default=None,
        help="threads for the native name searches (default: cores - 1, at least 1; 0: one per core). One core is left "
        "to the server's Python part, which runs under the GIL and is what throughput waits on",
    )
    p.add_argument("--max-message-mb", type=float, default=16, help="largest message received or sent (default 16 MiB)")
    p.add_argument("--max-passengers", type=int, default=10_000, help="passengers per ScreenPassengers call (default 10000)")
    p.add_argument("--max-import-mb", type=float, default=1024, help="largest ImportList upload (default 1024 MiB)")
    p.add_argument("--grace", type=float, default=10.0, help="seconds given to calls in flight at shutdown (default 10)")
    p.add_argument("--tls-cert", help="server certificate (PEM)")
    p.add_argument("--tls-key", help="server private key (PEM)")
    p.add_argument("--tls-client-ca", help="CA of client certificates: mutual TLS")
    p.add_argument("--auth", help="token file (TOML): bearer tokens and roles")
    p.add_argument("--audit", help="audit log (SQLite file or directory)")
    p.add_argument("--audit-retention-days", type=float, default=None)
    p.add_argument("--audit-depersonalise", action="store_true", help="keep personal data only as keyed hashes")
    p.add_argument("--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port")
    p.add_argument("--metrics-host", default="127.0.0.1")
    p.set_defaults(func=cmd_serve)


def _threads(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return n


def cmd_serve(args: argparse.Namespace) -> int:
    from server.rpc import (
        HookMissing,
        Limits,
        Security,
        ServerState,
        attach_audit,
        attach_metrics,
        start,
        usage_hint,
    )

    from server import logsafe

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logsafe.install()  # no names, birth dates or document numbers in the server's log records
    import engine.pool

    engine.pool.set_search_threads(engine.pool.server_search_threads() if args.search_threads is None else args.search_threads)
    log.info("search threads: %d", engine.pool.search_threads())
    limits = Limits(
        max_message_bytes=int(args.max_message_mb * 1024 * 1024),
        max_passengers=args.max_passengers,
        max_import_bytes=int(args.max_import_mb * 1024 * 1024),
    )
    try:
        state = ServerState.create(args.store, config=args.config, limits=limits)
        attach_audit(state, args.audit, args.audit_retention_days, args.audit_depersonalise)
        attach_metrics(state, args.metrics_port, args.metrics_host)
        security = Security(args.tls_cert, args.tls_key, args.tls_client_ca, args.auth)
        running = start(state, args.host, args.port, args.max_workers, security)
    except HookMissing as e:
        print(f"interdict: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        received.append(signum)
        stop.set()

    def on_hup(signum: int, frame: Any) -> None:
        try:
            state.screener.reload_config()
            log.info("configuration reloaded")
        except Exception as e:  # noqa: BLE001 - a bad file leaves the old configuration
            log.error("configuration not reloaded: %s", e)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hup)
    for line in usage_hint(args.host, running.port, bool(args.tls_cert), dict(state.screener.versions)):
        print(line, flush=True)
    while not stop.wait(1.0):
        pass
    name = signal.Signals(received[0]).name if received else "signal"
    print(f"{name}: draining calls in flight (up to {args.grace:g} s) ...", file=sys.stderr, flush=True)
    running.stop(args.grace)
    if state.audit is not None:
        state.audit.close()
    print("stopped", file=sys.stderr, flush=True)
    return 0
