"""`interdict lists ...`: manage the versioned list store (watchlists.store).

    interdict lists import FILE [--format F] [--list-id ID] [--store DIR] [--skip-bad]
    interdict lists ls [LIST_ID] [--store DIR] [--json]
    interdict lists diff LIST_ID [OLD [NEW]] [--store DIR] [--json]
    interdict lists rollback LIST_ID [--to VERSION] [--store DIR]
    interdict lists verify [LIST_ID] [--store DIR]          exit 0 sound, 1 naming each damaged file

The store is --store, else $INTERDICT_STORE, else ./interdict-store.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import watchlists
from watchlists.store import Store, StoreError

DEFAULT_STORE = "interdict-store"


def store_from(args: argparse.Namespace) -> Store:
    root = args.store or os.environ.get("INTERDICT_STORE") or DEFAULT_STORE
    return Store(root, retention=getattr(args, "retention", None) or watchlists.store.DEFAULT_RETENTION)


def _stderr() -> Console:
    return Console(stderr=True)


def cmd_import(args: argparse.Namespace) -> int:
    store = store_from(args)
    options: dict[str, Any] = {}
    if args.mapping:
        options["mapping"] = args.mapping
    console = _stderr()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal and not args.progress,
    ) as bar:
        task = bar.add_task(f"reading {args.file}", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"{stage} {args.file}", completed=done, total=total or None)

        result = store.import_file(
            args.file, args.format, list_id=args.list_id, skip_bad=args.skip_bad, progress=progress, **options
        )
    for problem in result.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    v = result.version
    if result.created:
        print(f"{v.list_id} {v.version}: {v.rows} entries from {v.source_name} ({v.source_format})"
              + (f", {v.skipped} bad records skipped" if v.skipped else "") + "; now active")
    else:
        print(f"{v.list_id}: unchanged, {v.version} ({v.rows} entries) stays active")
    return 0


def cmd_ls(args: argparse.Namespace) -> int:
    store = store_from(args)
    ids = [args.list_id] if args.list_id else store.list_ids()
    if args.json:
        out = {i: {"active": store.active(i).version if store.active(i) else None,
                   "versions": [asdict(v) for v in store.versions(i)]} for i in ids}
        print(json.dumps(out, indent=1))
        return 0
    if not ids:
        print(f"no lists in {store.root}")
        return 0
    table = Table("list", "version", "active", "entries", "change", "created (UTC)", "source", "checksum")
    for list_id in ids:
        active = store.active(list_id)
        for v in store.versions(list_id) if args.list_id else [active] if active else []:
            table.add_row(list_id, v.version, "*" if active and v.version == active.version else "", str(v.rows),
                          v.change, v.created_at[:16].replace("T", " "),
                          f"{os.path.basename(v.source_name)} {v.source_format}".strip(), v.checksum[:12])
    Console().print(table)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    d = store_from(args).diff(args.list_id, args.old, args.new)
    if args.json:
        print(json.dumps(asdict(d), indent=1))
        return 0
    print(f"{d.list_id} {d.old or '(nothing)'} -> {d.new}: {len(d.added)} added, {len(d.removed)} removed, "
          f"{len(d.changed)} changed")
    for rid in d.added:
        print(f"+ {rid}")
    for rid in d.removed:
        print(f"- {rid}")
    for rid, fields in d.changed.items():
        print(f"~ {rid}: {', '.join(fields)}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    v = store_from(args).rollback(args.list_id, args.to)
    print(f"{v.list_id}: {v.version} ({v.rows} entries, {v.change} of {v.created_at}) is active")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    store = store_from(args)
    ids = [args.list_id] if args.list_id else store.list_ids()
    problems = store.verify(args.list_id)
    for problem in problems:
        print(f"damaged: {problem}")
    if not problems:
        versions = sum(len(store.versions(i)) for i in ids)
        print(f"ok: {len(ids)} list(s), {versions} version(s) in {store.root}, every checksum verified")
    return 1 if problems else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    lists = sub.add_parser("lists", help="manage the versioned list store: import, ls, diff, rollback, verify")
    lists_sub = lists.add_subparsers(dest="lists_command", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--store", help=f"store directory (default: $INTERDICT_STORE or ./{DEFAULT_STORE})")
        return p

    imp = common(lists_sub.add_parser("import", help="import a list file as the list's new active version"))
    imp.add_argument("file", help="list file or directory (OFAC CSV set)")
    imp.add_argument("--format", help=f"one of: {', '.join(sorted(watchlists.FORMATS))} (detected when omitted)")
    imp.add_argument("--list-id", help="the list to import into (default: the format's, e.g. un-sc)")
    imp.add_argument("--mapping", help="mapping file for generic CSV / Parquet")
    imp.add_argument("--skip-bad", action="store_true", help="leave out bad records (reported) instead of failing")
    imp.add_argument("--retention", type=int, help="versions to keep per list, the active one included")
    imp.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    imp.set_defaults(func=cmd_import)

    ls = common(lists_sub.add_parser("ls", help="lists and their active versions; every version of one list"))
    ls.add_argument("list_id", nargs="?")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_ls)

    diff = common(lists_sub.add_parser("diff", help="entries added, removed and changed between two versions"))
    diff.add_argument("list_id")
    diff.add_argument("old", nargs="?", help="default: the version before NEW")
    diff.add_argument("new", nargs="?", help="default: the active version")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(func=cmd_diff)

    rb = common(lists_sub.add_parser("rollback", help="make an earlier version active again"))
    rb.add_argument("list_id")
    rb.add_argument("--to", help="the version (default: the one active before the current)")
    rb.set_defaults(func=cmd_rollback)

    ver = common(lists_sub.add_parser("verify", help="check every version's data file against its checksum"))
    ver.add_argument("list_id", nargs="?")
    ver.set_defaults(func=cmd_verify)


ERRORS = (StoreError,)
