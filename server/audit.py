"""Append-only, hash-chained audit log of screening requests and their hits (SQLite, `<store>/audit.sqlite`).

Layout
  entries(seq, time, method, caller, request_digest, versions, pseudo_digest, personal_digest, prev_hash, hash)
      the chain. hash = SHA-256(prev_hash || canonical JSON of the other columns); prev_hash of seq 1 is 64 '0'.
  payloads(seq, pseudo, personal)
      pseudo:   the queries and hits with every personal field (names, birth dates, document numbers, ...; see
                server.logsafe.PERSONAL_FIELDS) replaced by a keyed hash "k:<hex>" (HMAC-SHA-256 with the key in
                `audit.key` next to the log, over the casefolded, whitespace-collapsed value). Always kept.
      personal: the queries and hits as given, plaintext. NULL from the start with depersonalise=True; set to NULL
                by apply_retention for rows older than retention_days.
  The chain covers SHA-256 of both payload texts, so a payload cannot be altered without breaking the chain but
  `personal` can be erased. Erasure is itself recorded: apply_retention appends an `interdict.audit/Retention` row
  naming the last seq it erased, and verify rejects an erased row that no later retention row covers.

The request digest is a keyed hash (HMAC) of the canonical queries, so the same request can be recognised without
exposing a guessable plain digest of a name and birth date. `pseudonym(value)` gives the keyed hash of a value, to
find depersonalised rows about a person in a later query.

SQLite triggers refuse UPDATE / DELETE on entries and anything but erasing `personal` on payloads; verify detects
edits, deletions (gaps), insertions and reordering made by someone who bypasses them. Truncating the newest rows is
only detectable against a head recorded elsewhere: `head()` / `interdict audit verify --anchor SEQ:HASH`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from .logsafe import is_personal_field

log = logging.getLogger("server.audit")

GENESIS = "0" * 64
DEFAULT_NAME = "audit.sqlite"
KEY_NAME = "audit.key"
RETENTION_METHOD = "interdict.audit/Retention"
SCHEMA_VERSION = "1"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    method TEXT NOT NULL,
    caller TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    versions TEXT NOT NULL,
    pseudo_digest TEXT NOT NULL,
    personal_digest TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payloads (seq INTEGER PRIMARY KEY, pseudo TEXT NOT NULL, personal TEXT);
CREATE INDEX IF NOT EXISTS entries_time ON entries(time);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS payloads_no_delete BEFORE DELETE ON payloads
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS payloads_erase_only BEFORE UPDATE ON payloads
    WHEN NEW.seq IS NOT OLD.seq OR NEW.pseudo IS NOT OLD.pseudo OR NEW.personal IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'audit payloads can only have their personal data erased'); END;
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '{SCHEMA_VERSION}');
"""


class AuditError(Exception):
    pass


def canonical(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept; non-JSON values (dates, ...) as str."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    fields = {k: row[k] for k in (
        "seq", "time", "method", "caller", "request_digest", "versions", "pseudo_digest", "personal_digest"
    )}
    return sha256(prev_hash + canonical(fields))


def _utc(now: datetime | None = None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)


def _timestamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # fixed width: sorts as text


def _normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    reason: str = ""
    head: str = GENESIS
    erased: int = 0

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class AuditRow:
    seq: int
    time: str
    method: str
    caller: str
    request_digest: str
    versions: dict[str, str]
    hash: str
    queries: list[Any]
    hits: list[Any]
    personal: bool  # the payload shown is the plaintext one (else keyed hashes)


