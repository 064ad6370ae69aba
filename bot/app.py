"""`griddesk run`: the bot on Telegram when TELEGRAM_BOT_TOKEN is set, otherwise the console chat.

Long polling by default; a webhook when WEBHOOK_URL is set. TELEGRAM_API_URL picks the Bot API server
(self-hosted servers speak the same protocol). BOT_FRAMEWORK (or --framework) picks aiogram or ptb.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="start the bot (Telegram with TELEGRAM_BOT_TOKEN, else the console chat)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=["aiogram", "ptb"], help="override BOT_FRAMEWORK")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Check everything a person configured (one line per problem, before any connection), then start."""
    from bot import preflight

    if args.framework:
        settings = settings.model_copy(update={"bot_framework": args.framework})
    if settings.telegram_bot_token is None:  # the console chat runs the same checks itself
        from bot.runtime.frozen import end_startup

        end_startup()  # begun by `bot.cli` for the bot's start; the chat never freezes
        print("griddesk: TELEGRAM_BOT_TOKEN is not set; starting the console chat instead", file=sys.stderr)
        from bot.cli import build_parser

        chat_args = build_parser().parse_args(["chat", "--web"])
        return int(chat_args.handler(chat_args, settings) or 0)
    preflight.check(settings, web=True)
    preflight.check_knowledge(settings)
    from bot.telegram.runner import run_bot

    return asyncio.run(run_bot(settings))
