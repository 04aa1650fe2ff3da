"""Property tests (hypothesis) for the list loaders and the column mappings of the `mapped` format: damaged
list files (bytes flipped, cut, spliced, lines dropped or repeated) and arbitrary mappings over arbitrary CSV
give records or ListFormatError, never another exception; records that come out are valid engine entries
(what Store.import_file then requires). tests/test_fuzz_atheris.py fuzzes the same loaders coverage-guided.

    INTERDICT_FUZZ_EXAMPLES=1000 python -m pytest tests/test_watchlists_fuzz.py    # a longer run
"""

from __future__ import annotations

import io
import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
import watchlists
from watchlists import ListFormatError
from watchlists.mapped import load_mapping

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = {
    "un-xml": "un_small.xml", "ofac-xml": "ofac_small.xml", "ofac-csv": "ofac_csv_small/sdn.csv",
    "eu-xml": "eu_small.xml", "uk-csv": "uk_small.csv", "canada-xml": "canada_small.xml", "csl-csv": "csl_small.csv",
    "bis-dpl": "dpl_small.txt", "ftm-json": "ftm_small.jsonl", "mapped": "mapped_small.csv", "sltd-csv": "sltd_small.csv",
}
OPTIONS = {"mapped": {"mapping": str(FIXTURES / "mapped_small.toml")}}
EXAMPLES = int(os.environ.get("INTERDICT_FUZZ_EXAMPLES", "60"))  # per test; more for a longer run
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                derandomize=True)


def test_every_format_has_a_seed():
    assert set(SEEDS) == set(watchlists.FORMATS)


def _load(data: bytes, fmt: str | None, **options) -> None:
    """The contract: records (each a valid engine entry) or ListFormatError naming where; nothing else."""
    stream = io.BytesIO(data)
    stream.name = f"fuzz.{fmt}"
    for skip_bad in (False, True):
        problems: list[ListFormatError] = []
        try:
            records = watchlists.load_records(stream, format=fmt, skip_bad=skip_bad, problems=problems,
                                              **(options or OPTIONS.get(fmt or "", {})))
        except ListFormatError as e:
            assert str(e), "a ListFormatError without a message"
            stream.seek(0)
            continue
        assert all(str(p) for p in problems)
        if records and fmt != "sltd-csv":
            engine.Watchlist.from_records(records, list_id="fuzz")
        stream.seek(0)


@st.composite
def damaged(draw, fmt: str) -> bytes:
    data = bytearray((FIXTURES / SEEDS[fmt]).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "splice", "drop-line", "repeat-line", "bytes"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at:]
        elif op == "splice":
            data[at:at] = draw(st.sampled_from([b"\x00", b"\xff\xfe", b'"', b",", b"\n", b"<", b"</", b"&#0;", b"]]>",
                                                b"{", b"\\u0000", b"\r", b"\t", "é".encode(), "\u202e".encode()]))
        elif op in ("drop-line", "repeat-line"):
            lines = bytes(data).split(b"\n")
            i = at % max(len(lines), 1)
            lines[i:i + 1] = [] if op == "drop-line" else [lines[i], lines[i]] if lines else []
            data = bytearray(b"\n".join(lines))
        else:
            data[at:at] = draw(st.binary(max_size=32))
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_damaged_files(fmt):
    @FUZZ
    @given(damaged(fmt))
    def run(data: bytes) -> None:
        _load(data, fmt)

    run()


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_with_format_detection(data):
    _load(data, None)


# --- mappings ----------------------------------------------------------------------------------------------------

KEYS = ["id", "name", "surname", "given_names", "kind", "aliases", "weak_aliases", "birth_date", "nationality", "sex",
        "passport", "national_id", "document_country", "address", "country", "program", "listed_on", "remarks"]
HEADER = ["ref", "type", "full_name", "surname", "given", "aka", "dob", "nat", "gender", "passport_no", "listed"]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
column = st.one_of(st.sampled_from(HEADER), text)
spec = st.one_of(
    column,
    st.fixed_dictionaries({"column": column}, optional={
        "separator": st.one_of(st.sampled_from([";", "|", ""]), text),
        "values": st.dictionaries(text, st.one_of(st.sampled_from(["person", "organization", "vessel", "aircraft"]), text), max_size=3),
    }),
    st.integers(), st.lists(text, max_size=2), st.none(),
)
mappings = st.fixed_dictionaries(
    {"columns": st.dictionaries(st.one_of(st.sampled_from(KEYS), text), spec, max_size=8)},
    optional={
        "list_id": st.one_of(st.just("nl-national"), text), "kind": st.one_of(st.sampled_from(["person", "vessel"]), text),
        "delimiter": st.sampled_from([",", ";", "\t", "\\t", "", ",,", 3]),
        "encoding": st.sampled_from(["utf-8", "latin-1", "utf-16", "no-such-codec", ""]),
        "date_order": st.sampled_from(["DMY", "MDY", "YMD", "XYZ", 1]),
        "unknown": text,
    },
)
cells = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.lists(st.one_of(st.sampled_from(HEADER), text), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 1), max_size=6))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    body = "\n".join(sep.join(f'"{v}"' if draw(st.booleans()) else v for v in row) for row in [header, *rows])
    return body.encode(draw(st.sampled_from(["utf-8", "utf-8", "latin-1", "utf-16"])), "replace")


@FUZZ
@given(mappings, csv_files())
def test_any_mapping_over_any_csv(mapping, data):
    _load(data, "mapped", mapping=mapping)


@FUZZ
@given(mappings, st.sampled_from(["utf-8", "latin-1"]))
def test_any_mapping_over_the_fixture(mapping, encoding):
    mapping = {**mapping, "encoding": encoding}
    _load((FIXTURES / "mapped_small.csv").read_bytes(), "mapped", mapping=mapping)


@FUZZ
@given(st.binary(max_size=512) | st.text(max_size=300).map(str.encode))
def test_any_mapping_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("mapping") / "m.toml"
    path.write_bytes(data)
    try:
        load_mapping(str(path))
    except ListFormatError as e:
        assert "m.toml" in str(e)


def test_the_fixture_mapping_loads():
    """Positive control: the fixture mapping and file give records (so the fuzz starts from a working case)."""
    mapping = tomllib.loads((FIXTURES / "mapped_small.toml").read_text())
    stream = io.BytesIO((FIXTURES / "mapped_small.csv").read_bytes())
    assert watchlists.load_records(stream, format="mapped", mapping=mapping)
