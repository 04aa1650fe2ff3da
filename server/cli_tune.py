"""`interdict tune` and `interdict explain`.

    interdict tune --labels FILE --out DIR [--config F] [--list L [--list-id ID] [--store DIR]]
                   [--target-recall 0.99] [--target-alert-rate 0.005] [--choose f1|recall|alert-rate] [--fit]
    interdict explain --query JSON|NAME (--candidate JSON|NAME | --list L --entry-id ID) [--config F] [--json]

`tune` scores labelled pairs (server/tune.py) and writes DIR/report.html (server/tune_report.py),
DIR/thresholds.toml (engine.Config's format: load it with --config, or let a running server reload it)
and DIR/scored.csv (every pair with its score); with --fit also DIR/weights.toml (server/tune_fit.py). `explain` prints every feature of one pair with its
contribution, the score, the band and the explanation lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import engine

from . import tune, tune_fit, tune_report


class TuneInputError(ValueError):
    """A bad argument of tune / explain (the message names it)."""


ERRORS: tuple[type[Exception], ...] = (tune.LabelsError, TuneInputError, tune_fit.FitError)


def _unit(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}: {text!r} is not a number") from None
        if not 0.0 <= v <= 1.0:
            raise argparse.ArgumentTypeError(f"{name}: {text!r} is not in [0, 1]")
        return v

    return parse


def cmd_tune(args: argparse.Namespace) -> int:
    config = engine.Config.load(args.config) if args.config else engine.Config()
    watchlist = args.load_list(args.list, args.list_id, args.store) if (args.list or args.store) else None
    pairs = tune.read_labels(args.labels, entry_lookup=watchlist is not None)
    console = Console(stderr=True)
    started = time.perf_counter()
    with Progress(TextColumn("scoring pairs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("score", total=len(pairs))
        scored = tune.score_pairs(pairs, config, watchlist,
                                  progress=lambda done, total: bar.update(task, completed=done) if done % 200 == 0 or done == total else None)
    results = tune.analyse(scored, config, args.target_recall, args.target_alert_rate, args.choose)
    fitted = tune_fit.fit(scored, config) if args.fit else None
    folds = tune_fit.cross_validate(pairs, scored, config, watchlist) if args.fit else []
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = tune_report.render(results, scored, source=str(args.labels), config=config,
                                target_recall=args.target_recall, target_alert_rate=args.target_alert_rate,
                                choose=args.choose, fit=fitted, folds=folds)
    if fitted is not None:
        (out / "weights.toml").write_text(tune_fit.weights_toml(fitted, config), encoding="utf-8")
        changed = ", ".join(f"{w} {getattr(config.weights, w):+.3f} -> {getattr(fitted.weights, w):+.3f}" for w in fitted.counts)
        print(f"fitted weights ({len(scored)} pairs): {changed or 'no feature fired often enough'}; "
              f"implied threshold {fitted.implied_threshold:.3f}; wrote {out / 'weights.toml'}", file=sys.stderr)
    (out / "report.html").write_text(report, encoding="utf-8")
    (out / "thresholds.toml").write_text(tune.thresholds_toml(results, config), encoding="utf-8")
    with (out / "scored.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "list_id", "kind", "label", "score", "band", "query_name", "candidate_name", "matched_name", "features"])
        for s in scored:
            w.writerow([s.where, s.list_id, s.kind, s.label, f"{s.score:.6f}", s.band, s.query_name, s.candidate_name,
                        s.matched_name, json.dumps({k: round(v, 6) for k, v in s.features.items()})])
    elapsed = time.perf_counter() - started
    for r in results:
        m = r.at(r.chosen)
        auc = "n/a" if r.auc is None else f"{r.auc:.3f}"
        print(f"{r.key}: {r.n} pairs ({r.positives} matches), AUC {auc}; threshold {r.chosen:.2f} ({args.choose}): "
              f"precision {m['precision']:.3f}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}, "
              f"{m['alerts_per_1000']:.1f} alerts / 1,000", file=sys.stderr)
    print(f"scored {len(scored)} pairs in {elapsed:.2f} s; wrote {out / 'report.html'}, {out / 'thresholds.toml'}, "
          f"{out / 'scored.csv'}", file=sys.stderr)
    return 0


def _record(text: str, flag: str, candidate: bool) -> dict[str, Any]:
    """A JSON object, or else a bare name."""
    text = text.strip()
    if not text.startswith("{"):
        if not text:
            raise TuneInputError(f"{flag}: empty")
        return {"names": [text]} if candidate else {"name": text}
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise TuneInputError(f"{flag}: not JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(d, dict):
        raise TuneInputError(f"{flag}: expected a JSON object")
    return d


def explain_dict(m: engine.Match, thresholds: engine.Thresholds, list_id: str, kind: str, entry_id: str) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "list_id": list_id,
        "kind": kind,
        "score": m.score,
        "band": m.band,
        "thresholds": {"report": thresholds.report, "match": thresholds.match},
        "matched_name": m.matched_name,
        "contributions": [
            {"feature": k, "value": v, "explanation": line}
            for k, v, line in tune_report.feature_lines(m.features, m.explanation) if k
        ],
        "features": dict(m.features),
        "explanation": list(m.explanation),
        "name_pairs": [list(p) for p in m.name.pairs],
        "unmatched_query": list(m.name.unmatched_query),
        "unmatched_candidate": list(m.name.unmatched_candidate),
    }


def cmd_explain(args: argparse.Namespace) -> int:
    config = engine.Config.load(args.config) if args.config else engine.Config()
    query = _record(args.query, "--query", candidate=False)
    if args.entry_id:
        if args.candidate:
            raise TuneInputError("--candidate and --entry-id: give one")
        wl = args.load_list(args.list, args.list_id, args.store)
        candidate: Any = wl.get(args.entry_id)
        if candidate is None:
            raise TuneInputError(f"--entry-id: {args.entry_id!r} is not on list {wl.list_id} (version {wl.version})")
    elif args.candidate:
        candidate = _record(args.candidate, "--candidate", candidate=True)
        candidate.setdefault("id", "candidate")
        candidate.setdefault("kind", query.get("kind") or "person")
        if args.list_id:
            candidate.setdefault("list_id", args.list_id)
    else:
        raise TuneInputError("give --candidate (JSON or a name), or --entry-id with --list")
    m = engine.score_pair(query, candidate, config)
    e = candidate if isinstance(candidate, engine.Entry) else engine.Entry.from_dict(candidate, "candidate")
    t = config.thresholds_for(e.list_id, e.kind)
    d = explain_dict(m, t, e.list_id, e.kind, e.id)
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return 0
    print(f"candidate {e.id} ({e.kind}{', list ' + e.list_id if e.list_id else ''}): matched name {m.matched_name!r}")
    width = max(len(c["feature"]) for c in d["contributions"])
    for c in d["contributions"]:
        print(f"  {c['feature']:<{width}}  {c['value']:+.3f}  {c['explanation']}")
    print(f"  {'total':<{width}}  {m.score:.3f}  (clamped to [0, 1])")
    print(f"band: {m.band} (report >= {t.report:g}, match >= {t.match:g})")
    return 0


def add_parser(sub: argparse._SubParsersAction,
               load_list: Callable[[str | None, str | None, str | None], engine.Watchlist]) -> None:
    """`load_list(spec, list_id, store)`: server/cli.py's, so lists resolve as for `screen`."""
    p = sub.add_parser(
        "tune", help="measure thresholds on labelled pairs: report.html and thresholds.toml",
        description="Score labelled pairs (CSV or Parquet: query_name, candidate_name, kind, label, optional list_id, "
        "query_<field>, candidate_<field>, or entry_id with --list) and write DIR/report.html, DIR/thresholds.toml "
        "and DIR/scored.csv.",
    )
    p.add_argument("--labels", required=True, help="labelled pairs: .csv or .parquet")
    p.add_argument("--out", required=True, help="output directory (created)")
    p.add_argument("--config", help="TOML configuration to score with (its weights and other thresholds are kept)")
    p.add_argument("--list", help="take candidates named by an entry_id column from this list (file, 'default', or a store list id)")
    p.add_argument("--list-id", help="list id to give a list file")
    p.add_argument("--store", help="the store --list names a list of")
    p.add_argument("--target-recall", type=_unit("--target-recall"), default=tune.DEFAULT_TARGET_RECALL,
                   help="recall the 'recall' threshold must reach (default 0.99)")
    p.add_argument("--target-alert-rate", type=_unit("--target-alert-rate"), default=tune.DEFAULT_TARGET_ALERT_RATE,
                   help="share of non-matches allowed to alert (default 0.005: 5 per 1,000 passengers)")
    p.add_argument("--choose", choices=tune.CHOICES, default="f1",
                   help="which threshold thresholds.toml applies per list and kind (default f1: the F1-optimal one)")
    p.add_argument("--fit", action="store_true",
                   help="also fit the evidence weights by logistic regression: DIR/weights.toml (server/tune_fit.py)")
    p.set_defaults(func=cmd_tune, load_list=load_list)

    x = sub.add_parser(
        "explain", help="one pair: every feature with its contribution, the score and the band",
        description="Compare one query with one candidate (JSON objects as for `screen` and list records, or bare names), "
        "or with an entry of a list, and show every feature's contribution.",
    )
    x.add_argument("--query", required=True, help='JSON object ({"name": ..., "birth_date": ...}) or a name')
    x.add_argument("--candidate", help='JSON record ({"names": [...], "birth_dates": [...]}) or a name')
    x.add_argument("--entry-id", help="compare with this entry of --list instead")
    x.add_argument("--list", help="list file, 'default' (embedded UN list), or with --store a list id")
    x.add_argument("--list-id", help="list id (of a list file, or of --candidate for its thresholds)")
    x.add_argument("--store", help="the store --list names a list of")
    x.add_argument("--config", help="TOML configuration (thresholds, weights)")
    x.add_argument("--json", action="store_true", help="print a JSON object")
    x.set_defaults(func=cmd_explain, load_list=load_list)
