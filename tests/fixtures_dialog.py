"""The dialog engine on a fresh SQLite database (`app`): the real engine, case service and understanding, driven
by the fake chat of bot/dialog/testing.py (tests/dialog_helpers.py has the moves the scenarios repeat)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dialog_helpers import make_app

from bot.services import App


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    app = await make_app(tmp_path / "gd.db")
    yield app
    await app.close()
