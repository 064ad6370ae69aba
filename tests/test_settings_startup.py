"""`griddesk run` with a bad value for each key of `.env.example`: exit code non-zero, ONE line that names the key
(and the fix), no traceback, and nothing reaches the network.

In process (fast) for the whole list, with `run_bot` replaced by a tripwire: every bad value must be refused
before it. Then the real process for the cases that used to end in a traceback or a retry loop.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.settings import Settings, load_settings

TOKEN = "123456:ABCdef_ghi-jkl"


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A working directory without .env, with a regular file and an empty folder to misuse."""
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "work").mkdir()
    return tmp_path


def _base_env(place: Path) -> dict[str, str]:
    """Everything valid, and a Bot API URL nobody listens on: only the bad value under test can fail."""
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{_unused_port()}",
            "DATABASE_URL": f"sqlite:///{place / 'work' / 'gd.db'}", "WEB_PORT": str(_unused_port())}


HOOK = {"WEBHOOK_URL": "https://example.com/hook"}
OFFICIAL = {"TELEGRAM_API_URL": "https://api.telegram.org"}

#: (key that must be named, value, other settings it needs). `{place}` and `{busy}` are filled in.
BAD = [
    ("TELEGRAM_BOT_TOKEN", "abc", {}),
    ("TELEGRAM_BOT_TOKEN", "123:密码", {}),
    ("TELEGRAM_BOT_TOKEN", "123456:two words", {}),
    ("TELEGRAM_API_URL", "http://127.0.0.1:{unused}/bot", {}),
    ("TELEGRAM_API_URL", "https://api.telegram.org/bot/", {}),
    ("TELEGRAM_API_URL", "https://api.telegram.org/bot123456:ABC", {}),
    ("TELEGRAM_API_URL", "api.telegram.org", {}),
    ("TELEGRAM_API_URL", "ftp://api.telegram.org", {}),
    ("TELEGRAM_API_URL", "http://", {}),
    ("TELEGRAM_API_URL", "http://127.0.0.1:99999", {}),
    ("TELEGRAM_API_URL", "http://exa mple.com", {}),
    ("TELEGRAM_API_URL", "https://api.telegram.org/?x=1", {}),
    ("BOT_FRAMEWORK", "telethon", {}),
    ("BOT_FRAMEWORK", "aiogram2", {}),
    ("TELEGRAM_MAX_RATE", "0", {}),
    ("TELEGRAM_MAX_RATE", "-3", {}),
    ("TELEGRAM_MAX_RATE", "nan", {}),
    ("TELEGRAM_MAX_RATE", "inf", {}),
    ("TELEGRAM_MAX_RATE", "fast", {}),
    ("TELEGRAM_MAX_RATE", "100001", {}),
    ("WEBHOOK_URL", "http://example.com/hook", OFFICIAL),
    ("WEBHOOK_URL", "https://example.com:8080/hook", OFFICIAL),
    ("WEBHOOK_URL", "example.com/hook", {}),
    ("WEBHOOK_URL", "https://", {}),
    ("WEBHOOK_URL", "https://example.com:99999/hook", {}),
    ("WEBHOOK_SECRET", "has space", HOOK),
    ("WEBHOOK_SECRET", "x" * 257, HOOK),
    ("WEBHOOK_SECRET", "密码密码", HOOK),
    ("WEBHOOK_SECRET", "a/b=c", HOOK),
    ("WEB_HOST", "not a host!", HOOK),
    ("WEB_HOST", "203.0.113.9", HOOK),  # TEST-NET: not an address of this machine
    ("WEB_HOST", "no-such-host.invalid", HOOK),
    ("WEB_PORT", "{busy}", HOOK),
    ("WEB_PORT", "0", HOOK),
    ("WEB_PORT", "-1", HOOK),
    ("WEB_PORT", "65536", HOOK),
    ("WEB_PORT", "abc", HOOK),
    ("WEB_PORT", "８０８０", HOOK),  # full-width digits
    ("HEALTHZ_TOKEN", "short", HOOK),
    ("HEALTHZ_TOKEN", "令牌令牌令牌令牌令牌令牌令牌令牌", HOOK),
    ("ADMIN_IDS", "abc", {}),
    ("ADMIN_IDS", "12a,3", {}),
    ("ADMIN_IDS", "²", {}),
    ("ADMIN_IDS", "-5", {}),
    ("ADMIN_IDS", "9" * 5000, {}),
    ("DATABASE_URL", "sqlite:///{place}/afile/gd.db", {}),  # the parent is a regular file
    ("DATABASE_URL", "sqlite:///{place}/afile/deeper/gd.db", {}),
    ("DATABASE_URL", "sqlite:///{place}/empty", {}),  # a folder, not a file
    ("DATABASE_URL", "mysql://u:p@localhost/db", {}),
    ("DATABASE_URL", "http://example.com", {}),
    ("DATABASE_URL", "not a url", {}),
    ("DATABASE_URL", "sqlite+pysqlite:////dev/null/x.db", {}),
    ("DATABASE_URL", "postgresql+mysqldb://u@h/db", {}),
    ("INTENTS_DIR", "{place}/nope", {}),
    ("INTENTS_DIR", "{place}/afile", {}),
    ("INTENTS_DIR", "{place}/empty", {}),
    ("INTENTS_DIR", "relative/nope", {}),
    ("KNOWLEDGE_DIR", "{place}/nope", {}),  # used to start silently without a knowledge base
    ("KNOWLEDGE_DIR", "{place}/afile", {}),
    ("KNOWLEDGE_DIR", "{place}/empty", {}),
    ("KNOWLEDGE_DIR", "relative/nope", {}),
    ("MAX_MESSAGE_CHARS", "10", {}),
    ("MAX_MESSAGE_CHARS", "1e9", {}),
    ("MAX_MESSAGE_CHARS", "abc", {}),
    ("MAX_MESSAGE_CHARS", "100001", {}),
    ("DUPLICATE_WINDOW_HOURS", "-1", {}),
    ("DUPLICATE_WINDOW_HOURS", "inf", {}),
    ("DUPLICATE_WINDOW_HOURS", "1e300", {}),
    ("REMINDER_FRACTION", "1", {}),
    ("REMINDER_FRACTION", "0", {}),
    ("REMINDER_FRACTION", "nan", {}),
    ("DEADLINE_CHECK_SECONDS", "0", {}),
    ("DEADLINE_CHECK_SECONDS", "inf", {}),
    ("DEADLINE_CHECK_SECONDS", "1e300", {}),
    ("TIMEZONE", "Asia", {}),
    ("TIMEZONE", "UTC+8", {}),
    ("TIMEZONE", "亚洲/上海", {}),
    ("TIMEZONE", "../../etc/passwd", {}),
    ("TIMEZONE", "/etc/localtime", {}),
    ("LOG_LEVEL", "verbose", {}),
    ("LOG_LEVEL", "5", {}),
]


