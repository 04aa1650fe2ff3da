"""Native primitives against rapidfuzz and jellyfish: one call, and a batch of 100,000 pairs.

Groups compare like with like (`<primitive>-single`, `<primitive>-batch`, `<primitive>-cdist`):

- single: one call from Python on one realistic pair / name (call overhead included);
- batch:  100,000 aligned pairs (or names). Native `similarity_batch` / `phonetic_batch` /
  `normalize_batch` (Rust, GIL released, all cores) against a Python loop over the reference
  library, and against `rapidfuzz.process.cpdist(..., workers=-1)` (aligned pairs on all cores:
  the fair batch baseline);
- cdist:  every query against every choice, native `cdist` against `rapidfuzz.process.cdist`.

Every batch benchmark also asserts that it returned the reference numbers, so
`pytest benchmarks --benchmark-disable` is a (fast) correctness run.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish
import pytest
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA, DamerauLevenshtein, JaroWinkler, Levenshtein

from engine import _native as nat
from namedata import N_PAIRS, NameFactory, load_name_tables

np = pytest.importorskip("numpy")  # rapidfuzz.process.cdist / cpdist return numpy arrays

SINGLE_PAIR = ("Jonathan Michael Smith-Jones", "Smyth Jones, Johnathon M")
SINGLE_NAME = "Schwarzenegger"
SINGLE_RAW = "  José-María  O'Brien Müller "
TOL = 1e-9

# primitive -> (native scalar, batch metric name, rapidfuzz scalar, jellyfish scalar or None)
SIMILARITY = {
    "jaro_winkler": (nat.jaro_winkler_similarity, "jaro_winkler", JaroWinkler.similarity, jellyfish.jaro_winkler_similarity),
    "levenshtein": (nat.levenshtein_distance, "levenshtein", Levenshtein.distance, jellyfish.levenshtein_distance),
    "damerau_levenshtein": (nat.damerau_levenshtein_distance, "damerau_levenshtein", DamerauLevenshtein.distance,
                            jellyfish.damerau_levenshtein_distance),
    "osa": (nat.osa_distance, "osa", OSA.distance, None),
    "token_sort_ratio": (nat.token_sort_ratio, "token_sort_ratio", fuzz.token_sort_ratio, None),
    "token_set_ratio": (nat.token_set_ratio, "token_set_ratio", fuzz.token_set_ratio, None),
}

# primitive -> (native scalar, jellyfish scalar or None)
PHONETIC = {
    "soundex": (nat.soundex, jellyfish.soundex),
    "nysiis": (nat.nysiis, jellyfish.nysiis),
    "metaphone": (nat.metaphone, jellyfish.metaphone),
    "match_rating_codex": (nat.match_rating_codex, jellyfish.match_rating_codex),
    "double_metaphone": (nat.double_metaphone, None),  # jellyfish has none: ours alone
}

_ASCII_WORD = re.compile(r"[^A-Z0-9]+")


def python_fold(s: str) -> str:
    """A pure-Python ASCII fold (NFKD, drop marks, upper, punctuation to spaces): an orientation
    baseline for normalize, not equivalent (it transliterates nothing, drops every non-Latin letter)."""
    ascii_ = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return _ASCII_WORD.sub(" ", ascii_.replace("'", "").upper()).strip()


def rapidfuzz_default_process(s: str) -> str:
    """rapidfuzz's own preprocessing (lower case, non-alphanumerics to spaces, trim): not
    equivalent to normalize either (no NFKC, no transliteration, no diacritic folding)."""
    return utils.default_process(s)


NORMALIZE_BASELINES = {"rapidfuzz-default_process": rapidfuzz_default_process, "python-unicodedata-fold": python_fold}

_REFERENCE: dict = {}


def reference(metric: str, a: list[str], b: list[str]):
    """rapidfuzz's values for aligned pairs (cached per metric and size)."""
    key = (metric, len(a))
    if key not in _REFERENCE:
        rf = SIMILARITY[metric][2]
        _REFERENCE[key] = process.cpdist(a, b, scorer=rf, dtype=np.float64, workers=-1)
    return _REFERENCE[key]


def assert_same(got, want) -> None:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    bad = np.flatnonzero(np.abs(got - want) > TOL)
    assert bad.size == 0, f"{bad.size} values differ, first at {bad[0]}: {got[bad[0]]} != {want[bad[0]]}"


