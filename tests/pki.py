"""Test certificates made with the openssl CLI: a CA, a server and a client certificate it signed, and a rogue
CA with a client certificate of its own (for mutual-TLS refusals). EC P-256 keys, valid two days."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def make_pki(d: Path) -> Path:
    """Writes ca / server / client / rogue-ca / rogue `.pem` and `.key` files into `d` (skips without openssl)."""
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl CLI not available")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=d, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "rogue-ca"):
        run("req", "-x509", *ec, "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN=interdict-{ca}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    (d / "server.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name, ca, ext in (("server", "ca", "server"), ("client", "ca", "client"), ("rogue", "rogue-ca", "client")):
        run("req", "-new", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{ext}.ext")
    return d
