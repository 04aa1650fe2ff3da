"""report.html for `interdict tune`: one self-contained page (no network, no server).

Plots are matplotlib PNGs (Agg, no display) embedded as base64 data URIs. The scored pairs, the
per-threshold figures Python computed (server/tune.py) and the thresholds.toml head and tail are
embedded as JSON in <script type="application/json" id="interdict-data">, with every `<`, `>` and `&`
escaped, so no name can end the script. The explorer's JavaScript has two parts: `interdict-logic`,
pure functions (confusion counts, TOML) that a test runs under Node against the embedded figures, and
`interdict-ui`, which wires them to the page. Names and explanations reach the page via textContent only.

Stable element ids, per (list, kind) slug `<list>-<kind>` (characters outside [A-Za-z0-9_-] become `_`):
`slider-<slug>`, `threshold-<slug>`, `precision-<slug>`, `recall-<slug>`, `f1-<slug>`, `alerts-<slug>`,
`tp-<slug>`, `fp-<slug>`, `fn-<slug>`, `tn-<slug>`, `nearest-<slug>` (a tbody); the same metric ids with
the slug `overall` for all groups at their sliders; `download-toml` (the button) and `toml-preview`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Sequence

import engine

from .tune import GRID, OVERALL, GroupResult, Scored, toml_parts

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure(**kw: Any) -> "Figure":
    # imported on first plot: matplotlib costs ~1 s, and every `interdict` command loads this module
    from matplotlib.figure import Figure  # the Agg canvas: no display, no pyplot state

    return Figure(**kw)

WORST = 10


def slug(list_id: str, kind: str, taken: set[str]) -> str:
    s = re.sub(r"[^A-Za-z0-9_-]", "_", f"{list_id}-{kind}")
    base, n = s, 2
    while s in taken or s == OVERALL:
        s, n = f"{base}_{n}", n + 1
    taken.add(s)
    return s


def script_json(value: Any) -> str:
    """JSON safe inside <script>: no `<`, `>` or `&` survives, so no `</script>` or `<!--` either."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def plot_histograms(groups: Sequence[GroupResult], scored: Sequence[Scored]) -> str:
    real = [g for g in groups if g.list_id != OVERALL]
    fig = _figure(figsize=(8, 2.6 * len(real)))
    bins = [i / 50 for i in range(51)]
    for i, g in enumerate(real):
        ax = fig.add_subplot(len(real), 1, i + 1)
        scores = [s for s in scored if s.group == (g.list_id, g.kind)]
        ax.hist([s.score for s in scores if s.label == 0], bins=bins, alpha=0.6, label="label 0 (no match)", color="tab:blue")
        ax.hist([s.score for s in scores if s.label == 1], bins=bins, alpha=0.6, label="label 1 (match)", color="tab:red")
        ax.axvline(g.chosen, color="black", linestyle="--", label=f"chosen {g.chosen:.2f}")
        ax.set_title(f"{g.list_id} / {g.kind}: score by label")
        ax.set_xlabel("score")
        ax.set_ylabel("pairs")
        ax.set_xlim(0, 1)
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return _png(fig)


