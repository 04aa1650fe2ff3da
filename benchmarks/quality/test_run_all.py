"""benchmarks/quality/run_all.py: one JSON and one HTML page from the quality scripts (the quick one here)."""

from __future__ import annotations

import json

import pytest

import cross_script as cs
import run_all

pytestmark = pytest.mark.skipif(not cs.PAIRS.exists(), reason="../shared/data absent")


def test_run_all_writes_json_and_html(tmp_path):
    assert run_all.main(["--out", str(tmp_path), "--only", "cross_script"]) == 0
    summary = json.loads((tmp_path / "quality.json").read_text(encoding="utf-8"))
    (r,) = summary["runs"]
    assert r["name"] == "cross_script" and r["returncode"] == 0
    assert r["command"] == "PYTHONPATH=. python benchmarks/quality/cross_script.py"
    assert len(r["report"]) == 22 and r["tables"].startswith("found ")
    page = (tmp_path / "quality.html").read_text(encoding="utf-8")
    assert "cross_script" in page and "found " in page and "<script" not in page


def test_run_all_refuses_unknown_names(tmp_path):
    with pytest.raises(SystemExit):
        run_all.main(["--out", str(tmp_path), "--only", "nope"])
