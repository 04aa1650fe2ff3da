"""libFuzzer (atheris) harness for the native core's entry points (engine._native, Rust via PyO3).

Each input is split (atheris.FuzzedDataProvider) into strings, numbers and raw bytes for: normalisation
and transliteration, every phonetic code, every similarity (values must be finite and in range), name
comparison, the name index (build, search, candidates, save and load back; and NameIndex.load of the raw
bytes as a damaged index file), and the document index (from well-formed columns, and from Arrow buffers
whose lengths, offsets and data disagree). A Rust panic surfaces as pyo3's PanicException (a
BaseException), a memory error as a deadly signal: both stop libFuzzer and count as a crash. The only
exceptions allowed are the documented refusals (ValueError, OverflowError for out-of-range arguments).
Coverage guidance comes from the Python side only (the Rust code is not built with libFuzzer's
instrumentation): this is a fast random search over the bindings, run in CI; native/fuzz/ (cargo-fuzz)
fuzzes the Rust functions themselves, instrumented.

Strings are kept to 200 characters and queries to 64 words once normalised (a CJK or Hangul character is a
word or more): queries reach the core through the engine's limits (engine.model.MAX_TEXT_CHARS,
MAX_NAME_WORDS), and longer ones would only find the known super-linear cost of aligning hundreds of words
with each other, which libFuzzer reports as a timeout.

    python tests/fuzz/atheris_native.py CORPUS_DIR -max_total_time=300

tests/test_fuzz_atheris.py runs it briefly (INTERDICT_FUZZ_SECONDS for longer).
"""

from __future__ import annotations

import base64
import math
import os
import struct
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root

import pyarrow as pa  # noqa: E402

from engine import _native  # noqa: E402

MAX_CHARS = 200
MAX_QUERY_WORDS = 64  # engine.model.MAX_NAME_WORDS
PHONETIC = ("soundex", "nysiis", "metaphone", "match_rating_codex", "double_metaphone", "beider_morse")
DISTANCES = ("levenshtein_distance", "osa_distance", "damerau_levenshtein_distance", "hamming_distance")
SIMILARITIES = ("levenshtein_normalized_similarity", "damerau_levenshtein_normalized_similarity", "jaro_similarity",
                "jaro_winkler_similarity")
RATIOS = ("ratio", "token_sort_ratio", "token_set_ratio")
# index files written and read back; the test gives a directory of its own, since libFuzzer's exit skips cleanup
TMP = Path(os.environ.get("INTERDICT_FUZZ_TMP") or tempfile.mkdtemp(prefix="atheris-native-"))
TMP.mkdir(parents=True, exist_ok=True)


def _unit(x: float, what: str, top: float = 1.0) -> None:
    if not (math.isfinite(x) and -1e-9 <= x <= top + 1e-9):
        raise AssertionError(f"{what} = {x!r}, outside [0, {top}]")


def _text(fdp: atheris.FuzzedDataProvider, words: list[str]) -> str:
    if words and fdp.ConsumeBool():  # reuse a word: shared tokens reach the alignment and the index
        return " ".join(fdp.PickValueInList(words) for _ in range(fdp.ConsumeIntInRange(1, 4)))
    return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, MAX_CHARS))


