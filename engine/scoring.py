"""From a name score and the evidence to a hit's score, band and explanation.

score = name alignment score + the contributions of the comparisons (engine.comparisons),
clamped to [0, 1]. `features` holds every term, so an analyst sees exactly why a score is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .comparisons import Comparison, Contribution, carried_comparisons
from .config import Config, Thresholds, Weights
from .model import Entry, Query
from .names import NameComparison, compare_names

# Which watchlist kinds a query of each kind is screened against.
COMPATIBLE_KINDS = {
    "person": ("person",),
    "organization": ("organization", "vessel"),
    "vessel": ("vessel", "organization"),
}


def _partial_name_lift(feature: str, weights: Weights) -> tuple[float, float]:
    """(slope, cap) of what an agreeing birth date of this feature adds to a partial name per unit its score
    falls short of 1 (deepen_conflict); (0, 0) for the features with no such lift."""
    if feature == "birth_date.exact":
        return max(weights.birth_date_exact_name_gap, 0.0), MAX_EXACT_LIFT
    if feature == "birth_date.year":
        return max(weights.birth_date_year_name_gap, 0.0), MAX_YEAR_LIFT
    return 0.0, 0.0


def birth_date_levels(weights: Weights) -> list[tuple[float, float, float]]:
    """What each level of an agreeing birth date (or none) adds to a name that agrees to n: (base, slope,
    cap), base + min(cap, slope * (1 - n))."""
    agreeing = {"exact": weights.birth_date_exact, "year": weights.birth_date_year, "month": weights.birth_date_month,
                "swapped": weights.birth_date_swapped, "near_year": weights.birth_date_near_year,
                "placeholder": weights.birth_date_placeholder}
    return [(base, *_partial_name_lift(f"birth_date.{level}", weights)) for level, base in agreeing.items()] + [(0.0, 0.0, 0.0)]


def _lifted(name_score: float, base: float, slope: float, cap: float) -> float:
    return name_score + base + min(cap, slope * (1.0 - name_score))


def birth_date_budget(weights: Weights) -> float:
    """The most a birth date can add (an equal full date, lifted for a partial name, MAX_EXACT_LIFT)."""
    return max(base + min(cap, slope) for base, slope, cap in birth_date_levels(weights))


def least_name_score(target: float, weights: Weights) -> float:
    """The least name score that an agreeing birth date can lift to `target`: below it no name gets there.
    An equal full date adds more the less of the name agrees, up to a cap, so this is above `target -
    birth_date_budget` where the cap binds only for names too weak to get there anyway. Exact but for a
    hair's breadth below, so that a name exactly there is not lost to rounding."""
    least = target  # a name alone
    for base, slope, cap in birth_date_levels(weights):
        # linear on either side of the name score at which the lift reaches its cap
        kink = min(1.0, max(0.0, 1.0 - cap / slope)) if slope > 0 else 1.0
        for lo, hi in ((0.0, kink), (kink, 1.0)):
            at_lo, at_hi = _lifted(lo, base, slope, cap), _lifted(hi, base, slope, cap)
            if at_lo >= target:
                least = min(least, lo)
                break
            if at_hi >= target:  # the first name score on this stretch that gets there
                least = min(least, lo + (target - at_lo) * (hi - lo) / (at_hi - at_lo))
                break
    return max(0.0, least - 1e-9)


def positive_evidence_budget(weights: Weights, query: Query | None = None) -> float:
    """The most the evidence can add: the name score a hit needs is at least threshold minus this.
    Given a query, only the evidence it carries counts (a query without a birth date earns none
    for one), so a bare name needs a name score near the threshold itself."""
    has = (lambda attribute: True) if query is None else (lambda attribute: bool(getattr(query, attribute)))
    per_attribute = [
        birth_date_budget(weights) if has("birth_date") else 0.0,
        max(weights.nationality_match, 0) if has("nationality") else 0.0,
        max(weights.document_match, weights.document_near_match, 0) if has("documents") else 0.0,
        max(weights.country_match, 0) if has("country") else 0.0,
        max(weights.address_match, 0) if has("address") else 0.0,
        max(weights.legal_form_match, 0) if has("full_name") else 0.0,
        max(weights.name_nickname, 0),
    ]
    return sum(per_attribute)


