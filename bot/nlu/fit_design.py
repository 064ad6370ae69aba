"""The labelled examples as the fit sees them: the classifier's own matches (term × zone × strength) per example.

Built once per fit by running the YAML-weighted classifier's matching over every example, so the fitted
numbers mean at run time what they meant in the fit. Each source (a label file, the desk's cases) weighs
the same in total, however many examples it has.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bot.nlu.classifier import OTHER_LABEL, OUTSIDE_TOP_TERMS, PASSING_DISTINCT, Classifier
from bot.nlu.fitted import term_keys
from bot.nlu.intent_files import IntentSet
from bot.nlu.labels import LabelledExample
from bot.nlu.sentence_zones import BODY, HAND_POSITIONS


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
    # Sorted by id: `fit_decision.decide_rules` breaks an opening-sentence tie towards the highest id, as the classifier.
    classes = [*sorted(i.id for i in intents.categories), OTHER_LABEL]
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
