"""Summarise a pytest-benchmark JSON file as one markdown table per primitive.

    python -m pytest benchmarks -q --benchmark-only --benchmark-json=bench.json
    python benchmarks/report.py bench.json

Single calls are reported as the median time per call (ns); batches as throughput, pairs (or
names) per second = pairs in the batch / median time of one batch.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def main(path: str) -> None:
    data = json.loads(open(path, encoding="utf-8").read())
    cpu = data.get("machine_info", {}).get("cpu", {})
    print(f"machine: {cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} logical CPUs; "
          f"python {data.get('machine_info', {}).get('python_version', '?')}")
    single: dict[str, dict[str, float]] = defaultdict(dict)
    batch: dict[str, dict[str, float]] = defaultdict(dict)
    lists = []
    screening = []
    ratios = []
    for b in data["benchmarks"]:
        group = b["group"] or ""
        if group.startswith("ratio-"):
            ratios.append(b)
            continue
        if group == "screening":
            screening.append(b)
            continue
        if group.startswith("list-"):
            lists.append(b)
            continue
        prim, _, kind = group.rpartition("-")
        impl = b["param"].removeprefix(prim + "-") if b.get("param") else b["name"]
        med = b["stats"]["median"]
        if kind == "single":
            single[prim][impl] = med * 1e9
        else:
            pairs = b.get("extra_info", {}).get("pairs")
            if pairs:
                batch[f"{prim} ({kind})"][impl] = pairs / med

    if single or batch:
        # the compact view: one row per primitive
        cols = [
            ("native 1 call ns", single, "native", "{:,.0f}"),
            ("rapidfuzz 1 call ns", single, "rapidfuzz", "{:,.0f}"),
            ("jellyfish 1 call ns", single, "jellyfish", "{:,.0f}"),
            ("native batch pairs/s", batch, ("native-similarity_batch", "native-phonetic_batch", "native-normalize_batch"), "{:,.0f}"),
            ("rapidfuzz cpdist(workers=-1) pairs/s", batch, "rapidfuzz-cpdist-workers-1", "{:,.0f}"),
            ("rapidfuzz loop pairs/s", batch, "rapidfuzz-loop", "{:,.0f}"),
            ("jellyfish loop pairs/s", batch, "jellyfish-loop", "{:,.0f}"),
        ]
        print("\n| primitive | " + " | ".join(c[0] for c in cols) + " |")
        print("|---|" + "---:|" * len(cols))
        for prim in single:
            cells = []
            for _, table, keys, fmt in cols:
                row = table.get(prim) if table is single else table.get(f"{prim} (batch)")
                keys = keys if isinstance(keys, tuple) else (keys,)
                val = next((row[k] for k in keys if row and k in row), None)
                cells.append(fmt.format(val) if val is not None else "-")
            print(f"| {prim} | " + " | ".join(cells) + " |")

        print("\n| primitive | implementation | single call (median ns) |")
        print("|---|---|---:|")
        for prim, impls in single.items():
            for impl, ns in sorted(impls.items(), key=lambda kv: kv[1]):
                print(f"| {prim} | {impl} | {ns:,.0f} |")
        print("\n| primitive | implementation | batch throughput (pairs/s) |")
        print("|---|---|---:|")
        for prim, impls in batch.items():
            for impl, rate in sorted(impls.items(), key=lambda kv: -kv[1]):
                print(f"| {prim} | {impl} | {rate:,.0f} |")

    if ratios:
        print("\n| primitive (benchmarks/test_bench_ratios.py) | mode | reference | reference time / native time, median (range) |")
        print("|---|---|---|---:|")
        for b in ratios:
            x = b["extra_info"]
            print(f"| {b['params']['prim']} | {b['group'].removeprefix('ratio-')} | {x['reference']} | "
                  f"{x['ratio_median']:.2f} ({x['ratio_low']:.2f}-{x['ratio_high']:.2f}) |")

    if lists:
        print("\n| list (benchmarks/test_bench_lists.py) | rows | median s | rows/s | peak extra RSS MB |")
        print("|---|---:|---:|---:|---:|")
        for b in lists:
            rows, med = b["extra_info"].get("rows", 0), b["stats"]["median"]
            peak = b["extra_info"].get("peak_mb")
            label = b["param"] or b["name"].removeprefix("test_")
            print(f"| {label} | {rows:,} | {med:,.2f} | {rows / med:,.0f} | {peak:,.0f} |" if peak is not None
                  else f"| {label} | {rows:,} | {med:,.2f} | {rows / med:,.0f} | - |")

    for b in screening:
        x = b["extra_info"]
        print(f"\n| screening (benchmarks/test_bench_screening.py): {x['names']:,} names, {x['entries']:,} entries, "
              f"{x['queries']:,} queries in batches of {x['batch']:,}, {x['cores']} cores | value |")
        print("|---|---:|")
        rows = [
            (f"Screener.screen throughput (max_candidates {x.get('max_candidates', 200)}), queries/s", f"{x['screen_qps']:,.0f}"),
            ("engine top-10 recall of the planted entries", f"{x['engine_recall_top10']:.3f}"),
            (f"throughput with max_candidates {x.get('alt_max_candidates', '-')}, queries/s", f"{x['alt_screen_qps']:,.0f}" if "alt_screen_qps" in x else "-"),
            (f"recall with max_candidates {x.get('alt_max_candidates', '-')}", f"{x['alt_engine_recall_top10']:.3f}" if "alt_engine_recall_top10" in x else "-"),
            ("fresh (unlisted) queries with a hit", f"{x['fresh_alert_rate']:.3f}"),
            ("single-query latency p50 / p99, ms", f"{x['latency_p50_ms']:.2f} / {x['latency_p99_ms']:.2f}"),
            ("index build, s (child process)", f"{x['build_s']:.1f}"),
            ("index memory (RSS after build - before), MB / build peak MB", f"{x['index_mb']:,.0f} / {x['build_peak_mb']:,.0f}"),
            (f"rapidfuzz cdist WRatio brute force ({x['brute_sample']} queries, all cores), queries/s", f"{x['brute_qps']:,.2f}"),
            ("brute-force top-10 recall / engine's on the same sample", f"{x['brute_recall_top10']:.3f} / {x['engine_recall_top10_on_brute_sample']:.3f}"),
            ("engine speed-up over brute force", f"{x['speedup_vs_brute']:,.0f}x"),
        ]
        for label, value in rows:
            print(f"| {label} | {value} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench.json")
