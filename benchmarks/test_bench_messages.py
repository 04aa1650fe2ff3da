"""Message parsers (engine.messages) alone and with screening: messages/s and travellers/s.

Two inputs: a PAXLST manifest generated from a template (N_PAX passengers, names varied from a fixed
pool, seeded; one of them ERIC BADEGE born 1971, UN entry CDi.001, so that screening must find him)
and the PNRGOV fixture of tests/fixtures/messages (two PNRs, six travellers). For each:
`parse` (engine.messages.parse, format detected) and `parse+screen` (parse, queries, one
`Screener.screen` batch against the embedded UN list, already indexed).

By default (the project runs benchmarks with --benchmark-disable) each is timed over a few repeats
as a correctness test of a few seconds; the figures go to `benchmark.extra_info` and are printed:

    python -m pytest benchmarks/test_bench_messages.py -q -s -p no:cacheprovider
    INTERDICT_BENCH_PAX=2000 python -m pytest benchmarks/test_bench_messages.py -q -s --benchmark-only
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest

import engine
import engine.messages
import watchlists

N_PAX = int(os.environ.get("INTERDICT_BENCH_PAX", "300"))
MIN_SECONDS = float(os.environ.get("INTERDICT_BENCH_SECONDS", "0.5"))  # per measurement
SEED = 2025
PNRGOV = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "messages" / "pnrgov_13_1_two_pnrs.edi"

SURNAMES = [
    "SMITH", "MUELLER", "GARCIA LOPEZ", "NGUYEN", "O?'BRIEN", "DE VRIES", "KOWALSKI", "ROSSI", "HANSEN", "DUBOIS",
    "YILMAZ", "IVANOVA", "TANAKA", "OKAFOR", "SILVA", "PATEL", "KIM", "JOHANSSON", "MARTIN", "AL HASHIMI",
]
GIVEN = ["EMILY JANE", "JUERGEN", "MARIA", "VAN AN", "SIOBHAN", "PIETER", "ANNA", "LUCA", "ERIK", "CLAIRE", "AHMET",
         "OLGA", "HIROSHI", "CHINEDU", "JOAO", "PRIYA", "MIN JUN", "SVEN", "LUCIE", "OMAR"]
COUNTRIES = ["GBR", "DEU", "ESP", "VNM", "IRL", "NLD", "POL", "ITA", "NOR", "FRA", "TUR", "RUS", "JPN", "NGA", "BRA"]

HEADER = (
    "UNA:+.? '\nUNB+UNOA:4+AIRLINE1:ZZ+NLPIU:ZZ+250614:0930+IC{ic}'\n"
    "UNH+M001+PAXLST:D:05B:UN:IATA+FLT456+01:F'\nBGM+745'\nNAD+MS+++ANALYST DESK'\n"
    "TDT+20+KL0571+++KL'\nLOC+125+EBB'\nDTM+189:2506140800:201'\nLOC+87+AMS'\nDTM+232:2506141700:201'\n"
)
PASSENGER = "NAD+FL+++{surname}:{given}'\nATT+2++{sex}'\nDTM+329:{dob}:102'\nNAT+2+{nat}'\nDOC+P+{doc}'\nLOC+91+{nat}'\n"


def make_paxlst(n: int, seed: int = SEED) -> bytes:
    """A one-message PAXLST interchange of n passengers, the last of them ERIC BADEGE (1971, COD)."""
    rng = random.Random(seed)
    body = []
    for i in range(n - 1):
        body.append(PASSENGER.format(
            surname=f"{rng.choice(SURNAMES)}{'' if rng.random() < 0.7 else ' ' + rng.choice(SURNAMES)}",
            given=rng.choice(GIVEN), sex=rng.choice("MF"),
            dob=f"{rng.randint(1940, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            nat=rng.choice(COUNTRIES), doc=f"{rng.choice('CPXN')}{rng.randrange(10**7, 10**8)}",
        ))
    body.append("NAD+FL+++BADEGE:ERIC'\nATT+2++M'\nDTM+329:19710101:102'\nNAT+2+COD'\n")
    segments = HEADER.count("\n") - 2 + sum(b.count("\n") for b in body) + 2  # UNH .. UNT
    text = HEADER.format(ic=seed) + "".join(body) + f"CNT+42:{n}'\nUNT+{segments}+M001'\nUNZ+1+IC{seed}'\n"
    return text.encode("ascii")


def _rate(fn, min_seconds: float = MIN_SECONDS) -> tuple[float, int]:
    """Seconds per call (best of the runs, at least 3 runs and min_seconds in all) and the runs done."""
    best, runs, total = float("inf"), 0, 0.0
    while runs < 3 or total < min_seconds:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, runs, total = min(best, dt), runs + 1, total + dt
    return best, runs


@pytest.fixture(scope="module")
def screener() -> engine.Screener:
    s = engine.Screener(watchlists.default_list())
    s.screen([{"name": "warm up"}])  # builds the index once
    return s


def _screen(screener: engine.Screener, data: bytes) -> list[list[engine.Hit]]:
    result = engine.messages.parse(data)
    return screener.screen([t.to_query() for t in result.travellers], limit=10)


@pytest.mark.parametrize("which", ["paxlst", "pnrgov"])
def test_message_throughput(benchmark, screener, which):
    data = make_paxlst(N_PAX) if which == "paxlst" else PNRGOV.read_bytes()
    parsed = engine.messages.parse(data)
    n = len(parsed.travellers)
    assert n == (N_PAX if which == "paxlst" else 6)
    assert not [w for w in parsed.warnings if "UNT" in w or "CNT" in w], parsed.warnings  # the template is right
    hits = _screen(screener, data)
    if which == "paxlst":  # BADEGE is found; the generated names are not UN-listed
        assert hits[-1] and hits[-1][0].entry_id == "CDi.001"
        assert sum(1 for h in hits if any(x.band == "match" for x in h)) == 1

    parse_s, parse_runs = _rate(lambda: engine.messages.parse(data))
    both_s, both_runs = _rate(lambda: _screen(screener, data))
    benchmark.pedantic(lambda: _screen(screener, data), rounds=1, iterations=1)
    info = {
        "format": which, "bytes": len(data), "travellers": n,
        "parse_ms": parse_s * 1000, "parse_messages_per_s": 1 / parse_s, "parse_travellers_per_s": n / parse_s,
        "parse_screen_ms": both_s * 1000, "parse_screen_messages_per_s": 1 / both_s,
        "parse_screen_travellers_per_s": n / both_s, "runs": [parse_runs, both_runs],
    }
    benchmark.extra_info.update(info)
    print("\nmessage benchmark: " + json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in info.items()}))
