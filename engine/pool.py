"""The threads that name searches run on (native/src/pool.rs), sized apart from those that build
indexes and look up documents.

A library caller keeps the default, one per core. A server sets one fewer (server.cli
`--search-threads`): its Python part (the event loop, the evidence weighed for each candidate, the
response messages) runs under the GIL, and a search thread on every core takes the core it needs.
"""

from __future__ import annotations

import os

from . import _native


def search_threads() -> int:
    """Threads in the search pool."""
    return _native.search_threads()


def set_search_threads(threads: int) -> None:
    """Sets the threads of the search pool (0: one per core). Searches under way finish first."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
        raise ValueError(f"search threads: expected a whole number of 0 or more, got {threads!r}")
    _native.set_search_threads(threads)


def server_search_threads() -> int:
    """What a server uses by default: one thread per core it may run on, less one for Python."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every platform)
        cores = os.cpu_count() or 1
    return max(1, cores - 1)
