"""`interdict message FILE`: parse (and screen) a travel or cargo message (engine.messages).

    interdict message FILE [--message-format F] [--list L [--list-id ID] | --store DIR --list ID]
                           [--format json|jsonl] [--output OUT] [--limit N] [--threshold T] [--config TOML]

FILE is a PAXLST / PNRGOV interchange, an MRZ, a Cargo-IMP FWB / FHL or a Cargo-XML XFWB / XFZB
message; `-` reads stdin. Out comes one JSON object per line, one per traveller (PAXLST, PNRGOV, MRZ)
or party (cargo), in message order: `index`, `format`, `item` ("traveller" or "party"), the item's
fields as the parser read them (`source` says where in the message), `query` (the screening query,
or null when none could be built) and `errors` (what could not be read for this item, including why
no query could be built).

Options, as DESIGN.md's `message FILE [--list L] [--format json]` has them:
- `--format` is the OUTPUT format, as in DESIGN.md: `json` (the default), one JSON object per item per
  line; `jsonl` is the same. `--output` names the file to write (default stdout), as for `screen`.
- `--message-format paxlst|pnrgov|mrz|fwb|fhl|xfwb|xfzb` forces the INPUT format; it is detected
  from the content otherwise.
- `--list` (with `--list-id`, or `--store DIR --list ID`, or `--list default` for the embedded UN
  list) resolves a list exactly as `interdict screen` does. With a list, every item whose query could
  be built is screened, all in one `Screener.screen` batch, and each object also has `screened`
  and `hits` (entry_id, list_id, list_version, score, band, matched_name, features, explanation).
  Without `--list` the message is only parsed.

The message's warnings go to stderr, one line each (`warning: segment 9 (CNT): ...`), then a
summary line. A message that cannot be read exits with code 3 and names the file and the segment,
line or element: `interdict: manifest.edi: segment 14 (NAD): ...`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import engine
import engine.messages

from .messages import build_items, items_of, warnings_of

FORMATS = sorted(engine.messages.PARSERS)


class MessageInputError(Exception):
    """A message file that cannot be read or parsed: the text names the file and the segment or line."""


# Errors `main` reports with EXIT_INPUT (MessageError is an engine.InputError, listed for clarity).
ERRORS: tuple[type[Exception], ...] = (MessageInputError, engine.messages.MessageError)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.exists():
        raise MessageInputError(f"{path}: no such file")
    return p.read_bytes()


def cmd_message(args: argparse.Namespace) -> int:
    # `interdict screen`'s list resolution and hit format, handed over by server/cli.py's build_parser
    load_list: Callable[[str | None, str | None, str | None], engine.Watchlist] = args.load_list
    hit_dict: Callable[[engine.Hit], dict[str, Any]] = args.hit_dict
    name = "stdin" if args.file == "-" else args.file
    data = _read(args.file)
    screener = None
    if args.list or args.store:
        wl = load_list(args.list, args.list_id, args.store)
        screener = engine.Screener(wl, config=args.config)
    elif args.config:
        raise MessageInputError("--config needs --list (the configuration is for screening)")
    try:
        fmt = args.message_format or engine.messages.detect(data)
        result = engine.messages.parse(data, format=fmt)
    except engine.messages.MessageError as e:
        raise MessageInputError(f"{name}: {e}") from None
    kind, items = items_of(result)
    for w in warnings_of(result):
        print(f"warning: {w}", file=sys.stderr)
    built = build_items(kind, items)
    hits_of: dict[int, list[engine.Hit]] = {}
    elapsed = 0.0
    if screener is not None:
        todo = [b for b in built if b.query is not None]
        started = time.perf_counter()
        results = screener.screen([b.query for b in todo], limit=args.limit, threshold=args.threshold) if todo else []
        elapsed = time.perf_counter() - started
        hits_of = {b.index: hits for b, hits in zip(todo, results)}
    out = open(args.output, "w", encoding="utf-8") if args.output and args.output != "-" else sys.stdout
    try:
        for b in built:
            obj: dict[str, Any] = {"index": b.index, "format": fmt, "item": kind, **b.item.to_dict()}
            obj["query"] = b.query_dict if b.query is not None else None
            obj["errors"] = b.errors
            if screener is not None:
                obj["screened"] = b.query is not None
                obj["hits"] = [hit_dict(h) for h in hits_of.get(b.index, [])]
            out.write(json.dumps(obj, ensure_ascii=False))
            out.write("\n")
    finally:
        if out is not sys.stdout:
            out.close()
    with_errors = sum(1 for b in built if b.errors)
    noun = kind if len(items) == 1 else {"traveller": "travellers", "party": "parties"}[kind]
    summary = f"{name}: {fmt}, {len(items)} {noun}, {with_errors} with errors"
    if screener is not None:
        unscreened = sum(1 for b in built if b.query is None)
        alerts = sum(1 for hits in hits_of.values() if hits)
        summary += (
            f"; screened {len(hits_of)} ({unscreened} not) against "
            + ", ".join(f"{k}@{v}" for k, v in sorted(screener.versions.items()))
            + f" in {elapsed:.3f} s: {alerts} with hits"
        )
    print(summary, file=sys.stderr)
    return 0


def add_parser(
    sub: argparse._SubParsersAction,
    load_list: Callable[[str | None, str | None, str | None], engine.Watchlist],
    hit_dict: Callable[[engine.Hit], dict[str, Any]],
) -> None:
    """`load_list(spec, list_id, store)` and `hit_dict(hit)`: server/cli.py's, so that `message` resolves
    lists and writes hits exactly as `screen` does."""
    p = sub.add_parser(
        "message", help="parse (and screen) a PAXLST / PNRGOV / MRZ / cargo message",
        description="Parse a travel or cargo message; with --list, screen its travellers or parties. "
        "One JSON object per traveller or party, one per line.",
    )
    p.add_argument("file", metavar="FILE", help="the message; '-' for stdin")
    p.add_argument("--message-format", choices=FORMATS, help="the input format (detected when not given)")
    p.add_argument("--format", choices=("json", "jsonl"), default="json",
                   help="output format: one JSON object per traveller or party, one per line (jsonl: the same)")
    p.add_argument("--output", default="-", help="where to write the JSON lines (default: stdout)")
    p.add_argument("--list", help="screen against: a list file, 'default' (the embedded UN list), or with --store a list id")
    p.add_argument("--list-id", help="list id to give a list file")
    p.add_argument("--store", help="screen against list --list of this store (its active version)")
    p.add_argument("--limit", type=int, default=10, help="hits per traveller or party at most (default 10)")
    p.add_argument("--threshold", type=float, default=None)
    p.add_argument("--config", help="TOML configuration (thresholds, weights)")
    p.set_defaults(func=cmd_message, load_list=load_list, hit_dict=hit_dict)