def evidence_budgets(weights: Weights) -> Callable[[Query], float]:
    """positive_evidence_budget(weights, query), remembered by which attributes the query carries
    (all that the budget depends on): a batch's queries carry a handful of combinations."""
    memo: dict[tuple[bool, ...], float] = {}

    def budget(query: Query) -> float:
        carries = (query.birth_date is not None, bool(query.nationality), bool(query.documents), bool(query.country),
                   bool(query.address), bool(query.name or query.surname or query.given_names))
        found = memo.get(carries)
        if found is None:
            found = memo[carries] = positive_evidence_budget(weights, query)
        return found

    return budget


def name_floors(weights: Weights) -> Callable[[float], float]:
    """least_name_score(target, weights), remembered per target: a batch's queries need a handful."""
    memo: dict[float, float] = {}

    def floor(target: float) -> float:
        found = memo.get(target)
        if found is None:
            found = memo[target] = least_name_score(target, weights)
        return found

    return floor


def describe_name(c: NameComparison) -> str:
    pairs = "; ".join(f"{q} ~ {k} ({how} {s:.2f})" for q, k, s, how in c.pairs)
    extra = []
    if c.unmatched_query:
        extra.append("not on the list name: " + " ".join(c.unmatched_query))
    if c.unmatched_candidate:
        extra.append("not in the query: " + " ".join(c.unmatched_candidate))
    return f"name {c.score:.3f}: " + (pairs or "no token agrees") + ("; " + "; ".join(extra) if extra else "")


@dataclass(frozen=True, slots=True)
class Assessment:
    score: float
    features: dict[str, float]
    # each reason's sentence, written when the explanation is asked for (a hit), not for every candidate
    reasons: tuple[Callable[[], str], ...]

    @property
    def explanation(self) -> tuple[str, ...]:
        return tuple([describe() for describe in self.reasons]) if self.reasons else ()


# The deepening stops here: beyond it the name alone is too weak to alert anyway.
MAX_CONFLICT_DEEPENING = 0.15
# The lift of an equal full birth date stops here: a date with no name agreeing adds 0.10 + 0.30, below every
# list's 1%-alert threshold (0.54-0.63). It binds only for names below 0.4; from there the slope decides, so a
# name reaches the default 0.85 by its date only if at least half of it agrees (0.5 + 0.10 + 0.25). More than
# the deepest conflict takes away (0.15 + 0.15): one person in some 20,000 shares a full date by chance, while
# a listed date often disagrees with the same person's (errors, alternatives). Measured with 0.20-0.40
# (benchmarks/quality/alias_recall.py, resolve_febrl.py): from 0.20 to 0.30 recall rises on every list and
# FEBRL, with clean alerts at 0.85 unchanged; beyond, the gains flatten as a date alone nears those thresholds.
MAX_EXACT_LIFT = 0.30
# The lift of an agreeing birth year stops here: a year is shared by chance some 400 times as often as a
# full date, so its evidence is some 0.4 of a full date's in log-odds (ln 45 against ln 18,000), and its most,
# 0.03 + 0.10, stays within 0.4 of the full date's 0.40. It binds below a name score of 0.5 (the slope, 0.2, decides
# above), lifting same-person aliases that share one token of the name (`Qari Zakir` ~ `Abdul Rauf Zakir`,
# listed born 1969). Measured on the UN, OFAC and EU hold-outs (benchmarks/quality/alias_recall.py, 20,000
# clean passengers, where the 1% thresholds settle): 0.06 -> 0.10 finds 1 / 4 / 6 more aliases at each list's
# own 1% threshold (the thresholds rise 0.01-0.02: clean passengers whose year agrees by chance rise too),
# clean alerts at 0.85 unchanged; 0.08 gives EU the same, 0.15 little more.
MAX_YEAR_LIFT = 0.10


