"""The store's "documents" layout: document lists (SLTD) written batch by batch, diffed in Arrow."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from watchlists import ListFormatError
from watchlists.schema import DOCUMENT_LIST_SCHEMA, from_document_row
from watchlists.store import Store, StoreError


def batch(rows: list[tuple]) -> pa.RecordBatch:
    cols = list(zip(*rows)) if rows else [[]] * 6
    arrays = [pa.array(list(c), f.type) for c, f in zip(cols, DOCUMENT_LIST_SCHEMA)]
    return pa.RecordBatch.from_arrays(arrays, schema=DOCUMENT_LIST_SCHEMA)


D = dt.date
V1 = [
    [("X1234567", "passport", "FR", "stolen", D(2024, 1, 5), None), ("AB0001", "national_id", "DE", "lost", D(2023, 3, 1), "AB-0001")],
    [("P9999999", "passport", None, "stolen", D(2022, 7, 9), None)],
]
V2 = [
    [("X1234567", "passport", "FR", "revoked", D(2024, 1, 5), None)],  # status changed
    [("P9999999", "passport", None, "stolen", D(2022, 7, 9), None), ("ZZ1", "visa", "US", "invalidated", D(2025, 1, 1), None)],
]  # AB0001 removed, ZZ1 added


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


def test_batches_become_a_documents_version_with_kind_document_records(store):
    version, created = store.import_document_batches("sltd", (batch(b) for b in V1), source_format="sltd-csv")
    assert created and version.layout == "documents" and version.rows == 3 and version.version == "v000001"
    records = {r["id"]: r for r in store.records("sltd")}
    assert sorted(records) == ["--:passport:P9999999", "DE:national_id:AB0001", "FR:passport:X1234567"]
    de = records["DE:national_id:AB0001"]
    assert de["kind"] == "document" and de["list_id"] == "sltd" and de["listed_on"] == "2023-03-01"
    assert de["documents"] == [
        {"number": "AB0001", "type": "national_id", "country": "DE", "expires": None, "status": "lost",
         "reported_on": "2023-03-01", "number_raw": "AB-0001"}
    ]
    assert store.table("sltd").schema == DOCUMENT_LIST_SCHEMA


def test_same_batches_make_no_version_and_diff_names_what_changed(store):
    store.import_document_batches("sltd", (batch(b) for b in V1))
    again, created = store.import_document_batches("sltd", (batch(b) for b in V1))
    assert not created and again.version == "v000001"
    store.import_document_batches("sltd", (batch(b) for b in V2))
    d = store.diff("sltd")
    assert (d.old, d.new) == ("v000001", "v000002")
    assert d.added == ["US:visa:ZZ1"]
    assert d.removed == ["DE:national_id:AB0001"]
    assert d.changed == {"FR:passport:X1234567": ["status"]}
    first = store.diff("sltd", None, "v000001")
    assert first.added == sorted(from_document_row(r)["id"] for b in V1 for r in batch(b).to_pylist())


def test_a_reader_error_midway_leaves_the_store_as_it_was(store):
    store.import_document_batches("sltd", (batch(b) for b in V1))
    before = sorted(p.name for p in (store.root / "sltd").iterdir())

    def failing():
        yield batch(V2[0])
        raise ListFormatError("bad date '31/02/2024'", "sltd.csv", 7)

    with pytest.raises(ListFormatError, match=r"sltd\.csv:7: bad date"):
        store.import_document_batches("sltd", failing())
    assert sorted(p.name for p in (store.root / "sltd").iterdir()) == before
    assert store.active("sltd").version == "v000001" and len(store.records("sltd")) == 3


def test_document_lists_change_by_import_not_by_hand(store):
    store.import_document_batches("sltd", (batch(b) for b in V1))
    with pytest.raises(StoreError, match="document list"):
        store.delete("sltd", ["FR:passport:X1234567"])
    with pytest.raises(StoreError, match="document list"):
        store.upsert("sltd", [{"id": "x", "names": ["A"]}])


def test_rollback_works_across_document_versions(store):
    store.import_document_batches("sltd", (batch(b) for b in V1))
    store.import_document_batches("sltd", (batch(b) for b in V2))
    assert store.rollback("sltd").version == "v000001"
    assert len(store.records("sltd")) == 3


CHILD = r"""
import sys, datetime as dt
import pyarrow as pa
from watchlists.schema import DOCUMENT_LIST_SCHEMA
from watchlists.store import Store
def batches(n):
    for b in range(n):
        numbers = pa.array([f"N{b:04d}{i:06d}" for i in range(10_000)])
        yield pa.RecordBatch.from_arrays(
            [numbers, pa.array(["passport"] * 10_000), pa.array(["FR"] * 10_000), pa.array(["stolen"] * 10_000),
             pa.array([dt.date(2024, 1, 1)] * 10_000, pa.date32()), pa.nulls(10_000, pa.string())],
            schema=DOCUMENT_LIST_SCHEMA)
Store(sys.argv[1]).import_document_batches("sltd", batches(int(sys.argv[2])))
"""


@pytest.mark.parametrize("failpoint", ["mid-data-write", "before-data-rename", "after-data-rename", "before-catalog-rename"])
def test_killing_a_document_import_leaves_the_previous_version_active(tmp_path, failpoint):
    root = tmp_path / "store"
    store = Store(root)
    store.import_document_batches("sltd", (batch(b) for b in V1))
    env = {**os.environ, "INTERDICT_STORE_FAILPOINT": failpoint}
    child = subprocess.run([sys.executable, "-c", CHILD, str(root), "3"], env=env)
    assert child.returncode == -9  # killed at the failpoint, no clean-up ran
    assert store.active("sltd").version == "v000001" and len(store.records("sltd")) == 3
    env.pop("INTERDICT_STORE_FAILPOINT")
    subprocess.run([sys.executable, "-c", CHILD, str(root), "3"], env=env, check=True)
    assert store.active("sltd").rows == 30_000
    leftovers = [p.name for p in Path(root, "sltd").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


FIXTURES = Path(__file__).parent / "fixtures"


def test_an_sltd_file_is_imported_in_batches_and_reads_back_as_its_records(store):
    import watchlists

    result = store.import_file(FIXTURES / "sltd_small.csv")  # format detected: sltd-csv
    assert result.version.layout == "documents" and result.version.source_format == "sltd-csv"
    expected = watchlists.load_records(FIXTURES / "sltd_small.csv")
    assert result.version.rows == len(expected)
    got = sorted(store.records("sltd"), key=lambda r: r["id"])
    assert [r["id"] for r in got] == sorted(r["id"] for r in expected)
    by_id = {r["id"]: r for r in expected}
    assert all(r["documents"][0]["number"] == by_id[r["id"]]["documents"][0]["number"] for r in got)
    assert not store.import_file(FIXTURES / "sltd_small.csv").created


def test_a_document_list_from_the_store_checks_documents_natively(store):
    import engine

    store.import_document_batches("sltd", (batch(b) for b in V1))
    wl = store.watchlist("sltd")
    assert wl.version == "v000001" and len(wl) == 3
    hits = engine.Screener(wl).check_documents([{"number": "X1234S67", "type": "passport", "country": "FRA"}])
    assert [h.entry_id for h in hits[0]] == ["FR:passport:X1234567"]  # an OCR confusion S/5 away
    assert hits[0][0].score < 1.0
