"""`interdict tune --fit`: evidence weights from labelled pairs, by a plain logistic regression (numpy).

The engine's score is additive: score = name + sum of weights w_i of the evidence x_i that fired
(engine.scoring). A logistic model on the same terms, logit P(match) = a + b * name + sum c_i * x_i,
has its decision boundary where name + sum (c_i / b) * x_i = -a / b: so w_i = c_i / b are the weights
that make the engine's score rank pairs as the model does, and -a / b the threshold that goes with them.

x_i is 1 when feature i fired (address.match: its share of the full address weight), else 0. The
birth date's extra weight for partial names (the slopes engine.config.NAME_GAP_SLOPES) is
not fitted: it stays as configured. L2 penalty 1/2 |c|^2 on all but the intercept (C = 1, scikit-learn's default),
fitted by Newton's method. Features seen on fewer than MIN_PAIRS pairs keep their configured weight.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Sequence

import numpy as np

import engine

from . import tune
from .tune import Pair, Scored, toml_number

MIN_PAIRS = 5
# the engine's feature names (engine.comparisons, engine.scoring) -> engine.Weights fields
WEIGHT_OF = {
    **{f"birth_date.{level}": f"birth_date_{level}"
       for level in ("exact", "month", "year", "swapped", "near_year", "placeholder", "conflict")},
    "nationality.match": "nationality_match", "nationality.conflict": "nationality_conflict",
    "sex.conflict": "sex_conflict", "document.match": "document_match", "document.near_match": "document_near_match",
    "document.conflict": "document_conflict",
    "name.weak_alias": "weak_alias", "address.match": "address_match", "country.match": "country_match",
    "country.conflict": "country_conflict", "legal_form.match": "legal_form_match",
    "legal_form.conflict": "legal_form_conflict", "name.nickname": "name_nickname",
}


class FitError(ValueError):
    """Labels that cannot support a fit (one class only, a name coefficient not positive)."""


@dataclass(frozen=True)
class Fit:
    intercept: float
    name_coefficient: float
    coefficients: dict[str, float]  # per weight name
    weights: engine.Weights  # the configured weights with the fitted ones replaced (clipped to [-1, 1], 4 decimals)
    counts: dict[str, int]  # pairs each fitted feature fired on
    implied_threshold: float  # -a / b: the threshold at P(match) = 0.5 on the fitted score
    iterations: int


def logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, max_iter: int = 100, tol: float = 1e-10) -> tuple[np.ndarray, int]:
    """Coefficients (intercept first) minimising log-loss + l2/2 * |beta[1:]|^2; X without the intercept column."""
    A = np.hstack([np.ones((X.shape[0], 1)), X])
    beta = np.zeros(A.shape[1])
    penalty = np.full(A.shape[1], l2)
    penalty[0] = 0.0
    for it in range(1, max_iter + 1):
        p = 1.0 / (1.0 + np.exp(-np.clip(A @ beta, -500, 500)))
        grad = A.T @ (p - y) + penalty * beta
        hess = (A * (p * (1 - p))[:, None]).T @ A + np.diag(penalty) + 1e-9 * np.eye(A.shape[1])
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < tol:
            return beta, it
    return beta, max_iter


def _value(feature: str, value: float, weights: engine.Weights) -> float:
    if feature == "address.match":
        return value / weights.address_match if weights.address_match else 0.0
    return 1.0


def fit(scored: Sequence[Scored], config: engine.Config | None = None, l2: float = 1.0) -> Fit:
    cfg = config or engine.Config()
    labels = [s.label for s in scored]
    if len(set(labels)) < 2:
        raise FitError("--fit needs both matches (label 1) and non-matches (label 0)")
    counts: dict[str, int] = {}
    for s in scored:
        for f in s.features:
            if f in WEIGHT_OF:
                counts[WEIGHT_OF[f]] = counts.get(WEIGHT_OF[f], 0) + 1
    fitted = sorted(w for w, n in counts.items() if n >= MIN_PAIRS)
    column = {w: i + 1 for i, w in enumerate(fitted)}
    X = np.zeros((len(scored), 1 + len(fitted)))
    for r, s in enumerate(scored):
        X[r, 0] = s.features.get("name", 0.0)
        for f, v in s.features.items():
            w = WEIGHT_OF.get(f)
            if w in column:
                X[r, column[w]] = _value(f, v, cfg.weights)
    beta, iterations = logistic(X, np.asarray(labels, dtype=float), l2=l2)
    a, b = float(beta[0]), float(beta[1])
    if b <= 0:
        raise FitError(f"the fitted name coefficient is {b:.3g}: the labels do not rank matches above non-matches by name")
    coefficients = {w: float(beta[column[w] + 1]) for w in fitted}
    new = {w: round(float(np.clip(c / b, -1.0, 1.0)), 4) for w, c in coefficients.items()}
    return Fit(a, b, coefficients, dataclasses.replace(cfg.weights, **new), {w: counts[w] for w in fitted},
               -a / b, iterations)


def weights_toml(result: Fit, config: engine.Config | None = None) -> str:
    """--config with its [weights] replaced by the fitted ones: score with it, then tune the thresholds again."""
    from .tune import toml_parts

    cfg = dataclasses.replace(config or engine.Config(), weights=result.weights)
    head, tail = toml_parts(cfg, ())
    head = head.replace("# Written by `interdict tune`: thresholds per list and kind, in engine.Config's format.",
                        "# Written by `interdict tune --fit`: evidence weights fitted by logistic regression.\n"
                        f"# Implied threshold on the refitted score (P(match) = 0.5): {toml_number(round(result.implied_threshold, 4))}.\n"
                        "# Re-run `interdict tune --config` with this file to choose thresholds for these weights.")
    return head + tail


@dataclass(frozen=True)
class Fold:
    """One held-out fold: the configured weights against weights fitted on the other folds, on pairs the
    fit never saw. F1 is the best over the 0.01 grid of each side's own scores (equally optimistic for both)."""

    fold: int
    pairs: int
    auc_before: float | None
    auc_after: float | None
    f1_before: float
    f1_after: float


def _best_f1(scores: Sequence[float], labels: Sequence[int]) -> float:
    return max(tune.confusion(scores, labels, t / 100)["f1"] for t in range(101))


def cross_validate(
    pairs: Sequence[Pair], scored: Sequence[Scored], config: engine.Config | None = None,
    watchlist: engine.Watchlist | None = None, folds: int = 5, seed: int = 0,
) -> list[Fold]:
    """`folds`-fold comparison of the configured and the fitted weights; folds whose training part cannot
    support a fit (one class only) are left out."""
    cfg = config or engine.Config()
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    out: list[Fold] = []
    for k in range(folds):
        held = sorted(order[k::folds])
        held_set = set(held)
        train = [scored[i] for i in range(len(scored)) if i not in held_set]
        if not held:
            continue
        try:
            fitted = fit(train, cfg)
        except FitError:
            continue
        after = tune.score_pairs([pairs[i] for i in held], dataclasses.replace(cfg, weights=fitted.weights), watchlist)
        labels = [scored[i].label for i in held]
        before_scores = [scored[i].score for i in held]
        after_scores = [a.score for a in after]
        out.append(Fold(k + 1, len(held), tune.roc_auc(before_scores, labels), tune.roc_auc(after_scores, labels),
                        _best_f1(before_scores, labels), _best_f1(after_scores, labels)))
    return out
