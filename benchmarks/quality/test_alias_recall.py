"""The alias-recall harness on a sample of the UN list: it runs end to end, and the engine does not
fall below what it measured when this floor was set (a regression guard, not the target)."""

from __future__ import annotations

import random

import numpy as np
import pytest

import alias_recall as ar

pytestmark = pytest.mark.skipif(not ar.list_path("un").exists(), reason="../shared/data absent")


def test_hold_out_takes_one_alias_and_keeps_the_primary_name():
    records = [{"id": "a", "kind": "person", "names": ["Primary One", "Alias Two", "Alias Three"], "birth_dates": ["1970"]},
               {"id": "b", "kind": "person", "names": ["Only Name"]}]
    kept, held = ar.hold_out(records, random.Random(1))
    assert len(held) == 1 and held[0].entry_id == "a" and held[0].birth_date == "1970"
    assert kept[0]["names"][0] == "Primary One" and held[0].alias not in kept[0]["names"] and len(kept[0]["names"]) == 2
    assert kept[1] == records[1]


def test_clean_passengers_are_seeded_and_culture_consistent():
    a, b = ar.clean_passengers(50, random.Random(3)), ar.clean_passengers(50, random.Random(3))
    assert a == b and all(p["surname"] and p["given_names"] and p["birth_date"] for p in a)


def test_clean_organisations_are_seeded_trading_companies():
    a, b = ar.clean_organisations(50, random.Random(3)), ar.clean_organisations(50, random.Random(3))
    assert a == b and all(o["kind"] == "organization" for o in a)
    for o in a:
        assert o["name"].endswith(ar.CLEAN_ORG_FORMS), o
        assert any(w in o["name"].split() for w in ar.CLEAN_ORG_WORDS), o


def test_un_sample_recall_floor_and_clean_alerts():
    report = ar.evaluate("un", n_clean=400, max_queries=200)
    by = {(s.system, s.subset): s for s in report.summaries}
    ours = by[("engine", "all held-out aliases")]
    theirs = by[("rapidfuzz WRatio", "all held-out aliases")]
    targeted = by[("engine", "persons with birth date")]
    assert ours.queries == 200
    # this sample measured 0.820 (0.79 before the equal birth date's lift for partial names, 2026-11-24;
    # full UN list 0.859), and 0.865 on its persons with a birth date (full list 0.906)
    assert ours.recall_at_1pct >= 0.80
    assert targeted.recall_at_1pct >= 0.84
    assert ours.recall_at_1pct > theirs.recall_at_1pct
    assert ours.clean_alerts_per_1000_at_default <= 5
    # the ceiling counts the misses at that threshold: what is found is within it
    ceiling = report.name_ceiling_at_1pct
    assert targeted.recall_at_1pct <= ceiling["persons with birth date"] < 1
    assert ours.recall_at_1pct <= ceiling["all held-out aliases"] < 1
    # the lift's negative control: passengers born on a listed date still alert no more than the target allows
    assert report.clean_listed_birth_date_alerts_per_1000 <= 5
    # and born on a listed 1 January, a day many passports write when it is unknown: two such dates agree in the
    # year only (the full UN list measured 14.0 per 1,000 at its 1% threshold, 23.5 while they counted as equal)
    at_1pct, at_default = report.clean_listed_1_january_alerts_per_1000
    assert 0 < at_1pct <= 40 and at_default <= 5
    # organisations' aliases raising another entry at the default threshold: this sample's 36 measured 250 per
    # 1,000 before words like CO / COMPANY became weak evidence (session 23), 139 after
    assert report.other_queries > 0 and report.other_wrong_alerts_per_1000 <= 200
    # generated consignees: the full UN list measured 1.0 per 1,000 at the default threshold (session 26)
    assert report.clean_organisations == 400 and report.clean_org_alerts_per_1000 <= 10
    assert 0 < report.org_threshold_at_1pct <= 1 and report.org_recall_at_1pct > 0.3
    org_points = report.org_operating_points
    assert [p.threshold for p in org_points[:-1]] == list(ar.OPERATING_THRESHOLDS)
    assert org_points[-1].clean_alerts_per_1000 <= ar.CEILING_PER_1000
    # lower thresholds find more and alert more; the last point keeps within the ceiling
    points = report.operating_points
    assert [p.threshold for p in points[:-1]] == list(ar.OPERATING_THRESHOLDS)
    assert all(a.recall >= b.recall and a.clean_alerts_per_1000 >= b.clean_alerts_per_1000 for a, b in zip(points, points[1:-1]))
    assert points[-1].clean_alerts_per_1000 <= ar.CEILING_PER_1000


