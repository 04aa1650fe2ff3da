"""server.auth (bearer tokens, roles, TLS / mTLS) and server.logsafe, on real in-process gRPC servers.

The servers use generic handlers on raw bytes named like the real services: no dependency on proto/.
"""

from __future__ import annotations

import json
import logging
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from aio_serving import LoopServer
from pki import make_pki

from server import auth, logsafe
from server.auth import (
    AuthConfig,
    AuthConfigError,
    auth_interceptor,
    current_caller,
    hash_token,
)
from server.metrics import Metrics, metrics_interceptor

SCREEN = "/interdict.v1.ScreeningService/ScreenPassengers"
SCREEN_STREAM = "/interdict.v1.ScreeningService/ScreenPassengerStream"
IMPORT = "/interdict.v1.WatchlistService/ImportList"
LIST = "/interdict.v1.WatchlistService/ListWatchlists"
HEALTH = "/grpc.health.v1.Health/Check"
OTHER = "/other.v1.Secret/Do"

SCREENER_TOKEN = "s3cret-screener"
ADMIN_TOKEN = "s3cret-admin"
BOTH_TOKEN = "s3cret-both"

TOKENS_TOML = f"""
[[tokens]]
name = "piu-targeting"
sha256 = "{hash_token(SCREENER_TOKEN)}"
roles = ["screener"]

[[tokens]]
name = "list-ops"
sha256 = "{hash_token(ADMIN_TOKEN)}"
roles = ["list-admin"]

[[tokens]]
name = "ops-both"
sha256 = "{hash_token(BOTH_TOKEN)}"
roles = ["screener", "list-admin"]
"""

deserialised: list[bytes] = []


def _deserialise(b: bytes) -> bytes:
    deserialised.append(b)
    return b


