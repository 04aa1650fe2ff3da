"""Derives cjk_readings.tsv, the readings of Han characters in personal names, for the native core's name
forms (native/src/cjk.rs): Korean readings in Hangul, Japanese readings in passport Hepburn with how often each
is used in surnames and given names. See PROVENANCE.md for the sources and their licences.

    apt-get download unicode-data mecab-ipadic && dpkg-deb -x unicode-data_*.deb x && dpkg-deb -x mecab-ipadic_*.deb x
    python engine/data/cjk_readings/make_table.py --unihan x/usr/share/unicode --ipadic x/usr/share/mecab/dic/ipadic

Korean: the kHangul readings of the characters in kKoreanName (Korean name characters) or KS X 1001, in
Unihan's order, name readings (source N) marked `*`: `금 김*` for 金.

Japanese: each IPAdic surname and given name written in Han characters is aligned with its characters: a
character takes the mora span one of its Unihan on / kun readings explains, voiced when not first (rendaku:
YAMA-DA), geminated before another character (HAT-TORI), a kun reading's okurigana unmarked (TAKA from TAKAI).
A span no Unihan reading explains (a name reading: 吉 YOSHI, 和 KAZU) is accepted when it is the only one in
its word, and learnt once two words agree. The aligned readings are counted per character in six slots: a
one-character surname (S0), the first (S1) or a later (S2) character of a longer one, and the same for given
names (G0, G1, G2). Jōyō and Jinmeiyō characters that no IPAdic name uses keep Unihan's own readings.

`--holdout N` leaves out the names whose MD5 mod 10 is below N: the table then serves to measure readings
of names it has not seen.
"""

from __future__ import annotations

import argparse
import bz2
import collections
import hashlib
import re
import sys
from pathlib import Path

# --- kana and Hepburn ------------------------------------------------------------------------------------

_KANA = {
    "ア": "A", "イ": "I", "ウ": "U", "エ": "E", "オ": "O",
    "カ": "KA", "キ": "KI", "ク": "KU", "ケ": "KE", "コ": "KO", "ガ": "GA", "ギ": "GI", "グ": "GU", "ゲ": "GE", "ゴ": "GO",
    "サ": "SA", "シ": "SHI", "ス": "SU", "セ": "SE", "ソ": "SO", "ザ": "ZA", "ジ": "JI", "ズ": "ZU", "ゼ": "ZE", "ゾ": "ZO",
    "タ": "TA", "チ": "CHI", "ツ": "TSU", "テ": "TE", "ト": "TO", "ダ": "DA", "ヂ": "JI", "ヅ": "ZU", "デ": "DE", "ド": "DO",
    "ナ": "NA", "ニ": "NI", "ヌ": "NU", "ネ": "NE", "ノ": "NO",
    "ハ": "HA", "ヒ": "HI", "フ": "FU", "ヘ": "HE", "ホ": "HO", "バ": "BA", "ビ": "BI", "ブ": "BU", "ベ": "BE", "ボ": "BO",
    "パ": "PA", "ピ": "PI", "プ": "PU", "ペ": "PE", "ポ": "PO",
    "マ": "MA", "ミ": "MI", "ム": "MU", "メ": "ME", "モ": "MO", "ヤ": "YA", "ユ": "YU", "ヨ": "YO",
    "ラ": "RA", "リ": "RI", "ル": "RU", "レ": "RE", "ロ": "RO", "ワ": "WA", "ヰ": "I", "ヱ": "E", "ヲ": "O", "ン": "N",
    "ヴ": "BU",
}
_SMALL = {"ャ": "A", "ュ": "U", "ョ": "O", "ァ": "A", "ィ": "I", "ゥ": "U", "ェ": "E", "ォ": "O"}


def kana_morae(kana: str) -> list[str] | None:
    """Katakana (or hiragana) as Hepburn morae: `キョウコ` -> KYO U KO; `ッ` is Q, a long mark repeats the vowel.
    None when a character is not kana."""
    out: list[str] = []
    for ch in kana:
        if "\u3041" <= ch <= "\u3096":
            ch = chr(ord(ch) + 0x60)
        if ch in _KANA:
            out.append(_KANA[ch])
        elif ch in _SMALL and out and out[-1] not in ("Q", "N"):
            prev = out.pop()
            v = _SMALL[ch]
            if ch in "ャュョ":
                base = prev[:-1]  # KI -> K, SHI -> SH, CHI -> CH, JI -> J
                out.append(base + ("Y" if base not in ("SH", "CH", "J") else "") + v)
            else:
                out.append({"FU": "F", "TE": "T", "DE": "D", "U": "W", "BU": "V"}.get(prev, prev[:-1]) + v)
        elif ch == "ッ":
            out.append("Q")
        elif ch == "ー" and out:
            out.append(out[-1][-1])
        else:
            return None
    return out


