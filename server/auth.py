"""Authentication and authorisation for the gRPC server: bearer tokens mapped to roles, TLS and mutual TLS.

Token file (TOML). Tokens are stored as SHA-256 hashes, never in plaintext; make one with
`interdict auth hash-token` (reads the token on stdin, or --generate a new one) or `hash_token(token)`::

    [[tokens]]
    name = "piu-targeting"          # the caller's name in the audit log
    sha256 = "9f86d081884c7d65..."  # hex SHA-256 of the token
    roles = ["screener"]

    [[tokens]]
    name = "list-ops"
    sha256 = "..."
    roles = ["list-admin"]
    expires = 2027-06-30T00:00:00Z   # optional: refused from this moment (a date: from 00:00 UTC that day)

Roles: `screener` (ScreeningService, reading WatchlistService) and `list-admin` (changing lists; reading them).
Clients send `authorization: Bearer <token>`. Missing, unknown or expired token: UNAUTHENTICATED; a known token
without a role the method needs: PERMISSION_DENIED. Roles come from the token file only: nothing the client sends
besides the token (other headers, the request) can add one. Health and reflection are open; any method not in METHOD_ROLES is denied
(fail closed: a new RPC must be given its roles here).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

import grpc

from ._rpc import abort_handler

log = logging.getLogger("server.auth")

SCREENER = "screener"
LIST_ADMIN = "list-admin"
ROLES = frozenset({SCREENER, LIST_ADMIN})

OPEN: frozenset[str] = frozenset()  # marker value: no token needed
# Exact method ("/pkg.Service/Method") or service prefix ("/pkg.Service/*") -> roles any one of which suffices.
# Open methods map to OPEN. Exact entries win over prefixes; anything unmatched is denied.
METHOD_ROLES: dict[str, frozenset[str] | None] = {
    "/interdict.v1.ScreeningService/*": frozenset({SCREENER}),
    "/interdict.v1.WatchlistService/ImportList": frozenset({LIST_ADMIN}),
    "/interdict.v1.WatchlistService/UpsertEntries": frozenset({LIST_ADMIN}),
    "/interdict.v1.WatchlistService/DeleteEntries": frozenset({LIST_ADMIN}),
    "/interdict.v1.WatchlistService/ActivateVersion": frozenset({LIST_ADMIN}),
    "/interdict.v1.WatchlistService/ListWatchlists": frozenset({SCREENER, LIST_ADMIN}),
    "/interdict.v1.WatchlistService/GetEntry": frozenset({SCREENER, LIST_ADMIN}),
    "/interdict.v1.WatchlistService/ListVersions": frozenset({SCREENER, LIST_ADMIN}),
    "/grpc.health.v1.Health/*": OPEN,
    "/grpc.reflection.*": OPEN,  # v1 and v1alpha
}

ANONYMOUS = "anonymous"
_caller: contextvars.ContextVar[str] = contextvars.ContextVar("interdict_caller", default=ANONYMOUS)
_roles: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("interdict_roles", default=frozenset())

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class AuthConfigError(ValueError):
    """A token file that cannot be used; the message names the file and the entry."""


def hash_token(token: str) -> str:
    """Hex SHA-256 of a bearer token, as stored in the token file."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_token() -> str:
    """A new random bearer token (256 bits, URL-safe)."""
    import secrets

    return secrets.token_urlsafe(32)


def current_caller() -> str:
    """The token name of the caller of the RPC being handled ('anonymous' outside an authenticated RPC)."""
    return _caller.get()


def current_roles() -> frozenset[str]:
    return _roles.get()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class TokenEntry:
    name: str
    sha256: str
    roles: frozenset[str]
    expires: dt.datetime | None = None  # UTC; None: never

    def __repr__(self) -> str:  # no hash in reprs / logs
        until = f", expires={self.expires.isoformat()}" if self.expires else ""
        return f"TokenEntry(name={self.name!r}, roles={sorted(self.roles)}{until})"

    def expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires is not None and (now or _utcnow()) >= self.expires


