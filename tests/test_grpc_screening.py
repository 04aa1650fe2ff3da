"""gRPC ScreeningService against the embedded UN list: a real server on a loopback port, called with
the generated client. Happy paths, every error code, streaming, health and reflection."""

from __future__ import annotations

import threading
import time

import pytest

import engine

grpc = pytest.importorskip("grpc")
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import (
    screening_pb2_grpc,
    watchlist_pb2_grpc,
)
from server.proto_gen.interdict.v1 import watchlist_pb2 as w
from server.rpc import Limits, ServerState, start

MAX_PASSENGERS = 3000


@pytest.fixture(scope="module")
def running():
    state = ServerState.create(None, limits=Limits(max_passengers=MAX_PASSENGERS, max_message_bytes=2 * 1024 * 1024, batch_size=64))
    srv = start(state, port=0, max_workers=8)
    yield srv
    srv.stop(grace=1)


@pytest.fixture(scope="module")
def channel(running):
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
        yield ch


@pytest.fixture(scope="module")
def stub(channel):
    return screening_pb2_grpc.ScreeningServiceStub(channel)


def violations(err: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(err)
    assert status is not None, "no google.rpc.Status in the trailers"
    out = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        out.update({v.field: v.description for v in bad.field_violations})
    return out


def badege(pid: str = "p1") -> c.Passenger:
    return c.Passenger(id=pid, surname="BADEGE", given_names="ERIC", birth_date="1971", nationality="COD")


def innocent(i: int) -> c.Passenger:
    return c.Passenger(id=f"x{i}", surname=f"QUARTERMAINE{i % 97}", given_names="ELSPETH", birth_date="1990-01-02")


# --- happy paths ---------------------------------------------------------------------------------


def test_screen_passengers_finds_badege_and_names_versions(stub, running):
    resp = stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[innocent(0), badege("p1")], limit=3))
    assert [r.passenger_id for r in resp.results] == ["x0", "p1"]
    assert [r.index for r in resp.results] == [0, 1]
    hits = resp.results[1].hits
    assert hits[0].entry_id == "CDi.001" and hits[0].list_id == "un-sc"
    assert hits[0].band == c.BAND_MATCH and hits[0].score > 0.9
    assert hits[0].features["name"] > 0.9 and hits[0].explanation
    assert dict(resp.list_versions) == dict(running.state.screener.versions)
    assert hits[0].list_version == resp.list_versions["un-sc"]
    assert not resp.results[0].hits


def test_screen_passengers_threshold_and_limit(stub):
    resp = stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(name="Eric Badege")], limit=1, threshold=0.99))
    assert len(resp.results[0].hits) <= 1


def test_stream_results_in_order_with_ids(stub):
    people = [badege("p0")] + [innocent(i) for i in range(1, 150)] + [badege("p150")]
    responses = list(stub.ScreenPassengerStream(s.ScreenPassengerStreamRequest(passenger=p, limit=2) for p in people))
    assert [r.result.passenger_id for r in responses] == [p.id for p in people]
    assert [r.result.index for r in responses] == list(range(len(people)))
    assert responses[0].result.hits[0].entry_id == "CDi.001"
    assert responses[-1].result.hits[0].entry_id == "CDi.001"
    assert all(r.list_versions["un-sc"] for r in responses)


def test_stream_result_is_set_for_a_first_passenger_with_no_id_and_no_hit(stub):
    """Every message carries its `result`, even one whose fields all hold their defaults (index 0,
    no id, no hits): a client tells a one-per-message answer from a chunk by it."""
    passenger = c.Passenger(surname="Quintero", given_names="Xavier")
    (response,) = stub.ScreenPassengerStream(iter([s.ScreenPassengerStreamRequest(passenger=passenger)]))
    assert response.HasField("result") and not response.results
    assert (response.result.index, response.result.passenger_id, len(response.result.hits)) == (0, "", 0)


