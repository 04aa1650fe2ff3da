"""Document numbers: normalisation keys and lookup against listed (stolen, lost, sanctioned) documents.

API and PNR data carry document numbers without check digits, typed or OCR-read: `O` and `0`,
`I` and `1` are confused all the time, `S`/`5`, `B`/`8`, `Z`/`2`, `G`/`6` often. Two keys:
- `document_key`: separators removed, upper case, O/Q->0 and I->1 folded: an exact match;
- `loose_document_key`: additionally S->5, B->8, Z->2, G->6, D->0, L->1: a near match that explains itself.

The index itself is native (`native/src/documents.rs`): built from Arrow columns, so a 100M-row
stolen-document list (the store's "documents" layout) never becomes Python objects; it finds exact and
OCR-folded numbers with one probe, and numbers one substitution, insertion, deletion or adjacent
transposition away (after OCR folding) with deletion keys. `relate` below is its Python twin for one
pair, the reference the tests compare the native index with. Scoring and explanations are here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from . import _native
from .countries import to_iso2
from .model import Document, Entry
from .mrz import Mrz

_STRICT = str.maketrans({"O": "0", "Q": "0", "I": "1"})
_LOOSE = str.maketrans({"S": "5", "B": "8", "Z": "2", "G": "6", "D": "0", "L": "1"})

#: Unordered OCR confusion pairs, bit i of a native confusion mask is pair i ("O/0", "I/1", ...).
CONFUSION_PAIRS: tuple[str, ...] = tuple(_native.DOCUMENT_CONFUSION_PAIRS)
_PAIR_OF = {frozenset(p.split("/")): p for p in CONFUSION_PAIRS}


def clean_number(number: str) -> str:
    return "".join(c for c in number.upper() if c.isalnum())


def document_key(number: str) -> str:
    return clean_number(number).translate(_STRICT)


def loose_document_key(number: str) -> str:
    return document_key(number).translate(_LOOSE)


def confusions(a: str, b: str) -> list[str]:
    """The character pairs in which two equally long numbers differ: ['O/0', 'I/1']."""
    a, b = clean_number(a), clean_number(b)
    if len(a) != len(b):
        return []
    return sorted({f"{x}/{y}" for x, y in zip(a, b) if x != y})


def document_record_id(number: str, type: str | None, country: str | None) -> str:
    """The id of a row of a document list: the contract of `watchlists.schema.document_record_id`
    (the engine sits below `watchlists` and does not import it)."""
    return f"{country or '--'}:{type or 'other'}:{number}"


def _country_code(country: str | None) -> str | None:
    """What the index compares: ISO 3166-1 alpha-2 when known (FRA = FR), else as written."""
    if not country or not country.strip():
        return None
    return to_iso2(country) or country.strip().upper()


@dataclass(frozen=True, slots=True)
class Relation:
    """How a listed number relates to a queried one (native `DocumentIndex.lookup_batch` tuple)."""

    how: str  # exact | ocr | substitution | insertion | deletion | transposition
    pos: int = 0  # where the edit is, in the query
    query_chars: str = ""
    listed_chars: str = ""
    confusions: tuple[str, ...] = ()  # OCR confusion pairs elsewhere: ("O/0", "B/8")

    @classmethod
    def from_native(cls, how: str, pos: int, q: str, listed: str, mask: int) -> "Relation":
        return cls(how, pos, q, listed, tuple(p for i, p in enumerate(CONFUSION_PAIRS) if mask >> i & 1))


def _pairs(a: str, b: str) -> tuple[str, ...]:
    found = {_PAIR_OF.get(frozenset((x, y)), "") for x, y in zip(a, b) if x != y}
    return tuple(p for p in CONFUSION_PAIRS if p in found)


def relate(query: str, listed: str) -> Relation | None:
    """The Python twin of the native `relate`: equal up to OCR folding, or one substitution,
    insertion, deletion or adjacent transposition apart after loose folding; None otherwise."""
    q, l = clean_number(query), clean_number(listed)
    lq, ll = q.translate(_STRICT).translate(_LOOSE), l.translate(_STRICT).translate(_LOOSE)
    if len(q) == len(l):
        diffs = [i for i in range(len(q)) if lq[i] != ll[i]]
        if not diffs:
            return Relation("exact" if q.translate(_STRICT) == l.translate(_STRICT) else "ocr", confusions=_pairs(q, l))
        if len(diffs) == 1:
            i = diffs[0]
            return Relation("substitution", i, q[i], l[i], _pairs(q[:i] + q[i + 1 :], l[:i] + l[i + 1 :]))
        i = diffs[0]
        if diffs == [i, i + 1] and lq[i] == ll[i + 1] and lq[i + 1] == ll[i]:
            return Relation("transposition", i, q[i : i + 2], l[i : i + 2], _pairs(q[:i] + q[i + 2 :], l[:i] + l[i + 2 :]))
        return None
    if abs(len(q) - len(l)) != 1:
        return None
    long, short = (lq, ll) if len(q) > len(l) else (ll, lq)
    i = next((k for k in range(len(short)) if long[k] != short[k]), len(short))
    if long[i + 1 :] != short[i:]:
        return None
    if len(q) > len(l):
        return Relation("insertion", i, q[i], "", _pairs(q[:i] + q[i + 1 :], l))
    return Relation("deletion", i, "", l[i], _pairs(q, l[:i] + l[i + 1 :]))


@dataclass(frozen=True, slots=True)
class DocumentMatch:
    entry_id: str
    document: Document  # the listed document
    score: float
    features: dict[str, float]
    explanation: tuple[str, ...]
    relation: Relation
    entry: Entry | None = None  # the watchlist entry, for lists built from records


def _arrow_chunks_decoded(column: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """The chunks of a column as string or large_string arrays (dictionaries decoded, others cast)."""
    out = []
    for a in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        if pa.types.is_dictionary(a.type):
            a = a.dictionary_decode()
        if not (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)):
            a = a.cast(pa.string())  # string_view, binary, null: rare, small
        out.append(a)
    return out


def _arrow_chunks(column: pa.Array | pa.ChunkedArray) -> list[tuple]:
    """A string column as the buffers the native index reads: (length, offset, validity, offsets,
    data, large) per chunk; memory-mapped buffers are passed as they are, never copied."""
    out = []
    for a in _arrow_chunks_decoded(column):
        validity, offsets, data = a.buffers()[:3]
        out.append((len(a), a.offset, validity if a.null_count else None, offsets, data, pa.types.is_large_string(a.type)))
    return out


class DocumentIndex:
    """Listed documents: a native index over (number, type, country) rows, with the explanation and
    score of each match. Rows come from watchlist entries (`kind: document`, or the documents of
    persons and organisations) or from a document-list table (watchlists.schema.DOCUMENT_LIST_SCHEMA)."""

    # Score of a match by how the number agrees, before the issuing country and type are weighed.
    EXACT = 1.0
    OCR = 0.95
    TRANSPOSITION = 0.9
    EDIT = 0.88  # one substitution, insertion or deletion beyond OCR confusions
    EDIT_AND_OCR = -0.02  # an edit plus OCR confusions elsewhere in the number
    MISSING_COUNTRY = -0.03
    COUNTRY_CONFLICT = -0.4
    TYPE_CONFLICT = -0.1
    MRZ_CHECK_DIGIT = 0.0  # the queried MRZ's number check digit: evidence named, not weighed

    def __init__(self, entries: Sequence[Entry] = ()):
        self._entries = list(entries)
        self._refs: list[tuple[int, int]] = [(ei, di) for ei, e in enumerate(self._entries) for di in range(len(e.documents))]
        docs = [self._entries[ei].documents[di] for ei, di in self._refs]
        numbers = pa.array([clean_number(d.number) for d in docs], pa.string())
        types = pa.array([d.type or None for d in docs], pa.string())
        countries = pa.array([_country_code(d.country) for d in docs], pa.string())
        self._native = _native.DocumentIndex.from_columns(
            _arrow_chunks(numbers), _arrow_chunks(types), _arrow_chunks(countries)
        )
        self._table: pa.Table | None = None

    @classmethod
    def from_table(cls, table: pa.Table) -> "DocumentIndex":
        """From a document-list table (columns number, type, country; DOCUMENT_LIST_SCHEMA): the
        columns' buffers, memory-mapped when the table is, go straight to the native build."""
        self = cls.__new__(cls)
        self._entries, self._refs, self._table = [], [], table
        names = set(table.column_names)
        col = lambda name: _arrow_chunks(table.column(name)) if name in names else None  # noqa: E731
        self._native = _native.DocumentIndex.from_columns(col("number"), col("type"), col("country"))
        return self

    def __len__(self) -> int:
        return len(self._native)

    def stats(self) -> dict[str, int]:
        """Bytes held by the native index, by part (entries, buckets, arena, codes, total)."""
        return dict(self._native.stats())

    def fingerprint(self) -> str:
        """A content hash of a table-built index's columns (a version when none is given)."""
        h = hashlib.sha256()
        if self._table is not None:
            for name in ("number", "type", "country"):
                if name not in self._table.column_names:
                    continue
                # lengths (-1: null) and value bytes, hashed apart: independent of the chunking
                hl, hv = hashlib.sha256(), hashlib.sha256()
                for chunk in _arrow_chunks_decoded(self._table.column(name)):
                    lengths = pc.fill_null(pc.cast(pc.binary_length(chunk), pa.int64()), -1)
                    hl.update(memoryview(lengths.buffers()[1])[: len(lengths) * 8])
                    _, offsets, data = chunk.buffers()[:3]
                    if data is not None and len(chunk):
                        w = 8 if pa.types.is_large_string(chunk.type) else 4
                        at = lambda i: int.from_bytes(memoryview(offsets)[i * w : i * w + w], "little")  # noqa: E731
                        hv.update(memoryview(data)[at(chunk.offset) : at(chunk.offset + len(chunk))])
                h.update(name.encode() + hl.digest() + hv.digest())
        return h.hexdigest()[:16]

    def _listed(self, row: int) -> tuple[str, Document, Entry | None]:
        if self._table is None:
            ei, di = self._refs[row]
            entry = self._entries[ei]
            return entry.id, entry.documents[di], entry
        number, type_, country = self._native.row(row)
        return document_record_id(number, type_, country), Document(number, type_ or "", country or ""), None

    def entry(self, entry_id: str) -> Entry | None:
        """The `kind: document` entry of a table row, by its record id."""
        country, _, rest = entry_id.partition(":")
        _, _, number = rest.partition(":")
        if self._table is None or not number:
            return None
        for row, *_ in self._native.lookup_batch([number], None, None, False)[0]:
            rid, doc, _ = self._listed(row)
            if rid == entry_id:
                return Entry(id=rid, kind="document", names=(), documents=(doc,))
        return None

    def lookup(self, doc: Document, mrz: Mrz | None = None, fuzzy: bool = True) -> list[DocumentMatch]:
        return self.lookup_batch([doc], [mrz], fuzzy)[0]

    def lookup_batch(
        self, docs: Sequence[Document], mrzs: Sequence[Mrz | None] | None = None, fuzzy: bool = True
    ) -> list[list[DocumentMatch]]:
        """Per document, the listed documents it matches, best first: one native call for the batch.
        An MRZ supplies the country and type when the document lacks them, and its number check
        digit is named in the features."""
        mrzs = list(mrzs) if mrzs is not None else [None] * len(docs)
        countries = [_country_code(d.country or (m.issuing_state if m else "")) for d, m in zip(docs, mrzs)]
        types = [d.type or (m.document_code.lower() if m else "") or None for d, m in zip(docs, mrzs)]
        found = self._native.lookup_batch([d.number for d in docs], types, countries, fuzzy)
        out: list[list[DocumentMatch]] = [[] for _ in docs]
        for i in found.nonempty():  # Python objects only for documents that match something
            ms = [self._explain(docs[i], countries[i], types[i], mrzs[i], *m) for m in found[i]]
            ms.sort(key=lambda m: (-m.score, m.entry_id))
            out[i] = ms
        return out

    def _explain(
        self, doc: Document, country: str | None, type_: str | None, mrz: Mrz | None,
        row: int, how: str, pos: int, q: str, listed_chars: str, mask: int, country_check: str, type_conflict: bool,
    ) -> DocumentMatch:
        entry_id, listed, entry = self._listed(row)
        rel = Relation.from_native(how, pos, q, listed_chars, mask)
        features, reasons = score_relation(rel, listed.number)
        if country_check == "conflict":
            features["country.conflict"] = self.COUNTRY_CONFLICT
            reasons.append(f"issued by {doc.country or country}, listed as issued by {listed.country}")
        elif country_check == "query_missing":
            features["country.missing"] = self.MISSING_COUNTRY
            reasons.append(f"no issuing country given; listed as issued by {listed.country}")
        if type_conflict:
            features["type.conflict"] = self.TYPE_CONFLICT
            reasons.append(f"document type {type_}, listed {listed.type}")
        if mrz is not None:
            valid = mrz.number_valid
            features["mrz.check_digit_valid" if valid else "mrz.check_digit_invalid"] = self.MRZ_CHECK_DIGIT
            reasons.append(
                f"MRZ document number {mrz.number} check digit {'valid' if valid else 'INVALID (misread or altered)'}"
            )
        score = round(max(0.0, min(1.0, sum(features.values()))), 6)
        return DocumentMatch(entry_id, listed, score, features, tuple(reasons), rel, entry)


