"""Thresholds and evidence weights: configuration, per list and per kind, reloadable from TOML.

```toml
[thresholds]
report = 0.85          # hits at or above are reported (engine.DEFAULT_THRESHOLD)
match = 0.95           # at or above: band "match", otherwise "review"

[thresholds.lists.un-sc]          # per list, optionally per kind
report = 0.82
[thresholds.lists.un-sc.organization]
report = 0.9

[weights]              # evidence added to (or taken from) the name score
birth_date_exact = 0.10
birth_date_conflict = -0.15

[search]
max_candidates = 100
birth_date_candidates = true   # also score the entries listing a person's full birth date
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

DEFAULT_THRESHOLD = 0.85
DEFAULT_MATCH_THRESHOLD = 0.95
# Weights that are slopes (per unit the name score falls short of 1), not amounts.
NAME_GAP_SLOPES = ("birth_date_conflict_name_gap", "birth_date_exact_name_gap", "birth_date_year_name_gap")


@dataclass(frozen=True)
class Weights:
    """Evidence beyond the name, added to the name score (negative values lower it)."""

    birth_date_exact: float = 0.10
    birth_date_month: float = 0.06
    birth_date_year: float = 0.03
    birth_date_swapped: float = 0.05
    birth_date_near_year: float = 0.0
    birth_date_placeholder: float = 0.0
    birth_date_conflict: float = -0.15
    # A conflicting birth date cuts a partial name deeper: this much more per unit the name score
    # falls short of 1 (a name at 0.9 with a conflicting date: -0.15 - 1.5 * 0.1 = -0.30). An exact
    # name keeps the plain cut, so a listed name spelt as listed is still reported for review.
    birth_date_conflict_name_gap: float = 1.5
    # An equal full birth date lifts a partial name more: this much more per unit the name score falls
    # short of 1, up to engine.scoring.MAX_EXACT_LIFT (a name at 0.8 with its date: 0.10 + 0.5 * 0.2 = 0.20).
    birth_date_exact_name_gap: float = 0.5
    # A birth year that agrees where a date is known only to the year (most listed dates of birth) lifts a
    # partial name too, less (one in some 50 people shares a year): per unit the name falls short of 1, up
    # to engine.scoring.MAX_YEAR_LIFT (a name at 0.5 with its year: 0.03 + min(0.10, 0.2 * 0.5) = 0.13).
    birth_date_year_name_gap: float = 0.2
    nationality_match: float = 0.02
    nationality_conflict: float = -0.05
    sex_conflict: float = -0.10
    document_match: float = 0.10
    # A number one OCR confusion or edit from a listed one (engine.comparisons.DocumentComparison).
    document_near_match: float = 0.07
    document_conflict: float = 0.0
    weak_alias: float = -0.05
    address_match: float = 0.10  # an identical address; less as it differs (engine.comparisons.AddressComparison)
    country_match: float = 0.02
    country_conflict: float = -0.05
    # Organisations: the query's legal form against the listed ones (generic types, engine._native.legal_form):
    # an LLC and a joint-stock company of one name are often parent and subsidiary, not the same party.
    legal_form_match: float = 0.0
    legal_form_conflict: float = -0.03
    # A nickname, or the given name written short or in another language, stands for a given name (BOB ~ ROBERT;
    # MOHD ~ MUHAMMAD; MYKOLA, Ukrainian, ~ NIKOLAI, Russian): the name score already counts the pair at 0.9;
    # this is the explicit, tunable feature for it (engine.scoring.name_features).
    name_nickname: float = 0.0


@dataclass(frozen=True)
class Thresholds:
    report: float = DEFAULT_THRESHOLD
    match: float = DEFAULT_MATCH_THRESHOLD


class ConfigError(ValueError):
    """A configuration file or value that cannot be used; the message names the key."""


def _check_unit(value: Any, key: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ConfigError(f"{key}: expected a number in [0, 1], got {value!r}")
    return float(value)


def _thresholds(d: Mapping[str, Any], base: Thresholds, key: str) -> Thresholds:
    t = base
    for name in ("report", "match"):
        if name in d:
            t = replace(t, **{name: _check_unit(d[name], f"{key}.{name}")})
    if t.match < t.report:
        raise ConfigError(f"{key}: match threshold {t.match} is below report threshold {t.report}")
    return t


# Candidates aligned in full per query and list, best blocking evidence first: on the real lists
# (benchmarks/quality/alias_recall.py) recall is as high from 50 to 200, and 1M-name screening
# scales with it.
DEFAULT_MAX_CANDIDATES = 100


@dataclass(frozen=True)
class Config:
    thresholds: Thresholds = field(default_factory=Thresholds)
    list_thresholds: Mapping[str, Thresholds] = field(default_factory=dict)
    kind_thresholds: Mapping[tuple[str, str], Thresholds] = field(default_factory=dict)
    weights: Weights = field(default_factory=Weights)
    max_candidates: int = DEFAULT_MAX_CANDIDATES
    source: str = ""
    # the second blocking key: a person's full birth date proposes the entries listing it
    # (engine.watchlist.CandidateFacts.born_on), whatever their names share with the query
    birth_date_candidates: bool = True

    def thresholds_for(self, list_id: str, kind: str) -> Thresholds:
        return self.kind_thresholds.get((list_id, kind)) or self.list_thresholds.get(list_id) or self.thresholds

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str = "") -> "Config":
        unknown = set(d) - {"thresholds", "weights", "search"}
        if unknown:
            raise ConfigError(f"{sorted(unknown)[0]}: unknown section")
        t = dict(d.get("thresholds") or {})
        lists = t.pop("lists", {}) or {}
        base = _thresholds(t, Thresholds(), "thresholds")
        per_list: dict[str, Thresholds] = {}
        per_kind: dict[tuple[str, str], Thresholds] = {}
        for list_id, spec in lists.items():
            spec = dict(spec)
            kinds = {k: spec.pop(k) for k in list(spec) if isinstance(spec[k], Mapping)}
            per_list[list_id] = _thresholds(spec, base, f"thresholds.lists.{list_id}")
            for kind, kspec in kinds.items():
                per_kind[(list_id, kind)] = _thresholds(kspec, per_list[list_id], f"thresholds.lists.{list_id}.{kind}")
        w = d.get("weights") or {}
        names = {f.name for f in fields(Weights)}
        for k, v in w.items():
            if k not in names:
                raise ConfigError(f"weights.{k}: unknown weight (known: {', '.join(sorted(names))})")
            bound = 5.0 if k in NAME_GAP_SLOPES else 1.0  # a slope, not an amount
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not -bound <= v <= bound:
                raise ConfigError(f"weights.{k}: expected a number in [-{bound:g}, {bound:g}], got {v!r}")
        search = d.get("search") or {}
        unknown = set(search) - {"max_candidates", "birth_date_candidates"}
        if unknown:
            raise ConfigError(f"search.{sorted(unknown)[0]}: unknown setting (known: birth_date_candidates, max_candidates)")
        max_candidates = search.get("max_candidates", DEFAULT_MAX_CANDIDATES)
        if not isinstance(max_candidates, int) or isinstance(max_candidates, bool) or not 1 <= max_candidates <= 100_000:
            raise ConfigError(f"search.max_candidates: expected an integer in [1, 100000], got {max_candidates!r}")
        by_birth_date = search.get("birth_date_candidates", True)
        if not isinstance(by_birth_date, bool):
            raise ConfigError(f"search.birth_date_candidates: expected true or false, got {by_birth_date!r}")
        return cls(
            base, per_list, per_kind, Weights(**{k: float(v) for k, v in w.items()}), max_candidates, source,
            birth_date_candidates=by_birth_date,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Config":
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{p}: no such configuration file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{p}: {e}") from None
        try:
            return cls.from_dict(data, source=str(p))
        except ConfigError as e:
            raise ConfigError(f"{p}: {e}") from None

    @classmethod
    def coerce(cls, config: "Config | str | os.PathLike[str] | Mapping[str, Any] | None") -> "Config":
        if config is None:
            return cls()
        if isinstance(config, Config):
            return config
        if isinstance(config, Mapping):
            return cls.from_dict(config)
        return cls.load(config)