async def _unary(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return current_caller().encode()


async def _stream_stream(requests, context):
    async for r in requests:
        yield current_caller().encode() + b":" + r


async def _stream_unary(requests, context):
    n = 0
    async for _ in requests:
        n += 1
    return current_caller().encode() + b":" + str(n).encode()


async def _unary_stream(request, context):
    for i in range(3):
        yield f"{current_caller()}:{i}".encode()


async def _serving(request, context):
    return b"SERVING"


def _handlers() -> list[grpc.GenericRpcHandler]:
    def svc(name: str, methods: dict) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(name, methods)

    return [
        svc("interdict.v1.ScreeningService", {
            "ScreenPassengers": grpc.unary_unary_rpc_method_handler(_unary, request_deserializer=_deserialise),
            "ScreenPassengerStream": grpc.stream_stream_rpc_method_handler(_stream_stream),
            "ScreenShipments": grpc.unary_stream_rpc_method_handler(_unary_stream),
        }),
        svc("interdict.v1.WatchlistService", {
            "ImportList": grpc.stream_unary_rpc_method_handler(_stream_unary),
            "ListWatchlists": grpc.unary_unary_rpc_method_handler(_unary),
        }),
        svc("grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(_serving)}),
        svc("other.v1.Secret", {"Do": grpc.unary_unary_rpc_method_handler(_unary)}),
    ]


@pytest.fixture
def config(tmp_path: Path) -> AuthConfig:
    p = tmp_path / "tokens.toml"
    p.write_text(TOKENS_TOML)
    return AuthConfig.load(p)


def _server(interceptors, creds=None):
    server = LoopServer(_handlers(), interceptors, creds)
    return server, server.port


@pytest.fixture
def channel(config):
    server, port = _server([auth_interceptor(config)])
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        yield ch
    server.stop(None)


def _md(token: str | None):
    return (("authorization", f"Bearer {token}"),) if token else ()


def _code(fn) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as e:
        fn()
    return e.value.code()


# -- token file ------------------------------------------------------------------------------------------------

def test_hash_token_is_sha256_hex():
    assert hash_token("test") == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def test_load_config(config: AuthConfig):
    assert [t.name for t in config.tokens] == ["piu-targeting", "list-ops", "ops-both"]
    assert config.authenticate(SCREENER_TOKEN).roles == {"screener"}
    assert config.authenticate(ADMIN_TOKEN).name == "list-ops"
    assert config.authenticate("nope") is None
    assert config.authenticate("") is None and config.authenticate(None) is None
    assert hash_token(SCREENER_TOKEN) not in repr(config)


@pytest.mark.parametrize(
    "entry, message",
    [
        ('name = "x"\nsha256 = "{h}"\nroles = ["superuser"]', "unknown role(s) ['superuser']"),
        ('name = "x"\ntoken = "plain"\nroles = ["screener"]', "plaintext 'token' is not accepted"),
        ('name = "x"\nsha256 = "abc"\nroles = ["screener"]', "64 hex digits"),
        ('name = "x"\nsha256 = "{h}"\nroles = []', "non-empty list"),
        ('sha256 = "{h}"\nroles = ["screener"]', "'name'"),
        ('name = "x"\nsha256 = "{h}"\nroles = ["screener"]\nrole = "x"', "unknown key(s) ['role']"),
    ],
)
def test_bad_entries_named(tmp_path: Path, entry: str, message: str):
    p = tmp_path / "tokens.toml"
    good = f'[[tokens]]\nname = "ok"\nsha256 = "{hash_token("a")}"\nroles = ["screener"]\n'
    p.write_text(good + "[[tokens]]\n" + entry.format(h=hash_token("b")) + "\n")
    with pytest.raises(AuthConfigError) as e:
        AuthConfig.load(p)
    assert str(p) in str(e.value) and "tokens[1]" in str(e.value)
    assert message in str(e.value)


def test_duplicate_hash_and_unreadable(tmp_path: Path):
    p = tmp_path / "t.toml"
    h = hash_token("a")
    p.write_text(f'[[tokens]]\nname="a"\nsha256="{h}"\nroles=["screener"]\n'
                 f'[[tokens]]\nname="b"\nsha256="{h.upper()}"\nroles=["screener"]\n')
    with pytest.raises(AuthConfigError, match=r"tokens\[1\] \('b'\): same token hash as 'a'"):
        AuthConfig.load(p)
    with pytest.raises(AuthConfigError, match="missing.toml: cannot read token file"):
        AuthConfig.load(tmp_path / "missing.toml")
    p.write_text("[[tokens]\n")
    with pytest.raises(AuthConfigError, match="not a valid TOML"):
        AuthConfig.load(p)


def test_method_roles():
    r = auth.required_roles
    assert r(SCREEN) == {"screener"} and r(SCREEN_STREAM) == {"screener"}
    assert r("/interdict.v1.ScreeningService/ExplainMatch") == {"screener"}
    for m in ("ImportList", "UpsertEntries", "DeleteEntries", "ActivateVersion"):
        assert r(f"/interdict.v1.WatchlistService/{m}") == {"list-admin"}
    for m in ("ListWatchlists", "GetEntry", "ListVersions"):
        assert r(f"/interdict.v1.WatchlistService/{m}") == {"screener", "list-admin"}
    assert r("/interdict.v1.WatchlistService/Unknown") is None
    assert r(HEALTH) == auth.OPEN and r("/grpc.health.v1.Health/Watch") == auth.OPEN
    assert r("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo") == auth.OPEN
    assert r("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo") == auth.OPEN
    assert r(OTHER) is None and r("/interdict.v2.ScreeningService/ScreenPassengers") is None


def test_bearer_token_parsing():
    assert auth.bearer_token([("authorization", "Bearer abc")]) == "abc"
    assert auth.bearer_token([("Authorization", "bearer  abc ")]) == "abc"
    assert auth.bearer_token([("authorization", "Basic abc")]) is None
    assert auth.bearer_token([("authorization", "Bearer")]) is None
    assert auth.bearer_token([("x-other", "1")]) is None and auth.bearer_token(None) is None


# -- interceptor ----------------------------------------------------------------------------------------------

def test_unauthenticated(channel):
    call = channel.unary_unary(SCREEN)
    deserialised.clear()
    assert _code(lambda: call(b"passenger")) == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: call(b"passenger", metadata=_md("wrong"))) == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: call(b"x", metadata=(("authorization", SCREENER_TOKEN),))) == grpc.StatusCode.UNAUTHENTICATED
    assert deserialised == []  # a rejected request is never parsed


def test_screener_allowed_and_caller_exposed(channel):
    call = channel.unary_unary(SCREEN)
    assert call(b"p", metadata=_md(SCREENER_TOKEN)) == b"piu-targeting"
    assert call(b"p", metadata=_md(BOTH_TOKEN)) == b"ops-both"
    assert current_caller() == "anonymous"  # not leaked into this thread


def test_roles_enforced(channel):
    screen = channel.unary_unary(SCREEN)
    imp = channel.stream_unary(IMPORT)
    lst = channel.unary_unary(LIST)
    with pytest.raises(grpc.RpcError) as e:
        screen(b"p", metadata=_md(ADMIN_TOKEN))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED and "list-ops" in e.value.details()
    assert _code(lambda: imp(iter([b"a", b"b"]), metadata=_md(SCREENER_TOKEN))) == grpc.StatusCode.PERMISSION_DENIED
    assert imp(iter([b"a", b"b"]), metadata=_md(ADMIN_TOKEN)) == b"list-ops:2"
    assert lst(b"", metadata=_md(SCREENER_TOKEN)) == b"piu-targeting"
    assert lst(b"", metadata=_md(ADMIN_TOKEN)) == b"list-ops"