def score_relation(rel: Relation, listed_number: str) -> tuple[dict[str, float], list[str]]:
    """The number's contribution to a match score, named, and its explanation."""
    ix = DocumentIndex
    pairs = ", ".join(rel.confusions)
    if rel.how == "exact":
        if rel.confusions:
            return {"number.ocr_fold": ix.EXACT}, [f"number matches listed {listed_number} up to {pairs}"]
        return {"number.exact": ix.EXACT}, [f"number {listed_number} is listed"]
    if rel.how == "ocr":
        return {"number.ocr_confusion": ix.OCR}, [f"number matches listed {listed_number} up to OCR confusions {pairs}"]
    at = f"at position {rel.pos + 1}"
    what = {
        "transposition": f"{rel.query_chars} read for {rel.listed_chars} {at} (adjacent characters swapped)",
        "substitution": f"{rel.query_chars} read for {rel.listed_chars} {at}",
        "insertion": f"extra {rel.query_chars} {at}",
        "deletion": f"{rel.listed_chars} missing {at}",
    }[rel.how]
    features = {f"number.{rel.how}": ix.TRANSPOSITION if rel.how == "transposition" else ix.EDIT}
    reasons = [f"number is one edit from listed {listed_number}: {what}"]
    if rel.confusions:
        features["number.edit_and_ocr"] = ix.EDIT_AND_OCR
        reasons.append(f"and OCR confusions {pairs}")
    return features, reasons


def reference_lookup(
    listed: Sequence[tuple[str, str | None, str | None]], number: str, fuzzy: bool = True
) -> list[tuple[int, Relation]]:
    """Brute force over every listed row with `relate`: what the native index must find (tests)."""
    out: list[tuple[int, Relation]] = []
    q = clean_number(number)
    if not q:
        return out
    for row, (n, _, _) in enumerate(listed):
        n = clean_number(n)
        if not n or abs(len(n) - len(q)) > 1:
            continue
        rel = relate(q, n)
        if rel is not None and (fuzzy or rel.how in ("exact", "ocr")):
            out.append((row, rel))
    return out

