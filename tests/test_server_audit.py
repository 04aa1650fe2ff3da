"""server.audit: the hash-chained audit log, its tamper detection, retention and depersonalisation; the CLI."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from server import audit as audit_mod
from server.audit import GENESIS, RETENTION_METHOD, AuditError, AuditLog, verify
from server.cli import main

METHOD = "/interdict.v1.ScreeningService/ScreenPassengers"
QUERY = {"surname": "Kowalczykowska", "given_names": "Zofia", "birth_date": "1983-07-14",
         "document_number": "EK4417392", "nationality": "POL"}
HITS = [[{"list_id": "un-sc", "entry_id": "QDi.999", "score": 0.97, "band": "strong",
          "name": "KOWALCZYKOWSKA, Zofia", "birth_dates": ["1983-07-14"]}]]
PERSONAL = ("kowalczykowska", "zofia", "1983-07-14", "ek4417392")


def _fill(log: AuditLog, n: int = 5) -> list[str]:
    return [log.record(METHOD, "piu", [dict(QUERY, seq=i)], HITS, {"un-sc": "v1"}) for i in range(n)]


def _raw(path: Path) -> sqlite3.Connection:
    """A connection as a tamperer has it: the append-only triggers dropped."""
    db = sqlite3.connect(path, isolation_level=None)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    return db


@pytest.fixture
def log(tmp_path: Path):
    with AuditLog(tmp_path) as log:
        yield log


def test_record_and_verify(log: AuditLog, tmp_path: Path):
    hashes = _fill(log, 5)
    assert log.path == tmp_path / "audit.sqlite"
    assert len(set(hashes)) == 5
    assert log.head() == (5, hashes[-1])
    result = log.verify()
    assert result.ok and result.rows == 5 and result.first_bad_seq is None and result.head == hashes[-1]
    rows = log.rows()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].queries[0]["surname"] == "Kowalczykowska" and rows[0].personal
    assert rows[0].hits == HITS and rows[0].versions == {"un-sc": "v1"} and rows[0].caller == "piu"
    assert rows[0].time.endswith("Z")
    assert [r.seq for r in log.rows(last=2)] == [4, 5]
    db = sqlite3.connect(log.path)
    assert db.execute("SELECT prev_hash FROM entries WHERE seq = 1").fetchone()[0] == GENESIS
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopen_continues_chain(tmp_path: Path):
    with AuditLog(tmp_path) as a:
        _fill(a, 3)
    with AuditLog(tmp_path / "audit.sqlite") as b:
        assert b.head()[0] == 3
        _fill(b, 2)
        assert b.verify().ok and b.verify().rows == 5
        assert b.pseudonym("Zofia") == AuditLog(tmp_path).pseudonym("Zofia")  # same key file


def test_triggers_refuse_changes(log: AuditLog):
    _fill(log, 2)
    db = sqlite3.connect(log.path, isolation_level=None)
    for sql in ("UPDATE entries SET caller = 'x' WHERE seq = 1", "DELETE FROM entries WHERE seq = 2",
                "DELETE FROM payloads WHERE seq = 1", "UPDATE payloads SET pseudo = '{}' WHERE seq = 1",
                "UPDATE payloads SET personal = '{}' WHERE seq = 1"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only|only have their personal data erased"):
            db.execute(sql)
    assert log.verify().ok


@pytest.mark.parametrize(
    "sql, bad_seq, reason",
    [
        ("UPDATE entries SET caller = 'someone-else' WHERE seq = 3", 3, "altered"),
        ("UPDATE entries SET versions = '{\"un-sc\":\"v0\"}' WHERE seq = 2", 2, "altered"),
        ("UPDATE payloads SET personal = replace(personal, 'EK4417392', 'XX0000000') WHERE seq = 4", 4,
         "personal part"),
        ("UPDATE payloads SET pseudo = replace(pseudo, 'strong', 'weak') WHERE seq = 2", 2, "pseudonymised"),
        ("DELETE FROM entries WHERE seq = 3", 3, "sequence broken"),
        ("DELETE FROM payloads WHERE seq = 3", 3, "no payload"),
        ("UPDATE payloads SET personal = NULL WHERE seq = 2", 2, "erased without a retention record"),
    ],
)
def test_tampering_detected(log: AuditLog, sql: str, bad_seq: int, reason: str):
    _fill(log, 5)
    _raw(log.path).execute(sql)
    result = verify(log.path)
    assert not result.ok and result.first_bad_seq == bad_seq and reason in result.reason, result


def test_rehashed_edit_detected_downstream(log: AuditLog):
    """An edit whose row hash is recomputed still breaks the link of the next row."""
    _fill(log, 4)
    db = _raw(log.path)
    row = dict(zip(("seq", "time", "method", "caller", "request_digest", "versions", "pseudo_digest",
                    "personal_digest", "prev_hash"),
                   db.execute("SELECT seq, time, method, caller, request_digest, versions, pseudo_digest,"
                              " personal_digest, prev_hash FROM entries WHERE seq = 2").fetchone()))
    row["caller"] = "forger"
    db.execute("UPDATE entries SET caller = ?, hash = ? WHERE seq = 2",
               (row["caller"], audit_mod.entry_hash(row["prev_hash"], row)))
    result = verify(log.path)
    assert not result.ok and result.first_bad_seq == 3 and "does not link" in result.reason


def test_swapped_rows_detected(log: AuditLog):
    _fill(log, 5)
    db = _raw(log.path)
    cols = "time, method, caller, request_digest, versions, pseudo_digest, personal_digest, prev_hash, hash"
    r2 = db.execute(f"SELECT {cols} FROM entries WHERE seq = 2").fetchone()
    r4 = db.execute(f"SELECT {cols} FROM entries WHERE seq = 4").fetchone()
    sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
    db.execute(f"UPDATE entries SET {sets} WHERE seq = 2", r4)
    db.execute(f"UPDATE entries SET {sets} WHERE seq = 4", r2)
    result = verify(log.path)
    assert not result.ok and result.first_bad_seq == 2


def test_reordered_rowids_detected(log: AuditLog):
    """Rows physically reordered (re-inserted with swapped seq values) are caught by the sequence check."""
    _fill(log, 3)
    db = _raw(log.path)
    rows = db.execute("SELECT * FROM entries ORDER BY seq").fetchall()
    db.execute("DELETE FROM entries")
    db.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?)", [rows[0], rows[2], rows[1]])
    # seq is the rowid: SQLite returns them in seq order again, so the swapped contents must be caught by hash
    db.execute("UPDATE entries SET seq = -seq")
    db.execute("UPDATE entries SET seq = CASE seq WHEN -2 THEN 3 WHEN -3 THEN 2 ELSE -seq END")
    result = verify(log.path)
    assert not result.ok and result.first_bad_seq == 2


def test_truncation_detected_with_anchor(log: AuditLog):
    _fill(log, 4)
    seq, head = log.head()
    assert verify(log.path, anchor=f"{seq}:{head}").ok
    _raw(log.path).execute("DELETE FROM entries WHERE seq = 4")
    _raw(log.path).execute("DELETE FROM payloads WHERE seq = 4")
    assert verify(log.path).ok  # the truncated chain is self-consistent ...
    result = verify(log.path, anchor=f"{seq}:{head}")
    assert not result.ok and "anchor" in result.reason  # ... but not against an earlier head
    with pytest.raises(AuditError, match="bad anchor"):
        verify(log.path, anchor="x:y")
    with pytest.raises(AuditError, match="bad anchor"):  # a digit to str.isdigit(), not to int()
        verify(log.path, anchor=f"\u00b3:{head}")


def test_retention_keeps_chain_verifiable(tmp_path: Path):
    with AuditLog(tmp_path, retention_days=30) as log:
        _fill(log, 4)
        assert log.apply_retention() == 0  # nothing old yet
        later = datetime.now(timezone.utc) + timedelta(days=31)
        assert log.apply_retention(now=later) == 4
        assert log.apply_retention(now=later) == 0  # idempotent
        _fill(log, 2)  # newer rows keep their plaintext
        result = log.verify()
        assert result.ok and result.rows == 7 and result.erased == 4, result
        rows = log.rows()
        assert [r.personal for r in rows] == [False] * 4 + [False] + [True] * 2
        assert rows[4].method == RETENTION_METHOD and rows[4].caller == "system"
        # the pseudonymised payload stays: a later query can still be matched to old hits
        old = rows[0]
        assert old.queries[0]["surname"] == log.pseudonym("KOWALCZYKOWSKA ") == log.pseudonym("kowalczykowska")
        assert old.queries[0]["nationality"] == "POL" and old.hits[0][0]["entry_id"] == "QDi.999"
        db = sqlite3.connect(log.path)
        text = " ".join(r[0] for r in db.execute("SELECT pseudo FROM payloads WHERE seq <= 4")).lower()
        assert not any(v in text for v in PERSONAL)
        assert db.execute("SELECT COUNT(*) FROM payloads WHERE personal IS NULL").fetchone()[0] == 5


def test_retention_disabled_is_noop(log: AuditLog):
    _fill(log, 2)
    assert log.apply_retention(now=datetime.now(timezone.utc) + timedelta(days=10_000)) == 0
    assert all(r.personal for r in log.rows())


def test_depersonalised_rows_hold_no_plaintext(tmp_path: Path):
    with AuditLog(tmp_path, depersonalise=True) as log:
        _fill(log, 3)
        log.record(METHOD, "piu", [{"name": "Zofia KOWALCZYKOWSKA", "document": {"number": "EK4417392"},
                                    "aliases": ["Zosia"]}], [[]], {})
        assert log.verify().ok and log.verify().erased == 0
        row = log.rows()[-1]
        assert not row.personal
        assert row.queries[0]["name"] == log.pseudonym("zofia  kowalczykowska")
        assert row.queries[0]["document"]["number"] == log.pseudonym("EK4417392")
        assert row.queries[0]["aliases"] == [log.pseudonym("Zosia")]
        assert log.rows()[0].hits[0][0]["score"] == 0.97
        # CheckDocuments' query shape (server/rpc/convert.document_dict): the number at the top level
        log.record("/interdict.v1.ScreeningService/CheckDocuments", "piu",
                   [{"number": "EK4417392", "type": "P", "country": "POL"}],
                   [[{"list_id": "sltd", "entry_id": "x", "band": "match", "matched_number": "EK4417392"}]], {})
        doc = log.rows()[-1]
        assert doc.queries[0] == {"number": log.pseudonym("EK4417392"), "type": "P", "country": "POL"}
        assert doc.hits[0][0]["matched_number"] == log.pseudonym("ek4417392")
    raw = b"".join(f.read_bytes() for f in tmp_path.glob("audit.sqlite*")).lower()
    assert not any(v.encode() in raw for v in PERSONAL + ("zosia",))
    key = (tmp_path / "audit.key")
    assert key.exists() and key.stat().st_mode & 0o077 == 0


def test_request_digest_is_keyed(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = AuditLog(tmp_path / "a"), AuditLog(tmp_path / "b")  # each store directory has its own key
    a.record(METHOD, "x", [QUERY], [[]], {})
    a.record(METHOD, "x", [QUERY], [[]], {})
    b.record(METHOD, "x", [QUERY], [[]], {})
    ra, rb = a.rows(), b.rows()
    assert ra[0].request_digest == ra[1].request_digest != rb[0].request_digest
    assert ra[0].request_digest != audit_mod.sha256(audit_mod.canonical([QUERY]))


def test_concurrent_records_keep_chain_linear(log: AuditLog):
    n_threads, per_thread = 8, 150
    hashes: list[str] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for i in range(per_thread):
            h = log.record(METHOD, f"caller-{t}", [dict(QUERY, i=i)], HITS, {"un-sc": "v1"})
            with lock:
                hashes.append(h)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    result = log.verify()
    assert result.ok and result.rows == n_threads * per_thread
    assert len(set(hashes)) == len(hashes)
    db = sqlite3.connect(log.path)
    prevs = [r[0] for r in db.execute("SELECT prev_hash FROM entries ORDER BY seq")]
    assert len(set(prevs)) == len(prevs)  # no fork: every row has a distinct predecessor


def test_throughput(log: AuditLog):
    import time

    n = 1000
    start = time.perf_counter()
    _fill(log, n)
    rate = n / (time.perf_counter() - start)
    assert rate > 500, f"{rate:.0f} records/s"  # ~5000/s measured; generous bound for slow CI


def test_missing_log(tmp_path: Path):
    with pytest.raises(AuditError, match="no audit log"):
        verify(tmp_path / "none.sqlite")


# -- CLI --------------------------------------------------------------------------------------------------------

def test_cli_verify_show_retention(tmp_path: Path, capsys):
    with AuditLog(tmp_path) as log:
        _fill(log, 3)
        seq, head = log.head()
    assert main(["audit", "verify", "--store", str(tmp_path)]) == 0
    assert f"chain intact, 3 rows; head 3:{head}" in capsys.readouterr().out
    assert main(["audit", "verify", "--audit", str(tmp_path / "audit.sqlite"), "--anchor", f"{seq}:{head}",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True

    assert main(["audit", "show", "--store", str(tmp_path), "--last", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count(METHOD) == 2 and "caller=piu" in out and "hits=1" in out and "un-sc@v1" in out
    assert not any(v in out.lower() for v in PERSONAL)  # no payload without --payload
    assert main(["audit", "show", "--store", str(tmp_path), "--last", "1", "--payload", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["payload_queries"][0]["surname"] == "Kowalczykowska"

    assert main(["audit", "retention", "--store", str(tmp_path), "--days", "0"]) == 0
    assert "erased from 3 rows" in capsys.readouterr().out
    assert main(["audit", "verify", "--store", str(tmp_path)]) == 0
    capsys.readouterr()

    _raw(tmp_path / "audit.sqlite").execute("UPDATE entries SET method = 'x' WHERE seq = 2")
    assert main(["audit", "verify", "--store", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "BROKEN at row 2" in err


def test_cli_missing_log(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("INTERDICT_STORE", str(tmp_path / "store"))
    assert main(["audit", "verify"]) == 3
    assert "no audit log" in capsys.readouterr().err
    assert not (tmp_path / "store").exists()


def test_cli_hash_token(capsys, monkeypatch):
    import io

    from server.auth import AuthConfig, hash_token

    monkeypatch.setattr("sys.stdin", io.StringIO("my-token\n"))
    assert main(["auth", "hash-token", "--name", "piu", "--role", "screener", "--role", "list-admin"]) == 0
    out = capsys.readouterr().out
    assert hash_token("my-token") in out
    import tomllib

    cfg = AuthConfig.from_dict(tomllib.loads(out))
    assert cfg.authenticate("my-token").roles == {"screener", "list-admin"}
    assert main(["auth", "hash-token", "--generate"]) == 0
    cap = capsys.readouterr()
    token = cap.err.split(": ")[-1].strip()
    assert AuthConfig.from_dict(tomllib.loads(cap.out)).authenticate(token).name == "client"


def test_clock_stepping_back_keeps_chain_valid(log: AuditLog, monkeypatch):
    _fill(log, 2)
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    monkeypatch.setattr(audit_mod, "_utc", lambda now=None: now or past)
    _fill(log, 2)
    assert log.verify().ok
    times = [r.time for r in log.rows()]
    assert times == sorted(times)


def test_retention_thread(tmp_path: Path, monkeypatch):
    with AuditLog(tmp_path, retention_days=0) as log:
        _fill(log, 3)
        later = timedelta(seconds=1)
        monkeypatch.setattr(audit_mod, "_utc", lambda now=None: (now or datetime.now(timezone.utc)) + later)
        log.start_retention(interval_seconds=0.05)
        import time

        deadline = time.monotonic() + 10
        while any(r.personal for r in log.rows()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(r.personal for r in log.rows())
    assert verify(tmp_path / "audit.sqlite").ok