def test_open_and_unmapped_methods(channel):
    assert channel.unary_unary(HEALTH)(b"") == b"SERVING"
    other = channel.unary_unary(OTHER)
    assert _code(lambda: other(b"", metadata=_md(BOTH_TOKEN))) == grpc.StatusCode.PERMISSION_DENIED
    assert _code(lambda: other(b"")) == grpc.StatusCode.UNAUTHENTICATED
    missing = channel.unary_unary("/interdict.v1.ScreeningService/NoSuchMethod")
    assert _code(lambda: missing(b"", metadata=_md(SCREENER_TOKEN))) == grpc.StatusCode.UNIMPLEMENTED


def test_streaming(channel):
    bidi = channel.stream_stream(SCREEN_STREAM)
    out = list(bidi(iter([b"1", b"2", b"3"]), metadata=_md(SCREENER_TOKEN)))
    assert out == [b"piu-targeting:1", b"piu-targeting:2", b"piu-targeting:3"]
    assert _code(lambda: list(bidi(iter([b"1"])))) == grpc.StatusCode.UNAUTHENTICATED
    assert _code(lambda: list(bidi(iter([b"1"]), metadata=_md(ADMIN_TOKEN)))) == grpc.StatusCode.PERMISSION_DENIED
    server_stream = channel.unary_stream("/interdict.v1.ScreeningService/ScreenShipments")
    assert list(server_stream(b"", metadata=_md(SCREENER_TOKEN))) == [b"piu-targeting:0", b"piu-targeting:1",
                                                                       b"piu-targeting:2"]
    assert _code(lambda: list(server_stream(b""))) == grpc.StatusCode.UNAUTHENTICATED


def test_concurrent_callers_do_not_mix(channel):
    call = channel.unary_unary(SCREEN)
    tokens = {SCREENER_TOKEN: b"piu-targeting", BOTH_TOKEN: b"ops-both"}
    with futures.ThreadPoolExecutor(8) as pool:
        jobs = [(want, pool.submit(call, b"p", metadata=_md(tok))) for _ in range(50) for tok, want in tokens.items()]
        assert all(f.result() == want for want, f in jobs)


# -- TLS / mTLS -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, bytes]:
    d = make_pki(tmp_path_factory.mktemp("pki"))
    return {"dir": d, **{f: (d / f).read_bytes() for f in ("ca.pem", "server.pem", "server.key", "client.pem",
                                                              "client.key")}}


def _tls_channel(port: int, pki, client_cert: bool):
    creds = grpc.ssl_channel_credentials(
        root_certificates=pki["ca.pem"],
        private_key=pki["client.key"] if client_cert else None,
        certificate_chain=pki["client.pem"] if client_cert else None,
    )
    return grpc.secure_channel(f"127.0.0.1:{port}", creds, options=[("grpc.ssl_target_name_override", "localhost")])


def test_tls_server(pki, config):
    d = pki["dir"]
    creds = auth.server_credentials(d / "server.pem", d / "server.key")
    server, port = _server([auth_interceptor(config)], creds)
    try:
        with _tls_channel(port, pki, client_cert=False) as ch:
            assert ch.unary_unary(SCREEN)(b"p", metadata=_md(SCREENER_TOKEN), timeout=10) == b"piu-targeting"
            assert _code(lambda: ch.unary_unary(SCREEN)(b"p", timeout=10)) == grpc.StatusCode.UNAUTHENTICATED
    finally:
        server.stop(None)


def test_mutual_tls_rejects_client_without_cert(pki, config):
    d = pki["dir"]
    creds = auth.server_credentials(d / "server.pem", d / "server.key", client_ca_file=d / "ca.pem")
    server, port = _server([auth_interceptor(config)], creds)
    try:
        with _tls_channel(port, pki, client_cert=True) as ch:
            assert ch.unary_unary(SCREEN)(b"p", metadata=_md(SCREENER_TOKEN), timeout=10) == b"piu-targeting"
        with _tls_channel(port, pki, client_cert=False) as ch:
            code = _code(lambda: ch.unary_unary(SCREEN)(b"p", metadata=_md(SCREENER_TOKEN), timeout=5))
            assert code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:  # plaintext to a TLS port
            code = _code(lambda: ch.unary_unary(SCREEN)(b"p", metadata=_md(SCREENER_TOKEN), timeout=5))
            assert code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    finally:
        server.stop(None)


