"""gRPC ScreeningService.ScreenMessage against the embedded UN list: a real server on a loopback port,
called with the generated client. Raw PAXLST / PNRGOV / MRZ / cargo content in, per traveller or
party results out; unreadable content is INVALID_ARGUMENT on `content` naming the segment."""

from __future__ import annotations

from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")
from google.rpc import error_details_pb2
from grpc_status import rpc_status

import engine.messages
from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import screening_pb2_grpc
from server.rpc import Limits, ServerState, start
from server.rpc.screening import MESSAGE_FORMATS

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
BADEGE = (FIXTURES / "paxlst_badege.edi").read_bytes()  # SMITH EMILY JANE, BADEGE ERIC 1971 (UN CDi.001)
MAX_PASSENGERS = 6


@pytest.fixture(scope="module")
def running():
    state = ServerState.create(None, limits=Limits(max_passengers=MAX_PASSENGERS, max_message_bytes=1024 * 1024, batch_size=2))
    srv = start(state, port=0, max_workers=4)
    yield srv
    srv.stop(grace=1)


@pytest.fixture(scope="module")
def stub(running):
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
        yield screening_pb2_grpc.ScreeningServiceStub(ch)


def violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    assert status is not None, "no google.rpc.Status in the trailers"
    out = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        out.update({v.field: v.description for v in bad.field_violations})
    return out


def test_every_message_format_maps_to_a_parser():
    named = {v.name for v in s.DESCRIPTOR.enum_types_by_name["MessageFormat"].values} - {"MESSAGE_FORMAT_UNSPECIFIED"}
    assert {s.MessageFormat.Value(n) for n in named} == set(MESSAGE_FORMATS)
    assert set(MESSAGE_FORMATS.values()) == set(engine.messages.PARSERS)
    assert all(s.MessageFormat.Name(k) == "MESSAGE_FORMAT_" + v.upper() for k, v in MESSAGE_FORMATS.items())


def test_paxlst_hit_and_list_versions(stub, running):
    resp = stub.ScreenMessage(s.ScreenMessageRequest(content=BADEGE, limit=3))
    assert [(r.index, r.passenger_id) for r in resp.results] == [(0, "PAXLST 1/1"), (1, "PAXLST 1/2")]
    assert not resp.results[0].hits and not resp.results[0].errors
    hit = resp.results[1].hits[0]
    assert (hit.entry_id, hit.list_id, hit.band) == ("CDi.001", "un-sc", c.BAND_MATCH) and hit.score > 0.9
    assert dict(resp.list_versions) == dict(running.state.screener.versions)
    assert hit.list_version == resp.list_versions["un-sc"]
    assert list(resp.warnings) == []


def test_format_forced(stub):
    resp = stub.ScreenMessage(s.ScreenMessageRequest(content=BADEGE, format=s.MESSAGE_FORMAT_PAXLST))
    assert resp.results[1].hits[0].entry_id == "CDi.001"
    with pytest.raises(grpc.RpcError) as e:  # the wrong format forced: the parser says where it stopped
        stub.ScreenMessage(s.ScreenMessageRequest(content=BADEGE, format=s.MESSAGE_FORMAT_PNRGOV))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(e.value) == {"content": "segment 3 (UNH): not a PNRGOV message: UNH says 'PAXLST'"}


def test_malformed_content(stub):
    truncated = BADEGE.replace(b"UNT+20+M001'\n", b"")
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenMessage(s.ScreenMessageRequest(content=truncated))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    v = violations(e.value)
    assert list(v) == ["content"] and v["content"].startswith("segment ") and "(UNH)" in v["content"]
    assert e.value.details().startswith("content: segment ")
    for content, expected in ((b"hello", "input: unrecognised message format"), (b"", "required")):
        with pytest.raises(grpc.RpcError) as e:
            stub.ScreenMessage(s.ScreenMessageRequest(content=content))
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert violations(e.value)["content"].startswith(expected)


def test_bad_options(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenMessage(s.ScreenMessageRequest(content=BADEGE, limit=1000, threshold=2.0))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(e.value)) == {"limit", "threshold"}
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenMessage(s.ScreenMessageRequest(content=BADEGE, format=99))
    assert violations(e.value) == {"format": "unknown message format 99"}


def test_pnrgov_mrz_and_cargo(stub):
    resp = stub.ScreenMessage(s.ScreenMessageRequest(content=(FIXTURES / "pnrgov_13_1_two_pnrs.edi").read_bytes()))
    assert [r.passenger_id for r in resp.results][:2] == ["PNRGOV 1/1/1", "PNRGOV 1/1/2"]
    resp = stub.ScreenMessage(s.ScreenMessageRequest(content=(FIXTURES / "mrz_td3_specimen.txt").read_bytes(), format=s.MESSAGE_FORMAT_MRZ))
    assert [r.passenger_id for r in resp.results] == ["MRZ TD3"]
    # a cargo party without a name: reported with its errors, not screened; the message's warning comes back
    resp = stub.ScreenMessage(s.ScreenMessageRequest(content=(FIXTURES / "fwb_17_bad_party.txt").read_bytes()))
    by_id = {r.passenger_id: r for r in resp.results}
    notify = by_id["FWB line 15"]
    assert notify.errors[0] == "line 15: NFY block without a name"
    assert notify.errors[-1].startswith("not screened:") and not notify.hits
    assert resp.warnings[0].startswith("line 4: air waybill 020-12345670: check digit")


def test_too_many_travellers(stub):
    block = b"NAD+FL+++BADEGE:ERIC'\nATT+2++M'\nDTM+329:19710101:102'\nNAT+2+COD'\n"
    seven = BADEGE.replace(block, block * 6)  # 7 travellers; this server takes 6
    assert len(engine.messages.parse(seven).travellers) == 7
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenMessage(s.ScreenMessageRequest(content=seven))
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "7 travellers" in e.value.details() and str(MAX_PASSENGERS) in e.value.details()


def test_audited_like_screen_passengers(tmp_path):
    pytest.importorskip("server.audit")
    from server.rpc import attach_audit

    state = ServerState.create(None)
    attach_audit(state, str(tmp_path / "audit"))
    running = start(state, port=0, max_workers=2)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            r = screening_pb2_grpc.ScreeningServiceStub(ch).ScreenMessage(s.ScreenMessageRequest(content=BADEGE))
    finally:
        running.stop(grace=1)
    rows = state.audit.rows()
    assert [row.method for row in rows] == ["ScreenMessage"] and rows[0].versions == dict(r.list_versions)
    assert [q["surname"] for q in rows[0].queries] == ["SMITH", "BADEGE"]
    assert rows[0].hits[1][0]["entry_id"] == "CDi.001"
    state.audit.close()
