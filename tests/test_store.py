"""The versioned store: atomic imports, versions, diff, rollback, upsert/delete, retention, and
crashes at every step of a write (the writer is SIGKILLed in a child process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pytest

import engine
import watchlists
from watchlists import schema
from watchlists.store import Store, StoreError

FIXTURES = Path(__file__).parent / "fixtures"
UN_SMALL = FIXTURES / "un_small.xml"
REPO = Path(__file__).resolve().parents[1]


def person(rid: str, name: str, **extra) -> dict:
    return {"id": rid, "kind": "person", "names": [name], **extra}


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the store, by path: what 'unchanged' means."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


# --- import, versions, identity ----------------------------------------------------------------

def test_import_file_makes_an_active_version_with_its_provenance(store):
    result = store.import_file(UN_SMALL)
    v = result.version
    assert result.created and v.version == "v000001" and v.change == "import" and v.parent is None
    assert v.list_id == "un-sc" and v.source_format == "un-xml" and v.rows == 5
    assert v.source_sha256 == watchlists.store.source_sha256(UN_SMALL) and len(v.checksum) == 64
    assert store.active("un-sc") == v and store.list_ids() == ["un-sc"]
    records = store.records("un-sc")
    assert [r["id"] for r in records] == [r["id"] for r in watchlists.load_records(UN_SMALL)]


def test_records_survive_the_round_trip_through_arrow(store):
    original = watchlists.load_records(UN_SMALL)
    store.import_file(UN_SMALL)
    stored = store.records("un-sc")
    for a, b in zip(original, stored):
        for key in ("names", "weak_names", "original_script_names", "birth_dates", "birth_date_ranges",
                    "nationalities", "countries", "sex", "addresses", "program", "remarks", "listed_on", "un_dataid"):
            assert a.get(key) == b.get(key), (a["id"], key)
        for da, db in zip(a["documents"], b["documents"]):
            assert {k: v for k, v in da.items() if v is not None} == {k: v for k, v in db.items() if v is not None}


def test_reimporting_the_same_content_makes_no_version(store):
    first = store.import_file(UN_SMALL).version
    again = store.import_file(UN_SMALL)
    assert not again.created and again.version == first and len(store.versions("un-sc")) == 1


def test_watchlist_from_the_store_screens_and_names_its_version(store):
    store.import_file(UN_SMALL)
    wl = store.watchlist("un-sc")
    assert isinstance(wl, engine.Watchlist) and wl.version == "v000001" and len(wl) == 5
    hits = engine.Screener(wl).screen([{"name": wl.entries[0].names[0]}])[0]
    assert hits and hits[0].entry_id == wl.entries[0].id and hits[0].list_version == "v000001"


def test_import_records_and_list_id_rules(store):
    store.import_records("national", [person("N1", "Jurgen Muller")])
    assert store.active("national").rows == 1
    with pytest.raises(StoreError, match="list id"):
        store.import_records("../escape", [person("N1", "X Y")])
    with pytest.raises(StoreError, match="no list 'missing'"):
        store.active("missing")


# --- bad input leaves the store unchanged -------------------------------------------------------

def test_a_bad_file_changes_nothing(store, tmp_path):
    store.import_file(UN_SMALL)
    before = snapshot(store.root)
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(UN_SMALL.read_bytes()[:3000])
    with pytest.raises(watchlists.ListFormatError) as err:
        store.import_file(truncated)
    assert "truncated.xml" in str(err.value)
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\n")
    with pytest.raises(watchlists.ListFormatError, match="unknown list format"):
        store.import_file(unknown)
    assert snapshot(store.root) == before


def test_an_invalid_record_changes_nothing(store):
    store.import_records("national", [person("N1", "Jurgen Muller")])
    before = snapshot(store.root)
    with pytest.raises(engine.InputError, match=r"records\[1\]\.id"):
        store.import_records("national", [person("N1", "A B"), person("N1", "C D")])
    with pytest.raises(engine.InputError, match="no name"):
        store.import_records("national", [{"id": "N2", "kind": "person", "names": []}])
    with pytest.raises(engine.InputError, match="birth_dates"):
        store.upsert("national", [person("N3", "E F", birth_dates=["31/12/1970"])])
    assert snapshot(store.root) == before


def test_skip_bad_imports_the_rest_and_reports(store):
    bad = FIXTURES / "un_bad_record.xml"
    with pytest.raises(watchlists.ListFormatError):
        store.import_file(bad)
    result = store.import_file(bad, skip_bad=True)
    assert result.problems and result.version.skipped == len(result.problems)
    assert result.version.rows == len(watchlists.load_records(bad, skip_bad=True))


# --- diff, upsert, delete, rollback -------------------------------------------------------------

def test_upsert_delete_and_diff(store):
    store.import_records("national", [person("N1", "Jurgen Muller"), person("N2", "Anna Schmidt")])
    v2 = store.upsert("national", [person("N2", "Anna Schmitt", birth_dates=["1980"]), person("N3", "Omar Haddad")])
    assert v2.change == "upsert" and v2.parent == "v000001" and v2.rows == 3
    d = store.diff("national")
    assert (d.old, d.new) == ("v000001", "v000002")
    assert d.added == ["N3"] and d.removed == [] and d.changed == {"N2": ["birth_dates", "names"]}
    v3 = store.delete("national", ["N1"])
    assert v3.change == "delete" and v3.rows == 2
    assert store.diff("national").removed == ["N1"]
    full = store.diff("national", "v000001", "v000003")
    assert full.added == ["N3"] and full.removed == ["N1"] and list(full.changed) == ["N2"]
    assert store.diff("national", "v000003", "v000003").unchanged


def test_delete_of_an_unknown_id_writes_nothing(store):
    store.import_records("national", [person("N1", "Jurgen Muller")])
    before = snapshot(store.root)
    with pytest.raises(StoreError, match="no entry 'N9'"):
        store.delete("national", ["N9"])
    assert snapshot(store.root) == before


def test_an_upsert_that_changes_nothing_makes_no_version(store):
    store.import_records("national", [person("N1", "Jurgen Muller")])
    assert store.upsert("national", [person("N1", "Jurgen Muller")]).version == "v000001"
    assert len(store.versions("national")) == 1


def test_upserts_and_deletes_edit_rows_as_records_would(store, monkeypatch):
    """upsert and delete copy the version's other rows as Arrow rows: the records read back are those
    of the same edit made on the records (replaced in place, new ones after, a repeated id's later
    record where its first was), across data files of several record batches."""
    monkeypatch.setattr(watchlists.store, "_BATCH_ROWS", 3)
    expected = {f"N{i}": person(f"N{i}", f"Name {i}", birth_dates=[f"19{50 + i}"], list_id="national") for i in range(8)}
    expected["N2"]["documents"] = [{"number": "X2", "type": "passport", "country": "DE", "type_raw": "PP"}]
    store.import_records("national", list(expected.values()))

    def check():
        want = [schema.from_row(schema.to_row(r)) for r in expected.values()]
        assert store.records("national") == want
        assert [e.id for e in store.watchlist("national").entries] == list(expected)

    edits = [person("N5", "Name Five", nationalities=["FR"]), person("N9", "Nine", custom=[1]),
             person("N1", "First One"), person("N1", "Last One", addresses=["Main St"])]
    store.upsert("national", edits)
    for r in edits:
        expected[r["id"]] = {**r, "list_id": "national"}
    check()
    store.delete("national", ["N0", "N9", "N6"])
    for rid in ("N0", "N9", "N6"):
        del expected[rid]
    check()
    versions = len(store.versions("national"))
    assert store.upsert("national", [expected["N2"], expected["N7"]]).version == store.active("national").version
    assert len(store.versions("national")) == versions  # the same rows again: no version
    with pytest.raises(engine.InputError, match=r"records\[1\]\.id: duplicate id 'N3' \(already listed\)"):
        store.upsert("national", [person("N4", "Four"), person(" N3 ", "Three")])
    with pytest.raises(engine.InputError, match=r"records\[2\]\.id: duplicate id 'N20' \(also records\[0\]\)"):
        store.upsert("national", [person("N20", "Twenty"), person("N20", "Twenty again"), person("N20 ", "Twenty")])
    check()


def test_rollback_and_roll_forward(store):
    store.import_records("national", [person("N1", "Jurgen Muller")])
    store.import_records("national", [person("N1", "Jurgen Mueller")])
    assert store.rollback("national").version == "v000001"
    assert store.records("national")[0]["names"] == ["Jurgen Muller"]
    assert store.rollback("national").version == "v000002"  # back to the one active before
    assert store.rollback("national", to="v000001").version == "v000001"
    assert [h["change"] for h in store.history("national")] == ["import", "import", "rollback", "rollback", "rollback"]
    with pytest.raises(StoreError, match="no version 'v000042'"):
        store.rollback("national", to="v000042")
    # a change after a rollback starts from the version rolled back to
    assert store.upsert("national", [person("N2", "Anna Schmidt")]).parent == "v000001"


def test_rollback_with_nothing_earlier(store):
    store.import_records("national", [person("N1", "Jurgen Muller")])
    with pytest.raises(StoreError, match="no earlier version"):
        store.rollback("national")


# --- retention and integrity --------------------------------------------------------------------

def test_retention_keeps_the_newest_and_always_the_active(tmp_path):
    store = Store(tmp_path / "s", retention=3)
    for i in range(5):
        store.import_records("national", [person("N1", f"Name Number{i}")])
    kept = [v.version for v in store.versions("national")]
    assert kept == ["v000003", "v000004", "v000005"]
    assert sorted(p.name for p in (tmp_path / "s" / "national").glob("*.arrow")) == [f"{v}.arrow" for v in kept]
    store.rollback("national", to="v000003")
    store.import_records("national", [person("N1", "Another Name")])
    store.import_records("national", [person("N1", "Yet Another")])
    assert store.active("national").version == "v000007"
    assert len(store.versions("national")) == 3
    with pytest.raises(ValueError):
        Store(tmp_path / "t", retention=0)


def test_a_damaged_data_file_is_refused(store):
    v = store.import_records("national", [person("N1", "Jurgen Muller")]).version
    path = store.root / "national" / v.file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="checksum mismatch"):
        store.records("national")


def test_schema_keeps_unknown_keys_in_extra():
    record = person("N1", "A B", documents=[{"number": "X1", "type": "passport", "country": "DE", "type_raw": "PP"}],
                    birth_date_ranges=[{"from": "1960", "to": "1962", "circa": True}], custom_field=[1, 2])
    back = schema.from_row(schema.to_row(record))
    assert back["custom_field"] == [1, 2]
    assert back["documents"][0]["type_raw"] == "PP" and back["documents"][0]["number"] == "X1"
    assert back["birth_date_ranges"] == [{"from": "1960", "to": "1962", "circa": True}]


def test_records_read_a_column_at_a_time_are_the_rows_records():
    """iter_records reads columns (a list column through its offsets, an all-empty one not at all):
    the records are from_row's of each row, across batches that slice the columns mid-list, and
    with a null list (no writer here makes one; another Arrow writer may)."""
    records = [
        person(f"N{i}", f"Name {i}", weak_names=[f"W{i}"] * (i % 3), addresses=["Street 1"] if i in (4, 5) else [],
               documents=[{"number": f"X{i}", "type": "passport", "type_raw": "PP"}] if i % 4 == 1 else [],
               birth_date_ranges=[{"from": "1960", "to": None, "circa": False}] if i == 7 else [], **({"note": i} if i % 5 == 0 else {}))
        for i in range(11)
    ]
    table = schema.to_table(records)
    rows = table.to_pylist()
    for batch_rows in (1, 3, 4, 65_536):
        assert list(schema.iter_records(table, batch_rows=batch_rows)) == [schema.from_row(r) for r in rows]
    weak = table.column("weak_names").combine_chunks()
    nulled = pa.ListArray.from_arrays(weak.offsets, weak.values, mask=pa.array([i == 2 for i in range(len(weak))]))
    table = table.set_column(table.schema.get_field_index("weak_names"), table.schema.field("weak_names"), nulled)
    back = list(schema.iter_records(table, batch_rows=4))
    assert back == [schema.from_row(r) for r in table.to_pylist()] and back[2]["weak_names"] == []
    assert back[1]["weak_names"] == ["W1"] and back[0]["note"] == 0 and back[1]["documents"][0]["type_raw"] == "PP"


# --- crashes ------------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from watchlists.store import Store
    n = int(sys.argv[2])
    Store(sys.argv[1]).import_records(
        "national", [{"id": f"N{i}", "names": [f"Name{i} Person{i % 977}"]} for i in range(n)])
    """
)


