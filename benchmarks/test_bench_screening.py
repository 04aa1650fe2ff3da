"""Screening speed at watchlist scale, side by side with rapidfuzz brute force (issue 4).

A seeded watchlist generated from the culture-tagged FEBRL name tables (given names and surname of the
same culture; entries with 1-2 aliases and a birth date), and queries that are perturbed list names
(one typo, surname/given reorder, dropped middle name, transliteration variant; the planted entry is
known) plus fresh names. Measured in one run:

- `Screener.screen` throughput in batches of 10,000 queries (queries/s), and the top-10 recall of the
  planted entries (default threshold);
- single-query latency: a loop of one-query `screen` calls, p50 / p99;
- name index build time and memory, in a child process (RSS after the build minus RSS before it, from
  /proc/self/status; ru_maxrss would start at the parent's size);
- rapidfuzz brute force, `process.cdist(sample, all_names, scorer=fuzz.WRatio, workers=-1)` on a
  sample of the queries, extrapolated per query, and its top-10 recall on the same sample.

Small by default (a correctness test of a few seconds); INTERDICT_BENCH_LARGE=1 for the issue's
1,000,000 names:

    INTERDICT_BENCH_LARGE=1 python -m pytest benchmarks/test_bench_screening.py -q -s --benchmark-only \\
        --benchmark-json=screening.json && python benchmarks/report.py screening.json
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
rapidfuzz = pytest.importorskip("rapidfuzz")
from rapidfuzz import fuzz, process, utils  # noqa: E402

import engine  # noqa: E402

LARGE = os.environ.get("INTERDICT_BENCH_LARGE") == "1"
FEBRL_LOOKUP = Path(__file__).resolve().parents[2] / "shared" / "data" / "febrl" / "febrl_0.4.2_lookup"

# Transliteration variants: (from, to) spellings that both occur in romanised names.
TRANSLIT = [
    ("OU", "U"), ("U", "OU"), ("PH", "F"), ("F", "PH"), ("EE", "I"), ("I", "EE"), ("KH", "H"), ("J", "Y"),
    ("Y", "I"), ("C", "K"), ("K", "C"), ("W", "V"), ("V", "W"), ("SH", "SCH"), ("TCH", "CH"), ("Q", "K"),
    ("DH", "D"), ("OO", "U"), ("AI", "AY"), ("EI", "EY"), ("E", "A"), ("A", "E"),
]


def read_lookup(path: Path) -> dict[str, list[str]]:
    """A FEBRL `tag : NAME,NAME,...` table (lines continue without a tag) as {tag: names}."""
    groups: dict[str, list[str]] = {}
    tag = None
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" in line:
            tag, _, line = (p.strip() for p in line.partition(":"))
        if tag:
            groups.setdefault(tag, []).extend(n.strip() for n in line.split(",") if n.strip().isalpha())
    return groups


def _tables():
    if not FEBRL_LOOKUP.is_dir():
        pytest.skip(f"FEBRL name tables not found at {FEBRL_LOOKUP} (../shared/data)")
    given = read_lookup(FEBRL_LOOKUP / "givenname-lookup.tbl")
    surnames = read_lookup(FEBRL_LOOKUP / "surname-lookup.tbl")
    cultures = sorted({t.split("-")[0] for t in given} & set(surnames))
    return given, surnames, cultures


def _person(rng: random.Random, given, surnames, cultures) -> tuple[list[str], str]:
    """Given names (1-3 tokens, of one culture and sex) and a surname."""
    culture = rng.choice(cultures)
    sex = rng.choice("mf")
    pool = given.get(f"{culture}-{sex}") or given.get(f"{culture}-{'f' if sex == 'm' else 'm'}")
    r = rng.random()
    n_given = 1 if r < 0.55 else (2 if r < 0.9 else 3)
    return [rng.choice(pool) for _ in range(n_given)], rng.choice(surnames[culture])


def _translit(name: str, rng: random.Random) -> str:
    rules = [(a, b) for a, b in TRANSLIT if a in name]
    if not rules:
        return name
    a, b = rng.choice(rules)
    at = [i for i in range(len(name)) if name.startswith(a, i)]
    i = rng.choice(at)
    return name[:i] + b + name[i + len(a):]


def _typo(name: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(letters[1:] or letters)
    op = rng.randrange(4)
    abc = "ABCDEFGHIJKLMNOPRSTUVWYZ"
    if op == 0:  # substitution
        return name[:i] + rng.choice(abc) + name[i + 1:]
    if op == 1:  # deletion
        return name[:i] + name[i + 1:]
    if op == 2:  # insertion
        return name[:i] + rng.choice(abc) + name[i:]
    j = i + 1 if i + 1 < len(name) and name[i + 1].isalpha() else i - 1  # transposition
    a, b = sorted((i, j))
    return name[:a] + name[b] + name[a] + name[b + 1:]


def make_data(n_names: int, n_queries: int, seed: int = 0):
    """(records, names, owners, queries, planted): about n_names names over entries with 1-2 aliases;
    queries are 80% perturbed list names (planted[i] = the entry's index) and 20% fresh (-1)."""
    rng = random.Random(seed)
    given, surnames, cultures = _tables()
    records, names, owners = [], [], []
    people: list[tuple[list[str], str]] = []
    while len(names) < n_names:
        first, sur = _person(rng, given, surnames, cultures)
        e = len(records)
        born = f"{rng.randrange(1940, 2005)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        primary = " ".join(first + [sur])
        aliases = []
        for _ in range(rng.choice((1, 1, 2))):
            r = rng.random()
            if r < 0.5:
                aliases.append(_translit(primary, rng))
            elif r < 0.75:
                aliases.append(f"{sur} {' '.join(first)}")
            else:
                aliases.append(" ".join([first[0], sur]) if len(first) > 1 else _typo(primary, rng))
        entry_names = list(dict.fromkeys([primary] + aliases))
        records.append({"id": f"E{e}", "kind": "person", "names": entry_names, "birth_dates": [born]})
        people.append((first, sur))
        for n in entry_names:
            names.append(n)
            owners.append(e)
    queries, planted = [], []
    for _ in range(n_queries):
        if rng.random() < 0.8:
            e = rng.randrange(len(records))
            first, sur = people[e]
            r = rng.random()
            if r < 0.3:
                name = _typo(" ".join(first + [sur]), rng)
            elif r < 0.5:
                name = f"{sur} {' '.join(first)}"
            elif r < 0.7:
                name = " ".join([first[0], sur]) if len(first) > 1 else _typo(f"{sur} {first[0]}", rng)
            else:
                name = _translit(" ".join(first + [sur]), rng)
            q = {"name": name.title()}
            if rng.random() < 0.5:
                q["birth_date"] = records[e]["birth_dates"][0]
            queries.append(q)
            planted.append(e)
        else:
            first, sur = _person(rng, given, surnames, cultures)
            queries.append({"name": " ".join(first + [sur]).title()})
            planted.append(-1)
    return records, names, owners, queries, planted


CHILD = r"""
import json, os, sys, time
import engine._native as native
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
path = sys.argv[1]
names = open(path + ".names", encoding="utf-8").read().split("\n")
owners = [int(x) for x in open(path + ".owners").read().split()]
base, base_peak = status("VmRSS"), status("VmHWM")
t = time.perf_counter()
idx = native.NameIndex(names, owners)
seconds = time.perf_counter() - t
stats = dict(idx.stats()) if hasattr(idx, "stats") else {}
out = {"seconds": seconds, "stats": stats, "index_mb": status("VmRSS") - base, "peak_mb": status("VmHWM") - base,
       "names": len(idx)}
if hasattr(idx, "save"):  # the saved index: write time and size (loaded in LOAD_CHILD, a fresh process)
    t = time.perf_counter()
    idx.save(path + ".nameidx")
    out["save_s"] = time.perf_counter() - t
    out["file_mb"] = os.path.getsize(path + ".nameidx") / 2**20
print(json.dumps(out))
"""

LOAD_CHILD = r"""
import json, sys, time
import engine._native as native
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
path = sys.argv[1]
base, anon, files = status("VmRSS"), status("RssAnon"), status("RssFile")
t = time.perf_counter()
idx = native.NameIndex.load(path + ".nameidx")
seconds = time.perf_counter() - t
print(json.dumps({"load_s": seconds, "load_rss_mb": status("VmRSS") - base, "load_anon_mb": status("RssAnon") - anon,
                  "load_file_mb": status("RssFile") - files, "names": len(idx), "mapped": idx.is_mapped}))
"""


def measure_build_in_child(names: list[str], owners: list[int], tmp: Path) -> dict:
    """Build time and memory of the name index alone, in a fresh interpreter."""
    path = tmp / "list"
    Path(str(path) + ".names").write_text("\n".join(names), encoding="utf-8")
    Path(str(path) + ".owners").write_text(" ".join(map(str, owners)))
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if "save_s" in result:
        out = subprocess.run([sys.executable, "-c", LOAD_CHILD, str(path)], capture_output=True, text=True, check=True)
        result.update(json.loads(out.stdout))
    return result


def top10_found(hits, planted: int, records) -> bool:
    return planted >= 0 and any(h.entry_id == records[planted]["id"] for h in hits[:10])


def brute_force(sample_names: list[str], processed_choices: list[str], owners_arr, k: int = 10):
    """rapidfuzz WRatio over every list name (all cores): per query the top-k entries (best name each)."""
    t = time.perf_counter()
    scores = process.cdist(
        [utils.default_process(q) for q in sample_names], processed_choices,
        scorer=fuzz.WRatio, workers=-1, dtype=np.uint8,
    )
    seconds = time.perf_counter() - t
    tops = []
    for row in scores:
        cand = np.argpartition(row, -8 * k)[-8 * k:]
        cand = cand[np.argsort(-row[cand], kind="stable")]
        seen: list[int] = []
        for c in cand:
            o = int(owners_arr[c])
            if o not in seen:
                seen.append(o)
            if len(seen) == k:
                break
        tops.append(seen)
    return seconds, tops


def test_screening_speed(benchmark, tmp_path):
    n_names = 1_000_000 if LARGE else 20_000
    n_queries = 50_000 if LARGE else 1_000
    batch = 10_000 if LARGE else 500
    n_brute = 100 if LARGE else 40
    n_latency = 2_000 if LARGE else 200

    t = time.perf_counter()
    records, names, owners, queries, planted = make_data(n_names, n_queries)
    gen_s = time.perf_counter() - t
    wl = engine.Watchlist.from_records(records, list_id="bench")
    # the list's own normalised names (the loader trims and deduplicates) are what both systems see
    names = [n.name for n in wl.indexed_names]
    # each name's record, as brute force reports them (the index itself numbers the entries by id)
    record_of = {e.id: i for i, e in enumerate(wl.entries)}
    owners = [record_of[wl.owners[n.owner].id] for n in wl.indexed_names]

    t = time.perf_counter()
    wl.name_index
    build_s = time.perf_counter() - t
    max_candidates = int(os.environ.get("INTERDICT_BENCH_MAX_CANDIDATES", "0")) or None
    config = engine.Config.from_dict({"search": {"max_candidates": max_candidates}}) if max_candidates else None
    scr = engine.Screener(wl, config)
    scr.screen(queries[:10])  # warm-up

    batches = [queries[i:i + batch] for i in range(0, len(queries), batch)]
    results: list = []
    elapsed: list[float] = []

    def run():
        results.clear()
        t = time.perf_counter()
        for b in batches:
            results.extend(scr.screen(b, limit=10))
        elapsed.append(time.perf_counter() - t)

    benchmark.group = "screening"
    benchmark.pedantic(run, rounds=1, iterations=1)  # timed whether or not benchmarks are enabled
    screen_s = elapsed[-1]
    qps = len(queries) / screen_s

    planted_idx = [i for i, p in enumerate(planted) if p >= 0]
    engine_found = sum(top10_found(results[i], planted[i], records) for i in planted_idx)
    fresh = [i for i, p in enumerate(planted) if p < 0]
    fresh_alerts = sum(bool(results[i]) for i in fresh)

    # single-query latency
    lat = []
    for q in queries[:n_latency]:
        t0 = time.perf_counter()
        scr.screen([q], limit=10)
        lat.append(time.perf_counter() - t0)
    lat_ms = np.array(lat) * 1e3
    p50, p99 = float(np.percentile(lat_ms, 50)), float(np.percentile(lat_ms, 99))

    # brute force on a sample of the planted queries (the same queries for both systems)
    rng = random.Random(1)
    sample = rng.sample(planted_idx, min(n_brute, len(planted_idx)))
    processed = [utils.default_process(n) for n in names]
    owners_arr = np.asarray(owners, dtype=np.int64)
    brute_s, tops = brute_force([queries[i]["name"] for i in sample], processed, owners_arr)
    brute_per_query = brute_s / len(sample)
    brute_found = sum(planted[i] in top for i, top in zip(sample, tops))
    engine_found_sample = sum(top10_found(results[i], planted[i], records) for i in sample)

    child = measure_build_in_child(names, owners, tmp_path)

    # the same batches with a smaller candidate budget (search.max_candidates): speed against recall
    alt_candidates = 50
    alt = engine.Screener(wl, engine.Config.from_dict({"search": {"max_candidates": alt_candidates}}))
    t = time.perf_counter()
    alt_results = [h for b in batches for h in alt.screen(b, limit=10)]
    alt_qps = len(queries) / (time.perf_counter() - t)
    alt_found = sum(top10_found(alt_results[i], planted[i], records) for i in planted_idx)

    info = {
        "names": len(names), "entries": len(records), "queries": len(queries), "batch": batch,
        "cores": os.cpu_count(), "generate_s": gen_s,
        "screen_qps": qps, "screen_s": screen_s,
        "engine_recall_top10": engine_found / len(planted_idx),
        "fresh_alert_rate": fresh_alerts / max(1, len(fresh)),
        "latency_p50_ms": p50, "latency_p99_ms": p99, "latency_queries": n_latency,
        "build_s_in_process": build_s, "build_s": child["seconds"],
        "index_mb": child["index_mb"], "build_peak_mb": child["peak_mb"], "index_stats": child.get("stats", {}),
        **{f"index_{k}": child[k] for k in ("save_s", "file_mb", "load_s", "load_rss_mb", "load_anon_mb", "load_file_mb") if k in child},
        "brute_sample": len(sample), "brute_s_per_query": brute_per_query, "brute_qps": 1 / brute_per_query,
        "brute_recall_top10": brute_found / len(sample),
        "engine_recall_top10_on_brute_sample": engine_found_sample / len(sample),
        "speedup_vs_brute": qps * brute_per_query, "max_candidates": scr.config.max_candidates,
        "alt_max_candidates": alt_candidates, "alt_screen_qps": alt_qps,
        "alt_engine_recall_top10": alt_found / len(planted_idx),
    }
    benchmark.extra_info.update(info)
    print("\nscreening benchmark: " + json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in info.items()}))

    # correctness, at any size
    assert child["names"] == len(names)
    assert len(results) == len(queries)
    assert info["engine_recall_top10"] > 0.8
    assert info["engine_recall_top10_on_brute_sample"] >= info["brute_recall_top10"] - 0.1
