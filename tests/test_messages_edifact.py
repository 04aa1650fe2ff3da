"""The UN/EDIFACT interchange reader (engine.messages.edifact): service string advice, escapes,
envelope checks, decoding, data values, format detection and speed."""

from __future__ import annotations

import gc
import time

import pytest

from engine.messages import (
    DETECTORS,
    PARSERS,
    MessageError,
    PaxlstResult,
    PnrgovResult,
    detect,
    parse,
)
from engine.messages.edifact import (
    Separators,
    birth_year,
    country_alpha3,
    ddmmmyy_date,
    decode,
    edifact_date,
    nearest_year,
    read_interchange,
    split_flight,
    tokenize,
)


def interchange(*body: str, una: str = "UNA:+.? '", unb: str = "UNB+UNOA:4+SENDER:ZZ+RECIPIENT:ZZ+250614:0930+REF1") -> str:
    """A PAXLST interchange around the given message body, with a correct UNT count."""
    segments = ["UNH+M1+PAXLST:D:05B:UN:IATA", *body]
    segments.append(f"UNT+{len(segments) + 1}+M1")
    return una + "\n".join(s + "'" for s in [unb, *segments, "UNZ+1+REF1"])


MINIMAL = ["BGM+745", "TDT+20+KL1234", "NAD+FL+++SMITH:JOHN", "CNT+42:1"]


# -- service string advice and separators


def test_default_separators_and_segment_numbers():
    ic = read_interchange(interchange(*MINIMAL))
    assert ic.separators == Separators()
    tags = [(s.number, s.tag) for s in ic.segments]
    assert tags[:3] == [(2, "UNB"), (3, "UNH"), (4, "BGM")]  # the UNA advice counts as segment 1
    assert ic.sender == "SENDER" and ic.recipient == "RECIPIENT" and ic.reference == "REF1"
    assert ic.prepared == "2025-06-14T09:30" and ic.syntax == "UNOA" and ic.syntax_version == "4"
    assert ic.warnings == []
    nad = ic.messages[0].body[2]
    assert (nad.tag, nad.get(0), nad.get(3, 0), nad.get(3, 1), nad.get(9, 9)) == ("NAD", "FL", "SMITH", "JOHN", "")


def test_without_una_numbers_start_at_one():
    ic = read_interchange(interchange(*MINIMAL, una=""))
    assert ic.segments[0].number == 1 and ic.segments[0].tag == "UNB"


@pytest.mark.parametrize(
    "una, body",
    [
        (
            "UNA:*.? $",
            "UNB*UNOA:4*S*R*250614:0930*REF1$UNH*M1*PAXLST:D:05B:UN:IATA$NAD*FL***O?$BRIEN?*JR:ANN$UNT*3*M1$UNZ*1*REF1$",
        ),
        (
            "UNA^-,! ~",
            "UNB-UNOA^4-S-R-250614^0930-REF1~UNH-M1-PAXLST^D^05B^UN^IATA~NAD-FL---O!~BRIEN!-JR^ANN~UNT-3-M1~UNZ-1-REF1~",
        ),
        (
            "UNA#|.\\*\n",
            "UNB|UNOA#4|S|R|250614#0930|REF1\nUNH|M1|PAXLST#D#05B#UN#IATA\nNAD|FL|||O\\\nBRIEN\\|JR#ANN\nUNT|3|M1\nUNZ|1|REF1\n",
        ),
    ],
    ids=["star-dollar", "dash-tilde", "bar-newline"],
)
def test_non_default_separator_sets(una, body):
    ic = read_interchange(una + body)
    nad = ic.messages[0].body[0]
    assert nad.tag == "NAD" and nad.get(0) == "FL"
    terminator, element = una[8], una[4]
    assert nad.get(3, 0) == f"O{terminator}BRIEN{element}JR" and nad.get(3, 1) == "ANN"
    assert ic.warnings == []


def test_release_character_escapes_every_service_character():
    ic = read_interchange(interchange("FTX+AAI+++IT?'S 50?+50?: A???? B"))
    assert ic.messages[0].body[0].elements == (("AAI",), ("",), ("",), ("IT'S 50+50: A?? B",))


def test_release_before_an_ordinary_character_stays_literal():
    ic = read_interchange(interchange("FTX+AAI+++WHY?X"))
    assert ic.messages[0].body[0].get(3) == "WHY?X"


