"""Security of the real gRPC services (server/rpc with server.auth), beyond tests/test_server_auth.py's
interceptor tests on stand-in handlers: every method without a token, with a wrong, malformed or expired
one; role escalation (a screener's token on every list-changing method, with forged role headers, a second
authorization header, the request itself claiming a role) refused with the store unchanged; and
`interdict serve` over TLS and mutual TLS with generated certificates (a client without a certificate,
with one from another CA or an expired one, and a plaintext client are refused), its log free of the
personal data screened and of the tokens.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")

from pki import make_pki
from serve_process import serve

from server import auth
from server.auth import hash_token
from server.proto_gen.interdict.v1 import common_pb2 as c
from server.proto_gen.interdict.v1 import screening_pb2 as s
from server.proto_gen.interdict.v1 import screening_pb2_grpc, watchlist_pb2_grpc
from server.proto_gen.interdict.v1 import watchlist_pb2 as w
from server.rpc import Security, ServerState, start

FIXTURES = Path(__file__).parent / "fixtures"
SCREENER, ADMIN, OLD = "screener-token-7f3a", "admin-token-91c2", "expired-token-55e0"
ADMIN_METHODS = {"ImportList", "UpsertEntries", "DeleteEntries", "ActivateVersion"}
METHODS = [
    m for fd in (s.DESCRIPTOR, w.DESCRIPTOR) for svc in fd.services_by_name.values() for m in svc.methods
]


def tokens_toml(expired_at: str = "2020-01-01T00:00:00Z") -> str:
    return (
        f'[[tokens]]\nname = "piu"\nsha256 = "{hash_token(SCREENER)}"\nroles = ["screener"]\nexpires = 2999-01-01\n'
        f'[[tokens]]\nname = "list-ops"\nsha256 = "{hash_token(ADMIN)}"\nroles = ["list-admin"]\n'
        f'[[tokens]]\nname = "old-piu"\nsha256 = "{hash_token(OLD)}"\nroles = ["screener", "list-admin"]\n'
        f'expires = {expired_at}\n'
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("security")
    (tmp / "tokens.toml").write_text(tokens_toml())
    state = ServerState.create(str(tmp / "store"))
    srv = start(state, port=0, max_workers=4, security=Security(auth_file=str(tmp / "tokens.toml")))
    with grpc.insecure_channel(f"127.0.0.1:{srv.port}") as ch:
        lists = watchlist_pb2_grpc.WatchlistServiceStub(ch)
        lists.ImportList(iter([w.ImportListRequest(file_name="eu_small.xml", chunk=(FIXTURES / "eu_small.xml").read_bytes())]),
                         metadata=_md(ADMIN), timeout=60)
    yield srv
    srv.stop(grace=1)


@pytest.fixture(scope="module")
def channel(running):
    with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
        yield ch


def _md(token: str | None, *extra: tuple[str, str]) -> tuple:
    return ((("authorization", f"Bearer {token}"),) if token else ()) + extra


def _valid(name: str) -> list[bytes]:
    msgs = {
        "ScreenPassengers": [s.ScreenPassengersRequest(passengers=[c.Passenger(name="Eric Badege")])],
        "ScreenPassengerStream": [s.ScreenPassengerStreamRequest(passenger=c.Passenger(name="Eric Badege"))],
        "ScreenShipments": [s.ScreenShipmentsRequest(shipments=[s.Shipment(shipper=s.Party(name="Acme LLC"))])],
        "CheckDocuments": [s.CheckDocumentsRequest(documents=[c.TravelDocument(number="AB123456")])],
        "ScreenMessage": [s.ScreenMessageRequest(content=(FIXTURES / "messages" / "paxlst_badege.edi").read_bytes())],
        "ExplainMatch": [s.ExplainMatchRequest(passenger=c.Passenger(name="Eric Badege"), list_id="eu-fsf", entry_id="x")],
        "ImportList": [w.ImportListRequest(list_id="eu-fsf", file_name="eu_small.xml", chunk=(FIXTURES / "eu_small.xml").read_bytes())],
        "UpsertEntries": [w.UpsertEntriesRequest(list_id="eu-fsf", entries=[c.Entry(id="ESC-1", names=["Escalation Attempt"])])],
        "DeleteEntries": [w.DeleteEntriesRequest(list_id="eu-fsf", entry_ids=["ESC-1"])],
        "ListWatchlists": [w.ListWatchlistsRequest()],
        "GetEntry": [w.GetEntryRequest(list_id="eu-fsf", entry_id="x")],
        "ListVersions": [w.ListVersionsRequest(list_id="eu-fsf")],
        "ActivateVersion": [w.ActivateVersionRequest(list_id="eu-fsf", version="v000001")],
    }[name]
    return [m.SerializeToString() for m in msgs]


def _code(channel, method, metadata, payload: list[bytes] | None = None) -> tuple[grpc.StatusCode, str]:
    ident = {"request_serializer": lambda b: b, "response_deserializer": lambda b: b}
    path = f"/{method.containing_service.full_name}/{method.name}"
    msgs = payload if payload is not None else _valid(method.name)
    try:
        if method.client_streaming and method.server_streaming:
            list(channel.stream_stream(path, **ident)(iter(msgs), metadata=metadata, timeout=30))
        elif method.client_streaming:
            channel.stream_unary(path, **ident)(iter(msgs), metadata=metadata, timeout=30)
        else:
            channel.unary_unary(path, **ident)(msgs[0], metadata=metadata, timeout=30)
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as e:
        return e.code(), e.details() or ""


def _versions(running) -> list[str]:
    return [v.version for v in running.state.store.versions("eu-fsf")]


@pytest.mark.parametrize("metadata, why", [
    ((), "no token"),
    (_md("not-a-token"), "unknown token"),
    (_md(OLD), "expired token"),
    ((("authorization", SCREENER),), "no scheme"),
    ((("authorization", f"Basic {SCREENER}"),), "another scheme"),
    ((("authorization", "Bearer"),), "scheme alone"),
    ((("authorization", f"Bearer {SCREENER} {SCREENER}"),), "two tokens"),
    ((("authorization", f"Bearer {SCREENER}x"),), "token with a byte more"),
    ((("authorization", f"Bearer {SCREENER[:-1]}"),), "token with a byte less"),
    ((("authorization", "Bearer " + "A" * 6000),), "huge token"),
    ((("authorization-bin", SCREENER.encode()),), "binary header"),
    ((("x-api-key", SCREENER),), "another header"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_every_method_refuses_callers_without_a_valid_token(channel, running, metadata, why):
    before = _versions(running)
    for method in METHODS:
        code, details = _code(channel, method, metadata)
        assert code == grpc.StatusCode.UNAUTHENTICATED, (why, method.name, code, details)
        if why == "expired token":
            assert details == "bearer token expired"
    assert _versions(running) == before


def test_a_refused_caller_is_not_parsed(channel):
    """Garbage bytes without a token: UNAUTHENTICATED, not INVALID_ARGUMENT (auth comes before any parse)."""
    method = next(m for m in METHODS if m.name == "ScreenPassengers")
    assert _code(channel, method, (), [b"\xff" * 32])[0] == grpc.StatusCode.UNAUTHENTICATED
    assert _code(channel, method, _md(SCREENER), [b"\xff" * 32])[0] == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("forged", [
    (),
    (("x-interdict-role", "list-admin"),),
    (("roles", "list-admin"), ("role", "list-admin")),
    (("x-forwarded-user", "list-ops"), ("x-caller", "list-ops")),
    (("authorization", f"Bearer {ADMIN}"),),  # a second authorization header: the first is the one read
], ids=["plain", "role-header", "roles-headers", "identity-headers", "second-authorization"])
def test_role_escalation_is_refused(channel, running, forged):
    before = _versions(running)
    for method in METHODS:
        code, details = _code(channel, method, _md(SCREENER, *forged))
        if method.name in ADMIN_METHODS:
            assert code == grpc.StatusCode.PERMISSION_DENIED, (method.name, code, details)
            assert "'piu' lacks a role" in details
        else:
            assert code not in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED), (method.name, code, details)
    assert _versions(running) == before


def test_least_privilege_and_the_admin_role(channel, running):
    """A list-admin token cannot screen; it can change lists (the positive control of the escalation test)."""
    for method in METHODS:
        code, _ = _code(channel, method, _md(ADMIN))
        if method.containing_service.name == "ScreeningService":
            assert code == grpc.StatusCode.PERMISSION_DENIED, method.name
    store = running.state.store
    assert store.watchlist("eu-fsf").get("ESC-1") is None  # no escalation attempt got through
    for name in ("UpsertEntries", "DeleteEntries"):
        assert _code(channel, next(m for m in METHODS if m.name == name), _md(ADMIN)) == (grpc.StatusCode.OK, "")
        assert store.active("eu-fsf").change == name.removesuffix("Entries").lower()


def test_a_token_expires_while_the_server_runs(channel, monkeypatch):
    method = next(m for m in METHODS if m.name == "ListWatchlists")
    assert _code(channel, method, _md(SCREENER))[0] == grpc.StatusCode.OK
    monkeypatch.setattr(auth, "_utcnow", lambda: dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc))
    code, details = _code(channel, method, _md(SCREENER))
    assert code == grpc.StatusCode.UNAUTHENTICATED and details == "bearer token expired"


@pytest.mark.parametrize("value, message", [
    ('"next tuesday"', "is not an ISO 8601 date"),
    ("12", "must be a date or date-time"),
])
def test_bad_expiry_is_named(tmp_path, value, message):
    p = tmp_path / "t.toml"
    p.write_text(f'[[tokens]]\nname = "x"\nsha256 = "{hash_token("a")}"\nroles = ["screener"]\nexpires = {value}\n')
    with pytest.raises(auth.AuthConfigError, match=rf"tokens\[0\] \('x'\): 'expires'.*{message}"):
        auth.AuthConfig.load(p)


def test_expiry_forms():
    utc = dt.timezone.utc
    assert auth._expiry(dt.date(2030, 1, 2), "x") == dt.datetime(2030, 1, 2, tzinfo=utc)
    assert auth._expiry("2030-01-02T03:04:05Z", "x") == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=utc)
    assert auth._expiry(dt.datetime(2030, 1, 2, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))), "x") == \
        dt.datetime(2030, 1, 2, 3, tzinfo=utc)
    entry = auth.TokenEntry("x", hash_token("a"), frozenset({"screener"}), dt.datetime(2030, 1, 1, tzinfo=utc))
    assert not entry.expired(dt.datetime(2029, 12, 31, 23, 59, 59, tzinfo=utc))
    assert entry.expired(dt.datetime(2030, 1, 1, tzinfo=utc))


def test_hash_token_prints_the_expiry(capsys, monkeypatch):
    import io

    from server import cli

    monkeypatch.setattr("sys.stdin", io.StringIO("tok\n"))
    assert cli.main(["auth", "hash-token", "--name", "n", "--expires", "2031-05-06"]) == 0
    entry = auth.AuthConfig.from_dict(__import__("tomllib").loads(capsys.readouterr().out))
    assert entry.tokens[0].expires == dt.datetime(2031, 5, 6, tzinfo=dt.timezone.utc)


# -- TLS and mutual TLS on `interdict serve` ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    """A CA, a server and a client certificate it signed, an expired client certificate, and a rogue CA's client."""
    d = make_pki(tmp_path_factory.mktemp("pki"))
    _expired_client(d)
    return d


