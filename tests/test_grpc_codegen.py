"""The committed generated code (server/proto_gen/) is what proto/generate.py makes from proto/."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "server" / "proto_gen"


def _generate_module():
    spec = importlib.util.spec_from_file_location("interdict_proto_generate", REPO / "proto" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_code_is_up_to_date(tmp_path):
    pytest.importorskip("grpc_tools")
    out = tmp_path / "proto_gen"
    written = _generate_module().generate(out)
    fresh = {p.relative_to(out).as_posix(): p.read_bytes() for p in written}
    committed = {
        p.relative_to(COMMITTED).as_posix(): p.read_bytes()
        for p in COMMITTED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"regenerate with `python proto/generate.py`: {stale}"


def test_proto_naming_follows_buf_standard():
    """buf is not installable here: the STANDARD rules that matter, checked by hand on the descriptors."""
    import re

    from server.proto_gen.interdict.v1 import common_pb2, screening_pb2, watchlist_pb2

    for mod in (common_pb2, screening_pb2, watchlist_pb2):
        fd = mod.DESCRIPTOR
        assert fd.package == "interdict.v1" and re.fullmatch(r"interdict/v1/[a-z0-9_]+\.proto", fd.name)
        for svc in fd.services_by_name.values():
            assert svc.name.endswith("Service")
            for m in svc.methods:
                assert m.input_type.name == f"{m.name}Request" and m.output_type.name == f"{m.name}Response"
        for enum in fd.enum_types_by_name.values():
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
            assert enum.values[0].number == 0 and enum.values[0].name == prefix + "UNSPECIFIED"
            assert all(v.name.startswith(prefix) for v in enum.values)
        for msg in fd.message_types_by_name.values():
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", msg.name)
            assert all(re.fullmatch(r"[a-z][a-z0-9_]*", f.name) for f in msg.fields)


def _buf() -> str:
    import shutil
    import sysconfig

    found = shutil.which("buf") or shutil.which("buf", path=sysconfig.get_path("scripts"))
    if not found:
        pytest.skip("buf is not installed (the test extra installs it from PyPI: buf-bin)")
    return found


def _lint(buf: str, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([buf, "lint"], cwd=root, capture_output=True, text=True, timeout=120)


def test_buf_lint_standard_is_clean():
    r = _lint(_buf(), REPO / "proto")
    assert r.returncode == 0, r.stdout + r.stderr


def test_buf_lint_does_catch_a_violation(tmp_path):
    """The lint run above is not vacuous: the same configuration refuses a camelCase field."""
    import shutil

    root = tmp_path / "proto"
    shutil.copytree(REPO / "proto", root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    common = root / "interdict" / "v1" / "common.proto"
    common.write_text(common.read_text().replace("string given_names = 4;", "string givenNames = 4;"))
    r = _lint(_buf(), root)
    assert r.returncode != 0 and "givenNames" in r.stdout + r.stderr
