"""`griddesk intents fit`: the numbers that decide, fitted from labelled examples.

The model is a multinomial logistic regression over the categories and `other` whose features
are the classifier's own matches (term × zone: opening sentence, request sentence, body):

    logit(c)     = bias(c) + scale · Σ_terms of c  weight(term) · position(zone) · strength
    logit(other) = bias(other) + length_pull · log(1 + chars/100) + scale · Σ_outside terms …

`weight(term)` is penalised towards the admin's YAML weight (L2, the prior mean), so a term with
little evidence keeps its YAML weight; weights stay ≥ 0 so `matched` keeps explaining the
answer. Category biases share one mean (a category with no labelled items is still found by
its terms). The L2 strength is chosen by out-of-fold figures on the fit data; the threshold and
the confidence temperature from the same out-of-fold predictions. Held-out sets are never seen.

Input is any iterable of `LabelledExample` (a label file, the desk's confirmed cases later).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from bot.nlu.classifier import (
    BODY,
    CONF_GAIN,
    CONF_PRIOR,
    CONF_SCALE,
    HAND_POSITIONS,
    LONG_TEXT,
    OTHER_LABEL,
    OUTSIDE_TOP_TERMS,
    PASSING_DISTINCT,
    Classifier,
)
from bot.nlu.evaluate import HEADLINE
from bot.nlu.fitted import ZONES, Fitted, Numbers, term_keys
from bot.nlu.intent_files import IntentSet
from bot.nlu.labels import LabelledExample

#: L2 strengths tried (per unit of YAML weight², against the summed log-loss); chosen out of fold.
LAMBDAS = (1.0, 3.0, 10.0, 30.0)
#: The category biases' deviations from their shared mean are held this tightly.
BIAS_L2 = 3.0
FOLDS = 3
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
MAX_WEIGHT = 50.0
#: L-BFGS iterations per fit: the weights settle well before (checked on the 2.3k fit examples).
MAX_ITER = 200


@dataclass
class Design:
    """The labelled examples as sparse term×zone evidence (COO arrays), ready for the optimiser."""

    classes: list[str]
    terms: list[tuple[str, str]]
    prior: np.ndarray
    term_class: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    ranks: np.ndarray
    length: np.ndarray
    chars: np.ndarray
    passing: np.ndarray  # (n, categories): named only in the body, by one term
    y: np.ndarray
    ids: list[str]
    group: np.ndarray  # which source each example came from (a file, the cases…)
    weight: np.ndarray  # each source weighs the same in total, however many examples it has

    @property
    def n(self) -> int:
        return len(self.y)

    def subset(self, mask: np.ndarray) -> Design:
        index = np.flatnonzero(mask)
        remap = np.full(self.n, -1)
        remap[index] = np.arange(len(index))
        keep = mask[self.rows]
        return Design(self.classes, self.terms, self.prior, self.term_class, remap[self.rows[keep]], self.cols[keep],
                      self.vals[keep], self.ranks[keep], self.length[index], self.chars[index], self.passing[index],
                      self.y[index], [self.ids[i] for i in index], self.group[index], self.weight[index])


def passing_weight(chars: int) -> float:
    """Inside the LR only: "named in passing" means nothing in a short text, fully from 400 characters."""
    return min(1.0, max(0.0, (chars - 100) / 300))


#: How the desk's own confirmed cases name their source (`bot.nlu.cli_impl._case_examples`).
CASE_SOURCE = "case "


def source_group(source: str) -> str:
    """The source an example came from, without its line: `intents/labels/x.jsonl:12` → `intents/labels/x.jsonl`;
    every `case NUMBER (how)` of the desk's own cases → `cases`."""
    if source.startswith(CASE_SOURCE):
        return "cases"
    head, sep, tail = source.rpartition(":")
    return head if sep and tail.isdigit() else source