def test_server_credentials_errors_name_the_file(tmp_path: Path, pki):
    d = pki["dir"]
    with pytest.raises(AuthConfigError, match=r"nope\.pem: cannot read server certificate"):
        auth.server_credentials(tmp_path / "nope.pem", d / "server.key")
    with pytest.raises(AuthConfigError, match=r"ca-missing\.pem: cannot read client CA"):
        auth.server_credentials(d / "server.pem", d / "server.key", tmp_path / "ca-missing.pem")
    junk = tmp_path / "junk.key"
    junk.write_text("not a key")
    with pytest.raises(AuthConfigError, match=r"junk\.key: server private key is not PEM"):
        auth.server_credentials(d / "server.pem", junk)


# -- log hygiene ----------------------------------------------------------------------------------------------

PASSENGER = {"surname": "Kowalczykowska", "given_names": "Zofia Anna", "birth_date": "1983-07-14",
             "document_number": "EK4417392", "nationality": "POL"}
PERSONAL_VALUES = ("Kowalczykowska", "Zofia", "1983-07-14", "EK4417392")


def test_redact():
    r = logsafe.redact({"queries": [PASSENGER], "document": {"number": "EK4417392"}, "n": 1, "raw": b"UNA:+.? '"})
    text = json.dumps(r)
    assert not any(v in text for v in PERSONAL_VALUES)
    assert r["queries"][0]["nationality"] == "POL" and r["n"] == 1 and r["raw"] == "<9 bytes>"


def test_no_personal_data_in_logs(config, caplog, tmp_path):
    """A request screened through the interceptors (metrics, auth) with DEBUG logging on leaks nothing."""
    from server.audit import AuditLog

    logsafe.install()
    slog = logging.getLogger("server.screening")
    audit = AuditLog(tmp_path, depersonalise=True)
    metrics = Metrics()

    async def screen(request: bytes, context) -> bytes:
        queries = json.loads(request)["queries"]
        # a careless servicer: structured payloads straight into the log (the filter redacts them)
        slog.debug("screening %s", {"queries": queries})
        slog.debug("first query %s", queries[0], extra={"queries": queries})
        slog.info("screened %d queries for %s", len(queries), current_caller())
        hits = [[{"list_id": "un-sc", "entry_id": "QDi.999", "band": "strong", "score": 0.97,
                  "name": "KOWALCZYKOWSKA, Zofia"}]]
        audit.record(SCREEN, current_caller(), queries, hits, {"un-sc": "v1"})
        metrics.count_hits(hits)
        return json.dumps({"hits": hits}).encode()

    server = LoopServer([grpc.method_handlers_generic_handler(
        "interdict.v1.ScreeningService", {"ScreenPassengers": grpc.unary_unary_rpc_method_handler(screen)})],
        [metrics_interceptor(metrics), auth_interceptor(config)])
    port = server.port
    try:
        with caplog.at_level(logging.DEBUG):
            with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
                body = json.dumps({"queries": [PASSENGER]}).encode()
                reply = ch.unary_unary(SCREEN)(body, metadata=_md(SCREENER_TOKEN))
                assert b"QDi.999" in reply
                assert _code(lambda: ch.unary_unary(SCREEN)(body)) == grpc.StatusCode.UNAUTHENTICATED
                assert _code(lambda: ch.unary_unary(SCREEN)(body, metadata=_md(ADMIN_TOKEN))) == \
                    grpc.StatusCode.PERMISSION_DENIED
    finally:
        server.stop(None)
        logsafe.uninstall()
        audit.close()
    assert "screened 1 queries for piu-targeting" in caplog.text  # logging was on and captured
    assert "rejected /interdict.v1.ScreeningService/ScreenPassengers: unauthenticated" in caplog.text
    dumped = (caplog.text + "".join(repr(r.__dict__) for r in caplog.records)).lower()
    for value in PERSONAL_VALUES + (SCREENER_TOKEN, ADMIN_TOKEN, hash_token(SCREENER_TOKEN)):
        assert value.lower() not in dumped, value
    # and nothing personal in the metrics or the depersonalised audit log either
    assert not any(v.encode() in metrics.exposition() for v in PERSONAL_VALUES)
    raw = b"".join(f.read_bytes() for f in tmp_path.glob("audit.sqlite*")).lower()
    assert not any(v.lower().encode() in raw for v in PERSONAL_VALUES)
