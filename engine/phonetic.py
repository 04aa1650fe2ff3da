"""Phonetic keys (Python twin of native/src/phonetic.rs).

Soundex, NYSIIS, Metaphone and the Match Rating codex follow jellyfish's definitions exactly;
Double Metaphone and Beider-Morse follow Apache commons-codec (via the rphonetic crate).
"""

from __future__ import annotations

from typing import Sequence

from . import _native

__all__ = [
    "soundex", "nysiis", "metaphone", "match_rating_codex", "match_rating_comparison",
    "double_metaphone", "beider_morse", "phonetic_batch", "ALGORITHMS",
]

ALGORITHMS = ("soundex", "nysiis", "metaphone", "match_rating_codex", "double_metaphone")

soundex = _native.soundex
nysiis = _native.nysiis
metaphone = _native.metaphone
match_rating_codex = _native.match_rating_codex
match_rating_comparison = _native.match_rating_comparison
double_metaphone = _native.double_metaphone
beider_morse = _native.beider_morse


def phonetic_batch(algorithm: str, strings: Sequence[str]) -> list[str]:
    """One key per string (Double Metaphone: the primary key), computed in parallel."""
    return _native.phonetic_batch(algorithm, list(strings))
