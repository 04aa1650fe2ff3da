"""Entity resolution: deduplicate one dataset, or link two, with the engine (issue 7, `interdict resolve`).

    result = resolve(records_a, records_b=None, threshold=0.85, limit=10, max_cluster=50, strong=0.95)

How it works:

* **Blocking** is the native name index: a Watchlist is built from A (dedup) or from B (link) and the
  other side (A) is screened against it in batches with `engine.Screener.screen(queries, limit, floor)`;
  the `limit` best candidates of each record are its candidate pairs. One crossing of the Python/Rust
  boundary per batch; the native core parallelises inside a batch. By default this runs in-process (a
  dataset of a few million records fits one machine's index); with `scheduler=` or `workers=` it runs
  on Dask distributed (server/resolve_dask.py): A in partitions, B's index memory-mapped once per
  worker, the pairs gathered back and clustered here by the same code.
  Optionally `block_keys(record) -> keys` adds classic record-linkage blocks (records sharing a key, e.g.
  the same birth date, become candidates too; blocks larger than `max_block` are ignored), scored with
  `engine.score_pair`. FEBRL needs them because a corrupted duplicate may share no name token.
* **Pairs**: dedup keeps a != b, each unordered pair once (the better of the two directions' scores, see
  `offer`); link keeps (a, b). Pairs scoring at least `floor` (default: `threshold`) are returned; pairs scoring
  at least `threshold` are clustered.
* **Clustering**: connected components over pairs >= threshold, built best-first (score descending, then
  ids) with union-find. Guard against chaining: a merge that would make a cluster larger than
  `max_cluster` records is refused unless that pair scores at least `strong`. Such pairs stay in the
  output with `clustered = False`. Best-first order means the strongest links form clusters first and a
  long chain of weak links is what gets cut.
* **Cluster id**: the smallest record key (string order) in the cluster; a record key is its id in dedup
  mode and `a:<id>` / `b:<id>` in link mode. The id depends only on the cluster's members, so it is stable
  across runs and input order.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engine

DEFAULT_LIMIT = 10
DEFAULT_MAX_CLUSTER = 50
DEFAULT_STRONG = 0.95
DEFAULT_BATCH_SIZE = 5_000
DEFAULT_MAX_BLOCK = 100


class ResolveError(Exception):
    """Input that cannot be resolved; the message names the file, line or column."""


# -- records -------------------------------------------------------------------------------------------


def _record_dict(r: Mapping[str, Any] | engine.Entry) -> dict[str, Any]:
    if isinstance(r, engine.Entry):
        d: dict[str, Any] = {"id": r.id, "kind": r.kind, "names": list(r.names)}
        if r.birth_dates:
            d["birth_dates"] = [str(b) for b in r.birth_dates]
        for k in ("nationalities", "countries", "addresses"):
            if getattr(r, k):
                d[k] = list(getattr(r, k))
        if r.sex:
            d["sex"] = r.sex
        return d
    return dict(r)


def as_query(r: Mapping[str, Any]) -> dict[str, Any] | None:
    """A record (engine record dict) as a query: its primary name and first birth date, address, country."""
    names = r.get("names") or []
    if not names:
        return None
    kind = r.get("kind") or "person"
    q: dict[str, Any] = {"kind": "organization" if kind == "organization" else kind, "name": names[0]}
    if kind in ("document",):
        return None
    for src, dst in (("birth_dates", "birth_date"), ("addresses", "address"), ("nationalities", "nationality"),
                     ("countries", "country")):
        v = r.get(src)
        if v:
            q[dst] = v[0]
    if r.get("sex"):
        q["sex"] = r["sex"]
    return q


# -- result --------------------------------------------------------------------------------------------


@dataclass
class Pair:
    id_a: str
    id_b: str
    score: float
    band: str
    features: dict[str, Any]
    clustered: bool = False
    matched_name: str = ""  # the name of B (an alias, possibly) that matched


@dataclass
class Result:
    mode: str  # "dedup" | "link"
    pairs: list[Pair]
    clusters: list[tuple[str, str, str, int]]  # (source, record id, cluster id, cluster size)
    threshold: float
    seconds: float = 0.0
    refused_merges: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    tasks: list[dict[str, Any]] = field(default_factory=list)  # Dask path: one row per partition (resolve_dask)

    def cluster_of(self, record_id: str, source: str = "a") -> str:
        for s, rid, cid, _ in self.clusters:
            if rid == record_id and s == source:
                return cid
        raise KeyError(record_id)

    def groups(self) -> list[list[str]]:
        """Clusters of more than one record, each a sorted list of record keys; sorted."""
        by: dict[str, list[str]] = {}
        for s, rid, cid, size in self.clusters:
            if size > 1:
                by.setdefault(cid, []).append(rid if self.mode == "dedup" else f"{s}:{rid}")
        return sorted(sorted(g) for g in by.values())


# -- resolve -------------------------------------------------------------------------------------------


def _ids(records: list[dict[str, Any]], side: str) -> list[str]:
    ids, seen = [], set()
    for n, r in enumerate(records):
        rid = r.get("id")
        if rid is None or str(rid).strip() == "":
            raise ResolveError(f"{side} record {n + 1}: no id")
        rid = str(rid)
        if rid in seen:
            raise ResolveError(f"{side} record {n + 1}: duplicate id {rid!r}")
        seen.add(rid)
        ids.append(rid)
    return ids


def watchlist_of(b: list[dict[str, Any]], ids_b: list[str], dedup: bool, version: str = "") -> engine.Watchlist:
    """Side B (A when deduplicating) as a Watchlist: its records with a name, `_` keys left out, keyed by id."""
    records = [{**{k: v for k, v in r.items() if not k.startswith("_")}, "id": i}
               for r, i in zip(b, ids_b) if r.get("names")]
    try:
        return engine.Watchlist.from_records(records, list_id="resolve" if dedup else "resolve-b", version=version)
    except engine.InputError as e:
        raise ResolveError(f"{'A' if dedup else 'B'}: {e}") from None


@dataclass(frozen=True)
class Search:
    """How candidate pairs are found and kept: the same for every batch, in-process or on a Dask worker."""

    dedup: bool
    threshold: float
    floor: float
    limit: int
    block_keys: Callable[[Mapping[str, Any]], Iterable[Hashable]] | None = None
    max_block: int = DEFAULT_MAX_BLOCK
    accept: Callable[[Mapping[str, Any], Mapping[str, Any], Any], bool] | None = None
    config: engine.Config | str | None = None


QueryRow = tuple[str, dict[str, Any], dict[str, Any]]  # (A id, A record, its query)


def queries_of(ids_a: Sequence[str], a: Sequence[dict[str, Any]]) -> list[QueryRow]:
    """A's records that make a query (as_query), with their ids, in input order."""
    out = []
    for i, r in zip(ids_a, a):
        q = as_query(r)
        if q is not None:
            out.append((i, r, q))
    return out


