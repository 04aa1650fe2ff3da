"""gRPC server throughput and latency (issue 5), with a grpc.aio load generator.

The server runs as `interdict serve` in a child process (so the client's Python does not share its
GIL) and its CPU time is read from /proc: `server_cores` is server CPU seconds per wall second, the
proof that the thread-pool server uses both cores (the native screening releases the GIL). Measured:

- unary batches: `ScreenPassengers` with batches of passengers from several concurrent callers;
- streaming: concurrent `ScreenPassengerStream` manifests, passengers/s from the first send to the
  last result, one passenger per message and then in chunks of STREAM_CHUNK (`passengers`);
- single-passenger unary calls from several concurrent callers: p50 / p99 latency;
- `engine_only_batch`: the same queries through engine.Screener in-process, one thread (the baseline);
- `transport_only`: the same manifests streamed to benchmarks/grpc_echo_server.py, which screens
  nothing: grpcio's own per-message cost, the ceiling of a one-passenger-per-message stream.

Small by default (a correctness test of a few seconds on the embedded UN list). INTERDICT_BENCH_LARGE=1
serves a synthetic 100,000-entry national list (benchmarks/synthetic_lists.py, imported into a store)
next to the UN list, with the issue's targets (>= 5,000 passengers/s streamed, p99 < 20 ms single):

    INTERDICT_BENCH_LARGE=1 python -m pytest benchmarks/test_bench_grpc.py -q -s
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")
from grpc import aio

from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import screening_pb2_grpc

LARGE = os.environ.get("INTERDICT_BENCH_LARGE") == "1"
REPO = Path(__file__).resolve().parents[1]
LIST_ROWS = int(os.environ.get("INTERDICT_BENCH_GRPC_ROWS", "100000"))
# Passengers per stream message in the chunked streaming measurement (`passengers`).
STREAM_CHUNK = 100


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _serve(*args: str, command: tuple[str, ...] = ("-m", "server.cli", "serve", "--port", "0", "--max-passengers", "20000")) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, *command, *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline()
    m = re.search(r":(\d+) \(", line)
    assert m, f"server did not start: {line!r}"
    return proc, int(m.group(1))


def _synthetic_store(tmp_path: Path) -> tuple[str, list[c.Passenger]]:
    """A store holding the synthetic list, and queries: listed names (surname first, as an airline
    would send them) and unlisted names from the same pools (another seed)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import synthetic_lists

    from watchlists.store import Store

    listed, mapping, other = tmp_path / "list.csv", tmp_path / "list.toml", tmp_path / "other.csv"
    synthetic_lists.write_person_list_csv(listed, LIST_ROWS, seed=0)
    synthetic_lists.write_mapping(mapping)
    synthetic_lists.write_person_list_csv(other, 20_000, seed=99)
    store_dir = tmp_path / "store"
    Store(store_dir).import_file(listed, "mapped", mapping=str(mapping))
    queries = []
    for path, every in ((listed, 10), (other, 1)):
        with open(path, encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if row["type"] != "Individual" or i % every:
                    continue
                queries.append(c.Passenger(id=row["ref"], surname=row["surname"], given_names=row["given_names"]))
    return str(store_dir), queries


def _un_queries() -> list[c.Passenger]:
    import watchlists

    names = [e.names[0] for e in watchlists.default_list() if e.kind == "person"]
    fresh = [f"{g} {s}" for g in ("ANNA", "JOHN", "MARIA", "AHMED", "WEI") for s in ("SMITH", "NOVAK", "OKAFOR", "HAAS", "LIU")]
    return [c.Passenger(id=str(i), name=n) for i, n in enumerate(names + fresh * 10)]


def _engine_only(store_dir: str | None, queries: list[c.Passenger], n: int, batch: int) -> dict:
    """The same queries through engine.Screener in this process: what the server adds is the difference."""
    import engine
    import watchlists
    from server.rpc import convert
    from watchlists.store import Store

    if store_dir:
        store = Store(store_dir)
        lists = [store.watchlist(i) for i in store.list_ids()]
    else:
        lists = [watchlists.default_list()]
    scr = engine.Screener(lists)
    work = [convert.passenger_dict(queries[i % len(queries)]) for i in range(n)]
    scr.screen(work[:10])
    t = time.perf_counter()
    for i in range(0, n, batch):
        scr.screen(work[i:i + batch], limit=5)
    wall = time.perf_counter() - t
    return {"passengers": n, "seconds": round(wall, 3), "passengers_per_s": round(n / wall)}


async def _manifests(stub: screening_pb2_grpc.ScreeningServiceStub, work: list[c.Passenger], callers: int, chunk: int | None) -> int:
    """`callers` concurrent ScreenPassengerStream manifests over `work`: one passenger per message
    (chunk None), else `chunk` per message (`passengers`). Every result is checked to come in order."""
    per_stream = len(work) // callers

    async def manifest(k: int) -> int:
        part = work[k * per_stream:(k + 1) * per_stream]
        if chunk is None:
            requests = (s.ScreenPassengerStreamRequest(passenger=p, limit=5) for p in part)
        else:
            requests = (s.ScreenPassengerStreamRequest(passengers=part[i:i + chunk], limit=5) for i in range(0, len(part), chunk))
        got = 0
        async for r in stub.ScreenPassengerStream(requests):
            for result in ([r.result] if chunk is None else r.results):
                assert result.index == got and result.passenger_id == part[got].id
                got += 1
        return got

    counts = await asyncio.gather(*(manifest(k) for k in range(callers)))
    assert sum(counts) == per_stream * callers
    return sum(counts)


async def _transport_only(queries: list[c.Passenger], n: int, callers: int) -> dict:
    """The same manifests against benchmarks/grpc_echo_server.py, which screens nothing: grpcio's
    own cost per message on this machine, and so the ceiling of a one-passenger-per-message stream."""
    proc, port = _serve(command=("benchmarks/grpc_echo_server.py",))
    out: dict = {}
    work = [queries[i % len(queries)] for i in range(n)]
    try:
        async with aio.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = screening_pb2_grpc.ScreeningServiceStub(ch)
            for name, chunk in (("streaming", None), ("streaming_chunked", STREAM_CHUNK)):
                cpu0, t0 = _cpu_seconds(proc.pid), time.perf_counter()
                count = await _manifests(stub, work, callers, chunk)
                wall = time.perf_counter() - t0
                out[name] = {"passengers_per_s": round(count / wall), "server_cores": round((_cpu_seconds(proc.pid) - cpu0) / wall, 2)}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _load(port: int, pid: int, queries: list[c.Passenger], n: int, batch: int, callers: int, singles: int) -> dict:
    options = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]
    out: dict = {}
    work = [queries[i % len(queries)] for i in range(n)]
    async with aio.insecure_channel(f"127.0.0.1:{port}", options=options) as ch:
        stub = screening_pb2_grpc.ScreeningServiceStub(ch)
        await stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=work[:10]))  # warm up

        def measure(name: str, count: int, started: float, cpu0: float) -> None:
            wall = time.perf_counter() - started
            out[name] = {"passengers": count, "seconds": round(wall, 3), "passengers_per_s": round(count / wall),
                         "server_cores": round((_cpu_seconds(pid) - cpu0) / wall, 2)}

        # unary batches
        batches = [work[i:i + batch] for i in range(0, n, batch)]
        queue = list(batches)
        answered = 0

        async def batch_caller() -> None:
            nonlocal answered
            while queue:
                b = queue.pop()
                r = await stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=b, limit=5))
                assert len(r.results) == len(b) and r.list_versions
                answered += len(r.results)

        cpu0, t0 = _cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(batch_caller() for _ in range(callers)))
        measure("unary_batch", answered, t0, cpu0)
        assert answered == n

        for name, chunk in (("streaming", None), ("streaming_chunked", STREAM_CHUNK)):
            cpu0, t0 = _cpu_seconds(pid), time.perf_counter()
            measure(name, await _manifests(stub, work, callers, chunk), t0, cpu0)

        # single-passenger latency
        latencies: list[float] = []
        todo = list(range(singles))

        async def single_caller() -> None:
            while todo:
                i = todo.pop()
                t = time.perf_counter()
                await stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[work[i % len(work)]], limit=5))
                latencies.append(time.perf_counter() - t)

        cpu0, t0 = _cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(single_caller() for _ in range(callers)))
        measure("single", singles, t0, cpu0)
        out["single"].update(p50_ms=round(_pct(latencies, 50) * 1000, 2), p99_ms=round(_pct(latencies, 99) * 1000, 2))
    return out


