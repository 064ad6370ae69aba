"""The `griddesk` command: each module registers its own subcommands (one router per module); logging is
configured here, once, for every command (`bot.logs`).

Command modules stay light at import time (heavy imports happen inside handlers) so that
`griddesk --help` is instant and `griddesk classify` does not load Telegram libraries.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.errors import ConfigError, GridDeskError
from bot.runtime.frozen import begin_startup, end_startup

if TYPE_CHECKING:
    from bot.settings import Settings

#: Modules with a `register(subparsers)` function; each adds parsers with `set_defaults(handler=…)`.
#: A handler is `handler(args, settings) -> int` (the exit code).
COMMAND_MODULES = (
    "bot.app",  # run
    "bot.console",  # chat
    "bot.nlu.commands",  # classify, eval, intents check
    "bot.kb.commands",  # ask, kb check
    "bot.cases.commands",  # grids, worker invite, stats
    "bot.web.open311.commands",  # api-key create / list / revoke
    "bot.web.commands",  # console link
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="griddesk", description="GridDesk 网格服务台")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a part not built yet in this checkout
        module.register(sub)
    return parser


def log_level_for(command: str | None, settings: Settings) -> str:
    """LOG_LEVEL, except that the console chat (`chat`, or `run` without a token) owns the terminal: below
    DEBUG it shows warnings and errors only, not a line per update between the chat's own lines."""
    console = command == "chat" or (command == "run" and settings.telegram_bot_token is None)
    return "WARNING" if console and settings.log_level != "DEBUG" else settings.log_level


def main(argv: Sequence[str] | None = None) -> int:
    begin_startup()  # `run` starts with the collector paused until it has started (`bot.runtime.frozen`)
    try:
        return _main(argv)
    finally:
        end_startup()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "run":
        end_startup()
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        from bot.logs import configure_logging
        from bot.settings import load_settings

        settings = load_settings()
        configure_logging(log_level_for(args.command, settings), json=settings.log_format == "json")
        return int(handler(args, settings) or 0)
    except ConfigError as exc:  # one line per problem, each naming its key and the fix
        for line in str(exc).splitlines():
            print(f"griddesk: configuration error: {line}", file=sys.stderr)
        return 2
    except GridDeskError as exc:
        print(f"griddesk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
