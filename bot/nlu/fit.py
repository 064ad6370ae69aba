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
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from bot.nlu.classifier import Classifier
from bot.nlu.fit_decision import (
    SEARCH_MARGIN,
    calibrate,
    decide_rules,
    group_score,
    objective_figure,
    score,
    search_numbers,
)
from bot.nlu.fit_design import CASE_SOURCE, Design, build_design, passing_weight, source_group
from bot.nlu.fitted import Fitted, Numbers
from bot.nlu.intent_files import IntentSet
from bot.nlu.labels import LabelledExample

__all__ = ["CASE_SOURCE", "Design", "FitReport", "build_design", "calibrate", "decide_rules", "fit", "group_score",
           "optimise", "passing_weight", "score", "search_numbers", "source_group"]

#: L2 strengths tried (per unit of YAML weight², against the summed log-loss); chosen out of fold.
LAMBDAS = (1.0, 3.0, 10.0, 30.0)
#: The category biases' deviations from their shared mean are held this tightly.
BIAS_L2 = 3.0
FOLDS = 3
MAX_WEIGHT = 50.0
#: L-BFGS iterations per fit: the weights settle well before (checked on the 2.3k fit examples).
MAX_ITER = 200


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
    lam = max(lambdas, key=lambda x: objective_figure(figures[x]))
    numbers, right, confidence = found[lam]
    a, b = calibrate(confidence, right)
    numbers = Numbers(positions=numbers.positions, outside_pull=numbers.outside_pull, topic=numbers.topic,
                      long_single=numbers.long_single, passing=numbers.passing, calibration=(a, b))
    weights = _lr_weights(optimise(d, lam), d)
    fitted = Fitted(weights={k: float(v) for k, v in zip(d.terms, weights, strict=True)},
                    priors={k: float(v) for k, v in zip(d.terms, d.prior, strict=True)},
                    numbers=numbers, fitted_on=sources)
    return FitReport(fitted, lam, figures, d.n, baseline)
