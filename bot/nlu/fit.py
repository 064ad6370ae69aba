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
    CATEGORY_BIAS,
    HAND_POSITIONS,
    OTHER_LABEL,
    OUTSIDE_TOP_TERMS,
    PASSING_DISTINCT,
    Classifier,
    passing_weight,
)
from bot.nlu.evaluate import HEADLINE, Report
from bot.nlu.fitted import ZONES, Fitted, term_keys
from bot.nlu.intent_files import IntentSet
from bot.nlu.labels import LabelledExample

#: L2 strengths tried (per unit of YAML weight², against the summed log-loss); chosen out of fold.
LAMBDAS = (1.0, 3.0, 10.0, 30.0)
#: The category biases' deviations from their shared mean are held this tightly.
BIAS_L2 = 3.0
FOLDS = 3
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
TEMPERATURES = tuple(round(0.5 + 0.1 * i, 2) for i in range(21))
MAX_WEIGHT = 50.0


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
                      self.vals[keep], self.ranks[keep], self.length[index], self.passing[index], self.y[index],
                      [self.ids[i] for i in index], self.group[index], self.weight[index])


def source_group(source: str) -> str:
    """The source an example came from, without its line: `intents/labels/x.jsonl:12` → `intents/labels/x.jsonl`."""
    head, sep, tail = source.rpartition(":")
    return head if sep and tail.isdigit() else source


def build_design(intents: IntentSet, examples: Iterable[LabelledExample], classifier: Classifier | None = None) -> Design:
    """Run the YAML-weighted classifier's matching over every example once."""
    clf = classifier or Classifier.from_intents(intents)
    kinds = {i.id: i.kind for i in intents.intents}
    classes = [i.id for i in intents.categories] + [OTHER_LABEL]
    class_index = {c: k for k, c in enumerate(classes)}
    keys = [k for k in term_keys(intents) if kinds[k[0]] in ("category", "outside")]
    term_index = {k: t for t, k in enumerate(keys)}
    prior = np.array([term_keys(intents)[k] for k in keys])
    term_class = np.array([class_index.get(i, len(classes) - 1) if kinds[i] == "category" else len(classes) - 1
                           for i, _ in keys])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    ranks: list[int] = []
    length: list[float] = []
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
        y.append(class_index.get(ex.label, len(classes) - 1))
        ids.append(ex.id or ex.source)
        groups.append(source_group(ex.source))
    names = sorted(set(groups))
    group = np.array([names.index(g) for g in groups], dtype=np.int64)
    sizes = np.bincount(group, minlength=len(names)) if len(group) else np.zeros(0)
    weight = len(group) / (len(names) * sizes[group]) if len(group) else np.zeros(0)
    return Design(classes, keys, prior, term_class, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64),
                  np.array(vals), np.array(ranks, dtype=np.int64), np.array(length), np.array(passing).reshape(-1, n_cat),
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


def optimise(d: Design, lam: float) -> np.ndarray:
    bounds = [(0.05, 20.0), (0.0, 2.0), (0.0, 2.0), (-10.0, 10.0), (-20.0, 20.0), (-20.0, 20.0), (-10.0, 10.0)]
    bounds += [(-20.0, 20.0)] * (len(d.classes) - 1)
    bounds += [(-w0, MAX_WEIGHT - w0) for w0 in d.prior]
    result = minimize(_objective, _start(d), args=(d, lam), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 500})
    return result.x


