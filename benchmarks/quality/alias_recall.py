"""Alias recall on real sanctions lists, and clean-passenger alerts, for the engine and for rapidfuzz.

The question a PIU asks of a screening engine: when a listed person travels under one of their other
names, is the entry found; and how many innocent passengers alert on the way?

- Held-out aliases: for every entry of a real list (UN, OFAC sdn.xml, EU FSF) with at least two strong
  names, one alias (drawn with a seeded RNG among names[1:]) is removed from the entry and becomes the
  query, with the entry's first birth date when it has one. The entry is *found* at threshold t when
  it is among the top 10 hits with a score >= t.
- Clean passengers: generated from the culture-tagged FEBRL tables (given name and surname of the same
  culture: Arabic, Indian, Chinese, French, ...), with a random birth date. A clean passenger *alerts*
  at t when its best hit scores >= t.
- Reported per list: recall at the threshold where 1% of clean passengers alert (each system at its
  own such threshold), and recall and clean alerts per 1,000 at DEFAULT_THRESHOLD, for the subset the
  issue targets (persons with a birth date) and for all held-out aliases.
- Clean organisations (customs' shippers and consignees): generated as a FEBRL surname of any culture,
  one or two common trade words (CLEAN_ORG_WORDS) in either order, and a legal form (CLEAN_ORG_FORMS):
  `Hotta Shipping Pvt Ltd`. Reported per list: their alerts per 1,000 at DEFAULT_THRESHOLD, and the
  recall of the held-out organisation (and vessel) aliases at the threshold where 1% of them alert.
- Baseline: rapidfuzz brute force, fuzz.WRatio over every name of the list (process.cdist, all cores,
  default_process), an entry's score being the best over its names; it sees names only.

    python benchmarks/quality/alias_recall.py                      # all lists, report as markdown
    python benchmarks/quality/alias_recall.py --lists un --clean 1000 --json un.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process, utils

import engine
import watchlists

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FEBRL_LOOKUP = DATA / "febrl" / "febrl_0.4.2_lookup"
LISTS = {  # name -> (path under DATA, format)
    "un": ("un_sc_consolidated", "un-xml"),
    "ofac": ("ofac_sdn/sdn_xml_2021-03-10/sdn.xml", "ofac-xml"),
    "eu": ("eu_fsf_consolidated/eu_fsf_2021-03-05.xml", "eu-xml"),
}
SEED = 20261123
TOP = 10
SCREEN_FLOOR = 0.3  # the engine is asked for hits down to this score: the recall curve starts here


# Words that trading companies' names are made of, and legal forms of several jurisdictions: chosen by hand
# (no list names them as such), the vocabulary of a cargo manifest's parties. Clean organisations draw from them.
CLEAN_ORG_WORDS = (
    "Trading", "Logistics", "Shipping", "Import", "Export", "Holdings", "Group", "Industries", "Technologies",
    "Electronics", "Textiles", "Foods", "Chemicals", "Pharma", "Machinery", "Engineering", "Construction",
    "Consulting", "Marine", "Petroleum", "Energy", "Metals", "Steel", "Plastics", "Garments", "Automotive", "Agro",
    "Global", "International", "General", "United", "Star", "Golden", "Pacific", "Eastern", "Western", "Royal",
    "National", "Commercial", "Services", "Solutions", "Enterprises", "Supplies", "Freight", "Cargo", "Systems",
    "Resources", "Investments",
)
CLEAN_ORG_FORMS = (
    "LLC", "Ltd", "Co", "Co Ltd", "GmbH", "SA", "SARL", "BV", "Inc", "Corp", "FZE", "FZCO", "LLP", "PLC",
    "Pvt Ltd", "JSC", "OOO", "AG", "SpA", "Limited", "Company", "S.A.S.", "Sdn Bhd", "Pty Ltd",
)


@dataclass
class HeldOut:
    entry_id: str
    kind: str
    alias: str
    birth_date: str | None


@dataclass
class Scores:
    """Per held-out query the true entry's score (0 when not in the top 10); per clean passenger its
    best score."""

    true: np.ndarray
    clean_best: np.ndarray
    # per held-out query, whether another entry of the list scores at least DEFAULT_THRESHOLD in its top 10:
    # the alerts a held-out alias raises on the wrong entity (engine only)
    wrong_alert: np.ndarray | None = None
    # per clean organisation its best score (engine only)
    clean_org_best: np.ndarray | None = None


@dataclass
class Summary:
    system: str
    subset: str
    queries: int
    threshold_at_1pct: float
    recall_at_1pct: float
    recall_at_default: float
    clean_alerts_per_1000_at_default: float
    # a 95% bootstrap interval of recall_at_1pct over the clean sample (recall_interval): how far another draw
    # of clean passengers, and so another 99th percentile, could move it
    recall_at_1pct_interval: tuple[float, float] = (0.0, 0.0)


# Thresholds at which the operating-point table reports the engine's recall and clean alerts (persons with
# a birth date), and the clean-alert rate, per 1,000, at which it reports the threshold that gives it: the
# issue's ceiling at the default threshold.
OPERATING_THRESHOLDS = (0.65, 0.70, 0.75, 0.80, 0.85)
CEILING_PER_1000 = 5


@dataclass
class OperatingPoint:
    threshold: float
    recall: float
    clean_alerts_per_1000: float


def operating_points(true: np.ndarray, clean_best: np.ndarray) -> list[OperatingPoint]:
    """Recall and clean alerts per 1,000 at each of OPERATING_THRESHOLDS, then at the lowest threshold
    where clean passengers alert at most CEILING_PER_1000 times per 1,000 (just above that quantile)."""
    def at(t: float) -> OperatingPoint:
        return OperatingPoint(round(t, 4), round(float(np.mean(true >= t)), 4), round(float(np.mean(clean_best >= t)) * 1000, 2))
    points = [at(t) for t in OPERATING_THRESHOLDS]
    if len(clean_best) and len(true):
        q = float(np.quantile(clean_best, 1 - CEILING_PER_1000 / 1000, method="higher"))
        points.append(OperatingPoint(round(q, 4), round(float(np.mean(true > q)), 4), round(float(np.mean(clean_best > q)) * 1000, 2)))
    return points


@dataclass
class ListReport:
    list_name: str
    entries: int
    held_out: int
    held_out_persons_with_dob: int
    clean: int
    seconds: dict[str, float] = field(default_factory=dict)
    summaries: list[Summary] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)  # engine misses at DEFAULT_THRESHOLD, a sample
    all_missed: list[dict[str, Any]] = field(default_factory=list)  # every miss, with the entry's remaining names
    miss_classes: dict[str, dict[str, int]] = field(default_factory=dict)  # subset -> MISS_CLASSES -> count
    # subset -> the engine's recall at 1% clean alerts were every alias it misses there found, but
    # the unrelated ones: what no name matcher reaches at that threshold
    name_ceiling_at_1pct: dict[str, float] = field(default_factory=dict)
    # The clean passengers again, each born on a listed full birth date (the worst case for the birth
    # date's weight): engine alerts per 1,000 at DEFAULT_THRESHOLD.
    clean_listed_birth_date_alerts_per_1000: float = 0.0
    # The same, each born on a listed 1 January (many passports' date for an unknown day): engine alerts per
    # 1,000 at the persons' 1% threshold and at DEFAULT_THRESHOLD.
    clean_listed_1_january_alerts_per_1000: tuple[float, float] = (0.0, 0.0)
    # Held-out aliases of organisations (and vessels), the engine's: how many, the share found at
    # DEFAULT_THRESHOLD, and per 1,000 of them those raising another entry at DEFAULT_THRESHOLD (a
    # false alert: two entries of one list are two parties).
    other_queries: int = 0
    other_recall_at_default: float = 0.0
    other_wrong_alerts_per_1000: float = 0.0
    # Clean organisations (engine): how many, their alerts per 1,000 at DEFAULT_THRESHOLD, and the threshold
    # where 1% of them alert with the held-out organisation aliases' recall there.
    clean_organisations: int = 0
    clean_org_alerts_per_1000: float = 0.0
    org_threshold_at_1pct: float = 0.0
    org_recall_at_1pct: float = 0.0
    # The engine on persons with a birth date at other thresholds ([`operating_points`]).
    operating_points: list[OperatingPoint] = field(default_factory=list)
    # The same for the held-out organisation aliases against the clean organisations.
    org_operating_points: list[OperatingPoint] = field(default_factory=list)


def list_path(name: str) -> Path:
    sub, _ = LISTS[name]
    path = DATA / sub
    return next(path.glob("*.xml")) if path.is_dir() else path


def hold_out(records: list[dict[str, Any]], rng: random.Random) -> tuple[list[dict[str, Any]], list[HeldOut]]:
    """The records with one alias taken out of every entry that has two or more strong names."""
    out, held = [], []
    for r in records:
        names = list(r["names"])
        if len(names) >= 2:
            alias = names.pop(rng.randrange(1, len(names)))
            r = {**r, "names": names}
            held.append(HeldOut(r["id"], r["kind"], alias, (r.get("birth_dates") or [None])[0]))
        out.append(r)
    return out, held


def read_lookup(path: Path) -> dict[str, list[str]]:
    """A FEBRL `tag : NAME,NAME,...` table (lines continue without a tag) as {tag: names}."""
    groups: dict[str, list[str]] = {}
    tag = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" in line:
            tag, _, line = (p.strip() for p in line.partition(":"))
        if tag:
            groups.setdefault(tag, []).extend(n.strip() for n in line.split(",") if n.strip())
    return groups


def clean_passengers(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Generated passengers: given name(s) and surname of one culture, a birth date, a sex."""
    given = read_lookup(FEBRL_LOOKUP / "givenname-lookup.tbl")
    surnames = read_lookup(FEBRL_LOOKUP / "surname-lookup.tbl")
    cultures = sorted({t.split("-")[0] for t in given} & set(surnames))
    people = []
    for _ in range(n):
        culture = rng.choice(cultures)
        sex = rng.choice("mf")
        pool = given.get(f"{culture}-{sex}") or given.get(f"{culture}-{'f' if sex == 'm' else 'm'}")
        first = [rng.choice(pool) for _ in range(1 if rng.random() < 0.7 else 2)]
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
        people.append({
            "kind": "person",
            "surname": rng.choice(surnames[culture]).title(),
            "given_names": " ".join(f.title() for f in first),
            "birth_date": born.isoformat(),
            "sex": sex.upper(),
        })
    return people


