"""Threshold tuning: read labelled pairs, score them with the engine, measure every threshold.

`interdict tune` (server/cli_tune.py) reads a CSV or Parquet file of labelled pairs, scores each with
`engine.score_pair`, and measures, per (list_id, kind) and overall, every threshold of a 0.01 grid
(0.00 .. 1.00): confusion counts, precision, recall, F1, and the alert rate. server/tune_report.py
turns the result into report.html; `thresholds_toml` into a configuration the engine and the server load.

Definitions (the same in the report's JavaScript explorer, server/tune_report.py):
- a pair is an alert at threshold t when its score >= t (the engine's `report` comparison);
- precision = TP / (TP + FP), 1.0 when nothing alerts; recall = TP / (TP + FN), 1.0 when the group has
  no matches; F1 = 2PR / (P + R), 0.0 when P + R = 0;
- alert rate = FP / (FP + TN): the share of non-matching (label 0) pairs that alert. Each labelled
  non-match stands for one innocent passenger compared with the candidate the engine would put before
  him; true matches are vanishingly rare among real passengers, so alerts per 1,000 passengers is
  1000 * alert rate. 0.0 when the group has no non-matches;
- F1-optimal threshold: the lowest grid threshold with the highest F1 (lowest: screening favours recall);
- threshold for a target recall: the highest grid threshold whose recall is at least the target;
- threshold for a target alert rate: the lowest grid threshold whose alert rate is at most the target.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import engine

GRID: tuple[float, ...] = tuple(round(i / 100, 2) for i in range(101))
OVERALL = "overall"
DEFAULT_TARGET_RECALL = 0.99
DEFAULT_TARGET_ALERT_RATE = 0.005  # 5 alerts per 1,000 passengers
CHOICES = ("f1", "recall", "alert-rate")

REQUIRED = ("query_name", "candidate_name", "kind", "label")
# label columns -> engine.Query fields
QUERY_FIELDS = ("surname", "given_names", "birth_date", "nationality", "sex", "address", "country", "documents")
# label columns -> engine.Entry fields (lists: ';'-separated)
CANDIDATE_FIELDS = {
    "names": "names", "aliases": "names", "weak_names": "weak_names", "birth_date": "birth_dates",
    "birth_dates": "birth_dates", "nationality": "nationalities", "nationalities": "nationalities",
    "country": "countries", "countries": "countries", "sex": "sex", "address": "addresses",
    "addresses": "addresses", "documents": "documents",
}
IGNORED = ("query_id", "candidate_id", "pair_id", "note", "notes", "source")
LABELS = {
    "1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0, "yes": 1, "no": 0, "y": 1, "n": 0,
    "match": 1, "no-match": 0, "no_match": 0, "nomatch": 0, "non-match": 0, "nonmatch": 0,
}


class LabelsError(ValueError):
    """A labels file that cannot be used: the message names the file, row and column."""


@dataclass(frozen=True)
class Pair:
    """One labelled pair, read from the file: `where` is `file:line` (CSV) or `file row N` (Parquet)."""

    where: str
    list_id: str
    kind: str
    label: int
    query: dict[str, Any]
    candidate: dict[str, Any] | None  # None: take entry `entry_id` from the list given with --list
    entry_id: str = ""


@dataclass(frozen=True)
class Scored:
    where: str
    list_id: str
    kind: str
    label: int
    score: float
    band: str
    query_name: str
    candidate_name: str
    matched_name: str
    features: dict[str, float]
    explanation: tuple[str, ...]

    @property
    def group(self) -> tuple[str, str]:
        return (self.list_id, self.kind)


# --- reading ----------------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(";") if p.strip()]


def _rows(path: Path) -> tuple[list[str], Iterable[tuple[str, dict[str, str]]]]:
    """(columns, rows of (where, {column: text})) from a CSV or Parquet file."""
    if not path.exists():
        raise LabelsError(f"{path}: no such file")
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as e:  # pyarrow's errors are many; name the file
            raise LabelsError(f"{path}: not a readable Parquet file ({e})") from None
        columns = list(table.column_names)
        data = table.to_pydict()

        def parquet_rows() -> Iterable[tuple[str, dict[str, str]]]:
            for i in range(table.num_rows):
                row = {}
                for c in columns:
                    v = data[c][i]
                    if v is None or (isinstance(v, float) and math.isnan(v)):
                        continue
                    if isinstance(v, bool):
                        v = int(v)
                    row[c] = v if isinstance(v, str) else str(v)
                yield f"{path} row {i + 1}", row

        return columns, parquet_rows()
    try:
        f = path.open(encoding="utf-8-sig", newline="")
        text = f.read()
        f.close()
    except UnicodeDecodeError as e:
        raise LabelsError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns

    def csv_rows() -> Iterable[tuple[str, dict[str, str]]]:
        for row in reader:
            if None in row:
                raise LabelsError(f"{path}:{reader.line_num}: more values than the header has columns")
            yield f"{path}:{reader.line_num}", {k: v.strip() for k, v in row.items() if v is not None and v.strip()}

    return columns, csv_rows()


def read_labels(path: str | Path, *, entry_lookup: bool = False) -> list[Pair]:
    """The labelled pairs of a CSV or Parquet file. `entry_lookup`: rows may name an `entry_id` of the
    list given with --list instead of the candidate's fields."""
    path = Path(path)
    columns, rows = _rows(path)
    if not columns:
        raise LabelsError(f"{path}: empty file (expected a header with {', '.join(REQUIRED)})")
    have = set(columns)
    for c in REQUIRED:
        if c in have:
            continue
        if c == "candidate_name" and "entry_id" in have and entry_lookup:
            continue
        hint = " (or entry_id with --list)" if c == "candidate_name" else ""
        raise LabelsError(f"{path}: missing column {c!r}{hint}; columns: {', '.join(columns)}")
    if "entry_id" in have and not entry_lookup and "candidate_name" not in have:
        raise LabelsError(f"{path}: column entry_id needs --list (the list the entries come from)")
    known = set(REQUIRED) | {"list_id", "entry_id", *IGNORED}
    known |= {f"query_{f}" for f in QUERY_FIELDS} | {f"candidate_{f}" for f in CANDIDATE_FIELDS}
    for c in columns:
        if c not in known:
            raise LabelsError(
                f"{path}: unknown column {c!r} (query fields: {', '.join('query_' + f for f in QUERY_FIELDS)}; "
                f"candidate fields: {', '.join('candidate_' + f for f in CANDIDATE_FIELDS)})"
            )
    pairs: list[Pair] = []
    for where, row in rows:
        pairs.append(_pair(where, row, entry_lookup))
    if not pairs:
        raise LabelsError(f"{path}: no labelled pairs (only a header)")
    return pairs


