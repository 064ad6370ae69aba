"""A Telegram Bot API double for end-to-end tests: see `server.BotApiDouble`."""

from .server import BotApiDouble, FailRule, Sent

__all__ = ["BotApiDouble", "FailRule", "Sent"]