def deepen_conflict(c: Contribution, name_score: float, weights: Weights) -> Contribution:
    """The birth date weighs more where the name agrees only in part: a common name (`Karim
    Mohammed` against `Mohammed Yusip Karim`) agrees with many people, and the birth date is what
    tells them apart. A conflicting date cuts a partial name deeper than an exact one; an equal full
    date (day, month and year) lifts it more, as one in some 20,000 people shares it by chance, and an
    agreeing year (the listed date known only to the year, or the passenger's) a little more, as one in
    some 50 does."""
    gap = max(0.0, 1.0 - name_score)
    if gap == 0.0:
        return c
    if c.feature == "birth_date.conflict" and weights.birth_date_conflict_name_gap:
        extra = conflict_deepening(name_score, weights)
        return Contribution(c.feature, c.value - extra, lambda: f"{c.reason} (cut {extra:.2f} deeper: the name agrees only to {name_score:.2f})")
    slope, cap = _partial_name_lift(c.feature, weights)
    if slope == 0.0:
        return c
    extra = min(cap, slope * gap)
    return Contribution(c.feature, c.value + extra, lambda: f"{c.reason} (counts {extra:.2f} more: the name agrees only to {name_score:.2f})")


def conflict_deepening(name_score: float, weights: Weights) -> float:
    """How much deeper a conflicting birth date cuts a name that agrees only to `name_score`."""
    gap = 1.0 - name_score
    if gap <= 0.0 or not weights.birth_date_conflict_name_gap:
        return 0.0
    return min(MAX_CONFLICT_DEEPENING, weights.birth_date_conflict_name_gap * gap)


# A birth year this many years or more from every listed one can only conflict (one year off is near_year).
FAR_BIRTH_YEARS = 2


def far_birth_year_floors(weights: Weights) -> Callable[[float, float], float]:
    """floor(target, beside): the least name score with which a candidate whose every listed birth year is
    FAR_BIRTH_YEARS or more from the passenger's can still reach `target` (the report threshold less what
    a nickname may add), the other evidence adding at most `beside`. Below it the evidence step rules
    such a candidate out (birth_years_apart), so the native search sets it aside (Screener.screen): a
    hair's breadth lower, so that rounding never sets aside one it would keep. Remembered per pair."""
    memo: dict[tuple[float, float], float] = {}
    conflict, weak_gain = weights.birth_date_conflict, max(0.0, weights.weak_alias)

    def reach(name_score: float, beside: float) -> float:
        return name_score + conflict - conflict_deepening(name_score, weights) + beside + weak_gain

    def floor(target: float, beside: float) -> float:
        found = memo.get((target, beside))
        if found is None:
            if target <= 0.0 or reach(0.0, beside) >= target:
                found = 0.0
            elif reach(1.0, beside) < target:
                found = 2.0  # no name score reaches it
            else:  # reach rises with the name score: bisected
                lo, hi = 0.0, 1.0
                for _ in range(60):
                    mid = (lo + hi) / 2
                    lo, hi = (lo, mid) if reach(mid, beside) >= target else (mid, hi)
                found = max(0.0, hi - 1e-9)
            memo[(target, beside)] = found
        return found

    return floor


def birth_years_apart(query: Query, entry: Entry, name_score: float, weights: Weights) -> float | None:
    """What the birth date contributes when the query's birth year is two or more years from every
    listed one: then it can only conflict (cut deeper for a partial name), known without the full
    assessment. None when it takes the full comparison (or there is no date to compare)."""
    born = query.birth_date
    if born is None or not entry.birth_dates:
        return None
    year = born.year
    for listed in entry.birth_dates:
        if abs(listed.year - year) < FAR_BIRTH_YEARS:
            return None
    return weights.birth_date_conflict - conflict_deepening(name_score, weights)


