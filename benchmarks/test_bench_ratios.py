"""Native primitives against their references, timed interleaved: the same-run ratios that CI gates on
(benchmarks/track.py).

test_bench_primitives.py times each implementation on its own, one after another; on a shared machine the
load changes in between, and its ratios moved by up to 1.45x between runs (3x where one side used one core
and the other both). Here every round times the native side and the reference back to back, in
alternating order, on the same data and with the same parallelism:

- scalar: a Python loop of single calls over the same pairs (one core on both sides; the loop's own
  overhead is the same on both);
- batch:  the native batch call against `rapidfuzz.process.cpdist(workers=-1)` (all cores on both);
- cdist:  native `cdist` against `rapidfuzz.process.cdist(workers=-1)`;
- screening: `Screener.screen` on a batch of queries against rapidfuzz WRatio brute force
  (`process.cdist(workers=-1)` over every list name) on a few of them, per query (needs the FEBRL tables
  of ../shared/data, as test_bench_screening.py).

extra_info["ratio"] is the median over the rounds of reference time / native time (above 1: native is
faster), with its range; extra_info["native_best_s"] the native side's best round.

    python -m pytest benchmarks/test_bench_ratios.py -q --benchmark-only --benchmark-json=ratios.json
"""

from __future__ import annotations

import math
import statistics
import sys
import time

import pytest
from rapidfuzz import fuzz, process, utils

from engine import _native as nat
from test_bench_primitives import PHONETIC, SIMILARITY, assert_same, python_fold

np = pytest.importorskip("numpy")

ROUNDS = 25
TARGET_S = 0.02    # seconds per side and round
N_SCALAR = 4_000      # pairs (or names) per scalar loop
N_BATCH = 50_000      # pairs per batch call
CDIST = {"jaro_winkler": (100, 1_000), "token_set_ratio": (50, 1_000)}
N_DISABLED = 300      # with --benchmark-disable: one round on a slice, a correctness check
SCREEN_NAMES, SCREEN_QUERIES, BRUTE_QUERIES = 20_000, 500, 4
SCREEN_ROUNDS = 31    # its per-round ratios spread more (two multi-threaded sides of ~40 and ~100 ms)


_clock = time.perf_counter


def _seconds(fn, repeat: int = 1) -> float:
    """Seconds per call of fn, over `repeat` calls."""
    t = _clock()
    for _ in range(repeat):
        fn()
    return (_clock() - t) / repeat


def interleaved(native, reference, rounds: int, target_s: float = TARGET_S) -> dict[str, float]:
    """Times native and reference back to back, `rounds` times, alternating which goes first. Each side
    repeats its call for about target_s per round (a short segment is at the mercy of one preemption)."""
    reps = [max(1, math.ceil(target_s / max(_seconds(f), 1e-7))) if rounds > 1 else 1 for f in (native, reference)]
    per_round: list[tuple[float, float]] = []
    for r in range(rounds):
        if r % 2 == 0:
            tn, tr = _seconds(native, reps[0]), _seconds(reference, reps[1])
        else:
            tr, tn = _seconds(reference, reps[1]), _seconds(native, reps[0])
        per_round.append((tn, tr))
    ratios = [tr / tn for tn, tr in per_round]
    best_n, best_r = min(tn for tn, _ in per_round), min(tr for _, tr in per_round)
    return {"ratio": best_r / best_n, "ratio_median": statistics.median(ratios), "ratio_low": min(ratios),
            "ratio_high": max(ratios), "native_best_s": best_n, "reference_best_s": best_r, "rounds": rounds,
            "repeats": reps}


def _measure(benchmark, group: str, pairs: int, native, reference, rounds: int = ROUNDS) -> None:
    result: dict = {}
    rounds = 1 if benchmark.disabled else rounds
    benchmark.group = group
    benchmark.pedantic(lambda: result.update(interleaved(native, reference, rounds)), rounds=1, iterations=1)
    benchmark.extra_info.update(result, pairs=pairs)


def _scalar_params() -> list:
    out = []
    for prim, (_, _, rf, jf) in SIMILARITY.items():
        out += [pytest.param(prim, "rapidfuzz", id=f"{prim}-rapidfuzz")]
        out += [pytest.param(prim, "jellyfish", id=f"{prim}-jellyfish")] if jf else []
    out += [pytest.param(p, "jellyfish", id=f"{p}-jellyfish") for p, (_, jf) in PHONETIC.items() if jf]
    out += [pytest.param("normalize", "python-unicodedata-fold", id="normalize-python-unicodedata-fold")]
    return out


