"""Text normalisation of the native core: normalize, icao_fold, tokenize, name_forms.

normalize: NFKC, case fold, transliteration of every script to Latin, diacritics dropped, apostrophes
joined, other punctuation and whitespace collapsed to single spaces: A-Z, 0-9 and single spaces.
icao_fold: the ICAO Doc 9303 (Part 3, section 6) passport spelling, normalize for the rest.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import _native as nat

CANONICAL = re.compile(r"(?:[A-Z0-9]+(?: [A-Z0-9]+)*)?\Z")  # A-Z / 0-9 words, single spaces, no edges

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# --- normalize ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, want",
    [
        ("José María", "JOSE MARIA"),
        ("Müller", "MULLER"),
        ("François Hollande", "FRANCOIS HOLLANDE"),
        ("Łukasz Dvořák", "LUKASZ DVORAK"),
        ("Çelik Şahin Ğ", "CELIK SAHIN G"),
        ("Ñúñez", "NUNEZ"),
        ("Ærø Œuvre", "AERO OEUVRE"),
        ("Straße", "STRASSE"),
        ("ĐORĐE Þór", "DORDE THOR"),
        ("İstanbul ı", "ISTANBUL I"),
    ],
)
def test_diacritics_are_dropped(raw, want):
    assert nat.normalize(raw) == want


@pytest.mark.parametrize(
    "raw, want",
    [
        ("ＪＯＨＮ　ＳＭＩＴＨ", "JOHN SMITH"),  # full-width letters and ideographic space
        ("ｊｏｓé", "JOSE"),
        ("１２３", "123"),  # full-width digits
        ("ﬁnn ﬂoyd", "FINN FLOYD"),  # fi, fl ligatures
        ("ǄURO ǆ", "DZURO DZ"),  # DŽ digraph (NFKC: D + Ž)
        ("Ⅷ", "VIII"),  # roman numeral
        ("①", "1"),
        ("x²", "X2"),
        ("ｱﾘ", "ARI"),  # half-width katakana, folded to full-width and romanised as a word
    ],
)
def test_nfkc_compatibility_forms(raw, want):
    assert nat.normalize(raw) == want


@pytest.mark.parametrize(
    "composed",
    ["José", "Müller", "Ñúñez", "Ångström", "Dvořák", "Phạm Văn Đồng", "가나다", "ガ"],
)
def test_combining_marks_fold_like_precomposed(composed):
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert nat.normalize(decomposed) == nat.normalize(composed)
    assert nat.icao_fold(decomposed) == nat.icao_fold(composed)


def test_stray_combining_marks():
    assert nat.normalize("e\u0301lodie") == "ELODIE"
    assert nat.normalize("\u0301abc") == "ABC"
    assert nat.normalize("a\u0323\u0302") == "A"  # two marks on one letter


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u2018", "\u02bc", "\u02bb", "\u02b9", "`", "\u00b4", "\uff07"])
def test_apostrophes_join(apostrophe):
    assert nat.normalize(f"O{apostrophe}Brien") == "OBRIEN"
    assert nat.normalize(f"N{apostrophe}Diaye") == "NDIAYE"
    assert nat.normalize(f"d{apostrophe}Artagnan") == "DARTAGNAN"


@pytest.mark.parametrize(
    "raw, want",
    [
        ("Jean-Luc", "JEAN LUC"),
        ("al-Qaida", "AL QAIDA"),
        ("Smith,John", "SMITH JOHN"),
        ("Laden, Osama bin", "LADEN OSAMA BIN"),
        ("A.B.C.", "A B C"),
        ("Mary/Ann", "MARY ANN"),
        ("Smith_John", "SMITH JOHN"),
        ("Smith&Co", "SMITH CO"),
        ("(Jr.)", "JR"),
        ("x\u2013y\u2014z", "X Y Z"),  # en and em dash
        ("«Ivan»", "IVAN"),
        ("a+b=c", "A B C"),
        ("---", ""),
        ("", ""),
    ],
)
def test_other_punctuation_separates(raw, want):
    assert nat.normalize(raw) == want


@pytest.mark.parametrize("raw", ["  John   Smith  ", "\tJohn\nSmith\r\n", "John \u00a0\u3000 Smith", "-John- -Smith-"])
def test_whitespace_collapses(raw):
    assert nat.normalize(raw) == "JOHN SMITH"
    assert nat.icao_fold(raw) == "JOHN SMITH"


# every character Python's str.split() splits on (Unicode White_Space + the ASCII separators)
WHITESPACE = [c for c in map(chr, range(0x3001)) if c.isspace()]


@pytest.mark.parametrize("space", WHITESPACE, ids=[f"U+{ord(c):04X}" for c in WHITESPACE])
def test_every_whitespace_character_separates(space):
    assert nat.normalize(f"John{space}Smith") == "JOHN SMITH"
    assert nat.icao_fold(f"Jürgen{space}Müller") == "JUERGEN MUELLER"


def test_digits_are_kept():
    assert nat.normalize("Route 66") == "ROUTE 66"
    assert nat.normalize("Louis XIV 3rd") == "LOUIS XIV 3RD"


@pytest.mark.parametrize(
    "raw, want",
    [
        ("Владимир Путин", "VLADIMIR PUTIN"),  # Cyrillic
        ("Олександр", "OLEKSANDR"),  # Ukrainian
        ("Αλέξανδρος", "ALEXANDROS"),  # Greek
        ("Արամ", "ARAM"),  # Armenian
        ("გიორგი", "GIORGI"),  # Georgian
        ("习近平", "XI JIN PING"),  # CJK: one syllable per character, space-separated
        ("毛泽东", "MAO ZE DONG"),
    ],
)
def test_scripts_transliterate(raw, want):
    assert nat.normalize(raw) == want


@pytest.mark.parametrize(
    "raw",
    [
        "محمد بن سلمان",  # Arabic
        "أسامة بن لادن",
        "דוד בן גוריון",  # Hebrew
        "Խաչատրյան",  # Armenian
        "შევარდნაძე",  # Georgian
        "김정은",  # Hangul
        "やまだ たろう",  # Hiragana
        "ヤマダ",  # Katakana
        "山田太郎",  # Kanji
        "Ελληνικά",  # Greek
        "Щукин",  # Cyrillic
        "ไทย",  # Thai
        "देवनागरी",  # Devanagari
    ],
)
def test_non_latin_scripts_give_non_empty_ascii(raw):
    out = nat.normalize(raw)
    assert out and out.isascii()
    assert CANONICAL.match(out)
    icao = nat.icao_fold(raw)
    assert icao and CANONICAL.match(icao)


@pytest.mark.parametrize("raw, syllables", [("김정은", 3), ("习近平", 3), ("山田太郎", 4)])
def test_syllabic_scripts_are_space_separated(raw, syllables):
    assert len(nat.tokenize(raw)) == syllables
    # and mixed with Latin text the syllables stay separate tokens
    assert nat.tokenize(f"Mr {raw}")[0] == "MR"
    assert len(nat.tokenize(f"Mr {raw}")) == syllables + 1


@pytest.mark.parametrize(("raw", "plain", "passport"), [
    ("やまだ たろう", "YAMADA TAROU", "YAMADA TARO"),
    ("ヤマダ・タロウ", "YAMADA TAROU", "YAMADA TARO"),  # the middle dot separates words
    ("きょうこ", "KYOUKO", "KYOKO"),  # a small ょ is part of its syllable, not one of its own
    ("ほっかいどう", "HOKKAIDOU", "HOKKAIDO"),  # a small っ doubles the next consonant
    ("ほんま", "HONMA", "HOMMA"),  # passports write N before B, M, P as M
    ("イチロー", "ICHIROO", "ICHIRO"),  # the long-vowel mark
])
def test_kana_words_are_romanised_whole(raw, plain, passport):
    assert nat.normalize(raw) == plain
    assert nat.icao_fold(raw) == passport


# --- icao_fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "letter, want",
    [("Ä", "AE"), ("Ö", "OE"), ("Ü", "UE"), ("ß", "SS"), ("Ø", "OE"), ("Å", "AA"), ("Ñ", "N")],
)
def test_icao_latin(letter, want):
    assert nat.icao_fold(letter) == want
    assert nat.icao_fold(letter.lower()) == want
    assert nat.icao_fold(f"X{letter.lower()}X") == f"X{want}X"


@pytest.mark.parametrize(
    "letter, want",
    [
        ("Ж", "ZH"), ("Х", "KH"), ("Ц", "TS"), ("Ч", "CH"), ("Ш", "SH"), ("Щ", "SHCH"),
        ("Ы", "Y"), ("Ъ", "IE"), ("Ю", "IU"), ("Я", "IA"), ("Й", "I"),
    ],
)
def test_icao_cyrillic(letter, want):
    assert nat.icao_fold(letter) == want
    assert nat.icao_fold(letter.lower()) == want


@pytest.mark.parametrize(
    "raw, want",
    [
        ("Jürgen Müller", "JUERGEN MUELLER"),
        ("Åsa Ødegård", "AASA OEDEGAARD"),
        ("Straße", "STRASSE"),
        ("Peña", "PENA"),
        ("Céline", "CELINE"),  # other diacritics are simply dropped
        ("Юлия", "IULIIA"),
        ("Щукин Жуков Хрущёв", "SHCHUKIN ZHUKOV KHRUSHCHEV"),
        ("Мария-Яна Цой", "MARIIA IANA TSOI"),
        ("Mu\u0308ller", "MUELLER"),  # decomposed input is recomposed first
        ("ＭÜＬＬＥＲ", "MUELLER"),  # full-width
        ("O'Brien", "OBRIEN"),
    ],
)
def test_icao_names(raw, want):
    assert nat.icao_fold(raw) == want


def test_icao_falls_back_to_normalize():
    for raw in ["John Smith", "习近平", "Αλέξανδρος", "محمد", ""]:
        assert nat.icao_fold(raw) == nat.normalize(raw)


# --- tokenize and name_forms ----------------------------------------------------------------------


def test_tokenize():
    assert nat.tokenize("bin Laden, Osama") == ["BIN", "LADEN", "OSAMA"]
    assert nat.tokenize("  José-María  O'Brien ") == ["JOSE", "MARIA", "OBRIEN"]
    assert nat.tokenize("") == []
    assert nat.tokenize(" -- ") == []


def test_name_forms():
    assert nat.name_forms("Müller") == ["MULLER", "MUELLER"]  # plain first, ICAO second
    assert nat.name_forms("SMITH") == ["SMITH"]
    assert nat.name_forms("Peña") == ["PENA"]  # the ICAO form is the plain one: listed once
    assert nat.name_forms("Юлия") == [nat.normalize("Юлия"), "IULIIA"]
    assert nat.name_forms("") == [""]


# --- properties -----------------------------------------------------------------------------------

SCRIPT_SAMPLES = "AaÄäÖöÜüßØøÅåÑñÉéŁłÇçЖжХхЦцЧчШшЩщЫыЪъЮюЯяЙйΑαΩωאבגابتԱաႠაᄀ가一中ぁアｱＡ１ﬁ'’-., \t\u00a0\u0301\u0308"
TEXTS = {
    "unicode": st.text(max_size=30),
    "scripts": st.text(alphabet=SCRIPT_SAMPLES, max_size=30),
    "bmp": st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=30),
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
@pytest.mark.parametrize("fold", [nat.normalize, nat.icao_fold], ids=["normalize", "icao_fold"])
@SETTINGS
@given(data=st.data())
def test_output_shape_and_idempotence(fold, text, data):
    s = data.draw(text)
    out = fold(s)  # never raises
    assert CANONICAL.match(out), f"{fold.__name__}({s!r}) = {out!r}"
    assert fold(out) == out, f"{fold.__name__} not idempotent on {s!r}: {out!r} -> {fold(out)!r}"


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
@SETTINGS
@given(data=st.data())
def test_canonically_equivalent_input_folds_alike(text, data):
    """NFC and NFD spellings of one string (canonically equivalent) give the same forms.

    Only canonical equivalence is required: compatibility forms (NFKC/NFKD) may differ, because
    U+00B4 ACUTE ACCENT counts as an apostrophe (joins) while its compatibility decomposition
    is a space and a combining accent (separates)."""
    s = data.draw(text)
    for form in ("NFC", "NFD"):
        t = unicodedata.normalize(form, s)
        assert nat.normalize(t) == nat.normalize(s), f"{form} of {s!r}"
        assert nat.icao_fold(t) == nat.icao_fold(s), f"{form} of {s!r}"


@pytest.mark.parametrize(
    "s",
    [
        "Jose\u0301 Mari\u0301a",
        "Mu\u0308ller",
        "O\u00b4Brien",
        "x\u1ffdy",  # U+1FFD GREEK OXIA is canonically U+00B4, which counts as an apostrophe
        "x\u1fefy",  # U+1FEF GREEK VARIA is canonically U+0060 (`)
        "\u212bngstr\u00f6m",  # U+212B ANGSTROM SIGN is canonically U+00C5
    ],
)
def test_canonically_equivalent_examples(s):
    for form in ("NFC", "NFD"):
        t = unicodedata.normalize(form, s)
        assert nat.normalize(t) == nat.normalize(s), f"{form} of {s!r}: {nat.normalize(t)!r} != {nat.normalize(s)!r}"
        assert nat.icao_fold(t) == nat.icao_fold(s), f"{form} of {s!r}: {nat.icao_fold(t)!r} != {nat.icao_fold(s)!r}"


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
@SETTINGS
@given(data=st.data())
def test_tokenize_and_name_forms_agree_with_normalize(text, data):
    s = data.draw(text)
    plain = nat.normalize(s)
    assert nat.tokenize(s) == plain.split()
    forms = nat.name_forms(s)
    assert forms[0] == plain
    assert len(forms) == len(set(forms)) <= 2 + 1 + 8
    icao = nat.icao_fold(s)
    assert icao in forms or icao == ""
    # Beyond plain and ICAO, only a Hangul name has a form (its customary Korean spelling), and a name in
    # Han characters (its Korean reading and at most 8 Japanese ones, native/src/cjk.rs).
    extra = [f for f in forms if f not in (plain, icao)]
    hangul = any("\uac00" <= c <= "\ud7a3" for c in s)
    han = any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or c >= "\U00020000" for c in s)
    assert len(extra) <= (1 if hangul else 0) + (1 + 8 if han else 0)
    assert all(CANONICAL.match(f) for f in extra)
