"""Batch screening on Dask distributed: Parquet (or CSV) partitions in, Parquet hits out.

    run(ListRef, input, output, scheduler=None | "tcp://host:8786", workers=2, ...)

How a job goes:

* The list is a pinned version of a list store (watchlists.store): an Arrow IPC file with its name index
  cached beside it (``<version>.arrow.nameidx``). A list given as a file (or the embedded ``default``) is
  first imported into ``OUT/_store``; importing the same content again makes no new version, so a rerun
  pins the same version. The client makes sure the name index file exists (building it once) before any
  task runs. A task carries only (store directory, list id, version): each worker process opens the store
  read-only, builds the Watchlist's entries and memory-maps the name index *once*, and keeps the Screener
  in a module-level cache (`_screener`) for every later task. Nothing big is pickled.
* Partitions: a Parquet directory gives one partition per file (a file of more than `partition_rows`
  rows is split by row groups); a CSV file is first converted, streaming, into Parquet chunks of
  `partition_rows` rows under ``OUT/_input`` (every column read as text, as `interdict screen` reads
  CSV), so quoted newlines are safe and every partition is again a Parquet slice.
* Each partition is screened in batches and written as ``OUT/part-<partition id>.parquet`` through a
  uniquely named temporary file and a rename: a file is there complete or not at all, even when a
  worker dies mid-write or a task runs twice after Dask retries it.
* ``OUT/_manifest.json`` holds the job's parameters (list id, version and checksum, input fingerprint,
  partitioning, limit, threshold, configuration digest) and is written before any task; ``OUT/_SUCCESS``
  is written (with totals) when every partition is done. A rerun with the same parameters skips
  partitions whose output file exists; with other parameters (a new list version, changed input) it is
  refused unless `overwrite`, which removes the old outputs first.

Output columns (OUTPUT_SCHEMA): one row per hit, plus one row per input row that is not a valid query
(`error` set, hit columns null) so nothing is dropped silently.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "_manifest.json"
SUCCESS = "_SUCCESS"
STAGED_INPUT = "_input"  # CSV converted to Parquet chunks
LOCAL_STORE = "_store"  # a list given as a file, imported into a store of its own
DEFAULT_PARTITION_ROWS = 250_000
DEFAULT_BATCH_SIZE = 10_000
FORMAT_VERSION = 1

QUERY_FIELDS = ("kind", "name", "surname", "given_names", "birth_date", "nationality", "sex", "documents", "address",
                "country")

OUTPUT_SCHEMA = pa.schema([
    ("query_id", pa.string()),
    ("query_name", pa.string()),
    ("entry_id", pa.string()),
    ("list_id", pa.string()),
    ("list_version", pa.string()),
    ("score", pa.float64()),
    ("band", pa.string()),
    ("matched_name", pa.string()),
    ("features", pa.string()),  # JSON object: feature -> value
    ("error", pa.string()),  # set (and the hit columns null) for an input row that is not a valid query
])


class BatchError(Exception):
    """A batch job that cannot start or did not finish; the message says why."""


# -- the list ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRef:
    """A pinned list version in a store: all a worker needs to open it."""

    store: str
    list_id: str
    version: str
    checksum: str
    rows: int = 0
    config: str | None = None  # TOML configuration file (must be readable on every worker)


def resolve_list(
    spec: str | None, output: str | os.PathLike[str], *, list_id: str | None = None, store: str | None = None,
    version: str | None = None, config: str | None = None,
) -> ListRef:
    """`--store DIR --list ID [--version V]`: that version (the active one by default) of the store;
    `--list FILE` / `--list default`: the file imported into OUT/_store (a no-op when unchanged)."""
    from watchlists.store import Store

    if store:
        if not spec:
            raise BatchError("--store needs --list LIST_ID")
        st, lid = Store(store), spec
    else:
        import watchlists

        path = watchlists.DEFAULT_LIST_PATH if not spec or spec == "default" else Path(spec)
        if not Path(path).exists():
            raise BatchError(f"--list {spec}: no such file")
        st = Store(Path(output) / LOCAL_STORE)
        result = st.import_file(path, list_id=list_id or ("un-sc" if path == watchlists.DEFAULT_LIST_PATH else None))
        lid = result.version.list_id
        if version is None:
            version = result.version.version
    kept = st.versions(lid)
    v = next((k for k in kept if k.version == version), None) if version else st.active(lid)
    if v is None:
        raise BatchError(f"{lid} has no version {version!r} (kept: {', '.join(k.version for k in kept)})"
                         if version else f"{lid} has no active version")
    if v.layout == "documents":
        raise BatchError(f"{lid} {v.version} is a document list; batch screen screens names")
    return ListRef(str(Path(st.root).resolve()), lid, v.version, v.checksum, v.rows,
                   str(Path(config).resolve()) if config else None)


def prepare_index(ref: ListRef) -> str:
    """Makes sure the version's name index file exists (built here once, not on every worker);
    returns where the index came from ("file" or "built")."""
    from watchlists.store import Store

    wl = Store(ref.store).watchlist(ref.list_id, ref.version)
    _ = wl.name_index  # built (and saved) here, or mapped
    return wl.name_index_origin


_SCREENERS: dict[tuple[str, str, str, str | None], Any] = {}
_SCREENERS_LOCK = threading.Lock()
_KEEP_SCREENERS = 2  # lists kept open per worker process, the most recently opened
LOADS = {"count": 0}  # how many times this process opened a list (one per list version and config)


def _screener(ref: ListRef) -> Any:
    """The worker process's Screener for `ref`: opened once (index memory-mapped), then reused."""
    key = (ref.store, ref.list_id, ref.version, ref.config)
    s = _SCREENERS.get(key)
    if s is None:
        with _SCREENERS_LOCK:
            s = _SCREENERS.get(key)
            if s is None:
                import engine
                from watchlists.store import Store

                wl = Store(ref.store).watchlist(ref.list_id, ref.version)
                _ = wl.name_index  # mapped from <version>.arrow.nameidx
                while len(_SCREENERS) >= _KEEP_SCREENERS:  # a long-lived cluster moves on to new versions
                    _SCREENERS.pop(next(iter(_SCREENERS)))
                s = _SCREENERS[key] = engine.Screener(wl, config=ref.config)
                LOADS["count"] += 1
    return s


