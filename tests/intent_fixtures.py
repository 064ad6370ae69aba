"""Small intent folders written by tests: one place that writes them and builds a classifier from them."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer


def write_intent_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write each `name: indented YAML` into `root` (made if missing), dedented; return `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def classifier_from(root: Path, files: Mapping[str, str], *, max_chars: int = 500) -> Classifier:
    """A classifier over just these intent files (the normalizer cut short so long-text tests stay quick)."""
    norm = Normalizer(max_chars=max_chars)
    return Classifier.from_intents(load_intents(write_intent_files(root, files), norm), norm)
