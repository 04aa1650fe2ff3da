"""The saved, memory-mapped name index (native/src/index.rs save/load): same answers after a round
trip, refused when damaged or foreign, and reused by the store instead of rebuilt."""

from __future__ import annotations

import os
import random

import pytest

import engine
import engine._native as native
import engine.watchlist as watchlist_mod
from watchlists.store import Store

FIRST = ["John", "Jon", "Mohammed", "Muhammad", "Ayman", "Osama", "Maria", "Jürgen", "Abdul", "Olga", "Wei", "Ivan"]
LAST = ["Smith", "Smyth", "bin Laden", "al-Zawahiri", "Müller", "Rahman", "Petrova", "Zhang", "Ivanov", "Garcia"]
QUERIES = ["Usama bin Ladin", "Jon Smyth", "Mueller Juergen", "Abdulrahman", "Olga Petrov", "Nobody Atall", "Zhang Wei"]


def _records(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        names = [f"{first} {last}"] + ([f"{last} {rng.choice(FIRST)} {first}{i % 13}"] if rng.random() < 0.5 else [])
        out.append({"id": f"E{i}", "kind": "person", "names": names})
    return out


def test_round_trip_gives_equal_results(tmp_path):
    wl = engine.Watchlist.from_records(_records(300), list_id="t")
    path = tmp_path / "t.nameidx"
    wl.save_index(path)
    assert [p.name for p in tmp_path.iterdir()] == ["t.nameidx"]  # no temporary file left
    loaded = native.NameIndex.load(str(path))
    assert loaded.is_mapped and not wl.name_index.is_mapped
    assert len(loaded) == len(wl.name_index) and loaded.entry_count == wl.name_index.entry_count
    assert loaded.fingerprint == wl.name_index.fingerprint == wl.names_fingerprint
    queries = QUERIES + [n.name for n in wl.indexed_names[::9]]
    assert loaded.search(queries, limit=10, max_candidates=100) == wl.name_index.search(queries, limit=10, max_candidates=100)

    # a second Watchlist of the same records screens the same with the loaded index attached
    other = engine.Watchlist.from_records(_records(300), list_id="t")
    other.load_name_index(path)
    assert other.name_index_origin == "file" and other.name_index.is_mapped
    qs = [{"name": q} for q in QUERIES]
    got = engine.Screener(other).screen(qs, limit=5, threshold=0.5)
    want = engine.Screener(wl).screen(qs, limit=5, threshold=0.5)
    assert [[(h.entry_id, h.score) for h in r] for r in got] == [[(h.entry_id, h.score) for h in r] for r in want]


def test_foreign_index_is_refused(tmp_path):
    wl = engine.Watchlist.from_records(_records(50), list_id="t")
    path = tmp_path / "t.nameidx"
    wl.save_index(path)
    changed = _records(50)
    changed[7]["names"] = ["Somebody Else"]
    other = engine.Watchlist.from_records(changed, list_id="t")
    with pytest.raises(ValueError, match="does not belong"):
        other.load_name_index(path)
    # same names, other owners: a different fingerprint too
    assert native.name_fingerprint(["a", "b"], [0, 1]) != native.name_fingerprint(["a", "b"], [0, 0])
    assert native.name_fingerprint(["ab"], [0]) != native.name_fingerprint(["a", "b"], [0, 0])


def test_damaged_file_gives_clear_error(tmp_path):
    wl = engine.Watchlist.from_records(_records(50), list_id="t")
    path = tmp_path / "t.nameidx"
    wl.save_index(path)
    good = path.read_bytes()
    bad = tmp_path / "bad.nameidx"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="truncated"):
        native.NameIndex.load(str(bad))
    flipped = bytearray(good)
    flipped[len(good) - 20] ^= 0xFF
    bad.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="checksum"):
        native.NameIndex.load(str(bad))
    bad.write_bytes(b"not an index at all, but long enough to hold a header: 0123456789")
    with pytest.raises(ValueError, match="magic"):
        native.NameIndex.load(str(bad))
    with pytest.raises(FileNotFoundError):
        native.NameIndex.load(str(tmp_path / "missing.nameidx"))
    with pytest.raises(OSError):
        wl.save_index(tmp_path / "no" / "such" / "dir" / "x.nameidx")


@pytest.fixture
def build_calls(monkeypatch):
    calls = []
    real = watchlist_mod._build_name_index

    def counting(names, owners):
        calls.append(len(names))
        return real(names, owners)

    monkeypatch.setattr(watchlist_mod, "_build_name_index", counting)
    return calls


def test_store_reuses_the_cached_index(tmp_path, build_calls):
    store = Store(tmp_path / "store")
    store.import_records("t", _records(120))
    version = store.active("t")
    cache = tmp_path / "store" / "t" / f"{version.file}.nameidx"

    first = store.watchlist("t")
    assert not cache.exists()  # built on first use, not before
    want = first.name_index.search(QUERIES, limit=5)
    assert first.name_index_origin == "built" and build_calls == [len(first.indexed_names)]
    assert cache.exists()
    mtime = cache.stat().st_mtime_ns

    second = store.watchlist("t")
    assert second.name_index.search(QUERIES, limit=5) == want
    assert second.name_index_origin == "file" and second.name_index.is_mapped
    assert len(build_calls) == 1 and cache.stat().st_mtime_ns == mtime


def test_store_rebuilds_a_damaged_or_foreign_cache(tmp_path, build_calls):
    store = Store(tmp_path / "store")
    store.import_records("t", _records(80))
    cache = tmp_path / "store" / "t" / f"{store.active('t').file}.nameidx"
    want = store.watchlist("t").name_index.search(QUERIES, limit=5)

    cache.write_bytes(cache.read_bytes()[:-100])  # truncated
    wl = store.watchlist("t")
    assert wl.name_index.search(QUERIES, limit=5) == want and wl.name_index_origin == "built"
    assert native.NameIndex.load(str(cache)).fingerprint == wl.names_fingerprint  # rewritten, valid again

    engine.Watchlist.from_records(_records(10), list_id="x").save_index(cache)  # another list's index
    wl = store.watchlist("t")
    assert wl.name_index.search(QUERIES, limit=5) == want and wl.name_index_origin == "built"
    n = len(wl.indexed_names)
    assert build_calls.count(n) == 3  # first build, after truncation, after the foreign index (+1 for list "x")
    wl = store.watchlist("t")
    wl.name_index
    assert wl.name_index_origin == "file" and build_calls.count(n) == 3


def test_store_prunes_the_cache_with_its_version(tmp_path):
    store = Store(tmp_path / "store", retention=1)
    store.import_records("t", _records(30))
    old = store.active("t")
    store.watchlist("t").name_index
    directory = tmp_path / "store" / "t"
    assert (directory / f"{old.file}.nameidx").exists()
    store.upsert("t", [{"id": "NEW", "kind": "person", "names": ["Brand New"]}])
    assert not (directory / f"{old.file}.nameidx").exists()
    # a cache whose version is gone is removed as a leftover by the next writer
    stray = directory / "v000099.arrow.nameidx"
    stray.write_bytes(b"x")
    store.upsert("t", [{"id": "NEW2", "kind": "person", "names": ["Other New"]}])
    assert not stray.exists()
    assert sorted(p.name for p in directory.iterdir() if p.name.endswith(".nameidx")) == []
    assert os.listdir(directory)
