"""Names written in Han characters: their Korean and Japanese readings are name forms (native/src/cjk.rs), so
金正恩 finds KIM JONG UN and 山田太郎 YAMADA TARO, from either side of the screen; unrelated names do not."""

from __future__ import annotations

import pytest

import engine
from engine import _native
from engine.names import compare_names


def test_the_plain_form_stays_the_mandarin_one_and_the_readings_follow():
    forms = _native.name_forms("金正恩")
    assert forms[0] == "JIN ZHENG EN"
    assert "KIM JUNG UN" in forms
    forms = _native.name_forms("山田太郎")
    assert forms[0] == "SHAN TIAN TAI LANG"
    assert "YAMADA TARO" in forms
    assert "TANAKA HANAKO" in _native.name_forms("田中 花子")  # a space gives the split into surname and given name
    assert len(forms) == len(set(forms)) <= 2 + 1 + 8  # plain, ICAO, the Korean reading, at most 8 Japanese ones


def test_names_in_other_scripts_get_no_reading():
    assert _native.name_forms("习近平") == ["XI JIN PING"]  # simplified characters: Chinese, Mandarin only
    assert _native.name_forms("Yamada Taro") == ["YAMADA TARO"]
    assert _native.name_forms("华信船务香港有限公司") == [_native.normalize("华信船务香港有限公司")]


@pytest.mark.parametrize(
    "han, latin",
    [("金正恩", "Kim Jong Un"), ("朴智星", "Park Ji Sung"), ("山田太郎", "Yamada Taro"), ("田中花子", "TANAKA Hanako"),
     ("佐藤健一", "Sato Kenichi")],
)
def test_a_han_name_matches_its_listed_spelling(han, latin):
    assert compare_names(han, latin).score >= engine.DEFAULT_THRESHOLD
    assert compare_names(latin, han).score >= engine.DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "han, latin",
    [("鈴木一郎", "Kim Jong Un"), ("朴智星", "Kim Jong Un"), ("山田太郎", "Kim Jong Un"), ("金正恩", "Yamada Taro"),
     ("山田太郎", "Tanaka Hanako")],
)
def test_an_unrelated_han_name_stays_below_the_threshold(han, latin):
    # the negative control of the test above: the readings add forms, not leniency
    assert compare_names(han, latin).score < engine.DEFAULT_THRESHOLD


def test_a_reading_scores_as_its_latin_spelling_would():
    # 金大中 is Kim Dae-jung: as close to Kim Jong Un as the Latin or Hangul spelling, no closer
    near_miss = compare_names("Kim Dae Jung", "Kim Jong Un").score
    assert compare_names("金大中", "Kim Jong Un").score == pytest.approx(near_miss)
    assert compare_names("김대중", "Kim Jong Un").score == pytest.approx(near_miss)


def test_a_listed_han_name_is_found_by_a_latin_query_and_the_reverse():
    records = [
        {"id": "kim", "kind": "person", "names": ["金正恩"]},
        {"id": "yamada", "kind": "person", "names": ["山田太郎"]},
        {"id": "tanaka", "kind": "person", "names": ["Tanaka Hanako"]},
    ]
    screener = engine.Screener(engine.Watchlist.from_records(records, list_id="han"))
    queries = [{"name": "Kim Jong Un"}, {"name": "YAMADA TARO"}, {"name": "田中花子"}, {"name": "Suzuki Ichiro"}]
    hits = screener.screen(queries, threshold=engine.DEFAULT_THRESHOLD)
    assert [h[0].entry_id if h else None for h in hits] == ["kim", "yamada", "tanaka", None]