def test_operating_points_trade_recall_for_clean_alerts():
    true = np.array([0.95, 0.9, 0.8, 0.72, 0.6, 0.0])
    clean = np.array([0.0] * 990 + [0.66] * 6 + [0.78] * 3 + [0.9])
    points = ar.operating_points(true, clean)
    by = {p.threshold: p for p in points[:len(ar.OPERATING_THRESHOLDS)]}
    assert (by[0.85].recall, by[0.85].clean_alerts_per_1000) == (round(2 / 6, 4), 1.0)
    assert (by[0.70].recall, by[0.70].clean_alerts_per_1000) == (round(4 / 6, 4), 4.0)
    assert (by[0.65].recall, by[0.65].clean_alerts_per_1000) == (round(4 / 6, 4), 10.0)
    # at most 5 per 1,000: just above the 0.66 tier (6 alerts there would be 10 per 1,000 with the rest)
    ceiling = points[-1]
    assert ceiling.threshold == 0.66 and ceiling.clean_alerts_per_1000 == 4.0 and ceiling.recall == round(4 / 6, 4)


def test_recall_interval_holds_the_estimate_and_narrows_with_more_clean_passengers():
    rng = np.random.default_rng(7)
    true = np.concatenate([rng.uniform(0.55, 1.0, 900), rng.uniform(0.3, 0.6, 100)])
    widths = []
    for n in (2_000, 20_000):
        clean = rng.beta(2, 8, n)  # a tail reaching 0.6-0.7: the 1% threshold sits among the aliases
        s = ar.summarise("engine", "persons with birth date", true, clean)
        lo, hi = s.recall_at_1pct_interval
        assert lo <= s.recall_at_1pct <= hi and lo < hi
        widths.append(hi - lo)
    assert widths[1] < widths[0]
    assert ar.recall_interval(true, clean) == ar.recall_interval(true, clean)  # seeded
    assert ar.recall_interval(np.array([]), clean) == (0.0, 0.0)


def test_listed_birth_dates_are_full_dates_of_listed_persons():
    records = [{"id": "a", "kind": "person", "names": ["A"], "birth_dates": ["1970-05-06", "1971"]},
               {"id": "o", "kind": "organization", "names": ["O"], "birth_dates": ["1999-01-02"]}]
    clean = ar.clean_passengers(20, random.Random(3))
    born = ar.listed_birth_dates(clean, records, random.Random(4))
    assert {p["birth_date"] for p in born} == {"1970-05-06"}
    assert [{**p, "birth_date": q["birth_date"]} for p, q in zip(clean, born)] == born
    records[0]["birth_dates"] += ["1968-01-01", "1969-01-01", "1969-01-02"]
    january = ar.listed_birth_dates(clean, records, random.Random(4), first_of_january=True)
    assert {p["birth_date"] for p in january} == {"1968-01-01", "1969-01-01"}


def test_misses_are_classed_by_the_name_tokens_they_share():
    assert ar.classify_miss("Abu Zufar", ["Yazid Sufaat", "Joe"]) == "unrelated"
    assert ar.classify_miss("Ali Salim", ["Ali Sayyid Muhamed Mustafa Bakri"]) == "partial"
    assert ar.classify_miss("Yaya", ["Yahya Haqqani"]) == "contained"
