"""Nicknames: a listed person under a formal given name, a passenger under a nickname of it (carltonnorthern/
nicknames, ../shared/data/nicknames: `aaron,has_nickname,ron`), the surname the same.

For every (formal, nickname) relation a list entry `FORMAL SURNAME` (surnames from a fixed pool, seeded) is
screened for by `NICKNAME SURNAME`; found = the entry is the best hit at or above DEFAULT_THRESHOLD. The control
(a given name that is neither the formal name nor one of its nicknames, same surname) must not be found.
rapidfuzz WRatio (extractOne over the same list, score >= 85) on the same queries is the baseline.

    python benchmarks/quality/nicknames.py [--json out.json] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

import engine

NICKNAMES = Path(__file__).resolve().parents[3] / "shared" / "data" / "nicknames" / "names.csv"
SURNAMES = ["GARCIA", "MUELLER", "OKAFOR", "NOVAK", "HADDAD", "LINDQVIST", "MORETTI", "KOWALSKI", "TANAKA", "OSEI"]


def relations(path: Path = NICKNAMES) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [(r["name1"].upper(), r["name2"].upper()) for r in csv.DictReader(f) if r["relationship"] == "has_nickname"]
    return sorted({(a, b) for a, b in rows if a != b})


def evaluate(limit: int | None = None, seed: int = 0) -> dict[str, Any]:
    rng = random.Random(seed)
    pairs = relations()
    if limit:
        pairs = rng.sample(pairs, min(limit, len(pairs)))
    related: dict[str, set[str]] = {}
    for a, b in relations():
        related.setdefault(a, set()).add(b)
        related.setdefault(b, set()).add(a)
    formal = sorted({a for a, _ in pairs})
    surname = {a: rng.choice(SURNAMES) for a in formal}
    records = [{"id": a, "names": [f"{a} {surname[a]}"]} for a in formal]
    wl = engine.Watchlist.from_records(records, list_id="nicknames")
    everyone = sorted(related)
    queries, controls = [], []
    for a, nick in pairs:
        queries.append((a, f"{nick} {surname[a]}"))
        other = rng.choice([n for n in everyone if n != a and n not in related[a]])
        controls.append((a, f"{other} {surname[a]}"))
    scr = engine.Screener(wl)
    found = lambda qs: [bool(h and h[0].entry_id == a) for (a, _), h in zip(qs, scr.screen([{"name": q} for _, q in qs], limit=1))]
    engine_found, engine_control = found(queries), found(controls)
    report = {"relations": len(pairs), "threshold": engine.DEFAULT_THRESHOLD,
              "engine_found": sum(engine_found) / len(pairs), "engine_control_found": sum(engine_control) / len(pairs)}
    try:
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        return report
    names = [r["names"][0] for r in records]

    def rf(qs: list[tuple[str, str]]) -> float:
        hits = 0
        for a, q in qs:
            best = process.extractOne(q, names, scorer=fuzz.WRatio, processor=utils.default_process)
            hits += bool(best and best[1] >= 100 * engine.DEFAULT_THRESHOLD and formal[best[2]] == a)
        return hits / len(qs)

    report.update(rapidfuzz_found=rf(queries), rapidfuzz_control_found=rf(controls))
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="also write the report here")
    ap.add_argument("--limit", type=int, help="a seeded sample of the relations")
    args = ap.parse_args(argv)
    r = evaluate(args.limit)
    print(f"| nickname relations | engine: found / control found | rapidfuzz WRatio: found / control found |\n|---:|---|---|")
    rf = f"{r['rapidfuzz_found']:.3f} / {r['rapidfuzz_control_found']:.3f}" if "rapidfuzz_found" in r else "-"
    print(f"| {r['relations']:,} | {r['engine_found']:.3f} / {r['engine_control_found']:.3f} | {rf} |")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