def _pair(where: str, row: Mapping[str, str], entry_lookup: bool) -> Pair:
    raw_label = row.get("label", "")
    label = LABELS.get(raw_label.lower())
    if label is None:
        raise LabelsError(f"{where}: label: {raw_label!r} is not 1/0 (or match/no-match)")
    kind = row.get("kind", "")
    if kind not in ("person", "organization", "vessel"):
        raise LabelsError(f"{where}: kind: {kind!r} is not one of person, organization, vessel")
    list_id = row.get("list_id") or "default"
    query: dict[str, Any] = {"kind": kind}
    if row.get("query_name"):
        query["name"] = row["query_name"]
    for f in QUERY_FIELDS:
        v = row.get(f"query_{f}")
        if v:
            query[f] = [{"number": n} for n in _split(v)] if f == "documents" else v
    if not (query.get("name") or query.get("surname") or query.get("given_names")):
        raise LabelsError(f"{where}: query_name: empty")
    entry_id = row.get("entry_id", "")
    if not row.get("candidate_name"):
        if entry_lookup and entry_id:
            return Pair(where, list_id, kind, label, query, None, entry_id)
        raise LabelsError(f"{where}: candidate_name: empty" + (" (and no entry_id)" if entry_lookup else ""))
    candidate: dict[str, Any] = {
        "id": row.get("candidate_id") or entry_id or where, "kind": kind, "list_id": list_id,
        "names": [row["candidate_name"]],
    }
    for column, f in CANDIDATE_FIELDS.items():
        v = row.get(f"candidate_{column}")
        if not v:
            continue
        if f == "sex":
            candidate["sex"] = v
        elif f == "documents":
            candidate["documents"] = [{"number": n} for n in _split(v)]
        else:
            candidate.setdefault(f, []).extend(_split(v))
    return Pair(where, list_id, kind, label, query, candidate)


# --- scoring ----------------------------------------------------------------------------------------


