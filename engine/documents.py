"""Document numbers: normalisation keys and lookup against listed (stolen, lost, sanctioned) documents.

API and PNR data carry document numbers without check digits, typed or OCR-read: `O` and `0`,
`I` and `1` are confused all the time, `S`/`5`, `B`/`8`, `Z`/`2`, `G`/`6` often. Two keys:
- `document_key`: separators removed, upper case, O/Q->0 and I->1 folded: an exact match;
- `loose_document_key`: additionally S->5, B->8, Z->2, G->6, D->0, L->1: a near match that explains itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .countries import same_country
from .model import Document, Entry

_STRICT = str.maketrans({"O": "0", "Q": "0", "I": "1"})
_LOOSE = str.maketrans({"S": "5", "B": "8", "Z": "2", "G": "6", "D": "0", "L": "1"})


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


@dataclass(frozen=True, slots=True)
class DocumentMatch:
    entry: Entry
    document: Document
    score: float
    features: dict[str, float]
    explanation: tuple[str, ...]


class DocumentIndex:
    """Listed documents keyed by normalised number, for exact and OCR-confusion lookups."""

    # Score of a match by kind of agreement, before the issuing country is weighed.
    EXACT = 1.0
    OCR = 0.9
    MISSING_COUNTRY = -0.05
    COUNTRY_CONFLICT = -0.4
    TYPE_CONFLICT = -0.1

    def __init__(self, entries: list[Entry]):
        self._strict: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._loose: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._entries = entries
        for ei, e in enumerate(entries):
            for di, d in enumerate(e.documents):
                self._strict[document_key(d.number)].append((ei, di))
                self._loose[loose_document_key(d.number)].append((ei, di))

    def __len__(self) -> int:
        return sum(len(v) for v in self._strict.values())

    def lookup(self, doc: Document) -> list[DocumentMatch]:
        strict = document_key(doc.number)
        seen: set[tuple[int, int]] = set()
        out: list[DocumentMatch] = []
        for how, key, table in (("exact", strict, self._strict), ("ocr", loose_document_key(doc.number), self._loose)):
            for ref in table.get(key, ()):
                if ref in seen:
                    continue
                seen.add(ref)
                out.append(self._explain(doc, *ref, how))
        out.sort(key=lambda m: -m.score)
        return out

    def _explain(self, doc: Document, ei: int, di: int, how: str) -> DocumentMatch:
        entry = self._entries[ei]
        listed = entry.documents[di]
        features: dict[str, float] = {}
        reasons: list[str] = []
        if how == "exact" and clean_number(doc.number) == clean_number(listed.number):
            features["number.exact"] = self.EXACT
            reasons.append(f"number {listed.number} is listed")
        elif how == "exact":
            features["number.ocr_fold"] = self.EXACT
            reasons.append(f"number matches listed {listed.number} up to {', '.join(confusions(doc.number, listed.number))}")
        else:
            features["number.ocr_confusion"] = self.OCR
            reasons.append(
                f"number matches listed {listed.number} up to OCR confusions {', '.join(confusions(doc.number, listed.number))}"
            )
        if doc.country and listed.country:
            if not same_country(doc.country, listed.country):
                features["country.conflict"] = self.COUNTRY_CONFLICT
                reasons.append(f"issued by {doc.country}, listed as issued by {listed.country}")
        elif listed.country:
            features["country.missing"] = self.MISSING_COUNTRY
            reasons.append(f"no issuing country given; listed as issued by {listed.country}")
        if doc.type and listed.type and doc.type[:1] != listed.type[:1]:
            features["type.conflict"] = self.TYPE_CONFLICT
            reasons.append(f"document type {doc.type}, listed {listed.type}")
        score = max(0.0, min(1.0, sum(features.values())))
        return DocumentMatch(entry, listed, score, features, tuple(reasons))