class PairFinder:
    """Side B indexed (a Watchlist's name index and, with `block_keys`, B's blocks): finds the candidate
    pairs of batches of A's queries. The in-process path has one; each Dask worker process opens one per
    job (server/resolve_dask.py)."""

    def __init__(self, wl: engine.Watchlist, b: Sequence[dict[str, Any]], ids_b: Sequence[str], search: Search):
        self.search = search
        self.watchlist = wl
        self.screener = engine.Screener(wl, config=search.config)
        self.by_id_b = dict(zip(ids_b, b))
        self.entries = {i: e for i in ids_b if (e := wl.get(i)) is not None} if search.block_keys else {}
        self.blocks: dict[Hashable, list[str]] = {}
        if search.block_keys:
            for i, r in zip(ids_b, b):
                for k in search.block_keys(r):
                    self.blocks.setdefault(k, []).append(i)

    def find(self, chunk: Sequence[QueryRow]) -> tuple[list[tuple[str, Pair]], int]:
        """One screen call for the chunk: (A id, pair) for every candidate pair at or above the floor that
        `accept` lets through (dedup: keyed (smaller id, larger id)), and the number of candidates."""
        s = self.search
        k = s.limit + 1 if s.dedup else s.limit  # dedup: a record finds itself
        hits = self.screener.screen([q for _, _, q in chunk], limit=k, threshold=s.floor)
        out: list[tuple[str, Pair]] = []
        candidates = 0
        for (ia, ra, q), hs in zip(chunk, hits):
            found = {h.entry_id: (h.score, h.band, h.features, h.matched_name) for h in hs}
            if s.block_keys:
                extra = {j for key in s.block_keys(ra)
                         for j in (self.blocks.get(key, ()) if len(self.blocks.get(key, ())) <= s.max_block else ())}
                for j in sorted(extra - set(found)):
                    if j in self.entries:
                        m = engine.score_pair(q, self.entries[j], config=s.config)
                        if m.score >= s.floor:
                            found[j] = (m.score, getattr(m, "band", None), m.features,
                                        getattr(m, "matched_name", "") or "")
            candidates += len(found)
            for j, (score, band, feats, matched) in found.items():
                if s.dedup and j == ia:
                    continue
                if s.accept is not None and not s.accept(ra, self.by_id_b[j], feats):
                    continue
                key = (min(ia, j), max(ia, j)) if s.dedup else (ia, j)
                out.append((ia, Pair(key[0], key[1], round(float(score), 6), band or _band(score, s.threshold),
                                     _plain(feats), matched_name=str(matched or ""))))
        return out, candidates


