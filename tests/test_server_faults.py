"""Faults on a real `interdict serve --store --audit` process: kill -9 during a list import (from outside at
an arbitrary moment, and by the server itself at each step of the store's write), restart on the same store,
then the store (catalog, versions, checksums, row counts: `interdict lists verify`) and the audit chain
(`interdict audit verify`) are checked, screening goes on, and the dead import's upload (staged under the
store, not /tmp) is removed when the server starts again. A version file with flipped bytes is refused
by its checksum with an error naming the file, while the version before it keeps serving: when a running
server is asked to activate it, and when it is the active version at start-up.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")

from server import audit
from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import screening_pb2_grpc, watchlist_pb2_grpc
from server.proto_gen.interdict.v1 import watchlist_pb2 as w
from serve_process import FIRST, LIST, REPO, SECOND, list_file, serve
from watchlists.store import Store, StoreError

LARGE = 15_000  # rows of the import that is killed: long enough to be caught while its data file is written


def import_list(lists, path: Path, chunk: int = 1 << 20, timeout: float = 300):
    data = path.read_bytes()
    first = w.ImportListRequest(list_id=LIST, file_name=path.name, chunk=data[:chunk])
    rest = [w.ImportListRequest(chunk=data[i:i + chunk]) for i in range(chunk, len(data), chunk)]
    return lists.ImportList(iter([first, *rest]), timeout=timeout)


def stubs(target: str):
    ch = grpc.insecure_channel(target)
    return ch, screening_pb2_grpc.ScreeningServiceStub(ch), watchlist_pb2_grpc.WatchlistServiceStub(ch)


def listed(screening, who: c.Passenger) -> tuple[bool, str]:
    """(hit on the national list, the national list's version) for one passenger."""
    r = screening.ScreenPassengers(s.ScreenPassengersRequest(passengers=[who]), timeout=30)
    return any(h.list_id == LIST for h in r.results[0].hits), r.list_versions.get(LIST, "")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def assert_sound(store_dir: Path, active: str, commands: bool = False) -> None:
    """The store verifies (every version's checksum and rows) and `active` is the national list's active version;
    the audit chain verifies too. With `commands`, also through `interdict lists verify` and `interdict audit verify`."""
    store = Store(store_dir)
    assert store.verify() == [], store.verify()
    assert store.active(LIST).version == active
    result = audit.verify(store_dir / audit.DEFAULT_NAME)
    assert result.ok, result
    if commands:
        done = cli("lists", "verify", "--store", str(store_dir))
        assert done.returncode == 0 and "every checksum verified" in done.stdout, done.stdout + done.stderr
        done = cli("audit", "verify", "--store", str(store_dir))
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def lists_dir(tmp_path):
    """Version 1 of the national list (small, lists FIRST) and a large version 2 (lists SECOND)."""
    return list_file(tmp_path / "v1.jsonl", 50, FIRST), list_file(tmp_path / "v2.jsonl", LARGE, SECOND)


def test_kill_9_during_an_import_then_restart(tmp_path, lists_dir):
    small, large = lists_dir
    store_dir = tmp_path / "store"
    served = serve(tmp_path, "--store", str(store_dir), "--audit", str(store_dir), name="first")
    ch, screening, lists = stubs(served.target)
    try:
        assert import_list(lists, small).version.version == "v000001"
        assert listed(screening, FIRST) == (True, "v000001")
        stop = threading.Event()
        screened: list[int] = []
        failures: list[BaseException] = []

        def screen_until_killed() -> None:  # audit rows are being written when the kill comes
            while not stop.is_set():
                try:
                    listed(screening, FIRST)
                    screened.append(1)
                except grpc.RpcError as e:
                    failures.append(e)
                    return

        screener = threading.Thread(target=screen_until_killed)
        screener.start()
        outcome: list = []
        importer = threading.Thread(target=lambda: outcome.append(_call(lambda: import_list(lists, large))))
        importer.start()
        directory = store_dir / LIST
        deadline = time.monotonic() + 180
        while not any(p.name.endswith(".arrow.tmp") for p in directory.iterdir()):  # the new version is being written
            assert importer.is_alive(), f"the import ended before it could be killed: {outcome}"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        served.kill()
        importer.join(60)
        stop.set()
        screener.join(60)
    finally:
        ch.close()
    assert isinstance(outcome[0], grpc.RpcError) and outcome[0].code() == grpc.StatusCode.UNAVAILABLE, outcome
    assert screened, "no screening call completed before the kill"
    assert_sound(store_dir, "v000001")
    assert [p.name for p in (store_dir / ".incoming").iterdir()], "the killed import's upload is staged in the store"
    rows_before = len(audit.AuditLog(store_dir).rows())

    again = serve(tmp_path, "--store", str(store_dir), "--audit", str(store_dir), name="second")
    ch, screening, lists = stubs(again.target)
    try:
        assert listed(screening, FIRST) == (True, "v000001")
        r = import_list(lists, large)  # the dead import's leftovers are cleared; this one commits
        assert r.created and r.version.version == "v000002" and r.version.rows == LARGE
        assert listed(screening, SECOND) == (True, "v000002") and listed(screening, FIRST)[0] is False
    finally:
        ch.close()
        assert again.stop() == 0
    assert not [p.name for p in (store_dir / LIST).iterdir() if p.name.endswith(".tmp")]
    assert list((store_dir / ".incoming").iterdir()) == []  # the dead import's upload went at start-up
    assert_sound(store_dir, "v000002", commands=True)
    log = audit.AuditLog(store_dir)
    assert len(log.rows()) == rows_before + 3  # the chain went on after the restart
    log.close()


def _call(fn):
    try:
        return fn()
    except grpc.RpcError as e:
        return e


@pytest.mark.parametrize("failpoint, survivor", [
    ("mid-data-write", "v000001"), ("before-catalog-rename", "v000001"), ("after-catalog-rename", "v000002"),
])
def test_the_server_killed_at_each_step_of_a_write(tmp_path, lists_dir, failpoint, survivor):
    """INTERDICT_STORE_FAILPOINT makes the server SIGKILL itself at that step of the import's write."""
    small, _ = lists_dir
    second = list_file(tmp_path / "v2-small.jsonl", 80, SECOND)
    store_dir = tmp_path / "store"
    Store(store_dir).import_file(small, list_id=LIST)
    served = serve(tmp_path, "--store", str(store_dir), "--audit", str(store_dir),
                   env={"INTERDICT_STORE_FAILPOINT": failpoint}, name=failpoint)
    ch, screening, lists = stubs(served.target)
    try:
        assert listed(screening, FIRST) == (True, "v000001")
        with pytest.raises(grpc.RpcError) as e:
            import_list(lists, second)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        ch.close()
    assert served.proc.wait(30) == -9
    assert_sound(store_dir, survivor)
    assert list((store_dir / ".incoming").iterdir()), "the killed import's upload is staged in the store"
    again = serve(tmp_path, "--store", str(store_dir), name=f"{failpoint}-restart")
    ch, screening, lists = stubs(again.target)
    try:
        assert listed(screening, SECOND if survivor == "v000002" else FIRST) == (True, survivor)
        assert list((store_dir / ".incoming").iterdir()) == []  # removed at start-up, with no import since
    finally:
        ch.close()
        assert again.stop() == 0


def flip(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i:i + 4] = bytes(b ^ 0xA5 for b in data[i:i + 4])
    path.write_bytes(bytes(data))


def two_versions(tmp_path: Path) -> Path:
    store_dir = tmp_path / "store"
    store = Store(store_dir)
    store.import_file(list_file(tmp_path / "v1.jsonl", 50, FIRST), list_id=LIST)
    store.import_file(list_file(tmp_path / "v2.jsonl", 60, SECOND), list_id=LIST)
    assert store.active(LIST).version == "v000002"
    return store_dir


def test_a_damaged_version_is_refused_while_the_active_one_serves(tmp_path):
    store_dir = two_versions(tmp_path)
    served = serve(tmp_path, "--store", str(store_dir))
    ch, screening, lists = stubs(served.target)
    try:
        assert listed(screening, SECOND) == (True, "v000002")
        flip(store_dir / LIST / "v000001.arrow")
        with pytest.raises(grpc.RpcError) as e:
            lists.ActivateVersion(w.ActivateVersionRequest(list_id=LIST, version="v000001"), timeout=30)
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "v000001.arrow: checksum mismatch" in e.value.details(), e.value.details()
        assert listed(screening, SECOND) == (True, "v000002")  # the active version still serves
        seen = lists.ListVersions(w.ListVersionsRequest(list_id=LIST), timeout=30)
        assert (seen.active_version, seen.serving_version) == ("v000002", "v000002")
    finally:
        ch.close()
        assert served.stop() == 0
    done = cli("lists", "verify", "--store", str(store_dir))
    assert done.returncode == 1 and "v000001.arrow: checksum mismatch" in done.stdout, done.stdout
    assert Store(store_dir).active(LIST).version == "v000002"


def test_a_damaged_active_version_at_start_up_serves_the_one_before(tmp_path):
    store_dir = two_versions(tmp_path)
    Store(store_dir).watchlist(LIST, "v000001").name_index  # writes v000001's name index cache ...
    flip(store_dir / LIST / "v000001.arrow.nameidx", 0.6)  # ... damaged too: rebuilt, never trusted
    flip(store_dir / LIST / "v000002.arrow", 0.3)
    served = serve(tmp_path, "--store", str(store_dir))
    ch, screening, lists = stubs(served.target)
    try:
        assert listed(screening, FIRST) == (True, "v000001")  # the version before serves
        assert listed(screening, SECOND)[0] is False
        seen = lists.ListVersions(w.ListVersionsRequest(list_id=LIST), timeout=30)
        assert (seen.active_version, seen.serving_version, seen.list_versions[LIST]) == ("v000002", "v000001", "v000001")
        r = import_list(lists, list_file(tmp_path / "v3.jsonl", 70, SECOND))  # a re-import repairs the list
        assert r.version.version == "v000003" and listed(screening, SECOND) == (True, "v000003")
    finally:
        ch.close()
        assert served.stop() == 0
    log = served.log()
    assert "v000002.arrow: checksum mismatch" in log and "serving the earlier version v000001 instead of v000002" in log
    assert "name index cache ignored, rebuilding it" in log and "v000001.arrow.nameidx" in log


def test_no_intact_version_or_a_damaged_catalog_stops_the_start_with_a_clear_error(tmp_path):
    from server.rpc import ServerState

    store_dir = two_versions(tmp_path)
    flip(store_dir / LIST / "v000002.arrow")
    flip(store_dir / LIST / "v000001.arrow")
    done = cli("serve", "--port", "0", "--store", str(store_dir))
    assert done.returncode == 3, done.stderr
    assert f"interdict: {LIST}: no intact version to serve" in done.stderr and "v000002.arrow: checksum mismatch" in done.stderr
    assert "Traceback" not in done.stderr
    catalog = store_dir / LIST / "catalog.json"
    catalog.write_bytes(catalog.read_bytes()[:-20])
    with pytest.raises(StoreError, match=r"catalog\.json: damaged catalog, not valid JSON"):
        ServerState.create(str(store_dir))
    assert "catalog.json: damaged catalog" in Store(store_dir).verify()[0]


def test_store_verify_names_each_problem(tmp_path):
    """`Store.verify` (behind `interdict lists verify`): a removed file, a catalog whose row count or active
    version disagrees, and a sound store (the negative control) each give what they should."""
    import json

    store_dir = two_versions(tmp_path)
    store = Store(store_dir)
    assert store.verify() == []
    (store_dir / LIST / "v000001.arrow").unlink()
    catalog_path = store_dir / LIST / "catalog.json"
    catalog = json.loads(catalog_path.read_text())
    catalog["versions"][1]["rows"] += 1
    catalog["active"] = "v000009"
    catalog_path.write_text(json.dumps(catalog))
    problems = store.verify()
    assert any("v000001.arrow: missing" in p for p in problems), problems
    assert any("v000002.arrow: 60 rows, the catalog says 61" in p for p in problems), problems
    assert any("active version v000009 is not among the kept versions" in p for p in problems), problems
    with pytest.raises(StoreError, match="v000001.arrow: missing"):
        store.table(LIST, "v000001")
