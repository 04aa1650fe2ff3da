"""Fuzzing with atheris (libFuzzer): the message parsers and the list loaders (coverage-guided) raise
nothing but their own error (MessageError, ListFormatError) on any input; the native core's entry points
(engine._native: text, phonetics, similarities, name comparison, name and document indexes, loading a
damaged index file) neither panic nor crash nor return values out of range.

Each harness in tests/fuzz/ runs in a subprocess (atheris.Fuzz() exits the process) for
INTERDICT_FUZZ_SECONDS seconds (15 by default, 10 for the native harness), seeded with the test fixtures
(the native harness: its own seeds) copied to a corpus directory under tmp_path. A crash makes libFuzzer exit non-zero; the failure shows its stderr tail:
the traceback and the path of the crash-<sha1> input (replay it with
`python tests/fuzz/atheris_messages.py <crash file>`). A longer run:

    INTERDICT_FUZZ_SECONDS=300 pytest tests/test_fuzz_atheris.py

INTERDICT_FUZZ_RUNS caps the number of inputs instead (-1, the default, is no cap).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SECONDS = os.environ.get("INTERDICT_FUZZ_SECONDS")
DEFAULT_SECONDS = {"messages": 15, "watchlists": 15, "native": 10}  # the native harness is a random search: shorter
RUNS = int(os.environ.get("INTERDICT_FUZZ_RUNS", "-1"))


def _seeds(name: str, tmp_path: Path) -> list[Path]:
    if name == "native":  # made by the harness: strings and a valid name index file
        import importlib.util

        spec = importlib.util.spec_from_file_location("atheris_native", HERE / "fuzz" / "atheris_native.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.seed_corpus(tmp_path / "native-seeds")
        return sorted((tmp_path / "native-seeds").iterdir())
    if name == "messages":
        return sorted((FIXTURES / "messages").iterdir())
    # list files: every fixture file but the message ones and the mapping (a TOML file, not a list)
    files = [p for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".toml"]
    return sorted(files + list((FIXTURES / "ofac_csv_small").iterdir()))


@pytest.mark.parametrize("name", ["messages", "watchlists", "native"])
def test_atheris_harness_finds_no_crash(name, tmp_path, monkeypatch):
    monkeypatch.setenv("INTERDICT_FUZZ_TMP", str(tmp_path / "scratch"))  # the native harness's files, not /tmp
    seconds = int(SECONDS or DEFAULT_SECONDS[name])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, seed in enumerate(_seeds(name, tmp_path)):
        shutil.copyfile(seed, corpus / f"{i:02d}-{seed.name}")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    cmd = [
        sys.executable,
        str(HERE / "fuzz" / f"atheris_{name}.py"),
        str(corpus),
        f"-runs={RUNS}",
        f"-max_total_time={seconds}",
        "-timeout=5",  # seconds per input: more is a hang
        "-rss_limit_mb=2048",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=seconds + 120)
    tail = "\n".join(proc.stderr.splitlines()[-80:])
    assert proc.returncode == 0, f"{name} harness: libFuzzer exited {proc.returncode}\n{tail}\n{proc.stdout[-2000:]}"
    assert "Done" in proc.stderr, tail
    assert not list(artifacts.iterdir()), tail
    print(f"\n{name}: " + next((line for line in proc.stderr.splitlines() if line.startswith("Done")), "?"))
