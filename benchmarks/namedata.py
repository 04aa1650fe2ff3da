"""Deterministic benchmark data: name-like pairs, name tokens and raw names to normalise.

Names come from the Febrl 0.4.2 lookup tables (../shared/data/febrl/febrl_0.4.2_lookup: surname and
given-name frequency lists, and the tables of known misspellings) when present, otherwise from a
small built-in syllable list. Everything is drawn from one seeded random.Random, so every run (and
every machine) benchmarks exactly the same strings.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

N_PAIRS = 100_000
# With --benchmark-disable the batch benchmarks only check correctness: a slice keeps that fast.
N_PAIRS_DISABLED = 5_000
SEED = 9303

FEBRL = Path(__file__).resolve().parents[2] / "shared/data/febrl/febrl_0.4.2_lookup"

SYLLABLES = [
    "al", "an", "ar", "ba", "be", "bin", "da", "de", "di", "el", "en", "er", "fa", "ga", "ha", "har",
    "ib", "in", "is", "ja", "jo", "ka", "ke", "ki", "la", "le", "li", "lo", "ma", "me", "mi", "mo",
    "mu", "na", "ne", "ni", "no", "ov", "ra", "re", "ri", "ro", "sa", "se", "sh", "si", "son", "ta",
    "te", "ti", "to", "va", "ve", "vi", "wa", "ya", "yu", "za", "zi", "ch", "th", "ph", "sch",
]


@dataclass(frozen=True)
class NameTables:
    surnames: list[str]
    surname_weights: list[int]
    given: list[str]
    given_weights: list[int]
    misspellings: dict[str, list[str]]  # correct spelling -> known misspellings / variants
    source: str


def _read_freq(path: Path) -> tuple[list[str], list[int]]:
    names, weights = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, count = line.rpartition(",")
        if name and count.strip().isdigit():
            names.append(name.strip())
            weights.append(int(count))
    return names, weights


def _read_misspell(path: Path) -> dict[str, list[str]]:
    """Febrl .tbl: `correct : variant, variant,` with continuation lines that have no colon."""
    table: dict[str, list[str]] = {}
    key = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("tag="):
            continue
        if ":" in line:
            key, _, rest = line.partition(":")
            key = key.strip()
            table.setdefault(key, [])
        else:
            rest = line
        if key:
            table[key].extend(v.strip() for v in rest.split(",") if v.strip())
    return {k: v for k, v in table.items() if v}


def load_name_tables() -> NameTables:
    files = [FEBRL / f for f in ("surname-freq.csv", "givenname-freq.csv", "surname-misspell.tbl", "givenname-misspell.tbl")]
    if all(f.is_file() for f in files):
        surnames, sw = _read_freq(files[0])
        given, gw = _read_freq(files[1])
        misspell = _read_misspell(files[2])
        misspell.update(_read_misspell(files[3]))
        return NameTables(surnames, sw, given, gw, misspell, f"febrl lookup tables ({FEBRL})")
    rng = random.Random(SEED)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))

    surnames = sorted({word() for _ in range(3000)})
    given = sorted({word() for _ in range(600)})
    return NameTables(surnames, [1] * len(surnames), given, [1] * len(given), {}, "built-in syllables")


def _typo(rng: random.Random, s: str) -> str:
    """One keyboard-style edit: substitution, deletion, insertion or adjacent transposition."""
    if len(s) < 2:
        return s + rng.choice("aeiou")
    i = rng.randrange(len(s) - 1)
    op = rng.randrange(4)
    c = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if op == 0:
        return s[:i] + c + s[i + 1:]
    if op == 1:
        return s[:i] + s[i + 1:]
    if op == 2:
        return s[:i] + c + s[i:]
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


class NameFactory:
    def __init__(self, tables: NameTables, seed: int = SEED):
        self.t = tables
        self.rng = random.Random(seed)
        self._surname_cum = list(itertools.accumulate(tables.surname_weights))
        self._given_cum = list(itertools.accumulate(tables.given_weights))

    def surname(self) -> str:
        """A surname, as frequent as in the Febrl table."""
        return self.rng.choices(self.t.surnames, cum_weights=self._surname_cum)[0]

    def given(self) -> str:
        return self.rng.choices(self.t.given, cum_weights=self._given_cum)[0]

    def person(self) -> list[str]:
        tokens = [self.given()]
        if self.rng.random() < 0.3:
            tokens.append(self.given())
        tokens.append(self.surname())
        return tokens

    def variant(self, tokens: list[str]) -> list[str]:
        """Another spelling of the same person, the way it shows up in passenger data."""
        rng = self.rng
        out = list(tokens)
        r = rng.random()
        if r < 0.35:  # one or two typos
            for _ in range(rng.choice((1, 1, 2))):
                j = rng.randrange(len(out))
                out[j] = _typo(rng, out[j])
        elif r < 0.55:  # known misspelling / variant spelling (Febrl tables)
            j = rng.randrange(len(out))
            alts = self.t.misspellings.get(out[j])
            out[j] = rng.choice(alts) if alts else _typo(rng, out[j])
        elif r < 0.75:  # surname first
            out = [out[-1]] + out[:-1]
        elif r < 0.85:  # middle name dropped or given name as an initial
            if len(out) > 2:
                del out[1]
            else:
                out[0] = out[0][0]
        # else: identical
        return out

    def pairs(self, n: int) -> tuple[list[str], list[str]]:
        """n pairs: 70 % the same person spelt differently, 30 % two unrelated people."""
        a, b = [], []
        for _ in range(n):
            p = self.person()
            q = self.variant(p) if self.rng.random() < 0.7 else self.person()
            a.append(" ".join(p).title())
            b.append(" ".join(q).title())
        return a, b

    def tokens(self, n: int) -> list[str]:
        """n single alphabetic name tokens (what phonetic keys are computed on), with typos."""
        out = []
        while len(out) < n:
            w = self.surname() if self.rng.random() < 0.7 else self.given()
            if self.rng.random() < 0.3:
                w = _typo(self.rng, w)
            for part in re.split(r"[^a-z]+", w.lower()):
                if part:
                    out.append(part.title())
        return out[:n]


@dataclass(frozen=True)
class BenchData:
    a: list[str]
    b: list[str]
    tokens: list[str]
    raw_names: list[str]  # for normalize: mixed scripts, diacritics, punctuation
    source: str


RAW_EXTRAS = [
    "José María Aznar", "Jürgen Müller", "O'Brien, Seán", "Владимир Путин", "Αλέξανδρος Τσίπρας",
    "محمد بن سلمان", "習近平", "김정은", "ＪＯＨＮ　ＳＭＩＴＨ", "Łukasz Żuk-Dąbrowski", "N’Diaye Ousmane",
    "Øyvind Åsgård", "Dvořák, Antonín", "Nguyễn Tấn Dũng", "Ahmad Shah Massoud", "AL-QAIDA (AQ)",
]


def make_bench_data(n: int = N_PAIRS) -> BenchData:
    tables = load_name_tables()
    factory = NameFactory(tables)
    a, b = factory.pairs(n)
    tokens = factory.tokens(n)
    rng = random.Random(SEED + 1)
    raw = [rng.choice(RAW_EXTRAS) if rng.random() < 0.3 else name for name in b]
    return BenchData(a, b, tokens, raw, tables.source)