def test_stream_in_chunks_gets_the_same_results_in_chunks(stub):
    """A manifest sent in chunks (`passengers`) is answered in chunks: every passenger once, in
    order, numbered across the whole stream, with what one passenger per message gets."""
    people = [badege("p0")] + [innocent(i) for i in range(1, 250)] + [badege("p250")]
    single = [r.result for r in stub.ScreenPassengerStream(s.ScreenPassengerStreamRequest(passenger=p, limit=2) for p in people)]
    chunks = [people[:1], people[1:90], people[90:91], people[91:]]
    responses = list(stub.ScreenPassengerStream(s.ScreenPassengerStreamRequest(passengers=part, limit=2) for part in chunks))
    assert all(not r.HasField("result") and 0 < len(r.results) <= 100 and r.list_versions["un-sc"] for r in responses)
    chunked = [result for r in responses for result in r.results]
    assert [(x.index, x.passenger_id) for x in chunked] == [(i, p.id) for i, p in enumerate(people)]
    assert [[(h.entry_id, h.score) for h in x.hits] for x in chunked] == [[(h.entry_id, h.score) for h in x.hits] for x in single]
    assert chunked[0].hits[0].entry_id == chunked[-1].hits[0].entry_id == "CDi.001"


def test_invalid_passenger_in_a_chunk_is_named_by_its_place_in_the_stream(stub):
    bad = c.Passenger(id="bad", name="X Y", sex="Q")
    items = [s.ScreenPassengerStreamRequest(passengers=[innocent(i) for i in range(3)]),
             s.ScreenPassengerStreamRequest(passenger=innocent(3), passengers=[innocent(4), bad])]
    with pytest.raises(grpc.RpcError) as e:
        list(stub.ScreenPassengerStream(iter(items)))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(violations(e.value)) == ["passengers[5].sex"]


def test_stream_answers_before_the_manifest_ends(stub):
    """Results go out as they are ready: the first answer arrives while the client still holds the stream open."""
    release = threading.Event()

    def manifest():
        yield s.ScreenPassengerStreamRequest(passenger=badege("first"))
        release.wait(10)
        yield s.ScreenPassengerStreamRequest(passenger=innocent(1))

    call = stub.ScreenPassengerStream(manifest(), timeout=20)
    first = next(call)
    assert first.result.passenger_id == "first"
    release.set()
    rest = list(call)
    assert [r.result.passenger_id for r in rest] == ["x1"]


def test_empty_stream(stub):
    assert list(stub.ScreenPassengerStream(iter(()))) == []


def test_screen_shipments_screens_every_party(stub):
    req = s.ScreenShipmentsRequest(
        shipments=[
            s.Shipment(
                id="awb-1",
                air_waybill="176-12345675",
                shipper=s.Party(name="Butembo Airlines", country="CD"),
                consignee=s.Party(name="Eric Badege", kind=c.PARTY_KIND_PERSON),
                notify_party=s.Party(name="Acme Flowers Ltd", address="1 High St"),
            ),
            s.Shipment(id="awb-2", consignee=s.Party(name="Nobody Particular GmbH")),
        ]
    )
    resp = stub.ScreenShipments(req)
    first, second = resp.results
    assert first.shipment_id == "awb-1" and first.air_waybill == "176-12345675"
    roles = [p.role for p in first.parties]
    assert roles == [s.PARTY_ROLE_SHIPPER, s.PARTY_ROLE_CONSIGNEE, s.PARTY_ROLE_NOTIFY_PARTY]
    assert first.parties[0].hits[0].entry_id == "CDe.002"
    assert first.parties[1].hits[0].entry_id == "CDi.001"
    assert [p.role for p in second.parties] == [s.PARTY_ROLE_CONSIGNEE]
    assert resp.list_versions["un-sc"]


def test_check_documents(stub):
    resp = stub.CheckDocuments(
        s.CheckDocumentsRequest(
            documents=[
                c.TravelDocument(number="OB0243318", type="passport", country="COD"),
                c.TravelDocument(number="X1234567", type="passport", country="FRA"),
            ]
        )
    )
    assert resp.results[0].hits[0].entry_id == "CDi.021"
    assert resp.results[0].hits[0].matched_number
    assert not resp.results[1].hits
    assert resp.list_versions["un-sc"]