# -- the input -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    pid: str  # stable, file-name safe: names the output part-<pid>.parquet
    path: str
    row_groups: tuple[int, ...] | None  # None: the whole file
    rows: int


def _is_csv(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".csv"


def _parquet_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*.parquet") if p.is_file() and not any(
        part.startswith(("_", ".")) for part in p.relative_to(path).parts))
    if not files:
        raise BatchError(f"{path}: no .parquet files")
    return files


def _footer_digest(path: Path) -> str:
    """SHA-256 of a Parquet file's footer (schema, row groups, column chunk offsets and statistics):
    cheap, and it changes with the content."""
    with open(path, "rb") as f:
        f.seek(-8, os.SEEK_END)
        tail = f.read(8)
        if tail[4:] != b"PAR1":
            raise BatchError(f"{path}: not a Parquet file")
        n = int.from_bytes(tail[:4], "little")
        f.seek(-8 - n, os.SEEK_END)
        return hashlib.sha256(f.read(n)).hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_fingerprint(path: Path) -> str:
    """Names, sizes and content digests of the input files (Parquet: the footer; CSV: the whole file)."""
    h = hashlib.sha256()
    if _is_csv(path):
        h.update(json.dumps(["csv", path.name, path.stat().st_size, _sha256_file(path)]).encode())
    else:
        for f in _parquet_files(path):
            rel = f.name if path.is_file() else f.relative_to(path).as_posix()
            h.update(json.dumps(["parquet", rel, f.stat().st_size, _footer_digest(f)]).encode())
    return h.hexdigest()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", name).strip("._") or "x"


