"""Name alignment and the blocking index (Python twin of native/src/names.rs and index.rs)."""

from __future__ import annotations

from typing import Sequence

from . import _native

__all__ = ["NameComparison", "NameIndex", "compare_names", "compare_names_batch"]

NameComparison = _native.NameComparison
NameIndex = _native.NameIndex
compare_names = _native.compare_names


def compare_names_batch(queries: Sequence[str], candidates: Sequence[str]) -> list[float]:
    """Alignment scores of queries[i] against candidates[i], in parallel."""
    return _native.compare_names_batch(list(queries), list(candidates))
