"""What `interdict message` (server/cli_message.py) and the gRPC ScreenMessage (server/rpc/screening.py)
both do with a parsed message (engine.messages): its items, its warnings, and a query per item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import engine


@dataclass
class Item:
    """One traveller or party: `query` (the validated engine query) is None when none could be built,
    and `errors` then says why, after the parser's own errors for the item."""

    index: int
    kind: str  # traveller | party
    item: Any  # engine.messages.Traveller or Party
    query_dict: dict[str, Any] | None
    query: engine.Query | None
    errors: list[str] = field(default_factory=list)


def items_of(result: Any) -> tuple[str, list[Any]]:
    """("traveller", travellers) for PAXLST / PNRGOV / MRZ results, ("party", parties) for cargo."""
    if hasattr(result, "parties"):
        return "party", list(result.parties)
    return "traveller", list(result.travellers)


def warnings_of(result: Any) -> list[str]:
    """The message's warnings (an MRZ result has none: its problems are on the holder)."""
    return list(getattr(result, "warnings", None) or [])


def build_items(kind: str, items: list[Any]) -> list[Item]:
    """An Item per traveller or party; one whose query cannot be built is kept (reported, not screened)."""
    out = []
    for i, item in enumerate(items):
        errors = list(item.errors)
        try:
            qd = item.to_query()
        except Exception as e:  # noqa: BLE001 - a parser bug must not lose the other travellers
            out.append(Item(i, kind, item, None, None, errors + [f"not screened: no query ({type(e).__name__})"]))
            continue
        try:
            query = engine.Query.from_dict(qd, f"{kind}s[{i}]")
        except engine.InputError as e:
            out.append(Item(i, kind, item, qd, None, errors + [f"not screened: {e.reason}"]))
            continue
        out.append(Item(i, kind, item, qd, query, errors))
    return out
