"""Intents + fitted numbers → a classifier, the one way every entry point (bot, CLI, `/reload`) builds it.

A missing fitted file means the YAML weights. A broken one must never take the bot down: at start
the bot runs on the YAML weights and logs the problem; on `/reload` (`strict=True`) the problem
is raised so the caller keeps the set it had and shows the admin `path:line`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.errors import IntentFileError
from bot.nlu.classifier import Classifier
from bot.nlu.fitted import Fitted, load_fitted
from bot.nlu.intent_files import IntentSet, load_intents
from bot.nlu.normalize import Normalizer

log = logging.getLogger(__name__)


def load_classifier(directory: str | Path, normalizer: Normalizer, *, strict: bool = False,
                    use_fitted: bool = True) -> tuple[IntentSet, Classifier]:
    """Load intents (raising `IntentFileError` when broken) and their fitted numbers when present."""
    intents = load_intents(directory, normalizer)
    fitted: Fitted | None = None
    if use_fitted:
        try:
            fitted = load_fitted(directory, intents)
        except IntentFileError as exc:
            if strict:
                raise
            for problem in exc.problems:
                log.error("fitted weights not used (YAML weights instead): %s", problem)
        if fitted is not None:
            for problem in fitted.stale:
                log.warning("%s", problem)
    return intents, Classifier.from_intents(intents, normalizer, fitted)
