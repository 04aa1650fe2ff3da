"""Typed stub of the compiled core (native/, PyO3).

Every function that takes a list works on the whole batch in Rust, releases the GIL and
spreads the work over all cores (rayon). The Python twins in engine.text, engine.phonetic,
engine.similarity and engine.names are the intended entry points.
"""

import os
from typing import Any, Sequence

__version__: str

# --- text (native/src/text.rs) -------------------------------------------------------------

def normalize(s: str) -> str:
    """NFKC, case fold, transliterate to Latin, fold diacritics, clean punctuation: 'JOSE MARIA'."""

def icao_fold(s: str) -> str:
    """ICAO Doc 9303 passport form: A-Z, digits and spaces; Ä->AE, Ö->OE, Ü->UE, ß->SS, Ш->SH ..."""

def tokenize(s: str) -> list[str]:
    """normalize(s) split into tokens."""

def name_forms(s: str) -> list[str]:
    """Distinct normalised forms of one name: the plain ASCII fold first, then the ICAO form if it differs; a
    Hangul name adds its customary spelling, a name in Han characters its Korean and (at most 8) Japanese
    readings ('金正恩' -> 'KIM JUNG UN', '山田太郎' -> 'YAMADA TARO')."""

def normalize_batch(strings: Sequence[str]) -> list[str]: ...
def icao_fold_batch(strings: Sequence[str]) -> list[str]: ...

# --- phonetic keys (native/src/phonetic.rs); jellyfish's definitions unless noted -----------

def soundex(s: str) -> str: ...
def nysiis(s: str) -> str: ...
def metaphone(s: str) -> str: ...
def match_rating_codex(s: str) -> str: ...
def match_rating_comparison(a: str, b: str) -> bool | None:
    """None where the codices differ in length by 3 or more (jellyfish returns None too)."""

def double_metaphone(s: str) -> tuple[str, str]:
    """Primary and alternate Double Metaphone keys (rphonetic, Apache commons-codec definition)."""

def beider_morse(s: str) -> list[str]:
    """Beider-Morse phonetic keys, generic rules, approximate (rphonetic)."""

def phonetic_batch(algorithm: str, strings: Sequence[str]) -> list[str]:
    """algorithm: soundex | nysiis | metaphone | match_rating_codex | double_metaphone (primary)."""

# --- similarity (native/src/similarity.rs), rapidfuzz definitions --------------------------

def levenshtein_distance(a: str, b: str) -> int: ...
def levenshtein_normalized_similarity(a: str, b: str) -> float: ...
def osa_distance(a: str, b: str) -> int: ...
def damerau_levenshtein_distance(a: str, b: str) -> int: ...
def damerau_levenshtein_normalized_similarity(a: str, b: str) -> float: ...
def hamming_distance(a: str, b: str) -> int:
    """Positions that differ, plus the length difference (jellyfish's definition)."""

def jaro_similarity(a: str, b: str) -> float: ...
def jaro_winkler_similarity(a: str, b: str, prefix_weight: float = 0.1) -> float: ...
def ratio(a: str, b: str) -> float:
    """Indel similarity in [0, 100] (rapidfuzz.fuzz.ratio)."""

def token_sort_ratio(a: str, b: str) -> float:
    """rapidfuzz.fuzz.token_sort_ratio: tokens sorted, then ratio; [0, 100]."""

def token_set_ratio(a: str, b: str) -> float:
    """rapidfuzz.fuzz.token_set_ratio: intersection and differences compared; [0, 100]."""

def similarity_batch(metric: str, a: Sequence[str], b: Sequence[str]) -> list[float]:
    """Pairwise a[i] vs b[i]. metric: one of SIMILARITY_METRICS."""

SIMILARITY_METRICS: list[str]

def cdist(metric: str, queries: Sequence[str], choices: Sequence[str]) -> list[list[float]]:
    """Every query against every choice, rows in parallel (like rapidfuzz.process.cdist)."""

# --- names: token alignment and blocking (native/src/names.rs, native/src/index.rs) --------

class NameComparison:
    score: float
    """Order-free token alignment score in [0, 1]."""
    pairs: list[tuple[str, str, float, str]]
    """(query token, candidate token, similarity, how): how is exact | phonetic | fuzzy | initial | joined | skeleton (consonants of a vowelless, abjad-script spelling) | nickname | abbreviation | romanisation (CHANG ~ JANG, CHONG ~ JEONG)."""
    unmatched_query: list[str]
    unmatched_candidate: list[str]

