"""The work behind `griddesk ask` and `griddesk kb check`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.errors import KnowledgeFileError
from bot.kb.base import KnowledgeBase
from bot.nlu.normalize import Normalizer


def _directory(args: argparse.Namespace, settings: Any, attr: str) -> Path:
    given = getattr(args, attr, None)
    return Path(given) if given else Path(settings.knowledge_dir)


def _stdin_lines() -> Iterator[str]:
    """Lines of stdin as text; undecodable bytes become U+FFFD instead of crashing."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def ask_main(args: argparse.Namespace, settings: Any) -> int:
    """One JSON object per question, in order, flushed as it goes (usable as a pipe)."""
    kb = KnowledgeBase.load(_directory(args, settings, "dir"), Normalizer(settings.max_message_chars))
    questions = args.question if args.question else _stdin_lines()
    out = sys.stdout
    for question in questions:
        out.write(json.dumps(kb.answer(question).to_json(), ensure_ascii=False) + "\n")
        out.flush()
    return 0


def check_main(args: argparse.Namespace, settings: Any) -> int:
    """Validate every file (all problems at once), then run each entry's questions; exit 1 on any problem."""
    directory = _directory(args, settings, "dir")
    try:
        kb = KnowledgeBase.load(directory, Normalizer(settings.max_message_chars))
    except KnowledgeFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"kb check: {len(exc.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    problems = kb.check()
    for problem in problems:
        print(problem, file=sys.stderr)
    asked = sum(len(e.questions) for e in kb.entries)
    if problems:
        print(f"kb check: {len(problems)} of {asked} listed questions not answered by their own entry", file=sys.stderr)
        return 1
    print(f"kb check: {len(kb.entries)} entries OK, {asked} listed questions answered by their own entry")
    return 0