def run_child(root: Path, rows: int, failpoint: str | None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("INTERDICT_STORE_FAILPOINT", None)
    if failpoint:
        env["INTERDICT_STORE_FAILPOINT"] = failpoint
    return subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(rows)], env=env)


def assert_intact(store: Store, expected: list[dict]) -> None:
    assert store.active("national").version == "v000001"
    assert [r["names"] for r in store.records("national")] == [r["names"] for r in expected]  # checksum verified too


@pytest.mark.parametrize("failpoint", ["mid-data-write", "before-data-rename", "after-data-rename", "before-catalog-rename"])
def test_a_crash_before_the_catalog_switch_leaves_the_old_version_active(tmp_path, failpoint):
    store = Store(tmp_path / "s")
    original = [person("N1", "Jurgen Muller")]
    store.import_records("national", original)
    child = run_child(store.root, 5_000, failpoint)
    assert child.wait(timeout=120) == -signal.SIGKILL
    assert_intact(store, original)
    # the next writer clears what the dead one left and commits normally
    assert store.import_records("national", [person("N1", "Anna Schmidt")]).version.version == "v000002"
    leftovers = [p.name for p in (store.root / "national").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [] and sorted(p.name for p in (store.root / "national").glob("*.arrow")) == [
        "v000001.arrow", "v000002.arrow"]


def test_a_crash_after_the_catalog_switch_leaves_the_new_version_active(tmp_path):
    store = Store(tmp_path / "s")
    store.import_records("national", [person("N1", "Jurgen Muller")])
    child = run_child(store.root, 1_000, "after-catalog-rename")
    assert child.wait(timeout=120) == -signal.SIGKILL
    assert store.active("national").version == "v000002" and len(store.records("national")) == 1_000


def test_killing_an_import_midway_at_an_arbitrary_moment(tmp_path):
    """No failpoint: the child is killed from outside as soon as its data file is being written."""
    store = Store(tmp_path / "s")
    original = [person("N1", "Jurgen Muller")]
    store.import_records("national", original)
    child = run_child(store.root, 120_000, None)
    directory = store.root / "national"
    deadline = time.monotonic() + 120
    while not any(p.name.endswith(".arrow.tmp") for p in directory.iterdir()):
        assert child.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=60) == -signal.SIGKILL
    assert_intact(store, original)


