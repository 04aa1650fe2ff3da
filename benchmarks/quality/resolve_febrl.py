"""FEBRL 1-4 with `server.resolve`: deduplication of datasets 1, 2, 3 and linkage of 4a with 4b.

Records are made as in febrl4.py (name = given name + surname, birth date, address) and blocked by the
engine's name index (the `--limit` best candidates of each record) plus the usual record-linkage blocks
(same birth date; same postcode and street number). Pairs are scored by the engine. Precision, recall and
F1 of the *pairs* (true pairs from the rec ids: every two records of one `rec-N` group in 1-3; the 4a-4b
true links in 4) at the chosen threshold and at the best threshold.

    python benchmarks/quality/resolve_febrl.py [--threshold 0.85] [--sets 1,2,3,4] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import febrl4

import engine
from server import resolve as rs

DATA = febrl4.DATA
TRUTH_DIR = febrl4.FEBRL / "derived_true_links"


def load(name: str, limit_rows: int | None = None) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    rows = febrl4.read_rows(DATA / f"{name}.csv")[:limit_rows]
    return [febrl4.as_record(r) for r in rows], {r["rec_id"]: r for r in rows}


def dedup_truth(ids: list[str]) -> set[frozenset[str]]:
    """Every two records of one entity: rec-N-org and rec-N-dup-k share N."""
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(i.split("-")[1], []).append(i)
    return {frozenset(p) for g in groups.values() for p in itertools.combinations(sorted(g), 2)}


def link_truth() -> set[tuple[str, str]]:
    with febrl4.TRUE_LINKS.open(encoding="utf-8") as f:
        return {(r["rec_id_4a"], r["rec_id_4b"]) for r in csv.DictReader(f)}


def run_set(n: int, threshold: float, limit: int, limit_rows: int | None = None) -> dict[str, Any]:
    if n == 4:
        a, rows_a = load("dataset4a", limit_rows)
        b, rows_b = load("dataset4b", limit_rows)
        keys = lambda r: febrl4.block_keys(rows_a.get(r["id"]) or rows_b[r["id"]])
        # B's records are screened against A (4a, the originals), each keeping its best candidate: FEBRL 4
        # is one-to-one (every 4b record is a corrupted copy of one 4a record).
        res = rs.resolve(b, a, threshold=threshold, floor=0.3, limit=limit, block_keys=keys, best_only=True)
        truth = {(y, x) for x, y in link_truth()}
        if limit_rows:
            truth = {t for t in truth if t[1] in rows_a and t[0] in rows_b}
        symmetric, kind = False, "link"
    else:
        a, rows_a = load(f"dataset{n}", limit_rows)
        res = rs.resolve(a, threshold=threshold, floor=0.3, limit=limit,
                         block_keys=lambda r: febrl4.block_keys(rows_a[r["id"]]))
        truth = dedup_truth(list(rows_a))
        symmetric, kind = True, "dedup"
    at = rs.pair_quality(((p.id_a, p.id_b) for p in res.pairs if p.score >= threshold), truth, symmetric)
    clustered = rs.pair_quality(((p.id_a, p.id_b) for p in res.pairs if p.clustered), truth, symmetric)
    return {"set": n, "kind": kind, "records": res.stats["records_a"] + res.stats["records_b"],
            "true_pairs": len(truth), "seconds": round(res.seconds, 2),
            "at_threshold": {"threshold": threshold, **at}, "best": rs.sweep(res.pairs, truth, symmetric),
            "clusters": {k: res.stats[k] for k in ("multi_record_clusters", "largest_cluster")},
            "clustered_pairs": clustered, "refused_merges": res.refused_merges}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threshold", type=float, default=engine.DEFAULT_THRESHOLD)
    ap.add_argument("--limit", type=int, default=rs.DEFAULT_LIMIT, help="index candidates per record")
    ap.add_argument("--sets", default="1,2,3,4")
    ap.add_argument("--json", help="also write the report here")
    args = ap.parse_args(argv)
    reports = [run_set(int(s), args.threshold, args.limit) for s in args.sets.split(",")]
    print("| FEBRL | task | records | true pairs | threshold | predicted | precision | recall | F1 | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in reports:
        for label in ("at_threshold", "best"):
            q = r[label]
            print(f"| {r['set']} | {r['kind']} | {r['records']:,} | {r['true_pairs']:,} | {q['threshold']:.2f}"
                  f"{' (best)' if label == 'best' else ''} | {q['predicted']:,} | {q['precision']:.4f} | "
                  f"{q['recall']:.4f} | {q['f1']:.4f} | {r['seconds']} |")
    for r in reports:
        print(f"FEBRL {r['set']}: {r['clusters']['multi_record_clusters']} clusters of 2+, largest "
              f"{r['clusters']['largest_cluster']}, {r['refused_merges']} merges refused by the guard", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
