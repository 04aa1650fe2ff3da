"""`interdict lists import|ls|diff|rollback` and `interdict screen --store`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import EXIT_INPUT, main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.setenv("INTERDICT_STORE", str(root))
    return root


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_ls_diff_rollback(store, tmp_path, capsys):
    code, out, _ = run(capsys, "lists", "import", str(FIXTURES / "un_small.xml"))
    assert code == 0 and "un-sc v000001: 5 entries" in out and "now active" in out
    code, out, _ = run(capsys, "lists", "import", str(FIXTURES / "un_small.xml"))
    assert code == 0 and "unchanged" in out

    changed = tmp_path / "changed.xml"
    changed.write_text((FIXTURES / "un_small.xml").read_text().replace(">OMAR<", ">UMAR<"))
    code, out, _ = run(capsys, "lists", "import", str(changed), "--store", str(store))
    assert code == 0 and "v000002" in out

    code, out, _ = run(capsys, "lists", "diff", "un-sc", "--json")
    d = json.loads(out)
    assert (d["old"], d["new"], d["added"], d["removed"]) == ("v000001", "v000002", [], [])
    assert d["changed"] == {"XXi.001": ["names"]}
    code, out, _ = run(capsys, "lists", "diff", "un-sc")
    assert "0 added, 0 removed, 1 changed" in out and "~ XXi.001: names" in out

    code, out, _ = run(capsys, "lists", "ls", "--json")
    listing = json.loads(out)
    assert listing["un-sc"]["active"] == "v000002" and len(listing["un-sc"]["versions"]) == 2
    code, out, _ = run(capsys, "lists", "ls", "un-sc")
    assert code == 0 and "v000001" in out and "v000002" in out

    code, out, _ = run(capsys, "lists", "rollback", "un-sc")
    assert code == 0 and "v000001" in out and "is active" in out
    code, out, _ = run(capsys, "lists", "ls", "--json")
    assert json.loads(out)["un-sc"]["active"] == "v000001"


def test_screen_against_a_stored_list(store, tmp_path, capsys):
    run(capsys, "lists", "import", str(FIXTURES / "un_small.xml"))
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"name": "MARIA SPECIMEN"}) + "\n")
    code, out, err = run(capsys, "screen", "--store", str(store), "--list", "un-sc", "--input", str(queries))
    assert code == 0, err
    line = json.loads(out.splitlines()[0])
    assert line["hits"] and line["hits"][0]["list_version"] == "v000001"


def test_errors_name_what_is_wrong_and_change_nothing(store, tmp_path, capsys):
    code, _, err = run(capsys, "lists", "diff", "nope")
    assert code == EXIT_INPUT and "no list 'nope'" in err
    run(capsys, "lists", "import", str(FIXTURES / "un_small.xml"))
    before = (store / "un-sc" / "catalog.json").read_bytes()
    bad = tmp_path / "bad.xml"
    bad.write_bytes((FIXTURES / "un_small.xml").read_bytes()[:2500])
    code, _, err = run(capsys, "lists", "import", str(bad))
    assert code == EXIT_INPUT and "bad.xml:" in err
    code, _, err = run(capsys, "lists", "import", str(tmp_path / "missing.xml"))
    assert code == EXIT_INPUT and "missing.xml" in err
    code, _, err = run(capsys, "lists", "rollback", "un-sc", "--to", "v000009")
    assert code == EXIT_INPUT and "no version 'v000009'" in err
    code, _, err = run(capsys, "lists", "import", str(FIXTURES / "un_small.xml"), "--format", "nonsense")
    assert code == EXIT_INPUT and "unknown list format 'nonsense'" in err
    assert (store / "un-sc" / "catalog.json").read_bytes() == before


def test_skip_bad_reports_each_skipped_record(store, capsys):
    code, out, err = run(capsys, "lists", "import", str(FIXTURES / "un_bad_record.xml"), "--skip-bad")
    assert code == 0 and "skipped:" in err and "bad records skipped" in out