def build_design(intents: IntentSet, examples: Iterable[LabelledExample], classifier: Classifier | None = None) -> Design:
    """Run the YAML-weighted classifier's matching over every example once."""
    clf = classifier or Classifier.from_intents(intents)
    kinds = {i.id: i.kind for i in intents.intents}
    classes = [i.id for i in intents.categories] + [OTHER_LABEL]
    class_index = {c: k for k, c in enumerate(classes)}
    yaml_weights = term_keys(intents)
    keys = [k for k in yaml_weights if kinds[k[0]] in ("category", "outside")]
    term_index = {k: t for t, k in enumerate(keys)}
    prior = np.array([yaml_weights[k] for k in keys])
    term_class = np.array([class_index.get(i, len(classes) - 1) if kinds[i] == "category" else len(classes) - 1
                           for i, _ in keys])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    ranks: list[int] = []
    length: list[float] = []
    chars: list[int] = []
    passing: list[list[float]] = []
    y: list[int] = []
    ids: list[str] = []
    groups: list[str] = []
    n_cat = len(classes) - 1
    for n, ex in enumerate(examples):
        norm = clf.normalizer.normalize(ex.text)
        outside: list[tuple[float, int, int, float]] = []
        seen: dict[int, list[int]] = {}
        for ref, rank, strength in clf.evidence(ex.text):
            t = term_index.get((ref.intent, ref.term))
            if t is None:
                continue
            if term_class[t] == n_cat:
                outside.append((prior[t] * HAND_POSITIONS[rank] * strength, t, rank, strength))
                continue
            seen.setdefault(int(term_class[t]), []).append(rank)
            rows.append(n)
            cols.append(t)
            vals.append(strength)
            ranks.append(rank)
        # `other` counts its strongest few terms, as the classifier does (see OUTSIDE_TOP_TERMS).
        for _, t, rank, strength in sorted(outside, reverse=True)[:OUTSIDE_TOP_TERMS]:
            rows.append(n)
            cols.append(t)
            vals.append(strength)
            ranks.append(rank)
        flags = [0.0] * n_cat
        for c, found in seen.items():
            if len(found) < PASSING_DISTINCT and min(found) == BODY:
                flags[c] = passing_weight(len(norm.text))
        passing.append(flags)
        length.append(math.log1p(len(norm.text) / 100))
        chars.append(len(norm.text))
        y.append(class_index.get(ex.label, len(classes) - 1))
        ids.append(ex.id or ex.source)
        groups.append(source_group(ex.source))
    names = sorted(set(groups))
    group = np.array([names.index(g) for g in groups], dtype=np.int64)
    sizes = np.bincount(group, minlength=len(names)) if len(group) else np.zeros(0)
    weight = len(group) / (len(names) * sizes[group]) if len(group) else np.zeros(0)
    return Design(classes, keys, prior, term_class, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64),
                  np.array(vals), np.array(ranks, dtype=np.int64), np.array(length), np.array(chars),
                  np.array(passing).reshape(-1, n_cat),
                  np.array(y, dtype=np.int64), ids, group, weight)


# Parameter vector: [scale, pos_request, pos_body, length_pull, bias_other, bias_mean, passing, eps (C-1), delta (T)].
_HEAD = 7


def _logits(theta: np.ndarray, d: Design) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_cls = len(d.classes)
    scale, p1, p2, pull, b_other, b_mean, pass_coef = theta[:_HEAD]
    eps = theta[_HEAD : _HEAD + n_cls - 1]
    w = d.prior + theta[_HEAD + n_cls - 1 :]
    pos = np.array([1.0, p1, p2])
    coef = pos[d.ranks] * d.vals
    flat = d.rows * n_cls + d.term_class[d.cols]
    z = np.bincount(flat, scale * coef * w[d.cols], minlength=d.n * n_cls).reshape(d.n, n_cls)
    z[:, :-1] += b_mean + eps + pass_coef * d.passing
    z[:, -1] += b_other + pull * d.length
    return z, coef, flat


def _objective(theta: np.ndarray, d: Design, lam: float) -> tuple[float, np.ndarray]:
    n_cls = len(d.classes)
    z, coef, flat = _logits(theta, d)
    top = z.max(axis=1, keepdims=True)
    ez = np.exp(z - top)
    total = ez.sum(axis=1, keepdims=True)
    lse = (top + np.log(total)).ravel()
    loss = float(np.sum(d.weight * (lse - z[np.arange(d.n), d.y])))
    g = ez / total
    g[np.arange(d.n), d.y] -= 1.0
    g *= d.weight[:, None]
    scale = theta[0]
    eps = theta[_HEAD : _HEAD + n_cls - 1]
    delta = theta[_HEAD + n_cls - 1 :]
    w = d.prior + delta
    g_nnz = g.ravel()[flat]
    grad = np.zeros_like(theta)
    grad[0] = float(np.sum(coef * w[d.cols] * g_nnz))
    base = scale * d.vals * w[d.cols] * g_nnz
    grad[1] = float(np.sum(base[d.ranks == 1]))
    grad[2] = float(np.sum(base[d.ranks == 2]))
    grad[3] = float(np.sum(g[:, -1] * d.length))
    grad[4] = float(np.sum(g[:, -1]))
    grad[5] = float(np.sum(g[:, :-1]))
    grad[6] = float(np.sum(g[:, :-1] * d.passing))
    grad[_HEAD : _HEAD + n_cls - 1] = g[:, :-1].sum(axis=0) + BIAS_L2 * eps
    grad[_HEAD + n_cls - 1 :] = np.bincount(d.cols, scale * coef * g_nnz, minlength=len(d.terms)) + lam * delta
    loss += 0.5 * lam * float(delta @ delta) + 0.5 * BIAS_L2 * float(eps @ eps)
    return loss, grad


def _start(d: Design) -> np.ndarray:
    theta = np.zeros(_HEAD + len(d.classes) - 1 + len(d.terms))
    theta[:_HEAD] = (1.5, 0.8, 0.5, 0.5, 0.0, -1.5, 0.0)
    return theta


