"""gRPC WatchlistService over a temporary store: import by streamed chunks, upsert, delete,
versions, activation (rollback), and what screening sees after each change."""

from __future__ import annotations

from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import (
    screening_pb2_grpc,
    watchlist_pb2_grpc,
)
from server.proto_gen.interdict.v1 import watchlist_pb2 as w
from server.rpc import Limits, ServerState, start

FIXTURES = Path(__file__).parent / "fixtures"
EU_SMALL = FIXTURES / "eu_small.xml"


def chunks(path: Path, size: int = 1000, **first):
    data = path.read_bytes()
    for i in range(0, len(data), size):
        yield w.ImportListRequest(chunk=data[i:i + size], **(first if i == 0 else {}))


@pytest.fixture
def running(tmp_path):
    state = ServerState.create(str(tmp_path / "store"), limits=Limits(max_import_bytes=200_000))
    srv = start(state, port=0, max_workers=4)
    yield srv
    srv.stop(grace=1)


@pytest.fixture
def stubs(running):
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
        yield watchlist_pb2_grpc.WatchlistServiceStub(ch), screening_pb2_grpc.ScreeningServiceStub(ch)


def code_of(fn, *args) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as e:
        fn(*args)
    return e.value.code()


def field_violations(err: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(err)
    bad = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad)
    return [v.field for v in bad.field_violations]


def test_lifecycle(stubs):
    lists, screening = stubs
    # an empty store: the embedded UN list is served
    assert [x.list_id for x in lists.ListWatchlists(w.ListWatchlistsRequest()).watchlists] == ["un-sc"]

    imported = lists.ImportList(chunks(EU_SMALL, file_name="eu_small.xml", format="eu-xml"))
    assert imported.created and imported.version.list_id == "eu-fsf" and imported.version.version == "v000001"
    assert imported.version.active and imported.version.rows == 5 and imported.version.source_format == "eu-xml"
    assert imported.list_versions["eu-fsf"] == "v000001" and "un-sc" in imported.list_versions
    listed = {x.list_id: x for x in lists.ListWatchlists(w.ListWatchlistsRequest()).watchlists}
    assert listed["eu-fsf"].stored and listed["eu-fsf"].entries == 5 and not listed["un-sc"].stored

    hit = screening.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(name="Marta Testova")]))
    assert hit.results[0].hits[0].entry_id == "EU-900001"
    assert hit.results[0].hits[0].list_version == "v000001" == hit.list_versions["eu-fsf"]

    entry = lists.GetEntry(w.GetEntryRequest(list_id="eu-fsf", entry_id="EU-900001"))
    assert entry.entry.names[0] == "Marta Ilinichna Testova" and entry.list_version == "v000001"

    again = lists.ImportList(chunks(EU_SMALL, size=333, file_name="eu_small.xml"))  # format detected, same content
    assert not again.created and again.version.version == "v000001"

    up = lists.UpsertEntries(w.UpsertEntriesRequest(list_id="eu-fsf", entries=[
        c.Entry(id="NEW-1", kind=c.ENTRY_KIND_PERSON, names=["Zebulon Quackenbush"], birth_dates=["1966-06-06"], nationalities=["FR"]),
    ]))
    assert up.version.version == "v000002" and up.version.change == "upsert" and up.list_versions["eu-fsf"] == "v000002"
    found = screening.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(name="Zebulon Quackenbush")]))
    assert found.results[0].hits[0].entry_id == "NEW-1" and found.list_versions["eu-fsf"] == "v000002"
    assert lists.GetEntry(w.GetEntryRequest(list_id="eu-fsf", entry_id="NEW-1")).entry.birth_dates == ["1966-06-06"]

    gone = lists.DeleteEntries(w.DeleteEntriesRequest(list_id="eu-fsf", entry_ids=["NEW-1"]))
    assert gone.version.version == "v000003" and gone.version.change == "delete"
    assert code_of(lists.GetEntry, w.GetEntryRequest(list_id="eu-fsf", entry_id="NEW-1")) == grpc.StatusCode.NOT_FOUND

    versions = lists.ListVersions(w.ListVersionsRequest(list_id="eu-fsf"))
    assert [v.version for v in versions.versions] == ["v000001", "v000002", "v000003"]
    assert versions.active_version == "v000003" and [v.active for v in versions.versions] == [False, False, True]

    back = lists.ActivateVersion(w.ActivateVersionRequest(list_id="eu-fsf", version="v000002"))
    assert back.version.version == "v000002" and back.version.active and back.list_versions["eu-fsf"] == "v000002"
    assert lists.GetEntry(w.GetEntryRequest(list_id="eu-fsf", entry_id="NEW-1")).list_version == "v000002"
    previous = lists.ActivateVersion(w.ActivateVersionRequest(list_id="eu-fsf"))  # no version: the one before
    assert previous.version.version == "v000003"


