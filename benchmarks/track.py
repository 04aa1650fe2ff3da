"""Benchmark figures tracked against a committed baseline.

    python benchmarks/track.py run --pass short --out bench-out      # CI's pass (~3 min on 2 cores), then compare
    python benchmarks/track.py run --pass full --out bench-full      # every benchmark at the issue's sizes + all quality
    python benchmarks/track.py extract --bench bench.json [--quality q/quality.json] --out figures.json
    python benchmarks/track.py compare figures.json [--baseline benchmarks/baseline-short.json] [--update] [--strict]

`run` runs each benchmark file of the pass in its own pytest (`--benchmark-only --benchmark-json`, with the
pass's INTERDICT_BENCH_* settings and no inherited ones) and the pass's quality scripts
(benchmarks/quality/run_all.py), merges the benchmark JSONs into OUT/bench.json, writes the run's figures
to OUT/figures.json (track_figures.py: names, values, direction, tolerance) and compares them with the
pass's baseline, benchmarks/baseline-<pass>.json. Exit 1 when a figure regressed beyond its tolerance or a
benchmark failed; 2 when the baseline or a JSON cannot be read. `--update` accepts the run as the new
baseline. Figures missing from the run, new ones, and ones measured at other sizes are reported, not failed
(`--strict` fails on missing ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(HERE))

from track_figures import Collector, Figure, from_benchmark_json, from_quality_json  # noqa: E402

FORMAT = "interdict-figures/1"


# --- passes ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    name: str
    file: str                                  # a pytest-benchmark file, relative to the repository root
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()                 # more pytest arguments (-k ...)


@dataclass(frozen=True)
class Pass:
    steps: tuple[Step, ...]
    quality: tuple[str, ...]                   # benchmarks/quality/run_all.py --only


def _bench(name: str, *args: str, **env: str) -> Step:
    return Step(name, f"benchmarks/test_bench_{name}.py", env, args)


PASSES = {
    # Small sizes, about 3 minutes on 2 shared cores. The primitives are gated by their interleaved ratios
    # (test_bench_ratios.py); test_bench_primitives.py's tables are the full pass's. alias_recall and febrl4
    # are left out: their rapidfuzz baselines take minutes.
    "short": Pass(
        (_bench("ratios"), _bench("screening"), _bench("documents"), _bench("messages"), _bench("grpc"),
         _bench("lists", "-k", "not ofac-sdn-xml and not ofac-sdn-csv")),  # the two slowest loads: full pass
        ("cross_script", "nicknames", "resolve_febrl", "renderings"),
    ),
    # The README's sizes (each section quotes the same settings): 1M names, 10M / 100M documents, 1M-entry
    # gRPC list, 1M-entry and 100M-row list loads, 200k x 200k batch, 50k-record resolve; every quality script.
    "full": Pass(
        (_bench("primitives"), _bench("ratios"), _bench("screening", INTERDICT_BENCH_LARGE="1"),
         _bench("documents", INTERDICT_BENCH_LARGE="1"), _bench("messages", INTERDICT_BENCH_PAX="2000"),
         _bench("grpc", INTERDICT_BENCH_LARGE="1", INTERDICT_BENCH_GRPC_ROWS="1000000"),
         _bench("lists", INTERDICT_BENCH_LARGE="1"),
         _bench("batch", INTERDICT_BENCH_BATCH_NAMES="200000", INTERDICT_BENCH_BATCH_RECORDS="200000"),
         _bench("resolve", INTERDICT_BENCH_RESOLVE_RECORDS="50000")),
        ("alias_recall", "cross_script", "febrl4", "nicknames", "resolve_febrl"),
    ),
}


def baseline_path(pass_name: str) -> Path:
    return HERE / f"baseline-{pass_name}.json"


def _clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment without inherited INTERDICT_BENCH_* settings (they change sizes, hence figures)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERDICT_BENCH_")}
    env.update(extra)
    return env


def _run_step(step: Step, out: Path, root: Path) -> dict[str, Any]:
    json_path = out / f"bench-{step.name}.json"
    json_path.unlink(missing_ok=True)  # never merge a previous run's file
    cmd = [sys.executable, "-m", "pytest", step.file, *step.args, "-q", "-p", "no:cacheprovider", "--benchmark-only",
           f"--benchmark-json={json_path}"]
    shown = " ".join([*(f"{k}={v}" for k, v in step.env.items()), "python", *map(shlex.quote, cmd[1:])])
    shown = shown.replace(str(out), "$OUT")
    print(f"== {shown}", flush=True)
    start = time.perf_counter()
    rc = subprocess.run(cmd, cwd=root, env=_clean_env(step.env)).returncode
    seconds = round(time.perf_counter() - start, 1)
    print(f"   exit {rc} in {seconds} s", flush=True)
    return {"command": shown, "seconds": seconds, "returncode": rc}


def _run_quality(names: tuple[str, ...], out: Path) -> dict[str, Any]:
    qdir = out / "quality"
    (qdir / "quality.json").unlink(missing_ok=True)
    cmd = [sys.executable, "benchmarks/quality/run_all.py", "--out", str(qdir), "--only", ",".join(names)]
    shown = ("python " + " ".join(map(shlex.quote, cmd[1:]))).replace(str(out), "$OUT")
    if not SHARED_DATA.is_dir():
        print(f"== quality skipped: {SHARED_DATA} absent", flush=True)
        return {"command": shown, "seconds": 0.0, "returncode": None, "skipped": f"{SHARED_DATA} absent"}
    print(f"== {shown}", flush=True)
    start = time.perf_counter()
    rc = subprocess.run(cmd, cwd=ROOT, env=_clean_env({})).returncode
    seconds = round(time.perf_counter() - start, 1)
    print(f"   exit {rc} in {seconds} s", flush=True)
    return {"command": shown, "seconds": seconds, "returncode": rc}


def merge_benchmark_jsons(paths: list[Path]) -> dict[str, Any]:
    """One pytest-benchmark JSON from several (the first's machine and commit info, every benchmark)."""
    merged: dict[str, Any] = {}
    for p in paths:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not merged:
            merged = {k: v for k, v in data.items() if k != "benchmarks"}
            merged["benchmarks"] = []
        merged["benchmarks"].extend(data.get("benchmarks", []))
    return merged or {"benchmarks": []}


def run_pass(pass_name: str, spec: Pass, out: Path, root: Path = ROOT) -> tuple[dict[str, Any], bool]:
    """Runs the pass; returns (figures document, every step succeeded)."""
    out.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Any] = {}
    for step in spec.steps:
        steps[step.name] = _run_step(step, out, root)
    if spec.quality:
        steps["quality"] = _run_quality(spec.quality, out)
    bench_files = [out / f"bench-{s.name}.json" for s in spec.steps if (out / f"bench-{s.name}.json").exists()]
    bench = merge_benchmark_jsons(bench_files)
    (out / "bench.json").write_text(json.dumps(bench, indent=1), encoding="utf-8")
    qpath = out / "quality" / "quality.json"
    ran = steps.get("quality", {}).get("returncode") is not None
    quality = json.loads(qpath.read_text(encoding="utf-8")) if ran and qpath.exists() else None
    doc = figures_document(bench, quality, pass_name, steps)
    (out / "figures.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    ok = all(s["returncode"] in (0, None) for s in steps.values())
    return doc, ok


# --- the figures document -------------------------------------------------------------------------------

def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("interdict", "rapidfuzz", "jellyfish", "pytest-benchmark"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def figures_document(bench: dict | None, quality: dict | None, pass_name: str,
                     steps: dict[str, Any] | None = None) -> dict[str, Any]:
    c = Collector()
    if bench is not None:
        from_benchmark_json(bench, c)
    if quality is not None:
        from_quality_json(quality, c)
    info = (bench or {}).get("machine_info", {}) if isinstance(bench, dict) else {}
    cpu = info.get("cpu", {}) if isinstance(info, dict) else {}
    commit = (bench or {}).get("commit_info", {}) if isinstance(bench, dict) else {}
    return {
        "format": FORMAT,
        "pass": pass_name,
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": f"{commit.get('id', '?')}{' (dirty)' if commit.get('dirty') else ''}" if commit else "?",
        "machine": f"{cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} logical CPUs" if cpu else "?",
        "versions": _versions(),
        "steps": steps or {},
        "notes": c.notes,
        "figures": {name: c.figures[name].to_json() for name in sorted(c.figures)},
    }


def load_figures(path: Path) -> tuple[dict[str, Any], dict[str, Figure]]:
    """(the document, its figures); ValueError naming the file and figure when malformed."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ValueError(f"{path}: cannot read ({e.strerror})") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("figures"), dict):
        raise ValueError(f"{path}: not a figures file (expected format {FORMAT!r} with a 'figures' object)")
    try:
        figures = {name: Figure.from_json(name, d) for name, d in doc["figures"].items()}
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    return doc, figures


# --- comparison -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    name: str
    baseline: Figure | None
    current: Figure | None
    status: str            # ok, REGRESSED, improved, new, missing, other sizes, info, not comparable
    change: str = ""


def _judge(b: Figure, c: Figure) -> tuple[str, str]:
    tol = c.tolerance
    if c.kind == "info" or tol is None:
        return "info", ""
    sign = 1 if c.better == "higher" else -1
    if "delta" in tol:
        diff = c.value - b.value
        worse = -sign * diff
        change = f"{diff:+.4g}"
        if worse > tol["delta"]:
            return "REGRESSED", change
        return ("improved" if -worse > tol["delta"] else "ok"), change
    if b.value <= 0 or c.value < 0:
        return "not comparable", "baseline <= 0"
    if c.value == 0:
        return ("REGRESSED" if sign > 0 else "improved"), "x0"
    ratio = c.value / b.value
    worse_factor = 1 / ratio if sign > 0 else ratio      # > 1 means worse
    worse_by = abs(c.value - b.value)                      # in the unit, for `slack`
    change = f"x{ratio:.2f}"
    beyond = worse_by > tol.get("slack", 0.0)
    if worse_factor > tol["factor"] and beyond:
        return "REGRESSED", change
    if 1 / worse_factor > tol["factor"] and beyond:
        return "improved", change
    return "ok", change


def compare(baseline: dict[str, Figure], current: dict[str, Figure]) -> list[Row]:
    rows = []
    for name in sorted(set(baseline) | set(current)):
        b, c = baseline.get(name), current.get(name)
        if c is None:
            rows.append(Row(name, b, None, "missing"))
        elif b is None:
            rows.append(Row(name, None, c, "new"))
        elif b.context != c.context:
            rows.append(Row(name, b, c, "other sizes", f"{b.context} -> {c.context}"))
        else:
            status, change = _judge(b, c)
            rows.append(Row(name, b, c, status, change))
    return rows


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _tol(f: Figure | None) -> str:
    t = f.tolerance if f else None
    if not t:
        return "-"
    if "delta" in t:
        return f"±{t['delta']:g}"
    return f"/{t['factor']:g}" + (f" (>{t['slack']:g})" if t.get("slack") else "")


def table(rows: list[Row]) -> str:
    head = ("figure", "baseline", "current", "change", "tolerance", "better", "status")
    body = []
    for r in rows:
        f = r.current or r.baseline
        unit = f" {f.unit}" if f and f.unit else ""
        body.append((r.name, _fmt(r.baseline.value if r.baseline else None) + unit,
                     _fmt(r.current.value if r.current else None) + unit, r.change, _tol(f), f.better if f else "",
                     r.status))
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])


def report(rows: list[Row], strict: bool = False, out=None) -> int:
    """Prints the comparison; returns the exit code (1 on a regression, or a missing figure when strict)."""
    out = out or sys.stdout
    print(table(rows), file=out)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    print("\n" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + f" ({len(rows)} figures)", file=out)
    failed = [r for r in rows if r.status == "REGRESSED" or (strict and r.status == "missing")]
    if failed:
        print("\nREGRESSIONS (beyond tolerance; a deliberate trade-off is accepted with --update):", file=out)
        print(table(failed), file=out)
        return 1
    if counts.get("improved"):
        print("improved beyond tolerance: accept the new figures with --update to tighten the baseline", file=out)
    return 0


def compare_files(figures: dict[str, Any], baseline: Path, update: bool, strict: bool) -> int:
    current = {n: Figure.from_json(n, d) for n, d in figures["figures"].items()}
    if figures.get("notes"):
        print("notes:\n  " + "\n  ".join(figures["notes"]))
    if baseline.exists():
        try:
            bdoc, base = load_figures(baseline)
        except ValueError as e:
            print(f"track: {e}", file=sys.stderr)
            return 2
        if bdoc.get("pass") != figures.get("pass"):
            print(f"note: baseline pass {bdoc.get('pass')!r}, this run {figures.get('pass')!r}")
        print(f"baseline {baseline} ({bdoc.get('generated')}, {bdoc.get('commit')}); this run {figures.get('generated')}")
        code = report(compare(base, current), strict)
    elif update:
        code = 0
    else:
        print(f"track: no baseline at {baseline}: accept this run with --update", file=sys.stderr)
        return 2
    if update:
        baseline.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"baseline written: {baseline} ({len(current)} figures)")
        return 0
    return code


# --- command line ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a pass, write OUT/figures.json, compare with the pass's baseline")
    r.add_argument("--pass", dest="pass_name", choices=sorted(PASSES), default="short")
    r.add_argument("--out", type=Path, required=True, help="directory for bench.json, figures.json, quality/")
    r.add_argument("--no-compare", action="store_true", help="only run and write figures.json")
    e = sub.add_parser("extract", help="figures.json from a --benchmark-json (and a quality.json)")
    e.add_argument("--bench", type=Path, action="append", default=[], help="pytest-benchmark JSON (repeatable)")
    e.add_argument("--quality", type=Path, help="benchmarks/quality/run_all.py's quality.json")
    e.add_argument("--pass", dest="pass_name", default="custom", help="label: short, full or custom (default)")
    e.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("compare", help="compare a figures.json with a baseline")
    c.add_argument("figures", type=Path)
    for p in (r, c):
        p.add_argument("--baseline", type=Path, help="default: benchmarks/baseline-<pass>.json")
        p.add_argument("--update", action="store_true", help="accept this run as the baseline")
        p.add_argument("--strict", action="store_true", help="also fail when a baseline figure is missing")
    args = ap.parse_args(argv)

    if args.command == "extract":
        try:
            bench = merge_benchmark_jsons(args.bench) if args.bench else None
            quality = json.loads(args.quality.read_text(encoding="utf-8")) if args.quality else None
        except (OSError, json.JSONDecodeError) as err:
            print(f"track: cannot read input: {err}", file=sys.stderr)
            return 2
        doc = figures_document(bench, quality, args.pass_name)
        args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{args.out}: {len(doc['figures'])} figures" + (f", {len(doc['notes'])} notes" if doc["notes"] else ""))
        return 0

    if args.command == "run":
        doc, ok = run_pass(args.pass_name, PASSES[args.pass_name], args.out)
        total = sum(s["seconds"] for s in doc["steps"].values())
        print(f"pass {args.pass_name}: {len(doc['figures'])} figures in {total:.0f} s -> {args.out / 'figures.json'}")
        failed = [n for n, s in doc["steps"].items() if s["returncode"] not in (0, None)]
        if failed:
            print(f"track: failed steps: {', '.join(failed)} (their figures are missing)", file=sys.stderr)
        if args.no_compare:
            return 0 if ok else 1
        code = compare_files(doc, args.baseline or baseline_path(args.pass_name), args.update and ok, args.strict)
        if args.update and not ok:
            print("track: baseline not updated: a step failed", file=sys.stderr)
        return code if ok else max(code, 1)

    try:
        doc, _ = load_figures(args.figures)
    except ValueError as err:
        print(f"track: {err}", file=sys.stderr)
        return 2
    base = args.baseline or baseline_path(str(doc.get("pass")))
    return compare_files(doc, base, args.update, args.strict)


if __name__ == "__main__":
    sys.exit(main())
