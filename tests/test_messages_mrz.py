"""engine.messages.mrz: the ICAO Doc 9303 specimens (TD1, TD2, TD3, MRV-A, MRV-B), every check digit
reported on its field, names, centuries, non-ISO country codes, tolerated input, and MessageError as
the only error for any mutation of a zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import mrz as zone_reader
from engine.messages import MessageError
from engine.messages.mrz import MrzResult, parse_mrz
from engine.model import Query

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
TODAY = dt.date(2025, 6, 1)
SPECIMENS = {
    "TD3": "mrz_td3_specimen.txt",
    "TD1": "mrz_td1_specimen.txt",
    "TD2": "mrz_td2_specimen.txt",
    "MRV-A": "mrz_mrva_specimen.txt",
    "MRV-B": "mrz_mrvb_specimen.txt",
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def parse(text: str) -> MrzResult:
    return parse_mrz(text, today=TODAY)


def td3(name="ERIKSSON<<ANNA<MARIA", state="UTO", number="L898902C3", nationality="UTO", birth="740812", sex="F",
        expiry="120415", personal="ZE184226B", code="P<") -> str:
    """A TD3 zone with correct check digits."""
    cd = zone_reader.check_digit
    number, personal = number.ljust(9, "<"), personal.ljust(14, "<")
    line2 = f"{number}{cd(number)}{nationality.ljust(3, '<')}{birth}{cd(birth)}{sex}{expiry}{cd(expiry)}{personal}{cd(personal)}"
    line2 += cd(line2[0:10] + line2[13:20] + line2[21:43])
    return f"{code}{state.ljust(3, '<')}{name}".ljust(44, "<")[:44] + "\n" + line2


# -- the specimens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, number, birth, expiry, nationality, checks",
    [
        ("TD3", "L898902C3", "1974-08-12", "2012-04-15", "UTO", ["number", "birth_date", "expiry", "personal_number", "composite"]),
        ("TD1", "D23145890", "1974-08-12", "2012-04-15", "UTO", ["number", "birth_date", "expiry", "composite"]),
        ("TD2", "D23145890", "1974-08-12", "2012-04-15", "UTO", ["number", "birth_date", "expiry", "composite"]),
        ("MRV-A", "L8988901C", "1940-09-07", "2096-12-10", "XXX", ["number", "birth_date", "expiry"]),
        ("MRV-B", "L8988901C", "1940-09-07", "2096-12-10", "XXX", ["number", "birth_date", "expiry"]),
    ],
)
def test_icao_specimens(fmt, number, birth, expiry, nationality, checks):
    r = parse(fixture(SPECIMENS[fmt]))
    assert (r.format, r.surname, r.given_names, r.number) == (fmt, "ERIKSSON", "ANNA MARIA", number)
    assert (r.birth_date, r.expiry_date, r.sex, r.nationality, r.issuing_state) == (birth, expiry, "F", nationality, "UTO")
    assert list(r.checks) == checks and r.valid and r.errors == [] and r.corrections == []
    assert r.document_type == ("visa" if fmt.startswith("MRV") else "passport" if fmt == "TD3" else "national_id")
    assert any("Utopia" in n for n in r.notes)  # UTO: the specimen state, explained
    if fmt == "TD3":
        assert r.optional_data == "ZE184226B"


def test_specimen_as_traveller_and_query():
    r = parse(fixture(SPECIMENS["TD3"]))
    t = r.to_traveller()
    assert (t.role, t.surname, t.given_names, t.birth_date, t.sex, t.nationality) == ("holder", "ERIKSSON", "ANNA MARIA", "1974-08-12", "F", "UTO")
    doc = t.documents[0]
    assert (doc.number, doc.type, doc.country, doc.expires) == ("L898902C3", "passport", "UTO", "2012-04-15")
    assert doc.mrz == fixture(SPECIMENS["TD3"]).strip() and zone_reader.parse(doc.mrz).valid
    assert t.source == "MRZ TD3" and t.extra["mrz_valid"] is True
    q = Query.from_dict(t.to_query())
    assert q.surname == "ERIKSSON" and q.documents[0].number == "L898902C3"


def test_german_id_card_specimen_d_and_unknown_sex():
    r = parse(fixture("mrz_td1_germany_specimen.txt"))
    assert (r.format, r.document_code, r.document_type, r.number) == ("TD1", "ID", "national_id", "T22000129")
    assert (r.issuing_state, r.issuing_country, r.nationality_code, r.nationality) == ("D", "DEU", "D", "DEU")
    assert (r.surname, r.given_names, r.birth_date, r.sex, r.expiry_date) == ("MUSTERMANN", "ERIKA", "1964-08-12", "X", "2020-10-31")
    assert r.valid and any("D: Germany" in n for n in r.notes)
    Query.from_dict(r.to_traveller().to_query())  # DEU, not D: a code the engine's queries accept


def test_td1_long_document_number_continues_in_the_optional_data():
    r = parse(fixture("mrz_td1_long_number.txt"))
    assert r.number == "D23145890734" and r.valid and r.optional_data == ""
    bad = parse(fixture("mrz_td1_long_number.txt").replace("<7349<", "<7348<"))
    assert bad.invalid_checks == ["number", "composite"]
    assert "line 1 position 19: document number check digit '8'" in bad.errors[0]


def test_engine_mrz_reads_visas_without_composite():
    for fmt in ("MRV-A", "MRV-B"):
        m = zone_reader.parse(fixture(SPECIMENS[fmt]))
        assert (m.format, m.number, m.valid, list(m.checks)) == (fmt, "L8988901C", True, ["number", "birth_date", "expiry"])


# -- every check digit, reported on its field ------------------------------------------------------


def _mutations():
    for fmt, name in SPECIMENS.items():
        zone = zone_reader.read_zone(zone_reader.split_lines(fixture(name)))
        for check, (line, pos) in zone.check_at.items():
            yield pytest.param(name, line, pos, check, id=f"{fmt}-{check}")


@pytest.mark.parametrize("name, line, pos, check", list(_mutations()))
def test_a_wrong_check_digit_is_reported_on_its_field(name, line, pos, check):
    lines = fixture(name).split()
    digit = lines[line][pos]
    wrong = str((int(digit) + 1) % 10) if digit.isdigit() else "1"
    lines[line] = lines[line][:pos] + wrong + lines[line][pos + 1 :]
    r = parse("\n".join(lines))
    composite_covers_it = "composite" in r.checks and check != "composite"
    assert r.invalid_checks == [check] + (["composite"] if composite_covers_it else [])
    assert not r.valid and f"line {line + 1} position {pos + 1}" in r.errors[0]
    assert r.to_traveller().errors == r.errors  # the traveller carries them


@pytest.mark.parametrize(
    "field, old, new, failing",
    [
        ("number", "L898902C3", "L898902C8", ["number", "composite"]),
        ("birth", "7408122", "7508122", ["birth_date", "composite"]),
        ("expiry", "1204159", "1304159", ["expiry", "composite"]),
        ("personal", "ZE184226B", "ZE184226C", ["personal_number", "composite"]),
    ],
)
def test_a_changed_field_fails_its_own_check(field, old, new, failing):
    r = parse(fixture(SPECIMENS["TD3"]).replace(old, new))
    assert r.invalid_checks == failing


def test_the_composite_alone():
    lines = fixture(SPECIMENS["TD2"]).split()
    r = parse(lines[0] + "\n" + lines[1][:-1] + "5")
    assert r.invalid_checks == ["composite"] and "line 2 position 36" in r.errors[0]


# -- names, dates, countries -----------------------------------------------------------------------


def test_names_split_at_double_filler():
    r = parse(td3(name="VAN<DER<BERG<<JAN<PIETER<<<JR"))
    assert (r.surname, r.given_names) == ("VAN DER BERG", "JAN PIETER JR")
    assert parse(td3(name="MADONNA")).given_names == ""
    long = parse(td3(name="WOLFESCHLEGELSTEINHAUSENBERGERDORFF<<HUBERT"))  # 39 characters fill the field
    assert long.given_names == "HU" and any("truncated" in n for n in long.notes)


@pytest.mark.parametrize(
    "birth, expected",
    [("991231", "1999-12-31"), ("250101", "2025-01-01"), ("251231", "2025-12-31"), ("260101", "1926-01-01"), ("000229", "2000-02-29")],
)
def test_birth_century_later_than_this_year_is_19xx(birth, expected):
    assert parse(td3(birth=birth)).birth_date == expected


def test_expiry_century_is_20xx():
    assert parse(td3(expiry="991231")).expiry_date == "2099-12-31"
    assert parse(td3(expiry="300101")).expiry_date == "2030-01-01"


def test_unknown_date_parts_and_impossible_dates():
    assert parse(td3(birth="74<<<<")).birth_date == "1974"
    assert parse(td3(birth="7408<<")).birth_date == "1974-08"
    assert parse(td3(birth="740800")).birth_date == "1974-08"
    bad = parse(td3(birth="740231"))
    assert bad.birth_date == "1974-02" and bad.valid and "not a calendar date" in bad.errors[0]
    worse = parse(td3(birth="741301"))
    assert worse.birth_date == "1974" and "month 13" in worse.errors[0]


@pytest.mark.parametrize("sex, expected", [("M", "M"), ("F", "F"), ("<", "X"), ("X", "X")])
def test_sex(sex, expected):
    assert parse(td3(sex=sex)).sex == expected


@pytest.mark.parametrize(
    "code, normalised, note",
    [
        ("D", "DEU", "Germany"),
        ("GBD", "GBR", "British Overseas Territories citizen"),
        ("GBN", "GBR", "British National (Overseas)"),
        ("GBO", "GBR", "British Overseas citizen"),
        ("GBP", "GBR", "British protected person"),
        ("GBS", "GBR", "British subject"),
        ("RKS", "XKX", "Kosovo"),
        ("UNO", "UNO", "United Nations"),
        ("UNA", "UNA", "specialized agency"),
        ("UNK", "UNK", "UNMIK"),
        ("XXA", "XXA", "stateless"),
        ("XXB", "XXB", "refugee"),
        ("XXC", "XXC", "refugee other"),
        ("XXX", "XXX", "unspecified"),
        ("EUE", "EUE", "European Union"),
        ("XOM", "XOM", "Order of Malta"),
        ("XPO", "XPO", "INTERPOL"),
        ("XCC", "XCC", "CARICOM"),
        ("FRA", "FRA", None),
        ("DE", "DEU", "an ISO alpha-2 code"),
    ],
)
def test_country_codes_that_are_not_iso(code, normalised, note):
    r = parse(td3(state=code, nationality=code))
    assert (r.issuing_state, r.issuing_country, r.nationality_code, r.nationality) == (code, normalised, code, normalised)
    assert r.valid and r.errors == []
    if note:
        assert any(note in n for n in r.notes)
    else:
        assert r.notes == []
    Query.from_dict(r.to_traveller().to_query())  # every normalised code is one a query accepts


def test_unknown_country_code_is_an_error_not_a_guess():
    r = parse(td3(nationality="ZZQ"))
    assert r.nationality == "ZZQ" and any("'ZZQ' is not an ISO 3166 or Doc 9303 code" in e for e in r.errors)
    r = parse(td3(nationality="U7O"))  # 7 has no look-alike letter: not a code a query could carry
    assert r.nationality == "" and any("'U7O' is not an ISO 3166 or Doc 9303 code" in e for e in r.errors)
    Query.from_dict(r.to_traveller().to_query())


# -- tolerated input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        lambda z: "\n\n   " + z.replace("\n", "  \r\n  ") + "\n\n",
        lambda z: z.lower(),
        lambda z: z.replace("\n", " "),
        lambda z: z.replace("\n", ""),
        lambda z: z.encode("ascii"),
    ],
    ids=["whitespace", "lowercase", "one-line-spaced", "one-line", "bytes"],
)
def test_whitespace_case_and_one_line_zones(variant):
    for name in SPECIMENS.values():
        clean = parse(fixture(name))
        r = parse(variant(fixture(name).strip()))
        assert (r.format, r.surname, r.number, r.checks, r.corrections) == (clean.format, clean.surname, clean.number, clean.checks, [])


def test_ocr_look_alikes_only_where_the_field_forbids_them():
    zone = fixture(SPECIMENS["TD3"]).strip()
    r = parse(zone.replace("UTO7408122F", "UT074O8122F").replace("ERIKSSON", "ERIK5SON"))
    assert r.valid and (r.nationality, r.birth_date, r.surname) == ("UTO", "1974-08-12", "ERIKSSON")
    assert r.corrections == [
        "line 1 position 10: '5' read as 'S' (name is alpha)",
        "line 2 position 13: '0' read as 'O' (nationality is alpha)",
        "line 2 position 16: 'O' read as '0' (birth_date is numeric)",
    ]
    assert r.to_traveller().extra["ocr_corrections"] == r.corrections
    assert "7408122" in r.zone and zone_reader.parse(r.zone).valid  # the repaired zone re-parses


def test_check_digits_and_numbers_are_never_repaired():
    zone = fixture(SPECIMENS["TD3"]).strip()
    r = parse(zone.replace("L898902C36UTO", "L898902C3OUTO"))  # an O where the number's check digit 6 is
    assert r.invalid_checks == ["number", "composite"] and r.corrections == []
    assert "document number check digit 'O'" in r.errors[0]
    r = parse(zone.replace("L898902C3", "L898902CB"))  # letters and digits both belong in a number
    assert r.number == "L898902CB" and r.invalid_checks == ["number", "composite"]


def test_digits_without_look_alike_in_a_name_are_errors():
    r = parse(td3(name="ERIK3SON<<ANNA"))
    assert r.surname == "ERIK3SON" and any("digit '3' in name" in e for e in r.errors)


# -- malformed zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, where, reason",
    [
        ("", "mrz", "empty"),
        ("P<UTOERIKSSON\nL898902C3", "mrz", "TD1"),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1?", "line 2 position 44", "'?'"),
        ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\nX", "mrz", "2 x 44"),
    ],
)
def test_malformed_zones_raise_message_error(text, where, reason):
    with pytest.raises(MessageError, match=reason) as e:
        parse(text)
    assert e.value.where == where


def test_non_text_input():
    with pytest.raises(MessageError):
        parse_mrz(None)  # type: ignore[arg-type]


_ZONES = [fixture(name).encode() for name in list(SPECIMENS.values()) + ["mrz_td1_germany_specimen.txt", "mrz_td1_long_number.txt"]]


@st.composite
def mutated_zones(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(_ZONES)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "delete_line", "insert"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            data = data[:i]
        elif op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data.insert(i, draw(st.sampled_from(b"<0OA \n\t")))
        else:
            lines = data.split(b"\n")
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutated_zones())
def test_any_mutation_gives_a_result_or_message_error(data):
    try:
        r = parse(data)
    except MessageError as e:
        assert e.where
        return
    assert set(r.checks) >= {"number", "birth_date", "expiry"}
    assert r.valid == (not r.invalid_checks)
    Query.from_dict(r.to_traveller().to_query() | {"surname": r.surname or "X"})


def test_registered_in_the_message_registry():
    from engine import messages

    for name in SPECIMENS.values():
        data = (FIXTURES / name).read_bytes()
        assert messages.detect(data) == "mrz" and isinstance(messages.parse(data), MrzResult)
    with pytest.raises(MessageError, match="unrecognised"):
        messages.detect(b"P<UTOERIKSSON")  # not a zone's shape
