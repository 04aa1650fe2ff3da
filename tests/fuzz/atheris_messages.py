"""libFuzzer (atheris) harness for the message parsers: any input gives a result or MessageError.

Each input goes to every parser in engine.messages.PARSERS and to engine.messages.parse (format
detection), as bytes and as text. Anything but MessageError is a crash: libFuzzer stops, prints the
traceback and writes the input to crash-<sha1>. The parsers' last-resort guard (edifact.GUARD), which
turns a bug into a MessageError, is switched off so that a bug shows as the exception it is.

    python tests/fuzz/atheris_messages.py CORPUS_DIR tests/fixtures/messages -max_total_time=300
    python tests/fuzz/atheris_messages.py crash-<sha1>          # replay one input

tests/test_fuzz_atheris.py runs it briefly (INTERDICT_FUZZ_SECONDS for longer).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root

with atheris.instrument_imports(include=["engine.messages"]):
    from engine import messages
    from engine.messages import MessageError, edifact

edifact.GUARD = False

PARSERS = sorted(set(messages.PARSERS.values()), key=lambda f: f.__name__)  # fwb/fhl and xfwb/xfzb share one


def _use(result) -> None:
    """What callers do with a result: queries and dicts of its travellers and parties."""
    for item in [*getattr(result, "travellers", ()), *getattr(result, "parties", ())]:
        item.to_query()
        item.to_dict()


def TestOneInput(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    for parse in [*PARSERS, messages.parse]:
        for value in (data, text):
            try:
                _use(parse(value))
            except MessageError as e:
                if not str(e):
                    raise AssertionError("a MessageError without a message") from e


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
