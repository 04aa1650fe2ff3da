"""The stolen/lost travel-document list loader (sltd-csv) and its synthetic generator."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import io
from pathlib import Path

import pyarrow as pa
import pytest

import watchlists
from watchlists import FORMATS, ListFormatError, load_records, schema, sltd
from watchlists.sltd import iter_sltd_batches, read_sltd_csv, sniff

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "sltd_small.csv"
HEADER = "number,type,issuing country,status,reported date\n"


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic_lists", ROOT / "benchmarks" / "synthetic_lists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic_lists = _synthetic()


def write(tmp_path: Path, text: str | bytes, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def batch_records(source, **kw) -> list[dict]:
    return [schema.from_document_row(row, "sltd") for b in iter_sltd_batches(source, **kw) for row in b.to_pylist()]


def doc(number, type, country, status, reported, **more):
    d = {"number": number, "type": type, "country": country, "expires": None, "status": status, "reported_on": reported}
    d.update(more)
    return d


EXPECTED_DOCS = [
    doc("C01X00T47", "passport", "DE", "stolen", "2019-03-14"),  # DEU -> DE
    doc("751234567", "passport", "RU", "lost", "2020-11-02", number_raw="75 1234567"),  # DD/MM/YYYY
    doc("AB123456", "national_id", "FR", "revoked", "2021-12-31", number_raw="ab-123456"),
    # (a blank line is passed over)
    doc("X9876543", "visa", "NA", None, None),  # a country name; empty status and date are null
    doc("L12345678", "travel_document", "GB", "stolen", "2000-01-01"),  # "Stolen blank"
    doc("P0000001", "other", None, "invalidated", "2024-02-29"),  # unknown issuer: null, id says "--"
]


def test_small_fixture_records():
    records = load_records(SMALL)
    assert [r["documents"] for r in records] == [[d] for d in EXPECTED_DOCS]
    assert [r["id"] for r in records] == [
        "DE:passport:C01X00T47", "RU:passport:751234567", "FR:national_id:AB123456", "NA:visa:X9876543",
        "GB:travel_document:L12345678", "--:other:P0000001",
    ]
    assert {r["kind"] for r in records} == {"document"} and {r["list_id"] for r in records} == {"sltd"}
    assert records[0]["listed_on"] == "2019-03-14" and records[3]["listed_on"] is None


def test_batches_have_the_schema_and_equal_the_records():
    batches = list(iter_sltd_batches(SMALL))
    assert all(b.schema == schema.DOCUMENT_LIST_SCHEMA for b in batches)
    table = pa.Table.from_batches(batches)
    assert table.column("reported_on").to_pylist()[:2] == [dt.date(2019, 3, 14), dt.date(2020, 11, 2)]
    assert table.column("number_raw").to_pylist()[:3] == [None, "75 1234567", "ab-123456"]
    with open(SMALL, "rb") as f:
        assert batch_records(SMALL) == read_sltd_csv(f, str(SMALL))


def test_batches_of_a_generated_file_across_many_blocks(tmp_path):
    path = tmp_path / "gen.csv"
    synthetic_lists.write_sltd_csv(path, 3000, seed=7)
    small = list(iter_sltd_batches(path, batch_rows=16))  # 16 rows per batch, ~1.6k rows per CSV block
    assert len(small) > 150 and all(b.num_rows <= 16 for b in small)
    whole = list(iter_sltd_batches(path))
    assert pa.Table.from_batches(small).equals(pa.Table.from_batches(whole))
    records = load_records(path)
    assert len(records) == 3000 == sum(b.num_rows for b in whole)
    assert batch_records(path, batch_rows=16) == records
    table = pa.Table.from_batches(whole)
    assert set(table.column("type").to_pylist()) == {"passport", "national_id", "visa", "travel_document", "other"}
    assert set(table.column("status").to_pylist()) == {"stolen", "lost", "revoked", "invalidated"}
    assert table.column("number_raw").null_count < 3000  # "75 1234567" style numbers are kept as written
    assert all(n.isalnum() and n.isupper() or n.isdigit() for n in table.column("number").to_pylist())


def test_detection_gzip_and_stream():
    head = SMALL.read_bytes()[:4096]
    assert sniff(head)
    assert [name for name, fmt in FORMATS.items() if fmt.sniff(head)] == ["sltd-csv"]
    assert not sniff(b"id,name,kind,birth_date,nationality\n1,Jane,person,,\n")
    assert not sniff(b"_id,source,entity_number,type,programs,name,title,addresses\n")
    assert not sniff(b"number,type,country,name\n")  # a person list with a passport column
    expected = load_records(SMALL)
    assert load_records(io.BytesIO(gzip.compress(SMALL.read_bytes()))) == expected
    assert batch_records(io.BytesIO(gzip.compress(SMALL.read_bytes()))) == expected
    wl = watchlists.load(SMALL)
    assert (wl.list_id, len(wl)) == ("sltd", 6)


def test_missing_or_doubled_column_names_it(tmp_path):
    bad = write(tmp_path, "number,type,status\nX1,P,lost\n")
    with pytest.raises(ListFormatError, match=r"missing column 'issuing country'") as info:
        load_records(bad, "sltd-csv", skip_bad=True)
    assert (info.value.path, info.value.line) == (str(bad), 1)
    bad = write(tmp_path, "number,type,country,issuing_country\nX1,P,FR,FR\n")
    with pytest.raises(ListFormatError, match=r":1: two columns for 'issuing country'"):
        list(iter_sltd_batches(bad))
    with pytest.raises(ListFormatError, match="empty file"):
        list(iter_sltd_batches(write(tmp_path, "")))
    assert list(iter_sltd_batches(write(tmp_path, HEADER))) == []  # a header, no rows


def test_bad_date_names_its_line(tmp_path):
    text = HEADER + "A1,P,FR,lost,2020-01-01\n\n   \nA2,P,FR,lost,2020-02-30\nA3,P,FR,lost,31/12/2020\n"
    bad = write(tmp_path, text)
    with pytest.raises(ListFormatError) as info:
        list(iter_sltd_batches(bad))
    assert str(info.value) == f"{bad}:5: not a date (YYYY-MM-DD or DD/MM/YYYY): '2020-02-30'"
    problems: list[ListFormatError] = []
    records = load_records(bad, skip_bad=True, problems=problems)
    assert [r["documents"][0]["number"] for r in records] == ["A1", "A3"]
    assert [(p.line, p.reason) for p in problems] == [(5, "not a date (YYYY-MM-DD or DD/MM/YYYY): '2020-02-30'")]


@pytest.mark.parametrize("number", ["", "   ", " - / "])
def test_blank_number_is_a_bad_row(tmp_path, number):
    bad = write(tmp_path, HEADER + f"A1,P,FR,lost,2020-01-01\n{number},P,FR,lost,2020-01-01\n,,,,\n")
    with pytest.raises(ListFormatError, match=r":3: no document number"):
        list(iter_sltd_batches(bad))
    problems: list[ListFormatError] = []
    assert len(list(iter_sltd_batches(bad, skip_bad=True, problems=problems))[0]) == 1
    assert [p.line for p in problems] == [3]  # ",,,," (line 4) is a blank line, not a bad row


def test_unknown_country_and_wrong_field_count(tmp_path):
    bad = write(tmp_path, HEADER + "A1,P,XXA,lost,\nA2,P\nA3,P,FR,lost,,extra\nA4,P,USA,stolen,\n")
    problems: list[ListFormatError] = []
    rows = [r for b in iter_sltd_batches(bad, skip_bad=True, problems=problems) for r in b.to_pylist()]
    assert [r["number"] for r in rows] == ["A4"]
    assert [(p.line, p.reason) for p in problems] == [
        (2, "unknown issuing country 'XXA'"),
        (3, "2 fields where the header has 5"),
        (4, "6 fields where the header has 5"),
    ]


@pytest.mark.parametrize("last", ["A2,P,F", 'A2,P,FR,"lost', "A2"])
def test_truncated_last_line_is_fatal(tmp_path, last):
    text = HEADER + "A1,P,FR,lost,2020-01-01\n" + last
    cut = write(tmp_path, text if last != "A2,P,F" else HEADER + "A1,P,FR,lost,2020-01-01\nA2,P,F")
    with pytest.raises(ListFormatError, match=r"truncated file") as info:
        list(iter_sltd_batches(cut, skip_bad=True))
    assert info.value.line == 3
    with pytest.raises(ListFormatError, match=r"truncated file"):
        load_records(cut, skip_bad=True)
    # The same last line with a line break is an ordinary bad row; a complete last row without one is fine.
    if last != 'A2,P,FR,"lost':
        problems: list[ListFormatError] = []
        list(iter_sltd_batches(write(tmp_path, text + "\n"), skip_bad=True, problems=problems))
        assert [p.line for p in problems] == [3]
    assert len(load_records(write(tmp_path, HEADER + "A1,P,FR,lost,2020-01-01"))) == 1


def test_truncated_gzip(tmp_path):
    data = HEADER.encode() + b"".join(b"A%d,P,FR,lost,2020-01-01\n" % i for i in range(5000))
    gz = write(tmp_path, gzip.compress(data)[:-40], "cut.csv.gz")
    with pytest.raises(ListFormatError, match="corrupt or truncated gzip"):
        list(iter_sltd_batches(gz))


def test_undecodable_bytes_name_their_line(tmp_path):
    bad = write(tmp_path, HEADER.encode() + b"A1,P,FR,lost,\nA2,P,FR,l\xffst,\nA3,P,FR,lost,\n")
    with pytest.raises(ListFormatError, match=r":3: undecodable bytes: byte 0xff in the status column"):
        list(iter_sltd_batches(bad))
    problems: list[ListFormatError] = []
    assert [r["documents"][0]["number"] for r in load_records(bad, skip_bad=True, problems=problems)] == ["A1", "A3"]
    assert [p.line for p in problems] == [3]


def test_a_short_row_with_undecodable_bytes_is_one_bad_row_not_a_failed_file(tmp_path):
    # pyarrow decodes a row with the wrong number of fields before the invalid-row handler sees it;
    # it used to fail the whole file on such a row, even with skip_bad
    rows = b"A1,P,FR,lost,\nA\xff\xfe2,P\nA3,P,FR,lost,\nA4,P,FR,l\xffst,\nA5,P,FR,lost,\r\n"
    for body in (rows, rows[:-2]):  # also when the file ends with no line break
        bad = write(tmp_path, HEADER.encode() + body)
        with pytest.raises(ListFormatError, match=r":3: 2 fields where the header has 5"):
            list(iter_sltd_batches(bad))
        problems: list[ListFormatError] = []
        kept = load_records(bad, skip_bad=True, problems=problems)
        assert [r["documents"][0]["number"] for r in kept] == ["A1", "A3", "A5"]
        assert [(p.line, "fields" in str(p), "status column" in str(p)) for p in problems] == [
            (3, True, False), (5, False, True)]


def test_line_break_in_a_value_is_fatal(tmp_path):
    bad = write(tmp_path, HEADER + 'A1,P,FR,lost,\n"A\n2",P,FR,lost,\nA3,P,FR,lost,\n')
    with pytest.raises(ListFormatError, match=r":3: a value holds a line break"):
        list(iter_sltd_batches(bad, skip_bad=True))
    bad = write(tmp_path, "number,type,country,note\nA1,P,FR,\"two\nlines\"\n")
    with pytest.raises(ListFormatError, match="line break"):
        list(iter_sltd_batches(bad, skip_bad=True))


def test_line_numbers_after_blank_and_bad_lines_across_blocks(tmp_path):
    lines = [HEADER.strip()]
    for i in range(400):
        lines.append(f"N{i:05d},P,FR,lost,2020-01-01")
        if i % 7 == 0:
            lines.append("")
        if i % 11 == 0:
            lines.append("  ")
        if i % 13 == 0:
            lines.append(f"S{i},P")
    lines[-1] = "Z9,P,FR,lost,2020-99-01"
    path = write(tmp_path, "\n".join(lines) + "\n")
    problems: list[ListFormatError] = []
    list(iter_sltd_batches(path, skip_bad=True, problems=problems, batch_rows=8))
    want = [n for n, text in enumerate(lines, 1) if text.startswith(("S", "Z"))]
    assert [p.line for p in problems] == want
    assert all(lines[p.line - 1].startswith("Z" if p.line == len(lines) else "S") for p in problems)


def test_skip_bad_keeps_a_bounded_number_of_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(sltd, "MAX_PROBLEMS", 3)
    bad = write(tmp_path, HEADER + "".join(f"B{i},P,FR,lost,yesterday\n" for i in range(10)) + "OK1,P,FR,lost,\n")
    problems: list[ListFormatError] = []
    rows = [r for b in iter_sltd_batches(bad, skip_bad=True, problems=problems) for r in b.to_pylist()]
    assert [r["number"] for r in rows] == ["OK1"]
    assert [p.line for p in problems[:3]] == [2, 3, 4]
    assert problems[3].reason == "7 more bad rows skipped and not listed (only the first 3 are)"
    assert problems[3].skipped == 7 and len(problems) == 4


def test_duplicate_key_is_a_bad_record_for_records_only(tmp_path):
    path = write(tmp_path, HEADER + "A1,P,FR,lost,\nA-1,passport,FRA,stolen,\nA1,ID,FR,lost,\n")
    with pytest.raises(ListFormatError, match=r":3: document FR:passport:A1: duplicate \(first on line 2\)"):
        load_records(path)
    assert [r["id"] for r in load_records(path, skip_bad=True)] == ["FR:passport:A1", "FR:national_id:A1"]
    assert sum(b.num_rows for b in iter_sltd_batches(path)) == 3


def test_vocabularies():
    t = sltd.sltd_document_type
    assert [t(v) for v in ("P", "Diplomatic passport", "ID", "Identity card", "V", "Laissez-passer", "Residence permit", "")] == [
        "passport", "passport", "national_id", "national_id", "visa", "travel_document", "other", None]
    s = sltd.document_status
    assert [s(v) for v in ("STOLEN", "stolen blank", "Lost", "cancelled", "Invalid", "seized", " ")] == [
        "stolen", "stolen", "lost", "revoked", "invalidated", "other", None]


def test_generator_is_deterministic(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    synthetic_lists.write_sltd_csv(a, 500, seed=1)
    synthetic_lists.write_sltd_csv(b, 500, seed=1)
    synthetic_lists.write_sltd_csv(c, 500, seed=2)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    assert a.read_bytes().count(b"\n") == 501
    assert sniff(a.read_bytes()[:4096])