@pytest.mark.parametrize("prim, ref", _scalar_params())
def test_scalar_ratio(benchmark, bench_data, prim, ref):
    n = N_DISABLED if benchmark.disabled else N_SCALAR
    if prim in SIMILARITY:
        native, _, rf, jf = SIMILARITY[prim]
        other = rf if ref == "rapidfuzz" else jf
        pairs = list(zip(bench_data.a[:n], bench_data.b[:n]))
        run_native = lambda: [native(x, y) for x, y in pairs]  # noqa: E731
        run_ref = lambda: [other(x, y) for x, y in pairs]  # noqa: E731
        if ref == "rapidfuzz":  # jellyfish differs by definition on some pairs (README)
            assert_same(run_native(), run_ref())
    elif prim in PHONETIC:
        native, jf = PHONETIC[prim]
        names = bench_data.tokens[:n]
        run_native = lambda: [native(s) for s in names]  # noqa: E731
        run_ref = lambda: [jf(s) for s in names]  # noqa: E731
        assert run_native() == run_ref()
    else:  # normalize: an orientation baseline that does less (no NFKC, no transliteration)
        raw = bench_data.raw_names[:n]
        run_native = lambda: [nat.normalize(s) for s in raw]  # noqa: E731
        run_ref = lambda: [python_fold(s) for s in raw]  # noqa: E731
    benchmark.extra_info["reference"] = ref
    _measure(benchmark, "ratio-scalar", n, run_native, run_ref)
    assert benchmark.extra_info["ratio"] > 0


@pytest.mark.parametrize("prim", list(SIMILARITY))
def test_batch_ratio(benchmark, bench_data, prim):
    n = N_DISABLED if benchmark.disabled else N_BATCH
    _, metric, rf, _ = SIMILARITY[prim]
    a, b = bench_data.a[:n], bench_data.b[:n]
    run_native = lambda: nat.similarity_batch(metric, a, b)  # noqa: E731
    run_ref = lambda: process.cpdist(a, b, scorer=rf, dtype=np.float64, workers=-1)  # noqa: E731
    assert_same(run_native(), run_ref())
    benchmark.extra_info["reference"] = "rapidfuzz-cpdist"
    _measure(benchmark, "ratio-batch", n, run_native, run_ref)


@pytest.mark.parametrize("prim", list(CDIST))
def test_cdist_ratio(benchmark, bench_data, prim):
    nq, nc = CDIST[prim]
    if benchmark.disabled:
        nq, nc = nq // 10, nc // 10
    queries, choices = bench_data.a[:nq], bench_data.b[:nc]
    _, metric, rf, _ = SIMILARITY[prim]
    run_native = lambda: nat.cdist(metric, queries, choices)  # noqa: E731
    run_ref = lambda: process.cdist(queries, choices, scorer=rf, dtype=np.float64, workers=-1)  # noqa: E731
    assert_same(run_native(), run_ref())
    benchmark.extra_info["reference"] = "rapidfuzz-cdist"
    _measure(benchmark, "ratio-cdist", nq * nc, run_native, run_ref)


def test_screening_ratio(benchmark):
    """Per query: rapidfuzz brute force time / engine time (the engine's speed-up over brute force)."""
    from test_bench_screening import make_data

    import engine

    n_names = 2_000 if benchmark.disabled else SCREEN_NAMES
    records, _, _, queries, planted = make_data(n_names, SCREEN_QUERIES)
    wl = engine.Watchlist.from_records(records, list_id="bench")
    processed = [utils.default_process(n.name) for n in wl.indexed_names]
    scr = engine.Screener(wl)
    brute = [utils.default_process(q["name"]) for q in queries[:BRUTE_QUERIES]]
    run_native = lambda: scr.screen(queries, limit=10)  # noqa: E731
    run_ref = lambda: process.cdist(brute, processed, scorer=fuzz.WRatio, workers=-1, dtype=np.uint8)  # noqa: E731
    hits = run_native()
    found = sum(any(h.entry_id == records[p]["id"] for h in hs) for hs, p in zip(hits, planted) if p >= 0)
    assert found > 0.8 * sum(p >= 0 for p in planted)
    benchmark.extra_info["reference"] = "rapidfuzz-wratio-cdist"
    _measure(benchmark, "ratio-screening", len(processed), run_native, run_ref, rounds=SCREEN_ROUNDS)
    per_query = SCREEN_QUERIES / BRUTE_QUERIES  # one native call screens SCREEN_QUERIES, one reference call BRUTE_QUERIES
    for key in ("ratio", "ratio_median", "ratio_low", "ratio_high"):
        benchmark.extra_info[key] *= per_query
    benchmark.extra_info.update(queries=SCREEN_QUERIES, brute_queries=BRUTE_QUERIES)


def test_interleaved_alternates_order_and_compares_best_rounds(monkeypatch):
    """On a fake clock: native calls cost 1 (one round preempted: +5), reference calls 3."""
    now, calls = [0.0], []
    monkeypatch.setattr(sys.modules[__name__], "_clock", lambda: now[0])

    def call(side: str, cost: float):
        def fn():
            calls.append(side)
            now[0] += cost + (5.0 if side == "n" and calls.count("n") == 4 else 0.0)
        return fn

    out = interleaved(call("n", 1.0), call("r", 3.0), 4, target_s=2.0)
    assert out["repeats"] == [2, 1]  # each side repeated to about target_s per round
    assert calls[:2] == ["n", "r"]   # calibration, then rounds in alternating order
    assert calls[2:] == ["n", "n", "r", "r", "n", "n", "n", "n", "r", "r", "n", "n"]
    assert out["ratio"] == 3.0       # best rounds: the preempted one does not count
    assert out["ratio_low"] < out["ratio_median"] <= out["ratio_high"] == 3.0
