"""`interdict audit ...` (the screening audit log, server.audit) and `interdict auth ...` (token file helpers).

    interdict audit verify [--audit PATH | --store DIR] [--anchor SEQ:HASH] [--json]   exit 0 intact, 1 broken
    interdict audit show [--last N] [--payload] [--json] [--audit PATH | --store DIR]
    interdict audit retention --days N [--audit PATH | --store DIR]
    interdict auth hash-token [--generate] [--name NAME] [--role ROLE ...] [--expires WHEN]   token on stdin

The audit log is --audit, else <store>/audit.sqlite with the store from --store, $INTERDICT_STORE or
./interdict-store.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from . import auth
from .audit import DEFAULT_NAME, AuditError, AuditLog, read_rows, verify

DEFAULT_STORE = "interdict-store"
EXIT_BROKEN = 1


def audit_path(args: argparse.Namespace) -> Path:
    if getattr(args, "audit", None):
        return Path(args.audit)
    return Path(args.store or os.environ.get("INTERDICT_STORE") or DEFAULT_STORE) / DEFAULT_NAME


def cmd_verify(args: argparse.Namespace) -> int:
    path = audit_path(args)
    result = verify(path, anchor=args.anchor)
    if args.json:
        print(json.dumps({"path": str(path), **asdict(result)}))
    elif result.ok:
        erased = f", {result.erased} with personal data erased by retention" if result.erased else ""
        print(f"{path}: chain intact, {result.rows} rows{erased}; head {result.rows}:{result.head}")
    else:
        print(f"{path}: chain BROKEN at row {result.first_bad_seq}: {result.reason}", file=sys.stderr)
    return 0 if result.ok else EXIT_BROKEN


def cmd_show(args: argparse.Namespace) -> int:
    path = audit_path(args)
    for row in read_rows(path, last=args.last):
        n_hits = sum(len(h) for h in row.hits if isinstance(h, list))
        if args.json:
            out = {
                "seq": row.seq, "time": row.time, "method": row.method, "caller": row.caller,
                "request_digest": row.request_digest, "versions": row.versions, "hash": row.hash,
                "queries": len(row.queries), "hits": n_hits,
            }
            if args.payload:
                out.update(payload_queries=row.queries, payload_hits=row.hits, plaintext=row.personal)
            print(json.dumps(out, ensure_ascii=False))
            continue
        versions = ",".join(f"{k}@{v}" for k, v in sorted(row.versions.items())) or "-"
        print(
            f"{row.seq:>8}  {row.time}  {row.method}  caller={row.caller}  queries={len(row.queries)}"
            f"  hits={n_hits}  lists={versions}  {row.hash[:16]}"
        )
        if args.payload:
            kind = "plaintext" if row.personal else "pseudonymised"
            print(f"          {kind}: " + json.dumps({"queries": row.queries, "hits": row.hits}, ensure_ascii=False))
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    path = audit_path(args)
    if not path.is_file():
        raise AuditError(f"{path}: no audit log")
    with AuditLog(path, retention_days=args.days) as log:
        n = log.apply_retention()
    print(f"{path}: personal data erased from {n} rows older than {args.days:g} days")
    return 0


def cmd_hash_token(args: argparse.Namespace) -> int:
    if args.generate:
        token = auth.generate_token()
        print(f"token (give to the client, not stored anywhere): {token}", file=sys.stderr)
    else:
        if sys.stdin.isatty():
            import getpass

            token = getpass.getpass("token: ")
        else:
            token = sys.stdin.readline().strip()
        if not token:
            raise AuditError("no token given on stdin (or use --generate)")
    roles = args.role or [auth.SCREENER]
    bad = [r for r in roles if r not in auth.ROLES]
    if bad:
        raise AuditError(f"unknown role(s) {bad}; known roles: {sorted(auth.ROLES)}")
    print("[[tokens]]")
    print(f"name = {json.dumps(args.name)}")
    print(f'sha256 = "{auth.hash_token(token)}"')
    print(f"roles = {json.dumps(roles)}")
    if args.expires:
        expires = auth._expiry(args.expires, "--expires")
        print(f"expires = {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="verify, show and apply retention to the screening audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--audit", help="audit log file (default: <store>/audit.sqlite)")
        g.add_argument("--store", help=f"store directory (default: $INTERDICT_STORE or ./{DEFAULT_STORE})")
        return p

    v = common(audit_sub.add_parser("verify", help="check the hash chain; exit 1 naming the first bad row"))
    v.add_argument("--anchor", help="SEQ:HASH printed by an earlier verify: must still be in the chain")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_verify)

    s = common(audit_sub.add_parser("show", help="the newest rows (no personal data unless --payload)"))
    s.add_argument("--last", type=int, default=20, help="rows to show (default 20)")
    s.add_argument("--payload", action="store_true", help="include queries and hits (personal data where kept)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    r = common(audit_sub.add_parser("retention", help="erase personal data of rows older than --days"))
    r.add_argument("--days", type=float, required=True)
    r.set_defaults(func=cmd_retention)

    a = sub.add_parser("auth", help="bearer-token helpers for the gRPC server's token file")
    a_sub = a.add_subparsers(dest="auth_command", required=True)
    h = a_sub.add_parser("hash-token", help="print a [[tokens]] entry for a token read on stdin")
    h.add_argument("--generate", action="store_true", help="make a new random token (printed on stderr)")
    h.add_argument("--name", default="client", help="the caller's name in the audit log")
    h.add_argument("--role", action="append", choices=sorted(auth.ROLES), help="repeatable (default: screener)")
    h.add_argument("--expires", help="refuse the token from this UTC date or date-time (2027-06-30 or 2027-06-30T12:00:00Z)")
    h.set_defaults(func=cmd_hash_token)


ERRORS = (AuditError, auth.AuthConfigError)
