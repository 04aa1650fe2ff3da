"""`interdict batch screen` throughput on a local Dask cluster (server/batch.py): synthetic passenger
records (Parquet partitions) re-screened against a synthetic person list in a store.

Small by default (a correctness run of seconds). INTERDICT_BENCH_LARGE=1 is the issue's size: 10M records
against a 1M-name list. The names and queries come from test_bench_screening.make_data (FEBRL tables from
../shared/data): 80% of the queries are perturbed list names, 20% fresh names; at the large size 1M
queries are generated and written 10 times, with distinct ids, as 10 partitions of 1M rows (split by row
groups into tasks of --partition-rows). Sizes and the cluster can be set:

    INTERDICT_BENCH_BATCH_NAMES=200000 INTERDICT_BENCH_BATCH_RECORDS=200000 \\
    INTERDICT_BENCH_BATCH_WORKERS=2 INTERDICT_BENCH_BATCH_THREADS=1 \\
        python -m pytest benchmarks/test_bench_batch.py -q -s --benchmark-only

extra_info: records, names, partitions, workers x threads, records_per_s (the job from submission to the
last partition written: cluster start, per-worker list opening and screening), screen_records_per_s
(the sum of rows over the time spent in tasks, per worker thread times threads: the steady rate),
planted_found (share of the planted queries whose entry is among their hits).
"""

from __future__ import annotations

import os
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("dask.distributed")

from test_bench_screening import make_data

from server import batch
from watchlists.store import Store

LARGE = os.environ.get("INTERDICT_BENCH_LARGE") == "1"


def _env(name: str, default: int) -> int:
    return int(os.environ.get(f"INTERDICT_BENCH_BATCH_{name}", "0")) or default


def test_batch_screen_throughput(benchmark, tmp_path):
    n_names = _env("NAMES", 1_000_000 if LARGE else 5_000)
    n_records = _env("RECORDS", 10_000_000 if LARGE else 4_000)
    workers, threads = _env("WORKERS", 2), _env("THREADS", 1)
    n_generated = min(n_records, 1_000_000)
    copies = -(-n_records // n_generated)
    partition_rows = max(1, min(250_000, n_generated // 4))

    records, _names, _owners, queries, planted = make_data(n_names, n_generated)
    store = Store(tmp_path / "store")
    store.import_records("synthetic", records)
    data = tmp_path / "pax"
    data.mkdir()
    for c in range(copies):
        rows = min(n_generated, n_records - c * n_generated)
        table = pa.table({
            "id": [f"Q{c}-{i}" for i in range(rows)],
            "name": [q["name"] for q in queries[:rows]],
            "birth_date": [q.get("birth_date") for q in queries[:rows]],
        })
        pq.write_table(table, data / f"copy{c:03d}.parquet", row_group_size=max(1, partition_rows))
    out = tmp_path / "hits"
    ref = batch.resolve_list("synthetic", out, store=str(store.root))
    t0 = time.perf_counter()
    batch.prepare_index(ref)  # once per list version, before the job (also what `run` does first)
    index_s = time.perf_counter() - t0

    summaries = []

    def run():
        summaries.append(batch.run(ref, data, out, workers=workers, threads_per_worker=threads,
                                   partition_rows=partition_rows, overwrite=True))

    benchmark.pedantic(run, setup=lambda: batch._clear_outputs(out), rounds=1, iterations=1)
    s = summaries[-1]
    assert (s.rows, s.done) == (n_records, s.partitions)
    hits = batch.read_output(out).select(["query_id", "entry_id"]).to_pylist()
    found = {(h["query_id"], h["entry_id"]) for h in hits}
    want = [(f"Q0-{i}", f"E{e}") for i, e in enumerate(planted[:min(n_generated, n_records)]) if e >= 0]
    planted_found = sum(w in found for w in want) / max(1, len(want))
    busy = sum(r["seconds"] for r in s.results)
    benchmark.extra_info.update({
        "records": n_records, "names": len(_names), "entries": len(records), "partitions": s.partitions,
        "workers": f"{workers}x{threads}", "index_build_s": round(index_s, 2), "job_s": round(s.seconds, 2),
        "records_per_s": round(s.records_per_second), "hits": s.hits,
        "screen_records_per_s": round(s.rows / busy * workers * threads) if busy else 0,
        "planted_found": round(planted_found, 4),
    })
    print(f"\nbatch screen: {benchmark.extra_info}")
    assert planted_found > 0.8
