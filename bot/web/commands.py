"""CLI: `griddesk console link --admin ID | --worker ID` prints a one-time login link to the staff console.

The link is the same a staff member gets by sending /console to the bot: single use, valid CONSOLE_LINK_MINUTES,
starting with PUBLIC_URL (else the local WEB_HOST:WEB_PORT address). Light at import, like every command module.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from bot.errors import UsageError
from bot.wording import channels as channel_words

if TYPE_CHECKING:
    from bot.settings import Settings


def _digits(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < len(text) <= 16:
        raise argparse.ArgumentTypeError(f"expected an id (digits), got {value!r}")
    return int(text)


def register(sub: Any) -> None:
    console = sub.add_parser("console", help="the staff console (web): print a one-time login link")
    console_sub = console.add_subparsers(dest="console_command", metavar="ACTION")
    link = console_sub.add_parser("link", help="print a one-time login link for an admin or a bound worker")
    who = link.add_mutually_exclusive_group(required=True)
    who.add_argument("--admin", type=_digits, metavar="ID", help="an admin's user id (one of ADMIN_IDS)")
    who.add_argument("--worker", type=_digits, metavar="ID", help="a worker id (see `griddesk worker list`)")
    link.set_defaults(handler=_link)
    console.set_defaults(handler=lambda args, settings: (console.print_help(), 2)[1])


def _link(args: argparse.Namespace, settings: Settings) -> int:
    if args.admin is not None and args.admin not in settings.admin_ids:
        raise UsageError(f"{args.admin} is not in ADMIN_IDS; add it there (or use --worker ID for a dispatcher)")

    async def run() -> str:
        from bot.web.console.auth import links_for
        from storage.engine import Database
        from storage.models import Worker

        db = Database(settings.database_url)
        try:
            await db.prepare()
            if args.worker is not None:
                async with db.session() as s:
                    worker = await s.get(Worker, args.worker)
                if worker is None or not worker.active:
                    raise UsageError(f"no active worker {args.worker} (see `griddesk worker list`)")
                return await links_for(db, settings).issue("worker", args.worker)
            return await links_for(db, settings).issue("admin", args.admin)
        finally:
            await db.dispose()

    print(asyncio.run(run()))
    print(channel_words.LINK_NOTE.format(minutes=settings.console_link_minutes), file=sys.stderr)
    return 0