def _fill(text: str, place: Path, busy: int) -> str:
    return text.format(place=place, busy=busy, unused=_unused_port())


def _clean_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize(("key", "value", "extra"), BAD, ids=[f"{k}={v[:30]!r}" for k, v, _ in BAD])
def test_a_bad_setting_is_one_line_naming_the_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                  place: Path, busy_port: int, key: str, value: str,
                                                  extra: dict[str, str]) -> None:
    from bot import cli
    from bot.telegram import runner

    async def tripwire(*args: object, **kwargs: object) -> int:
        raise AssertionError(f"{key}={value!r} was not refused before the bot started connecting")

    monkeypatch.setattr(runner, "run_bot", tripwire)
    monkeypatch.chdir(place)
    _clean_env(monkeypatch, {**_base_env(place), **extra, key: _fill(value, place, busy_port)})
    code = cli.main(["run"])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code != 0, err
    assert len(lines) == 1 and key in lines[0], err
    assert "Traceback" not in err
    if "SECRET" in key or "TOKEN" in key:
        assert value not in err or len(value) < 4  # secrets are never repeated


def test_a_broken_knowledge_entry_stops_the_start_with_path_line(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str], place: Path) -> None:
    """At start there is no previous set to keep: a broken entry used to start the bot without a knowledge base."""
    from bot import cli
    from bot.telegram import runner

    async def tripwire(*args: object, **kwargs: object) -> int:
        raise AssertionError("started without its knowledge base")

    knowledge = place / "knowledge"
    knowledge.mkdir()
    (knowledge / "broken.md").write_text("no front matter\n", encoding="utf-8")
    monkeypatch.setattr(runner, "run_bot", tripwire)
    monkeypatch.chdir(place)
    _clean_env(monkeypatch, {**_base_env(place), "KNOWLEDGE_DIR": str(knowledge)})
    assert cli.main(["run"]) != 0
    err = capsys.readouterr().err
    assert "broken.md:1:" in err and "Traceback" not in err


@pytest.mark.parametrize("token", [TOKEN + "\n", f"  {TOKEN}  ", f"{TOKEN}\r\n"])
def test_whitespace_around_the_token_is_dropped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, token: str) -> None:
    monkeypatch.chdir(tmp_path)
    _clean_env(monkeypatch, {"TELEGRAM_BOT_TOKEN": token})
    settings = load_settings()
    assert settings.telegram_bot_token is not None and settings.telegram_bot_token.get_secret_value() == TOKEN


def test_case_of_choices_does_not_matter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    _clean_env(monkeypatch, {"BOT_FRAMEWORK": "PTB", "LOG_LEVEL": "info", "TIMEZONE": " Asia/Shanghai "})
    settings = load_settings()
    assert (settings.bot_framework, settings.log_level, settings.timezone) == ("ptb", "INFO", "Asia/Shanghai")


def test_a_self_hosted_bot_api_server_may_take_an_http_webhook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    _clean_env(monkeypatch, {"TELEGRAM_API_URL": "http://127.0.0.1:8081", "WEBHOOK_URL": "http://127.0.0.1:9000/hook"})
    assert load_settings().webhook_url == "http://127.0.0.1:9000/hook"