def _expired_client(d: Path) -> None:
    """A client certificate signed by the right CA whose validity ended yesterday (needs `cryptography`)."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        return
    ca_key = serialization.load_pem_private_key((d / "ca.key").read_bytes(), None)
    ca = x509.load_pem_x509_certificate((d / "ca.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired")]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=10)).not_valid_after(now - dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (d / "expired.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    (d / "expired.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _tls(port: int, d: Path, client: str | None, ca: str = "ca"):
    creds = grpc.ssl_channel_credentials(
        root_certificates=(d / f"{ca}.pem").read_bytes(),
        private_key=(d / f"{client}.key").read_bytes() if client else None,
        certificate_chain=(d / f"{client}.pem").read_bytes() if client else None,
    )
    return grpc.secure_channel(f"127.0.0.1:{port}", creds, options=[("grpc.ssl_target_name_override", "localhost")])


def _screen(ch, token: str | None):
    stub = screening_pb2_grpc.ScreeningServiceStub(ch)
    passenger = c.Passenger(id="p", surname="Kowalczykowska", given_names="Zofia", birth_date="1983-07-14",
                            documents=[c.TravelDocument(number="EK4417392", country="POL")])
    badege = c.Passenger(id="b", name="Eric Badege", birth_date="1971")
    return stub.ScreenPassengers(s.ScreenPassengersRequest(passengers=[passenger, badege]), metadata=_md(token), timeout=10)


def _refused(fn) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as e:
        fn()
    return e.value.code()


def test_serve_with_mutual_tls_and_tokens(tmp_path, pki):
    (tmp_path / "tokens.toml").write_text(tokens_toml())
    served = serve(tmp_path, "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"),
                   "--tls-client-ca", str(pki / "ca.pem"), "--auth", str(tmp_path / "tokens.toml"))
    try:
        with _tls(served.port, pki, "client") as ch:
            assert _screen(ch, SCREENER).results[1].hits[0].entry_id == "CDi.001"
            assert _refused(lambda: _screen(ch, None)) == grpc.StatusCode.UNAUTHENTICATED
            assert _refused(lambda: _screen(ch, OLD)) == grpc.StatusCode.UNAUTHENTICATED
        refused = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}  # the handshake fails
        clients = [(None, "ca"), ("rogue", "ca")] + ([("expired", "ca")] if (pki / "expired.pem").exists() else [])
        for client, ca in clients:
            with _tls(served.port, pki, client, ca) as ch:
                assert _refused(lambda: _screen(ch, SCREENER)) in refused, client
        with _tls(served.port, pki, "client", ca="rogue-ca") as ch:  # the client does not trust the server
            assert _refused(lambda: _screen(ch, SCREENER)) in refused
        with grpc.insecure_channel(served.target) as ch:
            assert _refused(lambda: _screen(ch, SCREENER)) in refused
    finally:
        assert served.stop() == 0
    log = served.log()
    assert "ScreenPassengers by piu: 2 queries" in log and "rejected" in log and "token expired" in log
    for secret in ("Kowalczykowska", "Zofia", "1983-07-14", "EK4417392", "Badege", SCREENER, OLD, hash_token(SCREENER)):
        assert secret.lower() not in log.lower(), secret


def test_serve_with_tls_only(tmp_path, pki):
    served = serve(tmp_path, "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"))
    try:
        assert "(TLS)" in served.out.read_text() and "-plaintext" not in served.out.read_text()
        with _tls(served.port, pki, None) as ch:
            assert _screen(ch, None).results[1].hits
        with grpc.insecure_channel(served.target) as ch:
            assert _refused(lambda: _screen(ch, None)) in {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
    finally:
        assert served.stop() == 0
