"""The command line of the quality scripts whose result is a list of outcomes, each found or not (cross_script.py,
renderings.py, script_spellings.py): the markdown report, rapidfuzz's count beside it, and the outcomes as JSON when
asked."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable


def main(
    argv: list[str] | None, doc: str, evaluate: Callable[[], list[Any]], markdown: Callable[[list[Any], Any], str],
    baseline: Callable[[], Any],
) -> int:
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--json", help="also write the outcomes here")
    args = ap.parse_args(argv)
    outcomes = evaluate()
    print(markdown(outcomes, baseline()))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=1, ensure_ascii=False))
    return 0
