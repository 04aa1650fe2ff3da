"""String similarities (Python twin of native/src/similarity.rs), rapidfuzz's definitions."""

from __future__ import annotations

from typing import Sequence

from . import _native

__all__ = [
    "levenshtein_distance", "levenshtein_normalized_similarity", "osa_distance",
    "damerau_levenshtein_distance", "damerau_levenshtein_normalized_similarity", "hamming_distance",
    "jaro_similarity", "jaro_winkler_similarity", "ratio", "token_sort_ratio", "token_set_ratio",
    "similarity_batch", "cdist", "METRICS",
]

METRICS: tuple[str, ...] = tuple(_native.SIMILARITY_METRICS)

levenshtein_distance = _native.levenshtein_distance
levenshtein_normalized_similarity = _native.levenshtein_normalized_similarity
osa_distance = _native.osa_distance
damerau_levenshtein_distance = _native.damerau_levenshtein_distance
damerau_levenshtein_normalized_similarity = _native.damerau_levenshtein_normalized_similarity
hamming_distance = _native.hamming_distance
jaro_similarity = _native.jaro_similarity
jaro_winkler_similarity = _native.jaro_winkler_similarity
ratio = _native.ratio
token_sort_ratio = _native.token_sort_ratio
token_set_ratio = _native.token_set_ratio


def similarity_batch(metric: str, a: Sequence[str], b: Sequence[str]) -> list[float]:
    """metric(a[i], b[i]) for every i, in parallel without the GIL."""
    return _native.similarity_batch(metric, list(a), list(b))


def cdist(metric: str, queries: Sequence[str], choices: Sequence[str]) -> list[list[float]]:
    """Every query against every choice (rows computed in parallel)."""
    return _native.cdist(metric, list(queries), list(choices))