_MORA = re.compile(r"(?:SH|CH|TS|[KGNHBPMR]Y|[KGSZTDNHBPMYRWFJ])?[AIUEO]|N|[KSTPCGDBZ](?=[KSTPCGDBZ])")


def romaji_morae(r: str) -> list[str] | None:
    """Unihan's romanised reading as morae (`MOPPARA` -> MO Q PA RA); None when it does not parse."""
    ms = _MORA.findall(r)
    if "".join(ms) != r:
        return None
    return ["Q" if len(m) == 1 and m not in "AIUEON" else m for m in ms]


def passport(morae: list[str] | tuple[str, ...]) -> str:
    """One character's reading as passports write it: long vowels unmarked (TOU -> TO, YUU -> YU, OO -> O);
    Q (gemination) and the N before B/M/P are resolved when readings are joined."""
    s = "".join(morae)
    return s.replace("OU", "O").replace("UU", "U").replace("OO", "O")


_VOICED = {"K": "G", "S": "Z", "T": "D", "H": "B", "F": "B", "C": "J"}


def rendaku(ms: tuple[str, ...]) -> tuple[str, ...] | None:
    """Sequential voicing of a later element's first mora (TA -> DA, SHI -> JI, HA -> BA, TSU -> ZU);
    None when it does not apply (Lyman's law: not when the element already has a voiced obstruent)."""
    first = ms[0]
    if any(m[0] in "GZJDB" for m in ms) or first[0] not in _VOICED:
        return None
    if first.startswith(("SH", "CH")):
        v = "J" + first[2:]
    elif first.startswith("TS"):
        v = "Z" + first[2:]
    elif first == "FU":
        v = "BU"
    else:
        v = _VOICED[first[0]] + first[1:]
    return (v,) + ms[1:]


# --- the sources ------------------------------------------------------------------------------------------

def read_unihan(unihan: Path) -> dict[str, dict[str, str]]:
    fields = {"kHangul", "kJapaneseKun", "kJapaneseOn", "kKoreanName", "kKSC0", "kJoyoKanji", "kJinmeiyoKanji"}
    out: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for name in ("Unihan_Readings.txt", "Unihan_OtherMappings.txt"):
        path = unihan / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            with bz2.open(str(path) + ".bz2", "rt", encoding="utf-8") as f:
                text = f.read()
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            cp, field, value = line.split("\t", 2)
            if field in fields:
                out[chr(int(cp.removeprefix("U+"), 16))][field] = value
    return out


def read_ipadic(ipadic: Path) -> list[tuple[str, str, int, float]]:
    """(word, role S|G, reading morae, weight) of IPAdic's surnames (姓) and given names (名) written in Han
    characters; a word's cheapest reading weighs 1, its others 0.5."""
    by_word: dict[tuple[str, str], list[tuple[int, list[str]]]] = collections.defaultdict(list)
    for line in (ipadic / "Noun.name.csv").read_bytes().decode("euc_jp").splitlines():
        f = line.split(",")
        role = {"姓": "S", "名": "G"}.get(f[7])
        if role is None or not all(is_han(c) or c == "々" for c in f[0]):
            continue
        ms = kana_morae(f[11])
        if ms:
            by_word[f[0], role].append((int(f[3]), ms))
    out = []
    for (word, role), readings in sorted(by_word.items()):
        readings.sort(key=lambda r: r[0])
        seen = set()
        for k, (_, ms) in enumerate(readings):
            if tuple(ms) not in seen:
                seen.add(tuple(ms))
                out.append((word, role, ms, 1.0 if k == 0 else 0.5))
    return out


