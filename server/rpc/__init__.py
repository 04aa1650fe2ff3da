"""Interdict's gRPC server (package `interdict.v1`, proto/interdict/v1/): ScreeningService and
WatchlistService over one ServerState (live Screener + list store), with health and reflection.

    from server.rpc import ServerState, start
    running = start(ServerState.create(store_dir=None), port=0)

Modules: state (snapshot, atomic list swaps, limits), screening and lists (servicers), errors (status
mapping: INVALID_ARGUMENT + google.rpc.BadRequest, NOT_FOUND, ...), convert (messages <-> engine),
app (server assembly, optional auth/TLS/audit/metrics hooks). `interdict serve` runs it.
"""

from .app import (
    HookMissing,
    RunningServer,
    Security,
    attach_audit,
    attach_metrics,
    start,
    usage_hint,
)
from .state import Limits, ServerState

__all__ = ["HookMissing", "Limits", "RunningServer", "Security", "ServerState", "attach_audit", "attach_metrics", "start", "usage_hint"]