def name_features(name: NameComparison, weights: Weights) -> list[Contribution]:
    """Features read off the name alignment itself: which pairs were matched by a nickname, or by the given name's
    short form or form in another language (`MOHD` ~ `MUHAMMAD`, `MYKOLA` ~ `NIKOLAI`: the native core's nickname
    relations hold all three)."""
    nicknames = [f"{q} ~ {k}" for q, k, _, how in name.pairs if how == "nickname"]
    if not nicknames:
        return []
    return [Contribution("name.nickname", weights.name_nickname, lambda: "a nickname, a short or another language's form stands for a given name: " + ", ".join(nicknames))]


def _weak_alias_reason() -> str:
    return "matched a weak (low-quality) alias"


def assess(
    query: Query, entry: Entry, name_score: float, weak: bool, weights: Weights, name: NameComparison | None = None,
    comparisons: tuple[Comparison, ...] | None = None,
) -> Assessment:
    """`name`, when given, is the alignment behind `name_score`: its own features (name_features) are added.
    `comparisons`: carried_comparisons(query), when the caller assesses many entries for one query."""
    features: dict[str, float] = {"name": name_score}
    reasons: list[Callable[[], str]] = []
    if weak:
        features["name.weak_alias"] = weights.weak_alias
        reasons.append(_weak_alias_reason)
    for c in name_features(name, weights) if name is not None else ():
        features[c.feature] = c.value
        reasons.append(c.describe)
    for comparison in carried_comparisons(query) if comparisons is None else comparisons:
        c = comparison.compare(query, entry, weights)
        if c is not None:
            c = deepen_conflict(c, name_score, weights)
            features[c.feature] = c.value
            reasons.append(c.describe)
    score = max(0.0, min(1.0, sum(features.values())))
    return Assessment(score, features, tuple(reasons))


def band(score: float, thresholds: Thresholds) -> str:
    """match at or above the match threshold, review at or above the report threshold, else none."""
    if score >= thresholds.match:
        return "match"
    return "review" if score >= thresholds.report else "none"


@dataclass(frozen=True, slots=True)
class Match:
    """One comparison, explained (engine.score_pair)."""

    score: float
    band: str
    matched_name: str
    features: dict[str, float]
    explanation: tuple[str, ...]
    name: NameComparison

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "band": self.band,
            "matched_name": self.matched_name,
            "features": dict(self.features),
            "explanation": list(self.explanation),
            "name_pairs": [list(p) for p in self.name.pairs],
            "unmatched_query": list(self.name.unmatched_query),
            "unmatched_candidate": list(self.name.unmatched_candidate),
        }


def score_pair(
    query: Mapping[str, Any] | Query,
    candidate: Mapping[str, Any] | Entry,
    config: Config | str | None = None,
) -> Match:
    """Explains how a query compares with one watchlist record, whatever the thresholds."""
    cfg = Config.coerce(config)
    q = Query.from_dict(query, "query")
    e = candidate if isinstance(candidate, Entry) else Entry.from_dict(candidate, "candidate")
    best: tuple[float, NameComparison, str, bool] | None = None
    for names, weak in ((e.names, False), (e.weak_names, True)):
        for n in names:
            c = compare_names(q.full_name, n)
            effective = c.score + (cfg.weights.weak_alias if weak else 0.0)
            if best is None or effective > best[0]:
                best = (effective, c, n, weak)
    if best is None:  # a document-only record: no name to compare
        c = compare_names(q.full_name, "")
        best = (0.0, c, "", False)
    _, comparison, matched, weak = best
    a = assess(q, e, comparison.score, weak, cfg.weights, name=comparison)
    t = cfg.thresholds_for(e.list_id, e.kind)
    return Match(a.score, band(a.score, t), matched, a.features, (describe_name(comparison),) + a.explanation, comparison)