def plot_pr(groups: Sequence[GroupResult]) -> str:
    fig = _figure(figsize=(6, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    for g in groups:
        if g.positives:
            ax.plot(g.curves["recall"], g.curves["precision"], label=g.key, drawstyle="steps-post",
                    linewidth=2.5 if g.list_id == OVERALL else 1.5)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title("Precision-recall")
    ax.legend(loc="lower left", fontsize="small")
    return _png(fig)


def plot_roc(groups: Sequence[GroupResult]) -> str:
    fig = _figure(figsize=(6, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    for g in groups:
        if g.positives and g.negatives:
            ax.plot(g.curves["fpr"], g.curves["recall"], label=f"{g.key} (AUC {g.auc:.3f})",
                    linewidth=2.5 if g.list_id == OVERALL else 1.5)
    ax.set_xlabel("false positive rate (alert rate)")
    ax.set_ylabel("recall (true positive rate)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("ROC")
    ax.legend(loc="lower right", fontsize="small")
    return _png(fig)


def embedded_data(groups: Sequence[GroupResult], scored: Sequence[Scored], config: engine.Config | None,
                  target_recall: float, target_alert_rate: float, choose: str) -> dict[str, Any]:
    taken: set[str] = set()
    real = [g for g in groups if g.list_id != OVERALL]
    index = {(g.list_id, g.kind): i for i, g in enumerate(real)}
    head, tail = toml_parts(config, list(index))

    def grid(g: GroupResult) -> list[dict[str, Any]]:
        return [{k: row[k] for k in ("tp", "fp", "fn", "tn", "precision", "recall", "f1", "alerts_per_1000")}
                for row in g.grid]

    return {
        "format": "interdict-tune/1",
        "grid": list(GRID),
        "target_recall": target_recall,
        "target_alert_rate": target_alert_rate,
        "choose": choose,
        "groups": [
            {
                "slug": slug(g.list_id, g.kind, taken), "list_id": g.list_id, "kind": g.kind, "n": g.n,
                "positives": g.positives, "negatives": g.negatives, "chosen": g.chosen,
                "f1_threshold": g.f1_threshold, "recall_threshold": g.recall_threshold,
                "alert_rate_threshold": g.alert_rate_threshold, "match_threshold": g.match_threshold,
                "grid": grid(g),
            }
            for g in real
        ],
        "overall_grid": grid(groups[-1]),
        "pairs": [
            {"g": index[s.group], "s": s.score, "y": s.label, "q": s.query_name, "c": s.candidate_name,
             "m": s.matched_name, "w": s.where, "e": list(s.explanation),
             "f": {k: round(v, 4) for k, v in s.features.items()}}
            for s in scored
        ],
        "toml_head": head,
        "toml_tail": tail,
    }


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _summary(groups: Sequence[GroupResult], target_recall: float, target_alert_rate: float) -> str:
    rows = []
    for g in groups:
        def at(t: float | None, g: GroupResult = g) -> str:
            if t is None:
                return "none reaches it"
            m = g.at(t)
            return (f"<b>{t:.2f}</b>: P {m['precision']:.3f}, R {m['recall']:.3f}, F1 {m['f1']:.3f}, "
                    f"{m['alerts_per_1000']:.1f}/1,000")
        rows.append(
            f"<tr><td>{_esc(g.key)}</td><td>{g.n}</td><td>{g.positives}</td><td>{g.negatives}</td>"
            f"<td>{_fmt(g.auc, 4)}</td><td>{at(g.f1_threshold)}</td><td>{at(g.recall_threshold)}</td>"
            f"<td>{at(g.alert_rate_threshold)}</td><td>{'' if g.list_id == OVERALL else f'{g.chosen:.2f}'}</td></tr>"
        )
    return (
        "<table id='summary'><thead><tr><th>list / kind</th><th>pairs</th><th>matches</th><th>non-matches</th>"
        f"<th>ROC AUC</th><th>F1-optimal threshold</th><th>threshold for recall &ge; {target_recall:g}</th>"
        f"<th>threshold for &le; {1000 * target_alert_rate:g} alerts / 1,000</th><th>chosen</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _alerts_table(g: GroupResult) -> str:
    special = {g.f1_threshold, g.recall_threshold, g.alert_rate_threshold, g.chosen}
    ts = sorted({t for t in GRID if round(t * 100) % 5 == 0 and t >= 0.5} | {t for t in special if t is not None})
    rows = []
    for t in ts:
        m = g.at(t)
        tags = [name for name, v in (("F1-optimal", g.f1_threshold), ("recall target", g.recall_threshold),
                                     ("alert-rate target", g.alert_rate_threshold)) if v == t]
        rows.append(
            f"<tr{' class=special' if tags else ''}><td>{t:.2f}</td><td>{m['tp']}</td><td>{m['fp']}</td><td>{m['fn']}</td>"
            f"<td>{m['tn']}</td><td>{m['precision']:.3f}</td><td>{m['recall']:.3f}</td><td>{m['f1']:.3f}</td>"
            f"<td>{m['alerts_per_1000']:.2f}</td><td>{_esc(', '.join(tags))}</td></tr>"
        )
    return (
        f"<h3>{_esc(g.key)}</h3><table class='alerts'><thead><tr><th>threshold</th><th>TP</th><th>FP</th><th>FN</th>"
        "<th>TN</th><th>precision</th><th>recall</th><th>F1</th><th>alerts / 1,000 passengers</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _pair_rows(items: Sequence[Scored], chosen: dict[tuple[str, str], float]) -> str:
    if not items:
        return "<p>None at the chosen thresholds.</p>"
    rows = []
    for s in items:
        feats = "".join(
            f"<li><code>{_esc(k)}</code> {v:+.3f}{(' &mdash; ' + _esc(line)) if line else ''}</li>"
            for k, v, line in feature_lines(s.features, s.explanation)
        )
        rows.append(
            f"<tr><td>{_esc(s.where)}</td><td>{_esc(s.list_id)} / {_esc(s.kind)}</td><td>{_esc(s.query_name)}</td>"
            f"<td>{_esc(s.candidate_name)}</td><td>{s.score:.3f} (threshold {chosen[s.group]:.2f})</td><td><ul>{feats}</ul></td></tr>"
        )
    return ("<table class='worst'><thead><tr><th>row</th><th>list / kind</th><th>query</th><th>candidate</th>"
            f"<th>score</th><th>features and explanation</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def feature_lines(features: dict[str, float], explanation: Sequence[str]) -> list[tuple[str, float, str]]:
    """(feature, contribution, explanation line): engine.scoring explains the features in order, the
    name first, so the i-th line belongs to the i-th feature."""
    keys = list(features)
    lines = list(explanation)
    out = [(k, features[k], lines[i] if i < len(lines) else "") for i, k in enumerate(keys)]
    out += [("", 0.0, line) for line in lines[len(keys):]]
    return out


def render(
    groups: Sequence[GroupResult], scored: Sequence[Scored], *, source: str, config: engine.Config | None,
    target_recall: float, target_alert_rate: float, choose: str, fit: Any = None, folds: Sequence[Any] = (),
) -> str:
    chosen = {(g.list_id, g.kind): g.chosen for g in groups if g.list_id != OVERALL}
    fns = sorted((s for s in scored if s.label == 1 and s.score < chosen[s.group]), key=lambda s: s.score)[:WORST]
    fps = sorted((s for s in scored if s.label == 0 and s.score >= chosen[s.group]), key=lambda s: -s.score)[:WORST]
    data = embedded_data(groups, scored, config, target_recall, target_alert_rate, choose)
    explorer = "".join(_explorer_group(g) for g in data["groups"])
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Interdict threshold tuning: {_esc(source)}</title>
<style>{CSS}</style></head>
<body>
<h1>Interdict threshold tuning</h1>
<p id="meta">Labels <code>{_esc(source)}</code>: {len(scored)} pairs in {len(chosen)} list / kind group(s); engine
{_esc(engine.__version__)}; configuration {_esc((config.source if config else "") or "built-in defaults")}; generated {generated}.
Thresholds chosen by <b>{_esc(choose)}</b> (<code>--choose</code>).</p>
<details><summary>Definitions</summary><ul>
<li>A pair alerts at threshold <i>t</i> when its score &ge; <i>t</i> (the engine's report threshold).</li>
<li>Precision = TP / (TP + FP) (1 when nothing alerts); recall = TP / (TP + FN) (1 when there are no matches); F1 = 2PR / (P + R).</li>
<li>Alert rate = FP / (FP + TN), the share of non-matching pairs that alert; each labelled non-match stands for one innocent
passenger against the candidate the engine would show first, and true matches are rare among passengers, so
alerts per 1,000 passengers = 1,000 &times; alert rate.</li>
<li>Candidate thresholds: the grid 0.00, 0.01, &hellip;, 1.00. F1-optimal: the lowest with the highest F1. Recall target: the
highest reaching it. Alert-rate target: the lowest within it.</li></ul></details>

<h2>Summary</h2>
{_summary(groups, target_recall, target_alert_rate)}

<h2>Score distributions by label</h2>
<img id="plot-histograms" alt="score histograms by label" src="{plot_histograms(groups, scored)}">
<h2>Precision-recall and ROC</h2>
<img id="plot-pr" alt="precision-recall curves" src="{plot_pr(groups)}">
<img id="plot-roc" alt="ROC curves" src="{plot_roc(groups)}">

<h2>Expected alerts per 1,000 passengers</h2>
{''.join(_alerts_table(g) for g in groups)}

<h2>Worst false negatives (matches below the chosen threshold, lowest first)</h2>
<div id="worst-fn">{_pair_rows(fns, chosen)}</div>
<h2>Worst false positives (non-matches at or above the chosen threshold, highest first)</h2>
<div id="worst-fp">{_pair_rows(fps, chosen)}</div>

{_fit_section(fit, config)}
{_folds_section(folds)}
<h2>Threshold explorer</h2>
<p>Move a slider: the figures, the confusion counts and the pairs nearest the threshold follow. Everything runs in this
page; nothing is sent anywhere.</p>
<div id="overall-metrics" class="metrics">All groups at their sliders: precision <span id="precision-overall"></span>,
recall <span id="recall-overall"></span>, F1 <span id="f1-overall"></span>, alerts / 1,000 <span id="alerts-overall"></span>;
TP <span id="tp-overall"></span>, FP <span id="fp-overall"></span>, FN <span id="fn-overall"></span>, TN <span id="tn-overall"></span></div>
{explorer}
<p><button id="download-toml" type="button">Download thresholds.toml</button></p>
<pre id="toml-preview"></pre>

<script type="application/json" id="interdict-data">{script_json(data)}</script>
<script id="interdict-logic">{JS_LOGIC}</script>
<script id="interdict-ui">{JS_UI}</script>
</body></html>
"""


def _fit_section(fit: Any, config: engine.Config | None) -> str:
    """--fit: the fitted weights against the configured ones (server/tune_fit.py)."""
    if fit is None:
        return ""
    current = (config or engine.Config()).weights
    rows = "".join(
        f"<tr><td><code>{_esc(w)}</code></td><td>{n}</td><td>{getattr(current, w):+.3f}</td>"
        f"<td>{getattr(fit.weights, w):+.3f}</td><td>{fit.coefficients[w]:+.3f}</td></tr>"
        for w, n in fit.counts.items()
    )
    return (
        "<h2>Fitted weights (--fit)</h2><p>Logistic regression on the name score and the evidence that fired; "
        f"name coefficient {fit.name_coefficient:.3f}, intercept {fit.intercept:.3f}; the fitted weight is the "
        f"coefficient over the name's; implied threshold {fit.implied_threshold:.3f}. Written to weights.toml: "
        "score with it (<code>--config</code>) and tune again.</p>"
        "<table id='fitted-weights'><thead><tr><th>weight</th><th>pairs</th><th>configured</th><th>fitted</th>"
        f"<th>coefficient</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _folds_section(folds: Sequence[Any]) -> str:
    """--fit: before and after on held-out folds (server/tune_fit.cross_validate)."""
    if not folds:
        return ""
    auc = lambda v: "-" if v is None else f"{v:.4f}"
    rows = "".join(
        f"<tr><td>{f.fold}</td><td>{f.pairs}</td><td>{auc(f.auc_before)}</td><td>{auc(f.auc_after)}</td>"
        f"<td>{f.f1_before:.4f}</td><td>{f.f1_after:.4f}</td></tr>"
        for f in folds
    )
    mean = lambda xs: sum(xs) / len(xs)
    f1b, f1a = mean([f.f1_before for f in folds]), mean([f.f1_after for f in folds])
    return (
        f"<h2>Fitted weights on held-out folds</h2><p>{len(folds)}-fold: weights fitted on the other folds, each fold "
        "scored with the configured and with the fitted weights; F1 at each side's best threshold. "
        f"Mean F1 {f1b:.4f} before, {f1a:.4f} after.</p>"
        "<table id='fit-folds'><thead><tr><th>fold</th><th>pairs</th><th>AUC before</th><th>AUC after</th>"
        f"<th>F1 before</th><th>F1 after</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _explorer_group(g: dict[str, Any]) -> str:
    s = _esc(g["slug"])
    index = round(g["chosen"] * 100)
    metric = lambda name, label: f"{label} <span id='{name}-{s}'></span>"
    return f"""<section class="group" id="group-{s}">
<h3>{_esc(g['list_id'])} / {_esc(g['kind'])} <small>({g['n']} pairs: {g['positives']} matches, {g['negatives']} non-matches)</small></h3>
<label>threshold <input type="range" id="slider-{s}" min="0" max="100" step="1" value="{index}" data-group="{s}">
<output id="threshold-{s}">{g['chosen']:.2f}</output></label>
<div class="metrics">{metric('precision', 'precision')}, {metric('recall', 'recall')}, {metric('f1', 'F1')},
{metric('alerts', 'alerts / 1,000')}; {metric('tp', 'TP')}, {metric('fp', 'FP')}, {metric('fn', 'FN')}, {metric('tn', 'TN')}</div>
<table class="nearest"><thead><tr><th>score</th><th>label</th><th>outcome</th><th>query</th><th>candidate</th><th>row</th>
<th>explanation</th></tr></thead><tbody id="nearest-{s}"></tbody></table>
</section>
"""


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f2f2f2}tr.special{background:#fff6d5}img{max-width:100%;margin:.5em 0}code{font-size:.9em}
.group{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;margin:1em 0}.metrics{margin:.4em 0;font-variant-numeric:tabular-nums}
.metrics span{font-weight:bold}input[type=range]{width:30em;vertical-align:middle}ul{margin:0;padding-left:1.2em}
td.FN{color:#b00;font-weight:bold}td.FP{color:#b60;font-weight:bold}pre{background:#f7f7f7;padding:.5em;overflow:auto}
"""

# Pure functions: no DOM. A test runs this under Node and compares with the figures Python embedded.
JS_LOGIC = r"""
"use strict";
var InterdictTune = (function () {
  function confusionAt(pairs, t) {
    var tp = 0, fp = 0, fn = 0, tn = 0;
    for (var i = 0; i < pairs.length; i++) {
      var p = pairs[i];
      if (p.s >= t) { if (p.y) tp++; else fp++; } else if (p.y) fn++; else tn++;
    }
    var precision = tp + fp ? tp / (tp + fp) : 1.0;
    var recall = tp + fn ? tp / (tp + fn) : 1.0;
    var f1 = precision + recall ? 2 * precision * recall / (precision + recall) : 0.0;
    var alertRate = fp + tn ? fp / (fp + tn) : 0.0;
    return {tp: tp, fp: fp, fn: fn, tn: tn, precision: precision, recall: recall, f1: f1,
            alerts_per_1000: 1000.0 * alertRate};
  }
  function groupPairs(data, g) {
    return data.pairs.filter(function (p) { return p.g === g; });
  }
  // All groups, each at its own threshold: thresholds[g] for group index g.
  function overallAt(data, thresholds) {
    var tp = 0, fp = 0, fn = 0, tn = 0;
    for (var g = 0; g < data.groups.length; g++) {
      var c = confusionAt(groupPairs(data, g), thresholds[g]);
      tp += c.tp; fp += c.fp; fn += c.fn; tn += c.tn;
    }
    var precision = tp + fp ? tp / (tp + fp) : 1.0;
    var recall = tp + fn ? tp / (tp + fn) : 1.0;
    var f1 = precision + recall ? 2 * precision * recall / (precision + recall) : 0.0;
    return {tp: tp, fp: fp, fn: fn, tn: tn, precision: precision, recall: recall, f1: f1,
            alerts_per_1000: 1000.0 * (fp + tn ? fp / (fp + tn) : 0.0)};
  }
  function nearest(pairs, t, n) {
    return pairs.slice().sort(function (a, b) {
      return Math.abs(a.s - t) - Math.abs(b.s - t) || b.s - a.s;
    }).slice(0, n);
  }
  function outcome(p, t) {
    return p.s >= t ? (p.y ? "TP" : "FP") : (p.y ? "FN" : "TN");
  }
  // Python's repr(float) for the values written here (thresholds in [0, 1]).
  function tomlNumber(x) {
    return Number.isInteger(x) ? x.toFixed(1) : String(x);
  }
  function tomlKey(k) {
    return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
  }
  // thresholds.toml with thresholds[g] as the report threshold of group g (server/tune.py thresholds_toml).
  function buildToml(data, thresholds) {
    var body = "";
    for (var g = 0; g < data.groups.length; g++) {
      var grp = data.groups[g], t = thresholds[g];
      body += "[thresholds.lists." + tomlKey(grp.list_id) + "." + tomlKey(grp.kind) + "]\n" +
              "report = " + tomlNumber(t) + "\nmatch = " + tomlNumber(Math.max(grp.match_threshold, t)) + "\n\n";
    }
    return data.toml_head + body + data.toml_tail;
  }
  return {confusionAt: confusionAt, groupPairs: groupPairs, overallAt: overallAt, nearest: nearest,
          outcome: outcome, tomlNumber: tomlNumber, tomlKey: tomlKey, buildToml: buildToml};
})();
if (typeof module !== "undefined") { module.exports = InterdictTune; }
"""

JS_UI = r"""
"use strict";
(function () {
  var T = InterdictTune;
  var data = JSON.parse(document.getElementById("interdict-data").textContent);
  var NEAREST = 15;
  var byGroup = data.groups.map(function (_, g) { return T.groupPairs(data, g); });
  function threshold(g) {
    return data.grid[Number(document.getElementById("slider-" + data.groups[g].slug).value)];
  }
  function thresholds() { return data.groups.map(function (_, g) { return threshold(g); }); }
  function show(slug, c) {
    document.getElementById("precision-" + slug).textContent = c.precision.toFixed(3);
    document.getElementById("recall-" + slug).textContent = c.recall.toFixed(3);
    document.getElementById("f1-" + slug).textContent = c.f1.toFixed(3);
    document.getElementById("alerts-" + slug).textContent = c.alerts_per_1000.toFixed(2);
    ["tp", "fp", "fn", "tn"].forEach(function (k) { document.getElementById(k + "-" + slug).textContent = String(c[k]); });
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function update(g) {
    var grp = data.groups[g], t = threshold(g);
    document.getElementById("threshold-" + grp.slug).textContent = t.toFixed(2);
    show(grp.slug, T.confusionAt(byGroup[g], t));
    var body = document.getElementById("nearest-" + grp.slug);
    while (body.firstChild) body.removeChild(body.firstChild);
    T.nearest(byGroup[g], t, NEAREST).forEach(function (p) {
      var tr = document.createElement("tr");
      var o = T.outcome(p, t);
      cell(tr, p.s.toFixed(3)); cell(tr, String(p.y)); cell(tr, o, o); cell(tr, p.q); cell(tr, p.c); cell(tr, p.w);
      var td = cell(tr, ""), ul = document.createElement("ul");
      p.e.forEach(function (line) { var li = document.createElement("li"); li.textContent = line; ul.appendChild(li); });
      td.appendChild(ul);
      body.appendChild(tr);
    });
  }
  function updateOverall() {
    show("overall", T.overallAt(data, thresholds()));
    document.getElementById("toml-preview").textContent = T.buildToml(data, thresholds());
  }
  data.groups.forEach(function (grp, g) {
    document.getElementById("slider-" + grp.slug).addEventListener("input", function () { update(g); updateOverall(); });
    update(g);
  });
  updateOverall();
  document.getElementById("download-toml").addEventListener("click", function () {
    var blob = new Blob([T.buildToml(data, thresholds())], {type: "application/toml"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "thresholds.toml";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  });
})();
"""