def _query(fdp: atheris.FuzzedDataProvider, words: list[str]) -> str:
    """A query as the engine lets one through: at most MAX_QUERY_WORDS words once normalised."""
    text = _text(fdp, words)
    while len(_native.normalize(text).split()) > MAX_QUERY_WORDS:
        text = text[: len(text) * 3 // 4]
    return text


def _strings_and_metrics(a: str, b: str) -> None:
    for f in (_native.normalize, _native.icao_fold, _native.tokenize, _native.name_forms, _native.legal_form):
        f(a)
    _native.normalize_batch([a, b])
    _native.icao_fold_batch([a, b])
    for name in PHONETIC:
        getattr(_native, name)(a)
        if name != "double_metaphone" and name != "beider_morse":
            _native.phonetic_batch(name, [a, b])
    _native.match_rating_comparison(a, b)
    for name in DISTANCES:
        d = getattr(_native, name)(a, b)
        if d < 0:
            raise AssertionError(f"{name} = {d}")
    for name in SIMILARITIES:
        _unit(getattr(_native, name)(a, b), name)
        _unit(getattr(_native, name)(b, a), name)
    for name in RATIOS:
        _unit(getattr(_native, name)(a, b), name, 100.0)
    m = _native.compare_names(a, b)
    _unit(m.score, "compare_names")
    for s in _native.compare_names_batch([a, b], [b, a]):
        _unit(s, "compare_names_batch")


def _name_index(fdp: atheris.FuzzedDataProvider, names: list[str], queries: list[str]) -> None:
    owners = [fdp.ConsumeIntInRange(0, max(len(names) - 1, 0)) for _ in names]
    index = _native.NameIndex(names, owners)
    limit = fdp.ConsumeIntInRange(0, 20)
    floor = fdp.ConsumeProbability()
    for hits in index.search(queries, limit=limit, max_candidates=fdp.ConsumeIntInRange(1, 300), min_score=floor):
        # `limit` hits, then any more whose name score ties with the last of them (NameIndex.search)
        last = hits[limit - 1][2] if 0 < limit <= len(hits) else None
        if any(score != last for _, _, score in hits[limit:]):
            raise AssertionError(f"{len(hits)} hits for limit {limit}, past it not all tied with the last: {hits}")
        for owner, row, score in hits:
            if not (0 <= row < len(names) and owners[row] == owner):
                raise AssertionError(f"hit ({owner}, {row}) does not name an indexed name")
            _unit(score, "search score")
    for q in queries:
        for row in index.candidates(q, fdp.ConsumeIntInRange(1, 300)):
            if not 0 <= row < len(names):
                raise AssertionError(f"candidate {row} out of range")
    path = TMP / "index.idx"
    index.save(str(path))
    back = _native.NameIndex.load(str(path))
    if back.fingerprint != index.fingerprint or back.search(queries, limit=limit) != index.search(queries, limit=limit):
        raise AssertionError("a saved and loaded index differs from the one saved")


def _damaged_index_file(data: bytes) -> None:
    path = TMP / "damaged.idx"
    path.write_bytes(data)
    try:
        index = _native.NameIndex.load(str(path))
    except ValueError:
        return
    index.search(["a b"], limit=3)  # whatever loads must be usable


def _chunk(fdp: atheris.FuzzedDataProvider) -> tuple:
    """An Arrow string chunk whose parts may disagree: (length, offset, validity, offsets, data, large)."""
    large = fdp.ConsumeBool()
    length = fdp.ConsumeIntInRange(0, 16)
    offset = fdp.ConsumeIntInRange(0, 4)
    width = 8 if large else 4
    offsets = [fdp.ConsumeIntInRange(0, 64) for _ in range(fdp.ConsumeIntInRange(0, length + offset + 2))]
    packed = struct.pack(f"<{len(offsets)}{'q' if large else 'i'}", *offsets) if fdp.ConsumeBool() else \
        fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 8 * width))
    data = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 64))
    validity = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 4)) if fdp.ConsumeBool() else None
    return (length, offset, validity, packed, data, large)


def _document_index(fdp: atheris.FuzzedDataProvider, numbers: list[str]) -> None:
    col = lambda values: [(len(a), a.offset, a.buffers()[0] if a.null_count else None, a.buffers()[1], a.buffers()[2], False)  # noqa: E731
                          for a in [pa.array(values, pa.string())]]
    types = [fdp.PickValueInList(["passport", "id", "", None]) for _ in numbers]
    countries = [fdp.PickValueInList(["DE", "FR", None, "XX"]) for _ in numbers]
    index = _native.DocumentIndex.from_columns(col(numbers), col(types), col(countries))
    queries = numbers[:3] + [fdp.ConsumeUnicodeNoSurrogates(20)]
    matches = index.lookup_batch(queries, [None] * len(queries), [None] * len(queries), fuzzy=fdp.ConsumeBool())
    for i in range(len(matches)):
        for row, *_ in matches[i]:
            if not 0 <= row < len(numbers):
                raise AssertionError(f"document row {row} out of range")
    try:  # buffers that disagree: refused, never read out of bounds
        _native.DocumentIndex.from_columns([_chunk(fdp)], [_chunk(fdp)] if fdp.ConsumeBool() else None, None)
    except (ValueError, OverflowError, TypeError):
        pass


