"""libFuzzer (atheris) harness for the watchlist loaders: any file gives records or ListFormatError.

Each input is read by every registered list format (watchlists.FORMATS) forced with format=, from a
binary stream (gzip is recognised by its magic bytes, so compressed input is fuzzed too); the mapped
CSV/Parquet format gets the test mapping tests/fixtures/mapped_small.toml. Anything but
ListFormatError is a crash.

    python tests/fuzz/atheris_watchlists.py CORPUS_DIR tests/fixtures -max_total_time=300

tests/test_fuzz_atheris.py runs it briefly (INTERDICT_FUZZ_SECONDS for longer).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["watchlists"]):
    import watchlists
    from watchlists import ListFormatError

OPTIONS = {"mapped": {"mapping": str(ROOT / "tests" / "fixtures" / "mapped_small.toml")}}
FORMATS = sorted(watchlists.FORMATS)


def TestOneInput(data: bytes) -> None:
    for name in FORMATS:
        stream = io.BytesIO(data)
        stream.name = f"fuzz.{name}"
        try:
            watchlists.load_records(stream, format=name, **OPTIONS.get(name, {}))
        except ListFormatError as e:
            if not str(e):
                raise AssertionError("a ListFormatError without a message") from e


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
