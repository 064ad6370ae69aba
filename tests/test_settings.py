"""Settings: documented keys parse, bad values become one clear ConfigError naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_run_the_console_on_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.database_url.startswith("sqlite:///")
    assert settings.bot_framework == "aiogram"


def test_admin_ids_accept_commas_and_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "123, 456,789")
    assert load_settings().admin_ids == {123, 456, 789}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("ADMIN_IDS", "12a,3", "ADMIN_IDS"),
        ("BOT_FRAMEWORK", "telethon", "BOT_FRAMEWORK"),
        ("TELEGRAM_API_URL", "api.telegram.org", "TELEGRAM_API_URL"),
        ("MAX_MESSAGE_CHARS", "-1", "MAX_MESSAGE_CHARS"),
        ("WEB_PORT", "99999", "WEB_PORT"),
        ("TIMEZONE", "UTC+8", "TIMEZONE"),  # not an IANA name: ZoneInfo would fail later, in every command
        ("TIMEZONE", "Mars/Olympus", "Asia/Shanghai"),
        ("TELEGRAM_BOT_TOKEN", "abc", "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_bad_values_name_the_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert expected in str(info.value) and ".env.example" in str(info.value)


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    settings = load_settings()
    assert "123:ABC" not in repr(settings)
    assert settings.telegram_bot_token is not None and settings.telegram_bot_token.get_secret_value() == "123:ABC"


def test_a_malformed_token_is_refused_without_being_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:secret part with spaces")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "TELEGRAM_BOT_TOKEN" in str(info.value) and "secret part" not in str(info.value)


def test_empty_values_mean_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("INTENTS_DIR", "")
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.intents_dir == ROOT / "intents"


def test_every_setting_is_documented_in_env_example() -> None:
    from bot.settings import Settings

    documented = {
        line.split("=", 1)[0].strip()
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    missing = {name.upper() for name in Settings.model_fields} - documented
    assert not missing, f"document these in .env.example: {sorted(missing)}"
