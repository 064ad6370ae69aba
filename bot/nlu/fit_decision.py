"""The classifier's decision rules on a fit design, vectorised: predict, score, search the numbers, calibrate.

`decide_rules` is `Classifier._topic` over a whole `Design` at once (the number search scores hundreds
of candidate settings); `score` computes the figures `evaluate.Report` does, from a confusion matrix.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from bot.nlu.classifier import CONF_GAIN, CONF_PRIOR, CONF_SCALE, LONG_TEXT, OPENING_TOPIC_MIN, PASSING_DISTINCT
from bot.nlu.evaluate import HEADLINE
from bot.nlu.fit_design import Design
from bot.nlu.fitted import ZONES, Numbers
from bot.nlu.sentence_zones import BODY, OPENING

#: The decision numbers are searched on these grids (coordinate ascent from the hand-set values).
GRIDS: dict[str, tuple[float, ...]] = {
    "request": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "body": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    "outside_pull": (0.6, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0),
    "topic": (0.6, 0.8, 1.0, 1.2, 1.4, 1.6),
    "long_single": (1.0, 1.25, 1.5, 1.75, 2.0, 2.5),
    "passing": (1.0, 1.5, 2.0, 2.5, 3.0, 4.0),
}
SEARCH_ROUNDS = 3
#: A decision number leaves its hand-set value only for a gain of this much (mean of the three figures, out of fold).
SEARCH_MARGIN = 0.005


def _conf(score: np.ndarray, runner: np.ndarray) -> np.ndarray:
    """`classifier._confidence`, vectorised."""
    strength = 1 - np.exp(-score / CONF_SCALE)
    share = score / (score + runner + CONF_PRIOR)
    return np.where(score > 0, np.clip(strength * share * CONF_GAIN, 0.0, 0.99), 0.0)


def decide_rules(d: Design, w_nnz: np.ndarray, numbers: Numbers) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's decision (`Classifier._topic`) on the design: predicted class and raw confidence."""
    n_cls = len(d.classes)
    pos = np.array([numbers.positions[z] for z in ZONES])
    flat = d.rows * n_cls + d.term_class[d.cols]
    values = w_nnz * pos[d.ranks] * d.vals
    size = d.n * n_cls
    scores = np.bincount(flat, values, minlength=size).reshape(d.n, n_cls)
    scores[:, -1] *= numbers.outside_pull
    distinct = np.bincount(flat, minlength=size).reshape(d.n, n_cls)
    prominent = np.bincount(flat, (d.ranks < BODY).astype(float), minlength=size).reshape(d.n, n_cls) > 0
    # Ties go as the classifier's stable sort sends them: `other` first, then the category mentioned first.
    first = np.full(size, np.inf)
    np.minimum.at(first, flat, np.arange(len(flat), dtype=float))
    first = first.reshape(d.n, n_cls)
    first[:, -1] = -1.0
    level = scores.max(axis=1, keepdims=True)
    top = np.where(scores == level, first, np.inf).argmin(axis=1)
    at = np.arange(d.n)
    # `classifier._opening_first`: a category stated strongly in the opening goes before a leading `other`.
    opening = np.bincount(flat, values * (d.ranks == OPENING), minlength=size).reshape(d.n, n_cls)
    stated = (opening[:, :-1] >= OPENING_TOPIC_MIN) & (opening[:, :-1] > opening[:, -1:] * numbers.outside_pull)
    reorder = (top == n_cls - 1) & stated.any(axis=1)
    # `max(stated)` over (opening score, score, intent id): the last class wins a tie, as the highest id does.
    lead = np.where(stated, opening[:, :-1], -np.inf)
    lead = (lead == lead.max(axis=1, keepdims=True)) * (scores[:, :-1] + 1.0)
    top = np.where(reorder, n_cls - 2 - lead[:, ::-1].argmax(axis=1), top)
    top_score = scores[at, top]
    single = (d.chars >= LONG_TEXT) & (distinct[at, top] <= 1)
    needed = np.where(single, numbers.long_single, numbers.topic)
    passing = ~prominent[at, top] & (distinct[at, top] < PASSING_DISTINCT)
    needed = np.where(passing, np.maximum(needed, numbers.passing), needed)
    is_cat = (top < n_cls - 1) & (top_score >= needed) & (top_score > 0)
    predicted = np.where(is_cat, top, n_cls - 1)
    second = np.sort(scores, axis=1)[:, -2] if n_cls > 1 else np.zeros(d.n)
    second = np.where(reorder, scores[:, -1], second)
    best_cat = scores[:, :-1].max(axis=1)
    conf_cat = _conf(top_score, second)
    conf_other = 1 - _conf(best_cat, np.where(top == n_cls - 1, top_score, 0.0))
    conf_other = np.where(scores.max(axis=1) > 0, conf_other, np.where(d.chars >= 4, 1.0, 0.5))
    return predicted, np.where(is_cat, conf_cat, conf_other)


