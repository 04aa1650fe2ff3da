"""Two builds of the native module, A and B, compared on the name search alone, in one process.

On a shared 2-vCPU machine whole-benchmark runs of one build swing by 30% within an hour, so a change of a few
per cent cannot be seen by running the benchmark twice. Here both builds' `_native` modules are loaded into one
process, each builds the index of the screening benchmark's list (benchmarks/test_bench_screening.py), and the
search calls `Screener.screen` makes for the benchmark's queries (captured once: the same names, floors,
birth-date candidates and far-year floors) are replayed on both, alternating piece by piece, the order flipped
each time, so that the machine's drift falls on both alike. It prints the median of B's time over A's per piece,
its quartiles, and the ratio of the totals; it checks that both builds give the same results (unless told they
may not, as when B changes the search's settings or scores).

    python benchmarks/ab_native.py A/engine/_native.abi3.so B/engine/_native.abi3.so [--names 1000000]

Copy a build's .so aside (engine/_native.abi3.so) before building the other. Session 35 measured with it: a
name's rows by offsets 0.944 (230 pairs), max_candidates 75 and 50 against 100 (`--b-max-candidates`) 0.899 and
0.778.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine  # noqa: E402
from engine.scoring import FAR_BIRTH_YEARS  # noqa: E402
from test_bench_screening import make_data  # noqa: E402


def load_native(path: str) -> ModuleType:
    """A build's native module, loaded from its own file (two builds live side by side in one process)."""
    spec = importlib.util.spec_from_file_location("_native", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a loadable extension module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def captured_searches(wl: engine.Watchlist, queries: list[dict], batch: int) -> list[tuple[list[str], dict]]:
    """The (names, keyword arguments) of every search `Screener.screen` starts for `queries`."""
    real = wl.name_index
    calls: list[tuple[list[str], dict]] = []

    class Recorder:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def search_ahead(self, names, **kw):
            calls.append((list(names), kw))
            return real.search_ahead(names, **kw)

    wl._name_index = Recorder()
    try:
        screener = engine.Screener(wl)
        for lo in range(0, len(queries), batch):
            screener.screen(queries[lo:lo + batch], limit=10)
    finally:
        wl._name_index = real
    return calls


def pieces_of(calls: list[tuple[list[str], dict]], size: int) -> list[tuple[list[str], dict]]:
    """The calls cut into pieces of at most `size` queries (per-query arguments cut alike)."""
    out = []
    for names, kw in calls:
        for lo in range(0, len(names), size):
            part = dict(kw)
            for key in ("min_score", "extra_names", "far_floors"):
                if isinstance(part.get(key), list):
                    part[key] = part[key][lo:lo + size]
            out.append((names[lo:lo + size], part))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", help="build A's _native .so")
    ap.add_argument("b", help="build B's _native .so")
    ap.add_argument("--names", type=int, default=1_000_000, help="list names (default 1,000,000)")
    ap.add_argument("--queries", type=int, default=20_000, help="queries screened to capture the searches")
    ap.add_argument("--piece", type=int, default=1_000, help="queries per timed piece")
    ap.add_argument("--rounds", type=int, default=5, help="passes over all pieces")
    ap.add_argument("--b-max-candidates", type=int, help="B searches with this candidate budget (A as captured)")
    args = ap.parse_args()

    builds = [load_native(args.a), load_native(args.b)]
    records, _, _, queries, _ = make_data(args.names, args.queries)
    wl = engine.Watchlist.from_records(records, list_id="bench")
    calls = captured_searches(wl, queries, 10_000)
    names = [n.name for n in wl.indexed_names]
    owners = [n.owner for n in wl.indexed_names]
    offsets, years = [0], []
    for e in wl.owners:
        years.extend(d.year for d in e.birth_dates)
        offsets.append(len(years))
    indexes = []
    for native in builds:
        t = time.perf_counter()
        indexes.append((native.NameIndex(names, owners), native.BirthYears(offsets, years, FAR_BIRTH_YEARS)))
        print(f"built in {time.perf_counter() - t:.1f} s", flush=True)
    pieces = pieces_of(calls, args.piece)

    def run(k: int, p: int) -> tuple[float, Any]:
        index, birth_years = indexes[k]
        names, kw = pieces[p]
        kw = dict(kw, birth_years=birth_years)
        if k == 1 and args.b_max_candidates:
            kw["max_candidates"] = args.b_max_candidates
        t = time.perf_counter()
        out = index.search(names, **kw)
        return time.perf_counter() - t, out

    ratios, totals, differ = [], [0.0, 0.0], 0
    for r in range(args.rounds):
        for p in range(len(pieces)):
            timed = {}
            for k in ((0, 1) if (r + p) % 2 == 0 else (1, 0)):
                timed[k] = run(k, p)
            differ += timed[0][1] != timed[1][1]
            ratios.append(timed[1][0] / timed[0][0])
            totals[0] += timed[0][0]
            totals[1] += timed[1][0]
    q = statistics.quantiles(ratios, n=4)
    searched = args.rounds * sum(len(n) for n, _ in pieces)
    print(f"{len(ratios)} pairs: B/A median {q[1]:.3f} (quartiles {q[0]:.3f} {q[2]:.3f}), totals {totals[1] / totals[0]:.3f}; "
          f"A {totals[0] / searched * 1e6:.1f} us per query (wall, all search threads)")
    if differ and not args.b_max_candidates:
        print(f"results differ in {differ} pieces")


if __name__ == "__main__":
    main()