def score_pairs(
    pairs: Sequence[Pair],
    config: engine.Config | None = None,
    watchlist: engine.Watchlist | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Scored]:
    """Scores every pair with engine.score_pair; an engine InputError names the row and field."""
    cfg = config or engine.Config()
    out: list[Scored] = []
    for i, p in enumerate(pairs):
        if p.candidate is None:
            entry = watchlist.get(p.entry_id) if watchlist is not None else None
            if entry is None:
                raise LabelsError(f"{p.where}: entry_id: {p.entry_id!r} is not on the list")
            candidate: Any = entry
            list_id, candidate_name = entry.list_id or p.list_id, entry.primary_name
        else:
            candidate, list_id, candidate_name = p.candidate, p.list_id, p.candidate["names"][0]
        try:
            m = engine.score_pair(p.query, candidate, cfg)
        except engine.InputError as e:
            field_ = e.field.replace("query.", "query_").replace("candidate.", "candidate_")
            raise LabelsError(f"{p.where}: {field_}: {e.reason}") from None
        query_name = p.query.get("name") or " ".join(x for x in (p.query.get("given_names"), p.query.get("surname")) if x)
        out.append(Scored(
            p.where, list_id, p.kind, p.label, m.score, m.band, query_name, candidate_name, m.matched_name,
            dict(m.features), tuple(m.explanation),
        ))
        if progress is not None:
            progress(i + 1, len(pairs))
    return out


# --- metrics ----------------------------------------------------------------------------------------


def confusion(scores: Sequence[float], labels: Sequence[int], t: float) -> dict[str, Any]:
    """Counts and rates at threshold t (alert: score >= t); the module docstring defines each."""
    tp = fp = fn = tn = 0
    for s, y in zip(scores, labels):
        if s >= t:
            if y:
                tp += 1
            else:
                fp += 1
        elif y:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    alert_rate = fp / (fp + tn) if fp + tn else 0.0
    return {
        "threshold": t, "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall,
        "f1": f1, "alert_rate": alert_rate, "alerts_per_1000": 1000.0 * alert_rate,
    }


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """Probability that a random match outscores a random non-match (ties count half); None without both."""
    pos = sorted(s for s, y in zip(scores, labels) if y)
    neg = sorted(s for s, y in zip(scores, labels) if not y)
    if not pos or not neg:
        return None
    import bisect

    wins = 0.0
    for s in pos:
        lo = bisect.bisect_left(neg, s)
        hi = bisect.bisect_right(neg, s)
        wins += lo + 0.5 * (hi - lo)
    return wins / (len(pos) * len(neg))


def curves(scores: Sequence[float], labels: Sequence[int]) -> dict[str, list[float]]:
    """PR and ROC points at every distinct score (plus the ends), for the plots."""
    ts = sorted(set(scores), reverse=True)
    pts = [confusion(scores, labels, t) for t in [math.inf, *ts]]
    return {
        "threshold": [p["threshold"] for p in pts],
        "precision": [p["precision"] for p in pts],
        "recall": [p["recall"] for p in pts],
        "fpr": [p["alert_rate"] for p in pts],
    }


