"""`interdict resolve`: entity resolution (dedup one dataset, or link two) with the engine (server/resolve.py).

    interdict resolve --input A [--input-b B] --output OUT [--threshold T] [--max-cluster N] [--strong S]
                      [--scheduler ADDR | --workers N | --in-process] [--partition-rows N]

Input: CSV (header) or Parquet. Columns by default `id`, `name`, `birth_date`, `address`, `country`,
`kind`; map others with --id-col, --name-cols given_name,surname (joined with spaces), --birth-date-col,
--address-cols; --block-cols adds classic blocks to the index's candidates. OUT gets pairs.parquet (id_a,
id_b, score, band, clustered, matched_name, features JSON) and clusters.parquet (source, record_id,
cluster_id, cluster_size).

The pair-finding runs on Dask (server/resolve_dask.py): by default on a local cluster of --workers processes
(2), with `--scheduler tcp://host:8786` on every machine whose `dask worker` joined it: A in partitions of
--partition-rows records, B's name index built once and memory-mapped by each worker from a snapshot in
OUT (so OUT must be at the same path on every machine: a shared filesystem), the pairs gathered back and
clustered here. `--in-process` skips Dask (the native core still parallelises each batch of queries: for
small inputs on one machine, where starting a cluster costs more than it saves). Pairs and clusters are the
same every way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import resolve as rs
from . import resolve_dask as rd
from .cli_progress import progress_bar

ERRORS = (rs.ResolveError,)
# as `interdict batch screen`: one process per core of a 2-core machine
DEFAULT_LOCAL_WORKERS = 2


def _cols(v: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in v.split(",") if c.strip())


def cmd_resolve(args: argparse.Namespace) -> int:
    mapping = rs.ColumnMap(id_col=args.id_col, name_cols=_cols(args.name_cols), birth_date_col=args.birth_date_col or None,
                          address_cols=_cols(args.address_cols), country_col=args.country_col or None,
                          kind_col=args.kind_col or None, kind=args.kind,
                          block_cols=tuple(_cols(v) for v in args.block_cols or ()))
    a = rs.read_records(args.input, mapping)
    b = rs.read_records(args.input_b, mapping) if args.input_b else None

    if args.in_process and (args.scheduler is not None or args.workers is not None):
        raise rs.ResolveError("--in-process runs without Dask: give it without --scheduler and --workers")
    dask = not args.in_process
    if dask:
        if args.scheduler is None and args.workers is None:
            args.workers = DEFAULT_LOCAL_WORKERS
        if (args.workers is not None and args.workers < 1) or args.partition_rows < 1 or args.threads_per_worker < 1:
            raise rs.ResolveError("--workers, --threads-per-worker and --partition-rows must be at least 1")
        Path(args.output).mkdir(parents=True, exist_ok=True)  # the snapshot the workers read goes there
    with progress_bar("records screened", force=args.progress) as progress:
        result = rs.resolve(a, b, threshold=args.threshold, limit=args.limit, max_cluster=args.max_cluster,
                            strong=args.strong, best_only=args.best_only, progress=progress,
                            **({"scheduler": args.scheduler, "workers": args.workers,
                                "threads_per_worker": args.threads_per_worker, "partition_rows": args.partition_rows,
                                "work_dir": args.output} if dask else {}))
    pairs, clusters = rs.write_output(result, args.output)
    s = result.stats
    where = (f" on Dask ({s['partitions']} partitions, {s['worker_threads']} worker threads)" if dask else "")
    print(f"{result.mode}: {s['records_a']}{' + ' + str(s['records_b']) if b is not None else ''} records, "
          f"{s['pairs_at_threshold']} pairs >= {result.threshold} ({s['pairs']} kept), "
          f"{s['multi_record_clusters']} clusters of 2+ (largest {s['largest_cluster']}), "
          f"{result.refused_merges} merges refused by --max-cluster, {result.seconds:.1f} s{where}; "
          f"wrote {pairs} and {clusters}", file=sys.stderr)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("resolve", help="entity resolution: deduplicate one dataset or link two; pairs and clusters")
    r.add_argument("--input", required=True, help="dataset A: CSV or Parquet (file or directory)")
    r.add_argument("--input-b", help="dataset B: link A to B (default: deduplicate A)")
    r.add_argument("--output", required=True, help="output directory: pairs.parquet, clusters.parquet")
    r.add_argument("--threshold", type=float, default=None, help="pairs at or above this are clustered "
                   "(default: the engine's DEFAULT_THRESHOLD)")
    r.add_argument("--limit", type=int, default=rs.DEFAULT_LIMIT, help="index candidates per record (blocking)")
    r.add_argument("--max-cluster", type=int, default=rs.DEFAULT_MAX_CLUSTER,
                   help="refuse a merge making a cluster larger than this unless the pair scores >= --strong")
    r.add_argument("--strong", type=float, default=rs.DEFAULT_STRONG)
    r.add_argument("--best-only", action="store_true", help="link: each A record keeps only its best B candidate")
    r.add_argument("--id-col", default="id")
    r.add_argument("--name-cols", default="name", help="comma-separated, joined with spaces (e.g. given_name,surname)")
    r.add_argument("--birth-date-col", default="birth_date", help="YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY")
    r.add_argument("--address-cols", default="address", help="comma-separated, joined with spaces")
    r.add_argument("--country-col", default="country")
    r.add_argument("--kind-col", default="kind")
    r.add_argument("--kind", default="person", help="kind when there is no kind column (person, organization)")
    r.add_argument("--block-cols", action="append", metavar="COLS",
                   help="extra blocking: records with the same values in these comma-separated columns become "
                   "candidates too (repeatable, e.g. --block-cols dob --block-cols postcode,street_number)")
    r.add_argument("--scheduler", help="address of a running Dask scheduler: find the pairs on its workers "
                   "(OUT must be at the same path on every machine)")
    r.add_argument("--workers", type=int, default=None,
                   help=f"processes of the local Dask cluster (default {DEFAULT_LOCAL_WORKERS})")
    r.add_argument("--in-process", action="store_true",
                   help="no Dask: find the pairs in this process (small inputs, one machine)")
    r.add_argument("--threads-per-worker", type=int, default=1,
                   help="local cluster: threads per worker (default 1: the native core is parallel itself)")
    r.add_argument("--partition-rows", type=int, default=rd.DEFAULT_PARTITION_ROWS,
                   help="Dask: records of A per task")
    r.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    r.set_defaults(func=cmd_resolve)