def compare_names(query: str, candidate: str) -> NameComparison: ...
def compare_names_batch(queries: Sequence[str], candidates: Sequence[str]) -> list[float]: ...
def legal_form(name: str) -> str | None:
    """The generic legal form of an organisation name (rigour's tag: `Acme Co. Ltd.` -> `LLC`), if any."""

class NameIndex:
    """Blocking index over watchlist names: exact, phonetic and one-deletion token keys,
    weighted by rarity, then candidates scored by the token alignment of compare_names."""

    def __init__(self, names: Sequence[str], owners: Sequence[int]) -> None:
        """names[i] is one name or alias of entry owners[i]."""
    def __len__(self) -> int: ...
    @property
    def entry_count(self) -> int: ...
    def search(
        self, queries: Sequence[str], limit: int = 10, max_candidates: int = 100, min_score: float | Sequence[float] = 0.0,
        extra_names: Sequence[Sequence[int]] | None = None, birth_years: "BirthYears | None" = None,
        far_floors: Sequence[tuple[int, float]] | None = None,
    ) -> list[list[tuple[int, int, float]]]:
        """Per query, up to `limit` (owner, name index, name score) with a name score of at least
        `min_score` (one floor, or one per query), best entry first, one row per owner; then any more
        whose name score ties with the last of them (equal names are told apart by the evidence).
        `extra_names`: per query, names (indexes) scored besides the index's candidates, their owners
        kept past `limit` when they reach the floor (another blocking key's: a birth date's).
        `birth_years` with `far_floors` (per query: its birth year or 0, and a floor): of those, the
        owners whose every listed year is `far` or more from the query's and whose name score is below its
        floor are left out (the evidence step would rule them out: scoring.far_birth_year_floors)."""
    def search_ahead(
        self, queries: Sequence[str], limit: int = 10, max_candidates: int = 100, min_score: float | Sequence[float] = 0.0,
        extra_names: Sequence[Sequence[int]] | None = None, birth_years: "BirthYears | None" = None,
        far_floors: Sequence[tuple[int, float]] | None = None,
    ) -> "PendingSearch":
        """`search`, started on the native thread pool and returned at once (the arguments are
        checked first): the caller goes on with other work, then takes the result with `wait`."""
    def compare_names(self, query: str, name: int, text: str) -> NameComparison:
        """`compare_names(query, text)`, where `text` is indexed name `name`: the same comparison,
        with the name's tokens read from the index instead of prepared again (explaining a hit)."""
    def may_pair_nicknames(self, query: str, name: int) -> bool:
        """Whether `compare_names(query, name's text)` may pair a nickname with its name (some token of
        each is so related); False means it certainly does not. Cheap: no alignment."""
    def candidates(self, query: str, max_candidates: int = 100) -> list[int]:
        """Name indexes the blocking keys propose for one query, strongest evidence first; then, beyond
        `max_candidates`, any listed name written as one vowelless token (Arabic script without spaces) that
        the query's whole name glued spells."""
    def stats(self) -> dict[str, int]:
        """Sizes of the index's parts: rows, spellings (rows spelling the same name, gathered when names
        recur; else one per row), tokens, postings, keys, proposals (the similar tokens each listed token
        proposes, worked out at build), bytes of its flat arrays, and `mapped` (1 when they are
        memory-mapped from a file)."""
    @property
    def fingerprint(self) -> int:
        """name_fingerprint(names, owners) of the names it was built from (kept in a saved file)."""
    @property
    def is_mapped(self) -> bool:
        """True for an index from `load`: its arrays are borrowed from the memory-mapped file."""
    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the index to one file ("IDXNAME1": header with counts, fingerprint and checksums,
        then little-endian 8-byte-aligned arrays and the token texts), crash-safe: a temporary
        `.<name>.<pid>.<ns>.tmp` in the same directory, fsynced, renamed over `path`. The GIL is
        released. Raises OSError when the file cannot be written."""
    @staticmethod
    def load(path: str | os.PathLike[str]) -> "NameIndex":
        """Memory-maps a file written by `save` (the arrays are not copied; the token dictionary is
        rebuilt from its texts). Every part is validated first: a damaged or truncated file raises
        ValueError naming what is wrong, a missing one FileNotFoundError. The GIL is released.
        The file must not be modified in place while the index is alive (replace it by rename)."""

class BirthYears:
    """The birth years each entry of a list gives, by entry number, for `NameIndex.search`."""

    def __init__(self, offsets: Sequence[int], years: Sequence[int], far: int) -> None:
        """Entry i's years are years[offsets[i]:offsets[i + 1]] (none for an entry without a date);
        offsets rise from 0 to len(years), else ValueError. `far`: a birth year this many years or
        more from every listed one can only conflict (scoring.FAR_BIRTH_YEARS)."""
    def __len__(self) -> int: ...

class PendingSearch:
    """A `NameIndex.search_ahead` running on the native thread pool."""

    def wait(self) -> list[list[tuple[int, int, float]]]:
        """Blocks, the GIL released, until the search ends, and returns what `search` would have.
        The result is taken once: a second call raises RuntimeError."""

def name_fingerprint(names: Sequence[str], owners: Sequence[int]) -> int:
    """64-bit FNV-1a fingerprint of names and owners, in order: equals NameIndex(names, owners).fingerprint."""

# --- the search thread pool (native/src/pool.rs) -----------------------------------------------

def set_search_threads(threads: int) -> None:
    """Sets the threads that name searches run on (0: one per core); searches under way finish first."""

def search_threads() -> int:
    """Threads in the search pool."""

# --- listed documents (native/src/documents.rs) --------------------------------------------

DOCUMENT_CONFUSION_PAIRS: list[str]
"""Unordered OCR confusion pairs ("O/0", "Q/0", "D/0", "O/Q", ..., "G/6"): bit i of a match's mask is pair i."""

