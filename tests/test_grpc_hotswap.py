"""Hot list updates: imports and rollbacks while screening runs in threads. No call fails or waits
for a list change, and each call sees one version from start to end: a passenger listed only in
version 2 is hit at the start and at the end of a batch exactly when the response names version 2."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")

from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import (
    screening_pb2_grpc,
    watchlist_pb2_grpc,
)
from server.proto_gen.interdict.v1 import watchlist_pb2 as w
from server.rpc import Limits, ServerState, start

EU_SMALL = Path(__file__).parent / "fixtures" / "eu_small.xml"
ZEB = c.Passenger(id="zeb", name="Zebulon Quackenbush", birth_date="1966-06-06")


def test_screening_sees_one_version_while_lists_change(tmp_path):
    state = ServerState.create(str(tmp_path / "store"), limits=Limits(batch_size=16))
    srv = start(state, port=0, max_workers=12)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{srv.port}") as ch:
            lists = watchlist_pb2_grpc.WatchlistServiceStub(ch)
            screening = screening_pb2_grpc.ScreeningServiceStub(ch)
            lists.ImportList(iter([w.ImportListRequest(file_name="eu_small.xml", chunk=EU_SMALL.read_bytes())]))
            lists.UpsertEntries(w.UpsertEntriesRequest(list_id="eu-fsf", entries=[
                c.Entry(id="NEW-1", names=["Zebulon Quackenbush"], birth_dates=["1966-06-06"]),
            ]))  # v000002 lists Zebulon; v000001 does not
            un_version = state.screener.versions["un-sc"]
            stop = threading.Event()
            seen: dict[str, int] = {}
            errors: list[BaseException] = []
            lock = threading.Lock()

            def check(versions, hits_first, hits_last) -> None:
                assert versions["un-sc"] == un_version
                v = versions["eu-fsf"]
                assert v in ("v000001", "v000002", "v000003", "v000004", "v000005")  # v3..: re-imports without Zebulon
                for hits in (hits_first, hits_last):
                    assert all(h.list_version == versions[h.list_id] for h in hits)
                    listed = any(h.entry_id == "NEW-1" for h in hits)
                    assert listed == (v == "v000002"), (v, [h.entry_id for h in hits])
                with lock:
                    seen[v] = seen.get(v, 0) + 1

            def unary() -> None:
                filler = [c.Passenger(id=f"f{i}", name=f"Nobody Inparticular {i}") for i in range(100)]
                try:
                    while not stop.is_set():
                        r = screening.ScreenPassengers(s.ScreenPassengersRequest(passengers=[ZEB, *filler, ZEB]), timeout=30)
                        check(r.list_versions, r.results[0].hits, r.results[-1].hits)
                except BaseException as e:  # noqa: BLE001 - reported below
                    errors.append(e)

            def streaming() -> None:
                try:
                    while not stop.is_set():
                        items = [ZEB] + [c.Passenger(id=f"f{i}", name=f"Someone Else {i}") for i in range(60)] + [ZEB]
                        out = list(screening.ScreenPassengerStream((s.ScreenPassengerStreamRequest(passenger=p) for p in items), timeout=30))
                        assert len(out) == len(items)
                        assert len({tuple(sorted(o.list_versions.items())) for o in out}) == 1
                        check(out[0].list_versions, out[0].result.hits, out[-1].result.hits)
                except BaseException as e:  # noqa: BLE001
                    errors.append(e)

            threads = [threading.Thread(target=unary) for _ in range(3)] + [threading.Thread(target=streaming) for _ in range(2)]
            for t in threads:
                t.start()
            changes = imports = 0
            until = time.monotonic() + 4
            while time.monotonic() < until and not errors:
                lists.ActivateVersion(w.ActivateVersionRequest(list_id="eu-fsf", version="v000001"))
                time.sleep(0.05)
                lists.ActivateVersion(w.ActivateVersionRequest(list_id="eu-fsf", version="v000002"))
                time.sleep(0.05)
                changes += 2
                if imports < 3:  # a new version (v1's content again) over v2: v000003, v000004, v000005
                    r = lists.ImportList(iter([w.ImportListRequest(file_name="eu_small.xml", chunk=EU_SMALL.read_bytes())]))
                    assert r.created and r.version.version == f"v00000{3 + imports}"
                    imports += 1
                    time.sleep(0.05)
            stop.set()
            for t in threads:
                t.join(60)
            assert not errors, errors[0]
            assert changes >= 6
            assert seen.get("v000001", 0) > 0 and seen.get("v000002", 0) > 0, seen
    finally:
        srv.stop(grace=2)