def _params(group_suffix: str, table: dict, impls) -> list:
    out = []
    for prim in table:
        for impl in impls(prim):
            out.append(pytest.param(prim, impl, id=f"{prim}-{impl}", marks=pytest.mark.benchmark(group=f"{prim}-{group_suffix}")))
    return out


# --- similarity -------------------------------------------------------------------------------------


def _sim_single_impls(prim):
    return ["native", "rapidfuzz"] + (["jellyfish"] if SIMILARITY[prim][3] else [])


@pytest.mark.parametrize("prim, impl", _params("single", SIMILARITY, _sim_single_impls))
def test_similarity_single(benchmark, prim, impl):
    native, _, rf, jf = SIMILARITY[prim]
    f = {"native": native, "rapidfuzz": rf, "jellyfish": jf}[impl]
    a, b = SINGLE_PAIR
    got = benchmark(f, a, b)
    assert abs(got - rf(a, b)) <= TOL or impl == "jellyfish"  # jellyfish may differ by definition
    if impl == "jellyfish":
        assert abs(got - native(a, b)) <= TOL  # ... but not on this ASCII pair


def _sim_batch_impls(prim):
    return ["native-similarity_batch", "rapidfuzz-cpdist-workers-1", "rapidfuzz-loop"] + (
        ["jellyfish-loop"] if SIMILARITY[prim][3] else []
    )


@pytest.mark.parametrize("prim, impl", _params("batch", SIMILARITY, _sim_batch_impls))
def test_similarity_batch(benchmark, bench_data, n_pairs, prim, impl):
    native, metric, rf, jf = SIMILARITY[prim]
    a, b = bench_data.a[:n_pairs], bench_data.b[:n_pairs]
    want = reference(prim, a, b)
    if impl == "native-similarity_batch":
        fn, rounds = (lambda: nat.similarity_batch(metric, a, b)), 5
    elif impl == "rapidfuzz-cpdist-workers-1":
        fn, rounds = (lambda: process.cpdist(a, b, scorer=rf, dtype=np.float64, workers=-1)), 5
    elif impl == "rapidfuzz-loop":
        fn, rounds = (lambda: [rf(x, y) for x, y in zip(a, b)]), 2
    else:
        fn, rounds = (lambda: [jf(x, y) for x, y in zip(a, b)]), 2
    benchmark.extra_info["pairs"] = n_pairs
    got = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
    assert_same(got, want)


CDIST = {"jaro_winkler": (500, 2000), "token_set_ratio": (200, 2000)}


@pytest.mark.parametrize(
    "prim, impl",
    [
        pytest.param(p, i, id=f"{p}-{i}", marks=pytest.mark.benchmark(group=f"{p}-cdist"))
        for p in CDIST
        for i in ("native-cdist", "rapidfuzz-cdist-workers-1")
    ],
)
def test_similarity_cdist(benchmark, bench_data, prim, impl):
    nq, nc = CDIST[prim]
    if benchmark.disabled:
        nq, nc = nq // 10, nc // 10
    queries, choices = bench_data.a[:nq], bench_data.b[:nc]
    _, metric, rf, _ = SIMILARITY[prim]
    if impl == "native-cdist":
        fn = lambda: nat.cdist(metric, queries, choices)  # noqa: E731
    else:
        fn = lambda: process.cdist(queries, choices, scorer=rf, dtype=np.float64, workers=-1)  # noqa: E731
    benchmark.extra_info["pairs"] = nq * nc
    got = benchmark.pedantic(fn, rounds=3, iterations=1, warmup_rounds=0)
    assert_same(got, process.cdist(queries, choices, scorer=rf, dtype=np.float64, workers=-1))


# --- phonetic ---------------------------------------------------------------------------------------


def _ph_single_impls(prim):
    return ["native"] + (["jellyfish"] if PHONETIC[prim][1] else [])


@pytest.mark.parametrize("prim, impl", _params("single", PHONETIC, _ph_single_impls))
def test_phonetic_single(benchmark, prim, impl):
    native, jf = PHONETIC[prim]
    got = benchmark(native if impl == "native" else jf, SINGLE_NAME)
    if jf is not None:
        assert got == jf(SINGLE_NAME)


