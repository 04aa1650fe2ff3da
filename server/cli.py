"""The `interdict` command line.

Commands so far: `demo` (screens sample passengers against the embedded UN list),
`screen` (screens a CSV or JSONL file of queries against a list file, a stored list or the embedded
list), `message` (parses and optionally screens a PAXLST / PNRGOV / MRZ / cargo message,
server/cli_message.py), `lists` (the versioned list store, server/cli_lists.py) and `serve` (the gRPC
server, server/cli_serve.py), `batch screen` (on Dask distributed, server/cli_batch.py) and
`tune` / `explain` (thresholds from labelled pairs; one pair's features: server/cli_tune.py) and
`resolve` (dedup and link datasets: server/cli_resolve.py).
Errors go to stderr naming the file, line or field, with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

import engine
import watchlists

from . import (
    cli_audit,
    cli_batch,
    cli_lists,
    cli_message,
    cli_resolve,
    cli_serve,
    cli_tune,
)

EXIT_USAGE = 2
EXIT_INPUT = 3


class CliError(Exception):
    """An error the user can fix; printed without a traceback."""


def _load_list(spec: str | None, list_id: str | None, store: str | None = None) -> engine.Watchlist:
    if store:  # --list names a list in the store, at its active version
        if not spec:
            raise CliError("--store needs --list LIST_ID")
        return cli_lists.Store(store).watchlist(spec)
    if not spec or spec == "default":
        return watchlists.default_list()
    path = Path(spec)
    if not path.exists():
        raise CliError(f"--list {spec}: no such file")
    return watchlists.load(path, list_id=list_id)


def _read_queries(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, query dict) per row: CSV with a header, or JSON lines; `where` is `file:line`."""
    if not path.exists():
        raise CliError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as f:
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    raise CliError(f"{path}:{n}: not JSON ({e.msg})") from None
                if not isinstance(row, dict):
                    raise CliError(f"{path}:{n}: expected a JSON object per line")
                yield f"{path}:{n}", row
        else:
            reader = csv.DictReader(f)
            for row in reader:
                clean = {k: v for k, v in row.items() if k and v not in (None, "")}
                if "documents" in clean:
                    clean["documents"] = [{"number": n} for n in clean["documents"].split(";") if n.strip()]
                yield f"{path}:{reader.line_num}", clean


def _hit_dict(h: engine.Hit) -> dict[str, Any]:
    return {
        "entry_id": h.entry_id,
        "list_id": h.list_id,
        "list_version": h.list_version,
        "score": round(h.score, 6),
        "band": h.band,
        "matched_name": h.matched_name,
        "features": {k: round(v, 6) for k, v in h.features.items()},
        "explanation": list(h.explanation),
    }


def cmd_screen(args: argparse.Namespace) -> int:
    wl = _load_list(args.list, args.list_id, args.store)
    screener = engine.Screener(wl, config=args.config)
    rows = list(_read_queries(Path(args.input)))
    queries = []
    for where, row in rows:
        try:
            queries.append(engine.Query.from_dict(row, "row"))
        except engine.InputError as e:  # "pax.csv:12: birth_date: '1970-02-30' is not a valid calendar date"
            raise CliError(f"{where}: {e.field.removeprefix('row.')}: {e.reason}") from None
    started = time.perf_counter()
    results = screener.screen(queries, limit=args.limit, threshold=args.threshold)
    elapsed = time.perf_counter() - started
    out = open(args.output, "w", encoding="utf-8") if args.output and args.output != "-" else sys.stdout
    try:
        for (where, row), hits in zip(rows, results):
            out.write(json.dumps({"source": where, "query": row, "hits": [_hit_dict(h) for h in hits]}, ensure_ascii=False))
            out.write("\n")
    finally:
        if out is not sys.stdout:
            out.close()
    alerts = sum(1 for hits in results if hits)
    print(
        f"screened {len(queries)} queries against {wl.list_id} ({len(wl)} entries, version {wl.version}) "
        f"in {elapsed:.3f} s: {alerts} with hits",
        file=sys.stderr,
    )
    return 0