def test_line_breaks_inside_segments_are_dropped_and_blanks_before_tags_ignored():
    text = interchange(*MINIMAL).replace("NAD+FL+++SMITH", "NAD+FL+++SMI\r\nTH").replace("\nBGM", "\n   BGM")
    ic = read_interchange(text)
    assert [s.tag for s in ic.messages[0].body][:3] == ["BGM", "TDT", "NAD"]
    assert ic.messages[0].body[2].get(3) == "SMITH"


def test_malformed_una_is_read_leniently():
    # Seen in a GTAS sample: the decimal mark left out of the advice.
    ic = read_interchange(interchange(*MINIMAL, una="UNA:+\\*'\n").replace("?", "\\"))
    assert ic.separators.release == "\\" and ic.separators.terminator == "'"
    assert "malformed" in ic.warnings[0]


def test_una_terminator_that_never_occurs():
    ic = read_interchange(interchange(*MINIMAL, una="UNA:+.?*\u2019 "))
    assert len(ic.messages) == 1 and "never occurs" in ic.warnings[0]


def test_typographic_apostrophe_as_terminator_only_where_a_segment_ends():
    text = interchange("BGM+745", "TDT+20+KL1234", "NAD+FL+++O\u2019BRIEN:ANN").replace("BGM+745'", "BGM+745\u2019")
    ic = read_interchange(text)
    body = ic.messages[0].body
    assert [s.tag for s in body] == ["BGM", "TDT", "NAD"] and body[2].get(3) == "O\u2019BRIEN"
    assert any("typographic" in w for w in ic.warnings)


def test_no_una_but_other_separators_in_unb():
    text = "UNB*UNOA:4*S*R*250614:0930*REF1$UNH*M1*PAXLST:D:05B:UN:IATA$BGM*745$UNT*3*M1$UNZ*1*REF1$"
    ic = read_interchange(text)
    assert (ic.separators.element, ic.separators.terminator) == ("*", "$")
    assert ic.messages[0].body[0].get(0) == "745" and "no UNA" in ic.warnings[0]


def test_no_terminator_at_all_reads_one_segment_per_line():
    ic = read_interchange(interchange(*MINIMAL, una="").replace("'", ""))
    assert [s.tag for s in ic.messages[0].body] == ["BGM", "TDT", "NAD", "CNT"]


def test_garbled_tag_is_kept_for_the_message_parser():
    ic = read_interchange(interchange("BGM+745", "N#D+FL+++SMITH"))
    seg = ic.messages[0].body[1]
    assert not seg.tag_ok and seg.tag == "N#D" and seg.where.endswith("(N#D)")


# -- envelope


def test_groups_and_several_messages():
    text = (
        "UNB+UNOA:4+S+R+250614:0930+REF1'"
        "UNG+PAXLST+S+R+250614:0930+G1+UN+D:05B'UNH+A+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+A'"
        "UNH+B+PAXLST:D:05B:UN:IATA+X+01:C'BGM+250'UNT+3+B'UNE+2+G1'"
        "UNG+PAXLST+S+R+250614:0930+G2+UN+D:05B'UNH+C+PAXLST:D:02B:UN:IATA'UNT+2+C'UNE+1+G2'"
        "UNZ+2+REF1'"
    )
    ic = read_interchange(text)
    assert [(m.reference, m.group, m.number) for m in ic.messages] == [("A", "G1", 1), ("B", "G1", 2), ("C", "G2", 3)]
    assert ic.messages[1].transfer == "01:C" and ic.messages[2].identifier == "PAXLST:D:02B:UN:IATA"
    assert [g.message_count for g in ic.groups] == [2, 1] and ic.warnings == []


def test_control_count_mismatches_warn_or_raise_when_strict():
    text = interchange(*MINIMAL).replace("UNT+6+M1", "UNT+9+M1").replace("UNZ+1+REF1", "UNZ+3+OTHER")
    ic = read_interchange(text)
    assert any("UNT counts 9 segments" in w and w.startswith("segment 8 (UNT)") for w in ic.warnings)
    assert any("UNZ counts 3" in w for w in ic.warnings) and any("'OTHER'" in w for w in ic.warnings)
    with pytest.raises(MessageError, match=r"segment 8 \(UNT\): UNT counts 9"):
        read_interchange(text, strict=True)


