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
    for b in data["benchmarks"]:
        group = b["group"] or ""
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

    if lists:
        print("\n| list (benchmarks/test_bench_lists.py) | rows | median s | rows/s | peak extra RSS MB |")
        print("|---|---:|---:|---:|---:|")
        for b in lists:
            rows, med = b["extra_info"].get("rows", 0), b["stats"]["median"]
            peak = b["extra_info"].get("peak_mb")
            label = b["param"] or b["name"].removeprefix("test_")
            print(f"| {label} | {rows:,} | {med:,.2f} | {rows / med:,.0f} | {peak:,.0f} |" if peak is not None
                  else f"| {label} | {rows:,} | {med:,.2f} | {rows / med:,.0f} | - |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench.json")
