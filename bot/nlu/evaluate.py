"""Scoring a classifier against labelled messages: the figures admins and the acceptance read.

Used by `griddesk eval` (a labelled JSONL file) and `griddesk intents check` (the files' own
examples). `other` (intent None) is a label like any other here, so precision of a category
suffers when it swallows `other` messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

OTHER = "other"
HEADLINE = ("noise", "illegal_construction", "parking")


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    """Precision/recall/F1 per label plus the confused pairs, from (gold, predicted) pairs."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, gold: str | None, predicted: str | None) -> None:
        self.pairs.append((gold or OTHER, predicted or OTHER))

    def prf(self, label: str) -> PRF:
        tp = sum(1 for g, p in self.pairs if g == label and p == label)
        fp = sum(1 for g, p in self.pairs if g != label and p == label)
        fn = sum(1 for g, p in self.pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return PRF(precision, recall, f1, tp + fn)

    def labels(self) -> list[str]:
        return sorted({g for g, _ in self.pairs} | {p for _, p in self.pairs})

    def defined(self, labels: Iterable[str]) -> list[str]:
        """Labels with a gold item or a prediction: F1 of a label never seen nor predicted is undefined."""
        seen = set(self.labels())
        return [label for label in labels if label in seen]

    def macro_f1(self, labels: Iterable[str]) -> float:
        values = [self.prf(label).f1 for label in self.defined(labels)]
        return sum(values) / len(values) if values else 0.0

    def confusions(self, top: int = 10) -> list[tuple[tuple[str, str], int]]:
        return Counter((g, p) for g, p in self.pairs if g != p).most_common(top)

    def other_kept_out(self) -> float:
        """Share of gold-`other` messages left unclassified."""
        others = [p for g, p in self.pairs if g == OTHER]
        return sum(1 for p in others if p == OTHER) / len(others) if others else 1.0

    @property
    def accuracy(self) -> float:
        return sum(1 for g, p in self.pairs if g == p) / len(self.pairs) if self.pairs else 0.0


def format_table(report: Report, labels: Iterable[str]) -> list[str]:
    lines = [f"{'category':<22}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]
    for label in labels:
        m = report.prf(label)
        lines.append(f"{label:<22}{m.precision:>7.3f}{m.recall:>7.3f}{m.f1:>7.3f}{m.support:>6}")
    return lines


def calibration(points: list[tuple[float, bool]], bins: int = 5) -> list[str]:
    """Reliability table: in each confidence band, how often the answer was right (ECE last)."""
    lines = [f"{'confidence':<14}{'n':>5}{'accuracy':>10}{'mean conf':>11}"]
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        band = [(c, ok) for c, ok in points if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not band:
            continue
        acc = sum(ok for _, ok in band) / len(band)
        mean = sum(c for c, _ in band) / len(band)
        ece += len(band) / len(points) * abs(acc - mean)
        lines.append(f"{lo:.1f}–{hi:.1f}{'':<7}{len(band):>5}{acc:>10.3f}{mean:>11.3f}")
    lines.append(f"expected calibration error: {ece:.3f}")
    return lines
