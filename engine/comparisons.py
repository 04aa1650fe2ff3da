"""Evidence beyond the name, as comparison objects that explain themselves.

Each comparison looks at one attribute of a query and a watchlist entry and returns at most one
`Contribution`: a named feature (`birth_date.conflict`), the amount it adds to the score (from
`config.Weights`) and a sentence an analyst can read. The name itself is compared natively
(engine.names); these refine that score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from . import _native
from .config import Weights
from .countries import same_country
from .documents import clean_number, document_key, relate
from .model import Entry, PartialDate, Query


@dataclass(frozen=True, slots=True)
class Contribution:
    """`describe` writes the sentence: only for the few candidates that become hits (a screen weighs
    many more candidates than it explains)."""

    feature: str
    value: float
    describe: Callable[[], str]

    @property
    def reason(self) -> str:
        return self.describe()


class Comparison(Protocol):
    name: str
    # the query attribute it reads: without it, the comparison has nothing to say (carried_comparisons)
    needs: str

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None: ...


def _birth_date_level(q: PartialDate, e: PartialDate) -> str:
    if q.year != e.year:
        return "near_year" if abs(q.year - e.year) == 1 else "conflict"
    # 1 January often stands for "year known, day unknown" on lists and in passports (8% of the UN list's
    # full dates, 3-5% of OFAC's and EU's, against 0.3% by chance). Against another day of the year it is a
    # placeholder or a conflict, which the dates cannot tell; against 1 January or a year alone, only the
    # year is known to agree, and it weighs as a year.
    if (q.month, q.day) == (1, 1) or (e.month, e.day) == (1, 1):
        other = e if (q.month, q.day) == (1, 1) else q
        return "unknown_day" if (other.month, other.day) in ((1, 1), (None, None)) else "placeholder"
    if q.month is None or e.month is None:
        return "year"
    if q.month == e.month:
        if q.day is None or e.day is None:
            return "month"
        return "exact" if q.day == e.day else "conflict"
    if q.day is not None and e.day is not None and (q.month, q.day) == (e.day, e.month):
        return "swapped"
    return "conflict"


_LEVEL_ORDER = ("exact", "month", "swapped", "year", "unknown_day", "placeholder", "near_year", "conflict")
_LEVEL_TEXT = {
    "exact": "birth date {q} equals the listed {e}",
    "month": "birth date {q} agrees with the listed {e} to the month",
    "swapped": "birth date {q} is the listed {e} with day and month swapped",
    "year": "birth year of {q} agrees with the listed {e}",
    "unknown_day": "birth year of {q} agrees with the listed {e}; 1 January stands for an unknown day",
    "placeholder": "birth date {q} agrees with the listed {e} in the year; 1 January is a placeholder",
    "near_year": "birth date {q} is one year from the listed {e}",
    "conflict": "birth date {q} conflicts with the listed {e}",
}


_LEVEL_RANK = {level: rank for rank, level in enumerate(_LEVEL_ORDER)}
_LEVEL_FEATURE = {level: (f"birth_date.{level}", f"birth_date_{level}") for level in _LEVEL_ORDER}
_LEVEL_FEATURE["unknown_day"] = _LEVEL_FEATURE["year"]


class BirthDateComparison:
    name = "birth_date"
    needs = "birth_date"

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        born = query.birth_date
        if born is None or not entry.birth_dates:
            return None
        if len(entry.birth_dates) == 1:  # most entries: no choice to make
            listed = entry.birth_dates[0]
            level = _birth_date_level(born, listed)
        else:  # the closest of the listed dates (the first of equally close ones)
            level, listed = min(((_birth_date_level(born, e), e) for e in entry.birth_dates), key=lambda le: _LEVEL_RANK[le[0]])
        feature, weight = _LEVEL_FEATURE[level]
        return Contribution(feature, getattr(weights, weight), lambda: _LEVEL_TEXT[level].format(q=born, e=listed))


class NationalityComparison:
    name = "nationality"
    needs = "nationality"

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        if not query.nationality or not entry.nationalities:
            return None
        if any(same_country(query.nationality, n) for n in entry.nationalities):
            return Contribution("nationality.match", weights.nationality_match, lambda: f"nationality {query.nationality} is listed")
        return Contribution(
            "nationality.conflict", weights.nationality_conflict,
            lambda: f"nationality {query.nationality}, listed {', '.join(entry.nationalities)}",
        )


class SexComparison:
    name = "sex"
    needs = "sex"

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        if query.sex and entry.sex and query.sex != entry.sex:
            return Contribution("sex.conflict", weights.sex_conflict, lambda: f"sex {query.sex}, listed {entry.sex}")
        return None


class DocumentComparison:
    """The query's documents against the entry's. The same number (up to O/0 and I/1) is a match; a
    number one OCR confusion, substitution, insertion, deletion or adjacent transposition away
    (engine.documents.relate, as check_documents finds them) is a near match: a mistyped or misread
    number. Near matches need NEAR_MIN_LENGTH characters: a short number is one edit from too many.
    Documents issued by different countries never count."""

    name = "document"
    needs = "documents"
    NEAR_MIN_LENGTH = 6

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        if not query.documents or not entry.documents:
            return None
        pairs = [(q, e) for q in query.documents for e in entry.documents
                 if not q.country or not e.country or same_country(q.country, e.country)]
        for q, e in pairs:
            if document_key(q.number) == document_key(e.number):
                return Contribution("document.match", weights.document_match, lambda: f"document {e.number} is listed")
        for q, e in pairs:
            if not weights.document_near_match or min(len(clean_number(q.number)), len(clean_number(e.number))) < self.NEAR_MIN_LENGTH:
                continue
            rel = relate(q.number, e.number)
            if rel is not None:
                how = "OCR confusions" if rel.how == "ocr" else f"one {rel.how}"
                return Contribution("document.near_match", weights.document_near_match,
                                    lambda: f"document {q.number} is {how} from the listed {e.number}")
        # One document of a kind per issuer (a national id): another number of that type is against.
        for q, e in pairs:
            if q.type and q.type == e.type and bool(q.country) == bool(e.country):
                return Contribution("document.conflict", weights.document_conflict,
                                    lambda: f"{q.type} {q.number}, listed {e.number}")
        return None


class AddressComparison:
    """A person's address against the listed addresses: token-set similarity of the normalised forms
    (order-free, tolerant of a missing suburb or a typo), graded from ADDRESS_FLOOR up to 1. Weak
    evidence on its own (people move), but it tells apart two people of one name."""

    name = "address"
    needs = "address"
    ADDRESS_FLOOR = 0.6

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        if not query.address or not entry.addresses or not weights.address_match:
            return None
        q = _native.normalize(query.address)
        sim, listed = max((_native.token_set_ratio(q, _native.normalize(a)) / 100.0, a) for a in entry.addresses)
        if sim < self.ADDRESS_FLOOR:
            return None
        value = weights.address_match * (sim - self.ADDRESS_FLOOR) / (1.0 - self.ADDRESS_FLOOR)
        return Contribution("address.match", value, lambda: f"address agrees {sim:.2f} with the listed {listed!r}")


class CountryComparison:
    """For organisations and consignees: the party's country against the entry's address countries."""

    name = "country"
    needs = "country"

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        if not query.country or not entry.countries:
            return None
        if any(same_country(query.country, c) for c in entry.countries):
            return Contribution("country.match", weights.country_match, lambda: f"country {query.country} is listed")
        return Contribution(
            "country.conflict", weights.country_conflict, lambda: f"country {query.country}, listed {', '.join(entry.countries)}"
        )


class LegalFormComparison:
    """For organisations: the query's legal form against those of the entry's names. The name
    alignment sets legal forms aside (`ACME LTD` ~ `ACME`); here a different type counts against
    the hit, a little (`ACME HANDELS GMBH` is often not `ACME HANDELS AG`)."""

    name = "legal_form"
    needs = "full_name"

    def compare(self, query: Query, entry: Entry, weights: Weights) -> Contribution | None:
        form = _native.legal_form(query.full_name) if query.full_name else None
        listed = {f for f in map(_native.legal_form, entry.names + entry.weak_names) if f}
        if form is None or not listed:
            return None
        if form in listed:
            return Contribution("legal_form.match", weights.legal_form_match, lambda: f"legal form {form} is listed")
        return Contribution(
            "legal_form.conflict", weights.legal_form_conflict, lambda: f"legal form {form}, listed {', '.join(sorted(listed))}"
        )


PERSON_COMPARISONS: tuple[Comparison, ...] = (
    BirthDateComparison(),
    NationalityComparison(),
    SexComparison(),
    DocumentComparison(),
    AddressComparison(),
)
ORGANIZATION_COMPARISONS: tuple[Comparison, ...] = (CountryComparison(), LegalFormComparison())


def comparisons_for(kind: str) -> tuple[Comparison, ...]:
    return PERSON_COMPARISONS if kind == "person" else ORGANIZATION_COMPARISONS


_CARRIED: dict[tuple[str, tuple[bool, ...]], tuple[Comparison, ...]] = {}


def carried_comparisons(query: Query) -> tuple[Comparison, ...]:
    """The comparisons of the query's kind that it carries the attribute for: the others return None
    for every entry, so a screen weighing dozens of candidates per query asks only these."""
    kind = query.kind
    every = comparisons_for(kind)
    carries = tuple(bool(getattr(query, c.needs)) for c in every)
    found = _CARRIED.get((kind, carries))
    if found is None:
        found = _CARRIED[(kind, carries)] = tuple(c for c, has in zip(every, carries) if has)
    return found