def plan_partitions(path: Path, partition_rows: int) -> list[Partition]:
    """One partition per Parquet file, files of more than `partition_rows` rows split by row groups."""
    parts: list[Partition] = []
    for f in _parquet_files(path):
        rel = f.name if path.is_file() else f.relative_to(path).as_posix()
        base = _safe(rel.removesuffix(".parquet").replace("/", "__"))
        meta = pq.ParquetFile(f).metadata
        if meta.num_rows <= partition_rows or meta.num_row_groups <= 1:
            parts.append(Partition(base, str(f.resolve()), None, meta.num_rows))
            continue
        group: list[int] = []
        rows = 0
        for rg in range(meta.num_row_groups):
            group.append(rg)
            rows += meta.row_group(rg).num_rows
            if rows >= partition_rows or rg == meta.num_row_groups - 1:
                parts.append(Partition(f"{base}.rg{group[0]:05d}", str(f.resolve()), tuple(group), rows))
                group, rows = [], 0
    seen: set[str] = set()
    for p in parts:
        if p.pid in seen:
            raise BatchError(f"{path}: two input files map to the same partition id {p.pid!r}; rename one")
        seen.add(p.pid)
    return parts


def stage_csv(path: Path, out: Path, partition_rows: int, fingerprint: str) -> Path:
    """Converts a CSV file into Parquet chunks of `partition_rows` rows under OUT/_input (once: kept
    with a marker naming the input fingerprint). Every column is read as text."""
    import pyarrow.csv as pacsv

    staged = out / STAGED_INPUT
    marker = staged / "_STAGED"
    stamp = {"fingerprint": fingerprint, "partition_rows": partition_rows, "source": str(path)}
    if marker.is_file() and json.loads(marker.read_text()) == stamp:
        return staged
    if staged.exists():
        for old in staged.iterdir():
            old.unlink()
    staged.mkdir(parents=True, exist_ok=True)
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), None)
    if not header:
        raise BatchError(f"{path}: empty CSV (a header line is needed)")
    reader = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}, strings_can_be_null=False),
    )
    stem = _safe(path.name.split(".")[0])
    chunk, n_rows, n = [], 0, 0

    def flush() -> None:
        nonlocal chunk, n_rows, n
        if chunk:
            pq.write_table(pa.Table.from_batches(chunk), staged / f"{stem}-{n:05d}.parquet")
            chunk, n_rows, n = [], 0, n + 1

    try:
        for batch in reader:
            while batch.num_rows:
                take = min(batch.num_rows, partition_rows - n_rows)
                chunk.append(batch.slice(0, take))
                n_rows += take
                batch = batch.slice(take)
                if n_rows >= partition_rows:
                    flush()
        flush()
    except pa.ArrowInvalid as e:
        raise BatchError(f"{path}: {e}") from None
    marker.write_text(json.dumps(stamp))
    return staged


# -- one partition -------------------------------------------------------------------------------------


def _text(v: Any) -> Any:
    if isinstance(v, (_dt.datetime,)):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(int(v)) if float(v).is_integer() else str(v)
    return v


