"""GridDesk's long poller (`bot.telegram.poller`) against the Bot API double: each chat's updates in order, chats in
parallel, every update handled once although getUpdates answers repeat the ones still in hand, an update is
confirmed only once it and every one before it were handled, and a slow update does not hold back later ones."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.telegram.poller import Poller

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble


async def until(check: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_updates_are_handled_once_in_chat_order_and_confirmed_only_once_handled():
    async with BotApiDouble() as tg:
        handled: list[tuple[int, str]] = []
        release = asyncio.Event()

        async def process(update: dict[str, Any]) -> None:
            message = update["message"]
            if message["text"] == "慢":
                await release.wait()  # a slow update: its chat's next one waits for it, other chats do not
            if message["text"] == "坏":
                raise ValueError("a poison update")
            handled.append((message["chat"]["id"], message["text"]))

        poller = Poller(tg.url, tg.token, process, allowed_updates=["message"], poll_timeout=1, recheck=0.1)
        stop = asyncio.Event()
        for chat, text in [(1, "一"), (2, "慢"), (1, "二"), (2, "后"), (3, "坏"), (3, "三")]:
            tg.send_text(chat, text, first_name="居民")
        running = asyncio.create_task(poller.run(stop))
        try:
            await until(lambda: (1, "二") in handled and (3, "三") in handled)
            assert (2, "后") not in handled  # behind its chat's slow update
            slow = next(u["update_id"] for u in tg.pending if u["message"]["text"] == "慢")
            await until(lambda: min(u["update_id"] for u in tg.pending) == slow)  # the one before it confirmed
            tg.send_text(4, "新", first_name="居民")  # arrives while the slow one is in hand: handled meanwhile
            await until(lambda: (4, "新") in handled)
            assert (2, "后") not in handled and min(u["update_id"] for u in tg.pending) == slow  # still unconfirmed
            release.set()
            await until(lambda: (2, "后") in handled)
            await until(lambda: not tg.pending)  # every update confirmed once handled
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
        assert handled.index((1, "一")) < handled.index((1, "二"))
        assert sorted(handled) == sorted({*handled}) and len(handled) == 6  # once each; the poison one skipped
        assert poller.handled == 6 and poller.skipped == 1


async def test_stopping_finishes_the_updates_in_hand():
    async with BotApiDouble() as tg:
        done: list[str] = []
        started = asyncio.Event()

        async def process(update: dict[str, Any]) -> None:
            started.set()
            await asyncio.sleep(0.2)
            done.append(update["message"]["text"])

        poller = Poller(tg.url, tg.token, process, allowed_updates=["message"], poll_timeout=1)
        stop = asyncio.Event()
        tg.send_text(1, "一", first_name="居民")
        running = asyncio.create_task(poller.run(stop))
        await asyncio.wait_for(started.wait(), 10)
        stop.set()
        await asyncio.wait_for(running, 10)
        assert done == ["一"]
