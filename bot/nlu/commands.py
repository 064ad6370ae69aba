"""CLI for understanding: `griddesk classify`, `griddesk eval`, `griddesk intents check`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("classify", help="classify messages: one per stdin line → one JSON object per line")
    p.add_argument("text", nargs="*", help="messages to classify (default: read stdin)")
    p.set_defaults(handler=_classify)

    p = sub.add_parser("eval", help="precision/recall/F1 per category on a labelled JSONL file")
    p.add_argument("file", nargs="?", help="labelled JSONL (default ../shared/data/dev_labeled.jsonl)")
    p.add_argument("--errors", action="store_true", help="also print every misclassified message")
    p.set_defaults(handler=_eval)

    p = sub.add_parser("intents", help="admin tools for intent files")
    isub = p.add_subparsers(dest="intents_command", metavar="ACTION", required=True)
    c = isub.add_parser("check", help="validate intent files and run their examples")
    c.add_argument("dir", nargs="?", help="intents directory (default INTENTS_DIR)")
    c.set_defaults(handler=_check)


def _classify(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import classify_main

    return classify_main(args, settings)


def _eval(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import eval_main

    return eval_main(args, settings)


def _check(args: argparse.Namespace, settings: Any) -> int:
    from bot.nlu.cli_impl import check_main

    return check_main(args, settings)
