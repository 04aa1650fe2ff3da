"""`interdict batch screen` on Dask distributed (server/batch.py): a two-worker local cluster of processes,
reached through its scheduler address as a cluster of many machines would be."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("dask.distributed")

from dask_cluster import kill_once, two_worker_scheduler

import engine
import watchlists
from server import batch
from server.cli import EXIT_INPUT, main
from watchlists.store import Store

GIVEN = ["ANNA", "PETER", "MARIA", "JAN", "SOFIA", "LUCAS", "EMMA", "NOAH", "LENA", "DAVID"]
SURNAMES = ["MUELLER", "SCHMIDT", "NOWAK", "JANSEN", "ROSSI", "DUBOIS", "SILVA", "NIELSEN", "KOVAC", "BERG"]
# listed people, written as airlines send them: (surname, given names, birth date) -> UN entry
PLANTED = {
    ("BADEGE", "ERIC", "1971"): "CDi.001",
    ("KONY", "JOSEPH", ""): "CFi.009",
    ("SAEED", "HAFEZ MOHAMMAD", ""): "QDi.263",
}


def passengers(n: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = [{"id": f"PAX{i:05d}", "surname": rng.choice(SURNAMES), "given_names": rng.choice(GIVEN),
             "birth_date": f"{rng.randrange(1950, 2005)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
             "nationality": "DEU", "flight": f"LH{rng.randrange(100, 999)}"} for i in range(n)]
    for k, (surname, given, born) in enumerate(PLANTED):
        rows[(k * 97 + 13) % n].update(surname=surname, given_names=given, birth_date=born, nationality="")
    return rows


def write_dataset(root: Path, rows: list[dict[str, str]]) -> Path:
    """Three files; the last one has four row groups, so with partition_rows=60 it is split in two."""
    root.mkdir(parents=True)
    table = pa.Table.from_pylist(rows)
    pq.write_table(table.slice(0, 100), root / "day=1.parquet")
    pq.write_table(table.slice(100, 100), root / "day=2.parquet")
    pq.write_table(table.slice(200), root / "day=3.parquet", row_group_size=30)
    return root


@pytest.fixture(scope="module")
def scheduler():
    yield from two_worker_scheduler()


@pytest.fixture(scope="module")
def default_ref(tmp_path_factory) -> batch.ListRef:
    out = tmp_path_factory.mktemp("ref")
    return batch.resolve_list("default", out)


def expected_hits(rows: list[dict[str, str]], limit: int = 10) -> set[tuple[str, str, float]]:
    screener = engine.Screener(watchlists.default_list())
    queries = [{k: v for k, v in r.items() if k in batch.QUERY_FIELDS and v} for r in rows]
    return {(r["id"], h.entry_id, round(h.score, 6))
            for r, hits in zip(rows, screener.screen(queries, limit=limit)) for h in hits}


def assert_exactly_once(out: Path, pids: list[str]) -> pa.Table:
    parts = sorted(p.name for p in out.glob("part-*.parquet"))
    assert parts == sorted(f"part-{p}.parquet" for p in pids)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    table = batch.read_output(out)
    keys = Counter(zip(table.column("query_id").to_pylist(), table.column("entry_id").to_pylist()))
    assert not [k for k, n in keys.items() if n > 1]
    return table


def test_parquet_on_two_workers_every_partition_once_and_planted_hits(tmp_path, scheduler):
    rows = passengers(300)
    data = write_dataset(tmp_path / "pax", rows)
    out = tmp_path / "hits"
    ref = batch.resolve_list("default", out)
    assert (ref.list_id, ref.version) == ("un-sc", "v000001")
    s = batch.run(ref, data, out, scheduler=scheduler, partition_rows=60, batch_size=40)

    pids = ["day=1", "day=2", "day=3.rg00000", "day=3.rg00002"]
    assert (s.partitions, s.done, s.skipped, s.rows) == (4, 4, 0, 300)
    assert s.workers == 2
    table = assert_exactly_once(out, pids)
    got = {(r["query_id"], r["entry_id"], r["score"]) for r in table.to_pylist()}
    assert got == expected_hits(rows)  # the cluster finds what one Screener finds, no more, no less
    by_query = {r["query_id"]: r for r in table.to_pylist() if r["band"] == "match"}
    for k, (surname, given, _), in enumerate(PLANTED):
        r = by_query[rows[(k * 97 + 13) % 300]["id"]]
        assert r["entry_id"] == PLANTED[(surname, given, _)]
        assert (r["list_id"], r["list_version"]) == ("un-sc", "v000001")
        assert json.loads(r["features"])["name"] > 0.9
    # each worker process opened the list once for the whole job, and the index was mapped, not built
    loads_per_process: dict[int, set[int]] = {}
    for r in s.results:
        loads_per_process.setdefault(r["pid_os"], set()).add(r["loads"])
    assert all(len(v) == 1 for v in loads_per_process.values())
    assert Path(ref.store, "un-sc", "v000001.arrow.nameidx").is_file()
    success = json.loads((out / batch.SUCCESS).read_text())
    assert success["params"]["list_version"] == "v000001" and success["last_run"]["rows"] == 300


def test_rerun_skips_finished_partitions_and_a_new_list_version_needs_overwrite(tmp_path, scheduler):
    store = Store(tmp_path / "store")
    records = [{"id": "X1", "names": ["ERIC BADEGE"], "birth_dates": ["1971"]},
               {"id": "X2", "names": ["JOSEPH KONY"]}]
    store.import_records("national", records)
    rows = passengers(300)
    data = write_dataset(tmp_path / "pax", rows)
    out = tmp_path / "hits"
    ref = batch.resolve_list("national", out, store=str(store.root))
    first = batch.run(ref, data, out, scheduler=scheduler, partition_rows=60)
    assert first.done == 4

    # a partition lost (e.g. the job was killed before it was written): the rerun does only that one
    (out / "part-day=2.parquet").unlink()
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    second = batch.run(ref, data, out, scheduler=scheduler, partition_rows=60)
    assert (second.done, second.skipped, second.rows) == (1, 3, 100)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet") if p.name in mtimes} == mtimes
    third = batch.run(ref, data, out, scheduler="tcp://127.0.0.1:9", partition_rows=60)  # nothing to do: no cluster is needed
    assert (third.done, third.skipped) == (0, 4)
    assert_exactly_once(out, ["day=1", "day=2", "day=3.rg00000", "day=3.rg00002"])

    # a new version of the list: the old output is not silently mixed with new hits
    store.upsert("national", [{"id": "X3", "names": ["MARIA ROSSI"]}])
    newer = batch.resolve_list("national", out, store=str(store.root))
    assert newer.version == "v000002"
    with pytest.raises(batch.BatchError, match="list_version"):
        batch.run(newer, data, out, scheduler=scheduler, partition_rows=60)
    redone = batch.run(newer, data, out, scheduler=scheduler, partition_rows=60, overwrite=True)
    assert (redone.done, redone.skipped) == (4, 0)
    table = assert_exactly_once(out, ["day=1", "day=2", "day=3.rg00000", "day=3.rg00002"])
    assert set(table.column("list_version").to_pylist()) == {"v000002"}
    assert "X1" in table.column("entry_id").to_pylist()


def test_csv_input_is_chunked_and_rows_without_an_id_get_partition_and_row(tmp_path, scheduler, default_ref):
    rows = passengers(250)
    src = tmp_path / "pax.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["surname", "given_names", "birth_date", "nationality", "address"])
        w.writeheader()
        for r in rows:
            w.writerow({"surname": r["surname"], "given_names": r["given_names"], "birth_date": r["birth_date"],
                        "nationality": r["nationality"], "address": "1 Main St,\nBerlin"})  # quoted newline
        w.writerow({"surname": "WRONG", "given_names": "DATE", "birth_date": "1970-02-30"})
    out = tmp_path / "hits"
    s = batch.run(default_ref, src, out, scheduler=scheduler, partition_rows=100)
    assert (s.partitions, s.rows, s.errors) == (3, 251, 1)
    table = assert_exactly_once(out, ["pax-00000", "pax-00001", "pax-00002"])
    badege = [r for r in table.to_pylist() if r["entry_id"] == "CDi.001"]
    assert [r["query_id"] for r in badege] == [f"pax-00000:{13}"]  # partition : row
    errors = [r for r in table.to_pylist() if r["error"]]
    assert [(r["query_id"], r["query_name"], r["entry_id"]) for r in errors] == [("pax-00002:50", "DATE WRONG", None)]
    assert errors[0]["error"] == "birth_date: '1970-02-30' is not a valid calendar date"


def test_cli_batch_screen(tmp_path, scheduler, capsys):
    data = write_dataset(tmp_path / "pax", passengers(300))
    out = tmp_path / "hits"
    argv = ["batch", "screen", "--list", "default", "--input", str(data), "--output", str(out),
            "--scheduler", scheduler, "--partition-rows", "60"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "4 partitions (0 already done)" in err and "un-sc v000001" in err
    assert main(argv) == 0
    assert "4 partitions (4 already done)" in capsys.readouterr().err
    assert main(argv[:-1] + ["50"]) == EXIT_INPUT  # other partitioning: refused, named
    assert "partition_rows" in capsys.readouterr().err
    assert main(["batch", "screen", "--list", "nope.xml", "--input", str(data), "--output", str(out)]) == EXIT_INPUT


def test_a_worker_killed_mid_run_the_job_completes_every_partition_once(tmp_path, scheduler, default_ref):
    rows = passengers(300)
    data = write_dataset(tmp_path / "pax", rows)
    out = tmp_path / "hits"
    marker = str(tmp_path / "killed")

    s = batch.run(default_ref, data, out, scheduler=scheduler, partition_rows=60, before=kill_once(marker))
    killed_pid, killed_part = Path(marker).read_text().split()
    assert (s.done, s.rows) == (4, 300)
    assert int(killed_pid) not in {r["pid_os"] for r in s.results}  # the retry ran elsewhere
    assert killed_part in {r["pid"] for r in s.results}
    table = assert_exactly_once(out, ["day=1", "day=2", "day=3.rg00000", "day=3.rg00002"])
    assert {(r["query_id"], r["entry_id"], r["score"]) for r in table.to_pylist()} == expected_hits(rows)


def test_without_a_scheduler_a_local_cluster_is_started_and_closed(tmp_path, default_ref):
    rows = passengers(120)
    data = tmp_path / "pax.parquet"
    pq.write_table(pa.Table.from_pylist(rows), data, row_group_size=50)
    out = tmp_path / "hits"
    s = batch.run(default_ref, data, out, workers=1, threads_per_worker=2, partition_rows=50)
    assert (s.partitions, s.rows, s.workers) == (3, 120, 2)
    table = assert_exactly_once(out, ["pax.rg00000", "pax.rg00001", "pax.rg00002"])
    assert {(r["query_id"], r["entry_id"], r["score"]) for r in table.to_pylist()} == expected_hits(rows)


def test_a_failing_partition_stops_the_job_and_is_named(tmp_path, scheduler, default_ref):
    data = write_dataset(tmp_path / "pax", passengers(300))
    out = tmp_path / "hits"

    def fail_on_day_2(part):
        if part.pid == "day=2":
            raise ValueError("disk full")

    with pytest.raises(batch.BatchError, match=r"partition day=2: ValueError: disk full"):
        batch.run(default_ref, data, out, scheduler=scheduler, partition_rows=60, before=fail_on_day_2)
    assert not (out / batch.SUCCESS).exists() and not (out / "part-day=2.parquet").exists()
    s = batch.run(default_ref, data, out, scheduler=scheduler, partition_rows=60)  # the rerun finishes the job
    assert s.done + s.skipped == 4 and s.done >= 1 and (out / batch.SUCCESS).is_file()
