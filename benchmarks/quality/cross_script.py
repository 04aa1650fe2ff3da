"""Cross-script names: each query of moov-io/watchman's cross_script_pairs.csv (Arabic, Cyrillic, Chinese,
Korean, Japanese, Greek, Hebrew, Thai) screened against a list holding every expected Latin name.

A pair is *found* when its expected name is the best hit and scores at least DEFAULT_THRESHOLD. The
file's own Min Score column is calibrated to watchman's embedding model and is not used.

    python benchmarks/quality/cross_script.py [--json out.json]
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import engine
import outcome_report

PAIRS = Path(__file__).resolve().parents[3] / "shared" / "data" / "name_matching" / "watchman_cross_script" / "cross_script_pairs.csv"


@dataclass
class Outcome:
    query: str
    expected: str
    description: str
    normalized: str
    score: float
    top: str
    found: bool


def read_pairs(path: Path = PAIRS) -> list[tuple[str, str, str]]:
    """(query, expected, description) for every data row (comments and blank lines skipped)."""
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and r[0].strip() and not r[0].startswith("#")]
    return [(r[0].strip(), r[1].strip(), r[3].strip()) for r in rows]


def evaluate(pairs: list[tuple[str, str, str]] | None = None) -> list[Outcome]:
    pairs = read_pairs() if pairs is None else pairs
    expected = sorted({e for _, e, _ in pairs})
    wl = engine.Watchlist.from_records([{"id": e, "names": [e]} for e in expected], list_id="cross-script")
    hits = engine.Screener(wl).screen([{"name": q} for q, _, _ in pairs], limit=1, threshold=0.0)
    out = []
    for (q, e, d), hs in zip(pairs, hits):
        top = hs[0] if hs else None
        score = top.score if top and top.entry_id == e else 0.0
        out.append(Outcome(q, e, d, engine.names._native.normalize(q), round(score, 4), top.entry_id if top else "",
                           bool(top and top.entry_id == e and top.score >= engine.DEFAULT_THRESHOLD)))
    return out


def rapidfuzz_found(pairs: list[tuple[str, str, str]] | None = None) -> int | None:
    """The baseline on the same pairs: rapidfuzz WRatio (default processing) of each query against every
    expected name; found when the expected name is the best and scores at least 85 (None without rapidfuzz)."""
    try:
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        return None
    pairs = read_pairs() if pairs is None else pairs
    expected = sorted({e for _, e, _ in pairs})
    found = 0
    for q, e, _ in pairs:
        best = process.extractOne(q, expected, scorer=fuzz.WRatio, processor=utils.default_process)
        found += bool(best and best[0] == e and best[1] >= 100 * engine.DEFAULT_THRESHOLD)
    return found


def markdown(outcomes: list[Outcome], baseline: int | None = None) -> str:
    versus = "" if baseline is None else f" (rapidfuzz WRatio on the same pairs: {baseline} of {len(outcomes)})"
    lines = [f"found {sum(o.found for o in outcomes)} of {len(outcomes)} at {engine.DEFAULT_THRESHOLD}{versus}", "",
             "| query | transliterated | expected | score | found |", "|---|---|---|---:|---|"]
    lines += [f"| {o.query} | {o.normalized} | {o.expected} | {o.score:.3f} | {'yes' if o.found else 'no (top: ' + (o.top or '-') + ')'} |"
              for o in outcomes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return outcome_report.main(argv, __doc__, evaluate, markdown, rapidfuzz_found)


if __name__ == "__main__":
    sys.exit(main())
