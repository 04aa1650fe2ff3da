"""FEBRL 4 linkage with the engine's scores: a regression guard (the issue's target is F1 0.98)."""

from __future__ import annotations

import pytest

import febrl4

pytestmark = pytest.mark.skipif(not febrl4.TRUE_LINKS.exists(), reason="../shared/data absent")


def test_febrl4_link_quality_floor():
    report = febrl4.evaluate()
    assert report["true_links"] == 5000
    assert report["best"]["f1"] >= 0.95  # measured 0.962 (2026-11-23)
    assert report["at_default"]["precision"] >= 0.97  # measured 0.983