def offer(best: dict[tuple[str, str], Pair], ia: str, p: Pair) -> None:
    """Keeps, per pair key, the better of the directions found (dedup: A->B and B->A): the higher
    (rounded) score, on a tie the direction whose query is the key's first id. That is a strict order on
    the candidates of one key, so the pairs kept do not depend on batching, partitioning or arrival order."""
    key = (p.id_a, p.id_b)
    old = best.get(key)
    if old is None or p.score > old.score or (p.score == old.score and ia == key[0]):
        best[key] = p


def resolve(
    records_a: Iterable[Mapping[str, Any] | engine.Entry],
    records_b: Iterable[Mapping[str, Any] | engine.Entry] | None = None,
    *,
    threshold: float | None = None,
    floor: float | None = None,
    limit: int = DEFAULT_LIMIT,
    max_cluster: int = DEFAULT_MAX_CLUSTER,
    strong: float = DEFAULT_STRONG,
    batch_size: int = DEFAULT_BATCH_SIZE,
    block_keys: Callable[[Mapping[str, Any]], Iterable[Hashable]] | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
    accept: Callable[[Mapping[str, Any], Mapping[str, Any], Any], bool] | None = None,
    best_only: bool = False,
    config: engine.Config | str | None = None,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_worker: int = 1,
    partition_rows: int | None = None,
    work_dir: str | Path | None = None,
    before: Callable[[Any], None] | None = None,
) -> Result:
    """Dedup A (records_b None) or link A to B; see the module docstring. `accept(rec_a, rec_b, features)` may
    veto a pair (e.g. require birth-date agreement). `best_only` (link mode): each A record keeps only its
    best-scoring B candidate, as when each record of A has at most one counterpart in B.

    With `scheduler` (a Dask scheduler address) or `workers` (a local cluster of that many processes x
    `threads_per_worker`) the pair-finding runs on Dask (server/resolve_dask.py): A in partitions of
    `partition_rows` records, B snapshotted under `work_dir` (a temporary directory by default; on many
    machines, a directory every worker sees at the same path). Pairs and clusters are the same as in-process."""
    t0 = time.perf_counter()
    threshold = engine.DEFAULT_THRESHOLD if threshold is None else float(threshold)
    floor = threshold if floor is None else min(float(floor), threshold)
    if limit < 1 or max_cluster < 1:
        raise ResolveError("limit and max_cluster must be at least 1")
    a = [_record_dict(r) for r in records_a]
    dedup = records_b is None
    b = a if dedup else [_record_dict(r) for r in records_b]
    ids_a = _ids(a, "A")
    ids_b = ids_a if dedup else _ids(b, "B")
    if block_keys is None and any(r.get("_blocks") for r in (*a, *b)):
        block_keys = _record_blocks  # read_records(..., block_cols) put them there
    wl = watchlist_of(b, ids_b, dedup)
    search = Search(dedup, threshold, floor, limit, block_keys, max_block, accept, config)

    best: dict[tuple[str, str], Pair] = {}
    stats: dict[str, Any] = {}
    tasks: list[dict[str, Any]] = []
    if scheduler is not None or workers is not None:
        from . import resolve_dask

        run = resolve_dask.find_pairs(
            a, ids_a, b, ids_b, wl, search, scheduler=scheduler, workers=2 if workers is None else workers,
            threads_per_worker=threads_per_worker, partition_rows=partition_rows or resolve_dask.DEFAULT_PARTITION_ROWS,
            batch_size=batch_size, work_dir=work_dir, progress=progress, before=before)
        for ia, p in run.pairs:
            offer(best, ia, p)
        n_queries, candidates, tasks = run.queries, run.candidates, run.tasks
        stats.update(partitions=len(run.tasks), worker_threads=run.worker_threads,
                     snapshot_seconds=round(run.snapshot_seconds, 3))
    else:
        finder = PairFinder(wl, b, ids_b, search)
        queries = queries_of(ids_a, a)
        n_queries, candidates = len(queries), 0
        for start in range(0, len(queries), batch_size):
            found, n = finder.find(queries[start:start + batch_size])
            candidates += n
            for ia, p in found:
                offer(best, ia, p)
            if progress:
                progress(min(start + batch_size, len(queries)), len(queries))

    pairs = sorted(best.values(), key=lambda p: (-p.score, p.id_a, p.id_b))
    if best_only and not dedup:  # one-to-one-ish linkage: each A record keeps its best B candidate only
        seen_a: set[str] = set()
        pairs = [p for p in pairs if not (p.id_a in seen_a or seen_a.add(p.id_a))]
    clusters, refused, sizes = cluster(pairs, ids_a, None if dedup else ids_b, threshold, max_cluster, strong)
    return Result(
        "dedup" if dedup else "link", pairs, clusters, threshold, time.perf_counter() - t0, refused,
        {"records_a": len(a), "records_b": 0 if dedup else len(b), "queries": n_queries, "candidates": candidates,
         "pairs": len(pairs), "pairs_at_threshold": sum(p.score >= threshold for p in pairs),
         "clusters": len(sizes), "multi_record_clusters": sum(s > 1 for s in sizes),
         "largest_cluster": max(sizes, default=0), **stats},
        tasks,
    )