def test_explain_match(stub):
    resp = stub.ExplainMatch(s.ExplainMatchRequest(passenger=c.Passenger(name="Erik Badeghe", birth_date="1971"), list_id="un-sc", entry_id="CDi.001"))
    assert resp.entry_id == "CDi.001" and resp.matched_name == "ERIC BADEGE"
    assert 0.5 < resp.score <= 1 and resp.features and resp.explanation
    assert resp.list_version == resp.list_versions["un-sc"]


def test_read_only_watchlist_service_on_embedded_list(channel):
    lists = watchlist_pb2_grpc.WatchlistServiceStub(channel)
    got = lists.ListWatchlists(w.ListWatchlistsRequest())
    assert [(x.list_id, x.stored) for x in got.watchlists] == [("un-sc", False)]
    assert got.watchlists[0].entries > 500
    entry = lists.GetEntry(w.GetEntryRequest(list_id="un-sc", entry_id="CDi.001")).entry
    assert entry.names[0] == "ERIC BADEGE" and list(entry.birth_dates) == ["1971"] and entry.kind == c.ENTRY_KIND_PERSON
    versions = lists.ListVersions(w.ListVersionsRequest(list_id="un-sc"))
    assert versions.active_version == got.watchlists[0].version
    with pytest.raises(grpc.RpcError) as e:
        lists.UpsertEntries(w.UpsertEntriesRequest(list_id="un-sc", entries=[c.Entry(id="x", names=["X"])]))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "--store" in e.value.details()


# --- errors ----------------------------------------------------------------------------------------


def test_invalid_argument_names_every_bad_field(stub):
    bad = [badege("ok"), c.Passenger(id="b1", name="A B", birth_date="1970-13-01"), c.Passenger(id="b2"),
           c.Passenger(name="C D", nationality="12"), c.Passenger(name="E F", documents=[c.TravelDocument(type="passport")])]
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=bad))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    v = violations(e.value)
    assert set(v) == {"passengers[1].birth_date", "passengers[2].name", "passengers[3].nationality", "passengers[4].documents[0].number"}
    assert "1970-13-01" in v["passengers[1].birth_date"]


def test_invalid_options(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[badege()], limit=1000, threshold=1.5))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(e.value)) == {"limit", "threshold"}


def test_invalid_stream_item_is_named_by_position(stub):
    items = [s.ScreenPassengerStreamRequest(passenger=innocent(i)) for i in range(5)]
    items.append(s.ScreenPassengerStreamRequest(passenger=c.Passenger(id="bad", name="X Y", sex="Q")))
    with pytest.raises(grpc.RpcError) as e:
        list(stub.ScreenPassengerStream(iter(items)))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(violations(e.value)) == ["passengers[5].sex"]


def test_invalid_shipments_and_documents_and_explain(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenShipments(s.ScreenShipmentsRequest(shipments=[s.Shipment(id="a"), s.Shipment(shipper=s.Party(country="ZZZZ", name="x"))]))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(e.value)) == {"shipments[0]", "shipments[1].shipper.country"}
    with pytest.raises(grpc.RpcError) as e:
        stub.CheckDocuments(s.CheckDocumentsRequest(documents=[c.TravelDocument(number="A1"), c.TravelDocument(number="B2", expires="20x1")]))
    assert list(violations(e.value)) == ["documents[1].expires"]
    with pytest.raises(grpc.RpcError) as e:
        stub.CheckDocuments(s.CheckDocumentsRequest(documents=[c.TravelDocument(number="A1", mrz="NOT AN MRZ")]))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(violations(e.value)) == ["documents[0].mrz"]
    with pytest.raises(grpc.RpcError) as e:
        stub.ExplainMatch(s.ExplainMatchRequest())
    assert set(violations(e.value)) == {"list_id", "entry_id", "passenger"}


