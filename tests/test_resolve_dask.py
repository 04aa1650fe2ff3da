"""`interdict resolve` on Dask distributed (server/resolve_dask.py): a two-worker local cluster of processes,
reached through its scheduler address as a cluster of many machines would be. The Dask path must give
exactly the pairs and clusters of the in-process path."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip("dask.distributed")

from dask_cluster import kill_once, two_worker_scheduler, workers_back

from server import resolve as rs
from server import resolve_dask as rd
from server.cli import EXIT_INPUT, main

GIVEN = ["Anna", "Peter", "Maria", "Jan", "Sofia", "Lucas", "Emma", "Noah", "Lena", "David", "Oskar", "Ida", "Hugo",
         "Elin", "Karl", "Mia", "Tomas", "Greta", "Felix", "Clara", "Jonas", "Hanna", "Milan", "Nora", "Viktor",
         "Alma", "Erik", "Ruth", "Paul", "Vera"]
SURNAMES = ["Mueller", "Schmidt", "Nowak", "Jansen", "Rossi", "Dubois", "Silva", "Nielsen", "Kovac", "Berg", "Haas",
            "Fischer", "Wagner", "Bauer", "Horvat", "Lindqvist", "Moreau", "Costa", "Novak", "Petersen", "Romano",
            "Laurent", "Svensson", "Kowalski", "Marin", "Varga", "Keller", "Brandt", "Ferreira", "Olsen"]
N_PEOPLE = 240


def _typo(s: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(s) - 1)
    return s[:i] + s[i + 1] + s[i] + s[i + 2:] if rng.random() < 0.5 else s[:i] + s[i + 1:]


def dataset(seed: int = 3) -> tuple[list[dict], set[frozenset[str]], set[str]]:
    """(records, true pairs, control ids), shuffled so that duplicates sit in other partitions than their
    originals. Every fourth person has a duplicate (every twelfth two): a typo, the order swapped, same
    birth date. Every sixth has a relative (controls): same surname, another given name, born 30 years
    earlier, who must not be paired. `_blocks` as read_records(block_cols=birth_date) writes them."""
    rng = random.Random(seed)
    combos = rng.sample([(g, s) for g in GIVEN for s in SURNAMES], N_PEOPLE)
    people, dups, controls = [], [], []
    taken = set(combos)
    for k, (g, s) in enumerate(combos):
        y, m, d = rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29)
        people.append({"id": f"p{k:04d}", "kind": "person", "names": [f"{g} {s}"], "birth_dates": [f"{y}-{m:02d}-{d:02d}"]})
        for n in range(0 if k % 4 else (2 if k % 12 == 0 else 1)):
            name = [f"{g} {_typo(s, rng)}", f"{s} {g}", f"{_typo(g, rng)} {s}"][(k // 4 + n) % 3]
            dups.append({"id": f"p{k:04d}-d{n}", "kind": "person", "names": [name], "birth_dates": people[-1]["birth_dates"]})
        if k % 6 == 3:
            other = next(o for o in GIVEN[GIVEN.index(g) + 1:] + GIVEN if (o, s) not in taken)  # nobody's name
            taken.add((other, s))
            controls.append({"id": f"c{k:04d}", "kind": "person", "names": [f"{other} {s}"],
                             "birth_dates": [f"{y - 30}-{m:02d}-{d:02d}"]})
    records = people + dups + controls
    for r in records:
        r["_blocks"] = [(("birth_date",), (r["birth_dates"][0],))]
    groups: dict[str, list[str]] = {}
    for r in people + dups:
        groups.setdefault(r["id"][:5], []).append(r["id"])
    truth = {frozenset((x, y)) for g in groups.values() for x in g for y in g if x < y}
    rng.shuffle(records)
    return records, truth, {c["id"] for c in controls}


def view(res: rs.Result) -> tuple[list, list, int]:
    """Everything a result says: pairs (all fields, in order), clusters, merges refused."""
    pairs = [(p.id_a, p.id_b, p.score, p.band, p.clustered, p.matched_name, p.features) for p in res.pairs]
    return pairs, list(res.clusters), res.refused_merges


@pytest.fixture(scope="module")
def scheduler():
    yield from two_worker_scheduler()


@pytest.fixture(scope="module")
def data():
    return dataset()


DEDUP = {"threshold": 0.85, "floor": 0.3, "max_cluster": 2, "strong": 1.01}  # the guard keeps the triples apart


def test_dedup_on_two_workers_same_pairs_and_clusters_as_in_process(data, scheduler, tmp_path):
    records, truth, controls = data
    local = rs.resolve(records, **DEDUP)
    ticks: list[tuple[int, int]] = []
    dist = rs.resolve(records, **DEDUP, scheduler=scheduler, partition_rows=70, batch_size=25, work_dir=tmp_path,
                      progress=lambda done, total: ticks.append((done, total)))
    assert view(dist) == view(local)
    assert {k: v for k, v in dist.stats.items() if k not in ("partitions", "worker_threads", "snapshot_seconds")} == local.stats
    assert (dist.stats["partitions"], dist.stats["worker_threads"]) == (6, 2)  # 360 records / 70
    assert ticks[0] == (0, 360) and ticks[-1] == (360, 360) and len(ticks) == 7

    # not a vacuous comparison: every true pair found, pairs across partitions, refusals, review pairs
    at = {frozenset((p.id_a, p.id_b)) for p in dist.pairs if p.score >= 0.85}
    assert at == truth
    row = {r["id"]: n for n, r in enumerate(records)}
    assert any(row[p.id_a] // 70 != row[p.id_b] // 70 for p in dist.pairs if p.clustered)
    assert dist.refused_merges == 40 and dist.stats["largest_cluster"] == 2 and any(p.score < 0.85 for p in dist.pairs)
    # negative control: the relatives (same surname, other given name, 30 years older) are in no pair >=
    # the threshold and stay alone
    assert controls and not [p for p in dist.pairs if p.score >= 0.85 and {p.id_a, p.id_b} & controls]
    assert {(rid, size) for _, rid, _, size in dist.clusters if rid in controls} == {(c, 1) for c in controls}

    # each worker process opened B once for the job, its name index mapped from the snapshot, not built
    loads: dict[int, set[int]] = {}
    for t in dist.tasks:
        loads.setdefault(t["pid_os"], set()).add(t["loads"])
        assert t["index"] == "file"
    assert all(len(v) == 1 for v in loads.values())
    assert [t["pid"] for t in dist.tasks] == [f"a-{s:09d}" for s in range(0, 360, 70)]
    assert not list(tmp_path.iterdir())  # the snapshot is removed after the job


def test_the_comparison_sees_a_difference(data, scheduler, tmp_path):
    """Negative control for the equality above: one duplicate renamed, the Dask result differs from the
    in-process result of the original data in exactly that pair."""
    records, _, _ = data
    changed = [dict(r) for r in records]
    victim = next(r for r in changed if r["id"] == "p0004-d0")
    victim["names"] = ["Quentin Zylberstein"]
    dist = rs.resolve(changed, **DEDUP, scheduler=scheduler, partition_rows=70, work_dir=tmp_path)
    local = rs.resolve(records, **DEDUP)
    assert view(dist) != view(local)
    lost = {frozenset((p.id_a, p.id_b)) for p in local.pairs if p.score >= 0.85} - \
        {frozenset((p.id_a, p.id_b)) for p in dist.pairs if p.score >= 0.85}
    assert lost == {frozenset(("p0004", "p0004-d0"))}


def test_link_on_two_workers_with_accept_and_best_only(data, scheduler, tmp_path):
    records, _, controls = data
    a = [r for r in records if "-d" in r["id"] or r["id"] in controls]  # duplicates and relatives
    b = [r for r in records if r not in a]  # the originals

    def same_birth_year(ra, rb, _features):  # pickled to the workers by value
        return ra["birth_dates"][0][:4] == rb["birth_dates"][0][:4]

    for kw in ({}, {"accept": same_birth_year, "best_only": True}):
        local = rs.resolve(a, b, threshold=0.85, floor=0.3, **kw)
        dist = rs.resolve(a, b, threshold=0.85, floor=0.3, **kw, scheduler=scheduler, partition_rows=30,
                          work_dir=tmp_path)
        assert view(dist) == view(local)
        assert dist.mode == "link" and dist.stats["partitions"] == 4  # 120 records of A / 30
        linked = {(p.id_a, p.id_b) for p in dist.pairs if p.score >= 0.85}
        assert linked == {(x, x[:5]) for x in (r["id"] for r in a) if "-d" in x}
        assert not {p.id_a for p in dist.pairs if p.score >= 0.85} & controls
    assert all(p.score >= 0.3 for p in dist.pairs) and len({p.id_a for p in dist.pairs}) == len(dist.pairs)


def test_a_worker_killed_mid_run_every_partition_once_same_pairs(data, scheduler, tmp_path):
    records, _, _ = data
    marker = str(tmp_path / "killed")

    work = tmp_path / "work"
    work.mkdir()
    dist = rs.resolve(records, **DEDUP, scheduler=scheduler, partition_rows=70, work_dir=work, before=kill_once(marker))
    killed_pid, killed_part = Path(marker).read_text().split()
    assert [t["pid"] for t in dist.tasks] == [f"a-{s:09d}" for s in range(0, 360, 70)]  # each exactly once
    assert killed_part in {t["pid"] for t in dist.tasks}
    assert int(killed_pid) not in {t["pid_os"] for t in dist.tasks}  # the rerun ran in another process
    assert sum(t["records"] for t in dist.tasks) == len(records)
    assert view(dist) == view(rs.resolve(records, **DEDUP))


def test_a_failing_partition_is_named_and_the_snapshot_removed(data, scheduler, tmp_path):
    records, _, _ = data

    def fail_second(part):
        if part.start == 70:
            raise ValueError("disk full")

    with pytest.raises(rs.ResolveError, match=r"partition a-000000070 \(A rows 71-140\): ValueError: disk full"):
        rs.resolve(records, **DEDUP, scheduler=scheduler, partition_rows=70, work_dir=tmp_path, before=fail_second)
    assert not list(tmp_path.iterdir())
    bad = [{"id": "x1", "names": ["Anna Berg"], "_source": object()}]  # not JSON (and not the watchlist's)
    with pytest.raises(rs.ResolveError, match=r"A record 1 \('x1'\): object is not JSON"):
        rs.resolve(bad, scheduler=scheduler, work_dir=tmp_path)


def write_csv(path: Path, records: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rec", "given", "family", "dob"])
        for r in records:
            given, _, family = r["names"][0].partition(" ")
            w.writerow([r["id"], given, family, r["birth_dates"][0].replace("-", "")])
    return path


def test_cli_with_scheduler_writes_what_the_in_process_cli_writes(data, scheduler, tmp_path, capsys):
    records, truth, _ = data
    src = write_csv(tmp_path / "people.csv", records)
    common = ["resolve", "--input", str(src), "--id-col", "rec", "--name-cols", "given,family", "--birth-date-col",
              "dob", "--block-cols", "dob", "--threshold", "0.85", "--max-cluster", "2", "--strong", "1.01"]
    assert main([*common, "--output", str(tmp_path / "local"), "--in-process"]) == 0
    capsys.readouterr()
    out = tmp_path / "dask"
    workers_back(scheduler)  # (a worker was killed in an earlier test: the message counts worker threads)
    assert main([*common, "--output", str(out), "--scheduler", scheduler, "--partition-rows", "100"]) == 0
    err = capsys.readouterr().err
    assert "on Dask (4 partitions, 2 worker threads)" in err and "dedup: 360 records" in err
    for name in ("pairs.parquet", "clusters.parquet"):
        assert pq.read_table(out / name).equals(pq.read_table(tmp_path / "local" / name)), name
    pairs = pq.read_table(out / "pairs.parquet").to_pylist()
    assert {frozenset((p["id_a"], p["id_b"])) for p in pairs if p["score"] >= 0.85} == truth
    assert sorted(p.name for p in out.iterdir()) == ["clusters.parquet", "pairs.parquet"]  # snapshot gone

    assert main([*common, "--output", str(out), "--scheduler", scheduler, "--partition-rows", "0"]) == EXIT_INPUT
    assert "--partition-rows must be at least 1" in capsys.readouterr().err


def test_workers_without_a_scheduler_start_a_local_cluster(data, tmp_path):
    records, _, _ = data
    dist = rs.resolve(records[:120], threshold=0.85, workers=1, partition_rows=50, work_dir=tmp_path)
    assert (dist.stats["partitions"], dist.stats["worker_threads"]) == (3, 1)
    assert view(dist) == view(rs.resolve(records[:120], threshold=0.85))
    assert len({t["pid_os"] for t in dist.tasks}) == 1 and {t["loads"] for t in dist.tasks} == {1}


def test_snapshot_round_trip_keeps_records_and_block_keys(tmp_path):
    recs = [{"id": "1", "names": ["Anna Berg"], "_blocks": [(("dob", "zip"), ("19700101", "1234"))]},
            {"id": "2", "names": ["Jan Ruiz"], "birth_dates": ["1970"]}]
    rd._write_records(tmp_path / "r.arrow", ["1", "2"], recs, "A")
    assert rd._read_records(str(tmp_path / "r.arrow")) == (["1", "2"], recs)
    assert rd._read_records(str(tmp_path / "r.arrow"), 1, 2) == (["2"], recs[1:])
    hash(rd._read_records(str(tmp_path / "r.arrow"))[1][0]["_blocks"][0])  # hashable again