ArrowStringChunk = tuple[int, int, Any | None, Any | None, Any | None, bool]
"""One chunk of an Arrow string column: (length, offset, validity, offsets, data, large_string);
buffers are pyarrow Buffers (`Array.buffers()`, memory-mapped or not) or bytes; validity None = no nulls."""

DocumentMatchTuple = tuple[int, str, int, str, str, int, str, bool]
"""(row, how, pos, query_chars, listed_chars, confusion_mask, country, type_conflict): how is
exact | ocr | substitution | insertion | deletion | transposition; country is same | query_missing |
listed_missing | conflict."""

class DocumentIndex:
    """Listed documents: loose key + single-deletion keys as sorted u64 (hash | row) with a bucket
    table, a number arena, interned type and country codes. Rows are column positions."""

    @staticmethod
    def from_columns(
        numbers: Sequence[ArrowStringChunk],
        types: Sequence[ArrowStringChunk] | None = None,
        countries: Sequence[ArrowStringChunk] | None = None,
    ) -> DocumentIndex:
        """Built in Rust (GIL released) from the columns' buffers; chunk boundaries may differ by column.
        Null or empty numbers stay rows but are not indexed."""
    def __len__(self) -> int: ...
    def row(self, row: int) -> tuple[str, str | None, str | None]:
        """(cleaned number, type lower-cased, country upper-cased) of a row."""
    def stats(self) -> dict[str, int]:
        """rows, keys, entries_bytes, buckets_bytes, arena_bytes, codes_bytes, total_bytes."""
    def lookup_batch(
        self,
        numbers: Sequence[str],
        types: Sequence[str | None] | None = None,
        countries: Sequence[str | None] | None = None,
        fuzzy: bool = True,
    ) -> DocumentMatches:
        """Per query, its matches (exact and OCR first). Without fuzzy: one probe, exact and OCR only.
        Countries compare as written (pass ISO alpha-2); types by first letter. Parallel, GIL released."""

class DocumentMatches:
    """The matches of a lookup batch, held in Rust; tuples are made only for the queries asked for."""

    def __len__(self) -> int: ...
    def __getitem__(self, query: int) -> list[DocumentMatchTuple]: ...
    @property
    def total(self) -> int:
        """Matches over all queries."""
    def nonempty(self) -> list[int]:
        """Indexes of the queries with at least one match."""
    def to_lists(self) -> list[list[DocumentMatchTuple]]: ...
