"""Logging, configured once, at the entry point (`bot.cli.main`): every line goes to stderr — stdout stays
for what a command prints (the console chat, JSON answers, invite codes) — at LOG_LEVEL, as key=value
text or, with LOG_FORMAT=json, as JSON lines.

structlog (the engine's one line per update) and the standard library (aiogram, PTB, the sender, the
outbox loop) go through the same handler, so both honour the level and the format.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

#: Libraries that log a line per update or per HTTP request at INFO: only their warnings are kept, so an
#: update leaves exactly one line (the engine's).
CHATTY = ("aiogram.event", "httpx", "httpcore", "aiohttp.access")


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None, json: bool = False) -> None:
    """Route structlog and stdlib logging to `stream` (default stderr) at `level`, as text or JSON lines."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[structlog.typing.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = (structlog.processors.JSONRenderer(ensure_ascii=False) if json
                else structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "logger", "event"]))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.format_exc_info,
                    renderer],
    ))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=False,
    )
