"""Named figures from one benchmark run: a pytest-benchmark JSON (`--benchmark-json`) and, optionally, the
quality JSON of benchmarks/quality/run_all.py, as {name: Figure}.

Each figure says which way is better and how far it may move before it counts as a regression. Machines
are noisy, so the figures that matter most are ratios measured in the same run (native against
rapidfuzz / jellyfish, the engine against rapidfuzz brute force, the gRPC server against the engine in
process): both sides see the same machine. Absolute speeds get a wide tolerance; quality figures are
deterministic and get a small absolute one. `context` names the sizes a figure was measured at: figures
measured at other sizes are not compared.

Unknown benchmarks and unreadable entries are reported in `notes`, never raised.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# kind -> tolerance. factor: a regression is worse than the baseline by more than this factor (and by
# more than `slack`, in the figure's unit, when given); delta: worse by more than this, in the unit.
# Chosen from repeated short passes on the 2-core shared machine, load 4-6 (benchmarks/README.md, "Tracking").
TOLERANCE: dict[str, dict[str, float] | None] = {
    "ratio": {"factor": 1.8},       # interleaved same-run ratios moved by up to 1.5x: a real 2x regression fails
    "absolute": {"factor": 10.0},   # absolute speed on a shared machine moved by up to 8.7x: order-of-magnitude only
    "memory": {"factor": 1.5, "slack": 4.0},  # RSS and structure sizes: nearly deterministic, small ones jitter by MBs
    "quality": {"delta": 0.01},     # recall, F1, shares: deterministic, seeded data
    "info": None,                   # recorded, never compared (reference systems' own figures)
}
KINDS = tuple(TOLERANCE)


@dataclass(frozen=True)
class Figure:
    value: float
    kind: str            # a key of TOLERANCE
    better: str          # "higher" or "lower"
    unit: str
    what: str
    context: str = ""    # sizes it was measured at; other contexts are not comparable
    step: str = ""       # which benchmark produced it
    tolerance: dict[str, float] | None = field(default=None)

    def __post_init__(self) -> None:
        if self.kind not in TOLERANCE:
            raise ValueError(f"figure kind {self.kind!r} is not one of {KINDS}")
        if self.better not in ("higher", "lower"):
            raise ValueError(f"figure better={self.better!r}: 'higher' or 'lower'")
        if self.tolerance is None and TOLERANCE[self.kind] is not None:
            object.__setattr__(self, "tolerance", dict(TOLERANCE[self.kind]))

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = _round(self.value)
        return d

    @classmethod
    def from_json(cls, name: str, d: Any) -> Figure:
        if not isinstance(d, dict):
            raise ValueError(f"figure {name}: expected an object, got {type(d).__name__}")
        try:
            value = float(d["value"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"figure {name}: 'value' missing or not a number ({d.get('value')!r})") from None
        known = {k: d[k] for k in ("kind", "better", "unit", "what", "context", "step", "tolerance") if k in d}
        try:
            return cls(value=value, **known)
        except (TypeError, ValueError) as e:
            raise ValueError(f"figure {name}: {e}") from None


def _round(v: float) -> float:
    """Four significant digits: enough for any tolerance here, and a readable baseline diff."""
    if v == 0 or not math.isfinite(v):
        return v
    return round(v, max(0, 3 - int(math.floor(math.log10(abs(v))))))


def _num(d: Any, *path: str) -> float | None:
    """d[path[0]][path[1]]... as a finite float, or None when absent or not a number."""
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    if isinstance(d, bool) or not isinstance(d, (int, float)) or not math.isfinite(d):
        return None
    return float(d)


class Collector:
    """Figures and notes of one extraction; `add` skips values that are absent."""

    def __init__(self) -> None:
        self.figures: dict[str, Figure] = {}
        self.notes: list[str] = []

    def add(self, name: str, value: float | None, kind: str, better: str, unit: str, what: str,
            context: str = "", step: str = "", **tolerance: float) -> None:
        if value is None:
            self.notes.append(f"{name}: no value in this run")
            return
        if name in self.figures:
            self.notes.append(f"{name}: measured twice, the later value kept")
        self.figures[name] = Figure(value, kind, better, unit, what, context, step, tolerance or None)


# --- pytest-benchmark JSON -------------------------------------------------------------------------------

def _file(bench: dict) -> str:
    return Path(str(bench.get("fullname", "")).split("::")[0]).name


def _ref_slug(impl: str) -> str:
    return impl.replace("-workers-1", "").replace("-", "_")


def _primitives(benches: list[dict], out: Collector) -> None:
    """Per group `<primitive>-<single|batch|cdist>`: the native implementation's own figure and its speed
    ratio against every other implementation timed in the same group (best round over best round). The
    implementations are timed one after another, so these ratios are recorded (info), not gated:
    test_bench_ratios.py measures the gated ones interleaved."""
    groups: dict[str, dict[str, dict]] = {}
    for b in benches:
        prim, _, kind = str(b.get("group") or "").rpartition("-")
        if kind not in ("single", "batch", "cdist") or not prim:
            out.notes.append(f"primitives: unrecognised group {b.get('group')!r} ({b.get('name')})")
            continue
        impl = str(b.get("param") or b.get("name")).removeprefix(prim + "-")
        groups.setdefault(f"{prim}-{kind}", {})[impl] = b
    for group, impls in sorted(groups.items()):
        prim, _, kind = group.rpartition("-")
        natives = sorted((i for i in impls if i.startswith("native") and i != "native-scalar-loop"), key=len)
        if not natives:
            out.notes.append(f"primitives: no native implementation in group {group}")
            continue
        native = impls[natives[0]]
        t_native = _num(native, "stats", "min")
        if not t_native:
            out.notes.append(f"primitives: {group} native has no time")
            continue
        pairs = _num(native, "extra_info", "pairs")
        base = f"primitives.{prim}.{kind}"
        step = "primitives"
        if kind == "single":
            out.add(f"{base}.native_ns", t_native * 1e9, "absolute", "lower", "ns",
                    f"{prim}: one native call from Python, best round", "one call", step)
        else:
            ctx = f"{int(pairs):,} pairs" if pairs else ""
            out.add(f"{base}.native_pairs_per_s", pairs / t_native if pairs else None, "absolute", "higher", "pairs/s",
                    f"{prim}: native {natives[0]} throughput", ctx, step)
        for impl, ref in sorted(impls.items()):
            if impl == natives[0]:
                continue
            t_ref = _num(ref, "stats", "min")
            ctx = "one call" if kind == "single" else (f"{int(pairs):,} pairs" if pairs else "")
            out.add(f"{base}.native_vs_{_ref_slug(impl)}", t_ref / t_native if t_ref else None, "info", "higher", "x",
                    f"{prim} {kind}: {impl} time / native time, same run, timed one after the other", ctx, step)


def _ratios(b: dict, out: Collector) -> None:
    """test_bench_ratios.py: native against its reference, timed interleaved (median of per-round ratios)."""
    x = b.get("extra_info") or {}
    params = b.get("params") or {}
    mode = str(b.get("group") or "").removeprefix("ratio-")
    if mode == "screening":
        names = _num(x, "pairs")
        ctx = f"{int(names or 0):,} names, {int(_num(x, 'rounds') or 0)} rounds"
        # the engine is memory-bound, WRatio compute-bound: a neighbour's Rust build slowed the engine side
        # more, and this ratio moved by 1.9x (1.07x between quiet runs)
        out.add("ratios.screening.speedup_vs_brute_force", _num(x, "ratio_median"), "ratio", "higher", "x",
                "per query: rapidfuzz WRatio brute force time / Screener.screen time, interleaved rounds, median",
                ctx, "ratios", factor=2.5)
        return
    prim, ref = params.get("prim"), x.get("reference")
    if not prim or not ref or mode not in ("scalar", "batch", "cdist"):
        out.notes.append(f"ratios: unrecognised benchmark {b.get('name')!r}")
        return
    pairs, rounds = _num(x, "pairs"), _num(x, "rounds")
    ctx = f"{int(pairs or 0):,} pairs, {int(rounds or 0)} rounds"
    out.add(f"ratios.{prim}.{mode}.native_vs_{_ref_slug(ref)}", _num(x, "ratio_median"), "ratio", "higher", "x",
            f"{prim} {mode}: {ref} time / native time, interleaved rounds, median", ctx, "ratios")
    if mode != "scalar":
        best = _num(x, "native_best_s")
        out.add(f"ratios.{prim}.{mode}.native_pairs_per_s", pairs / best if pairs and best else None, "absolute",
                "higher", "pairs/s", f"{prim}: native {mode} throughput, best round", ctx, "ratios")


def _screening(b: dict, out: Collector) -> None:
    x = b.get("extra_info") or {}
    names, queries = _num(x, "names"), _num(x, "queries")
    ctx = f"{int(names):,} names, {int(queries):,} queries" if names and queries else ""
    alt = int(_num(x, "alt_max_candidates") or 50)
    engine_sample, brute = _num(x, "engine_recall_top10_on_brute_sample"), _num(x, "brute_recall_top10")
    s = "screening"
    add = out.add
    # engine and brute force are timed one after the other (2.1x between runs): the gate at 1.8x is
    # ratios.screening.speedup_vs_brute_force, timed interleaved
    add("screening.speedup_vs_brute_force", _num(x, "speedup_vs_brute"), "ratio", "higher", "x",
        "Screener.screen queries/s over rapidfuzz WRatio cdist brute force queries/s, same run", ctx, s, factor=3.0)
    add("screening.queries_per_s", _num(x, "screen_qps"), "absolute", "higher", "queries/s",
        "Screener.screen throughput (default max_candidates)", ctx, s)
    add(f"screening.queries_per_s_max_candidates_{alt}", _num(x, "alt_screen_qps"), "absolute", "higher", "queries/s",
        f"Screener.screen throughput, search.max_candidates = {alt}", ctx, s)
    add("screening.latency_p50_ms", _num(x, "latency_p50_ms"), "absolute", "lower", "ms", "one-query screen, p50", ctx, s)
    add("screening.latency_p99_ms", _num(x, "latency_p99_ms"), "info", "lower", "ms", "one-query screen, p99 (a tail: "
        "recorded, not gated on a shared machine)", ctx, s)
    add("screening.index_build_s", _num(x, "build_s"), "absolute", "lower", "s", "name index build (child process)", ctx, s,
        factor=10.0, slack=0.5)
    add("screening.index_mb", _num(x, "index_mb"), "memory", "lower", "MB", "RSS after the index build - before", ctx, s)
    add("screening.recall_top10", _num(x, "engine_recall_top10"), "quality", "higher", "share",
        "planted entry in the engine's top 10", ctx, s)
    add(f"screening.recall_top10_max_candidates_{alt}", _num(x, "alt_engine_recall_top10"), "quality", "higher", "share",
        f"planted entry in the top 10, search.max_candidates = {alt}", ctx, s)
    add("screening.recall_top10_minus_brute_force",
        engine_sample - brute if engine_sample is not None and brute is not None else None, "quality", "higher", "share",
        "engine top-10 recall minus rapidfuzz brute force's, on the brute-force sample", ctx, s, delta=0.05)
    add("screening.fresh_alert_rate", _num(x, "fresh_alert_rate"), "quality", "lower", "share",
        "unlisted queries with any hit", ctx, s, delta=0.02)
    add("screening.brute_force_queries_per_s", _num(x, "brute_qps"), "info", "higher", "queries/s",
        "rapidfuzz WRatio cdist brute force (the reference)", ctx, s)
    add("screening.brute_force_recall_top10", brute, "info", "higher", "share",
        "rapidfuzz brute force top-10 recall on its sample (the reference)", ctx, s)


def _documents(benches: list[dict], out: Collector) -> None:
    by_name = {str(b.get("name")): b for b in benches}
    build = (by_name.get("test_build_and_bytes_per_record") or {}).get("extra_info") or {}
    rows = _num(build, "rows")
    ctx = f"{int(rows):,} records" if rows else ""
    s = "documents"
    for test, key, what in (("test_exact_lookups", "exact_lookups_per_s", "exact lookups/s (half not listed), best round"),
                            ("test_fuzzy_lookups", "fuzzy_lookups_per_s", "fuzzy lookups/s (garbled listed numbers), best round")):
        if test in by_name:
            # extra_info holds batch size / mean time; the best round is steadier on a shared machine
            b = by_name[test]
            rate, mean, best = _num(b, "extra_info", key), _num(b, "stats", "mean"), _num(b, "stats", "min")
            out.add(f"documents.{key}", rate * mean / best if rate and mean and best else rate, "absolute", "higher",
                    "lookups/s", what, ctx, s)
    if build:
        out.add("documents.index_build_s", _num(build, "build_s"), "absolute", "lower", "s", "index build (child process)",
                ctx, s, factor=10.0, slack=0.5)
        out.add("documents.index_bytes_per_record", _num(build, "structure_bytes_per_record"), "memory", "lower", "bytes",
                "index structure size per record", ctx, s, factor=1.15)
        out.add("documents.build_peak_bytes_per_record", _num(build, "peak_delta_per_record"), "memory", "lower", "bytes",
                "peak RSS gained while building, per record", ctx, s, factor=1.5, slack=20.0)
    huge = (by_name.get("test_build_100m_records_rss") or {}).get("extra_info") or {}
    if huge:
        peak = _num(huge, "peak_rss")
        out.add("documents.build_100m_peak_gb", peak / 2**30 if peak else None, "memory", "lower", "GB",
                "peak process RSS building 100M records", f"{int(_num(huge, 'rows') or 0):,} records", s)
        out.add("documents.build_100m_s", _num(huge, "build_s"), "absolute", "lower", "s", "building 100M records",
                f"{int(_num(huge, 'rows') or 0):,} records", s)


def _messages(b: dict, out: Collector) -> None:
    x = b.get("extra_info") or {}
    fmt = x.get("format") or b.get("param")
    n = _num(x, "travellers")
    ctx = f"{int(n):,} travellers" if n else ""
    out.add(f"messages.{fmt}.parse_travellers_per_s", _num(x, "parse_travellers_per_s"), "absolute", "higher",
            "travellers/s", f"{fmt}: engine.messages.parse", ctx, "messages")
    out.add(f"messages.{fmt}.parse_screen_travellers_per_s", _num(x, "parse_screen_travellers_per_s"), "absolute",
            "higher", "travellers/s", f"{fmt}: parse and screen against the UN list", ctx, "messages")


def _grpc(b: dict, out: Collector) -> None:
    x = b.get("extra_info") or {}
    n = _num(x, "streaming", "passengers")
    ctx = f"{x.get('lists', '?')}, {int(n):,} passengers" if n else str(x.get("lists", ""))
    stream, engine_only = _num(x, "streaming", "passengers_per_s"), _num(x, "engine_only_batch", "passengers_per_s")
    s = "grpc"
    # server, client and the in-process run compete for 2 cores: this ratio moved by 1.8x between runs
    out.add("grpc.streaming_vs_engine_only", stream / engine_only if stream and engine_only else None, "ratio", "higher",
            "x", "ScreenPassengerStream passengers/s over engine.Screener in process, same run", ctx, s, factor=3.0)
    out.add("grpc.streaming_passengers_per_s", stream, "absolute", "higher", "passengers/s", "ScreenPassengerStream", ctx, s)
    out.add("grpc.streaming_chunked_passengers_per_s", _num(x, "streaming_chunked", "passengers_per_s"), "info", "higher",
            "passengers/s", "ScreenPassengerStream, passengers sent in chunks (`passengers`)", ctx, s)
    out.add("grpc.unary_batch_passengers_per_s", _num(x, "unary_batch", "passengers_per_s"), "absolute", "higher",
            "passengers/s", "ScreenPassengers in batches", ctx, s)
    out.add("grpc.single_p50_ms", _num(x, "single", "p50_ms"), "absolute", "lower", "ms", "single-passenger calls, p50",
            ctx, s)
    # the tail of ~100 calls on a shared machine: 2.6 ms in one run, 127 ms in the next; recorded, not gated
    out.add("grpc.single_p99_ms", _num(x, "single", "p99_ms"), "info", "lower", "ms", "single-passenger calls, p99",
            ctx, s)
    out.add("grpc.engine_only_passengers_per_s", engine_only, "info", "higher", "passengers/s",
            "the same queries through engine.Screener in process (the reference)", ctx, s)
    out.add("grpc.transport_only_streaming_passengers_per_s", _num(x, "transport_only", "streaming", "passengers_per_s"),
            "info", "higher", "passengers/s", "the same stream to a server that screens nothing (grpcio alone)", ctx, s)


def _lists(b: dict, out: Collector) -> None:
    x = b.get("extra_info") or {}
    label = str(b.get("param") or str(b.get("name", "")).removeprefix("test_"))
    rows, best = _num(x, "rows"), _num(b, "stats", "min")
    ctx = f"{int(rows):,} rows" if rows else ""
    out.add(f"lists.{label}.rows_per_s", rows / best if rows and best else None, "absolute", "higher", "rows/s",
            f"{label}: load (or import) rows/s, best round", ctx, "lists")
    if "peak_mb" in x:
        out.add(f"lists.{label}.peak_mb", _num(x, "peak_mb"), "memory", "lower", "MB",
                f"{label}: peak extra RSS of the load in a fresh process", ctx, "lists")


def _batch(b: dict, out: Collector) -> None:
    x = b.get("extra_info") or {}
    records, names = _num(x, "records"), _num(x, "names")
    ctx = f"{int(records):,} records x {int(names):,} names, {x.get('workers', '?')}" if records and names else ""
    out.add("batch.records_per_s", _num(x, "records_per_s"), "absolute", "higher", "records/s",
            "interdict batch screen on a local Dask cluster", ctx, "batch")
    out.add("batch.planted_found", _num(x, "planted_found"), "quality", "higher", "share",
            "planted queries whose entry is among their hits", ctx, "batch")


def _resolve(b: dict, out: Collector) -> None:
    x = b.get("extra_info") or {}
    records = _num(x, "records")
    ctx = f"{int(records):,} records, {x.get('workers', '?')} workers" if records else ""
    out.add("resolve.records_per_s", _num(x, "records_per_s"), "absolute", "higher", "records/s",
            "interdict resolve (dedup) on a local Dask cluster, the whole job", ctx, "resolve")
    for what in ("precision", "recall"):
        out.add(f"resolve.{what}", _num(x, what), "quality", "higher", "share",
                f"dedup pairs at 0.85 against the planted duplicates: {what}", ctx, "resolve")


def from_benchmark_json(data: dict, out: Collector | None = None) -> Collector:
    out = out or Collector()
    benches = data.get("benchmarks") if isinstance(data, dict) else None
    if not isinstance(benches, list):
        out.notes.append("benchmark JSON has no 'benchmarks' list")
        return out
    primitives, documents = [], []
    for b in benches:
        if not isinstance(b, dict):
            out.notes.append(f"benchmark entry is not an object: {b!r:.80}")
            continue
        f, group = _file(b), str(b.get("group") or "")
        if f == "test_bench_primitives.py":
            primitives.append(b)
        elif f == "test_bench_ratios.py":
            _ratios(b, out)
        elif f == "test_bench_documents.py":
            documents.append(b)
        elif f == "test_bench_screening.py" or group == "screening":
            _screening(b, out)
        elif f == "test_bench_messages.py":
            _messages(b, out)
        elif f == "test_bench_grpc.py" or group == "grpc":
            _grpc(b, out)
        elif f == "test_bench_lists.py" or group.startswith("list-"):
            _lists(b, out)
        elif f == "test_bench_batch.py":
            _batch(b, out)
        elif f == "test_bench_resolve.py":
            _resolve(b, out)
        else:
            out.notes.append(f"unrecognised benchmark {b.get('fullname') or b.get('name')!r}: no figures taken")
    if primitives:
        _primitives(primitives, out)
    if documents:
        _documents(documents, out)
    return out


# --- benchmarks/quality/run_all.py JSON ----------------------------------------------------------------

def _q_alias_recall(report: Any, out: Collector) -> None:
    for lst in report if isinstance(report, list) else []:
        name = lst.get("list_name", "?")
        if _num(lst, "clean_organisations"):  # generated consignees (session 26 on)
            ctx = f"{int(_num(lst, 'other_queries') or 0):,} organisation aliases, {int(_num(lst, 'clean_organisations')):,} clean"
            out.add(f"quality.alias_recall.{name}.clean_organisation_alerts_per_1000", _num(lst, "clean_org_alerts_per_1000"),
                    "quality", "lower", "per 1,000", f"{name}: clean organisations alerted at the default threshold", ctx,
                    "alias_recall", delta=2.0)
            out.add(f"quality.alias_recall.{name}.organisation_recall_at_1pct_alerts", _num(lst, "org_recall_at_1pct"),
                    "quality", "higher", "share", f"{name}: held-out organisation aliases found at 1% clean-organisation alerts",
                    ctx, "alias_recall")
        for s in lst.get("summaries", []):
            if s.get("subset") == "persons with birth date":
                ctx = f"{int(_num(s, 'queries') or 0):,} held-out aliases, {int(_num(lst, 'clean') or 0):,} clean"
                if s.get("system") == "engine":
                    base = f"quality.alias_recall.{name}"
                    out.add(f"{base}.recall_at_1pct_alerts", _num(s, "recall_at_1pct"), "quality", "higher", "share",
                            f"{name}: held-out alias recall at 1% clean alerts (persons with birth date)", ctx, "alias_recall")
                    out.add(f"{base}.recall_at_default", _num(s, "recall_at_default"), "quality", "higher", "share",
                            f"{name}: recall at the default threshold (persons with birth date)", ctx, "alias_recall")
                    out.add(f"{base}.clean_alerts_per_1000", _num(s, "clean_alerts_per_1000_at_default"), "quality",
                            "lower", "per 1,000", f"{name}: clean passengers alerted at the default threshold", ctx,
                            "alias_recall", delta=1.0)
                else:
                    out.add(f"quality.alias_recall.{name}.rapidfuzz_recall_at_1pct_alerts", _num(s, "recall_at_1pct"),
                            "info", "higher", "share", f"{name}: rapidfuzz WRatio, the reference", ctx, "alias_recall")


def _q_found(step: str, items: str, what: str):
    """A quality script whose JSON is a list of outcomes, each `found` or not: the figure is how many were found."""
    def read(report: Any, out: Collector) -> None:
        if not isinstance(report, list) or not report:
            out.notes.append(f"quality {step}: no outcomes")
            return
        found = sum(1 for o in report if isinstance(o, dict) and o.get("found") is True)
        out.add(f"quality.{step}.found", float(found), "quality", "higher", f"{items} of {len(report)}", what,
                f"{len(report)} {items}", step, delta=0.5)
    return read


_q_cross_script = _q_found("cross_script", "pairs", "cross-script pairs found at the default threshold")
_q_renderings = _q_found("renderings", "renderings", "one name's renderings in other languages and scripts found at the default threshold")


def _q_febrl4(report: Any, out: Collector) -> None:
    if not isinstance(report, dict):
        return
    ctx = f"{int(_num(report, 'true_links') or 0):,} true links"
    out.add("quality.febrl4.best_f1", _num(report, "best", "f1"), "quality", "higher", "F1",
            "FEBRL 4 link F1 at the best threshold", ctx, "febrl4")
    for key in ("precision", "recall", "f1"):
        out.add(f"quality.febrl4.{key}_at_default", _num(report, "at_default", key), "quality", "higher", key,
                f"FEBRL 4 link {key} at the default threshold", ctx, "febrl4")
    if "rapidfuzz_best" in report:
        out.add("quality.febrl4.rapidfuzz_best_f1", _num(report, "rapidfuzz_best", "f1"), "info", "higher", "F1",
                "rapidfuzz WRatio brute force, the reference", ctx, "febrl4")


def _q_nicknames(report: Any, out: Collector) -> None:
    if not isinstance(report, dict):
        return
    ctx = f"{int(_num(report, 'relations') or 0):,} relations"
    out.add("quality.nicknames.found", _num(report, "engine_found"), "quality", "higher", "share",
            "nickname queries finding the formal-name entry", ctx, "nicknames")
    out.add("quality.nicknames.control_found", _num(report, "engine_control_found"), "quality", "lower", "share",
            "control queries (another given name) finding the entry", ctx, "nicknames", delta=0.005)
    if "rapidfuzz_found" in report:
        out.add("quality.nicknames.rapidfuzz_found", _num(report, "rapidfuzz_found"), "info", "higher", "share",
                "rapidfuzz WRatio, the reference", ctx, "nicknames")


def _q_resolve_febrl(report: Any, out: Collector) -> None:
    for r in report if isinstance(report, list) else []:
        ctx = f"{int(_num(r, 'records') or 0):,} records"
        base = f"quality.resolve_febrl.{r.get('set', '?')}"
        out.add(f"{base}.f1_at_threshold", _num(r, "at_threshold", "f1"), "quality", "higher", "F1",
                f"FEBRL {r.get('set')} {r.get('kind')}: pair F1 at the threshold", ctx, "resolve_febrl")
        out.add(f"{base}.best_f1", _num(r, "best", "f1"), "quality", "higher", "F1",
                f"FEBRL {r.get('set')} {r.get('kind')}: pair F1 at the best threshold", ctx, "resolve_febrl")


QUALITY = {"alias_recall": _q_alias_recall, "cross_script": _q_cross_script, "febrl4": _q_febrl4,
           "nicknames": _q_nicknames, "resolve_febrl": _q_resolve_febrl, "renderings": _q_renderings}


def from_quality_json(data: dict, out: Collector | None = None) -> Collector:
    out = out or Collector()
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        out.notes.append("quality JSON has no 'runs' list")
        return out
    for r in runs:
        name = r.get("name") if isinstance(r, dict) else None
        if name not in QUALITY:
            out.notes.append(f"quality: unrecognised run {name!r}: no figures taken")
        elif r.get("returncode") != 0 or r.get("report") is None:
            out.notes.append(f"quality {name}: failed (exit {r.get('returncode')}), no figures")
        else:
            QUALITY[name](r["report"], out)
    return out