def test_grpc_throughput_and_latency(benchmark, tmp_path):
    if LARGE:
        t = time.perf_counter()
        store_dir, queries = _synthetic_store(tmp_path)
        setup_s = time.perf_counter() - t
        proc, port = _serve("--store", store_dir, "--max-workers", "8")
        store_for_baseline = store_dir
        n, batch, callers, singles = 50_000, 500, 4, 2_000
        lists = f"synthetic {LIST_ROWS:,} entries"
    else:
        setup_s = 0.0
        queries = _un_queries()
        proc, port = _serve("--max-workers", "4")
        store_for_baseline = None
        n, batch, callers, singles = 1_000, 100, 2, 100
        lists = "embedded UN list"
    result: dict = {}
    try:
        def run() -> None:
            result.update(asyncio.run(_load(port, proc.pid, queries, n, batch, callers, singles)))

        benchmark.group = "grpc"
        benchmark.pedantic(run, rounds=1, iterations=1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    result["engine_only_batch"] = _engine_only(store_for_baseline, queries, n, batch)
    result["transport_only"] = asyncio.run(_transport_only(queries, n, callers))
    result.update(lists=lists, setup_s=round(setup_s, 1), cores=os.cpu_count(), callers=callers, batch=batch)
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    assert result["streaming"]["passengers"] == (n // callers) * callers
    if LARGE:
        print(f"targets: streamed >= 5000/s: {result['streaming']['passengers_per_s']} "
              f"(in chunks of {STREAM_CHUNK}: {result['streaming_chunked']['passengers_per_s']}; "
              f"grpcio alone, one per message: {result['transport_only']['streaming']['passengers_per_s']}); "
              f"p99 single < 20 ms: {result['single']['p99_ms']}")
