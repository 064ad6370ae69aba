"""Intents + fitted numbers → a classifier, the one way every entry point (bot, CLI, `/reload`) builds it.

A missing fitted file means the YAML weights. A broken one must never take the bot down: at start
the bot runs on the YAML weights and logs the problem; on `/reload` (`strict=True`) the problem
is raised so the caller keeps the set it had and shows the admin `path:line`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.admin_files import yaml_files
from bot.errors import IntentFileError
from bot.nlu.cache import BuildCache
from bot.nlu.classifier import Classifier
from bot.nlu.fitted import Fitted, default_path, load_fitted
from bot.nlu.intent_files import MAX_FILE_BYTES, IntentSet, load_intents
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalize import Normalizer

log = logging.getLogger(__name__)


def load_classifier(directory: str | Path, normalizer: Normalizer, *, strict: bool = False,
                    use_fitted: bool = True, cache: BuildCache | None = None,
                    fast: bool = False) -> tuple[IntentSet, Classifier]:
    """Load intents (raising `IntentFileError` when broken) and their fitted numbers when present.

    With a `cache`, unchanged intent files (and weights file) give the stored compiled set instead of a
    new build; only a build without problems is stored, so a cached set is never a broken one. `fast`: parsed
    through libyaml, as the bot does (`load_intents(fast=True)`: problems are still reported with their lines)."""
    built: list[bool] = []

    def build() -> tuple[IntentSet, Fitted | None, Lexicon, bool]:
        intents, fitted, clean = _build(directory, normalizer, strict=strict, use_fitted=use_fitted, fast=fast)
        built.append(True)
        return intents, fitted, Lexicon(intents, fitted.weight if fitted is not None else None), clean

    store = cache or BuildCache(None)
    weights = default_path(directory)
    files = [*yaml_files(Path(directory)), *([weights] if use_fitted and weights.is_file() else [])]
    key = store.key("intents", files, MAX_FILE_BYTES, [f"fitted={use_fitted}"])
    intents, fitted, lexicon, _ = store.get_or_build("intents", key, build, keep=lambda got: got[3])
    if fitted is not None and not built:  # said when it was built; a start from the cache says it again
        _warn_stale(fitted)
    return intents, Classifier(lexicon, normalizer, fitted)


def _build(directory: str | Path, normalizer: Normalizer, *, strict: bool,
           use_fitted: bool, fast: bool) -> tuple[IntentSet, Fitted | None, bool]:
    """(intents, fitted numbers or None, whether the fitted file, if any, loaded without a problem)."""
    intents = load_intents(directory, normalizer, fast=fast)
    fitted: Fitted | None = None
    clean = True
    if use_fitted:
        try:
            fitted = load_fitted(directory, intents)
        except IntentFileError as exc:
            if strict:
                raise
            clean = False
            for problem in exc.problems:
                log.error("fitted weights not used (YAML weights instead): %s", problem)
        if fitted is not None:
            _warn_stale(fitted)
    return intents, fitted, clean


def _warn_stale(fitted: Fitted) -> None:
    for problem in fitted.stale:
        log.warning("%s", problem)