class AuditLog:
    """The audit log at `path` (a file, or a store directory meaning `<dir>/audit.sqlite`); created when absent."""

    def __init__(
        self, path: str | Path, retention_days: float | None = None, depersonalise: bool = False,
        key_file: str | Path | None = None,
    ) -> None:
        p = Path(path)
        if p.is_dir():
            p = p / DEFAULT_NAME
        p.parent.mkdir(parents=True, exist_ok=True)
        if retention_days is not None and retention_days < 0:
            raise ValueError("retention_days must be >= 0")
        self.path = p
        self.retention_days = retention_days
        self.depersonalise = depersonalise
        self.key_file = Path(key_file) if key_file else p.parent / KEY_NAME
        self._key = _load_or_create_key(self.key_file)
        self._lock = threading.Lock()
        self._retention_stop: threading.Event | None = None
        self._retention_thread: threading.Thread | None = None
        self._db = sqlite3.connect(p, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._seq, self._head, self._last_time = self._read_head()

    # -- writing -----------------------------------------------------------------------------------------------
    def record(
        self, method: str, caller: str, queries: Sequence[Mapping[str, Any]],
        hits: Sequence[Sequence[Mapping[str, Any]]], versions: Mapping[str, str],
    ) -> str:
        """Append one screening request (its queries, the hits per query, the list versions used); its hash."""
        queries = list(queries)
        hits = [list(h) for h in hits]
        return self._append(method, caller, queries, hits, dict(versions), note=None)

    def _append(
        self, method: str, caller: str, queries: list[Any], hits: list[Any], versions: dict[str, str],
        note: Mapping[str, Any] | None, erase_through: int | None = None,
    ) -> str:
        # everything but the chain link is computed outside the lock
        plain = {"queries": queries, "hits": hits}
        pseudo_obj: dict[str, Any] = {"queries": self._pseudo(queries), "hits": self._pseudo(hits)}
        if note:
            pseudo_obj["note"] = dict(note)
        pseudo = canonical(pseudo_obj)
        personal = None if self.depersonalise or note else canonical(plain)
        request_digest = hmac.digest(self._key, canonical(queries).encode("utf-8"), "sha256").hex()
        row = {
            "method": str(method), "caller": str(caller), "request_digest": request_digest,
            "versions": canonical({str(k): str(v) for k, v in versions.items()}),
            "pseudo_digest": sha256(pseudo), "personal_digest": sha256(personal) if personal is not None else None,
        }
        with self._lock:
            seq = self._seq + 1
            row["seq"] = seq
            # never earlier than the previous row, even if the wall clock steps back (verify checks the order)
            row["time"] = max(_timestamp(_utc()), self._last_time)
            row["prev_hash"] = self._head
            row["hash"] = entry_hash(self._head, row)
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT INTO entries(seq, time, method, caller, request_digest, versions, pseudo_digest,"
                    " personal_digest, prev_hash, hash) VALUES (:seq, :time, :method, :caller, :request_digest,"
                    " :versions, :pseudo_digest, :personal_digest, :prev_hash, :hash)", row,
                )
                db.execute("INSERT INTO payloads(seq, pseudo, personal) VALUES (?, ?, ?)", (seq, pseudo, personal))
                if erase_through is not None:
                    db.execute(
                        "UPDATE payloads SET personal = NULL WHERE seq <= ? AND personal IS NOT NULL",
                        (erase_through,),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self._seq, self._head, self._last_time = seq, row["hash"], row["time"]
            return row["hash"]

    def apply_retention(self, now: datetime | None = None, caller: str = "system") -> int:
        """Erase the plaintext personal data of rows older than retention_days; the number of rows erased.

        The pseudonymised payload (keyed hashes) and the chain stay, so verify still passes. The erasure is
        recorded as a chain row of its own. No-op without retention_days.
        """
        if self.retention_days is None:
            return 0
        cutoff = _timestamp(_utc(now) - timedelta(days=self.retention_days))
        with self._lock:
            (through,) = self._db.execute("SELECT MAX(seq) FROM entries WHERE time < ?", (cutoff,)).fetchone()
            if through is None:
                return 0
            (n,) = self._db.execute(
                "SELECT COUNT(*) FROM payloads WHERE seq <= ? AND personal IS NOT NULL", (through,)
            ).fetchone()
        if n == 0:
            return 0
        note = {"retention": {"days": self.retention_days, "before": cutoff, "erased_through_seq": through}}
        self._append(RETENTION_METHOD, caller, [], [], {}, note=note, erase_through=through)
        return n

    def start_retention(self, interval_seconds: float = 3600.0) -> None:
        """Apply retention now and then every `interval_seconds` in a daemon thread (stopped by close())."""
        if self.retention_days is None or self._retention_stop is not None:
            return
        stop = self._retention_stop = threading.Event()

        def run() -> None:
            while True:
                try:
                    self.apply_retention()
                except Exception:  # noqa: BLE001 - keep trying; the reason goes to the log, no payloads
                    log.exception("audit retention failed")
                if stop.wait(interval_seconds):
                    return

        self._retention_thread = threading.Thread(target=run, name="audit-retention", daemon=True)
        self._retention_thread.start()

    # -- pseudonyms --------------------------------------------------------------------------------------------
    def pseudonym(self, value: Any) -> str:
        """The keyed hash stored for `value` in depersonalised payloads ("k:" + 32 hex digits)."""
        text = _normalise(value) if isinstance(value, str) else canonical(value)
        return "k:" + hmac.digest(self._key, text.encode("utf-8"), "sha256").hex()[:32]

    def _pseudo(self, obj: Any, personal: bool = False) -> Any:
        t = type(obj)
        if t is dict or (t is not str and isinstance(obj, Mapping)):
            pseudo = self._pseudo
            return {k: pseudo(v, personal or is_personal_field(k)) for k, v in obj.items()}
        if t is list or t is tuple:
            return [self._pseudo(v, personal) for v in obj]
        if not personal or obj is None or obj == "":
            return obj
        if t is str:  # the common case of pseudonym(), inlined
            text = " ".join(unicodedata.normalize("NFKC", obj).casefold().split())
            return "k:" + hmac.digest(self._key, text.encode("utf-8"), "sha256").hex()[:32]
        return self.pseudonym(obj)

    # -- reading -----------------------------------------------------------------------------------------------
    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest row: keep it elsewhere to detect truncation later."""
        with self._lock:
            return self._seq, self._head

    def verify(self, anchor: str | None = None) -> VerifyResult:
        return verify(self.path, anchor=anchor)

    def rows(self, last: int | None = None) -> list[AuditRow]:
        return list(read_rows(self.path, last=last))

    def _read_head(self) -> tuple[int, str, str]:
        r = self._db.execute("SELECT seq, hash, time FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return (r[0], r[1], r[2]) if r else (0, GENESIS, "")

    def close(self) -> None:
        if self._retention_stop is not None:
            self._retention_stop.set()
            self._retention_thread.join(timeout=10)
            self._retention_stop = None
        with self._lock:
            self._db.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _load_or_create_key(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return _load_or_create_key(path)
        with os.fdopen(fd, "wb") as f:
            f.write(key.hex().encode("ascii") + b"\n")
        return key
    try:
        key = bytes.fromhex(data.decode("ascii").strip())
    except ValueError as e:
        raise AuditError(f"{path}: not an audit key (64 hex digits)") from e
    if len(key) < 16:
        raise AuditError(f"{path}: audit key too short")
    return key


def _connect_ro(path: str | Path) -> sqlite3.Connection:
    p = Path(path)
    if p.is_dir():
        p = p / DEFAULT_NAME
    if not p.is_file():
        raise AuditError(f"{p}: no audit log")
    return sqlite3.connect(f"file:{p}?mode=ro", uri=True, timeout=30)


def verify(path: str | Path, anchor: str | None = None) -> VerifyResult:
    """Check the chain of the audit log at `path`: links, hashes, payload digests, sequence and erasures.

    `anchor` "SEQ:HASH" (or just a hash) recorded earlier must still be in the chain (detects truncation).
    """
    db = _connect_ro(path)
    try:
        return _verify(db, anchor)
    except sqlite3.DatabaseError as e:
        return VerifyResult(False, 0, None, f"unreadable audit database: {e}")
    finally:
        db.close()


def _verify(db: sqlite3.Connection, anchor: str | None) -> VerifyResult:
    anchor_seq, anchor_hash = None, None
    if anchor:
        a_seq, sep, a_hash = anchor.strip().rpartition(":")
        anchor_hash = a_hash.lower()
        if len(anchor_hash) != 64 or (sep and not (a_seq.isascii() and a_seq.isdigit())):
            raise AuditError(f"bad anchor {anchor!r}: expected SEQ:HASH (64 hex digits), as printed by verify")
        anchor_seq = int(a_seq) if sep else None
    cur = db.execute(
        "SELECT e.seq, e.time, e.method, e.caller, e.request_digest, e.versions, e.pseudo_digest,"
        " e.personal_digest, e.prev_hash, e.hash, p.seq, p.pseudo, p.personal"
        " FROM entries e LEFT JOIN payloads p ON p.seq = e.seq ORDER BY e.rowid"
    )
    prev, expected_seq, rows = GENESIS, 1, 0
    erased: list[int] = []
    covered = 0
    anchor_found = anchor is None
    last_time = ""

    def bad(seq: int | None, reason: str) -> VerifyResult:
        return VerifyResult(False, rows, seq, reason, prev, len(erased))

    for r in cur:
        row = dict(zip(("seq", "time", "method", "caller", "request_digest", "versions", "pseudo_digest",
                        "personal_digest", "prev_hash", "hash"), r[:10]))
        p_seq, pseudo, personal = r[10:]
        seq = row["seq"]
        if seq != expected_seq:
            return bad(expected_seq if seq > expected_seq else seq,
                       f"sequence broken: expected row {expected_seq}, found {seq} (rows deleted or reordered)")
        if row["prev_hash"] != prev:
            return bad(seq, f"row {seq} does not link to row {seq - 1} (prev_hash differs)")
        if entry_hash(prev, row) != row["hash"]:
            return bad(seq, f"row {seq} was altered (its hash does not match its contents)")
        if row["time"] < last_time:
            return bad(seq, f"row {seq} is dated before row {seq - 1}")
        if p_seq is None:
            return bad(seq, f"row {seq} has no payload (deleted)")
        if sha256(pseudo) != row["pseudo_digest"]:
            return bad(seq, f"row {seq}: payload altered (pseudonymised part)")
        if personal is not None:
            if row["personal_digest"] is None or sha256(personal) != row["personal_digest"]:
                return bad(seq, f"row {seq}: payload altered (personal part)")
        elif row["personal_digest"] is not None:
            erased.append(seq)
        if row["method"] == RETENTION_METHOD:
            try:
                covered = max(covered, int(json.loads(pseudo)["note"]["retention"]["erased_through_seq"]))
            except (ValueError, KeyError, TypeError):
                return bad(seq, f"row {seq}: malformed retention record")
        if anchor_hash and row["hash"] == anchor_hash and anchor_seq in (None, seq):
            anchor_found = True
        prev, last_time, expected_seq, rows = row["hash"], row["time"], seq + 1, rows + 1
    uncovered = [s for s in erased if s > covered]
    if uncovered:
        return bad(uncovered[0], f"row {uncovered[0]}: personal data erased without a retention record")
    (orphans,) = db.execute("SELECT COUNT(*) FROM payloads WHERE seq NOT IN (SELECT seq FROM entries)").fetchone()
    if orphans:
        (s,) = db.execute("SELECT MIN(seq) FROM payloads WHERE seq NOT IN (SELECT seq FROM entries)").fetchone()
        return bad(s, f"payload {s} has no chain row (chain row deleted)")
    if not anchor_found:
        return bad(anchor_seq, f"anchor {anchor} not found in the chain (rows truncated or replaced)")
    return VerifyResult(True, rows, None, "", prev, len(erased))


def read_rows(path: str | Path, last: int | None = None) -> Iterator[AuditRow]:
    """Rows oldest first (the newest `last` only, if given); plaintext payload when kept, else the pseudonymised."""
    db = _connect_ro(path)
    try:
        sql = (
            "SELECT e.seq, e.time, e.method, e.caller, e.request_digest, e.versions, e.hash, p.pseudo, p.personal"
            " FROM entries e LEFT JOIN payloads p ON p.seq = e.seq"
        )
        if last is not None:
            sql = f"SELECT * FROM ({sql} ORDER BY e.seq DESC LIMIT {int(last)}) ORDER BY seq"
        else:
            sql += " ORDER BY e.seq"
        for seq, time, method, caller, digest, versions, h, pseudo, personal in db.execute(sql):
            payload = json.loads(personal if personal is not None else (pseudo or '{"queries":[],"hits":[]}'))
            yield AuditRow(
                seq, time, method, caller, digest, json.loads(versions), h,
                payload.get("queries", []), payload.get("hits", []), personal is not None,
            )
    finally:
        db.close()
