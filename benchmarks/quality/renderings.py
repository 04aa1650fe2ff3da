"""One name as many languages and scripts render it: each line of OpenSanctions rigour's putin_names.txt
(MIT: `Wladimir Putin`, `Putin Volodymyr Volodymyrovych`, `فلاديمير بوتين`, `Vladimiras Putinas`, titles such as
`Präsident Putin` among them) scored against a list holding `Vladimir Vladimirovich PUTIN`, as a passenger whose
document renders the name so would be. An independent measure of the variants a list's own aliases rarely show.

A rendering is *found* when it scores at least DEFAULT_THRESHOLD. rapidfuzz WRatio (default processing) on the same
lines, found at 85, is the baseline.

    python benchmarks/quality/renderings.py [--json out.json]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import engine
import outcome_report

NAMES = Path(__file__).resolve().parents[3] / "shared" / "data" / "name_matching" / "rigour_names" / "putin_names.txt"
LISTED = "Vladimir Vladimirovich PUTIN"


@dataclass
class Outcome:
    rendering: str
    normalized: str
    score: float
    found: bool
    explanation: str


def read_renderings(path: Path = NAMES) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def evaluate(renderings: list[str] | None = None) -> list[Outcome]:
    renderings = read_renderings() if renderings is None else renderings
    wl = engine.Watchlist.from_records([{"id": "putin", "kind": "person", "names": [LISTED]}], list_id="renderings")
    hits = engine.Screener(wl).screen([{"kind": "person", "name": r} for r in renderings], limit=1, threshold=0.0)
    out = []
    for r, hs in zip(renderings, hits):
        score = hs[0].score if hs else 0.0
        out.append(Outcome(r, engine.names._native.normalize(r), round(score, 4), score >= engine.DEFAULT_THRESHOLD,
                           hs[0].explanation[0] if hs else ""))
    return out


def rapidfuzz_found(renderings: list[str] | None = None) -> int | None:
    """How many renderings rapidfuzz WRatio scores at least 85 against the listed name (None without rapidfuzz)."""
    try:
        from rapidfuzz import fuzz, utils
    except ImportError:
        return None
    renderings = read_renderings() if renderings is None else renderings
    return sum(fuzz.WRatio(r, LISTED, processor=utils.default_process) >= 100 * engine.DEFAULT_THRESHOLD for r in renderings)


def markdown(outcomes: list[Outcome], baseline: int | None = None) -> str:
    versus = "" if baseline is None else f" (rapidfuzz WRatio on the same lines: {baseline} of {len(outcomes)})"
    lines = [f"renderings of {LISTED} found {sum(o.found for o in outcomes)} of {len(outcomes)} at "
             f"{engine.DEFAULT_THRESHOLD}{versus}", "", "| rendering | transliterated | score | found |", "|---|---|---:|---|"]
    lines += [f"| {o.rendering} | {o.normalized} | {o.score:.3f} | {'yes' if o.found else 'no'} |" for o in outcomes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return outcome_report.main(argv, __doc__, evaluate, markdown, rapidfuzz_found)


if __name__ == "__main__":
    sys.exit(main())