def _expiry(value: Any, where: str) -> dt.datetime | None:
    """TOML offset or local date-time (local = UTC), a date (00:00 UTC that day) or an ISO 8601 string."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise AuthConfigError(f"{where}: 'expires' {value!r} is not an ISO 8601 date or date-time") from None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    raise AuthConfigError(f"{where}: 'expires' must be a date or date-time (2027-06-30T00:00:00Z), got {type(value).__name__}")


@dataclass(frozen=True)
class AuthConfig:
    tokens: tuple[TokenEntry, ...] = ()
    source: str = "<memory>"
    _digests: tuple[bytes, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_digests", tuple(bytes.fromhex(t.sha256) for t in self.tokens))

    @classmethod
    def load(cls, path: str | Path) -> AuthConfig:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as e:
            raise AuthConfigError(f"{p}: cannot read token file: {e.strerror or e}") from e
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise AuthConfigError(f"{p}: not a valid TOML token file: {e}") from e
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<memory>") -> AuthConfig:
        unknown = set(data) - {"tokens"}
        if unknown:
            raise AuthConfigError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected [[tokens]]")
        raw = data.get("tokens", [])
        if not isinstance(raw, list):
            raise AuthConfigError(f"{source}: 'tokens' must be an array of tables ([[tokens]])")
        entries: list[TokenEntry] = []
        seen: dict[str, str] = {}
        for i, item in enumerate(raw):
            where = f"{source}: tokens[{i}]"
            if not isinstance(item, Mapping):
                raise AuthConfigError(f"{where}: must be a table")
            name = item.get("name")
            if isinstance(name, str) and name:
                where += f" ({name!r})"
            if "token" in item:
                raise AuthConfigError(
                    f"{where}: plaintext 'token' is not accepted; store sha256 = the output of "
                    "`interdict auth hash-token`"
                )
            extra = set(item) - {"name", "sha256", "roles", "expires"}
            if extra:
                raise AuthConfigError(f"{where}: unknown key(s) {sorted(extra)}; expected name, sha256, roles, expires")
            if not isinstance(name, str) or not name.strip():
                raise AuthConfigError(f"{where}: 'name' must be a non-empty string")
            digest = item.get("sha256")
            if not isinstance(digest, str) or not _HEX64.match(digest.strip().lower()):
                raise AuthConfigError(f"{where}: 'sha256' must be 64 hex digits (the SHA-256 of the token)")
            digest = digest.strip().lower()
            roles = item.get("roles")
            if isinstance(roles, str):
                roles = [roles]
            if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
                raise AuthConfigError(f"{where}: 'roles' must be a non-empty list of {sorted(ROLES)}")
            bad = [r for r in roles if r not in ROLES]
            if bad:
                raise AuthConfigError(f"{where}: unknown role(s) {bad}; known roles: {sorted(ROLES)}")
            if digest in seen:
                raise AuthConfigError(f"{where}: same token hash as {seen[digest]!r}")
            seen[digest] = name
            entries.append(TokenEntry(name=name, sha256=digest, roles=frozenset(roles), expires=_expiry(item.get("expires"), where)))
        return cls(tokens=tuple(entries), source=source)

    def authenticate(self, token: str | None, now: dt.datetime | None = None) -> TokenEntry | None:
        """The entry for `token` if it is known and not expired, else None."""
        entry, refusal = self.check(token, now)
        return None if refusal else entry

    def check(self, token: str | None, now: dt.datetime | None = None) -> tuple[TokenEntry | None, str]:
        """(entry, "") for a valid token; else (entry or None, why: "missing", "unknown" or "expired").
        Compares the token's hash with every entry (constant time each)."""
        if not token:
            return None, "missing"
        presented = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        found: TokenEntry | None = None
        for entry, digest in zip(self.tokens, self._digests):
            if hmac.compare_digest(presented, digest) and found is None:
                found = entry
        if found is None:
            return None, "unknown"
        if found.expired(now):
            return found, "expired"
        return found, ""


def required_roles(
    method: str, method_roles: Mapping[str, frozenset[str] | None] = METHOD_ROLES
) -> frozenset[str] | None:
    """Roles any one of which allows `method`; OPEN (empty) when no token is needed; None when denied to all."""
    if method in method_roles:
        return method_roles[method]
    best: tuple[int, frozenset[str] | None] | None = None
    for pattern, roles in method_roles.items():
        if pattern.endswith("*") and method.startswith(pattern[:-1]):
            if best is None or len(pattern) > best[0]:
                best = (len(pattern), roles)
    return best[1] if best else None


def bearer_token(metadata: Iterable[tuple[str, Any]] | None) -> str | None:
    for key, value in metadata or ():
        if key.lower() == "authorization":
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            scheme, _, token = str(value).strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


class _AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, config: AuthConfig, method_roles: Mapping[str, frozenset[str] | None]) -> None:
        self.config = config
        self.method_roles = dict(method_roles)

    async def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        method = handler_call_details.method
        needed = required_roles(method, self.method_roles)
        handler = await continuation(handler_call_details)
        if (needed is not None and not needed) or handler is None:  # open; or no such method: UNIMPLEMENTED
            return handler
        entry, refusal = self.config.check(bearer_token(handler_call_details.invocation_metadata))
        if refusal == "expired":
            log.info("rejected %s for %s: token expired", method, entry.name)
            return abort_handler(handler, grpc.StatusCode.UNAUTHENTICATED, "bearer token expired")
        if entry is None or refusal:
            log.info("rejected %s: unauthenticated", method)
            return abort_handler(handler, grpc.StatusCode.UNAUTHENTICATED, "missing or unknown bearer token")
        if needed is None or not (entry.roles & needed):
            log.info("rejected %s for %s: permission denied", method, entry.name)
            return abort_handler(
                handler, grpc.StatusCode.PERMISSION_DENIED,
                f"caller {entry.name!r} lacks a role for {method}" + (f" (needs {sorted(needed)})" if needed else ""),
            )
        # grpc.aio runs the interceptors and then the handler in one contextvars.Context per call: set here,
        # the caller is seen by the handler (and by its work in the thread pool, which copies the context).
        _caller.set(entry.name)
        _roles.set(entry.roles)
        return handler


def auth_interceptor(
    config: AuthConfig, method_roles: Mapping[str, frozenset[str] | None] = METHOD_ROLES
) -> grpc.aio.ServerInterceptor:
    """A grpc.aio server interceptor enforcing `config`'s tokens and `method_roles` on every RPC (unary and streaming)."""
    return _AuthInterceptor(config, method_roles)


def _read(path: str | Path, what: str) -> bytes:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise AuthConfigError(f"{p}: cannot read {what}: {e.strerror or e}") from e
    if b"-----BEGIN" not in data:
        raise AuthConfigError(f"{p}: {what} is not PEM (no -----BEGIN line)")
    return data


def server_credentials(
    cert_file: str | Path, key_file: str | Path, client_ca_file: str | Path | None = None
) -> grpc.ServerCredentials:
    """TLS server credentials; with `client_ca_file`, mutual TLS: clients must present a certificate it signed."""
    cert = _read(cert_file, "server certificate")
    key = _read(key_file, "server private key")
    ca = _read(client_ca_file, "client CA certificate") if client_ca_file else None
    return grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=ca, require_client_auth=ca is not None
    )