# Sample travellers: spellings of listed names as airlines send them, and innocent passengers.
DEMO_PASSENGERS: list[dict[str, Any]] = [
    {"surname": "BADEGE", "given_names": "ERIK", "birth_date": "1971", "nationality": "COD"},
    {"name": "Aiman al Zawahiri", "birth_date": "1951-06-19", "nationality": "EGY"},
    {"surname": "KONY", "given_names": "JOSEF", "nationality": "UGA"},
    {"name": "Hafez Mohammad Saeed", "nationality": "PAK"},
    {"surname": "SMITH", "given_names": "EMILY JANE", "birth_date": "1988-04-02", "nationality": "GBR"},
    {"surname": "MUELLER", "given_names": "JUERGEN", "birth_date": "1975-11-30", "nationality": "DEU"},
    {"surname": "GARCIA LOPEZ", "given_names": "MARIA", "birth_date": "1990-07-15", "nationality": "ESP"},
]


def cmd_demo(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    started = time.perf_counter()
    wl = watchlists.default_list()
    screener = engine.Screener(wl)
    screener.screen([{"name": "warm up"}])  # builds the index once
    ready = time.perf_counter() - started
    console.print(
        f"[bold]Interdict[/bold] demo: the embedded UN Security Council list, {len(wl)} entries "
        f"(version {wl.version}), loaded and indexed in {ready:.2f} s"
    )
    t0 = time.perf_counter()
    results = screener.screen(DEMO_PASSENGERS, limit=3)
    took = (time.perf_counter() - t0) * 1000
    table = Table(title=f"{len(DEMO_PASSENGERS)} passengers screened in {took:.1f} ms (threshold {engine.DEFAULT_THRESHOLD})")
    for col in ("passenger", "hit", "score", "band", "why"):
        table.add_column(col, overflow="fold")
    for q, hits in zip(DEMO_PASSENGERS, results):
        who = q.get("name") or f"{q.get('surname')}, {q.get('given_names')}"
        who += f" ({q.get('birth_date', '?')}, {q.get('nationality', '?')})"
        if not hits:
            table.add_row(who, "[green]no hit[/green]", "", "", "")
        for h in hits:
            entry = wl.get(h.entry_id)
            table.add_row(
                who, f"{h.entry_id} {entry.primary_name if entry else ''}", f"{h.score:.3f}",
                f"[red]{h.band}[/red]" if h.band == "match" else f"[yellow]{h.band}[/yellow]",
                "\n".join(h.explanation),
            )
            who = ""
    console.print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="interdict", description="Watchlist screening for PIUs and customs.")
    p.add_argument("--version", action="version", version=f"interdict {engine.__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="screen sample passengers against the embedded UN list")
    demo.set_defaults(func=cmd_demo)

    scr = sub.add_parser("screen", help="screen a CSV or JSONL file of queries")
    scr.add_argument("--list", help="list file (UN XML, ...) or 'default' for the embedded UN list")
    scr.add_argument("--list-id", help="list id to give a list file")
    scr.add_argument("--store", help="screen against list --list of this store (its active version)")
    scr.add_argument("--input", required=True, help="CSV (header: name or surname,given_names, birth_date, ...) or JSONL")
    scr.add_argument("--output", default="-", help="JSON lines out, one per query (default: stdout)")
    scr.add_argument("--limit", type=int, default=10)
    scr.add_argument("--threshold", type=float, default=None)
    scr.add_argument("--config", help="TOML configuration (thresholds, weights)")
    scr.set_defaults(func=cmd_screen)

    cli_message.add_parser(sub, load_list=_load_list, hit_dict=_hit_dict)
    cli_lists.add_parser(sub)
    cli_audit.add_parser(sub)
    cli_serve.add_parser(sub)
    cli_batch.add_parser(sub)
    cli_tune.add_parser(sub, load_list=_load_list)
    cli_resolve.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, engine.InputError, engine.ConfigError, watchlists.ListFormatError, *cli_lists.ERRORS, *cli_audit.ERRORS,
            *cli_message.ERRORS, *cli_batch.ERRORS, *cli_tune.ERRORS, *cli_resolve.ERRORS) as e:
        print(f"interdict: {e}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # `interdict lists diff ... | head`: the reader has gone, so be quiet
        sys.stderr.close()
        return 0
    except OSError as e:  # a missing or unreadable file: name it, no traceback
        print(f"interdict: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