def test_hand_edits_make_the_list_the_store_would_read_back(stubs, running, monkeypatch):
    """UpsertEntries and DeleteEntries make the new version from the one screening (the unchanged
    entries shared, engine.Watchlist.updated), not by reading the whole list back: the list made is
    the one the store reads for that version, entry for entry, in the same order."""
    lists, screening = stubs
    lists.ImportList(chunks(EU_SMALL, file_name="eu_small.xml"))
    store = running.state.store
    reads = []
    read = type(store).watchlist
    monkeypatch.setattr(type(store), "watchlist", lambda self, *a, **k: reads.append(a) or read(self, *a, **k))

    def serving():
        return next(x for x in running.state.screener.watchlists if x.list_id == "eu-fsf")

    first, second = (r["id"] for r in store.records("eu-fsf")[:2])
    edits = [
        c.Entry(id=first, kind=c.ENTRY_KIND_PERSON, names=["Marta Replaced"], birth_dates=["1961"], nationalities=["fr"],
                documents=[c.TravelDocument(number="P123", type="passport", country="FR")]),
        c.Entry(id="NEW-1", kind=c.ENTRY_KIND_ORGANIZATION, names=["Quackenbush Trading LLC"], addresses=["1 Quay St"]),
        c.Entry(id="NEW-2", names=["Zebulon Once"]),
        c.Entry(id="NEW-2", names=["Zebulon Twice"], remarks="the later one"),
    ]
    for change in (
        lambda: lists.UpsertEntries(w.UpsertEntriesRequest(list_id="eu-fsf", entries=edits)),
        lambda: lists.DeleteEntries(w.DeleteEntriesRequest(list_id="eu-fsf", entry_ids=["NEW-1", second])),
        lambda: lists.UpsertEntries(w.UpsertEntriesRequest(list_id="eu-fsf", entries=edits[2:])),  # no change
    ):
        version = change().version.version
        made = serving()
        assert made.version == version and not reads  # made, not read back
        stored = store.watchlist("eu-fsf")
        assert made.entries == stored.entries and made.list_id == stored.list_id and made.version == stored.version
        reads.clear()
    assert [e.id for e in serving().entries][-1] == "NEW-2" and serving().get("NEW-2").names == ("Zebulon Twice",)
    hit = screening.ScreenPassengers(s.ScreenPassengersRequest(passengers=[c.Passenger(name="Marta Replaced")]))
    assert hit.results[0].hits[0].entry_id == first and hit.list_versions["eu-fsf"] == serving().version
    # a list that is not the new version's parent (here: rolled back under the server) is read back
    store.rollback("eu-fsf", to="v000001")
    lists.UpsertEntries(w.UpsertEntriesRequest(list_id="eu-fsf", entries=edits[1:2]))
    assert reads and serving().entries == store.watchlist("eu-fsf").entries


def test_restart_serves_the_stored_lists(tmp_path, stubs, running):
    lists, _ = stubs
    lists.ImportList(chunks(EU_SMALL, file_name="eu_small.xml"))
    state = ServerState.create(str(running.state.store.root))
    assert set(state.screener.versions) == {"eu-fsf"}  # no embedded list once the store holds one
    assert state.stored_ids == {"eu-fsf"}


def test_errors(stubs):
    lists, _ = stubs
    lists.ImportList(chunks(EU_SMALL, file_name="eu_small.xml"))
    NF, IA, RE = grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED
    assert code_of(lists.ListVersions, w.ListVersionsRequest(list_id="nope")) == NF
    assert code_of(lists.ActivateVersion, w.ActivateVersionRequest(list_id="eu-fsf", version="v000009")) == NF
    assert code_of(lists.ActivateVersion, w.ActivateVersionRequest(list_id="nope", version="v000001")) == NF
    assert code_of(lists.DeleteEntries, w.DeleteEntriesRequest(list_id="eu-fsf", entry_ids=["no-such-id"])) == NF
    assert code_of(lists.UpsertEntries, w.UpsertEntriesRequest(list_id="nope", entries=[c.Entry(id="a", names=["A"])])) == NF
    assert code_of(lists.GetEntry, w.GetEntryRequest(list_id="eu-fsf", entry_id="zzz")) == NF

    with pytest.raises(grpc.RpcError) as e:
        lists.UpsertEntries(w.UpsertEntriesRequest(list_id="eu-fsf", entries=[
            c.Entry(id="a", names=["A"]), c.Entry(id="b", names=["B"], birth_dates=["1970-02-30"]), c.Entry(names=["C"]),
        ]))
    assert e.value.code() == IA and field_violations(e.value) == ["entries[1].birth_dates[0]", "entries[2].id"]
    with pytest.raises(grpc.RpcError) as e:
        lists.ActivateVersion(w.ActivateVersionRequest(list_id="bad id!", version="7"))
    assert e.value.code() == IA and field_violations(e.value) == ["list_id"]
    with pytest.raises(grpc.RpcError) as e:
        lists.ImportList(iter([w.ImportListRequest(file_name="junk.txt", chunk=b"just some text\n")]))
    assert e.value.code() == IA and field_violations(e.value) == ["format"]
    assert "junk.txt" in e.value.details() and "/tmp" not in e.value.details()
    broken = EU_SMALL.read_bytes()[:1500]
    with pytest.raises(grpc.RpcError) as e:
        lists.ImportList(iter([w.ImportListRequest(file_name="eu.xml", format="eu-xml", chunk=broken)]))
    assert e.value.code() == IA and field_violations(e.value) == ["chunk"]
    with pytest.raises(grpc.RpcError) as e:
        lists.ImportList(iter(()))
    assert e.value.code() == IA
    # larger than this server's import limit (200 kB)
    big = (w.ImportListRequest(file_name="big.xml", chunk=b"x" * 50_000) for _ in range(5))
    assert code_of(lists.ImportList, big) == RE
    # nothing above changed the list
    assert [v.version for v in lists.ListVersions(w.ListVersionsRequest(list_id="eu-fsf")).versions] == ["v000001"]
