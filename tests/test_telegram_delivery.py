"""The outbox and deadline loops on the real case service (SQLite) and a real adapter, against the double.

Outbox rows end the way Telegram's answer says (sent, retried after 429, blocked on 403, failed on 400);
deadlines remind the assignee and then escalate, once, even with two loops on one database — on SQLite
and on PostgreSQL (row claims with SKIP LOCKED), when the test setup can start a PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cases.service import CaseService, open_service
from bot.cases.views import ReportDraft
from bot.messages import Reply
from bot.runtime.loops import DeadlineLoop, OutboxLoop
from bot.settings import load_settings
from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.sender import Backoff, TelegramSender

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble

WAIT = 15.0


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[CaseService]:
    """The case service on SQLite and on PostgreSQL (`database_url` comes from tests/fixtures_db.py)."""
    svc = await open_service(load_settings(database_url=database_url, _env_file=None))
    yield svc
    await svc.close()


async def until(condition, timeout: float = WAIT) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.05)


async def test_outbox_rows_end_as_telegram_answers(tg: BotApiDouble, service: CaseService) -> None:
    adapter = AiogramAdapter(tg.token, tg.url, lambda item: asyncio.sleep(0))
    await adapter.start()
    sender = TelegramSender(adapter, backoff=Backoff(base=0.1, cap=1))
    for chat in (61, 62, 63):
        tg.user(chat)
    tg.block(63)
    tg.fail("sendMessage", 429, retry_after=1, chat_id=62)
    for chat in (61, 62, 63, 64):  # 64: a chat Telegram does not know → 400
        assert await service.outbox.add(Reply(chat, f"通知 {chat}"), dedupe_key=f"t{chat}")
    assert not await service.outbox.add(Reply(61, "重复"), dedupe_key="t61")  # duplicates suppressed
    loop = OutboxLoop(service.outbox, sender, idle_seconds=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    try:
        async def settled() -> bool:
            return (await service.outbox.counts()).get("pending", 0) == 0

        await until(settled)
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)
        await adapter.close()
    assert await service.outbox.counts() == {"sent": 2, "blocked": 1, "failed": 1}
    assert [s.text for s in tg.sent_to(61)] == ["通知 61"] and [s.text for s in tg.sent_to(62)] == ["通知 62"]
    first_429 = next(c for c in tg.calls if c[1] == 429)
    assert tg.sent_to(62)[0].at - first_429[2] >= 0.9  # waited for retry_after before trying again


async def test_deadlines_remind_then_escalate_once_with_two_instances(tg: BotApiDouble, service: CaseService,
                                                                      database_url: str) -> None:
    invite = await service.create_invite("赵网格", grid_id="liyuan-01")
    await service.bind_worker(invite.code, 9301)
    tg.user(9301)
    tg.user(5301)
    case = await service.file_case(ReportDraft(resident_external_id=5301, intent="sanitation", text="梨园小区1栋垃圾没人清运",
                                               deadline_hours=4 / 3600, address="梨园小区1栋", chat_id=5301))
    second = await open_service(load_settings(database_url=database_url, _env_file=None))  # another bot instance
    adapter = AiogramAdapter(tg.token, tg.url, lambda item: asyncio.sleep(0))
    await adapter.start()
    sender = TelegramSender(adapter)
    stop = asyncio.Event()
    loops = [OutboxLoop(service.outbox, sender, idle_seconds=0.2), DeadlineLoop(service, 0.3), DeadlineLoop(second, 0.3)]
    tasks = [asyncio.create_task(loop.run(stop)) for loop in loops]
    try:
        await tg.wait_text(9301, case.number, timeout=WAIT)  # the original push
        await tg.wait_text(9301, "即将超时", timeout=WAIT)
        await tg.wait_text(9301, "升级", timeout=WAIT)
        await asyncio.sleep(1.0)  # both deadline loops have run again meanwhile
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), WAIT)
        await adapter.close()
        await second.close()
    texts = [s.text or "" for s in tg.sent_to(9301)]
    assert sum("即将超时" in t for t in texts) == 1, texts
    assert sum("升级" in t for t in texts) == 1, texts
    assert (await service.get_case(case.id)).level == "community"


class HangingCalls:
    """Our own `BotCalls` protocol (not a library class): sends to `stuck` hang until released."""

    def __init__(self, stuck: int):
        self.stuck = stuck
        self.release = asyncio.Event()
        self.sent: list[tuple[int, str]] = []

    async def send(self, call) -> int:
        if call.chat_id == self.stuck:
            await self.release.wait()
        self.sent.append((call.chat_id, call.html))
        return len(self.sent)

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        return None


async def test_one_hung_chat_never_holds_back_another_chats_push(service: CaseService) -> None:
    calls = HangingCalls(stuck=71)
    loop = OutboxLoop(service.outbox, TelegramSender(calls), idle_seconds=0.05)
    stop = asyncio.Event()
    assert await service.outbox.add(Reply(71, "给71的派单"), dedupe_key="h71")
    running = asyncio.create_task(loop.run(stop))
    try:
        async def first_claimed() -> bool:
            return ("telegram", 71) in loop._busy  # busy chats are (channel, chat id)

        await until(first_claimed)  # chat 71's send is in flight and hangs
        assert await service.outbox.add(Reply(72, "给72的派单"), dedupe_key="h72")
        assert await service.outbox.add(Reply(71, "给71的第二条"), dedupe_key="h71b")

        async def other_went_out() -> bool:
            return (72, "给72的派单") in calls.sent

        await until(other_went_out)  # while 71 still hangs
        assert not any(chat == 71 for chat, _ in calls.sent)
        calls.release.set()

        async def all_out() -> bool:
            return [text for chat, text in calls.sent if chat == 71] == ["给71的派单", "给71的第二条"]

        await until(all_out)  # and 71's own rows keep their order
    finally:
        stop.set()
        calls.release.set()
        await asyncio.wait_for(running, WAIT)
