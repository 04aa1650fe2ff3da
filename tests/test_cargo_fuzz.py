"""cargo-fuzz (libFuzzer, instrumented Rust, AddressSanitizer) on the native core: native/fuzz/fuzz_targets/
(text and similarities, name alignment and the name index, NameIndex::load of damaged files, the document
index). Opt-in, because the first build takes minutes: INTERDICT_CARGO_FUZZ=1, with cargo-fuzz and a nightly
toolchain installed (`cargo install cargo-fuzz`, `rustup toolchain install nightly`); skipped otherwise.
INTERDICT_CARGO_FUZZ_SECONDS per target (20 by default).

    INTERDICT_CARGO_FUZZ=1 INTERDICT_CARGO_FUZZ_SECONDS=60 python -m pytest tests/test_cargo_fuzz.py -s
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NATIVE = Path(__file__).resolve().parents[1] / "native"
TARGETS = sorted(p.stem for p in (NATIVE / "fuzz" / "fuzz_targets").glob("*.rs"))
SECONDS = int(os.environ.get("INTERDICT_CARGO_FUZZ_SECONDS", "20"))
SEEDS = {
    "text": [b"Eric Badege J\xc3\xbcrgen M\xc3\xbcller"],
    "names": ["Eric Badege\nAiman al Zawahiri\nJürgen Müller\nЮлия Тимошенко\n東京 商事\0Eric Badeg\nZawahiri Aiman".encode()],
    "name_index_file": [b"\x00\x10\x20\x41"],
    "documents": [b"AB123456\tpassport\tDE\nX0O1I\t\tFR\0AB12345B\tpassport\tDE\nXOOII"],
}


def _available() -> str | None:
    if os.environ.get("INTERDICT_CARGO_FUZZ") != "1":
        return "opt-in: INTERDICT_CARGO_FUZZ=1"
    if not shutil.which("cargo"):
        return "no cargo"
    if subprocess.run(["cargo", "fuzz", "--version"], capture_output=True).returncode != 0:
        return "cargo-fuzz not installed (cargo install cargo-fuzz)"
    if subprocess.run(["cargo", "+nightly", "--version"], capture_output=True).returncode != 0:
        return "no nightly toolchain (rustup toolchain install nightly)"
    return None


def test_every_target_has_seeds():
    assert set(TARGETS) == set(SEEDS)


@pytest.mark.parametrize("target", TARGETS)
def test_cargo_fuzz_target(target, tmp_path):
    why = _available()
    if why:
        pytest.skip(why)
    corpus, artifacts = tmp_path / "corpus", tmp_path / "artifacts"
    corpus.mkdir()
    artifacts.mkdir()
    for i, seed in enumerate(SEEDS[target]):
        (corpus / f"seed-{i}").write_bytes(seed)
    cmd = ["cargo", "+nightly", "fuzz", "run", "-O", target, str(corpus), "--",
           f"-max_total_time={SECONDS}", "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}/",
           "-print_final_stats=1"]
    proc = subprocess.run(cmd, cwd=NATIVE, capture_output=True, text=True, errors="replace", timeout=SECONDS + 1800)
    tail = "\n".join(proc.stderr.splitlines()[-60:])
    assert proc.returncode == 0, f"{target}: exit {proc.returncode}\n{tail}"
    assert not list(artifacts.iterdir()), tail
    runs = next((line.split()[-1] for line in proc.stderr.splitlines() if "stat::number_of_executed_units" in line), "?")
    print(f"\n{target}: {runs} executions in {SECONDS} s, no crash")
