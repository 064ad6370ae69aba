"""The work behind `griddesk ask` and `griddesk kb check`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.errors import DataFileError
from bot.kb.base import KnowledgeBase, outside_terms
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer


def _directory(args: argparse.Namespace, settings: Any, attr: str) -> Path:
    given = getattr(args, attr, None)
    return Path(given) if given else Path(settings.knowledge_dir)


def _stdin_lines() -> Iterator[str]:
    """Lines of stdin as text; undecodable bytes become U+FFFD instead of crashing."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _outside(settings: Any, normalizer: Normalizer) -> tuple[str, ...]:
    return outside_of(getattr(settings, "intents_dir", None), normalizer)


def outside_of(directory: Path | str | None, normalizer: Normalizer) -> tuple[str, ...]:
    """The outside/chat words of the intents in `directory`; none when they cannot be read (the KB still answers)."""
    if not directory or not Path(directory).is_dir():
        return ()
    try:
        return outside_terms(load_intents(directory, normalizer))
    except DataFileError:
        return ()


def ask_main(args: argparse.Namespace, settings: Any) -> int:
    """One JSON object per question, in order, flushed as it goes (usable as a pipe)."""
    norm = Normalizer(settings.max_message_chars)
    kb = KnowledgeBase.load(_directory(args, settings, "dir"), norm, outside=_outside(settings, norm))
    questions = args.question if args.question else _stdin_lines()
    out = sys.stdout
    for question in questions:
        out.write(json.dumps(kb.answer(question).to_json(), ensure_ascii=False) + "\n")
        out.flush()
    return 0


def check_main(args: argparse.Namespace, settings: Any) -> int:
    """Validate every file (all problems at once), then run each entry's questions; exit 1 on any problem."""
    from bot.admin_checks import check_knowledge

    result = check_knowledge(_directory(args, settings, "dir"), getattr(settings, "intents_dir", None),
                             settings.max_message_chars)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(result.summary, file=sys.stderr if result.problems else sys.stdout)
    return 0 if result.ok else 1