@pytest.mark.parametrize(
    "text, where, reason",
    [
        (interchange(*MINIMAL).split("UNT")[0], r"segment 7 \(CNT\)", "has no UNT: the data is truncated"),
        (interchange(*MINIMAL).rsplit("UNZ", 1)[0], r"segment 8 \(UNT\)", "no UNZ trailer"),
        (interchange(*MINIMAL).replace("UNH+M1+PAXLST:D:05B:UN:IATA'", ""), r"segment 3 \(BGM\)", "outside a message"),
        (interchange(*MINIMAL).replace("UNT+6+M1'", ""), r"segment 8 \(UNZ\)", "UNZ inside message 'M1'"),
        (interchange(*MINIMAL) + "UNH+M2+PAXLST'", r"segment 10 \(UNH\)", "data after the UNZ"),
        (interchange(*MINIMAL).replace("UNH+M1+PAXLST:D:05B:UN:IATA", "UNH+M1"), r"segment 3 \(UNH\)", "without a message type"),
        ("UNA:+", r"segment 1 \(UNA\)", "truncated service string advice"),
        ("UNB+UNOA:4+S+R+250101:0000+1'UNZ+0+1'", r"segment 2 \(UNZ\)", "no UNH message"),
        ("UNB+UNOA:4+S+R+250101:0000+1'UNE+1+1'UNZ+0+1'", r"segment 2 \(UNE\)", "UNE without UNG"),
    ],
    ids=["no-unt", "no-unz", "no-unh", "unz-in-message", "after-unz", "unh-no-type", "short-una", "no-message", "une-alone"],
)
def test_structural_damage_raises_naming_segment_and_tag(text, where, reason):
    with pytest.raises(MessageError, match=where + ": .*" + reason) as info:
        read_interchange(text)
    assert info.value.where.startswith("segment ")


def test_empty_and_wrong_types():
    for data in (b"", "   \n", b"\xef\xbb\xbf"):
        with pytest.raises(MessageError, match="empty"):
            read_interchange(data)
    with pytest.raises(MessageError, match="bytes or str"):
        read_interchange(12345)  # type: ignore[arg-type]


def test_bare_message_without_envelope_is_accepted_with_a_warning():
    ic = read_interchange("UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+1'")
    assert len(ic.messages) == 1 and "no UNB" in ic.warnings[0]


# -- decoding


def test_bytes_decoded_by_the_unb_syntax_identifier():
    unoc = interchange("BGM+745", "NAD+FL+++MÜLLER:JOSÉ").replace("UNOA", "UNOC").encode("latin-1")
    ic = read_interchange(unoc)
    assert ic.encoding == "latin-1" and ic.messages[0].body[1].get(3) == "MÜLLER" and ic.warnings == []
    unow = interchange("BGM+745", "NAD+FL+++ПЕТРОВ").replace("UNOA", "UNOW").encode("utf-8")
    assert read_interchange(unow).messages[0].body[1].get(3) == "ПЕТРОВ"


def test_bytes_outside_the_declared_set_fall_back_with_a_warning():
    text, codec, warnings = decode(interchange("NAD+FL+++NOVÁK").encode("utf-8"))
    assert codec == "utf-8" and "NOVÁK" in text and "UNOA" in warnings[0]
    text, codec, warnings = decode(interchange("NAD+FL+++NOV").encode("ascii") + b"\x87\xff")
    assert codec == "latin-1" and warnings


def test_decoding_never_raises_unicode_errors():
    for data in (b"\xff\xfe\x00U\x00N", bytes(range(256)), b"UNB+UNOW:4+\xc3('"):
        try:
            read_interchange(data)
        except MessageError:
            pass


# -- data values


def test_century_rule_for_birth_dates():
    assert birth_year(20, 2020) == 2020 and birth_year(21, 2020) == 1921
    assert birth_year(99, 2001) == 1999 and birth_year(0, 2000) == 2000
    assert edifact_date("670603", "", 2020, birth=True) == "1967-06-03"
    assert edifact_date("190101", "", 2020, birth=True) == "2019-01-01"


def test_flight_and_expiry_dates_take_the_nearest_century():
    assert nearest_year(30, 2025) == 2030 and nearest_year(80, 2025) == 1980 and nearest_year(1, 2099) == 2101
    assert edifact_date("2506141015", "201", 2025) == "2025-06-14T10:15"
    assert edifact_date("202506141015", "203", 2025) == "2025-06-14T10:15"
    assert edifact_date("19850307", "102", 2025) == "1985-03-07"
    assert edifact_date(" 670603", "", 2020, birth=True) == "1967-06-03"  # blanks in the value (GTAS)


