"""`interdict batch screen`: re-screen a Parquet dataset (or CSV file) on Dask distributed (server/batch.py).

    interdict batch screen --list L --input DATA --output OUT [--scheduler ADDR | --workers N]

L is a list file, `default` (the embedded UN list) or, with --store DIR, a list id of that store (its
active version, or --version V). Without --scheduler a local cluster of --workers processes is started;
with `--scheduler tcp://host:8786` the same job runs on every machine whose `dask worker` joined it (they
need the store directory, the input and OUT at the same paths: a shared filesystem). A rerun with the
same list version and input skips the partitions already written; --overwrite redoes a job whose
parameters changed.
"""

from __future__ import annotations

import argparse
import sys

from watchlists.store import StoreError

from . import batch
from .cli_progress import progress_bar

ERRORS = (batch.BatchError, StoreError)


def cmd_batch_screen(args: argparse.Namespace) -> int:
    ref = batch.resolve_list(args.list, args.output, list_id=args.list_id, store=args.store, version=args.version,
                             config=args.config)
    print(f"{ref.list_id} {ref.version} ({ref.rows} entries) from {ref.store}", file=sys.stderr)
    with progress_bar("screening partitions", force=args.progress) as progress:
        s = batch.run(
            ref, args.input, args.output, scheduler=args.scheduler, workers=args.workers,
            threads_per_worker=args.threads_per_worker, limit=args.limit, threshold=args.threshold,
            partition_rows=args.partition_rows, batch_size=args.batch_size, overwrite=args.overwrite,
            progress=progress,
        )
    print(
        f"{s.partitions} partitions ({s.skipped} already done): screened {s.rows} records against {s.list_id} "
        f"{s.list_version} in {s.seconds:.1f} s ({s.records_per_second:,.0f} records/s on {s.workers} worker threads): "
        f"{s.hits} hits, {s.errors} rows not valid queries; output in {s.output}",
        file=sys.stderr,
    )
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("batch", help="bulk work on Dask distributed: batch screen")
    b_sub = b.add_subparsers(dest="batch_command", required=True)
    s = b_sub.add_parser("screen", help="screen a Parquet dataset or CSV file; Parquet hits out, resumable")
    s.add_argument("--list", help="list file, 'default' (embedded UN list) or, with --store, a list id")
    s.add_argument("--list-id", help="list id to give a list file")
    s.add_argument("--store", help="list store directory (--list is then a list id)")
    s.add_argument("--version", help="with --store: the list version (default: the active one, pinned for the job)")
    s.add_argument("--input", required=True, help="Parquet file or directory of Parquet files, or a CSV file")
    s.add_argument("--output", required=True, help="output directory: part-*.parquet, _manifest.json, _SUCCESS")
    s.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a local cluster)")
    s.add_argument("--workers", type=int, default=2, help="local cluster: worker processes (default 2)")
    s.add_argument("--threads-per-worker", type=int, default=1,
                   help="local cluster: threads per worker (default 1: the native core is parallel itself)")
    s.add_argument("--limit", type=int, default=10, help="hits per record at most")
    s.add_argument("--threshold", type=float, default=None)
    s.add_argument("--config", help="TOML configuration (thresholds, weights); readable on every worker")
    s.add_argument("--partition-rows", type=int, default=batch.DEFAULT_PARTITION_ROWS,
                   help="rows per partition: CSV chunks, and large Parquet files split by row groups")
    s.add_argument("--batch-size", type=int, default=batch.DEFAULT_BATCH_SIZE, help="records per screen call")
    s.add_argument("--overwrite", action="store_true", help="redo a job in OUTPUT whose parameters differ")
    s.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    s.set_defaults(func=cmd_batch_screen)
