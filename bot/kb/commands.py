"""CLI for the knowledge base: `griddesk ask` and `griddesk kb check` (heavy imports inside handlers)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("ask", help="answer questions from knowledge/: one per stdin line → one JSON object per line")
    p.add_argument("question", nargs="*", help="questions to answer (default: read stdin)")
    p.add_argument("--dir", help="knowledge directory (default KNOWLEDGE_DIR)")
    p.set_defaults(handler=_ask)

    p = sub.add_parser("kb", help="admin tools for knowledge entries")
    ksub = p.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    c = ksub.add_parser("check", help="validate knowledge entries and run their listed questions")
    c.add_argument("dir", nargs="?", help="knowledge directory (default KNOWLEDGE_DIR)")
    c.set_defaults(handler=_check)


def _ask(args: argparse.Namespace, settings: Any) -> int:
    from bot.kb.cli_impl import ask_main

    return ask_main(args, settings)


def _check(args: argparse.Namespace, settings: Any) -> int:
    from bot.kb.cli_impl import check_main

    return check_main(args, settings)
