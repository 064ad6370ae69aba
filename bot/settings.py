"""Typed settings, read in one place: the environment and `.env` (see `.env.example` for every key).

Every value a person can type is checked here, before anything connects or opens: a bad one is a
`ConfigError` whose lines read `KEY: what is wrong (the fix)`, never a traceback. What can only be
checked against the machine (folders, the SQLite file, the webhook port) is in `bot.preflight`.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import PROJECT_ROOT
from bot.errors import ConfigError, GridDeskError

#: What @BotFather hands out: the bot's numeric id, a colon, then letters, digits, '-' and '_'.
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
HEALTHZ_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_.~-]{16,256}$")
CONSOLE_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_.~-]{32,256}$")
#: What setWebhook accepts as secret_token (Bot API docs): 1-256 of A-Z a-z 0-9 _ -.
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: The ports Telegram's own servers deliver webhooks to (a self-hosted Bot API server allows any).
TELEGRAM_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
OFFICIAL_API_HOST = "api.telegram.org"
DEFAULT_SQLITE = f"sqlite:///{PROJECT_ROOT / 'storage' / 'griddesk.db'}"
ENV_FILE = ".env"
MAX_ENV_FILE_BYTES = 1_000_000
#: Telegram ids fit in 52 bits; anything larger is a paste error, not an admin.
MAX_TELEGRAM_ID = 2**52
#: What each plain number/choice key expects, added to pydantic's generic "Input should be…" as the fix.
EXPECTED = {
    "BOT_FRAMEWORK": "aiogram or ptb",
    "TELEGRAM_MAX_RATE": "messages per second, more than 0 and at most 100000 (default 25; Telegram allows ~30)",
    "WEB_PORT": "a port number 1-65535 (default 8080)",
    "CONSOLE_LINK_MINUTES": "minutes, more than 0 and at most 1440 (default 10)",
    "CONSOLE_SESSION_HOURS": "hours, more than 0 and at most 720 (default 12)",
    "MAX_MESSAGE_CHARS": "a whole number of characters 50-100000 (default 2000)",
    "DUPLICATE_WINDOW_HOURS": "hours, more than 0 and at most 8760 (default 72)",
    "REMINDER_FRACTION": "a share of the deadline between 0 and 1, e.g. 0.8",
    "DEADLINE_CHECK_SECONDS": "seconds, 0.5-3600 (default 60)",
    "LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
}


class Settings(BaseSettings):
    """Everything configurable; construct with `load_settings()` so bad values become a `ConfigError`."""

    # utf-8-sig: a BOM from Windows Notepad would otherwise become part of the first key's name (silently unset).
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8-sig", extra="ignore",
                                      env_ignore_empty=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    bot_framework: Literal["aiogram", "ptb"] = "aiogram"
    telegram_max_rate: float = Field(default=25.0, gt=0, le=100_000)  # messages/s over all chats (Telegram: ~30)
    database_url: str = DEFAULT_SQLITE
    intents_dir: Path = PROJECT_ROOT / "intents"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"  # compiled intents + knowledge index, keyed by the files' content
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    #: The one web server of the bot's process (Telegram webhook, staff console, API) listens here.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    #: How people reach that server (behind a reverse proxy: its https:// address); console links start with it.
    public_url: str | None = None
    #: Signs console sessions; unset: a random one is made once and kept in the database.
    console_secret: SecretStr | None = None
    console_link_minutes: float = Field(default=10, gt=0, le=24 * 60, allow_inf_nan=False)  # a /console login link
    console_session_hours: float = Field(default=12, gt=0, le=720, allow_inf_nan=False)  # a console session
    #: Photos of cases fetched from the channel for the console, kept here (a file id never changes its file).
    photo_cache_dir: Path = PROJECT_ROOT / "storage" / "photo-cache"
    healthz_token: SecretStr | None = None  # GET /healthz needs `Authorization: Bearer <it>`; unset: loopback only
    max_message_chars: int = Field(default=2000, ge=50, le=100_000)
    duplicate_window_hours: float = Field(default=72, gt=0, le=24 * 365, allow_inf_nan=False)
    reminder_fraction: float = Field(default=0.8, gt=0, lt=1, allow_inf_nan=False)
    deadline_check_seconds: float = Field(default=60, ge=0.5, le=3600, allow_inf_nan=False)
    #: The case-number receipt waits this long in the outbox before it is sent from there: the direct
    #: reply normally goes first and cancels it; after a crash the outbox delivers it.
    receipt_grace_seconds: float = Field(default=20, gt=0, le=3600, allow_inf_nan=False)
    #: Receives whatever nobody else covers (no bound worker, dispatcher or admin), and urgent cases
    #: nobody accepts in time: a duty officer's (or a duty group's, negative) Telegram chat id.
    oncall_chat_id: int | None = Field(default=None, ge=-(10**15), le=10**15)
    #: Urgent cases (emergencies): 接单 is expected within this many minutes, else the push repeats and the
    #: queue and the on-call chat are told; they must be handled within `urgent_deadline_hours`.
    urgent_ack_minutes: float = Field(default=10, gt=0, le=24 * 60, allow_inf_nan=False)
    urgent_deadline_hours: float = Field(default=4, gt=0, le=24 * 30, allow_inf_nan=False)
    #: A resolved case its filer has not rated gets one reminder (with the rating buttons) after this many hours.
    rate_reminder_hours: float = Field(default=24, gt=0, le=24 * 30, allow_inf_nan=False)
    timezone: str = "Asia/Shanghai"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one JSON object a line, for a log collector

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """ADMIN_IDS is written as `123,456` (spaces allowed), the way admins paste Telegram ids."""
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            bad = [p for p in parts if not (p.isascii() and p.isdigit() and len(p) <= 16 and 0 < int(p) < MAX_TELEGRAM_ID)]
            if bad:
                raise ValueError(f"must be Telegram user ids (positive numbers) separated by commas, not {_cut(bad[0])}")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("telegram_bot_token", "webhook_secret", "healthz_token", "telegram_api_url", "webhook_url",
                     "web_host", "public_url", "console_secret", "database_url", "timezone",
                     mode="before")
    @classmethod
    def _strip(cls, value: object, info: ValidationInfo) -> object:
        """Surrounding whitespace is never meant: `echo $TOKEN > .env` leaves a newline, copy-paste a space.
        Only whitespace means unset, like an empty value."""
        if isinstance(value, str):
            value = value.strip()
            return cls.model_fields[info.field_name].default if value == "" else value  # type: ignore[index]
        return value

    @field_validator("bot_framework", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        url = _http_url(value, "the Bot API server, e.g. https://api.telegram.org")
        path = urlsplit(url).path
        if re.search(r"/bot(\d+:[^/]*)?/?$", path, re.IGNORECASE):
            raise ValueError(f"give the server's base URL without /bot (e.g. {url[: url.lower().rfind('/bot')]}); "
                             "GridDesk adds /bot<token>/ itself")
        return url

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value, "the public https:// URL Telegram posts updates to")

    @field_validator("web_host")
    @classmethod
    def _listen(cls, value: str) -> str:
        if any(ch.isspace() for ch in value) or len(value) > 253 or "/" in value:
            raise ValueError(f"must be a host name or IP address to listen on (e.g. 127.0.0.1), not {_cut(value)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from storage.engine import async_url

        try:
            async_url(value)
        except GridDeskError as exc:
            raise ValueError(str(exc).removeprefix("DATABASE_URL").lstrip(": ")) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value, "how people reach the web server, e.g. https://desk.example.org")

    @field_validator("console_secret")
    @classmethod
    def _console_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not CONSOLE_SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("must be 32-256 characters of A-Z a-z 0-9 _ - . ~ (e.g. from `openssl rand -hex 32`), "
                             "or leave it empty to have one kept in the database")
        return value

    @property
    def web_url(self) -> str:
        """The web server's address as people use it: PUBLIC_URL, else the local listening address."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
        return f"http://[{host}]:{self.web_port}" if ":" in host else f"http://{host}:{self.web_port}"

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never repeats the token: it is a secret and error messages end up in logs.
        if value is not None and not TOKEN_SHAPE.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token from @BotFather (digits, a colon, then letters/digits/-/_)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("Telegram accepts 1-256 characters of A-Z a-z 0-9 _ - only "
                             "(e.g. from `openssl rand -hex 32`), or leave it empty for a random one")
        return value

    @field_validator("healthz_token")
    @classmethod
    def _healthz_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Sent in a header by a monitor: printable, no spaces, long enough not to be guessed. Never repeated.
        if value is not None and not HEALTHZ_TOKEN_SHAPE.match(value.get_secret_value()):
            raise ValueError("must be 16-256 characters of A-Z a-z 0-9 _ - . ~ (e.g. from `openssl rand -hex 24`)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {_cut(value)}; use an IANA name such as Asia/Shanghai") from None
        return value

    @model_validator(mode="after")
    def _webhook_reachable_by_telegram(self) -> Settings:
        """Telegram's servers only post to https on ports 443/80/88/8443; setWebhook would refuse anything else
        (a self-hosted Bot API server in --local mode also takes http and any port, so it is not held to this)."""
        if self.webhook_url is None or urlsplit(self.telegram_api_url).hostname != OFFICIAL_API_HOST:
            return self
        parts = urlsplit(self.webhook_url)
        if parts.scheme != "https":
            raise ValueError("WEBHOOK_URL must be https:// (Telegram posts only to https): put a TLS reverse proxy in "
                             "front of WEB_HOST:WEB_PORT, or leave WEBHOOK_URL empty for long polling")
        port = parts.port or 443
        if port not in TELEGRAM_WEBHOOK_PORTS:
            raise ValueError(f"WEBHOOK_URL uses port {port}; Telegram posts only to ports 443, 80, 88 or 8443")
        return self


