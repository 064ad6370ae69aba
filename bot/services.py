"""The one place wiring happens: Settings → normaliser, intents + classifier, knowledge base, database,
case service, dialog engine. `griddesk run`, `griddesk chat` and the tests all build through here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.dialog.engine import DialogEngine
    from bot.dialog.understanding import Understanding
    from bot.nlu.normalize import Normalizer
    from bot.settings import Settings


@dataclass(slots=True)
class App:
    """Everything a running bot holds; `close()` releases the database."""

    settings: Settings
    normalizer: Normalizer
    understanding: Understanding
    cases: CaseService
    engine: DialogEngine

    async def close(self) -> None:
        await self.cases.close()


async def build_app(settings: Settings, *, seed_file: Path | None = None, understanding: Understanding | None = None) -> App:
    """Load intents and knowledge (a broken intent file raises `IntentFileError`), open and prepare the
    database (migrate + seed when empty), and build the dialog engine on top.

    `understanding` lets tests (and several engines in one process) share one loaded classifier."""
    from bot.cases.service import open_service
    from bot.dialog.case_desk import ServiceCaseDesk
    from bot.dialog.engine import DialogEngine
    from bot.dialog.state_store import DatabaseStateStore
    from bot.dialog.turn import Services
    from bot.dialog.understanding import Understanding
    from bot.nlu.normalize import Normalizer

    if understanding is None:
        from bot.nlu.cache import BuildCache

        normalizer = Normalizer(settings.max_message_chars)
        understanding = await asyncio.to_thread(Understanding.load, settings.intents_dir, settings.knowledge_dir, normalizer,
                                                BuildCache(settings.cache_dir))
    normalizer = understanding.normalizer
    service = await open_service(settings, intents=understanding.intents, normalizer=normalizer, seed_file=seed_file)
    understanding.listeners.append(lambda u: setattr(service, "intents", u.intents))
    services = Services(
        understanding=understanding,
        cases=ServiceCaseDesk(service),
        normalizer=normalizer,
        admin_ids=settings.admin_ids,
        max_chars=settings.max_message_chars,
        timezone=settings.timezone,
    )
    from bot.web.console.auth import links_for

    links = links_for(service.db, settings)
    services.console_link = lambda user_id, channel="telegram": links.for_user(  # admins as of the call
        user_id, services.admin_ids, channel=channel)
    services.console_link_minutes = settings.console_link_minutes
    # Several instances on one PostgreSQL keep each chat's order through a lock in the database.
    engine = DialogEngine(services, DatabaseStateStore(service.db), shared_lock=service.db.chat_lock)
    return App(settings, normalizer, understanding, service, engine)