STAGING_CHILD = textwrap.dedent(
    """
    import sys, time
    from watchlists.store import Store
    with Store(sys.argv[1]).staging() as path:
        (path / "upload.jsonl").write_text("a list on its way in")
        print(path, flush=True)
        time.sleep(600)
    """
)


def test_an_upload_left_by_a_killed_process_is_removed_by_the_next_one(tmp_path):
    """Uploads are staged under the store, not /tmp. A live one (held by its process) is left alone; once its
    process is SIGKILLed, the next staging() removes what it left; a staging directory is gone on leaving."""
    store = Store(tmp_path / "s")
    child = subprocess.Popen([sys.executable, "-c", STAGING_CHILD, str(store.root)],
                             env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    try:
        theirs = Path(child.stdout.readline().strip())
        assert (theirs / "upload.jsonl").is_file()
        with store.staging() as mine:
            assert mine.parent == theirs.parent == store.root / ".incoming" and mine != theirs
            assert (theirs / "upload.jsonl").is_file()  # held by a live process: kept
            assert (mine.stat().st_mode & 0o777) == 0o700
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
    assert not mine.exists() and theirs.exists()
    with store.staging() as again:
        assert not theirs.exists()
        assert [p.name for p in (store.root / ".incoming").iterdir()] == [again.name]
    assert list((store.root / ".incoming").iterdir()) == []