def _ph_batch_impls(prim):
    return ["native-phonetic_batch"] + (["jellyfish-loop"] if PHONETIC[prim][1] else ["native-scalar-loop"])


@pytest.mark.parametrize("prim, impl", _params("batch", PHONETIC, _ph_batch_impls))
def test_phonetic_batch(benchmark, bench_data, n_pairs, prim, impl):
    native, jf = PHONETIC[prim]
    names = bench_data.tokens[:n_pairs]
    if prim == "double_metaphone":
        scalar = lambda s: native(s)[0]  # noqa: E731  (phonetic_batch returns the primary key)
    else:
        scalar = native
    if impl == "native-phonetic_batch":
        fn, rounds = (lambda: nat.phonetic_batch(prim, names)), 5
    elif impl == "jellyfish-loop":
        fn, rounds = (lambda: [jf(s) for s in names]), 2
    else:
        fn, rounds = (lambda: [scalar(s) for s in names]), 2
    benchmark.extra_info["pairs"] = n_pairs
    got = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
    want = [jf(s) for s in names] if jf is not None else [scalar(s) for s in names]
    mismatches = [(s, g, w) for s, g, w in zip(names, got, want) if g != w]
    assert not mismatches, f"{len(mismatches)} keys differ, e.g. {mismatches[:3]}"


# --- normalize --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "impl",
    [pytest.param(i, id=f"normalize-{i}", marks=pytest.mark.benchmark(group="normalize-single"))
     for i in ["native", *NORMALIZE_BASELINES]],
)
def test_normalize_single(benchmark, impl):
    f = nat.normalize if impl == "native" else NORMALIZE_BASELINES[impl]
    got = benchmark(f, SINGLE_RAW)
    if impl == "native":
        assert got == "JOSE MARIA OBRIEN MULLER"


@pytest.mark.parametrize(
    "impl",
    [pytest.param(i, id=f"normalize-{i}", marks=pytest.mark.benchmark(group="normalize-batch"))
     for i in ["native-normalize_batch", "native-scalar-loop", *(f"{k}-loop" for k in NORMALIZE_BASELINES)]],
)
def test_normalize_batch(benchmark, bench_data, n_pairs, impl):
    raw = bench_data.raw_names[:n_pairs]
    if impl == "native-normalize_batch":
        fn, rounds = (lambda: nat.normalize_batch(raw)), 5
    elif impl == "native-scalar-loop":
        fn, rounds = (lambda: [nat.normalize(s) for s in raw]), 2
    else:
        f = NORMALIZE_BASELINES[impl.removesuffix("-loop")]
        fn, rounds = (lambda: [f(s) for s in raw]), 2
    benchmark.extra_info["pairs"] = n_pairs
    got = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
    if impl.startswith("native"):
        assert got == [nat.normalize(s) for s in raw]


# --- correctness on the full data (plain tests: skipped by --benchmark-only, which asserts the same
# --- inside each benchmark) -------------------------------------------------------------------------


@pytest.mark.parametrize("prim", list(SIMILARITY))
def test_native_batch_equals_rapidfuzz_on_all_pairs(bench_data, prim):
    _, metric, _, jf = SIMILARITY[prim]
    want = reference(prim, bench_data.a, bench_data.b)
    assert_same(nat.similarity_batch(metric, bench_data.a, bench_data.b), want)


@pytest.mark.parametrize("prim", [p for p, (_, jf) in PHONETIC.items() if jf is not None])
def test_native_phonetic_batch_equals_jellyfish_on_all_names(bench_data, prim):
    jf = PHONETIC[prim][1]
    got = nat.phonetic_batch(prim, bench_data.tokens)
    want = [jf(s) for s in bench_data.tokens]
    mismatches = [(s, g, w) for s, g, w in zip(bench_data.tokens, got, want) if g != w]
    assert not mismatches, f"{len(mismatches)} keys differ, e.g. {mismatches[:3]}"


def test_bench_data_is_deterministic_and_realistic(bench_data):
    again = NameFactory(load_name_tables()).pairs(50)
    assert (bench_data.a[:50], bench_data.b[:50]) == again
    assert len(bench_data.a) == len(bench_data.b) == len(bench_data.tokens) == N_PAIRS
    assert all(s and s.isascii() for s in bench_data.a[:1000] + bench_data.b[:1000])
    assert all(t.isalpha() for t in bench_data.tokens)