def _probs(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = z / temperature
    ez = np.exp(z - z.max(axis=1, keepdims=True))
    return ez / ez.sum(axis=1, keepdims=True)


def decide(p: np.ndarray, threshold: float) -> np.ndarray:
    """The classifier's rule: the likeliest category when it clears the threshold, else `other`."""
    cats = p[:, :-1]
    best = cats.argmax(axis=1)
    return np.where(cats[np.arange(len(p)), best] >= threshold, best, p.shape[1] - 1)


def score(d: Design, predicted: np.ndarray) -> tuple[float, float, float]:
    """(macro-F1, headline F1, other left unclassified), as `griddesk eval` computes them."""
    report = Report()
    for g, p in zip(d.y, predicted, strict=True):
        report.add(d.classes[g], d.classes[p])
    categories = d.classes[:-1]
    return report.macro_f1(categories), report.macro_f1(HEADLINE), report.other_kept_out()


def _objective_figure(figures: tuple[float, float, float]) -> float:
    return sum(figures) / 3


def group_score(d: Design, predicted: np.ndarray) -> tuple[float, float, float]:
    """The figures averaged over sources: a fit must hold on letters and on short texts alike."""
    parts = [score(d.subset(d.group == g), predicted[d.group == g]) for g in np.unique(d.group)]
    return tuple(float(np.mean([p[k] for p in parts])) for k in range(3))  # type: ignore[return-value]


def _folds(d: Design) -> np.ndarray:
    return np.array([int(hashlib.sha1(i.encode("utf-8")).hexdigest()[:8], 16) % FOLDS for i in d.ids])


@dataclass
class FitReport:
    fitted: Fitted
    lam: float
    out_of_fold: dict[float, tuple[float, float, float]]
    items: int


def fit(intents: IntentSet, examples: Iterable[LabelledExample], *, classifier: Classifier | None = None,
        lambdas: tuple[float, ...] = LAMBDAS, sources: tuple[dict[str, object], ...] = ()) -> FitReport:
    """Fit every number; lambdas, threshold and temperature by out-of-fold figures on the fit data."""
    d = build_design(intents, examples, classifier)
    if d.n == 0:
        raise ValueError("no labelled examples to fit on")
    folds = _folds(d)
    oof: dict[float, np.ndarray] = {}
    figures: dict[float, tuple[float, float, float]] = {}
    best_tau: dict[float, float] = {}
    for lam in lambdas:
        z_all = np.zeros((d.n, len(d.classes)))
        for k in range(FOLDS):
            train, test = folds != k, folds == k
            if not train.any() or not test.any():
                continue
            theta = optimise(d.subset(train), lam)
            z_all[test] = _logits(theta, d.subset(test))[0]
        p = _probs(z_all)
        tau = max(THRESHOLDS, key=lambda t, p=p: _objective_figure(group_score(d, decide(p, t))))
        oof[lam], best_tau[lam], figures[lam] = z_all, tau, group_score(d, decide(p, tau))
    lam = max(lambdas, key=lambda x: _objective_figure(figures[x]))
    tau = best_tau[lam]
    temperature = _temperature(oof[lam], d, tau)
    theta = optimise(d, lam)
    fitted = to_fitted(theta, d, tau, temperature, sources)
    return FitReport(fitted, lam, figures, d.n)


def _temperature(z: np.ndarray, d: Design, tau: float) -> float:
    """The temperature at which the confidence of the answer given matches how often it is right."""
    def nll(t: float) -> float:
        p = _probs(z, t)
        pred = decide(_probs(z), tau)
        conf = np.where(pred == len(d.classes) - 1, 1 - p[:, :-1].max(axis=1), p[np.arange(d.n), pred])
        conf = np.clip(conf, 1e-6, 1 - 1e-6)
        right = pred == d.y
        return float(-np.sum(np.where(right, np.log(conf), np.log(1 - conf))))

    return min(TEMPERATURES, key=nll)


def to_fitted(theta: np.ndarray, d: Design, tau: float, temperature: float,
              sources: tuple[dict[str, object], ...] = ()) -> Fitted:
    n_cls = len(d.classes)
    scale, p1, p2, pull, b_other, b_mean, pass_coef = (float(x) for x in theta[:_HEAD])
    eps = theta[_HEAD : _HEAD + n_cls - 1]
    w = d.prior + theta[_HEAD + n_cls - 1 :]
    bias = {c: b_mean + float(e) for c, e in zip(d.classes[:-1], eps, strict=True)}
    bias[OTHER_LABEL] = b_other
    bias[CATEGORY_BIAS] = b_mean
    weights = {k: float(v) for k, v in zip(d.terms, w, strict=True)}
    priors = {k: float(v) for k, v in zip(d.terms, d.prior, strict=True)}
    return Fitted(weights=weights, priors=priors, scale=scale, positions=dict(zip(ZONES, (1.0, p1, p2), strict=True)),
                  bias=bias, length_pull=pull, passing=pass_coef, threshold=tau, temperature=temperature,
                  fitted_on=sources)
