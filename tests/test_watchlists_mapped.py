"""The generic CSV / Parquet loader driven by a mapping file (format "mapped")."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import importlib.util
import io
import tomllib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import engine
import watchlists
from watchlists import FORMATS, ListFormatError, load_records

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "mapped_small.csv"
MAPPING = ROOT / "tests" / "fixtures" / "mapped_small.toml"


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic_lists", ROOT / "benchmarks" / "synthetic_lists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic_lists = _synthetic()


def mapping_dict() -> dict:
    return tomllib.loads(MAPPING.read_text(encoding="utf-8"))


def write(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


EXPECTED = [
    {"id": "NL-001", "kind": "person", "names": ["Pieter Willem Jansen", "Piet Jansen", "P. W. Jansen"],
     "weak_names": ["PJ"], "birth_dates": ["1970-04-03"], "nationalities": ["NL", "BE"], "sex": "M",
     "documents": [{"number": "NW1234567", "type": "passport", "country": "NL", "expires": None}],
     "addresses": ["Kerkstraat 1, Utrecht"], "list_id": "nl-national", "program": "TERR",
     "remarks": "First entry", "listed_on": "2015-06-01"},
    {"id": "NL-002", "kind": "organization", "names": ["Example Trading B.V.", "ETBV"], "weak_names": [],
     "birth_dates": [], "nationalities": ["NL"], "sex": None, "documents": [], "addresses": ["Havenweg 2"],
     "list_id": "nl-national", "program": "PROLIF", "remarks": None, "listed_on": "2018-02-01"},
    {"id": "NL-003", "kind": "person", "names": ["Ali Hassan"], "weak_names": [], "birth_dates": ["1981"],
     "nationalities": ["IQ"], "sex": "F", "documents": [], "addresses": [], "list_id": "nl-national",
     "program": "TERR", "remarks": None, "listed_on": None},
    {"id": "NL-005", "kind": "person", "names": ["Anna Müller"], "weak_names": [], "birth_dates": ["1965-01-31"],
     "nationalities": ["DE"], "sex": "F",
     "documents": [{"number": "C01X00T47", "type": "passport", "country": "DE", "expires": None}],  # ICAO "D"
     "addresses": [], "list_id": "nl-national", "program": "HR", "remarks": "Ümlaut kept", "listed_on": "2020-10-10"},
]


def check(records: list[dict]) -> None:
    assert len(records) == len(EXPECTED)
    for got, want in zip(records, EXPECTED):
        for key, value in want.items():
            assert got[key] == value, (want["id"], key)


def test_small_fixture_with_toml_and_dict_mapping():
    check(load_records(SMALL, mapping=str(MAPPING)))
    check(load_records(SMALL, mapping=MAPPING))
    check(load_records(SMALL, mapping=mapping_dict()))
    check(load_records(io.BytesIO(SMALL.read_bytes()), mapping=mapping_dict()))  # a stream
    wl = watchlists.load(SMALL, mapping=str(MAPPING))
    assert (wl.list_id, len(wl)) == ("nl-national", 4)


def test_mapped_is_chosen_by_the_mapping_only():
    head = SMALL.read_bytes()[:4096]
    assert not FORMATS["mapped"].sniff(head)
    assert FORMATS["mapped"].list_id == "custom"
    with pytest.raises(ListFormatError, match="unknown list format"):
        load_records(SMALL)
    with pytest.raises(ListFormatError, match="needs mapping="):
        load_records(SMALL, "mapped")
    m = mapping_dict()
    del m["list_id"]
    assert {r["list_id"] for r in load_records(SMALL, mapping=m)} == {"custom"}


def test_corrupt_gzip_is_a_list_format_error():
    # Found by tests/fuzz/atheris_watchlists.py: BadGzipFile escaped read_mapped's peek at the magic.
    with pytest.raises(ListFormatError, match="corrupt or truncated gzip data"):
        load_records(io.BytesIO(b"\x1f\x8b" + SMALL.read_bytes()), format="mapped", mapping=MAPPING)
    cut = io.BytesIO(gzip.compress(b"PAR1" + bytes(range(256)) * 64)[:200])  # Parquet magic, then cut off
    with pytest.raises(ListFormatError, match="corrupt or truncated gzip data"):
        load_records(cut, format="mapped", mapping=MAPPING)


def test_parquet(tmp_path):
    with open(SMALL, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    table = pa.table({k: [r[k] for r in rows] for k in rows[0]})
    # Typed columns are read as text: a date32 listing date, a null remark.
    listed = [dt.date.fromisoformat(r["listed"]) if "-" in r["listed"] else None for r in rows]
    listed[1] = dt.date(2018, 2, 1)
    table = table.set_column(table.schema.get_field_index("listed"), "listed", pa.array(listed, pa.date32()))
    path = tmp_path / "nat.parquet"
    pq.write_table(table, path)
    check(load_records(path, mapping=MAPPING))
    check(load_records(io.BytesIO(path.read_bytes()), mapping=MAPPING))
    named_wrong = tmp_path / "nat.csv"  # recognised by its magic, not its name
    named_wrong.write_bytes(path.read_bytes())
    check(load_records(named_wrong, mapping=MAPPING))

    table = table.set_column(table.schema.get_field_index("given"), "given", pa.array(["", "", "", ""]))
    table = table.set_column(table.schema.get_field_index("surname"), "surname", pa.array(["", "", "", ""]))
    pq.write_table(table, path)
    problems: list[ListFormatError] = []
    records = load_records(path, mapping=MAPPING, skip_bad=True, problems=problems)
    assert [r["id"] for r in records] == ["NL-001", "NL-002", "NL-003"]
    assert records[0]["names"] == ["Piet Jansen", "P. W. Jansen"]  # its aliases still name NL-001
    assert [(p.line, p.element, p.reason) for p in problems] == [(None, "row 4", "id 'NL-005': no name")]
    pq.write_table(table.drop(["nat"]), path)
    with pytest.raises(ListFormatError, match=r"columns\.nationality names column 'nat', which the Parquet schema"):
        load_records(path, mapping=MAPPING)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.update(delimiter_x=";"), r"unknown key 'delimiter_x'"),
        (lambda m: m["columns"].update(alias="aka"), r"unknown key 'columns\.alias'"),
        (lambda m: m["columns"]["aliases"].update(sep=";"), r"unknown key 'columns\.aliases\.sep'"),
        (lambda m: [m["columns"].pop(k) for k in ("name", "surname", "given_names")], r"no name column"),
        (lambda m: m.update(kind="human"), r"kind 'human' is not one of"),
        (lambda m: m.update(date_order="DYM"), r"date_order 'DYM'"),
        (lambda m: m["columns"]["kind"]["values"].update(x="boat"), r"'boat' is not one of"),
        (lambda m: m["columns"].update(sex=3), r"'columns\.sex' must be a column name"),
        (lambda m: m.pop("columns"), r"a \[columns\] table is required"),
    ],
)
def test_mapping_is_validated(tmp_path, edit, message):
    m = mapping_dict()
    edit(m)
    with pytest.raises(ListFormatError, match=message) as info:
        load_records(SMALL, mapping=m)
    assert info.value.path == "<mapping>"
    bad_toml = write(tmp_path, 'kind = "person"\n[columns]\nname = "full_name"\nnamez = "x"\n', "bad.toml")
    with pytest.raises(ListFormatError, match=r"unknown key 'columns\.namez'") as info:
        load_records(SMALL, mapping=bad_toml)
    assert info.value.path == str(bad_toml)
    with pytest.raises(ListFormatError, match="not valid TOML"):
        load_records(SMALL, mapping=write(tmp_path, "columns = [\n", "broken.toml"))


def test_mapped_column_missing_from_header_names_mapping_key_and_column(tmp_path):
    text = SMALL.read_text(encoding="utf-8").replace(",gender,", ",sex_code,", 1)
    bad = write(tmp_path, text)
    with pytest.raises(ListFormatError) as info:
        load_records(bad, mapping=MAPPING, skip_bad=True)
    e = info.value
    assert (e.path, e.line) == (str(bad), 1)
    assert f"mapping {MAPPING}: columns.sex names column 'gender', which the header does not have" in str(e)
    # Header names match ignoring case and surrounding whitespace.
    check(load_records(write(tmp_path, SMALL.read_text(encoding="utf-8").replace(",gender,", ", GENDER ,", 1)),
                       mapping=MAPPING))


def test_bad_rows_name_their_line(tmp_path):
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "NL-009,Individual,,,,,,,DE,M,,,,TERR,,")  # no name: line 3
    lines[4] = lines[4].replace(",1981,", ",31/02/19x1,")  # NL-003 on line 5
    lines.append("NL-001,Individual,Someone Else,,,,,,,,,,,,,")  # duplicate id: line 7
    lines.append("NL-010,Vessel,MV Example,,,,,,,,,,,,,")  # a kind the value map lacks: line 8
    bad = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ListFormatError, match=r":3: id 'NL-009': no name"):
        load_records(bad, mapping=MAPPING)
    problems: list[ListFormatError] = []
    records = load_records(bad, mapping=MAPPING, skip_bad=True, problems=problems)
    assert [r["id"] for r in records] == ["NL-001", "NL-002", "NL-005"]
    assert [(p.line, p.reason) for p in problems] == [
        (3, "id 'NL-009': no name"),
        (5, "birth date '31/02/19x1' is not a date"),
        (7, "duplicate id 'NL-001' (first on line 2)"),
        (8, "unknown kind 'Vessel' in column 'type'"),
    ]


def test_csv_errors_from_the_row_reader(tmp_path):
    data = SMALL.read_bytes().replace("Müller".encode(), b"M\xfcller")  # Latin-1 in a UTF-8 file
    bad = tmp_path / "latin.csv"
    bad.write_bytes(data)
    with pytest.raises(ListFormatError, match=r":5: undecodable bytes"):
        load_records(bad, mapping=MAPPING)
    m = mapping_dict()
    m["encoding"] = "latin-1"
    latin = tmp_path / "all-latin.csv"
    latin.write_bytes(SMALL.read_text(encoding="utf-8").encode("latin-1"))
    assert load_records(latin, mapping=m)[-1]["names"] == ["Anna Müller"]
    cut = write(tmp_path, SMALL.read_text(encoding="utf-8").rstrip("\n")[:-40])
    with pytest.raises(ListFormatError, match="truncated file"):
        load_records(cut, mapping=MAPPING, skip_bad=True)


def test_content_ids_without_an_id_column(tmp_path):
    m = mapping_dict()
    del m["columns"]["id"]
    records = load_records(SMALL, mapping=m)
    ids = [r["id"] for r in records]
    assert all(i.startswith("nl-national-") and len(i) == len("nl-national-") + 16 for i in ids)
    assert len(set(ids)) == 4
    # Stable: reordered rows and another ref keep the ids; a changed name changes one.
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    moved = write(tmp_path, "\n".join([lines[0], *reversed(lines[1:])]).replace("NL-003", "X-9") + "\n")
    assert sorted(r["id"] for r in load_records(moved, mapping=m)) == sorted(ids)
    renamed = write(tmp_path, SMALL.read_text(encoding="utf-8").replace("Ali Hassan", "Ali Hasan"))
    assert len(set(ids) - {r["id"] for r in load_records(renamed, mapping=m)}) == 1
    twice = write(tmp_path, SMALL.read_text(encoding="utf-8") + lines[3].replace("NL-003", "NL-033") + "\n")
    with pytest.raises(ListFormatError, match=r":6: duplicate entry: the same content as line 4"):
        load_records(twice, mapping=m)


def test_generated_person_list_loads(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    synthetic_lists.write_person_list_csv(a, 400, seed=3)
    synthetic_lists.write_person_list_csv(b, 400, seed=3)
    assert a.read_bytes() == b.read_bytes()
    synthetic_lists.write_person_list_csv(b, 400, seed=4)
    assert a.read_bytes() != b.read_bytes()
    mapping = tmp_path / "persons.toml"
    synthetic_lists.write_mapping(mapping)
    records = load_records(a, mapping=mapping)
    assert len(records) == 400 and all(r["names"] for r in records)
    assert {r["kind"] for r in records} == {"person", "organization"}
    assert sum(bool(r["documents"]) for r in records) > 100
    assert all(r["nationalities"] for r in records)
    assert any(len(r["birth_dates"][0]) == 4 for r in records if r["birth_dates"])
    assert len(watchlists.load(a, mapping=mapping)) == 400


def test_a_name_beyond_the_engines_bounds_is_refused_or_left_out_alone(tmp_path):
    """A list's names are bounded as a query's are (1,024 characters, 64 words): the file is refused
    naming the record, or with skip_bad only that name is left out (the entity keeps its other names)."""
    long = "ab " * 70
    src = write(tmp_path, f"id,name,alias\nA1,John Smith,{long}\nA2,{long},\nA3,Jane Doe,\n", "long.csv")
    mapping = {"columns": {"id": "id", "name": "name", "aliases": {"column": "alias", "separator": "|"}}}
    with pytest.raises(ListFormatError, match=r"record 'A1': names\[1\]: 70 words; at most 64"):
        load_records(src, mapping=mapping)
    problems: list[ListFormatError] = []
    kept = load_records(src, mapping=mapping, skip_bad=True, problems=problems)
    assert [(r["id"], r["names"]) for r in kept] == [("A1", ["John Smith"]), ("A3", ["Jane Doe"])]
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        "record 'A1': names[1]: 70 words; at most 64 in a name", "record 'A2': names[0]: 70 words; at most 64 in a name"]
    with pytest.raises(engine.InputError, match=r"records\[0\]\.weak_names\[0\]: 3000 characters"):
        engine.Watchlist.from_records([{"id": "X", "names": ["ok"], "weak_names": ["y" * 3000]}])
