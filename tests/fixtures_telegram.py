"""Fixtures for everything that talks to Telegram: the Bot API double on 127.0.0.1, and a folder for a
`griddesk run` process (its database and logs), removed afterwards."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from botapi_double import BotApiDouble
from telegram_e2e_support import cleanup


@pytest.fixture
async def tg() -> AsyncIterator[BotApiDouble]:
    """A fresh Bot API double, stopped after the test."""
    async with BotApiDouble() as double:
        yield double


@pytest.fixture
async def workdir() -> AsyncIterator[Path]:
    """An empty folder for one bot process's database and logs."""
    path = Path(tempfile.mkdtemp(prefix="griddesk-e2e-"))
    yield path
    cleanup(path)
