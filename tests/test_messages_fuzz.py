"""Property and fuzz tests for the EDIFACT parsers: damaged input never crashes, hangs or raises
anything but MessageError.

The parsers' last-resort guard (edifact.GUARD), which turns an unexpected exception into a
MessageError, is switched off here so that a bug shows as the exception it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.messages import (
    MessageError,
    detect,
    edifact,
    parse,
    parse_paxlst,
    parse_pnrgov,
)
from engine.messages.edifact import (
    Separators,
    read_interchange,
    tokenize,
    write_interchange,
)

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
PAXLST = (FIXTURES / "paxlst_d05b_two_messages.edi").read_bytes()
PNRGOV = (FIXTURES / "pnrgov_13_1_two_pnrs.edi").read_bytes()
SEEDS = [PAXLST, PNRGOV, PNRGOV.replace(b"\n", b"")]
PARSERS = {PAXLST: parse_paxlst, PNRGOV: parse_pnrgov, SEEDS[2]: parse_pnrgov}
FUZZ = settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@pytest.fixture(autouse=True)
def _no_guard(monkeypatch):
    monkeypatch.setattr(edifact, "GUARD", False)


def _survives(data: bytes | str, *parsers) -> None:
    """The contract: a result or MessageError, nothing else (pytest reports any other exception)."""
    for parser in parsers or (parse_paxlst, parse_pnrgov):
        try:
            result = parser(data)
        except MessageError as e:
            assert e.where and str(e)
            continue
        for t in result.travellers:
            t.to_query()
            t.to_dict()


def _segments(data: bytes) -> list[bytes]:
    head, sep, rest = data.partition(b"\n")  # the UNA line stays first
    return [head + sep] + [s + b"'\n" for s in rest.split(b"'\n") if s.strip()]


@FUZZ
@given(seed=st.sampled_from(SEEDS), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_byte_flips(seed, flips):
    data = bytearray(seed)
    for pos, value in flips:
        data[pos % len(data)] = value
    _survives(bytes(data), PARSERS[seed])


@FUZZ
@given(seed=st.sampled_from(SEEDS), cut=st.integers(0, 10**6))
def test_truncation(seed, cut):
    _survives(seed[: cut % (len(seed) + 1)], PARSERS[seed])


@FUZZ
@given(
    seed=st.sampled_from(SEEDS[:2]),
    ops=st.lists(
        st.tuples(st.sampled_from(["delete", "duplicate", "swap"]), st.integers(0, 10**4), st.integers(0, 10**4)),
        min_size=1,
        max_size=4,
    ),
)
def test_segment_deletion_duplication_and_swaps(seed, ops):
    segs = _segments(seed)
    for op, i, j in ops:
        i, j = i % len(segs), j % len(segs)
        if op == "delete" and len(segs) > 1:
            del segs[i]
        elif op == "duplicate":
            segs.insert(i, segs[i])
        else:
            segs[i], segs[j] = segs[j], segs[i]
    _survives(b"".join(segs), PARSERS[seed])


@FUZZ
@given(
    seed=st.sampled_from(SEEDS),
    old=st.sampled_from(list(b":+?'\n.* ")),
    new=st.integers(0, 127),
    where=st.integers(0, 10**6),
    count=st.integers(1, 1000),
)
def test_separator_swaps(seed, old, new, where, count):
    """Some or all occurrences of one service character replaced by another character."""
    start = where % len(seed)
    tail = seed[start:].replace(bytes([old]), bytes([new]), count)
    _survives(seed[:start] + tail, PARSERS[seed])


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(data):
    _survives(data)


@FUZZ
@given(
    prefix=st.sampled_from(
        ["UNA:+.? '", "UNA", "UNB+UNOA:4+", "UNA:+.? 'UNB+UNOA:4+A+B+250101:0000+1'UNH+1+PAXLST:D:05B:UN:IATA'"]
    ),
    text=st.text(max_size=300),
)
def test_random_text_after_a_header(prefix, text):
    _survives(prefix + text)


def test_the_guard_turns_bugs_into_message_errors(monkeypatch):
    monkeypatch.setattr(edifact, "GUARD", True)

    def broken(*_args, **_kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(edifact, "tokenize", broken)
    with pytest.raises(MessageError, match="internal error KeyError"):
        parse_paxlst(PAXLST)


# -- properties of valid input

_SEPARATOR_SETS = [
    Separators(),
    Separators(component=":", element="*", decimal=".", release="?", repetition=" ", terminator="$"),
    Separators(component="^", element="-", decimal=",", release="!", repetition="*", terminator="~"),
    Separators(component="#", element="|", decimal=".", release="\\", repetition=" ", terminator="\n"),
]


def _rewrite(data: bytes, seps: Separators) -> str:
    """The same interchange written with other service characters."""
    ic = read_interchange(data)
    segs = [[[s.tag], *s.elements] for s in ic.segments]
    return write_interchange(segs, seps, newline="" if seps.terminator == "\n" else "\r\n")


def _digest(result) -> list[tuple]:
    return [
        (
            t.surname,
            t.given_names,
            t.birth_date,
            t.sex,
            t.nationality,
            tuple((d.number, d.type, d.country, d.expires) for d in t.documents),
            t.errors,
        )
        for t in result.travellers
    ]


@pytest.mark.parametrize("seps", _SEPARATOR_SETS, ids=["default", "star-dollar", "dash-tilde", "bar-newline"])
@pytest.mark.parametrize("seed", [PAXLST, PNRGOV], ids=["paxlst", "pnrgov"])
def test_any_separator_set_reads_the_same(seed, seps):
    original = parse(seed)
    rewritten = parse(_rewrite(seed, seps))
    assert _digest(rewritten) == _digest(original)
    assert len(rewritten.travellers) == len(original.travellers) > 0


_component = st.text(alphabet=st.sampled_from(list("AZ09 :+?'*.$-/^~!|#\\")), max_size=8)


@settings(max_examples=200, deadline=1000, derandomize=True)
@given(
    seps=st.sampled_from(_SEPARATOR_SETS[:3]),
    segments=st.lists(
        st.tuples(
            st.sampled_from(["NAD", "FTX", "DOC", "RFF"]),
            st.lists(st.lists(_component, min_size=1, max_size=4), min_size=1, max_size=5),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_escaping_round_trips(seps, segments):
    """write_interchange escapes service characters; tokenize gives back exactly the components."""
    assume(all(seps.terminator not in c for _, els in segments for e in els for c in e) or seps.release)
    rows = [[[tag], *elements] for tag, elements in segments]
    text = write_interchange(rows, seps, una=False, newline="")
    got, _ = tokenize(text, seps)
    # Leading blanks before a tag are dropped, and a trailing release character cannot be written.
    assert [[[s.tag], *map(list, s.elements)] for s in got] == rows


def test_truncation_anywhere_before_the_trailer_is_an_error():
    """Every cut before the UNZ tag loses data and says so: MessageError naming a segment."""
    for seed in (PAXLST, PNRGOV):
        end = seed.rindex(b"UNZ")
        for cut in range(len(b"UNA:+.? '\nUNB"), end, 7):
            with pytest.raises(MessageError, match=r"segment \d+ \(\w+\)|input"):
                parse(seed[:cut])


def test_detect_survives_garbage():
    for data in (b"", b"\x00\xff" * 10, "UNA", "UNB+", b"\xef\xbb\xbfUNH+1+"):
        try:
            detect(data)
        except MessageError:
            pass
