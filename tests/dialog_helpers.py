"""Shared set-up for the dialog tests: one loaded classifier per process, a fresh SQLite file per test."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot import PROJECT_ROOT
from bot.dialog.testing import ChatDriver, texts_of
from bot.dialog.understanding import Understanding
from bot.nlu.normalize import Normalizer
from bot.services import App, build_app
from bot.settings import load_settings

ADMIN_ID = 4242
CASE_NUMBER = re.compile(r"\b\d{8}-\d{4}\b")


@lru_cache(maxsize=1)
def shared_understanding() -> Understanding:
    return Understanding.load(PROJECT_ROOT / "intents", PROJECT_ROOT / "knowledge", Normalizer(2000))


async def make_app(db_file: Path) -> App:
    settings = load_settings(database_url=f"sqlite:///{db_file}", admin_ids=str(ADMIN_ID))
    understanding = shared_understanding()
    # Each test starts from the shipped files (a /reload test may have pointed elsewhere).
    understanding.intents_dir = PROJECT_ROOT / "intents"
    understanding.knowledge_dir = PROJECT_ROOT / "knowledge"
    return await build_app(settings, understanding=understanding)


def driver_for(app: App) -> ChatDriver:
    return ChatDriver(app.engine, app.cases.outbox)


async def bound_worker(app: App, driver: ChatDriver, name: str, grid_id: str = "liyuan-01"):
    """A grid worker persona bound through a real invite code and /bind."""
    invite = await app.cases.create_invite(name, grid_id=grid_id)
    persona = driver.persona(name, "worker")
    replies = await driver.send(persona, f"/bind {invite.code}")
    assert "绑定成功" in texts_of(replies)
    return persona


def case_number(text: str) -> str:
    found = CASE_NUMBER.search(text)
    assert found, f"no case number in: {text}"
    return found.group(0)