def cluster(pairs: Sequence[Pair], ids_a: Sequence[str], ids_b: Sequence[str] | None, threshold: float,
            max_cluster: int, strong: float) -> tuple[list[tuple[str, str, str, int]], int, list[int]]:
    """Best-first connected components over `pairs` (sorted best first) at or above `threshold`, with the
    chaining guard; sets `clustered` on the pairs. Returns (clusters rows, merges refused, cluster sizes).
    `ids_b` None: dedup (record keys are the ids), else link (keys `a:<id>` / `b:<id>`)."""
    dedup = ids_b is None
    keys_a = list(ids_a) if dedup else [f"a:{i}" for i in ids_a]
    keys_b = [] if dedup else [f"b:{i}" for i in ids_b]
    ka = (lambda i: i) if dedup else (lambda i: f"a:{i}")
    kb = (lambda i: i) if dedup else (lambda i: f"b:{i}")
    parent = {x: x for x in (*keys_a, *keys_b)}
    size = dict.fromkeys(parent, 1)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    refused = 0
    for p in pairs:
        if p.score < threshold:
            break
        x, y = find(ka(p.id_a)), find(kb(p.id_b))
        if x == y:
            p.clustered = True
            continue
        if size[x] + size[y] > max_cluster and p.score < strong:
            refused += 1
            continue
        if size[x] < size[y]:
            x, y = y, x
        parent[y] = x
        size[x] += size[y]
        p.clustered = True

    members: dict[str, list[str]] = {}
    for x in parent:
        members.setdefault(find(x), []).append(x)
    cid = {root: min(ms) for root, ms in members.items()}
    clusters = []
    for x in (*keys_a, *keys_b):
        root = find(x)
        source, rid = ("a", x) if dedup else (x[0], x[2:])
        clusters.append((source, rid, cid[root], len(members[root])))
    return clusters, refused, [len(m) for m in members.values()]


