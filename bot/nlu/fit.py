"""`griddesk intents fit`: the numbers that decide, fitted from labelled examples — when they beat the YAML.

The admins' YAML weights with the hand-set decision numbers are the incumbent. Each candidate model
changes fewer or more of those numbers, from fewest free numbers to most:

- `numbers`: the YAML weights; the decision's numbers (request/body position weights, the pull of
  `other`, the three thresholds) searched on their grids (`fit_decision.search_numbers`);
- `scales`: one multiplier per category (and `other`) of its YAML weights (`fit_decision.search_scales`);
- `terms L2 λ`: every term's weight by a logistic regression penalised towards its YAML weight
  (`fit_lr`), the hand-set decision numbers; λ from `LAMBDAS` (strong shrinkage: a term with little
  evidence keeps its YAML weight).

Every candidate, the incumbent included, is scored out of fold on the fit data (`FOLDS` folds by a hash
of the item id, each source weighing the same); the best fitted one is trained on all of it and its
confidence calibrated on its out-of-fold answers. It `beats_yaml` only when its out-of-fold figure is
`min_gain` above the YAML's: otherwise `griddesk intents fit` writes nothing. Held-out sets are never
seen. Deterministic: the folds are hashes, the searches are grids, L-BFGS starts from fixed values.

Input is any iterable of `LabelledExample` (a label file, the desk's confirmed cases).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bot.nlu.classifier import Classifier
from bot.nlu.fit_decision import (
    SEARCH_MARGIN,
    calibrate,
    decide_rules,
    group_score,
    objective_figure,
    score,
    search_numbers,
    search_scales,
)
from bot.nlu.fit_design import CASE_SOURCE, Design, build_design, passing_weight, source_group
from bot.nlu.fit_lr import lr_weights, optimise
from bot.nlu.fitted import FIT_FOLDS as FOLDS
from bot.nlu.fitted import FIT_LAMBDAS as LAMBDAS
from bot.nlu.fitted import FIT_MIN_GAIN as MIN_GAIN
from bot.nlu.fitted import FIT_MODELS as MODELS
from bot.nlu.fitted import Fitted, Numbers
from bot.nlu.intent_files import IntentSet
from bot.nlu.labels import LabelledExample

__all__ = ["CASE_SOURCE", "FOLDS", "LAMBDAS", "MIN_GAIN", "MODELS", "Design", "FitReport", "build_design", "calibrate",
           "decide_rules", "fit", "group_score", "optimise", "passing_weight", "score", "search_numbers", "source_group"]

YAML = "yaml"


@dataclass(frozen=True)
class _Trained:
    weights: np.ndarray  # one per design term, in YAML units
    numbers: Numbers


def _specs(models: tuple[str, ...], lambdas: tuple[float, ...]) -> list[str]:
    unknown = set(models) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown model {sorted(unknown)[0]!r}; choose from {', '.join(MODELS)}")
    specs = [m for m in MODELS if m in models and m != "terms"]
    if "terms" in models:
        specs += [f"terms L2 {lam:g}" for lam in sorted(lambdas, reverse=True)]  # strongest shrinkage first
    return specs


def _train(spec: str, d: Design, warm: dict[str, np.ndarray]) -> _Trained:
    if spec == YAML:
        return _Trained(d.prior, Numbers())
    if spec == "numbers":
        return _Trained(d.prior, search_numbers(d, d.prior[d.cols], margin=SEARCH_MARGIN)[0])
    if spec == "scales":
        return _Trained(d.prior * search_scales(d)[d.term_class], Numbers())
    lam = float(spec.rsplit(" ", 1)[1])
    # Warm-started from the next stronger λ on the same data: the weights move little between them.
    theta = optimise(d, lam, warm.get("terms"))
    warm["terms"] = theta
    return _Trained(lr_weights(theta, d), Numbers())


def _folds(d: Design, folds: int) -> np.ndarray:
    return np.array([int(hashlib.sha1(i.encode("utf-8")).hexdigest()[:8], 16) % folds for i in d.ids])


@dataclass
class FitReport:
    #: The best fitted candidate, trained on every example (written only when it `beats_yaml`, or forced).
    fitted: Fitted
    chosen: str
    #: Out-of-fold (macro-F1, headline F1, other left unclassified), averaged over sources, per candidate;
    #: `yaml` is the incumbent: the YAML weights with the hand-set numbers.
    out_of_fold: dict[str, tuple[float, float, float]]
    items: int
    beats_yaml: bool
    min_gain: float = MIN_GAIN

    @property
    def baseline(self) -> tuple[float, float, float]:
        return self.out_of_fold[YAML]


def fit(intents: IntentSet, examples: Iterable[LabelledExample], *, classifier: Classifier | None = None,
        models: tuple[str, ...] = MODELS, lambdas: tuple[float, ...] = LAMBDAS, folds: int = FOLDS,
        min_gain: float = MIN_GAIN, sources: tuple[dict[str, object], ...] = ()) -> FitReport:
    """Score the YAML and every candidate out of fold; train the best candidate on all the examples."""
    d = build_design(intents, examples, classifier)
    if d.n == 0:
        raise ValueError("no labelled examples to fit on")
    specs = [YAML, *_specs(models, lambdas)]
    if len(specs) == 1:
        raise ValueError("no candidate model to fit")
    fold = _folds(d, folds)
    predicted = {s: np.zeros(d.n, dtype=np.int64) for s in specs}
    confidence = {s: np.zeros(d.n) for s in specs}
    for k in range(folds):
        test = fold == k
        if not test.any() or test.all():
            continue
        train, held = d.subset(~test), d.subset(test)
        warm: dict[str, np.ndarray] = {}
        for spec in specs:
            trained = _train(spec, train, warm)
            predicted[spec][test], confidence[spec][test] = decide_rules(held, trained.weights[held.cols],
                                                                         trained.numbers)
    figures = {s: group_score(d, predicted[s]) for s in specs}
    chosen = specs[1]
    for spec in specs[2:]:
        if objective_figure(figures[spec]) > objective_figure(figures[chosen]):
            chosen = spec
    trained = _train(chosen, d, {})
    # Calibrated on the answers that name a category: the only confidence the dialog acts on ("did you mean"
    # below CONFIRM_BELOW). The `other` answers' confidence sits at or near 1.0 and would flatten the fit.
    named = predicted[chosen] < len(d.classes) - 1
    a, b = calibrate(confidence[chosen][named], (predicted[chosen] == d.y)[named])
    n = trained.numbers
    numbers = Numbers(positions=n.positions, outside_pull=n.outside_pull, topic=n.topic,
                      long_single=n.long_single, passing=n.passing, calibration=(a, b))
    fitted = Fitted(weights={k: float(v) for k, v in zip(d.terms, trained.weights, strict=True)},
                    priors={k: float(v) for k, v in zip(d.terms, d.prior, strict=True)},
                    numbers=numbers, fitted_on=sources)
    beats = objective_figure(figures[chosen]) >= objective_figure(figures[YAML]) + min_gain
    return FitReport(fitted, chosen, figures, d.n, beats, min_gain)
