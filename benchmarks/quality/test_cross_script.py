"""Cross-script pairs (moov-io/watchman): every pair is found; a regression guard."""

from __future__ import annotations

import cross_script as cs
import pytest

import engine

pytestmark = pytest.mark.skipif(not cs.PAIRS.exists(), reason="../shared/data absent")


def test_every_pair_is_found():
    outcomes = cs.evaluate()
    assert len(outcomes) == 22
    assert [o.query for o in outcomes if not o.found] == []


def test_korean_names_in_hangul_are_found():
    found = {o.query for o in cs.evaluate() if o.found}
    assert {"김정은", "박지성", "이민호"} <= found


def test_han_names_are_found_under_their_korean_and_japanese_readings():
    # read in Mandarin only (JIN ZHENG EN, SHAN TIAN TAI LANG), these three were not found (native/src/cjk.rs)
    outcomes = {o.query: o for o in cs.evaluate()}
    for query in ("金正恩", "山田太郎", "田中花子"):
        assert outcomes[query].found and outcomes[query].score >= 0.95, outcomes[query]


def test_other_han_names_do_not_take_the_pairs_expected_names():
    # negative control: Korean and Japanese names in Han characters that are none of the expected names
    expected = sorted({e for _, e, _ in cs.read_pairs()})
    wl = engine.Watchlist.from_records([{"id": e, "names": [e]} for e in expected], list_id="cross-script")
    queries = ["鈴木一郎", "崔順實", "佐藤健一", "小林誠", "黃禹錫", "宋康昊", "渡辺美咲"]
    hits = engine.Screener(wl).screen([{"name": q} for q in queries], limit=1, threshold=engine.DEFAULT_THRESHOLD)
    assert {q: [h.entry_id for h in hs] for q, hs in zip(queries, hits)} == {q: [] for q in queries}