def test_not_found(stub, channel):
    for req in (
        s.ExplainMatchRequest(passenger=badege(), list_id="no-such-list", entry_id="CDi.001"),
        s.ExplainMatchRequest(passenger=badege(), list_id="un-sc", entry_id="CDi.999999"),
    ):
        with pytest.raises(grpc.RpcError) as e:
            stub.ExplainMatch(req)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND
    lists = watchlist_pb2_grpc.WatchlistServiceStub(channel)
    with pytest.raises(grpc.RpcError) as e:
        lists.GetEntry(w.GetEntryRequest(list_id="un-sc", entry_id="nope"))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        lists.ListVersions(w.ListVersionsRequest(list_id="eu-fsf"))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_deadline_exceeded_stops_the_work(stub, running, monkeypatch):
    # Each batch of the real screener is held 5 ms longer, so the 47 batches take at least 235 ms
    # whatever the machine: on the small embedded list a fast one screened all 3,000 passengers
    # within the 50 ms deadline, and the test then failed for the wrong reason.
    screen = engine.Screener.screen

    def slowed(self, *args, **kwargs):
        time.sleep(0.005)
        return screen(self, *args, **kwargs)

    monkeypatch.setattr(engine.Screener, "screen", slowed)
    people = [innocent(i) for i in range(MAX_PASSENGERS)]
    batches_before = running.state.counters["batches"]
    stops_before = running.state.counters["deadline_stops"]
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=people), timeout=0.05)
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    deadline = time.monotonic() + 10
    while running.state.counters["deadline_stops"] == stops_before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running.state.counters["deadline_stops"] > stops_before, "the server did not notice the deadline"
    done = running.state.counters["batches"] - batches_before
    assert done < MAX_PASSENGERS // 64, f"all {done} batches ran after the deadline"


def _slowed_screener(monkeypatch, seconds: float) -> None:
    screen = engine.Screener.screen

    def slowed(self, *args, **kwargs):
        time.sleep(seconds)
        return screen(self, *args, **kwargs)

    monkeypatch.setattr(engine.Screener, "screen", slowed)


def _settled(counters, key: str, quiet: float = 0.3, most: float = 10.0) -> int:
    """The counter once it has not moved for `quiet` seconds."""
    last, since, end = counters[key], time.monotonic(), time.monotonic() + most
    while time.monotonic() < end:
        time.sleep(0.05)
        if counters[key] != last:
            last, since = counters[key], time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def test_cancelled_call_stops_the_work(stub, running, monkeypatch):
    """A caller that gives up stops the screening: the call's work in the thread pool sees it between batches."""
    _slowed_screener(monkeypatch, 0.02)  # 47 batches: ~1 s
    before = running.state.counters["batches"]
    call = stub.ScreenPassengers.future(s.ScreenPassengersRequest(passengers=[innocent(i) for i in range(MAX_PASSENGERS)]))
    end = time.monotonic() + 10
    while running.state.counters["batches"] == before and time.monotonic() < end:
        time.sleep(0.005)
    assert call.cancel()
    done = _settled(running.state.counters, "batches") - before
    assert 0 < done < MAX_PASSENGERS // 64 // 2, f"{done} batches ran for a cancelled call"


def test_stream_cancelled_by_the_client_stops_the_work(stub, running, monkeypatch):
    _slowed_screener(monkeypatch, 0.02)
    before = running.state.counters["batches"]
    call = stub.ScreenPassengerStream(s.ScreenPassengerStreamRequest(passenger=innocent(i)) for i in range(MAX_PASSENGERS))
    assert next(call).result.index == 0
    call.cancel()
    done = _settled(running.state.counters, "batches") - before
    assert 0 < done < MAX_PASSENGERS // 64 // 2, f"{done} batches ran for a cancelled stream"