def search_numbers(d: Design, w_nnz: np.ndarray, start: Numbers | None = None,
                   margin: float = 1e-9) -> tuple[Numbers, float]:
    """Coordinate ascent over `GRIDS` on the group-averaged figures; ties keep the current value."""
    current = {"request": 0.8, "body": 0.5, "outside_pull": 1.0, "topic": 1.0, "long_single": 1.25, "passing": 2.0}
    if start is not None:
        current.update(request=start.positions["request"], body=start.positions["body"],
                       outside_pull=start.outside_pull, topic=start.topic, long_single=start.long_single,
                       passing=start.passing)

    def numbers(values: dict[str, float]) -> Numbers:
        return Numbers(positions={"opening": 1.0, "request": values["request"], "body": values["body"]},
                       outside_pull=values["outside_pull"], topic=values["topic"],
                       long_single=values["long_single"], passing=values["passing"])

    def figure(values: dict[str, float]) -> float:
        return objective_figure(group_score(d, decide_rules(d, w_nnz, numbers(values))[0]))

    best = figure(current)
    for _ in range(SEARCH_ROUNDS):
        improved = False
        for key, grid in GRIDS.items():
            for value in grid:
                trial = {**current, key: value}
                got = figure(trial)
                if got > best + margin:
                    best, current, improved = got, trial, True
        if not improved:
            break
    return numbers(current), best


#: Per-category scales (all of a category's YAML weights × one number) are searched on this grid.
SCALE_GRID = (0.6, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5)


def search_scales(d: Design, margin: float = SEARCH_MARGIN) -> np.ndarray:
    """One multiplier per class (`other` last) of the YAML weights, by coordinate ascent with the hand-set
    decision numbers; a scale leaves 1 only for a gain of `margin`. Few free numbers: one per class."""
    scales = np.ones(len(d.classes))
    prior = d.prior[d.cols]
    owner = d.term_class[d.cols]
    numbers = Numbers()

    def figure(s: np.ndarray) -> float:
        return objective_figure(group_score(d, decide_rules(d, prior * s[owner], numbers)[0]))

    best = figure(scales)
    for _ in range(SEARCH_ROUNDS - 1):
        improved = False
        for c in range(len(scales)):
            for value in SCALE_GRID:
                trial = scales.copy()
                trial[c] = value
                got = figure(trial)
                if got > best + margin:
                    best, scales, improved = got, trial, True
        if not improved:
            break
    return scales


def calibrate(confidence: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Platt scaling of the rule-of-thumb confidence on out-of-fold answers (a, b of sigmoid(a·logit(c)+b))."""
    c = np.clip(confidence, 1e-4, 1 - 1e-4)
    x = np.log(c / (1 - c))
    y = right.astype(float)

    def nll(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * x + ab[1]
        p = 1 / (1 + np.exp(-z))
        p = np.clip(p, 1e-9, 1 - 1e-9)
        loss = -float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
        g = p - y
        return loss, np.array([float(np.sum(g * x)), float(np.sum(g))])

    result = minimize(nll, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(0.05, 5.0), (-5.0, 5.0)])
    return float(result.x[0]), float(result.x[1])


def score(d: Design, predicted: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float, float]:
    """(macro-F1, headline F1, other left unclassified), as `evaluate.Report` computes them, from a confusion matrix.

    Vectorised because the decision search scores hundreds of candidate settings.
    """
    y, p = (d.y, predicted) if mask is None else (d.y[mask], predicted[mask])
    n_cls = len(d.classes)
    cm = np.bincount(y * n_cls + p, minlength=n_cls * n_cls).reshape(n_cls, n_cls)
    tp = np.diag(cm).astype(float)
    gold, guessed = cm.sum(axis=1), cm.sum(axis=0)
    denom = gold + guessed
    f1 = np.divide(2 * tp, denom, out=np.zeros(n_cls), where=denom > 0)
    defined = denom > 0

    def macro(index: list[int]) -> float:
        chosen = [i for i in index if defined[i]]
        return float(f1[chosen].mean()) if chosen else 0.0

    headline = [d.classes.index(c) for c in HEADLINE if c in d.classes]
    other = n_cls - 1
    kept = float(cm[other, other] / gold[other]) if gold[other] else 1.0
    return macro(list(range(n_cls - 1))), macro(headline), kept


def objective_figure(figures: tuple[float, float, float]) -> float:
    return sum(figures) / 3


def group_score(d: Design, predicted: np.ndarray) -> tuple[float, float, float]:
    """The figures averaged over sources: a fit must hold on letters and on short texts alike."""
    parts = [score(d, predicted, d.group == g) for g in np.unique(d.group)]
    return tuple(float(np.mean([p[k] for p in parts])) for k in range(3))  # type: ignore[return-value]
