"""Entity resolution: deduplicate one dataset, or link two, with the engine (issue 7, `interdict resolve`).

    result = resolve(records_a, records_b=None, threshold=0.85, limit=10, max_cluster=50, strong=0.95)

How it works:

* **Blocking** is the native name index: a Watchlist is built from A (dedup) or from B (link) and the
  other side (A) is screened against it in batches with `engine.Screener.screen(queries, limit, floor)`;
  the `limit` best candidates of each record are its candidate pairs. One crossing of the Python/Rust
  boundary per batch; the native core parallelises inside a batch. This runs in-process (no Dask):
  a dataset of a few million records fits one machine's index, and the screen is the costly part.
  Optionally `block_keys(record) -> keys` adds classic record-linkage blocks (records sharing a key, e.g.
  the same birth date, become candidates too; blocks larger than `max_block` are ignored), scored with
  `engine.score_pair`. FEBRL needs them because a corrupted duplicate may share no name token.
* **Pairs**: dedup keeps a != b, each unordered pair once (the better of the two directions' scores);
  link keeps (a, b). Pairs scoring at least `floor` (default: `threshold`) are returned; pairs scoring
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
) -> Result:
    """Dedup A (records_b None) or link A to B; see the module docstring. `accept(rec_a, rec_b, features)` may
    veto a pair (e.g. require birth-date agreement). `best_only` (link mode): each A record keeps only its
    best-scoring B candidate, as when each record of A has at most one counterpart in B."""
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
    by_id_b = dict(zip(ids_b, b))
    if block_keys is None and any(r.get("_blocks") for r in (*a, *b)):
        block_keys = _record_blocks  # read_records(..., block_cols) put them there
    wl_records = [{**{k: v for k, v in r.items() if not k.startswith("_")}, "id": i}
                  for r, i in zip(b, ids_b) if r.get("names")]
    try:
        wl = engine.Watchlist.from_records(wl_records, list_id="resolve-b" if not dedup else "resolve")
    except engine.InputError as e:
        raise ResolveError(f"{'A' if dedup else 'B'}: {e}") from None
    scr = engine.Screener(wl, config=config)
    entries = {i: wl.get(i) for i in by_id_b if wl.get(i) is not None} if block_keys else {}
    blocks: dict[Hashable, list[str]] = {}
    if block_keys:
        for i, r in zip(ids_b, b):
            for k in block_keys(r):
                blocks.setdefault(k, []).append(i)

    best: dict[tuple[str, str], Pair] = {}
    queries = [(i, r, as_query(r)) for i, r in zip(ids_a, a)]
    queries = [(i, r, q) for i, r, q in queries if q is not None]
    k = limit + 1 if dedup else limit  # dedup: a record finds itself
    candidates = 0
    for start in range(0, len(queries), batch_size):
        chunk = queries[start:start + batch_size]
        hits = scr.screen([q for _, _, q in chunk], limit=k, threshold=floor)
        for (ia, ra, q), hs in zip(chunk, hits):
            found = {h.entry_id: (h.score, h.band, h.features, h.matched_name) for h in hs}
            if block_keys:
                extra = {j for key in block_keys(ra) for j in (blocks.get(key, ()) if len(blocks.get(key, ())) <= max_block else ())}
                for j in sorted(extra - set(found)):
                    if j in entries:
                        m = engine.score_pair(q, entries[j], config=config)
                        if m.score >= floor:
                            found[j] = (m.score, getattr(m, "band", None), m.features, getattr(m, "matched_name", "") or "")
            candidates += len(found)
            for j, (score, band, feats, matched) in found.items():
                if dedup and j == ia:
                    continue
                if accept is not None and not accept(ra, by_id_b[j], feats):
                    continue
                key = (min(ia, j), max(ia, j)) if dedup else (ia, j)
                old = best.get(key)
                if old is None or score > old.score or (score == old.score and ia == key[0]):  # order-free
                    best[key] = Pair(key[0], key[1], round(float(score), 6), band or _band(score, threshold),
                                     _plain(feats), matched_name=str(matched or ""))
        if progress:
            progress(min(start + batch_size, len(queries)), len(queries))

    pairs = sorted(best.values(), key=lambda p: (-p.score, p.id_a, p.id_b))
    if best_only and not dedup:  # one-to-one-ish linkage: each A record keeps its best B candidate only
        seen_a: set[str] = set()
        pairs = [p for p in pairs if not (p.id_a in seen_a or seen_a.add(p.id_a))]
    keys_a = ids_a if dedup else [f"a:{i}" for i in ids_a]
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
    sizes = [len(m) for m in members.values()]
    return Result(
        "dedup" if dedup else "link", pairs, clusters, threshold, time.perf_counter() - t0, refused,
        {"records_a": len(a), "records_b": 0 if dedup else len(b), "queries": len(queries), "candidates": candidates,
         "pairs": len(pairs), "pairs_at_threshold": sum(p.score >= threshold for p in pairs),
         "clusters": len(members), "multi_record_clusters": sum(s > 1 for s in sizes),
         "largest_cluster": max(sizes, default=0)},
    )


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