def optimise(d: Design, lam: float, start: np.ndarray | None = None) -> np.ndarray:
    bounds = [(0.05, 20.0), (0.0, 2.0), (0.0, 2.0), (-10.0, 10.0), (-20.0, 20.0), (-20.0, 20.0), (-10.0, 10.0)]
    bounds += [(-20.0, 20.0)] * (len(d.classes) - 1)
    bounds += [(-w0, MAX_WEIGHT - w0) for w0 in d.prior]
    result = minimize(_objective, _start(d) if start is None else start, args=(d, lam), jac=True, method="L-BFGS-B",
                      bounds=bounds, options={"maxiter": MAX_ITER})
    return result.x


def _lr_weights(theta: np.ndarray, d: Design) -> np.ndarray:
    """The term weights in YAML units (what the rules add up); the LR's other numbers stay inside the fit."""
    return d.prior + theta[_HEAD + len(d.classes) - 1 :]


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
    # Outside wins ties: a hair added before the argmax.
    ranked = scores + np.where(np.arange(n_cls) == n_cls - 1, 1e-9, 0.0)
    top = ranked.argmax(axis=1)
    at = np.arange(d.n)
    top_score = scores[at, top]
    single = (d.chars >= LONG_TEXT) & (distinct[at, top] <= 1)
    needed = np.where(single, numbers.long_single, numbers.topic)
    passing = ~prominent[at, top] & (distinct[at, top] < PASSING_DISTINCT)
    needed = np.where(passing, np.maximum(needed, numbers.passing), needed)
    is_cat = (top < n_cls - 1) & (top_score >= needed) & (top_score > 0)
    predicted = np.where(is_cat, top, n_cls - 1)
    second = np.sort(scores, axis=1)[:, -2] if n_cls > 1 else np.zeros(d.n)
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
        return _objective_figure(group_score(d, decide_rules(d, w_nnz, numbers(values))[0]))

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


def _objective_figure(figures: tuple[float, float, float]) -> float:
    return sum(figures) / 3


def group_score(d: Design, predicted: np.ndarray) -> tuple[float, float, float]:
    """The figures averaged over sources: a fit must hold on letters and on short texts alike."""
    parts = [score(d, predicted, d.group == g) for g in np.unique(d.group)]
    return tuple(float(np.mean([p[k] for p in parts])) for k in range(3))  # type: ignore[return-value]


def _folds(d: Design) -> np.ndarray:
    return np.array([int(hashlib.sha1(i.encode("utf-8")).hexdigest()[:8], 16) % FOLDS for i in d.ids])


@dataclass
class FitReport:
    fitted: Fitted
    lam: float
    #: Out-of-fold figures (macro-F1, headline F1, other left unclassified) per L2 strength, averaged over sources.
    out_of_fold: dict[float, tuple[float, float, float]]
    items: int
    #: The same for the YAML weights with the hand-set numbers: what the fit has to beat.
    baseline: tuple[float, float, float] = (0.0, 0.0, 0.0)


def fit(intents: IntentSet, examples: Iterable[LabelledExample], *, classifier: Classifier | None = None,
        lambdas: tuple[float, ...] = LAMBDAS, sources: tuple[dict[str, object], ...] = ()) -> FitReport:
    """Fit term weights (LR, L2 towards YAML) and then the decision numbers, all chosen out of fold."""
    d = build_design(intents, examples, classifier)
    if d.n == 0:
        raise ValueError("no labelled examples to fit on")
    folds = _folds(d)
    row_fold = folds[d.rows]
    baseline = group_score(d, decide_rules(d, d.prior[d.cols], Numbers())[0])
    figures: dict[float, tuple[float, float, float]] = {}
    found: dict[float, tuple[Numbers, np.ndarray, np.ndarray]] = {}
    warm: dict[int, np.ndarray] = {}
    for lam in sorted(lambdas):
        # Each fold's items are scored with weights fitted without them (warm-started from the last strength).
        w_nnz = d.prior[d.cols].copy()
        for k in range(FOLDS):
            train = folds != k
            if not train.any() or train.all():
                continue
            warm[k] = optimise(d.subset(train), lam, warm.get(k))
            weights = _lr_weights(warm[k], d)
            w_nnz[row_fold == k] = weights[d.cols[row_fold == k]]
        numbers, _ = search_numbers(d, w_nnz, margin=SEARCH_MARGIN)
        predicted, confidence = decide_rules(d, w_nnz, numbers)
        figures[lam] = group_score(d, predicted)
        found[lam] = (numbers, predicted == d.y, confidence)
    lam = max(lambdas, key=lambda x: _objective_figure(figures[x]))
    numbers, right, confidence = found[lam]
    a, b = calibrate(confidence, right)
    numbers = Numbers(positions=numbers.positions, outside_pull=numbers.outside_pull, topic=numbers.topic,
                      long_single=numbers.long_single, passing=numbers.passing, calibration=(a, b))
    weights = _lr_weights(optimise(d, lam), d)
    fitted = Fitted(weights={k: float(v) for k, v in zip(d.terms, weights, strict=True)},
                    priors={k: float(v) for k, v in zip(d.terms, d.prior, strict=True)},
                    numbers=numbers, fitted_on=sources)
    return FitReport(fitted, lam, figures, d.n, baseline)
