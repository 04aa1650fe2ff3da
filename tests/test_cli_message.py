"""`interdict message FILE`: parse-only output on the message fixtures, screening against the embedded
UN list, and unreadable messages that exit with EXIT_INPUT naming the segment or line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server import cli

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
BADEGE = FIXTURES / "paxlst_badege.edi"  # SMITH EMILY JANE (innocent), BADEGE ERIC born 1971 (UN CDi.001)


def message(capsys, *args: str) -> tuple[int, list[dict], str]:
    code = cli.main(["message", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_parse_only_paxlst(capsys):
    code, rows, err = message(capsys, str(FIXTURES / "paxlst_d05b_two_messages.edi"))
    assert code == 0, err
    assert [r["index"] for r in rows] == list(range(len(rows))) and len(rows) >= 5
    first = rows[0]
    assert first["format"] == "paxlst" and first["item"] == "traveller"
    assert (first["surname"], first["given_names"], first["birth_date"]) == ("MÜLLER", "JOSÉ MARIA", "1985-03-07")
    assert first["source"] == "PAXLST 1/1" and first["errors"] == []
    assert first["query"]["surname"] == "MÜLLER" and first["query"]["documents"][0]["number"] == "C01X00T47"
    assert "hits" not in first and "screened" not in first  # no --list: parse only
    assert "paxlst" in err.splitlines()[-1] and f"{len(rows)} travellers" in err


@pytest.mark.parametrize(
    "name, fmt, item",
    [
        ("pnrgov_13_1_two_pnrs.edi", "pnrgov", "traveller"),
        ("mrz_td3_specimen.txt", "mrz", "traveller"),
        ("fwb_16.txt", "fwb", "party"),
        ("fhl_5.txt", "fhl", "party"),
        ("xfwb_3.xml", "xfwb", "party"),
        ("xfzb_3.xml", "xfzb", "party"),
    ],
)
def test_parse_only_every_format(capsys, name, fmt, item):
    code, rows, err = message(capsys, str(FIXTURES / name))
    assert code == 0, err
    assert rows and all(r["format"] == fmt and r["item"] == item for r in rows)
    assert all(r["query"] is None or r["query"]["kind"] in ("person", "organization") for r in rows)


def test_item_errors_and_message_warnings(capsys):
    code, rows, err = message(capsys, str(FIXTURES / "fwb_17_bad_party.txt"), "--list", "default")
    assert code == 0, err
    assert err.startswith("warning: line 4: air waybill 020-12345670: check digit")
    consignee = next(r for r in rows if r["role"] == "consignee")
    assert consignee["errors"] == ["line 14: 'XQ' is not an ISO 3166-1 alpha-2 country code"] and consignee["screened"]
    notify = next(r for r in rows if r["role"] == "notify")  # a party without a name: reported, not screened
    assert notify["screened"] is False and notify["query"] is None and notify["hits"] == []
    assert notify["errors"][0] == "line 15: NFY block without a name" and notify["errors"][-1].startswith("not screened:")
    assert "(1 not)" in err.splitlines()[-1]


def test_screens_against_the_embedded_list(capsys, tmp_path):
    out = tmp_path / "hits.jsonl"
    code = cli.main(["message", str(BADEGE), "--list", "default", "--limit", "3", "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["surname"], r["screened"]) for r in rows] == [("SMITH", True), ("BADEGE", True)]
    assert rows[0]["hits"] == []
    hit = rows[1]["hits"][0]
    assert (hit["entry_id"], hit["list_id"], hit["band"]) == ("CDi.001", "un-sc", "match")
    assert hit["list_version"] and hit["score"] > 0.9 and hit["features"]["name"] > 0.9 and hit["matched_name"]
    assert "1 with hits" in err and "un-sc@" in err


def test_stdin_and_forced_format(capsys, monkeypatch):
    import io

    data = (FIXTURES / "paxlst_badege.edi").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, rows, err = message(capsys, "-", "--message-format", "paxlst", "--format", "jsonl")
    assert code == 0, err
    assert [r["surname"] for r in rows] == ["SMITH", "BADEGE"] and err.startswith("stdin: paxlst")
    # forcing the wrong format is an input error naming the segment
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, rows, err = message(capsys, "-", "--message-format", "pnrgov")
    assert code == cli.EXIT_INPUT and rows == []
    assert err.strip() == "interdict: stdin: segment 3 (UNH): not a PNRGOV message: UNH says 'PAXLST'"


def test_malformed_message_exits_with_input_error(tmp_path):
    bad = tmp_path / "bad.edi"
    text = (FIXTURES / "paxlst_badege.edi").read_text(encoding="ascii")
    bad.write_text(text.replace("DTM+329:19710101:102'", "DTM+329:19711301:102'").replace("UNT+20+M001'\n", ""), encoding="ascii")
    r = subprocess.run(
        [sys.executable, "-m", "server.cli", "message", str(bad)], capture_output=True, text=True, timeout=120, check=False
    )
    assert r.returncode == cli.EXIT_INPUT and r.stdout == ""
    assert r.stderr.startswith(f"interdict: {bad}: segment ") and "(UNH)" in r.stderr and "UNT" in r.stderr
    assert "Traceback" not in r.stderr


def test_unrecognised_and_missing_files(capsys, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="ascii")
    code, _, err = message(capsys, str(junk))
    assert code == cli.EXIT_INPUT and err.strip() == f"interdict: {junk}: input: unrecognised message format"
    code, _, err = message(capsys, str(tmp_path / "nope.edi"))
    assert code == cli.EXIT_INPUT and "nope.edi: no such file" in err
    code, _, err = message(capsys, str(BADEGE), "--list", str(tmp_path / "nolist.xml"))
    assert code == cli.EXIT_INPUT and "no such file" in err  # the list is resolved as `screen` does


def test_store_list(capsys, tmp_path):
    """--store DIR --list ID: the same list resolution as `interdict screen`."""
    import watchlists

    xml = watchlists.DEFAULT_LIST_PATH
    store = tmp_path / "store"
    assert cli.main(["lists", "import", str(xml), "--store", str(store), "--list-id", "un"]) == 0
    capsys.readouterr()
    code, rows, err = message(capsys, str(BADEGE), "--store", str(store), "--list", "un")
    assert code == 0, err
    assert rows[1]["hits"][0]["entry_id"] == "CDi.001" and rows[1]["hits"][0]["list_id"] == "un"
