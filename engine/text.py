"""Name normalisation (Python twin of native/src/text.rs)."""

from __future__ import annotations

from typing import Sequence

from . import _native

__all__ = ["normalize", "icao_fold", "tokenize", "name_forms", "normalize_batch", "icao_fold_batch"]

normalize = _native.normalize
icao_fold = _native.icao_fold
tokenize = _native.tokenize
name_forms = _native.name_forms


def normalize_batch(strings: Sequence[str]) -> list[str]:
    """normalize() over many strings at once, in parallel, without the GIL."""
    return _native.normalize_batch(list(strings))


def icao_fold_batch(strings: Sequence[str]) -> list[str]:
    return _native.icao_fold_batch(list(strings))