def clean_organisations(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Generated trading companies: a surname of any FEBRL culture, one or two of CLEAN_ORG_WORDS (the
    surname first, or in a random place three times in ten), and one of CLEAN_ORG_FORMS."""
    surnames = read_lookup(FEBRL_LOOKUP / "surname-lookup.tbl")
    cultures = sorted(surnames)
    out = []
    for _ in range(n):
        words = [rng.choice(surnames[rng.choice(cultures)]).title(), *rng.sample(CLEAN_ORG_WORDS, rng.choice((1, 1, 2)))]
        if rng.random() < 0.3:
            rng.shuffle(words)
        out.append({"kind": "organization", "name": " ".join([*words, rng.choice(CLEAN_ORG_FORMS)])})
    return out


def engine_scores(
    records: list[dict[str, Any]], held: list[HeldOut], clean: list[dict[str, Any]], list_id: str,
    clean_orgs: list[dict[str, Any]] = (),
) -> Scores:
    screener = engine.Screener(engine.Watchlist.from_records(records, list_id=list_id))
    queries = [{"kind": h.kind, "name": h.alias, **({"birth_date": h.birth_date} if h.birth_date else {})} for h in held]
    hits = screener.screen(queries + clean + list(clean_orgs), limit=TOP, threshold=SCREEN_FLOOR)
    true = np.array([max((x.score for x in hs if x.entry_id == h.entry_id), default=0.0) for h, hs in zip(held, hits)])
    best = np.array([hs[0].score if hs else 0.0 for hs in hits[len(held):]])
    wrong = np.array([any(x.entry_id != h.entry_id and x.score >= engine.DEFAULT_THRESHOLD for x in hs) for h, hs in zip(held, hits)])
    return Scores(true, best[:len(clean)], wrong, best[len(clean):])


def listed_birth_dates(
    clean: list[dict[str, Any]], records: list[dict[str, Any]], rng: random.Random, first_of_january: bool = False
) -> list[dict[str, Any]]:
    """The clean passengers, each with a full birth date drawn from the list's persons: what an equal date can
    do for a passenger whose name merely resembles a listed one (engine.scoring.deepen_conflict's lift).
    `first_of_january`: only listed 1 January dates, which many passports also carry for an unknown day."""
    dates = sorted({d for r in records if r["kind"] == "person" for d in r.get("birth_dates") or () if len(d) == 10
                    and (not first_of_january or d.endswith("-01-01"))})
    return [{**p, "birth_date": rng.choice(dates)} for p in clean] if dates else list(clean)


def engine_best(records: list[dict[str, Any]], queries: list[dict[str, Any]], list_id: str) -> np.ndarray:
    """Each query's best engine score against the list."""
    hits = engine.Screener(engine.Watchlist.from_records(records, list_id=list_id)).screen(queries, limit=1, threshold=SCREEN_FLOOR)
    return np.array([hs[0].score if hs else 0.0 for hs in hits])


def rapidfuzz_scores(records: list[dict[str, Any]], held: list[HeldOut], clean: list[dict[str, Any]]) -> Scores:
    """WRatio brute force: every query against every name, an entry's score its best name's."""
    owners, names = [], []
    for i, r in enumerate(records):
        for n in r["names"]:
            owners.append(i)
            names.append(n)
    owners_arr = np.array(owners)
    starts = np.flatnonzero(np.r_[True, owners_arr[1:] != owners_arr[:-1]])  # names are grouped by entry
    entry_of_start = owners_arr[starts]
    index_of = {r["id"]: i for i, r in enumerate(records)}
    texts = [h.alias for h in held] + [f"{p['given_names']} {p['surname']}" for p in clean]
    true, clean_best = np.zeros(len(held)), np.zeros(len(clean))
    for lo in range(0, len(texts), 500):
        chunk = texts[lo : lo + 500]
        m = process.cdist(chunk, names, scorer=fuzz.WRatio, processor=utils.default_process, workers=-1, dtype=np.uint8)
        per_entry = np.maximum.reduceat(m, starts, axis=1)  # (queries, entries in name order)
        top = np.argpartition(-per_entry, TOP - 1, axis=1)[:, :TOP] if per_entry.shape[1] > TOP else np.tile(np.arange(per_entry.shape[1]), (len(chunk), 1))
        for k, qi in enumerate(range(lo, lo + len(chunk))):
            row = per_entry[k]
            if qi < len(held):
                col = np.searchsorted(entry_of_start, index_of[held[qi].entry_id])
                in_top = row[col] >= row[top[k]].min()
                true[qi] = row[col] / 100 if in_top else 0.0
            else:
                clean_best[qi - len(held)] = row.max() / 100
    return Scores(true, clean_best)


def threshold_at_1pct(clean_best: np.ndarray) -> float:
    """The threshold at which at most 1% of clean passengers alert: scores above the 99th percentile alert."""
    return float(np.quantile(clean_best, 0.99, method="higher")) if len(clean_best) else 1.0


def summarise(system: str, subset: str, true: np.ndarray, clean_best: np.ndarray) -> Summary:
    q = threshold_at_1pct(clean_best)
    return Summary(
        system,
        subset,
        len(true),
        round(q, 4),
        round(float(np.mean(true > q)) if len(true) else 0.0, 4),
        round(float(np.mean(true >= engine.DEFAULT_THRESHOLD)) if len(true) else 0.0, 4),
        round(float(np.mean(clean_best >= engine.DEFAULT_THRESHOLD)) * 1000, 2),
        recall_interval(true, clean_best),
    )


BOOTSTRAP_DRAWS = 1000


def recall_interval(true: np.ndarray, clean_best: np.ndarray, draws: int = BOOTSTRAP_DRAWS, seed: int = SEED) -> tuple[float, float]:
    """A 95% percentile-bootstrap interval of the recall at 1% clean alerts over the clean sample: the clean
    passengers redrawn with replacement and the threshold found again on each draw; the held-out aliases are
    the list's own and stay. With 2,000 clean passengers the 99th percentile rests on the 20 highest scores,
    and moves with them."""
    if not len(true) or not len(clean_best):
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    true_sorted = np.sort(true)
    recalls = np.empty(draws)
    for i in range(draws):
        q = threshold_at_1pct(rng.choice(clean_best, len(clean_best)))
        recalls[i] = 1.0 - np.searchsorted(true_sorted, q, side="right") / len(true)  # the share above q
    lo, hi = np.quantile(recalls, [0.025, 0.975])
    return (round(float(lo), 4), round(float(hi), 4))


def evaluate(
    list_name: str, n_clean: int, max_queries: int | None = None, seed: int = SEED, baseline: bool = True
) -> ListReport:
    rng = random.Random(seed)
    path = list_path(list_name)
    records = watchlists.load_records(path, LISTS[list_name][1])
    kept, held = hold_out(records, rng)
    if max_queries is not None and len(held) > max_queries:
        held = rng.sample(held, max_queries)
    clean = clean_passengers(n_clean, random.Random(seed + 1))
    clean_orgs = clean_organisations(n_clean, random.Random(seed + 3))
    report = ListReport(list_name, len(records), len(held), sum(1 for h in held if h.kind == "person" and h.birth_date), len(clean))
    t = time.perf_counter()
    ours = engine_scores(kept, held, clean, list_name, clean_orgs)
    report.seconds["engine"] = round(time.perf_counter() - t, 2)
    born_listed = listed_birth_dates(clean, kept, random.Random(seed + 2))
    best = engine_best(kept, born_listed, list_name)
    report.clean_listed_birth_date_alerts_per_1000 = round(float(np.mean(best >= engine.DEFAULT_THRESHOLD)) * 1000, 2)
    born_january = listed_birth_dates(clean, kept, random.Random(seed + 4), first_of_january=True)
    january_best = engine_best(kept, born_january, list_name)
    systems = [("engine", ours)]
    if baseline:
        t = time.perf_counter()
        systems.append(("rapidfuzz WRatio", rapidfuzz_scores(kept, held, clean)))
        report.seconds["rapidfuzz"] = round(time.perf_counter() - t, 2)
    target = np.array([h.kind == "person" and h.birth_date is not None for h in held], dtype=bool)
    others = np.array([h.kind != "person" for h in held], dtype=bool)
    if others.any():
        report.other_queries = int(others.sum())
        report.other_recall_at_default = round(float(np.mean(ours.true[others] >= engine.DEFAULT_THRESHOLD)), 4)
        report.other_wrong_alerts_per_1000 = round(float(np.mean(ours.wrong_alert[others])) * 1000, 1)
    if len(clean_orgs):
        orgs = summarise("engine", "organisations", ours.true[others], ours.clean_org_best)
        report.clean_organisations = len(clean_orgs)
        report.clean_org_alerts_per_1000 = orgs.clean_alerts_per_1000_at_default
        report.org_threshold_at_1pct, report.org_recall_at_1pct = orgs.threshold_at_1pct, orgs.recall_at_1pct
        report.org_operating_points = operating_points(ours.true[others], ours.clean_org_best)
    report.operating_points = operating_points(ours.true[target], ours.clean_best)
    report.clean_listed_1_january_alerts_per_1000 = (
        round(float(np.mean(january_best > threshold_at_1pct(ours.clean_best))) * 1000, 2),
        round(float(np.mean(january_best >= engine.DEFAULT_THRESHOLD)) * 1000, 2),
    )
    for system, s in systems:
        report.summaries.append(summarise(system, "persons with birth date", s.true[target], s.clean_best))
        report.summaries.append(summarise(system, "all held-out aliases", s.true, s.clean_best))
    names_of = {r["id"]: r["names"] for r in kept}
    report.all_missed = [
        {
            "entry_id": h.entry_id,
            "kind": h.kind,
            "alias": h.alias,
            "birth_date": h.birth_date,
            "score": round(float(sc), 3),
            "names": names_of[h.entry_id],
            "class": classify_miss(h.alias, names_of[h.entry_id]),
        }
        for h, sc in zip(held, ours.true)
        if sc < engine.DEFAULT_THRESHOLD
    ]
    report.missed = [{k: m[k] for k in ("entry_id", "alias", "score")} for m in report.all_missed[:25]]
    report.miss_classes = miss_class_counts(report.all_missed, held, target)
    # the unrelated aliases missed at the 1% threshold (one held-out alias per entry)
    q = threshold_at_1pct(ours.clean_best)
    unrelated = {m["entry_id"] for m in report.all_missed if m["class"] == "unrelated"}
    unreachable = np.array([sc <= q and h.entry_id in unrelated for h, sc in zip(held, ours.true)], dtype=bool)
    report.name_ceiling_at_1pct = {
        "persons with birth date": round(1.0 - float(unreachable[target].sum()) / max(int(target.sum()), 1), 4),
        "all held-out aliases": round(1.0 - float(unreachable.sum()) / max(len(held), 1), 4),
    }
    return report


# How a missed alias relates to the names left on its entry (the best-aligned one):
MISS_CLASSES = {
    "unrelated": "no name token agrees: a different name (a kunya, a nickname, a translation, another person's name)",
    "partial": "some tokens agree, others appear in no form on the entry (a different given name, an added title)",
    "contained": "every token agrees with a token of a remaining name: findable by name, a scoring or blocking miss",
}
AGREE = 0.8  # a token pair at least this similar (engine.names alignment) counts as agreeing


def classify_miss(alias: str, names: list[str]) -> str:
    """unrelated / partial / contained (MISS_CLASSES), by the best alignment of the alias with a remaining name."""
    best = "unrelated"
    for n in names:
        c = engine.names.compare_names(alias, n)
        agreeing = {q for q, _, sim, _ in c.pairs if sim >= AGREE}
        words = [t for t in engine._native.tokenize(alias)]
        if not agreeing:
            continue
        left = [w for w in words if not any(w in q.split() for q in agreeing) and len(w) > 2]
        if not left:
            return "contained"
        best = "partial"
    return best


def miss_class_counts(missed: list[dict[str, Any]], held: list[HeldOut], target: np.ndarray) -> dict[str, dict[str, int]]:
    """Misses at DEFAULT_THRESHOLD per class, for the targeted subset and for all held-out aliases."""
    targeted = {h.entry_id for h, t in zip(held, target) if t}
    out: dict[str, dict[str, int]] = {"persons with birth date": {}, "all held-out aliases": {}}
    for m in missed:
        for subset in ("persons with birth date", "all held-out aliases"):
            if subset == "all held-out aliases" or m["entry_id"] in targeted:
                out[subset][m["class"]] = out[subset].get(m["class"], 0) + 1
    return out


def markdown(reports: list[ListReport]) -> str:
    lines = [
        "| list | subset | queries | system | threshold at 1% clean alerts | recall there (95% interval over the clean sample) | "
        f"recall at {engine.DEFAULT_THRESHOLD} | clean alerts per 1,000 at {engine.DEFAULT_THRESHOLD} |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in reports:
        for s in r.summaries:
            lines.append(
                f"| {r.list_name} | {s.subset} | {s.queries:,} | {s.system} | {s.threshold_at_1pct:.3f} | "
                f"{s.recall_at_1pct:.3f} ({s.recall_at_1pct_interval[0]:.3f}-{s.recall_at_1pct_interval[1]:.3f}) | "
                f"{s.recall_at_default:.3f} | {s.clean_alerts_per_1000_at_default:.1f} |"
            )
    lines += ["", f"Clean passengers each born on a listed full birth date, engine alerts per 1,000 at {engine.DEFAULT_THRESHOLD}: "
              + ", ".join(f"{r.list_name} {r.clean_listed_birth_date_alerts_per_1000:.1f}" for r in reports)]
    lines += ["", "The same, each born on a listed 1 January (many passports' date for an unknown day), engine alerts per 1,000 "
              f"at the 1% threshold and at {engine.DEFAULT_THRESHOLD}: "
              + ", ".join(f"{r.list_name} {r.clean_listed_1_january_alerts_per_1000[0]:.1f} / "
                          f"{r.clean_listed_1_january_alerts_per_1000[1]:.1f}" for r in reports)]
    lines += ["", f"Organisations' and vessels' held-out aliases (engine, at {engine.DEFAULT_THRESHOLD}): "
              + "; ".join(f"{r.list_name} {r.other_queries:,} queries, found {r.other_recall_at_default:.3f}, "
                          f"another entry alerting {r.other_wrong_alerts_per_1000:.0f} per 1,000" for r in reports if r.other_queries)]
    lines += ["", f"Clean organisations (generated consignees, engine): alerts per 1,000 at {engine.DEFAULT_THRESHOLD}; the "
              "threshold where 1% alert, and the held-out organisation aliases found there: "
              + "; ".join(f"{r.list_name} {r.clean_org_alerts_per_1000:.1f}; {r.org_threshold_at_1pct:.3f}, {r.org_recall_at_1pct:.3f}"
                          for r in reports if r.clean_organisations)]
    table_head = ["| list | " + " | ".join(f"at {t:.2f}" for t in OPERATING_THRESHOLDS) + f" | at most {CEILING_PER_1000} per 1,000 |",
                  "|---|" + "---:|" * (len(OPERATING_THRESHOLDS) + 1)]

    def point_cells(points: list[OperatingPoint]) -> str:
        cells = [f"{p.recall:.3f} / {p.clean_alerts_per_1000:.1f}" for p in points[:len(OPERATING_THRESHOLDS)]]
        cells += [f"{p.threshold:.3f}: {p.recall:.3f} / {p.clean_alerts_per_1000:.1f}" for p in points[len(OPERATING_THRESHOLDS):]]
        return " | ".join(cells)

    lines += ["", f"Engine, persons with a birth date: recall / clean alerts per 1,000 at other thresholds (the last column: "
              f"the lowest threshold with at most {CEILING_PER_1000} clean alerts per 1,000)", "", *table_head]
    lines += [f"| {r.list_name} | {point_cells(r.operating_points)} |" for r in reports]
    if any(r.org_operating_points for r in reports):
        lines += ["", "Engine, organisations' and vessels' held-out aliases: recall / clean-organisation alerts per 1,000 (the same "
                  "columns; a site sets organisations' threshold apart: `[thresholds.lists.<list>.organization]`)", "", *table_head]
        lines += [f"| {r.list_name} | {point_cells(r.org_operating_points)} |" for r in reports if r.org_operating_points]
    lines += ["", "| list | subset | queries | missed at the default threshold | " + " | ".join(MISS_CLASSES)
              + " | recall at 1% clean alerts, every miss there but the unrelated found |",
              "|---|---|---:|---:|" + "---:|" * (len(MISS_CLASSES) + 1)]
    for r in reports:
        for s in r.summaries[:2]:
            counts = r.miss_classes.get(s.subset, {})
            lines.append(f"| {r.list_name} | {s.subset} | {s.queries:,} | {sum(counts.values())} | "
                         + " | ".join(f"{counts.get(k, 0)} ({counts.get(k, 0) / max(s.queries, 1):.1%})" for k in MISS_CLASSES)
                         + f" | {r.name_ceiling_at_1pct.get(s.subset, 1.0):.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lists", default=",".join(LISTS), help="comma-separated: " + ", ".join(LISTS))
    ap.add_argument("--clean", type=int, default=5000, help="clean passengers (default 5000)")
    ap.add_argument("--max-queries", type=int, default=None, help="sample at most this many held-out aliases per list")
    ap.add_argument("--json", help="also write the full report here (with every miss and the entry's other names)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz brute force (faster)")
    args = ap.parse_args(argv)
    reports = []
    for name in args.lists.split(","):
        if not list_path(name).exists():
            print(f"skipping {name}: {list_path(name)} absent", file=sys.stderr)
            continue
        reports.append(evaluate(name, args.clean, args.max_queries, baseline=not args.no_baseline))
        print(f"{name}: {reports[-1].held_out} held-out aliases, seconds {reports[-1].seconds}", file=sys.stderr)
    print(markdown(reports))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in reports], indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
