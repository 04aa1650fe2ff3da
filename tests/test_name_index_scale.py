"""The compact name index (native/src/index.rs) and the Screener's search path: same answers
whatever the batch size, and the early stop in Screener.screen changes no result."""

from __future__ import annotations

import random

import pytest

import engine
import engine._native as native

FIRST = ["John", "Jon", "Mohammed", "Muhammad", "Ayman", "Osama", "Maria", "Juergen", "Abdul", "Olga", "Wei", "Ivan"]
LAST = ["Smith", "Smyth", "Laden", "Zawahiri", "Mueller", "Rahman", "Petrova", "Zhang", "Ivanov", "Garcia"]


def _records(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        names = [f"{first} {last}"] + ([f"{last} {rng.choice(FIRST)} {first}"] if rng.random() < 0.5 else [])
        rec = {"id": f"E{i}", "kind": "person", "names": names}
        if rng.random() < 0.5:
            rec["birth_dates"] = [f"{rng.randrange(1950, 2000)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"]
        out.append(rec)
    return out


def test_stats_and_batch_sizes_agree():
    names = ["Osama bin Laden", "Usama bin Ladin", "John Smith", "Jürgen Müller", "Abdul Rahman Yasin"]
    idx = native.NameIndex(names, [0, 0, 1, 2, 3])
    stats = idx.stats()
    assert stats["rows"] >= len(names) and stats["tokens"] > 0 and stats["keys"] > 0
    queries = ["LADEN Osamma", "Jon Smyth", "Mueller Juergen", "Abdulrahman Yasin", "Nobody Atall"]
    batch = idx.search(queries, limit=5, max_candidates=50, min_score=0.0)
    singles = [idx.search([q], limit=5, max_candidates=50, min_score=0.0)[0] for q in queries]
    assert batch == singles
    assert batch[0][0][0] == 0 and batch[1][0][0] == 1
    # started ahead on the pool: the same result, taken once; the floors are checked before it starts
    floors = [0.0, 0.5, 0.9, 0.0, 0.0]
    pending = [idx.search_ahead(queries, limit=5, max_candidates=50, min_score=floors) for _ in range(3)]
    assert all(p.wait() == idx.search(queries, limit=5, max_candidates=50, min_score=floors) for p in pending)
    with pytest.raises(RuntimeError, match="already taken"):
        pending[0].wait()
    with pytest.raises(ValueError, match="min_score has 2 floors for 5 queries"):
        idx.search_ahead(queries, min_score=[0.0, 0.1])


def test_screen_early_stop_changes_nothing():
    wl = engine.Watchlist.from_records(_records(400), list_id="t")
    scr = engine.Screener(wl)
    rng = random.Random(1)
    queries = [{"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"} for _ in range(30)]
    queries += [{"name": "Jon Smith", "birth_date": "1960-01-11"}, {"name": "Smith John"}]
    # with listed birth dates, whose lift the early stop's bound must count: a listed name with one word
    # changed, born on that entry's date, which then lifts the entry above some whose whole name agrees
    dated = [r for r in _records(400) if r.get("birth_dates")]
    for r in rng.sample(dated, 40):
        words = r["names"][0].split()
        words[rng.randrange(len(words))] = rng.choice(FIRST + LAST)
        queries.append({"name": " ".join(words), "birth_date": r["birth_dates"][0]})
    few = scr.screen(queries, limit=3, threshold=0.5)
    many = scr.screen(queries, limit=40, threshold=0.5)
    for a, b in zip(few, many):
        assert [(h.entry_id, h.score) for h in a] == [(h.entry_id, h.score) for h in b[:3]]


def test_the_index_compares_a_query_with_a_listed_name_as_compare_names_does(tmp_path):
    """NameIndex.compare_names reads the listed name's tokens from the index (its rows: one per
    non-empty normalised form) instead of preparing them again: the same comparison for every pair,
    from a built index and from a saved one, whatever query came before (the last query is kept
    prepared)."""
    names = [
        "Jürgen Müller", "Osama bin Laden", "Abdul Rahman Al Hassan", "ACME TRADING CO. LTD.", "محمد بن سلمان",
        "Абдул Рахман", "王小明", "-", "Ó Briain", "John Smith", "Jon Smyth", "Al Qaida", "Ng", "MUHAMMAD IQBAL",
    ]
    names += [f"{a} {b}" for a, b in zip(FIRST, reversed(LAST))]
    queries = ["Juergen Mueller", "Usama bin Ladin", "Abdulrahman Hasan", "Acme Trading Limited", "Mohammed bin Salman",
               "Abdul Rakhman", "Wang Xiaoming", "", "-", "O Brien", "Johnny Smith", "Mohammad Iqbal", "Zzz Qqq"]
    built = native.NameIndex(names, list(range(len(names))))
    built.save(tmp_path / "names.idx")
    for index in (built, native.NameIndex.load(tmp_path / "names.idx")):
        for q in queries + queries[::-1]:
            for row, text in enumerate(names):
                mine, theirs = index.compare_names(q, row, text), native.compare_names(q, text)
                assert (mine.score, mine.pairs, mine.unmatched_query, mine.unmatched_candidate) == (
                    theirs.score, theirs.pairs, theirs.unmatched_query, theirs.unmatched_candidate
                ), (q, text)
    assert built.compare_names("Juergen Mueller", 0, names[0]).score == 1.0
