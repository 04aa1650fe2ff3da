"""Nicknames (carltonnorthern/nicknames): a regression guard on a seeded sample of the relations."""

from __future__ import annotations

import pytest

import nicknames as nk

pytestmark = pytest.mark.skipif(not nk.NICKNAMES.exists(), reason="../shared/data absent")


def test_nicknames_find_the_formal_name_and_only_it():
    r = nk.evaluate(limit=400)
    assert r["relations"] == 400
    assert r["engine_found"] > 0.7 and r["engine_control_found"] < 0.02
    if "rapidfuzz_found" in r:
        assert r["engine_found"] > r["rapidfuzz_found"]
