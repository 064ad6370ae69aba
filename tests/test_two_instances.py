"""Two bot instances on one PostgreSQL behind one webhook: a chat's updates stay in order, each handled once.

Every update of one chat reaches both instances at the same moment (a webhook retry landing on the other
instance, or a load balancer splitting one chat). The per-chat lock in the database holds the turn, so
one instance handles it while the other waits and then finds the update already handled (the chat's
saved `last_update_id`). Without that lock the same run interleaves: the check below can fail.
"""

from __future__ import annotations

import asyncio

from dialog_helpers import shared_understanding

from bot.messages import Incoming, Sender
from bot.services import App, build_app
from bot.settings import load_settings

MESSAGES = ["/start", "你好", "/help", "梨园小区3栋楼道灯坏了好几天了", "/cancel", "/my", "垃圾分类怎么分", "/help"]


def _record(app: App, name: str, turns: list[tuple]) -> None:
    """Note when each turn of `app` starts and ends; a turn takes a little while (where another could step in)."""
    inner = app.engine.answer

    async def answer(incoming: Incoming):
        turns.append(("in", name, incoming.update_id))
        await asyncio.sleep(0.02)
        replies, said = await inner(incoming)
        turns.append(("out", name, incoming.update_id, bool(said.get("replay"))))
        return replies, said

    app.engine.answer = answer  # type: ignore[method-assign]


async def _share(apps: list[App], chat_id: int, first_update: int) -> list[tuple]:
    """Give every update of one chat to all instances at once, one update after the other; returns the turns."""
    turns: list[tuple] = []
    for index, app in enumerate(apps):
        _record(app, f"i{index}", turns)
    for offset, text in enumerate(MESSAGES):
        command = text[1:] if text.startswith("/") else None
        incoming = Incoming(chat_id, Sender(chat_id, "居民"), "command" if command else "text",
                            text="" if command else text, command=command, update_id=first_update + offset)
        await asyncio.gather(*(app.engine.handle(incoming) for app in apps))
    return turns


def _interleaved(turns: list[tuple]) -> bool:
    """True when a turn started while another was still running."""
    running = 0
    for turn in turns:
        running += 1 if turn[0] == "in" else -1
        if running > 1:
            return True
    return False


async def test_two_instances_sharing_a_chat_never_interleave_and_handle_each_update_once(pg_database_url: str) -> None:
    settings = load_settings(database_url=pg_database_url, _env_file=None)
    apps = [await build_app(settings, understanding=shared_understanding()) for _ in range(2)]
    try:
        turns = await _share(apps, chat_id=6101, first_update=1000)
        assert not _interleaved(turns), turns
        handled = [t for t in turns if t[0] == "out" and not t[3]]
        replays = [t for t in turns if t[0] == "out" and t[3]]
        assert sorted(t[2] for t in handled) == list(range(1000, 1000 + len(MESSAGES)))  # each exactly once
        assert len(replays) == len(MESSAGES)  # the other copy of each found it done
        assert (await apps[0].engine.states.load(6101)).last_update_id == 1000 + len(MESSAGES) - 1
        residents = await apps[1].cases.ensure_resident(6101)
        assert residents.external_id == 6101 and residents.channel == "telegram"

        for app in apps:  # the control: with only each process's own lock, the same run interleaves
            del app.engine.answer  # the recording wrapper; _share records afresh
            app.engine.shared_lock = None
        assert _interleaved(await _share(apps, chat_id=6102, first_update=1000))
    finally:
        for app in apps:
            await app.close()
