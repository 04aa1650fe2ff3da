"""`interdict serve` (a real process: port, hint, SIGTERM) and graceful shutdown (calls in flight
finish; new ones are refused), with the auth hook wired."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")
from grpc_health.v1 import health_pb2, health_pb2_grpc

from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import screening_pb2_grpc
from server.rpc import ServerState, start

REPO = Path(__file__).resolve().parents[1]


def _serve(*args: str) -> tuple[subprocess.Popen, int, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", "0", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Stop with"):
            break
    m = re.search(r"on 127\.0\.0\.1:(\d+)", lines[0] if lines else "")
    assert m, (lines, proc.stderr.read() if proc.poll() is not None else "")
    return proc, int(m.group(1)), lines


def test_serve_prints_how_to_call_it_and_stops_on_sigterm():
    proc, port, lines = _serve("--max-workers", "4", "--search-threads", "1")
    try:
        text = "".join(lines)
        assert "grpcurl -plaintext" in text and "ScreeningService/ScreenPassengers" in text and "un-sc" in text
        assert "ScreeningServiceStub" in text
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
            stub = screening_pb2_grpc.ScreeningServiceStub(ch)
            r = stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(name="Eric Badege", birth_date="1971")]), timeout=10)
            assert r.results[0].hits[0].entry_id == "CDi.001"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "SIGTERM: draining" in err and "stopped" in err
    assert "search threads: 1" in err


def test_serve_with_auth_file(tmp_path):
    auth = pytest.importorskip("server.auth")
    token = "s3cret-token-for-tests"
    (tmp_path / "tokens.toml").write_text(
        f'[[tokens]]\nname = "piu"\nsha256 = "{auth.hash_token(token)}"\nroles = ["screener"]\n', encoding="utf-8"
    )
    proc, port, _ = _serve("--auth", str(tmp_path / "tokens.toml"))
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = screening_pb2_grpc.ScreeningServiceStub(ch)
            req = s.ScreenPassengersRequest(passengers=[c.Passenger(name="Eric Badege")])
            with pytest.raises(grpc.RpcError) as e:
                stub.ScreenPassengers(req, timeout=10)
            assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
            ok = stub.ScreenPassengers(req, timeout=10, metadata=[("authorization", f"Bearer {token}")])
            assert ok.results[0].hits
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    # by default one core is left to the server's Python part
    from engine.pool import server_search_threads

    assert f"search threads: {server_search_threads()}" in err


def test_options_that_do_not_fit_are_a_clear_error(capsys):
    from server import cli

    assert cli.main(["serve", "--port", "0", "--tls-key", "server.key"]) == 2
    assert "TLS needs both --tls-cert and --tls-key" in capsys.readouterr().err
    for bad in ("-1", "two"):
        with pytest.raises(SystemExit) as e:
            cli.main(["serve", "--port", "0", "--search-threads", bad])
        assert e.value.code == 2
        assert f"--search-threads: expected a whole number of 0 or more, got '{bad}'" in capsys.readouterr().err


def test_no_personal_data_in_any_log_record(caplog):
    """Every record the process makes while serving good and bad requests (grpc's own loggers
    included), with the server's log hygiene installed as `interdict serve` does."""
    from server import logsafe

    logsafe.install()
    running = start(ServerState.create(None), port=0, max_workers=2)
    secrets = ["Badege", "1971-03-05", "ZX1234567", "Qwertyuiop", "1899-13-45"]
    try:
        with caplog.at_level(logging.DEBUG), grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            stub = screening_pb2_grpc.ScreeningServiceStub(ch)
            doc = c.TravelDocument(number="ZX1234567", type="passport", country="COD")
            stub.ScreenPassengers(s.ScreenPassengersRequest(
                passengers=[c.Passenger(id="a", name="Eric Badege", birth_date="1971-03-05", documents=[doc])]))
            with pytest.raises(grpc.RpcError):
                stub.ScreenPassengers(s.ScreenPassengersRequest(
                    passengers=[c.Passenger(id="b", name="Qwertyuiop", birth_date="1899-13-45")]))
            stub.CheckDocuments(s.CheckDocumentsRequest(documents=[doc]))
    finally:
        running.stop(grace=1)
        logsafe.uninstall()
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert "ScreenPassengers refused: INVALID_ARGUMENT (passengers[0].birth_date)" in logged
    assert "CheckDocuments by" in logged
    for secret in secrets:
        assert secret not in logged


def test_graceful_stop_drains_calls_in_flight():
    running = start(ServerState.create(None), port=0, max_workers=4)
    sent = threading.Event()

    def slow_manifest():
        for i in range(3):
            yield s.ScreenPassengerStreamRequest(passenger=c.Passenger(id=str(i), name="Eric Badege"))
            if i == 0:
                sent.set()
            time.sleep(0.4)

    results: list = []
    errors: list = []

    def call():
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            try:
                results.extend(screening_pb2_grpc.ScreeningServiceStub(ch).ScreenPassengerStream(slow_manifest(), timeout=30))
            except grpc.RpcError as e:
                errors.append(e)

    t = threading.Thread(target=call)
    t.start()
    assert sent.wait(10)
    time.sleep(0.1)
    running.stop(grace=10)  # returns once the stream has finished
    t.join(10)
    assert not errors and [r.result.passenger_id for r in results] == ["0", "1", "2"]
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
        with pytest.raises(grpc.RpcError) as e:
            screening_pb2_grpc.ScreeningServiceStub(ch).ScreenPassengers(s.ScreenPassengersRequest(), timeout=2)
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE


def test_audit_and_metrics_hooks(tmp_path):
    pytest.importorskip("server.audit")
    pytest.importorskip("server.metrics")
    from server.rpc import attach_audit, attach_metrics

    state = ServerState.create(None)
    attach_audit(state, str(tmp_path / "audit"))
    attach_metrics(state, 0)
    running = start(state, port=0, max_workers=2)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            stub = screening_pb2_grpc.ScreeningServiceStub(ch)
            r = stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(id="a", name="Eric Badege", birth_date="1971")]))
            with pytest.raises(grpc.RpcError):
                stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger()]))
    finally:
        running.stop(grace=1)
        state.metrics.stop_http()
    rows = state.audit.rows()
    assert [row.method for row in rows] == ["ScreenPassengers"]
    assert rows[0].versions == dict(r.list_versions)
    assert rows[0].hits[0][0]["entry_id"] == "CDi.001"
    text = state.metrics.exposition().decode()
    assert 'interdict_hits_total{band="match",list_id="un-sc"} 1.0' in text
    assert 'code="INVALID_ARGUMENT"' in text and 'code="OK"' in text
    assert f'interdict_list_version_info{{list_id="un-sc",version="{r.list_versions["un-sc"]}"}} 1.0' in text
    state.audit.close()