def _record_blocks(r: Mapping[str, Any]) -> Iterable[Hashable]:
    return r.get("_blocks") or ()


def _band(score: float, threshold: float) -> str:
    return "match" if score >= threshold else "review"


def _plain(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


# -- files ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMap:
    """Which input columns make a record."""

    id_col: str = "id"
    name_cols: tuple[str, ...] = ("name",)
    birth_date_col: str | None = "birth_date"
    address_cols: tuple[str, ...] = ("address",)
    country_col: str | None = "country"
    kind_col: str | None = "kind"
    kind: str = "person"
    block_cols: tuple[tuple[str, ...], ...] = ()  # each: columns whose shared values make records candidates


def _birth_date(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) == 8 and raw.isdigit():
        try:
            return _dt.datetime.strptime(raw, "%Y%m%d").date().isoformat()
        except ValueError:
            return None
    if len(raw) >= 10 and raw[4] == "-":
        return raw[:10]
    if len(raw) in (4, 7) and raw[:4].isdigit():
        return raw
    return None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()[:10]
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_records(path: str | Path, mapping: ColumnMap = ColumnMap()) -> list[dict[str, Any]]:
    """Records from a CSV file (with a header) or a Parquet file/directory, by `mapping`. Errors name the
    file, column and line (CSV line numbers count the header as line 1; Parquet rows count from 1)."""
    path = Path(path)
    if not path.exists():
        raise ResolveError(f"{path}: no such file")
    parquet = path.is_dir() or path.suffix.lower() in (".parquet", ".pq")
    if parquet:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        columns = list(table.column_names)
        rows: Iterable[dict[str, Any]] = table.to_pylist()
        where = lambda n: f"{path}: row {n}"
    else:
        f = path.open(encoding="utf-8-sig", newline="")
        reader = csv.DictReader(f, skipinitialspace=True)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = columns
        rows = reader
        where = lambda n: f"{path}:{n + 1}"
    try:
        wanted = [("--id-col", mapping.id_col)] + [("--name-cols", c) for c in mapping.name_cols]
        wanted += [("--address-cols", c) for c in mapping.address_cols if c != "address"]
        wanted += [("--block-cols", c) for cols in mapping.block_cols for c in cols]
        for opt, col in wanted:
            if col not in columns:
                raise ResolveError(f"{path}: no column {col!r} ({opt}); columns: {', '.join(columns) or 'none'}")
        addr_cols = [c for c in mapping.address_cols if c in columns]
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for n, row in enumerate(rows, 1):
            if not parquet and None in row:
                raise ResolveError(f"{where(n)}: more fields than the header has columns")
            rid = _text(row.get(mapping.id_col))
            if not rid:
                raise ResolveError(f"{where(n)}: column {mapping.id_col!r} is empty")
            if rid in seen:
                raise ResolveError(f"{where(n)}: duplicate id {rid!r} (first at {where(seen[rid])})")
            seen[rid] = n
            name = " ".join(t for t in (_text(row.get(c)) for c in mapping.name_cols) if t)
            kind = _text(row.get(mapping.kind_col)) if mapping.kind_col else ""
            kind = kind or mapping.kind
            if kind not in ("person", "organization", "vessel"):
                raise ResolveError(f"{where(n)}: column {mapping.kind_col!r}: kind {kind!r} is not person, "
                                   "organization or vessel")
            rec: dict[str, Any] = {"id": rid, "kind": kind, "names": [name] if name else []}
            if mapping.birth_date_col and mapping.birth_date_col in columns:
                raw = _text(row.get(mapping.birth_date_col))
                bd = _birth_date(raw)
                if raw and bd is None and not raw.isdigit():
                    raise ResolveError(f"{where(n)}: column {mapping.birth_date_col!r}: {raw!r} is not a date "
                                       "(YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY)")
                if bd:
                    rec["birth_dates"] = [bd]
            addr = " ".join(t for t in (_text(row.get(c)) for c in addr_cols) if t)
            if addr:
                rec["addresses"] = [addr]
            if mapping.country_col and mapping.country_col in columns and _text(row.get(mapping.country_col)):
                rec["countries"] = [_text(row.get(mapping.country_col))]
            blocks = []
            for cols in mapping.block_cols:
                values = tuple(_text(row.get(c)) for c in cols)
                if all(values):
                    blocks.append((cols, values))
            if blocks:
                rec["_blocks"] = blocks
            out.append(rec)
        return out
    finally:
        if not parquet:
            f.close()


def write_output(result: Result, out: str | Path) -> tuple[Path, Path]:
    """OUT/pairs.parquet (id_a, id_b, score, band, clustered, matched_name, features JSON) and OUT/clusters.parquet
    (source, record_id, cluster_id, cluster_size), each through a temporary file and a rename."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pairs = pa.table({
        "id_a": pa.array([p.id_a for p in result.pairs], pa.string()),
        "id_b": pa.array([p.id_b for p in result.pairs], pa.string()),
        "score": pa.array([p.score for p in result.pairs], pa.float64()),
        "band": pa.array([p.band for p in result.pairs], pa.string()),
        "clustered": pa.array([p.clustered for p in result.pairs], pa.bool_()),
        "matched_name": pa.array([p.matched_name for p in result.pairs], pa.string()),
        "features": pa.array([json.dumps(p.features, sort_keys=True) for p in result.pairs], pa.string()),
    })
    rows = sorted(result.clusters, key=lambda c: (c[2], c[0], c[1]))
    clusters = pa.table({
        "source": pa.array([c[0] for c in rows], pa.string()),
        "record_id": pa.array([c[1] for c in rows], pa.string()),
        "cluster_id": pa.array([c[2] for c in rows], pa.string()),
        "cluster_size": pa.array([c[3] for c in rows], pa.int64()),
    })
    written = []
    for name, table in (("pairs.parquet", pairs), ("clusters.parquet", clusters)):
        tmp = out / f".{name}.tmp"
        pq.write_table(table, tmp)
        tmp.replace(out / name)
        written.append(out / name)
    return written[0], written[1]


def pair_quality(predicted: Iterable[tuple[str, str]], truth: set[frozenset[str]] | set[tuple[str, str]],
                 symmetric: bool = True) -> dict[str, float | int]:
    """Precision, recall and F1 of predicted pairs against true pairs (unordered when `symmetric`)."""
    norm = (lambda p: frozenset(p)) if symmetric else (lambda p: tuple(p))
    truth_n = {norm(t) for t in truth}
    pred = {norm(p) for p in predicted}
    correct = len(pred & truth_n)
    precision = correct / len(pred) if pred else 0.0
    recall = correct / len(truth_n) if truth_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"predicted": len(pred), "correct": correct, "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4)}


def sweep(pairs: Sequence[Pair], truth: set[Any], symmetric: bool = True, lo: int = 30) -> dict[str, Any]:
    """Quality at each threshold lo/100 .. 0.99; the best by F1."""
    rows = []
    for t in range(lo, 100):
        q = pair_quality(((p.id_a, p.id_b) for p in pairs if p.score >= t / 100), truth, symmetric)
        rows.append({"threshold": t / 100, **q})
    return max(rows, key=lambda r: (r["f1"], -r["threshold"]))