def test_an_env_file_with_a_bom_still_sets_its_first_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    _clean_env(monkeypatch, {})
    (tmp_path / ".env").write_bytes("\ufeffLOG_LEVEL=DEBUG\n".encode())
    assert load_settings().log_level == "DEBUG"


# --- the real process ------------------------------------------------------------------------------------------


def _griddesk_run(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    return subprocess.run([sys.executable, "-m", "bot", "run"], env={**clean, **env}, cwd=cwd, capture_output=True,
                          text=True, timeout=90)


@pytest.mark.parametrize("case", ["gbk_env", "env_fifo", "sqlite_under_a_file", "port_in_use", "api_url_bot",
                                  "postgres_unreachable"])
def test_griddesk_run_refuses_in_one_line(place: Path, busy_port: int, case: str) -> None:
    env = _base_env(place)
    cwd = place / "work"
    key = {"gbk_env": ".env", "env_fifo": ".env", "sqlite_under_a_file": "DATABASE_URL", "port_in_use": "WEB_PORT",
           "api_url_bot": "TELEGRAM_API_URL", "postgres_unreachable": "DATABASE_URL"}[case]
    if case == "gbk_env":
        (cwd / ".env").write_bytes("# 网格服务台设置\nLOG_LEVEL=INFO\n".encode("gbk"))
    elif case == "env_fifo":
        os.mkfifo(cwd / ".env")  # pydantic-settings would open it and wait for a writer forever
    elif case == "sqlite_under_a_file":
        env["DATABASE_URL"] = f"sqlite:///{place / 'afile' / 'gd.db'}"
    elif case == "port_in_use":
        env.update(WEBHOOK_URL="https://example.com/hook", WEB_PORT=str(busy_port))
    elif case == "api_url_bot":
        env["TELEGRAM_API_URL"] += "/bot"
    else:
        env["DATABASE_URL"] = f"postgresql://griddesk:pw@127.0.0.1:{_unused_port()}/griddesk"
    done = _griddesk_run(cwd, env)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0, done.stderr
    assert len(lines) == 1 and key in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_env_example_values_are_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Copying .env.example to .env as it is must give a working configuration (the console chat)."""
    monkeypatch.chdir(tmp_path)
    _clean_env(monkeypatch, {})
    (tmp_path / ".env").write_text((PROJECT_ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings()
    assert settings.telegram_bot_token is None and settings.webhook_url is None


@pytest.mark.parametrize("command", [["chat"], ["run"]])
def test_the_console_chat_checks_the_same(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          place: Path, command: list[str]) -> None:
    """Without a token `griddesk run` is the console chat: a wrong folder is one line there too."""
    from bot import cli, console

    async def tripwire(*args: object, **kwargs: object) -> int:
        raise AssertionError("the console started with a missing KNOWLEDGE_DIR")

    monkeypatch.setattr(console, "run_console", tripwire)
    monkeypatch.chdir(place)
    _clean_env(monkeypatch, {"DATABASE_URL": f"sqlite:///{place / 'afile' / 'gd.db'}", "KNOWLEDGE_DIR": str(place / "nope"),
                             "WEB_PORT": str(_unused_port())})
    assert cli.main(command) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "configuration error" in ln]
    assert len(lines) == 2 and "KNOWLEDGE_DIR" in lines[0] + lines[1] and "DATABASE_URL" in lines[0] + lines[1]


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_a_token_with_a_trailing_newline_works(tmp_path: Path, framework: str) -> None:
    """`echo $TOKEN >> .env` style: the bot starts and polls the Bot API with the stripped token."""
    from botapi_double import BotApiDouble
    from telegram_e2e_support import STEP_TIMEOUT, BotProcess, bot_env

    async with BotApiDouble() as tg:
        env = bot_env(tg, framework, f"sqlite:///{tmp_path / 'griddesk.db'}")
        env["TELEGRAM_BOT_TOKEN"] = tg.token + "\n"
        bot = BotProcess(tg, env, tmp_path)
        await bot.start()
        try:
            tg.send_text(5401, "/start")
            await tg.wait_for(lambda s: s.chat_id == 5401, timeout=STEP_TIMEOUT)
        finally:
            await bot.stop()


async def test_a_bot_api_url_answering_404_is_a_config_error_not_a_retry_loop() -> None:
    """A web server (or a path ending in /bot) answers getMe with 404: retried forever before, refused now."""
    import asyncio

    from bot.errors import ConfigError
    from bot.telegram.runner import connect
    from bot.telegram.sender import SendFailure

    class NotABotApi:
        async def start(self) -> dict[str, object]:
            raise SendFailure("bad_request", "Not Found")

    with pytest.raises(ConfigError, match=r"^TELEGRAM_API_URL: .*without /bot"):
        await asyncio.wait_for(connect(NotABotApi(), "https://example.com", asyncio.Event()), timeout=10)  # type: ignore[arg-type]
