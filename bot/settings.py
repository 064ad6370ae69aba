"""Typed settings, read in one place: the environment and `.env` (see `.env.example` for every key)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import PROJECT_ROOT
from bot.errors import ConfigError

#: What @BotFather hands out: the bot's numeric id, a colon, then letters, digits, '-' and '_'.
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
DEFAULT_SQLITE = f"sqlite:///{PROJECT_ROOT / 'storage' / 'griddesk.db'}"


class Settings(BaseSettings):
    """Everything configurable; construct with `load_settings()` so bad values become a `ConfigError`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    bot_framework: Literal["aiogram", "ptb"] = "aiogram"
    telegram_max_rate: float = Field(default=25.0, gt=0, le=1000)  # messages/s over all chats (Telegram: ~30)
    database_url: str = DEFAULT_SQLITE
    intents_dir: Path = PROJECT_ROOT / "intents"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    max_message_chars: int = Field(default=2000, ge=50, le=100_000)
    duplicate_window_hours: float = Field(default=72, gt=0)
    reminder_fraction: float = Field(default=0.8, gt=0, lt=1)
    deadline_check_seconds: float = Field(default=60, gt=0)
    #: The case-number receipt waits this long in the outbox before it is sent from there: the direct
    #: reply normally goes first and cancels it; after a crash the outbox delivers it.
    receipt_grace_seconds: float = Field(default=20, gt=0, le=3600)
    timezone: str = "Asia/Shanghai"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object a line, for a log collector

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """ADMIN_IDS is written as `123,456` (spaces allowed), the way admins paste Telegram ids."""
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(f"ADMIN_IDS must be Telegram user ids separated by commas, got {value!r}") from exc
        return value

    @field_validator("telegram_api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None if value == "" else value
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("telegram_bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never repeats the token: it is a secret and error messages end up in logs.
        if value is not None and not TOKEN_SHAPE.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token from @BotFather (digits, a colon, then letters/digits/-/_)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from None
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises `ConfigError` naming the key and what it expects."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            lines.append(f"{key}: {err['msg']} (check your environment or .env; see .env.example)")
        raise ConfigError("\n".join(lines)) from None