def _cut(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _http_url(value: str, what: str) -> str:
    """`value` as an http(s) URL with a host, without a trailing slash; ValueError saying what is wrong."""
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"must start with http:// or https:// ({what}), got {_cut(value)}")
    if any(ch.isspace() for ch in value):
        raise ValueError(f"must not contain spaces ({what}), got {_cut(value)}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValueError(f"has a bad host or port ({what}), got {_cut(value)}") from None
    if not parts.hostname:
        raise ValueError(f"has no host name ({what}), got {_cut(value)}")
    if parts.query or parts.fragment:
        raise ValueError(f"must not have ?query or #fragment ({what}), got {_cut(value)}")
    return value.rstrip("/")


def _check_env_file(path: Path = Path(ENV_FILE)) -> None:
    """`.env` must be a readable UTF-8 regular file when it is there at all.

    pydantic-settings would open a FIFO and wait forever, and a `.env` saved as GBK by a Chinese Windows
    editor raised UnicodeDecodeError with a traceback; both are a one-line ConfigError here.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ConfigError(f".env: cannot read it ({exc.strerror}); fix its permissions or remove it") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(".env: is not a regular file (a directory or pipe?); make it a text file or remove it")
        if info.st_size > MAX_ENV_FILE_BYTES:
            raise ConfigError(f".env: is {info.st_size:,} bytes, not a settings file; see .env.example")
        raw = os.read(fd, MAX_ENV_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f".env: cannot read it ({exc.strerror}); fix its permissions or remove it") from None
    finally:
        os.close(fd)
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f".env: line {line} is not UTF-8 (saved as GBK?); save the file as UTF-8") from None


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value raises `ConfigError` naming the key and what it expects."""
    _check_env_file()
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            msg = str(err["msg"]).removeprefix("Value error, ")
            if key == "settings" and msg.split(" ", 1)[0].isupper():
                key, _, msg = msg.partition(" ")  # a check across keys names its key first
            expected = f"; use {EXPECTED[key]}" if key in EXPECTED else ""
            lines.append(f"{key}: {_one_line(msg)}{expected} (check your environment or .env; see .env.example)")
        raise ConfigError("\n".join(lines)) from None


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())