@pytest.mark.parametrize(
    "value, fmt", [("010229", ""), ("251340", ""), ("12345", ""), ("AB0101", ""), ("850307", "102"), ("2506142500", "201")]
)
def test_bad_dates_raise_value_error(value, fmt):
    with pytest.raises(ValueError):
        edifact_date(value, fmt, 2025, birth=True)


def test_ssr_dates():
    assert ddmmmyy_date("12JUL82", 2025, birth=True) == "1982-07-12"
    assert ddmmmyy_date("1jan2024", 2025) == "2024-01-01"
    with pytest.raises(ValueError):
        ddmmmyy_date("31FEB20", 2025)


def test_country_codes_become_alpha3():
    assert [country_alpha3(c) for c in ("DE", "deu", "D", "KR", "GBD", "XXA", "", "ZZZ")] == [
        "DEU",
        "DEU",
        "DEU",
        "KOR",
        "GBD",
        "XXA",
        "",
        "ZZZ",
    ]


def test_flight_numbers():
    assert split_flight("LA532") == ("LA", "0532")
    assert split_flight("UA0989", "UA") == ("UA", "0989")
    assert split_flight("AAL123") == ("AAL", "0123")
    assert split_flight("9W12A") == ("9W", "0012A")
    assert split_flight("324", "DL") == ("DL", "0324")


# -- detection and the registry


def test_detect_and_parse_by_format():
    paxlst = interchange(*MINIMAL)
    pnrgov = "UNB+IATA:1+XX+YY+250614:0600+1'UNH+1+PNRGOV:13:1:IA'SRC'TIF+SMITH+JOHNMR:A:1'UNT+4+1'UNZ+1+1'"
    assert detect(paxlst) == "paxlst" and detect(pnrgov.encode()) == "pnrgov"
    assert isinstance(parse(paxlst), PaxlstResult) and isinstance(parse(pnrgov, "PNRGOV"), PnrgovResult)
    assert set(PARSERS) >= {"paxlst", "pnrgov"} and DETECTORS
    with pytest.raises(MessageError, match="not supported"):
        detect(paxlst.replace("PAXLST:D:05B", "CUSRES:D:05B"))
    with pytest.raises(MessageError, match="unrecognised"):
        detect("hello world")
    with pytest.raises(MessageError, match="unknown format 'xml'"):
        parse(paxlst, format="xml")
    with pytest.raises(MessageError, match="not a PNRGOV message"):
        parse(paxlst, format="pnrgov")


# -- speed


def _manifest(passengers: int) -> str:
    body = [
        "BGM+745",
        "NAD+MS+++DESK",
        "TDT+20+KL1234+++KL",
        "LOC+125+AMS",
        "DTM+189:2506141015:201",
        "LOC+87+JFK",
        "DTM+232:2506141230:201",
    ]
    for i in range(passengers):
        body += [
            f"NAD+FL+++SURNAME{i}:GIVEN:SECOND+{i} HIGH STREET+LONDON++SW1A+GB", "ATT+2++F", "DTM+329:850307",
            "LOC+178+AMS", "LOC+179+JFK", "NAT+2+NLD", f"RFF+AVF:ABC{i:03d}", f"RFF+SEA:{i % 40}A",
            f"DOC+P:110:111+NP{i:07d}", "DTM+36:300101", "LOC+91+NLD", "FTX+BAG+++KL123456",
        ]  # fmt: skip
    body.append(f"CNT+42:{passengers}")
    return interchange(*body)


def test_tokenizer_is_linear():
    """20x the data takes about 20x the time; a quadratic reader would take 400x. The cyclic garbage
    collector is paused while timing: its full passes grow with the heap, which is not the reader's."""
    small, large = _manifest(200), _manifest(4000)
    gc.collect()
    gc.disable()
    try:
        t_small = min(_timed(small) for _ in range(3))
        t_large = min(_timed(large) for _ in range(2))
    finally:
        gc.enable()
    assert t_large < 20 * 3 * t_small, (t_small, t_large)


def _timed(text: str) -> float:
    start = time.perf_counter()
    result = parse(text)
    elapsed = time.perf_counter() - start
    assert result.warnings == [] and result.travellers[-1].surname.startswith("SURNAME")
    return elapsed


def test_tokenize_with_many_escapes_stays_fast():
    body = "FTX+AAI+++" + "?'" * 50_000
    start = time.perf_counter()
    segments, _ = tokenize(body + "'", Separators())
    assert time.perf_counter() - start < 1.0 and segments[0].get(3) == "'" * 50_000
