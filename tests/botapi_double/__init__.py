"""A Telegram Bot API double for end-to-end tests: `server.BotApiDouble` (HTTP and lifecycle) mixes the Bot API
methods (`methods.py`) with the test side that plays the people (`people.py`); `records.py` holds what it records."""

from .server import BotApiDouble, FailRule, Sent

__all__ = ["BotApiDouble", "FailRule", "Sent"]
