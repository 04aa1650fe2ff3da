"""The native document index (native/src/documents.rs) against its Python twin, MRZ check digits,
Arrow columns (nulls, slices, chunks) and document-list tables (store's "documents" layout)."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

import engine
from engine import _native, mrz
from engine.documents import DocumentIndex, _arrow_chunks, reference_lookup, relate
from engine.model import Document
from watchlists.schema import DOCUMENT_LIST_SCHEMA, document_record_id
from watchlists.store import Store

ALNUM = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def native_index(rows):
    cols = list(zip(*rows))
    return _native.DocumentIndex.from_columns(*(_arrow_chunks(pa.array(list(c), pa.string())) for c in cols))


def as_relations(matches):
    return sorted(
        (row, engine.documents.Relation.from_native(how, pos, q, l, mask))
        for row, how, pos, q, l, mask, *_ in matches
    )


def mutate(rng: random.Random, n: str) -> str:
    """A query derived from a listed number the way APIs and OCR garble them."""
    op = rng.choice(["same", "ocr", "sub", "ins", "del", "swap", "two", "sep"])
    i = rng.randrange(len(n))
    if op == "ocr":
        table = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "O": "0", "D": "0", "L": "1"}
        return "".join(table.get(c, c) if rng.random() < 0.4 else c for c in n)
    if op == "sub":
        return n[:i] + rng.choice(ALNUM) + n[i + 1 :]
    if op == "ins":
        return n[:i] + rng.choice(ALNUM) + n[i:]
    if op == "del":
        return n[:i] + n[i + 1 :]
    if op == "swap" and i + 1 < len(n):
        return n[:i] + n[i + 1] + n[i] + n[i + 2 :]
    if op == "two":
        j = rng.randrange(len(n))
        return (n[:i] + rng.choice(ALNUM) + n[i + 1 :])[:j] + rng.choice(ALNUM) + n[j + 1 :]
    if op == "sep":
        return n[:i].lower() + "-" + n[i:]
    return n


@pytest.mark.parametrize("seed", [1, 2])
def test_native_index_finds_exactly_what_brute_force_relate_finds(seed):
    rng = random.Random(seed)
    # Short numbers over a few series so that near neighbours abound (the hard case for the index).
    numbers = [rng.choice(["C0", "L8", "X", "AB", ""]) + "".join(rng.choice("0123456789OSB") for _ in range(rng.randint(3, 6)))
               for _ in range(1500)]
    rows = [(n, "passport", "DE") for n in numbers]
    ix = native_index(rows)
    queries = [mutate(rng, rng.choice(numbers)) for _ in range(300)] + ["", "--", "ZZZZZZZZZ"]
    fuzzy, exact = ix.lookup_batch(queries, None, None, True).to_lists(), ix.lookup_batch(queries, None, None, False).to_lists()
    near = 0
    for q, got_fuzzy, got_exact in zip(queries, fuzzy, exact):
        want = sorted(reference_lookup(rows, q, fuzzy=True))
        assert as_relations(got_fuzzy) == want, q
        assert as_relations(got_exact) == [(r, rel) for r, rel in want if rel.how in ("exact", "ocr")], q
        near += any(rel.how not in ("exact", "ocr") for _, rel in want)
    assert near > 50  # the mutations did produce near matches


def test_relate_explains_each_kind_of_near_match():
    assert relate("X1234567", "x12-345 67").how == "exact"
    r = relate("XI23O567", "X1230567")
    assert (r.how, r.confusions) == ("exact", ("O/0", "I/1"))
    r = relate("X12345G7", "X1234567")
    assert (r.how, r.confusions) == ("ocr", ("G/6",))
    r = relate("X1234576", "X1234567")
    assert (r.how, r.pos, r.query_chars, r.listed_chars) == ("transposition", 6, "76", "67")
    r = relate("X1234967", "X1234567")
    assert (r.how, r.pos, r.query_chars, r.listed_chars) == ("substitution", 5, "9", "5")
    assert relate("X12345677", "X1234567").how == "insertion"
    r = relate("X124567", "X1234567")
    assert (r.how, r.pos, r.listed_chars) == ("deletion", 3, "3")
    r = relate("XI234967", "X1234567")
    assert (r.how, r.confusions) == ("substitution", ("I/1",))
    assert relate("X1234599", "X1234567") is None
    assert relate("XAB", "ABY") is None  # share the deletion "AB" but two edits apart


@pytest.fixture(scope="module")
def screener():
    records = [
        {"id": "D1", "kind": "document", "names": [], "documents": [{"number": "L898902C3", "type": "passport", "country": "UTO"}]},
        {"id": "D2", "kind": "document", "names": [], "documents": [{"number": "X9876543", "type": "passport", "country": "FRA"}]},
        {"id": "P1", "kind": "person", "names": ["Anna Eriksson"],
         "documents": [{"number": "D23145890", "type": "national_id", "country": "UTO"}, {"number": "AB0001", "type": "passport", "country": "DE"}]},
    ]
    return engine.Screener(engine.Watchlist.from_records(records, list_id="t"))


def test_scores_bands_and_features_per_kind_of_match(screener):
    exact, ocr, swap, edit, missing, conflict, typ = screener.check_documents(
        [
            {"number": "X9876543", "country": "FR", "type": "passport"},
            {"number": "X987G543", "country": "FRA"},
            {"number": "X9876534", "country": "FRA"},
            {"number": "X9877543", "country": "FRA"},
            {"number": "X9B76543"},
            {"number": "X9876543", "country": "DEU"},
            {"number": "AB0001", "country": "DE", "type": "visa"},
        ],
        threshold=0.5,
    )
    assert exact[0].entry_id == "D2" and exact[0].score == 1.0 and exact[0].band == "match"
    assert exact[0].features == {"number.exact": 1.0}
    assert ocr[0].features == {"number.ocr_confusion": 0.95} and ocr[0].band == "match"
    assert swap[0].features == {"number.transposition": 0.9} and swap[0].band == "review"
    assert "34 read for 43 at position 7" in " ".join(swap[0].explanation)
    assert edit[0].features == {"number.substitution": 0.88}
    assert missing[0].features == {"number.ocr_confusion": 0.95, "country.missing": -0.03}
    assert "B/8" in " ".join(missing[0].explanation)
    assert conflict[0].features["country.conflict"] < 0 and conflict[0].score < 0.85
    assert typ[0].entry_id == "P1" and typ[0].features == {"number.exact": 1.0, "type.conflict": -0.1}
    # the default threshold keeps exact, OCR and one-edit matches, drops country conflicts
    hits = screener.check_documents([{"number": "X9876534", "country": "FR"}, {"number": "X9876543", "country": "DE"}])
    assert [len(h) for h in hits] == [1, 0]


def test_mrz_check_digits_icao_9303_specimens():
    assert mrz.check_digit("L898902C3") == "6"
    assert mrz.check_digit("740812") == "2" and mrz.check_digit("120415") == "9"
    td3 = mrz.parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
    assert (td3.format, td3.number, td3.issuing_state, td3.valid) == ("TD3", "L898902C3", "UTO", True)
    td1 = mrz.parse("I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    assert (td1.format, td1.number, td1.valid) == ("TD1", "D23145890", True)
    td2 = mrz.parse("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6")
    assert (td2.format, td2.number, td2.valid) == ("TD2", "D23145890", True)
    bad = mrz.parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C37UTO7408122F1204159ZE184226B<<<<<10")
    assert not bad.number_valid and bad.invalid_checks == ["number", "composite"]
    with pytest.raises(engine.InputError, match="TD1"):
        mrz.parse("P<UTOERIKSSON\nL898902C3")
    with pytest.raises(engine.InputError, match="line 2"):
        mrz.parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1?")


def test_check_documents_validates_the_mrz(screener):
    line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    good, bad = screener.check_documents(
        [
            {"number": "L898902C3", "mrz": line1 + "\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"},
            {"number": "L898902C8", "mrz": line1 + "\nL898902C86UTO7408122F1204159ZE184226B<<<<<10"},
        ]
    )
    # the MRZ gives the issuing state (UTO): no missing-country penalty
    assert good[0].entry_id == "D1" and good[0].score == 1.0 and "mrz.check_digit_valid" in good[0].features
    assert bad[0].entry_id == "D1" and "mrz.check_digit_invalid" in bad[0].features
    assert bad[0].features["number.substitution"] == 0.88
    with pytest.raises(engine.InputError, match=r"documents\[0\]\.mrz"):
        screener.check_documents([{"number": "X1", "mrz": "not an mrz"}])


def test_arrow_columns_with_nulls_slices_chunks_and_large_strings():
    numbers = pa.chunked_array(
        [pa.array(["AAA111", None, "BBB222"]), pa.array(["zz", "CCC333", "DDD444", "EEE555"]).slice(1)]
    )
    types = pa.chunked_array([pa.array(["passport", None], pa.large_string()), pa.array([None, "visa", "id", "passport"], pa.large_string())])
    countries = pa.array([None, "FR", "DE", "US", None, "GB"]).cast(pa.dictionary(pa.int8(), pa.string()))
    ix = _native.DocumentIndex.from_columns(_arrow_chunks(numbers), _arrow_chunks(types), _arrow_chunks(countries))
    assert len(ix) == 6
    assert [ix.row(i) for i in range(6)] == [
        ("AAA111", "passport", None), ("", None, "FR"), ("BBB222", None, "DE"),
        ("CCC333", "visa", "US"), ("DDD444", "id", None), ("EEE555", "passport", "GB"),
    ]
    res = ix.lookup_batch(["AAA111", "BBB222", "CCC333", "EEE555", "DDD44", "XYZ"], None, ["FR", "DE", "FR", None, None, None], True)
    assert (len(res), res.total, res.nonempty(), res[-1], res[5]) == (6, 5, [0, 1, 2, 3, 4], [], [])
    got = res.to_lists()[:5]
    assert [[(m[0], m[1], m[6]) for m in ms] for ms in got] == [
        [(0, "exact", "listed_missing")], [(2, "exact", "same")], [(3, "exact", "conflict")],
        [(5, "exact", "query_missing")], [(4, "deletion", "listed_missing")],
    ]
    with pytest.raises(ValueError, match="country column has 2 rows"):
        _native.DocumentIndex.from_columns(_arrow_chunks(numbers), None, _arrow_chunks(pa.array(["FR", "DE"])))
    a = pa.array(["AB", "CD"])
    validity, offsets, data = a.buffers()
    with pytest.raises(ValueError, match="offsets buffer"):
        _native.DocumentIndex.from_columns([(3, 0, None, offsets, data, False)])
    with pytest.raises(ValueError, match="types has 1 values"):
        ix.lookup_batch(["A", "B"], ["passport"])


def document_table(rows) -> pa.Table:
    cols = list(zip(*rows))
    return pa.Table.from_arrays([pa.array(list(c), f.type) for c, f in zip(cols, DOCUMENT_LIST_SCHEMA)], schema=DOCUMENT_LIST_SCHEMA)


SLTD = [
    ("X1234567", "passport", "FR", "stolen", dt.date(2024, 1, 5), None),
    ("AB0001", "national_id", "DE", "lost", dt.date(2023, 3, 1), "AB-0001"),
    ("P9999999", "passport", None, "stolen", dt.date(2022, 7, 9), None),
    ("P9999999", None, "GB", "stolen", dt.date(2022, 7, 9), None),
]


def test_watchlist_from_document_table(tmp_path):
    store = Store(tmp_path / "store")
    batches = [document_table(SLTD[:2]).to_batches()[0], document_table(SLTD[2:]).to_batches()[0]]
    store.import_document_batches("sltd", iter(batches))
    table = store.table("sltd")  # memory-mapped, two record batches
    wl = engine.Watchlist.from_document_table(table, "sltd", "v000001")
    assert len(wl) == 4 and wl.version == "v000001" and wl.list_id == "sltd"
    assert wl.document_index.stats()["rows"] == 4
    scr = engine.Screener(wl)
    hits = scr.check_documents(
        [{"number": "x123-4567", "country": "FRA"}, {"number": "P9999999", "country": "GB"}, {"number": "AB0O1", "country": "DE"}, {"number": "Q1"}]
    )
    assert [h.entry_id for h in hits[0]] == [document_record_id("X1234567", "passport", "FR")] == ["FR:passport:X1234567"]
    assert hits[0][0].list_version == "v000001" and hits[0][0].matched_number == "X1234567"
    assert sorted(h.entry_id for h in hits[1]) == ["--:passport:P9999999", "GB:other:P9999999"]
    assert [(h.entry_id, h.band) for h in hits[2]] == [("DE:national_id:AB0001", "review")]  # one deletion + O/0
    assert hits[3] == []
    e = wl.get("DE:national_id:AB0001")
    assert e is not None and e.kind == "document" and e.documents[0].country == "DE"
    assert wl.get("DE:passport:AB0001") is None
    # without a version: a content hash, equal for equal columns
    assert engine.Watchlist.from_document_table(table, "sltd").version == engine.Watchlist.from_document_table(
        document_table(SLTD), "sltd"
    ).version


def test_document_index_over_entries_keeps_row_to_entry_mapping(screener):
    wl = screener.watchlists[0]
    ix = wl.document_index
    assert len(ix) == 4
    (m,) = ix.lookup(Document("D23145890", "", "UTO"))
    assert (m.entry_id, m.entry.id, m.document.type) == ("P1", "P1", "national_id")
