"""Load time and memory of every list format: the real lists in ../shared/data, a synthetic national
list (1M entries) and a synthetic stolen-document CSV (100M rows).

Each benchmark times the load in this process and measures its peak memory in a child process (peak
RSS after the load minus RSS once the modules are imported: what the load itself needed), kept in the
benchmark's extra_info with the row count. Synthetic sizes are small by default, so CI runs every
path in seconds; INTERDICT_BENCH_LARGE=1 uses the issue's sizes (1M entries, 100M documents: the
SLTD file is ~3 GB, generated once into $INTERDICT_BENCH_DIR or a temporary directory).

    INTERDICT_BENCH_LARGE=1 python -m pytest benchmarks/test_bench_lists.py -q --benchmark-only \\
        --benchmark-json=lists.json && python benchmarks/report.py lists.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import watchlists
from watchlists.store import Store

import synthetic_lists

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LARGE = os.environ.get("INTERDICT_BENCH_LARGE") == "1"

REAL_LISTS = {  # name -> (path under ../shared/data, format, expected rows)
    "un-sc": ("un_sc_consolidated", "un-xml", 1003),
    "ofac-sdn-xml": ("ofac_sdn/sdn_xml_2021-03-10/sdn.xml", "ofac-xml", 8832),
    "ofac-nonsdn-xml": ("ofac_consolidated_nonsdn/consolidated.xml", "ofac-xml", 442),
    "ofac-sdn-csv": ("ofac_sdn/watchman_bench_2021-07", "ofac-csv", 8976),
    "eu-fsf": ("eu_fsf_consolidated/eu_fsf_2021-03-05.xml", "eu-xml", 2269),
    "canada-sema": ("canada_sema/sema.xml", "canada-xml", 4759),
    "bis-dpl": ("us_csl_bis/dpl.txt", "bis-dpl", 663),  # 665 rows, two published twice
    # us_csl_bis/csl.csv is an excerpt cut mid-record: the loader refuses it (truncated), as it must.
}

CHILD = r"""
import json, resource, sys, time
import watchlists
from watchlists.store import Store
kind, path, fmt, extra = sys.argv[1], sys.argv[2], sys.argv[3] or None, json.loads(sys.argv[4])
def rss_mb():
    # VmHWM: this process's own peak. ru_maxrss would start at the parent's size (Linux carries it
    # over fork and exec), hiding the load's memory when the parent (pytest) is the larger.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base = rss_mb(); t = time.perf_counter()
if kind == "load":
    rows = len(watchlists.load_records(path, fmt, **extra))
else:
    rows = Store(extra.pop("store")).import_file(path, fmt, **extra).version.rows
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t, "peak_mb": rss_mb() - base}))
"""


def measure_in_child(kind: str, path: Path, fmt: str | None, **extra) -> dict:
    """Rows, seconds and peak extra memory (MB) of one load, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path), fmt or "", json.dumps(extra)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def real_path(sub: str) -> Path:
    path = DATA / sub
    if path.is_dir() and sub == "un_sc_consolidated":
        path = next(path.glob("*.xml"))
    return path


@pytest.mark.parametrize("name", list(REAL_LISTS))
def test_load_real_list(benchmark, name):
    sub, fmt, expected = REAL_LISTS[name]
    path = real_path(sub)
    if not path.exists():
        pytest.skip(f"{path} absent (../shared/data)")
    if fmt not in watchlists.FORMATS:
        pytest.skip(f"format {fmt} not available")
    benchmark.group = "list-load"
    records = benchmark.pedantic(watchlists.load_records, args=(path, fmt), rounds=1 if benchmark.disabled else 3)
    if expected is not None:
        assert len(records) == expected
    assert all(r["names"] for r in records)
    benchmark.extra_info["rows"] = len(records)
    if not benchmark.disabled:
        benchmark.extra_info["peak_mb"] = measure_in_child("load", path, fmt)["peak_mb"]


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get("INTERDICT_BENCH_DIR")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("synthetic")


def _generated(directory: Path, name: str, write, rows: int) -> Path:
    """A seeded synthetic file, generated once per size (kept in INTERDICT_BENCH_DIR between runs)."""
    path = directory / f"{name}-{rows}.csv"
    done = path.with_suffix(".done")
    if not done.exists():
        write(path, rows, seed=0)
        done.touch()
    return path


