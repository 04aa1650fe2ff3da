"""The pair-finding of `resolve` (server/resolve.py) on Dask distributed, as `batch screen` does its screening.

    run = find_pairs(a, ids_a, b, ids_b, watchlist_b, search, scheduler=None | "tcp://host:8786", workers=2, ...)

How a job goes:

* **Snapshot**: the client writes the job's data once into a fresh directory under `work_dir`
  (``_resolve-<token>``): ``a.arrow`` (and ``b.arrow`` when linking; dedup reads B from ``a.arrow``),
  Arrow IPC files of (id, record as JSON), and ``b.nameidx``, B's name index saved by the client
  (`NameIndex.save`; built once, here). Records are JSON-shaped (DESIGN.md 'Record'); dates are written
  as ISO text, anything else that is not JSON is refused, naming the record.
* **Tasks**: A is cut into partitions of `partition_rows` records (row ranges of ``a.arrow``); a task
  carries the snapshot path, its row range and the `Search` (thresholds, limit, block_keys, accept,
  config), nothing big. Each worker process opens B once per job (`_finder`: the records from the
  memory-mapped Arrow file, the name index memory-mapped and checked against them, B's blocks) and keeps
  it for the job's later tasks. A task screens its rows in batches with the same `PairFinder.find` as the
  in-process path and returns its partition's pairs (per key the better direction, `resolve.offer`).
* **Gather**: pairs are small (those at or above the floor); the client merges them with `offer` (a
  strict order, so the outcome does not depend on partitioning or arrival order) and `resolve` clusters
  them with the same code as in-process. A worker that dies is replaced and its task rerun by Dask; the
  client takes exactly one result per partition and refuses the job otherwise.
* At the end the workers drop the job's B (`_release`) and the snapshot directory is removed.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from .resolve import (
    Pair,
    PairFinder,
    ResolveError,
    Search,
    offer,
    queries_of,
    watchlist_of,
)

log = logging.getLogger(__name__)

DEFAULT_PARTITION_ROWS = 50_000
SNAPSHOT_FORMAT = 1
_SNAPSHOT_META = "snapshot.json"
_RECORDS_SCHEMA = pa.schema([("id", pa.string()), ("record", pa.large_string())])


# -- the snapshot ----------------------------------------------------------------------------------------


def _json_value(v: Any) -> Any:
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not JSON")


def _write_records(path: Path, ids: Sequence[str], records: Sequence[dict[str, Any]], side: str) -> None:
    texts = []
    for n, r in enumerate(records):
        try:
            texts.append(json.dumps(r, ensure_ascii=False, separators=(",", ":"), default=_json_value))
        except (TypeError, ValueError) as e:
            raise ResolveError(f"{side} record {n + 1} ({ids[n]!r}): {e} (the Dask path ships records as JSON)") from None
    table = pa.table([pa.array(ids, pa.string()), pa.array(texts, pa.large_string())], schema=_RECORDS_SCHEMA)
    tmp = path.with_name(f".{path.name}.tmp")
    with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=64 * 1024)
    os.replace(tmp, path)


def _hashable(v: Any) -> Any:
    return tuple(_hashable(x) for x in v) if isinstance(v, list) else v


def _read_records(path: str, start: int = 0, stop: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows [start, stop) of a snapshot records file, memory-mapped: (ids, records). `_blocks` (block keys
    from read_records: tuples) come back as tuples, so they are hashable again."""
    with pa.memory_map(path) as src:
        table = pa.ipc.open_file(src).read_all()
        table = table.slice(start, (stop if stop is not None else table.num_rows) - start)
        ids = table.column("id").to_pylist()
        records = [json.loads(t) for t in table.column("record").to_pylist()]
    for r in records:
        if "_blocks" in r:
            r["_blocks"] = [_hashable(k) for k in r["_blocks"]]
    return ids, records


