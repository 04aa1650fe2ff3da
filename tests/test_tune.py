"""`interdict tune` and `interdict explain`: labels in, metrics checked by hand, a self-contained report whose
embedded JavaScript computes what Python computed (run under Node when present), and a thresholds.toml the
engine and a Screener's hot reload accept."""

from __future__ import annotations

import base64
import csv
import json
import random
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import engine
import watchlists
from server import cli, tune, tune_report

FIXTURE_HEADER = ["query_name", "candidate_name", "kind", "label", "list_id", "query_birth_date", "candidate_birth_date"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _perturb(name: str, rng: random.Random) -> str:
    tokens = name.split()
    how = rng.randrange(6)
    if how == 4 and len(tokens) > 2:
        del tokens[rng.randrange(len(tokens))]  # a name left out
    elif how == 5:
        return _perturb(_perturb(name, rng).upper(), rng)
    elif how == 0 and len(tokens) > 1:
        tokens = tokens[1:] + tokens[:1]  # order
    elif how == 1:
        i = rng.randrange(len(tokens))
        t = tokens[i]
        if len(t) > 3:
            j = rng.randrange(1, len(t) - 1)
            tokens[i] = t[:j] + t[j + 1:]  # a dropped letter
    elif how == 2:
        i = rng.randrange(len(tokens))
        tokens[i] = tokens[i].replace("I", "Y").replace("OU", "U").replace("PH", "F")
    return " ".join(tokens).title()


INNOCENT_GIVEN = ["Emily", "Juergen", "Maria", "Pierre", "Anna", "Tomasz", "Sofia", "Kenji", "Amara", "Lucas"]
INNOCENT_SURNAMES = ["Watson", "Mueller", "Garcia", "Dubois", "Kowalski", "Rossi", "Tanaka", "Okafor", "Silva", "Nilsen"]


def labelled_rows(n: int = 80, seed: int = 7) -> list[list[str]]:
    """Pairs from the embedded UN list: perturbed spellings (label 1), other listed names and innocent
    passengers (label 0), persons and organisations."""
    rng = random.Random(seed)
    wl = watchlists.default_list()
    people = [e for e in wl.entries if e.kind == "person" and e.names]
    orgs = [e for e in wl.entries if e.kind == "organization" and e.names]
    rows: list[list[str]] = []
    for entries, kind in ((people, "person"), (orgs, "organization")):
        for e in rng.sample(entries, n // 2):
            name = e.names[0]
            listed = ";".join(str(b) for b in e.birth_dates)
            same = str(e.birth_dates[0]) if listed and rng.random() < 0.6 else ""  # the traveller's own, when known
            rows.append([_perturb(name, rng), name, kind, "1", "un-sc", same, listed if same else ""])
            other = rng.choice(entries).names[0]
            if other != name:
                rows.append([other, name, kind, "0", "un-sc", "", ""])
            tokens = name.split()
            if len(tokens) > 1:  # a namesake: the listed surname, another given name, maybe another birth date
                born = f"{rng.randrange(1940, 2005)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}" if listed else ""
                rows.append([f"{rng.choice(INNOCENT_GIVEN)} {tokens[-1].title()}", name, kind, "0", "un-sc", born,
                             listed if born else ""])
            innocent = f"{rng.choice(INNOCENT_GIVEN)} {rng.choice(INNOCENT_SURNAMES)}"
            if kind == "organization":
                innocent += " Trading LLC"
            rows.append([innocent, name, kind, "0", "un-sc", "", ""])
    return rows


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("labels") / "labels.csv", FIXTURE_HEADER, labelled_rows())


@pytest.fixture(scope="module")
def tuned(labels_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tuned")
    assert cli.main(["tune", "--labels", str(labels_csv), "--out", str(out)]) == 0
    return out


# --- metrics by hand -----------------------------------------------------------------------------------

SCORES = [0.95, 0.90, 0.80, 0.70, 0.60, 0.40]
LABELS = [1, 1, 0, 1, 0, 0]


def test_confusion_by_hand():
    c = tune.confusion(SCORES, LABELS, 0.75)  # alerts: 0.95 (1), 0.90 (1), 0.80 (0)
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (2, 1, 1, 2)
    assert c["precision"] == pytest.approx(2 / 3)
    assert c["recall"] == pytest.approx(2 / 3)
    assert c["f1"] == pytest.approx(2 / 3)
    assert c["alert_rate"] == pytest.approx(1 / 3) and c["alerts_per_1000"] == pytest.approx(1000 / 3)
    c = tune.confusion(SCORES, LABELS, 0.70)  # the threshold itself alerts (score >= t)
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (3, 1, 0, 2)
    assert c["f1"] == pytest.approx(2 * 0.75 * 1 / 1.75)
    nothing = tune.confusion(SCORES, LABELS, 0.99)
    assert nothing["precision"] == 1.0 and nothing["recall"] == 0.0 and nothing["f1"] == 0.0


def test_thresholds_by_hand():
    grid = [tune.confusion(SCORES, LABELS, t) for t in tune.GRID]
    # F1 is 6/7 for t in (0.60, 0.70]: TP 3, FP 1; the lowest such grid threshold is 0.61
    assert tune.f1_optimal(grid) == 0.61
    assert tune.recall_threshold(grid, 0.99) == 0.70  # the highest keeping all three matches
    assert tune.recall_threshold(grid, 0.6) == 0.90   # two of three
    assert tune.alert_rate_threshold(grid, 0.0) == 0.81  # no non-match alerts
    assert tune.alert_rate_threshold(grid, 0.34) == 0.61  # one of three may
    assert tune.roc_auc(SCORES, LABELS) == pytest.approx(8 / 9)  # 0.70 loses to 0.80 only
    assert tune.roc_auc([0.5, 0.5], [1, 0]) == 0.5
    assert tune.roc_auc([0.5], [1]) is None


def test_analyse_groups_and_choices():
    def s(score, label, kind="person", list_id="a"):
        return tune.Scored("x", list_id, kind, label, score, "", "q", "c", "c", {"name": score}, ("name",))

    scored = [s(x, y) for x, y in zip(SCORES, LABELS)] + [s(0.9, 1, "organization"), s(0.3, 0, "organization")]
    results = tune.analyse(scored, target_recall=0.99, target_alert_rate=0.0)
    assert [r.key for r in results] == ["a/organization", "a/person", "overall"]
    person = results[1]
    assert (person.f1_threshold, person.recall_threshold, person.alert_rate_threshold) == (0.61, 0.70, 0.81)
    assert person.chosen == 0.61 and person.n == 6 and person.positives == 3
    assert results[2].n == 8
    assert tune.analyse(scored, choose="recall")[1].chosen == 0.70
    assert tune.analyse(scored, choose="alert-rate", target_alert_rate=0.0)[1].chosen == 0.81
    # a chosen report threshold above the configured match threshold raises the match threshold
    text = tune.thresholds_toml(results, chosen={("a", "person"): 0.97})
    cfg = engine.Config.from_dict(tomllib.loads(text))
    assert cfg.thresholds_for("a", "person") == engine.Thresholds(0.97, 0.97)
    assert cfg.thresholds_for("a", "organization").report == results[0].chosen


# --- the labels file ---------------------------------------------------------------------------------


def _tune(tmp_path, *args) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(["tune", *args, "--out", str(tmp_path / "out")])
    return code, err.getvalue()


@pytest.mark.parametrize("header,row,message", [
    (["query_name", "candidate_name", "label"], ["A B", "A B", "1"], "missing column 'kind'"),
    (["query_name", "kind", "label"], ["A B", "person", "1"], "missing column 'candidate_name'"),
    (["query_name", "candidate_name", "kind", "label"], ["A B", "A B", "person", "maybe"], "labels.csv:2: label: 'maybe'"),
    (["query_name", "candidate_name", "kind", "label"], ["A B", "A B", "ship", "1"], "labels.csv:2: kind: 'ship'"),
    (["query_name", "candidate_name", "kind", "label"], ["", "A B", "person", "1"], "labels.csv:2: query_name: empty"),
    (["query_name", "candidate_name", "kind", "label", "query_birth_date"], ["A B", "A B", "person", "1", "1970-02-30"],
     "labels.csv:2: query_birth_date:"),
    (["query_name", "candidate_name", "kind", "label", "query_birthdate"], ["A B", "A B", "person", "1", "1970"],
     "unknown column 'query_birthdate'"),
])
def test_bad_labels_name_the_column_or_row(tmp_path, header, row, message):
    src = write_csv(tmp_path / "labels.csv", header, [row])
    code, err = _tune(tmp_path, "--labels", str(src))
    assert code == cli.EXIT_INPUT
    assert message in err, err
    assert "Traceback" not in err


def test_missing_and_empty_files(tmp_path):
    code, err = _tune(tmp_path, "--labels", str(tmp_path / "nope.csv"))
    assert code == cli.EXIT_INPUT and "no such file" in err
    (tmp_path / "empty.csv").write_text("query_name,candidate_name,kind,label\n")
    code, err = _tune(tmp_path, "--labels", str(tmp_path / "empty.csv"))
    assert code == cli.EXIT_INPUT and "no labelled pairs" in err


def test_parquet_labels_and_fields(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "query_name": ["Eric Badege", "Eric Badege", "Emily Watson"],
        "candidate_name": ["ERIC BADEGE", "ERIC BADEGE", "ERIC BADEGE"],
        "kind": ["person"] * 3,
        "label": [1, 0, 0],
        "query_birth_date": ["1971", "1950", None],
        "candidate_birth_date": ["1971", "1971", "1971"],
        "candidate_nationality": ["COD", "COD", "COD"],
        "query_nationality": ["COD", None, None],
    })
    pq.write_table(table, tmp_path / "labels.parquet")
    pairs = tune.read_labels(tmp_path / "labels.parquet")
    assert pairs[0].where.endswith("labels.parquet row 1") and pairs[0].label == 1
    assert pairs[0].query == {"kind": "person", "name": "Eric Badege", "birth_date": "1971", "nationality": "COD"}
    assert pairs[0].candidate["birth_dates"] == ["1971"] and pairs[0].list_id == "default"
    scored = tune.score_pairs(pairs)
    assert "birth_date.year" in scored[0].features and "birth_date.conflict" in scored[1].features
    assert scored[0].score > scored[1].score
    bad = pa.table({"query_name": ["A"], "candidate_name": ["A"], "kind": ["person"], "label": [2]})
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(tune.LabelsError, match=r"bad.parquet row 1: label: '2'"):
        tune.read_labels(tmp_path / "bad.parquet")


def test_entry_ids_from_a_list(tmp_path):
    src = write_csv(tmp_path / "labels.csv", ["query_name", "entry_id", "kind", "label"],
                    [["Erik Badege", "CDi.001", "person", "1"], ["Emily Watson", "CDi.001", "person", "0"]])
    code, err = _tune(tmp_path, "--labels", str(src))
    assert code == cli.EXIT_INPUT and "entry_id with --list" in err
    code, err = _tune(tmp_path, "--labels", str(src), "--list", "default")
    assert code == 0, err
    toml = tomllib.loads((tmp_path / "out" / "thresholds.toml").read_text())
    assert "person" in toml["thresholds"]["lists"]["un-sc"]  # the entry's list
    bad = write_csv(tmp_path / "bad.csv", ["query_name", "entry_id", "kind", "label"], [["A B", "XX.999", "person", "1"]])
    code, err = _tune(tmp_path, "--labels", str(bad), "--list", "default")
    assert code == cli.EXIT_INPUT and "bad.csv:2: entry_id: 'XX.999' is not on the list" in err


# --- the report --------------------------------------------------------------------------------------


def _embedded(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="interdict-data">(.*?)</script>', page, re.S)
    assert m
    return json.loads(m.group(1))


def test_report_is_self_contained(tuned):
    page = (tuned / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "@import" not in page and "url(" not in page
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) == 3
    for uri in images:
        assert uri.startswith("data:image/png;base64,")
        png = base64.b64decode(uri.split(",", 1)[1])
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    for title in ("Score distributions by label", "Precision-recall and ROC", "Expected alerts per 1,000 passengers",
                  "Worst false negatives", "Worst false positives", "Threshold explorer"):
        assert title in page
    data = _embedded(page)
    slugs = [g["slug"] for g in data["groups"]]
    assert slugs == ["un-sc-organization", "un-sc-person"]
    for s in slugs + ["overall"]:
        for prefix in ("precision", "recall", "f1", "alerts", "tp", "fp", "fn", "tn"):
            assert f'id="{prefix}-{s}"' in page or f"id='{prefix}-{s}'" in page, (prefix, s)
    for s in slugs:
        assert f'id="slider-{s}"' in page and f'id="nearest-{s}"' in page
    assert 'id="download-toml"' in page
    assert len(data["pairs"]) == len(labelled_rows())
    assert all(p["e"] and p["e"][0].startswith("name ") for p in data["pairs"])


def test_embedded_figures_match_a_recount(tuned):
    """What the page's JavaScript computes (the same counting, in Python here) equals Python's figures."""
    data = _embedded((tuned / "report.html").read_text(encoding="utf-8"))
    for g, grp in enumerate(data["groups"]):
        pairs = [p for p in data["pairs"] if p["g"] == g]
        for t, row in zip(data["grid"], grp["grid"]):
            c = tune.confusion([p["s"] for p in pairs], [p["y"] for p in pairs], t)
            assert {k: c[k] for k in row} == row


def test_names_cannot_break_out_of_the_script(tmp_path):
    nasty = 'Eve </script><script>alert(1)</script> <!-- & "O\'Neil"'
    src = write_csv(tmp_path / "labels.csv", ["query_name", "candidate_name", "kind", "label", "list_id"],
                    [[nasty, "Eve O'Neil", "person", "1", 'weird "list" </b>'], ["Adam Smith", "Eve O'Neil", "person", "0", 'weird "list" </b>']])
    code, err = _tune(tmp_path, "--labels", str(src))
    assert code == 0, err
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and page.count("</script>") == 3
    assert _embedded(page)["pairs"][0]["q"] == nasty
    cfg = engine.Config.load(tmp_path / "out" / "thresholds.toml")
    assert ('weird "list" </b>', "person") in cfg.kind_thresholds


node = shutil.which("node")


@pytest.mark.skipif(node is None, reason="no node to run the page's JavaScript")
def test_the_page_javascript_agrees_with_python(tuned, tmp_path):
    page = (tuned / "report.html").read_text(encoding="utf-8")
    logic = re.search(r'<script id="interdict-logic">(.*?)</script>', page, re.S).group(1)
    (tmp_path / "logic.js").write_text(logic, encoding="utf-8")
    (tmp_path / "data.json").write_text(json.dumps(_embedded(page)), encoding="utf-8")
    (tmp_path / "run.js").write_text(
        """
const T = require('./logic.js');
const data = JSON.parse(require('fs').readFileSync(__dirname + '/data.json', 'utf8'));
const grids = data.groups.map((grp, g) => data.grid.map(t => T.confusionAt(T.groupPairs(data, g), t)));
const chosen = data.groups.map(grp => grp.chosen);
const overall = data.grid.map(t => T.overallAt(data, data.groups.map(() => t)));
const nearest = T.nearest(T.groupPairs(data, 0), chosen[0], 5).map(p => [p.s, T.outcome(p, chosen[0])]);
process.stdout.write(JSON.stringify({grids, overall, toml: T.buildToml(data, chosen), nearest}));
""",
        encoding="utf-8",
    )
    r = subprocess.run([node, str(tmp_path / "run.js")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    data = _embedded(page)
    for grp, grid in zip(data["groups"], js["grids"]):
        assert grid == grp["grid"]  # exact: same counts, same floating-point operations
    assert js["overall"] == data["overall_grid"]
    assert js["toml"] == (tuned / "thresholds.toml").read_text(encoding="utf-8")
    t0 = data["groups"][0]["chosen"]
    ours = sorted((p for p in data["pairs"] if p["g"] == 0), key=lambda p: (abs(p["s"] - t0), -p["s"]))[:5]
    assert [p["s"] for p in ours] == [s for s, _ in js["nearest"]]


# --- thresholds.toml ---------------------------------------------------------------------------------


def test_thresholds_toml_loads_and_hot_reloads(tuned, tmp_path):
    path = tuned / "thresholds.toml"
    cfg = engine.Config.load(path)
    data = _embedded((tuned / "report.html").read_text(encoding="utf-8"))
    for grp in data["groups"]:
        t = cfg.thresholds_for(grp["list_id"], grp["kind"])
        assert t.report == grp["chosen"] and t.match >= t.report
    screener = engine.Screener(watchlists.default_list())
    assert screener.config.thresholds_for("un-sc", "person").report == engine.DEFAULT_THRESHOLD
    live = tmp_path / "live.toml"
    live.write_text("[thresholds]\nreport = 0.85\n", encoding="utf-8")
    screener.reload_config(live)
    shutil.copy(path, live)  # an operator drops the tuned file in place; the server re-reads it (SIGHUP / reload)
    screener.reload_config()
    assert screener.config.thresholds_for("un-sc", "person").report == data["groups"][1]["chosen"]
    assert screener.config.thresholds_for("un-sc", "organization").report == data["groups"][0]["chosen"]


def test_tune_keeps_the_rest_of_the_config(labels_csv, tmp_path):
    base = tmp_path / "base.toml"
    base.write_text("[thresholds]\nreport = 0.8\nmatch = 0.9\n[thresholds.lists.eu]\nreport = 0.7\n"
                    "[weights]\nbirth_date_exact = 0.2\n[search]\nmax_candidates = 50\n", encoding="utf-8")
    code, err = _tune(tmp_path, "--labels", str(labels_csv), "--config", str(base), "--choose", "recall",
                      "--target-recall", "0.9")
    assert code == 0, err
    cfg = engine.Config.load(tmp_path / "out" / "thresholds.toml")
    assert cfg.thresholds == engine.Thresholds(0.8, 0.9)
    assert cfg.list_thresholds["eu"].report == 0.7
    assert cfg.weights.birth_date_exact == 0.2 and cfg.max_candidates == 50
    results = tune.analyse(tune.score_pairs(tune.read_labels(labels_csv), engine.Config.load(base)),
                           engine.Config.load(base), target_recall=0.9, choose="recall")
    for r in results[:-1]:
        assert cfg.thresholds_for(r.list_id, r.kind).report == r.recall_threshold
        assert r.at(r.recall_threshold)["recall"] >= 0.9


def test_tune_separates_the_generated_set(tuned):
    """The engine tells perturbed listed names from other names: the generated set is near separable."""
    data = _embedded((tuned / "report.html").read_text(encoding="utf-8"))
    for grp in data["groups"]:
        best = grp["grid"][round(grp["f1_threshold"] * 100)]
        assert best["f1"] > 0.85, grp["slug"]


# --- explain -----------------------------------------------------------------------------------------


def test_explain_text_and_json(capsys):
    assert cli.main(["explain", "--query", '{"name": "Erik Badege", "birth_date": "1971"}',
                     "--entry-id", "CDi.001", "--list", "default"]) == 0
    out = capsys.readouterr().out
    # the year agrees with a name at 0.96: 0.03, lifted 0.2 x 0.04 (engine.scoring.deepen_conflict)
    assert "name" in out and "birth_date.year" in out and "+0.039" in out and "band: match" in out
    assert "counts 0.01 more: the name agrees only to 0.96" in out
    assert cli.main(["explain", "--query", "John Smith", "--candidate",
                     '{"names": ["Jon Smith"], "birth_dates": ["1960"]}', "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    m = engine.score_pair({"name": "John Smith"}, {"id": "candidate", "names": ["Jon Smith"], "birth_dates": ["1960"]})
    assert d["score"] == m.score and d["band"] == m.band and d["features"] == m.features
    assert [c["feature"] for c in d["contributions"]] == list(m.features)
    assert sum(c["value"] for c in d["contributions"]) == pytest.approx(m.score)
    assert d["explanation"] == list(m.explanation)


def test_explain_errors(capsys):
    assert cli.main(["explain", "--query", "{not json", "--candidate", "A"]) == cli.EXIT_INPUT
    assert "--query: not JSON" in capsys.readouterr().err
    assert cli.main(["explain", "--query", "A B"]) == cli.EXIT_INPUT
    assert "--candidate" in capsys.readouterr().err
    assert cli.main(["explain", "--query", "A B", "--entry-id", "XX.1", "--list", "default"]) == cli.EXIT_INPUT
    assert "'XX.1' is not on list un-sc" in capsys.readouterr().err
    assert cli.main(["explain", "--query", '{"name": "A", "birth_date": "1970-13-01"}', "--candidate", "A"]) == cli.EXIT_INPUT
    assert "birth_date" in capsys.readouterr().err


def test_feature_lines_pair_each_feature_with_its_line():
    m = engine.score_pair({"name": "Erik Badege", "birth_date": "1950", "nationality": "COD"},
                          {"id": "1", "names": ["ERIC BADEGE"], "birth_dates": ["1971"], "nationalities": ["COD"]})
    lines = tune_report.feature_lines(m.features, m.explanation)
    assert [k for k, _, _ in lines] == list(m.features)
    assert lines[0][2].startswith("name ")
    assert dict((k, line) for k, _, line in lines)["birth_date.conflict"].lower().count("birth") >= 1


DOM_STUB = r"""
// The least DOM the page's scripts use: elements by id, created elements, events; no layout.
const fs = require('fs');
const page = fs.readFileSync(process.argv[2], 'utf8');
const ids = {};
function el(tag, id) {
  const e = {tag, id, children: [], listeners: {}, textContent: '', value: '', className: '',
    appendChild(c) { this.children.push(c); return c; },
    removeChild(c) { this.children.splice(this.children.indexOf(c), 1); return c; },
    get firstChild() { return this.children[0] || null; },
    addEventListener(type, f) { (this.listeners[type] = this.listeners[type] || []).push(f); },
    dispatch(type) { (this.listeners[type] || []).forEach(f => f({type})); },
    click() { this.dispatch('click'); }};
  if (id) ids[id] = e;
  return e;
}
for (const m of page.matchAll(/<(\w+)[^>]*?\sid=["']([^"']+)["'][^>]*>/g)) {
  const e = el(m[1], m[2]);
  const v = m[0].match(/\svalue=["']([^"']*)["']/);
  if (v) e.value = v[1];
}
ids['interdict-data'].textContent = page.match(/<script type="application\/json" id="interdict-data">([\s\S]*?)<\/script>/)[1];
const downloads = [];
global.document = {getElementById: id => ids[id] || null, createElement: tag => el(tag), body: el('body')};
global.Blob = function (parts) { this.text = parts.join(''); };
global.URL = {createObjectURL: b => { downloads.push(b.text); return 'blob:x'; }, revokeObjectURL() {}};
global.setTimeout = () => 0;
const code = ['interdict-logic', 'interdict-ui'].map(
  id => page.match(new RegExp('<script id="' + id + '">([\\s\\S]*?)</script>'))[1]).join('\n');
new Function(code)();
const out = {initial: {}, moved: {}};
const slugs = Object.keys(ids).filter(k => k.startsWith('slider-')).map(k => k.slice(7));
const read = s => Object.fromEntries(['threshold', 'precision', 'recall', 'f1', 'alerts', 'tp', 'fp', 'fn', 'tn']
  .filter(k => ids[k + '-' + s]).map(k => [k, ids[k + '-' + s].textContent]));
for (const s of slugs) out.initial[s] = read(s);
out.initial.overall = read('overall');
out.nearest = ids['nearest-' + slugs[0]].children.length;
ids['slider-' + slugs[0]].value = '50';
ids['slider-' + slugs[0]].dispatch('input');
out.moved[slugs[0]] = read(slugs[0]);
ids['download-toml'].click();
out.download = downloads[0];
out.preview = ids['toml-preview'].textContent;
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(node is None, reason="no node to run the page's JavaScript")
def test_the_explorer_drives_its_elements(tuned, tmp_path):
    """The UI script against a stub DOM: initial figures at the chosen thresholds, a moved slider, the download."""
    (tmp_path / "dom.js").write_text(DOM_STUB, encoding="utf-8")
    r = subprocess.run([node, str(tmp_path / "dom.js"), str(tuned / "report.html")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    data = _embedded((tuned / "report.html").read_text(encoding="utf-8"))
    for grp in data["groups"]:
        shown = out["initial"][grp["slug"]]
        row = grp["grid"][round(grp["chosen"] * 100)]
        assert shown["threshold"] == f"{grp['chosen']:.2f}"
        assert shown["precision"] == f"{row['precision']:.3f}" and shown["recall"] == f"{row['recall']:.3f}"
        assert shown["alerts"] == f"{row['alerts_per_1000']:.2f}"
        assert [shown[k] for k in ("tp", "fp", "fn", "tn")] == [str(row[k]) for k in ("tp", "fp", "fn", "tn")]
    assert out["nearest"] == 15
    overall = data["overall_grid"]  # every group at its chosen threshold: the sum of their counts
    for k in ("tp", "fp", "fn", "tn"):
        assert out["initial"]["overall"][k] == str(sum(g["grid"][round(g["chosen"] * 100)][k] for g in data["groups"]))
    assert len(overall) == 101
    first = data["groups"][0]
    moved, row = out["moved"][first["slug"]], first["grid"][50]
    assert moved["threshold"] == "0.50" and moved["tp"] == str(row["tp"]) and moved["fp"] == str(row["fp"])
    toml = tomllib.loads(out["download"])
    assert toml["thresholds"]["lists"][first["list_id"]][first["kind"]]["report"] == 0.5
    assert out["preview"] == out["download"]
    assert engine.Config.from_dict(toml).thresholds_for(first["list_id"], first["kind"]).report == 0.5


# --- --fit -------------------------------------------------------------------------------------------


def test_logistic_regression_reaches_its_optimum():
    import numpy as np

    from server import tune_fit

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    y = (X @ [2.0, -1.0] + 0.5 + rng.logistic(size=400) > 0).astype(float)
    beta, iterations = tune_fit.logistic(X, y, l2=1.0)
    A = np.hstack([np.ones((400, 1)), X])
    p = 1 / (1 + np.exp(-A @ beta))
    grad = A.T @ (p - y) + np.array([0.0, 1.0, 1.0]) * beta  # zero at the penalised optimum
    assert np.max(np.abs(grad)) < 1e-8 and iterations < 20
    assert beta[1] > 1.2 and beta[2] < -0.6 and beta[0] > 0  # near the truth, shrunk a little


def test_fit_learns_what_the_evidence_says():
    """Birth-date conflicts only on non-matches, nationality agreement on both alike: the conflict's fitted
    weight is strongly negative, the nationality's near zero; weights.toml loads."""
    from server import tune_fit

    rng = random.Random(5)

    def s(name, label, **features):
        return tune.Scored("x", "a", "person", label, 0.0, "", "q", "c", "c", {"name": name, **features}, ())

    scored = []
    for _ in range(150):
        nat = {"nationality.match": 0.02} if rng.random() < 0.5 else {}
        scored.append(s(rng.uniform(0.85, 1.0), 1, **nat))
        scored.append(s(rng.uniform(0.85, 1.0), 0, **{"birth_date.conflict": -0.15}, **nat))
        scored.append(s(rng.uniform(0.3, 0.85), 0, **({"nationality.match": 0.02} if rng.random() < 0.5 else {})))
    result = tune_fit.fit(scored)
    assert result.weights.birth_date_conflict < -0.2
    assert abs(result.weights.nationality_match) < 0.05
    assert result.counts["birth_date_conflict"] == 150
    assert result.weights.sex_conflict == engine.Weights().sex_conflict  # never seen: kept
    cfg = engine.Config.from_dict(tomllib.loads(tune_fit.weights_toml(result)))
    assert cfg.weights == result.weights
    with pytest.raises(tune_fit.FitError, match="both"):
        tune_fit.fit([s(0.9, 1), s(0.8, 1)])


def test_fitted_weights_are_compared_on_held_out_folds():
    """Same-name pairs whose birth dates conflict are all non-matches here: a configuration blind to the
    conflict (weight 0) leaves them level with the matches, the fitted weight (learnt on the other folds)
    pushes them below, so held-out F1 rises; each fold holds pairs the fit never saw."""
    from server import tune_fit

    rng = random.Random(3)
    given = ["John", "Maria", "Ahmed", "Wei", "Olga", "Pierre", "Ana", "Ivan"]
    family = ["Smith", "Novak", "Haddad", "Chen", "Petrova", "Dubois", "Silva", "Ivanov"]
    pairs = []
    for i in range(120):
        name = f"{rng.choice(given)} {rng.choice(family)}"
        born = f"19{rng.randrange(40, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"
        other = f"19{rng.randrange(40, 99)}-0{rng.randrange(1, 9)}-2{rng.randrange(0, 9)}"
        label = i % 3 != 0
        candidate = {"id": f"c{i}", "names": [name], "birth_dates": [born]}
        if i % 3 == 2:  # a different person of a similar name, no birth date: the name decides
            query = {"name": f"{rng.choice(given)} {rng.choice(family)}"}
            label = query["name"] == name
        else:
            query = {"name": name, "birth_date": born if label else other}
        pairs.append(tune.Pair(f"t:{i}", "a", "person", int(label), query, candidate))
    blind = engine.Config.from_dict({"weights": {"birth_date_conflict": 0.0, "birth_date_conflict_name_gap": 0.0}})
    scored = tune.score_pairs(pairs, blind)
    folds = tune_fit.cross_validate(pairs, scored, blind, folds=4, seed=1)
    assert [f.fold for f in folds] == [1, 2, 3, 4] and sum(f.pairs for f in folds) == len(pairs)
    assert all(f.f1_after >= f.f1_before for f in folds)
    assert sum(f.f1_after for f in folds) > sum(f.f1_before for f in folds)


def test_tune_fit_writes_weights(labels_csv, tmp_path):
    code, err = _tune(tmp_path, "--labels", str(labels_csv), "--fit")
    assert code == 0, err
    assert "fitted weights" in err
    cfg = engine.Config.load(tmp_path / "out" / "weights.toml")
    assert cfg.thresholds == engine.Thresholds()
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Fitted weights (--fit)" in html and "id='fit-folds'" in html