def is_han(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


# --- Japanese: alignment of names with their characters ----------------------------------------------------

# How well a span is explained: a Unihan reading, its voiced / geminated / long-vowel variant, a learnt
# name reading, a kun reading's shorter stem (okurigana unmarked, so any prefix could be one: weakest);
# a span nothing explains costs by its length.
FULL, VARIANT, LEARNT, STEM = 3.0, 2.8, 2.5, 2.0


def unihan_japanese(d: dict[str, str]) -> dict[tuple[str, ...], float]:
    """A character's Unihan readings as morae with their credit: on and kun readings, and the kun readings'
    shorter stems (TAKAI -> TAKA, SHIGERU -> SHIGE)."""
    out: dict[tuple[str, ...], float] = {}
    for r in d.get("kJapaneseOn", "").split() + d.get("kJapaneseKun", "").split():
        ms = romaji_morae(r)
        if ms:
            out[tuple(ms)] = FULL
    for r in d.get("kJapaneseKun", "").split():
        ms = romaji_morae(r)
        if ms:
            for j in range(1, len(ms)):
                out.setdefault(tuple(ms[:j]), STEM)
    return out


def variants(base: dict[tuple[str, ...], float], later: bool, before_more: bool) -> dict[tuple[str, ...], float]:
    """The spans a character's readings can take at its place in a word: voiced when not first (rendaku),
    geminated before another character (HAT-TORI), a long O written either way (KOU ~ KOO)."""
    out = dict(base)

    def add(ms, credit):
        if out.get(ms, -1.0) < credit:
            out[ms] = credit

    for ms, credit in base.items():
        c = min(credit, VARIANT)
        if later and (v := rendaku(ms)):
            add(v, c)
        if before_more and len(ms) >= 2 and ms[-1] in ("KU", "KI", "TSU", "CHI"):
            add(ms[:-1] + ("Q",), c)
    for ms, credit in list(out.items()):
        if len(ms) >= 2 and ms[-1] == "U" and ms[-2].endswith("O"):
            add(ms[:-1] + ("O",), min(credit, VARIANT))
    return out


MAX_SPAN = 6


def align(word: str, ms: list[str], known) -> list[tuple[int, int, bool]] | None:
    """The characters' mora spans (start, end, explained) that maximise the total credit; None unless at
    most one span is unexplained (two unexplained neighbours could split their morae anywhere)."""
    n, m = len(word), len(ms)
    NEG = (-1e9, 0)
    best = [[NEG] * (m + 1) for _ in range(n + 1)]
    back = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = (0.0, 0)
    for i in range(n):
        ks = known(word, i)
        for j in range(m):
            if best[i][j] == NEG:
                continue
            for k in range(j + 1, min(m, j + MAX_SPAN) + 1):
                if i == n - 1 and k != m:
                    continue
                span = tuple(ms[j:k])
                if span[0] in ("Q", "N"):
                    continue  # a span does not start with a gemination or a syllabic N
                credit = ks.get(span)
                ok = credit is not None
                score = best[i][j][0] + (credit if ok else -1.0 - 0.5 * (k - j))
                unknown = best[i][j][1] + (0 if ok else 1)
                if (score, -unknown) > (best[i + 1][k][0], -best[i + 1][k][1]):
                    best[i + 1][k] = (score, unknown)
                    back[i + 1][k] = (j, ok)
    if best[n][m] == NEG or (best[n][m][1] > 1 and n > 1):
        return None
    spans = []
    k = m
    for i in range(n, 0, -1):
        j, ok = back[i][k]
        spans.append((j, k, ok))
        k = j
    return spans[::-1]


def japanese_counts(unihan, names, learn_passes=2):
    """Reading counts per character and slot (S0 / G0: a one-character surname / given name; S1 / G1: the
    first character of a longer one; S2 / G2: a later character), and how many readings aligned."""
    base = {c: unihan_japanese(d) for c, d in unihan.items() if "kJapaneseOn" in d or "kJapaneseKun" in d}
    learnt: dict[str, set[tuple[str, ...]]] = collections.defaultdict(set)

    def known(word, i):
        c = word[i]
        if c == "々" and i > 0:
            c = word[i - 1]
        spans = dict(base.get(c, {}))
        for span in learnt[c]:
            spans.setdefault(span, LEARNT)
        return variants(spans, i > 0, i < len(word) - 1)

    for _ in range(learn_passes):
        proposals: dict[tuple[str, tuple[str, ...]], set[str]] = collections.defaultdict(set)
        for word, role, ms, _w in names:
            spans = align(word, ms, known)
            if not spans or len(word) == 1:
                continue
            for i, (j, k, ok) in enumerate(spans):
                if not ok and word[i] != "々":
                    proposals[word[i], tuple(ms[j:k])].add(word)
        for (c, span), words in proposals.items():
            if len(words) >= 2:
                learnt[c].add(span)
    counts: dict[str, dict[str, collections.Counter]] = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    aligned = 0
    for word, role, ms, w in names:
        spans = align(word, ms, known)
        if not spans:
            continue
        aligned += 1
        for i, (j, k, ok) in enumerate(spans):
            c = word[i]
            if c == "々":
                continue
            slot = role + ("0" if len(word) == 1 else "1" if i == 0 else "2")
            counts[c][slot][tuple(ms[j:k])] += w
    return counts, aligned


def slot_readings(counter: collections.Counter, min_share=0.03, most=6) -> list[tuple[str, int]]:
    """A slot's readings in passport form with their share in percent, most used first."""
    merged: collections.Counter = collections.Counter()
    for ms, w in counter.items():
        merged[passport(ms) if ms[-1] != "Q" else passport(ms[:-1]) + "Q"] += w
    total = sum(merged.values())
    out = []
    for r, w in merged.most_common():
        share = w / total
        if share < min_share or len(out) == most:
            break
        out.append((r, max(1, round(100 * share))))
    return out


def hangul_field(d: dict[str, str]) -> str:
    """kHangul readings in their listed order, name readings (source N) marked `*`: `금 김*` for 金."""
    out = []
    for item in d.get("kHangul", "").split():
        reading, _, sources = item.partition(":")
        out.append(reading + ("*" if "N" in sources else ""))
    return " ".join(out)


def unihan_fallback(d: dict[str, str]) -> str:
    """Unihan's own readings (on, then kun) in passport form, for a character no IPAdic name uses."""
    out: list[str] = []
    for r in d.get("kJapaneseOn", "").split() + d.get("kJapaneseKun", "").split():
        ms = romaji_morae(r)
        if ms and (p := passport(ms)) not in out:
            out.append(p)
    return " ".join(out)


SLOTS = ("S0", "S1", "S2", "G0", "G1", "G2")


HEADER = """\
# Readings of Han characters in personal names, from Unihan 15.0.0 (Unicode License) and IPAdic 2.7.0
# (NAIST / ICOT licence): generated by make_table.py, see PROVENANCE.md and the LICENSE_* files.
# char<TAB>hangul<TAB>S0<TAB>S1<TAB>S2<TAB>G0<TAB>G1<TAB>G2<TAB>unihan
# hangul: Korean readings, name readings marked *. S0..G2: Japanese readings (passport Hepburn, Q = gemination)
# as reading:percent in a one-character surname (S0), the first (S1) or a later (S2) character of a longer one,
# and the same for given names (G0, G1, G2). unihan: Japanese readings of Joyo / Jinmeiyo characters no name uses.
"""


def write_table(out, unihan, counts) -> int:
    out.write(HEADER)
    rows = 0
    for c in sorted(set(unihan) | set(counts)):
        d = unihan.get(c, {})
        korean = hangul_field(d) if ("kKoreanName" in d or "kKSC0" in d) else ""
        slots = [" ".join(f"{r}:{p}" for r, p in slot_readings(counts[c][s])) if c in counts else "" for s in SLOTS]
        fallback = ""
        if not any(slots) and ("kJoyoKanji" in d or "kJinmeiyoKanji" in d):
            fallback = unihan_fallback(d)
        if korean or any(slots) or fallback:
            out.write("\t".join([c, korean, *slots, fallback]) + "\n")
            rows += 1
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--unihan", type=Path, default=Path("/usr/share/unicode"))
    ap.add_argument("--ipadic", type=Path, default=Path("/usr/share/mecab/dic/ipadic"))
    ap.add_argument("--holdout", type=int, default=0, help="leave out the names whose MD5 mod 10 is below this")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "cjk_readings.tsv")
    args = ap.parse_args(argv)
    unihan = read_unihan(args.unihan)
    names = read_ipadic(args.ipadic)
    if args.holdout:
        names = [n for n in names if int(hashlib.md5(n[0].encode()).hexdigest(), 16) % 10 >= args.holdout]
    counts, aligned = japanese_counts(unihan, names)
    with args.out.open("w", encoding="utf-8", newline="\n") as out:
        rows = write_table(out, unihan, counts)
    print(f"{args.out}: {rows} characters; {aligned} of {len(names)} IPAdic name readings aligned", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
