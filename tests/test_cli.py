"""The `interdict` command line: demo, screen, and errors that name the file, line or field."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server import cli


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=120)


def test_demo_finds_the_listed_and_clears_the_innocent():
    r = run("demo")
    assert r.returncode == 0, r.stderr
    assert "CDi.001" in r.stdout and "QDi.006" in r.stdout and "CFi.009" in r.stdout
    assert r.stdout.count("no hit") >= 3


def test_screen_csv_against_the_default_list(tmp_path):
    src = tmp_path / "pax.csv"
    src.write_text(
        "surname,given_names,birth_date,nationality\n"
        "BADEGE,ERIK,1971,COD\n"
        "WATSON,EMILY,1990-02-03,GBR\n",
        encoding="utf-8",
    )
    out = tmp_path / "hits.jsonl"
    assert cli.main(["screen", "--list", "default", "--input", str(src), "--output", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["source"] for r in rows] == [f"{src}:2", f"{src}:3"]
    assert rows[0]["hits"][0]["entry_id"] == "CDi.001"
    assert rows[0]["hits"][0]["list_version"]
    assert rows[1]["hits"] == []


def test_screen_jsonl_with_threshold(tmp_path, capsys):
    src = tmp_path / "pax.jsonl"
    src.write_text(json.dumps({"name": "Joseph Kony"}) + "\n\n" + json.dumps({"name": "Ayman Zawahiri"}) + "\n")
    assert cli.main(["screen", "--input", str(src), "--threshold", "0.9", "--limit", "1"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["hits"][0]["entry_id"] for o in out] == ["CFi.009", "QDi.006"]


@pytest.mark.parametrize(
    "content, suffix, message",
    [
        ("name,birth_date\nX,1970-02-30\n", ".csv", ":2: birth_date"),
        ('{"name": "X"}\nnot json\n', ".jsonl", ":2: not JSON"),
        ('["a list"]\n', ".jsonl", ":1: expected a JSON object"),
        ("birth_date\n1970\n", ".csv", ":2: name"),
    ],
)
def test_bad_input_names_file_and_line(tmp_path, content, suffix, message):
    src = tmp_path / f"bad{suffix}"
    src.write_text(content)
    r = run("screen", "--input", str(src))
    assert r.returncode == cli.EXIT_INPUT
    assert f"{src}{message}" in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_files_are_reported(tmp_path):
    r = run("screen", "--input", str(tmp_path / "nope.csv"))
    assert r.returncode == cli.EXIT_INPUT and "no such file" in r.stderr
    r = run("screen", "--list", str(tmp_path / "nope.xml"), "--input", str(tmp_path / "x.csv"))
    assert r.returncode == cli.EXIT_INPUT and "--list" in r.stderr


def test_bad_list_file_is_reported(tmp_path):
    bad = tmp_path / "list.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>")
    src = tmp_path / "pax.csv"
    src.write_text("name\nX\n")
    r = run("screen", "--list", str(bad), "--input", str(src))
    assert r.returncode == cli.EXIT_INPUT
    assert "list.xml" in r.stderr and "Traceback" not in r.stderr


def test_the_command_line_loads_no_plotting_or_cluster_library_until_a_command_needs_it():
    # matplotlib (tune's report) and dask (batch, resolve) cost seconds to import: `interdict serve`
    # and `interdict screen` must not wait for them
    code = "import sys, server.cli; print(sorted(m for m in ('matplotlib', 'dask', 'distributed') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
