"""One command for the README's "Screening quality" figures: runs each benchmarks/quality script as the README
quotes it, and writes OUT/quality.json (every script's command, time, exit code, printed tables and its own
--json report) and OUT/quality.html (the tables, one page, no network).

    python benchmarks/quality/run_all.py --out quality-results            # all (alias recall takes longest)
    python benchmarks/quality/run_all.py --out q --only cross_script,febrl4
    python benchmarks/quality/run_all.py --out q --alias-max-queries 200   # a quicker, sampled alias recall
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# name -> (arguments, as the README quotes them; what the README reports from it)
SCRIPTS: dict[str, tuple[list[str], str]] = {
    "alias_recall": (["--lists", "un,ofac,eu", "--clean", "2000"],
                     "held-out alias recall and clean-passenger alerts, engine vs rapidfuzz"),
    "cross_script": ([], "cross-script pairs found at the default threshold, engine vs rapidfuzz"),
    "febrl4": ([], "FEBRL 4 precision / recall / F1, engine vs rapidfuzz"),
    "nicknames": ([], "nickname relations found, engine vs rapidfuzz"),
    "resolve_febrl": ([], "FEBRL 1-4 resolution (dedup / linkage)"),
    "renderings": ([], "one name in many languages and scripts found at the default threshold, engine vs rapidfuzz"),
    "script_spellings": ([], "names in Greek, Armenian, Hebrew, Persian and kana met by their passports' Latin spellings"),
}


def run(name: str, extra: list[str], out: Path) -> dict[str, Any]:
    script = HERE / f"{name}.py"
    args, what = SCRIPTS[name]
    report = out / f"{name}.json"
    cmd = [sys.executable, str(script.relative_to(ROOT)), *args, *extra, "--json", str(report)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    print(f"== {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = round(time.perf_counter() - start, 1)
    print(f"   exit {r.returncode} in {seconds} s", file=sys.stderr, flush=True)
    loaded = json.loads(report.read_text(encoding="utf-8")) if r.returncode == 0 and report.exists() else None
    return {"name": name, "what": what, "command": "PYTHONPATH=. python " + " ".join(cmd[1:-2]), "seconds": seconds,
            "returncode": r.returncode, "tables": r.stdout, "log": r.stderr[-4000:], "report": loaded}


def page(summary: dict[str, Any]) -> str:
    parts = []
    for r in summary["runs"]:
        status = "ok" if r["returncode"] == 0 else f"failed (exit {r['returncode']})"
        parts.append(
            f"<h2>{html.escape(r['name'])}: {html.escape(r['what'])}</h2>"
            f"<p><code>{html.escape(r['command'])}</code> &mdash; {status}, {r['seconds']} s</p>"
            f"<pre>{html.escape(r['tables'] or '(no output)')}</pre>"
            + (f"<details><summary>log</summary><pre>{html.escape(r['log'])}</pre></details>" if r["log"] else "")
        )
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Interdict screening quality</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em}"
            "pre{background:#f7f7f7;padding:.5em;overflow:auto}</style></head><body>"
            f"<h1>Interdict screening quality</h1><p>engine {html.escape(summary['engine'])}, "
            f"generated {html.escape(summary['generated'])}; every figure of the README's \"Screening quality\" "
            f"section.</p>{''.join(parts)}</body></html>\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="directory for quality.json, quality.html and each script's JSON")
    ap.add_argument("--only", default=",".join(SCRIPTS), help="comma-separated: " + ", ".join(SCRIPTS))
    ap.add_argument("--alias-max-queries", type=int, help="alias_recall: sample at most this many aliases per list")
    args = ap.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in SCRIPTS]
    if unknown:
        ap.error(f"unknown: {', '.join(unknown)} (known: {', '.join(SCRIPTS)})")
    args.out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    import engine

    runs = []
    for name in names:
        extra = ["--max-queries", str(args.alias_max_queries)] if name == "alias_recall" and args.alias_max_queries else []
        runs.append(run(name, extra, args.out.resolve()))
    summary = {"format": "interdict-quality/1", "engine": engine.__version__,
               "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "runs": runs}
    (args.out / "quality.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    (args.out / "quality.html").write_text(page(summary), encoding="utf-8")
    print(f"wrote {args.out / 'quality.json'}, {args.out / 'quality.html'}", file=sys.stderr)
    return 0 if all(r["returncode"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
