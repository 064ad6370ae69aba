"""GridDesk (网格服务台): the bot application — understanding, dialog, cases, Telegram adapters, CLI."""

from pathlib import Path

__version__ = "0.1.0"

#: The project root (where `intents/`, `knowledge/` and `storage/` live in a checkout).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