def test_a_refused_passenger_stops_the_stream_before_later_batches_are_screened(stub, running, monkeypatch):
    """Batches are screened one after another: nothing after the batch holding a refused passenger is screened
    (nor audited), however fast the rest of the manifest arrives."""
    screened: list[int] = []
    screen = engine.Screener.screen

    def counted(self, queries, *args, **kwargs):
        screened.append(len(queries))
        time.sleep(0.01)  # the manifest keeps coming meanwhile: there is always a next batch to start
        return screen(self, queries, *args, **kwargs)

    monkeypatch.setattr(engine.Screener, "screen", counted)
    bad = 100
    manifest = [s.ScreenPassengerStreamRequest(passenger=c.Passenger(id=f"x{i}", surname="QUARTERMAINE", sex="Q" if i == bad else ""))
                for i in range(MAX_PASSENGERS)]
    with pytest.raises(grpc.RpcError) as e:
        list(stub.ScreenPassengerStream(iter(manifest), timeout=30))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list(violations(e.value)) == [f"passengers[{bad}].sex"]
    _settled(running.state.counters, "batches")  # a batch still in the pool would be counted by now
    assert 0 < sum(screened) <= bad, f"{sum(screened)} passengers screened, {bad} before the refused one"


def test_a_held_call_does_not_hold_up_the_others(stub, channel, monkeypatch):
    """The engine and the store run in the thread pool, never on the event loop that reads and writes every
    call's messages: while one call's screening is held, a health check and a stream are answered."""
    gate = threading.Event()
    screen = engine.Screener.screen

    def held(self, queries, *args, **kwargs):
        if len(queries) == 7:
            gate.wait(20)
        return screen(self, queries, *args, **kwargs)

    monkeypatch.setattr(engine.Screener, "screen", held)
    try:
        slow = stub.ScreenPassengers.future(s.ScreenPassengersRequest(passengers=[innocent(i) for i in range(7)]), timeout=30)
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        answers = list(stub.ScreenPassengerStream(iter([s.ScreenPassengerStreamRequest(passenger=badege("s"))]), timeout=5))
        assert [a.result.passenger_id for a in answers] == ["s"] and answers[0].result.hits
        assert not slow.done()
    finally:
        gate.set()
    assert len(slow.result().results) == 7


def test_resource_exhausted(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[innocent(i) for i in range(MAX_PASSENGERS + 1)]))
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert str(MAX_PASSENGERS) in e.value.details()
    # over the message size limit (2 MiB on this server): refused by gRPC itself
    big = [c.Passenger(name="N" * 1000, address="A" * 1000) for _ in range(1500)]
    with pytest.raises(grpc.RpcError) as e:
        stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=big))
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


# ScreenMessage (raw PAXLST / PNRGOV / MRZ / cargo messages): tests/test_grpc_message.py


def test_internal_errors_are_logged_without_personal_data(stub, running, monkeypatch, caplog):
    def broken(*a, **k):
        raise RuntimeError("ERIC BADEGE 1971 secret")

    monkeypatch.setattr("engine.Screener.screen", broken)
    with caplog.at_level("ERROR", logger="server.rpc"):
        with pytest.raises(grpc.RpcError) as e:
            stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[badege()]))
    assert e.value.code() == grpc.StatusCode.INTERNAL
    assert "BADEGE" not in e.value.details()
    assert "RuntimeError" in caplog.text and "BADEGE" not in caplog.text


# --- health and reflection -----------------------------------------------------------------------


def test_health(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "interdict.v1.ScreeningService", "interdict.v1.WatchlistService"):
        assert health.Check(health_pb2.HealthCheckRequest(service=service)).status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_and_describes_services(channel):
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)
    reqs = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol="interdict.v1.ScreeningService"),
    ]
    listed, described = list(refl.ServerReflectionInfo(iter(reqs)))
    names = {x.name for x in listed.list_services_response.service}
    assert {"interdict.v1.ScreeningService", "interdict.v1.WatchlistService", "grpc.health.v1.Health"} <= names
    assert described.file_descriptor_response.file_descriptor_proto