def _query_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A row's query fields, as `interdict screen` reads CSV: empty values left out, documents as
    "N1;N2" text or a list of numbers or of objects."""
    q: dict[str, Any] = {}
    for k in QUERY_FIELDS:
        v = row.get(k)
        if v is None or v == "":
            continue
        if k == "documents":
            if isinstance(v, str):
                v = [{"number": n} for n in v.split(";") if n.strip()]
            else:
                v = [d if isinstance(d, dict) else {"number": str(d)} for d in v]
            if not v:
                continue
        else:
            v = _text(v)
        q[k] = v
    return q


def _read_partition(part: Partition) -> pa.Table:
    f = pq.ParquetFile(part.path)
    names = set(f.schema_arrow.names)
    columns = [c for c in ("id", *QUERY_FIELDS) if c in names]
    if part.row_groups is None:
        return f.read(columns=columns)
    return f.read_row_groups(list(part.row_groups), columns=columns)


def screen_partition(
    part: Partition, ref: ListRef, out: str, limit: int = 10, threshold: float | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE, before: Callable[[Partition], None] | None = None,
) -> dict[str, Any]:
    """The task: screens one partition and writes OUT/part-<pid>.parquet atomically; returns counts."""
    import engine

    if before is not None:
        before(part)  # tests: e.g. kill this worker once
    started = time.perf_counter()
    screener = _screener(ref)
    table = _read_partition(part)
    ids = table.column("id").to_pylist() if "id" in table.column_names else None
    rows = table.drop_columns(["id"]) if ids is not None else table
    cols: dict[str, list[Any]] = {f.name: [] for f in OUTPUT_SCHEMA}

    def add(qid: str, qname: str, hit: Any = None, error: str | None = None) -> None:
        cols["query_id"].append(qid)
        cols["query_name"].append(qname)
        cols["entry_id"].append(hit.entry_id if hit else None)
        cols["list_id"].append(hit.list_id if hit else None)
        cols["list_version"].append(hit.list_version if hit else None)
        cols["score"].append(round(hit.score, 6) if hit else None)
        cols["band"].append(hit.band if hit else None)
        cols["matched_name"].append(hit.matched_name if hit else None)
        cols["features"].append(
            json.dumps({k: round(v, 6) for k, v in hit.features.items()}, sort_keys=True) if hit else None)
        cols["error"].append(error)

    n_hits = n_errors = 0
    for start in range(0, rows.num_rows, batch_size):
        batch = rows.slice(start, batch_size).to_pylist()
        queries, keys = [], []
        for i, row in enumerate(batch):
            r = start + i
            qid = str(ids[r]) if ids is not None and ids[r] is not None else f"{part.pid}:{r}"
            d = _query_dict(row)
            try:
                q = engine.Query.from_dict(d, "row")
            except engine.InputError as e:
                n_errors += 1
                name = d.get("name") or " ".join(str(d.get(k, "")) for k in ("given_names", "surname")).strip()
                add(qid, str(name), error=f"{e.field.removeprefix('row.')}: {e.reason}")
                continue
            queries.append(q)
            keys.append((qid, q.full_name))
        for (qid, qname), hits in zip(keys, screener.screen(queries, limit=limit, threshold=threshold)):
            for h in hits:
                add(qid, qname, h)
                n_hits += 1
    final = Path(out) / f"part-{part.pid}.parquet"
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(pa.table(cols, schema=OUTPUT_SCHEMA), tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"pid": part.pid, "rows": rows.num_rows, "hits": n_hits, "errors": n_errors, "pid_os": os.getpid(),
            "seconds": time.perf_counter() - started, "loads": LOADS["count"]}


# -- the job -------------------------------------------------------------------------------------------


@dataclass
class Summary:
    output: str
    list_id: str
    list_version: str
    partitions: int
    done: int  # screened now
    skipped: int  # already there from an earlier run
    rows: int  # screened now
    hits: int
    errors: int
    seconds: float
    workers: int  # worker threads of the cluster (0: nothing to do, none asked)
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def records_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _params(ref: ListRef, fingerprint: str, partition_rows: int, limit: int, threshold: float | None) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION, "list_id": ref.list_id, "list_version": ref.version, "list_checksum": ref.checksum,
        "input_fingerprint": fingerprint, "partition_rows": partition_rows, "limit": limit, "threshold": threshold,
        "config_sha256": _sha256_file(Path(ref.config)) if ref.config else None,
    }


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _clear_outputs(out: Path) -> None:
    for p in out.glob("part-*.parquet"):
        p.unlink()
    for name in (SUCCESS, MANIFEST):
        (out / name).unlink(missing_ok=True)


def _check_resume(out: Path, params: dict[str, Any], overwrite: bool) -> None:
    manifest = out / MANIFEST
    if manifest.is_file():
        old = json.loads(manifest.read_text(encoding="utf-8")).get("params")
        if old == params:
            return
        if not overwrite:
            old = old or {}
            changed = "; ".join(f"{k} {str(old.get(k))[:16]} -> {str(params.get(k))[:16]}"
                                for k in sorted(set(old) | set(params)) if old.get(k) != params.get(k))
            raise BatchError(f"{out} holds a job with other parameters ({changed}); use --overwrite to redo it")
        _clear_outputs(out)
    elif any(out.glob("part-*.parquet")):
        if not overwrite:
            raise BatchError(f"{out} holds part files but no {MANIFEST}; use --overwrite or another directory")
        _clear_outputs(out)


def run(
    ref: ListRef,
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    threads_per_worker: int = 1,
    limit: int = 10,
    threshold: float | None = None,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    before: Callable[[Partition], None] | None = None,
) -> Summary:
    """Screens `input` against the pinned list `ref` (resolve_list) on the Dask cluster at `scheduler` (a
    LocalCluster of `workers` processes x `threads_per_worker` threads when None) into `output`.
    `progress(done, total)` is called as partitions finish (skipped ones count as done)."""
    from dask.distributed import Client, LocalCluster, as_completed

    src, out = Path(input), Path(output)
    if not src.exists():
        raise BatchError(f"--input {src}: no such file or directory")
    if partition_rows < 1 or batch_size < 1 or limit < 1:
        raise BatchError("partition rows, batch size and limit must be positive")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fingerprint = input_fingerprint(src)
    params = _params(ref, fingerprint, partition_rows, limit, threshold)
    _check_resume(out, params, overwrite)
    parquet = stage_csv(src, out, partition_rows, fingerprint) if _is_csv(src) else src
    parts = plan_partitions(parquet, partition_rows)
    _write_json(out / MANIFEST, {"params": params, "input": str(src.resolve()), "store": ref.store,
                                 "partitions": [p.pid for p in parts]})
    todo = [p for p in parts if not (out / f"part-{p.pid}.parquet").is_file()]
    skipped = len(parts) - len(todo)
    if progress:
        progress(skipped, len(parts))
    summary = Summary(str(out), ref.list_id, ref.version, len(parts), 0, skipped, 0, 0, 0, 0.0, 0)
    if todo:
        (out / SUCCESS).unlink(missing_ok=True)  # until every partition is there again
        prepare_index(ref)  # build the name index file once, here; workers only map it
        cluster = None
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                                   dashboard_address=":0", silence_logs=40)
        try:
            with Client(cluster if cluster is not None else scheduler) as client:
                summary.workers = sum(client.nthreads().values())  # worker threads
                token = uuid.uuid4().hex[:8]
                futures = [
                    client.submit(screen_partition, p, ref, str(out.resolve()), limit, threshold, batch_size, before,
                                  key=f"interdict-batch-{p.pid}-{token}", pure=False)
                    for p in todo
                ]
                try:
                    for fut in as_completed(futures):
                        try:
                            r = fut.result()
                        except Exception as e:  # a task failed: name the partition, stop the rest
                            pid = next(p.pid for p, f in zip(todo, futures) if f is fut)
                            raise BatchError(f"partition {pid}: {type(e).__name__}: {e}") from e
                        summary.results.append(r)
                        summary.done += 1
                        summary.rows += r["rows"]
                        summary.hits += r["hits"]
                        summary.errors += r["errors"]
                        if progress:
                            progress(skipped + summary.done, len(parts))
                finally:
                    client.cancel(futures)
        finally:
            if cluster is not None:
                cluster.close()
    summary.seconds = time.perf_counter() - started
    missing = [p.pid for p in parts if not (out / f"part-{p.pid}.parquet").is_file()]
    if missing:
        raise BatchError(f"partitions without output: {', '.join(missing[:5])}")
    totals = {k: v for k, v in asdict(summary).items() if k != "results"}
    _write_json(out / SUCCESS, {"params": params, "last_run": totals})
    return summary


def read_output(output: str | os.PathLike[str]) -> pa.Table:
    """Every part file of a finished job as one table (the `_` and `.` files left out)."""
    files = sorted(Path(output).glob("part-*.parquet"))
    return pa.concat_tables([pq.read_table(f, schema=OUTPUT_SCHEMA) for f in files]) if files else OUTPUT_SCHEMA.empty_table()
