"""Cross-list duplicates: how many UN Security Council entries are also on the OFAC SDN and EU FSF lists.

UN (consolidated.xml, 2026-02), OFAC (sdn.xml, 2021-03) and EU (FSF XML, 2021-03) from ../shared/data are
loaded with watchlists.load. Persons and organisations of the UN list are linked (server.resolve, link mode,
best candidate per UN entry) to each other list at a high threshold; a pair needs the same kind and, for
persons where both sides have a birth date, agreeing birth dates (same year, and month/day where both give
them). The lists are from different years, so UN entries listed after March 2021 cannot be on the others
(measured 2026-11-23: 39 of the 72 UN entries found on neither).

    python benchmarks/quality/cross_list.py [--threshold 0.92] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import watchlists
from server import resolve as rs

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
LISTS = {
    "un": SHARED / "un_sc_consolidated" / "consolidated.xml",
    "ofac": SHARED / "ofac_sdn" / "sdn_xml_2021-03-10" / "sdn.xml",
    "eu": SHARED / "eu_fsf_consolidated" / "eu_fsf_2021-03-05.xml",
}
KINDS = ("person", "organization")


def _dates_agree(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return True

    def agree(x: str, y: str) -> bool:
        px, py = x.split("-"), y.split("-")
        return all(u == v for u, v in zip(px, py))  # compares as far as both are precise

    return any(agree(x, y) for x in a for y in b)


def accept(ra: Mapping[str, Any], rb: Mapping[str, Any], _features: Any) -> bool:
    if ra.get("kind") != rb.get("kind"):
        return False
    if ra.get("kind") == "person":
        return _dates_agree(list(ra.get("birth_dates") or []), list(rb.get("birth_dates") or []))
    return True


def records(name: str) -> list[dict[str, Any]]:
    wl = watchlists.load(LISTS[name])
    return [rs._record_dict(e) for e in wl.entries if e.kind in KINDS]


def evaluate(threshold: float) -> dict[str, Any]:
    un = records("un")
    by_id = {r["id"]: r for r in un}
    out: dict[str, Any] = {"threshold": threshold, "un": len(un)}
    matched: dict[str, dict[str, Any]] = {}
    for other in ("ofac", "eu"):
        recs = records(other)
        other_by_id = {r["id"]: r for r in recs}
        res = rs.resolve(un, recs, threshold=threshold, best_only=True, accept=accept, limit=5)
        links = {p.id_a: p for p in res.pairs if p.score >= threshold}
        matched[other] = links
        out[other] = {"entries": len(recs), "un_also_here": len(links),
                      "persons": sum(by_id[i]["kind"] == "person" for i in links),
                      "organizations": sum(by_id[i]["kind"] == "organization" for i in links),
                      "seconds": round(res.seconds, 2),
                      "examples": [(by_id[p.id_a]["names"][0], p.matched_name or other_by_id[p.id_b]["names"][0], p.score)
                                   for p in sorted(links.values(), key=lambda p: p.id_a)[:: max(1, len(links) // 4)][:4]]}
    both = set(matched["ofac"]) & set(matched["eu"])
    out["on_all_three"] = len(both)
    out["on_ofac_or_eu"] = len(set(matched["ofac"]) | set(matched["eu"]))
    out["un_only"] = len(un) - out["on_ofac_or_eu"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threshold", type=float, default=0.92)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if not all(p.exists() for p in LISTS.values()):
        print("../shared/data lists absent", file=sys.stderr)
        return 1
    r = evaluate(args.threshold)
    print(f"UN persons and organisations: {r['un']:,} (threshold {r['threshold']})")
    for other in ("ofac", "eu"):
        o = r[other]
        print(f"also on {other.upper()} ({o['entries']:,} entries): {o['un_also_here']:,} "
              f"({o['persons']} persons, {o['organizations']} organisations) in {o['seconds']} s")
        for a, b, s in o["examples"]:
            print(f"    {a!r} ~ {b!r} ({s:.3f})")
    print(f"on all three lists: {r['on_all_three']:,}; on OFAC or EU: {r['on_ofac_or_eu']:,}; UN only: {r['un_only']:,}")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