@dataclass
class GroupResult:
    list_id: str
    kind: str
    n: int
    positives: int
    negatives: int
    grid: list[dict[str, Any]]
    auc: float | None
    f1_threshold: float
    recall_threshold: float
    alert_rate_threshold: float | None
    chosen: float
    match_threshold: float  # the group's configured match threshold (--config); written raised to the report one if below
    curves: dict[str, list[float]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return OVERALL if self.list_id == OVERALL else f"{self.list_id}/{self.kind}"

    def at(self, t: float) -> dict[str, Any]:
        return next(g for g in self.grid if g["threshold"] == t)


def f1_optimal(grid: Sequence[Mapping[str, Any]]) -> float:
    best = max(g["f1"] for g in grid)
    return next(g["threshold"] for g in grid if g["f1"] == best)


def recall_threshold(grid: Sequence[Mapping[str, Any]], target: float) -> float:
    ok = [g["threshold"] for g in grid if g["recall"] >= target]
    return max(ok) if ok else grid[0]["threshold"]


def alert_rate_threshold(grid: Sequence[Mapping[str, Any]], target: float) -> float | None:
    ok = [g["threshold"] for g in grid if g["alert_rate"] <= target]
    return min(ok) if ok else None


def analyse(
    scored: Sequence[Scored],
    config: engine.Config | None = None,
    target_recall: float = DEFAULT_TARGET_RECALL,
    target_alert_rate: float = DEFAULT_TARGET_ALERT_RATE,
    choose: str = "f1",
) -> list[GroupResult]:
    """One GroupResult per (list_id, kind), sorted, then the overall one (list_id "overall")."""
    if choose not in CHOICES:
        raise ValueError(f"choose: {choose!r} is not one of {', '.join(CHOICES)}")
    cfg = config or engine.Config()
    groups: dict[tuple[str, str], list[Scored]] = {}
    for s in scored:
        groups.setdefault(s.group, []).append(s)
    keys: list[tuple[str, str]] = sorted(groups) + [(OVERALL, OVERALL)]
    results = []
    for key in keys:
        members = list(scored) if key == (OVERALL, OVERALL) else groups[key]
        scores = [m.score for m in members]
        labels = [m.label for m in members]
        grid = [confusion(scores, labels, t) for t in GRID]
        f1_t = f1_optimal(grid)
        rec_t = recall_threshold(grid, target_recall)
        ar_t = alert_rate_threshold(grid, target_alert_rate)
        chosen = {"f1": f1_t, "recall": rec_t, "alert-rate": ar_t if ar_t is not None else 1.0}[choose]
        match = cfg.thresholds.match if key == (OVERALL, OVERALL) else cfg.thresholds_for(*key).match
        results.append(GroupResult(
            key[0], key[1], len(members), sum(labels), len(labels) - sum(labels), grid, roc_auc(scores, labels),
            f1_t, rec_t, ar_t, chosen, match, curves(scores, labels),
        ))
    return results


# --- thresholds.toml ---------------------------------------------------------------------------------


def toml_number(x: float) -> str:
    """Python's shortest round-trip form; the report's JavaScript writes the same (tomlNumber)."""
    return repr(float(x))


def toml_key(k: str) -> str:
    """A bare TOML key when it can be one, else a quoted one (JSON string escapes are TOML's)."""
    import json
    import re

    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def toml_parts(config: engine.Config | None, tuned: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(head, tail) of thresholds.toml around the tuned sections: the base thresholds and the untuned
    per-list / per-kind ones of `config`, then its weights and search settings, so that loading the file
    keeps everything else --config said."""
    import dataclasses

    cfg = config or engine.Config()
    tuned = set(tuned)
    head = [
        "# Written by `interdict tune`: thresholds per list and kind, in engine.Config's format.",
        "# Load with engine.Config.load / Screener.reload_config, or point the server's --config at it.",
        "",
        "[thresholds]",
        f"report = {toml_number(cfg.thresholds.report)}",
        f"match = {toml_number(cfg.thresholds.match)}",
        "",
    ]
    for list_id, t in sorted(cfg.list_thresholds.items()):
        head += [f"[thresholds.lists.{toml_key(list_id)}]", f"report = {toml_number(t.report)}",
                 f"match = {toml_number(t.match)}", ""]
    for (list_id, kind), t in sorted(cfg.kind_thresholds.items()):
        if (list_id, kind) in tuned:
            continue
        head += [f"[thresholds.lists.{toml_key(list_id)}.{toml_key(kind)}]", f"report = {toml_number(t.report)}",
                 f"match = {toml_number(t.match)}", ""]
    tail: list[str] = []
    defaults = engine.Weights()
    changed = [(f.name, getattr(cfg.weights, f.name)) for f in dataclasses.fields(engine.Weights)
               if getattr(cfg.weights, f.name) != getattr(defaults, f.name)]
    if changed:
        tail += ["[weights]", *(f"{k} = {toml_number(v)}" for k, v in changed), ""]
    if cfg.max_candidates != engine.Config().max_candidates:
        tail += ["[search]", f"max_candidates = {cfg.max_candidates}", ""]
    return "\n".join(head) + "\n", "\n".join(tail) + ("\n" if tail else "")


def tuned_section(list_id: str, kind: str, report: float, match: float) -> str:
    return (f"[thresholds.lists.{toml_key(list_id)}.{toml_key(kind)}]\n"
            f"report = {toml_number(report)}\nmatch = {toml_number(max(match, report))}\n\n")


def thresholds_toml(results: Sequence[GroupResult], config: engine.Config | None = None,
                    chosen: Mapping[tuple[str, str], float] | None = None) -> str:
    """The configuration applying the chosen threshold of each (list, kind) as its report threshold
    (`chosen` overrides; the match threshold is the configured one, raised to the report one if below)."""
    groups = [r for r in results if r.list_id != OVERALL]
    head, tail = toml_parts(config, [(r.list_id, r.kind) for r in groups])
    body = ""
    for r in groups:
        t = (chosen or {}).get((r.list_id, r.kind), r.chosen)
        body += tuned_section(r.list_id, r.kind, t, r.match_threshold)
    return head + body + tail