def test_load_synthetic_national_list(benchmark, synthetic_dir):
    rows = 1_000_000 if LARGE else (20_000 if not benchmark.disabled else 2_000)
    path = _generated(synthetic_dir, "persons", synthetic_lists.write_person_list_csv, rows)
    mapping = synthetic_dir / "persons.toml"
    synthetic_lists.write_mapping(mapping)
    benchmark.group = "list-load"
    records = benchmark.pedantic(
        watchlists.load_records, args=(path,), kwargs={"mapping": str(mapping)}, rounds=1
    )
    assert len(records) == rows and all(r["names"] for r in records)
    benchmark.extra_info["rows"] = rows
    if not benchmark.disabled:
        benchmark.extra_info["peak_mb"] = measure_in_child("load", path, None, mapping=str(mapping))["peak_mb"]


def test_store_synthetic_national_list(benchmark, synthetic_dir, tmp_path):
    """The national list through the store: imported (read, validated, written as a version), then
    opened as a server starts (records read back and validated, the name index built and cached on the
    first open, memory-mapped on the next). The benchmark's figure is that next open: a restart."""
    import time

    rows = 1_000_000 if LARGE else (20_000 if not benchmark.disabled else 2_000)
    path = _generated(synthetic_dir, "persons", synthetic_lists.write_person_list_csv, rows)
    mapping = synthetic_dir / "persons.toml"
    synthetic_lists.write_mapping(mapping)
    t = time.perf_counter()
    version = Store(tmp_path / "store").import_file(path, "mapped", mapping=str(mapping)).version
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    first = Store(tmp_path / "store").watchlist(version.list_id)
    first.name_index
    first_open_s = time.perf_counter() - t
    del first

    reopen_s: list[float] = []

    def reopen():
        t = time.perf_counter()
        wl = Store(tmp_path / "store").watchlist(version.list_id)
        wl.name_index
        reopen_s.append(time.perf_counter() - t)
        return wl

    benchmark.group = "list-store"
    wl = benchmark.pedantic(reopen, rounds=1)
    assert len(wl) == rows == version.rows and wl.version == version.version
    assert wl.name_index_origin == "file"
    # a hand edit, as the server makes it (server/rpc/state.py): one entry added in the store, and the
    # new version made from the list in memory (engine.Watchlist.updated), its name index built
    store = Store(tmp_path / "store")
    added = [{"id": "ADDED-1", "kind": "person", "names": ["Zebulon Quackenbush"], "birth_dates": ["1966-06-06"]}]
    t = time.perf_counter()
    edited = store.upsert(version.list_id, added)
    upsert_s = time.perf_counter() - t
    t = time.perf_counter()
    made = wl.updated(store.stored_entries(version.list_id, added), (), edited.version)
    made.name_index
    made_s = time.perf_counter() - t
    assert len(made) == rows + 1 == edited.rows and made.get("ADDED-1") is not None
    benchmark.extra_info.update(rows=rows, import_s=import_s, first_open_s=first_open_s, reopen_s=reopen_s[-1],
                                upsert_s=upsert_s, updated_list_s=made_s)
    print(f"\nstore, {rows:,} entries: import {import_s:.1f} s, first open {first_open_s:.1f} s (index built), "
          f"reopen {reopen_s[-1]:.1f} s (index mapped); one entry added: store {upsert_s:.1f} s, "
          f"the list made from the one in memory {made_s:.1f} s (index built)")


def test_import_synthetic_stolen_documents(benchmark, synthetic_dir, tmp_path):
    rows = 100_000_000 if LARGE else (1_000_000 if not benchmark.disabled else 5_000)
    path = _generated(synthetic_dir, "sltd", synthetic_lists.write_sltd_csv, rows)
    benchmark.group = "list-import"
    stores = iter(range(10))

    def run():
        return Store(tmp_path / f"store{next(stores)}").import_file(path, "sltd-csv")

    result = benchmark.pedantic(run, rounds=1)
    assert result.version.layout == "documents" and result.version.rows == rows
    benchmark.extra_info["rows"] = rows
    if not benchmark.disabled:
        store = tmp_path / "store-child"
        benchmark.extra_info["peak_mb"] = measure_in_child("import", path, "sltd-csv", store=str(store))["peak_mb"]