def _valid_index_bytes() -> bytes:
    names = ["Eric Badege", "Aiman al Zawahiri", "Jürgen Müller", "Юлия Тимошенко", "ABDUL RAHMAN", "東京 商事"]
    path = TMP / "valid.idx"
    _native.NameIndex(names, list(range(len(names)))).save(str(path))
    return path.read_bytes()


VALID_INDEX = _valid_index_bytes()


def _damage(fdp: atheris.FuzzedDataProvider, data: bytes) -> bytes:
    """A valid index file with some bytes changed, cut or repeated (the inputs barely steer this harness's
    coverage, so the damage is made here rather than left to libFuzzer's mutations)."""
    b = bytearray(data)
    for _ in range(fdp.ConsumeIntInRange(1, 6)):
        at = fdp.ConsumeIntInRange(0, len(b) - 1) if b else 0
        op = fdp.ConsumeIntInRange(0, 3)
        if op == 0 and b:
            b[at] ^= fdp.ConsumeIntInRange(1, 255)
        elif op == 1:
            del b[at:]
        elif op == 2:
            b[at:at] = b[at:at + fdp.ConsumeIntInRange(1, 64)]
        else:
            b[at:at + 8] = fdp.ConsumeBytes(8)
    return bytes(b)


def TestOneInput(data: bytes) -> None:
    if data[:8] == b"IDXNAME1":  # a name index file: the loader's validation
        _damaged_index_file(data)
        return
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeIntInRange(0, 3) == 0:
        _damaged_index_file(_damage(fdp, VALID_INDEX))
    words: list[str] = []
    a, b = _query(fdp, words), _text(fdp, words)
    words = [w for w in (a + " " + b).split() if w][:20]
    _strings_and_metrics(a, b)
    try:
        _native.jaro_winkler_similarity(a, b, prefix_weight=fdp.ConsumeFloat())
    except (ValueError, OverflowError):
        pass
    names = [_text(fdp, words) for _ in range(fdp.ConsumeIntInRange(0, 12))]
    queries = [_query(fdp, words) for _ in range(fdp.ConsumeIntInRange(0, 4))]
    _name_index(fdp, names, queries)
    _document_index(fdp, [_text(fdp, words)[:30] for _ in range(fdp.ConsumeIntInRange(0, 8))])


def seed_corpus(directory: str | os.PathLike[str]) -> None:
    """A few inputs to start from, among them a valid name index file (so the loader's checks are fuzzed
    from the inside of a real file, not only its magic)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    names = ["Eric Badege", "Aiman al Zawahiri", "Jürgen Müller", "Юлия Тимошенко", "ABDUL RAHMAN", "東京 商事"]
    _native.NameIndex(names, list(range(len(names)))).save(str(d / "index.idx"))
    for i, n in enumerate(names):
        (d / f"name-{i}").write_bytes(n.encode() * 3)
    # an input whose names tie at the search limit (found by a CI run): more hits than `limit`, all tied
    (d / "tied-at-limit").write_bytes(base64.b64decode("Cq7T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09Pz09PT09PT09PT09PT09PT09PT09PT09PT0w=="))


def main() -> None:
    # Long inputs from the start: without coverage feedback from Rust, libFuzzer would otherwise keep them tiny.
    flags = [a for a in ("-len_control=0", "-max_len=4096") if not any(x.startswith(a.split("=")[0]) for x in sys.argv)]
    atheris.Setup(sys.argv + flags, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
