"""`griddesk intents suggest`: candidate terms per category, mined from labelled examples, for review.

A candidate is a word or a two-word phrase (jieba, with every intent term in its dictionary) that
is frequent in one category's items and rare in the rest, and not yet in any intent file. Each
comes with counts, a score and a few example ids (ids only: the texts stay where they are), and
how many of the items the classifier now misses it occurs in — those are the additions that would
change answers. Only examples that may be fitted on are mined; a person decides what goes in.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.nlu.classifier import Classifier
from bot.nlu.labels import OTHER, LabelledExample

_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
MIN_COUNT = 3
MAX_CHARS = 8


@dataclass(frozen=True, slots=True)
class Candidate:
    term: str
    intent: str
    in_category: int
    elsewhere: int
    in_missed: int
    score: float
    example_ids: tuple[str, ...]
    known_as: str | None  # the intent that already has this term, when another one does


def _candidates(clf: Classifier, text: str) -> set[str]:
    norm = clf.normalizer.normalize(text).text
    words = [w for w in clf.lexicon.tokenizer.cut(norm, HMM=False) if _WORD.match(w)]
    out = {w for w in words if 2 <= len(w) <= MAX_CHARS}
    out.update(a + b for a, b in itertools.pairwise(words) if 3 <= len(a + b) <= MAX_CHARS)
    return out


def suggest(clf: Classifier, examples: Iterable[LabelledExample], intent: str | None = None,
            top: int = 15) -> dict[str, list[Candidate]]:
    """Per category (or just `intent`): the best `top` candidates, best first."""
    known: dict[str, str] = {}
    for i in clf.intents.intents:
        for term, _, _ in i.all_terms():
            known.setdefault(term.text, i.id)
    docs: dict[str, Counter[str]] = defaultdict(Counter)
    missed: dict[str, Counter[str]] = defaultdict(Counter)
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    total: Counter[str] = Counter()
    per_label: Counter[str] = Counter()
    for ex in examples:
        terms = _candidates(clf, ex.text)
        wrong = (clf.classify(ex.text).intent or OTHER) != ex.label
        per_label[ex.label] += 1
        total.update(terms)
        docs[ex.label].update(terms)
        if wrong:
            missed[ex.label].update(terms)
        for t in terms:
            if len(ids[(ex.label, t)]) < 3:
                ids[(ex.label, t)].append(ex.id or ex.source)
    n_all = sum(per_label.values())
    wanted = [intent] if intent else sorted(per_label)
    out: dict[str, list[Candidate]] = {}
    for label in wanted:
        n_in = per_label.get(label, 0)
        rows: list[Candidate] = []
        for term, a in docs.get(label, Counter()).items():
            if a < MIN_COUNT or known.get(term) == label:
                continue
            b = total[term] - a
            precision = (a + 0.5) / (a + b + 1)
            base = (n_in + 0.5) / (n_all + 1)
            if precision < 0.5 or precision < 1.5 * base:
                continue  # not telling: most items with the term are elsewhere
            # Separation (log-lift of the category among items with the term) times how often it helps.
            lift = math.log(precision / base)
            score = lift * math.log1p(missed[label][term] + 0.5 * a)
            rows.append(Candidate(term, label, a, b, missed[label][term], round(score, 3),
                                  tuple(ids[(label, term)]), known.get(term)))
        rows.sort(key=lambda c: c.score, reverse=True)
        # A phrase adds nothing over a word of it that is already listed with the same counts.
        kept: list[Candidate] = []
        for c in rows:
            if any(k.term in c.term and k.in_category >= c.in_category for k in kept):
                continue
            kept.append(c)
            if len(kept) == top:
                break
        out[label] = kept
    return out


def format_suggestions(found: dict[str, list[Candidate]]) -> list[str]:
    lines: list[str] = []
    for label, rows in found.items():
        lines.append(f"== {label}: {len(rows)} candidates (term, items in category / elsewhere / missed now, score, ids)")
        for c in rows:
            note = f"  [now a term of {c.known_as}]" if c.known_as else ""
            lines.append(f"  {c.term:<10} {c.in_category:>4} / {c.elsewhere:<4} / {c.in_missed:<3} {c.score:>6.2f}  "
                         f"{', '.join(c.example_ids)}{note}")
    return lines