def write_snapshot(root: Path, a: Sequence[dict[str, Any]], ids_a: Sequence[str], b: Sequence[dict[str, Any]],
                   ids_b: Sequence[str], wl: Any, dedup: bool) -> Path:
    """The job's records and B's name index under `root`; returns the snapshot directory."""
    snap = root / f"_resolve-{uuid.uuid4().hex[:12]}"
    snap.mkdir(parents=True)
    _write_records(snap / "a.arrow", ids_a, a, "A")
    if not dedup:
        _write_records(snap / "b.arrow", ids_b, b, "B")
    wl.save_index(snap / "b.nameidx")
    meta = {"format": SNAPSHOT_FORMAT, "dedup": dedup, "b_records": "a.arrow" if dedup else "b.arrow",
            "list_id": wl.list_id, "version": wl.version, "a_rows": len(ids_a), "b_rows": len(ids_b),
            "b_names": len(wl.indexed_names)}
    (snap / _SNAPSHOT_META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return snap


# -- on a worker ---------------------------------------------------------------------------------------


_FINDERS: dict[str, PairFinder] = {}
_FINDERS_LOCK = threading.Lock()
_KEEP_FINDERS = 2  # jobs kept open per worker process (two jobs may share a cluster)
LOADS = {"count": 0}  # how many times this process opened a job's B


def _finder(snap: str, search: Search) -> PairFinder:
    """This process's PairFinder for the job at `snap`: opened once (index memory-mapped), then reused.
    A snapshot directory is one job, so its path is the key."""
    f = _FINDERS.get(snap)
    if f is None:
        with _FINDERS_LOCK:
            f = _FINDERS.get(snap)
            if f is None:
                try:
                    meta = json.loads(Path(snap, _SNAPSHOT_META).read_text(encoding="utf-8"))
                except FileNotFoundError:
                    raise ResolveError(f"{snap} is not there on this worker ({socket.gethostname()}): the work "
                                       "directory must be one every worker sees at the same path") from None
                if meta.get("format") != SNAPSHOT_FORMAT:
                    raise ResolveError(f"{snap}: snapshot format {meta.get('format')}, expected {SNAPSHOT_FORMAT}")
                ids_b, b = _read_records(os.path.join(snap, meta["b_records"]))
                wl = watchlist_of(b, ids_b, meta["dedup"], version=meta["version"])
                wl.load_name_index(os.path.join(snap, "b.nameidx"))  # mapped; refused if not B's names
                while len(_FINDERS) >= _KEEP_FINDERS:
                    _FINDERS.pop(next(iter(_FINDERS)))
                f = _FINDERS[snap] = PairFinder(wl, b, ids_b, search)
                LOADS["count"] += 1
    return f


def _release(snap: str) -> bool:
    """Run on every worker at the end of a job: drop its B (the mapped files are then unmapped)."""
    with _FINDERS_LOCK:
        return _FINDERS.pop(snap, None) is not None


@dataclass(frozen=True)
class Partition:
    pid: str  # a-<first row>: stable for a given partition_rows
    start: int
    stop: int


def find_partition(snap: str, part: Partition, search: Search, batch_size: int,
                   before: Callable[[Partition], None] | None = None) -> dict[str, Any]:
    """The task: the pairs of A's rows [start, stop) against B; returns them with counts."""
    if before is not None:
        before(part)  # tests: e.g. kill this worker once
    started = time.perf_counter()
    finder = _finder(snap, search)
    ids, records = _read_records(os.path.join(snap, "a.arrow"), part.start, part.stop)
    queries = queries_of(ids, records)
    best: dict[tuple[str, str], Pair] = {}
    direction: dict[tuple[str, str], str] = {}
    candidates = 0
    for start in range(0, len(queries), batch_size):
        found, n = finder.find(queries[start:start + batch_size])
        candidates += n
        for ia, p in found:
            offer(best, ia, p)
            if best[(p.id_a, p.id_b)] is p:
                direction[(p.id_a, p.id_b)] = ia
    return {"pid": part.pid, "records": len(records), "queries": len(queries), "candidates": candidates,
            "pairs": [(direction[k], p) for k, p in best.items()], "pid_os": os.getpid(), "loads": LOADS["count"],
            "index": finder.watchlist.name_index_origin, "seconds": time.perf_counter() - started}


# -- the client ----------------------------------------------------------------------------------------


@dataclass
class Run:
    pairs: list[tuple[str, Pair]]  # (A id of the direction kept, pair), every partition's
    queries: int
    candidates: int
    worker_threads: int
    tasks: list[dict[str, Any]] = field(default_factory=list)  # per partition: pid, records, pid_os, ...
    snapshot_seconds: float = 0.0  # writing the records and building and saving B's name index


def plan_partitions(rows: int, partition_rows: int) -> list[Partition]:
    return [Partition(f"a-{start:09d}", start, min(start + partition_rows, rows)) for start in range(0, rows, partition_rows)]


def find_pairs(
    a: Sequence[dict[str, Any]],
    ids_a: Sequence[str],
    b: Sequence[dict[str, Any]],
    ids_b: Sequence[str],
    wl: Any,
    search: Search,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    threads_per_worker: int = 1,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    batch_size: int = 5_000,
    work_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    before: Callable[[Partition], None] | None = None,
) -> Run:
    """Finds the pairs of A against B (`wl`: B's Watchlist) on the Dask cluster at `scheduler` (a
    LocalCluster of `workers` processes x `threads_per_worker` threads when None). `work_dir` holds the
    snapshot while the job runs (default: the system's temporary directory; with a scheduler on other
    machines it must be a directory every worker sees at the same path). `progress(queries done, total)`
    is called as partitions finish."""
    import tempfile

    from dask.distributed import Client, LocalCluster, as_completed

    if partition_rows < 1 or batch_size < 1 or workers < 1 or threads_per_worker < 1:
        raise ResolveError("partition rows, batch size, workers and threads per worker must be at least 1")
    total = sum(1 for _ in queries_of(ids_a, a))
    parts = plan_partitions(len(a), partition_rows)
    run = Run([], 0, 0, 0)
    if progress:
        progress(0, total)
    if not parts:
        return run
    root = Path(work_dir) if work_dir is not None else Path(tempfile.gettempdir())
    snap: Path | None = None
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                                   dashboard_address=":0", silence_logs=40)
        try:
            client = Client(cluster if cluster is not None else scheduler)
        except OSError as e:
            raise ResolveError(f"Dask scheduler {scheduler}: {e}") from None
        with client:
            t0 = time.perf_counter()
            snap = write_snapshot(root, a, ids_a, b, ids_b, wl, search.dedup)  # once connected: no index build for nothing
            run.snapshot_seconds = time.perf_counter() - t0
            run.worker_threads = sum(client.nthreads().values())
            token = snap.name.rsplit("-", 1)[1]
            futures = {client.submit(find_partition, str(snap.resolve()), p, search, batch_size, before,
                                     key=f"interdict-resolve-{p.pid}-{token}", pure=False): p for p in parts}
            results: dict[str, dict[str, Any]] = {}
            try:
                for fut in as_completed(list(futures)):
                    pid = futures[fut].pid
                    try:
                        r = fut.result()
                    except Exception as e:  # a task failed (not a lost worker: Dask reruns those): name it
                        raise ResolveError(f"partition {pid} (A rows {futures[fut].start + 1}-{futures[fut].stop}): "
                                           f"{type(e).__name__}: {e}") from e
                    if r["pid"] != pid or pid in results:
                        raise ResolveError(f"partition {pid}: a second result, or another partition's ({r['pid']!r})")
                    results[pid] = r
                    run.queries += r["queries"]
                    if progress:
                        progress(run.queries, total)
            finally:
                client.cancel(list(futures))
                try:
                    client.run(_release, str(snap.resolve()))
                except Exception as e:  # noqa: BLE001 - a worker that went away has nothing to release
                    log.debug("releasing %s on the workers: %s", snap, e)
    finally:
        if cluster is not None:
            cluster.close()
        if snap is not None:
            shutil.rmtree(snap, ignore_errors=True)
    missing = [p.pid for p in parts if p.pid not in results]
    if missing:
        raise ResolveError(f"partitions without a result: {', '.join(missing[:5])}")
    for p in parts:  # in partition order, each exactly once
        r = results[p.pid]
        run.pairs.extend(r.pop("pairs"))
        run.candidates += r["candidates"]
        run.tasks.append(r)
    return run
