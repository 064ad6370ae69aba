"""structlog set-up: one key=value line per event on stderr (stdout stays clean for pipes and the console).

Adapters call `configure_logging` once at start; without it structlog would print to stdout.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None, json: bool = False) -> None:
    """Route structlog (the engine's per-update lines) and stdlib logging to `stream` (default stderr)."""
    out = stream or sys.stderr
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else int(level)
    if not isinstance(numeric, int):
        numeric = logging.INFO
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.processors.KeyValueRenderer(
        key_order=["timestamp", "level", "event"], sort_keys=False)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric, stream=out, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
