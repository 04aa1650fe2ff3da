"""server.metrics: counters, histograms, version gauge, the HTTP endpoint and the timing interceptor."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import grpc
import pytest
from aio_serving import LoopServer
from prometheus_client.parser import text_string_to_metric_families

from server.auth import AuthConfig, auth_interceptor, hash_token
from server.metrics import LATENCY_BUCKETS, Metrics, metrics_interceptor

SCREEN = "/interdict.v1.ScreeningService/ScreenPassengers"
STREAM = "/interdict.v1.ScreeningService/ScreenPassengerStream"


def _samples(m: Metrics) -> dict[tuple[str, frozenset], float]:
    out = {}
    for family in text_string_to_metric_families(m.exposition().decode()):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def _get(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def test_observe_hits_versions():
    m = Metrics()
    m.observe(SCREEN, "OK", 0.004)
    m.observe(SCREEN, "OK", 0.3)
    m.observe(SCREEN, "INVALID_ARGUMENT", 0.001)
    m.hits("un-sc", "strong", 2)
    m.hits("un-sc", "strong", 1)
    m.hits("ofac-sdn", "weak", 0)  # nothing counted
    m.count_hits([[{"list_id": "un-sc", "band": "possible"}], [], [{"list_id": "un-sc", "band": "strong"}]])
    s = _samples(m)
    assert _get(s, "interdict_requests_total", method=SCREEN, code="OK") == 2
    assert _get(s, "interdict_requests_total", method=SCREEN, code="INVALID_ARGUMENT") == 1
    assert _get(s, "interdict_request_seconds_count", method=SCREEN) == 3
    assert _get(s, "interdict_request_seconds_bucket", method=SCREEN, le="0.005") == 2
    assert _get(s, "interdict_request_seconds_bucket", method=SCREEN, le="0.001") == 1
    assert _get(s, "interdict_hits_total", list_id="un-sc", band="strong") == 4
    assert _get(s, "interdict_hits_total", list_id="un-sc", band="possible") == 1
    assert _get(s, "interdict_hits_total", list_id="ofac-sdn", band="weak") is None
    assert LATENCY_BUCKETS[0] == 0.001 and 1.0 in LATENCY_BUCKETS


def test_set_versions_replaces_old_labels():
    m = Metrics()
    m.set_versions({"un-sc": "2024-01-01", "ofac-sdn": "v7"})
    m.set_versions({"un-sc": "2024-02-01", "eu-fsf": "v1"})
    s = _samples(m)
    info = {dict(k[1])["list_id"]: dict(k[1])["version"] for k in s if k[0] == "interdict_list_version_info"}
    assert info == {"un-sc": "2024-02-01", "eu-fsf": "v1"}
    assert all(v == 1 for k, v in s.items() if k[0] == "interdict_list_version_info")


def test_registries_are_separate():
    a, b = Metrics(), Metrics()
    a.observe("m", "OK", 0.01)
    assert _get(_samples(b), "interdict_requests_total", method="m", code="OK") is None


def test_http_endpoint():
    m = Metrics()
    port = m.start_http(0)
    try:
        assert port > 0
        m.set_versions({"un-sc": "v1"})
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        assert 'interdict_list_version_info{list_id="un-sc",version="v1"} 1.0' in body
        with pytest.raises(RuntimeError):
            m.start_http(0)
    finally:
        m.stop_http()


TOKEN = "tok"


async def _slow(request, context):
    await asyncio.sleep(0.02)
    return b"ok"


async def _invalid(request, context):
    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad passenger")


async def _set_code(request, context):
    context.set_code(grpc.StatusCode.NOT_FOUND)
    return b""


async def _boom(request, context):
    raise RuntimeError("bug")


async def _bidi(requests, context):
    async for r in requests:
        yield r


@pytest.fixture
def served():
    m = Metrics()
    cfg = AuthConfig.from_dict({"tokens": [{"name": "t", "sha256": hash_token(TOKEN), "roles": ["screener"]}]})
    server = LoopServer([grpc.method_handlers_generic_handler("interdict.v1.ScreeningService", {
        "ScreenPassengers": grpc.unary_unary_rpc_method_handler(_slow),
        "CheckDocuments": grpc.unary_unary_rpc_method_handler(_invalid),
        "ExplainMatch": grpc.unary_unary_rpc_method_handler(_set_code),
        "ScreenMessage": grpc.unary_unary_rpc_method_handler(_boom),
        "ScreenPassengerStream": grpc.stream_stream_rpc_method_handler(_bidi),
    })], [metrics_interceptor(m), auth_interceptor(cfg)])
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        yield m, ch
    server.stop(None)


def test_interceptor_counts_codes_and_latency(served):
    m, ch = served
    md = (("authorization", f"Bearer {TOKEN}"),)
    assert ch.unary_unary(SCREEN)(b"x", metadata=md) == b"ok"
    for method in ("CheckDocuments", "ExplainMatch", "ScreenMessage"):
        with pytest.raises(grpc.RpcError):
            ch.unary_unary(f"/interdict.v1.ScreeningService/{method}")(b"x", metadata=md)
    with pytest.raises(grpc.RpcError):
        ch.unary_unary(SCREEN)(b"x")  # no token
    assert list(ch.stream_stream(STREAM)(iter([b"1", b"2"]), metadata=md)) == [b"1", b"2"]
    with pytest.raises(grpc.RpcError):
        ch.unary_unary("/interdict.v1.ScreeningService/Nope")(b"x", metadata=md)
    time.sleep(0.05)  # the server finishes its bookkeeping after the response is sent
    s = _samples(m)
    svc = "/interdict.v1.ScreeningService/"
    assert _get(s, "interdict_requests_total", method=SCREEN, code="OK") == 1
    assert _get(s, "interdict_requests_total", method=SCREEN, code="UNAUTHENTICATED") == 1
    assert _get(s, "interdict_requests_total", method=svc + "CheckDocuments", code="INVALID_ARGUMENT") == 1
    assert _get(s, "interdict_requests_total", method=svc + "ExplainMatch", code="NOT_FOUND") == 1
    assert _get(s, "interdict_requests_total", method=svc + "ScreenMessage", code="UNKNOWN") == 1
    assert _get(s, "interdict_requests_total", method=STREAM, code="OK") == 1
    assert not any(dict(k[1]).get("method") == svc + "Nope" for k in s)  # unknown methods are not labelled
    assert _get(s, "interdict_request_seconds_bucket", method=SCREEN, le="0.01") == 1  # the rejected one
    assert _get(s, "interdict_request_seconds_count", method=SCREEN) == 2
    assert _get(s, "interdict_request_seconds_sum", method=SCREEN) >= 0.02
    assert _get(s, "interdict_requests_in_progress", method=SCREEN) == 0
