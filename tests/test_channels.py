"""Channels: a person is (channel, external id); outbox rows name their channel and go through that
channel's sender; a channel that cannot push gets no rows at all (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import channels
from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.channels import SenderRegistry
from bot.errors import NotYours, UsageError
from bot.messages import Reply
from bot.runtime.delivery import Delivery
from bot.runtime.loops import OutboxLoop
from storage.models import OutboxMessage

WORKER = 1201
T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


class Recorder:
    """A channel's sender that keeps what it was given (the loop only needs `deliver`)."""

    def __init__(self) -> None:
        self.got: list[Reply] = []

    async def deliver(self, reply: Reply, *, max_attempts: int | None = None, max_wait: float | None = None) -> Delivery:
        self.got.append(reply)
        return Delivery("sent", attempts=1)


async def _rows(service: CaseService) -> list[tuple[str, int, str]]:
    async with service.db.session() as s:
        rows = await s.execute(select(OutboxMessage.channel, OutboxMessage.chat_id, OutboxMessage.status)
                               .order_by(OutboxMessage.id))
        return [tuple(r) for r in rows]


async def test_a_channel_without_push_queues_nothing_and_its_case_still_reaches_the_worker(case_service) -> None:
    """open311 clients poll for status: nothing for them may wait in the outbox forever."""
    s: CaseService = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, WORKER)
    draft = ReportDraft(resident_external_id=77, intent="sanitation", text="2栋楼下垃圾桶满了三天没人清运",
                        deadline_hours=24.0, address="梨园小区2栋", channel="open311")
    case = await s.file_case(draft, receipt=lambda view: Reply(77, f"已受理 {view.number}"), now=T0)
    assert case.receipt_id is None and case.resident_channel == "open311" and case.assignee_name == "王网格"
    await s.accept(case.id, WORKER, now=T0 + timedelta(hours=1))
    await s.resolve(case.id, WORKER, "已清运", now=T0 + timedelta(hours=2))
    rows = await _rows(s)
    assert rows and all(channel == "telegram" and chat == WORKER for channel, chat, _ in rows)  # the worker's pushes only
    async with s.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.channel == "open311"))).scalar() == 0
    rated = await s.rate(case.id, 77, "satisfied", channel="open311", now=T0 + timedelta(hours=3))
    assert rated.state == "rated"


async def test_the_same_number_on_two_channels_is_two_people(case_service) -> None:
    s: CaseService = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, WORKER, channel="console")
    assert await s.workers_of(WORKER) == [] and [w.channel for w in await s.workers_of(WORKER, channel="console")] == [
        "console"]
    case = await s.file_case(ReportDraft(resident_external_id=WORKER, intent="noise", text="楼上半夜装修电钻声",
                                         deadline_hours=24.0, address="梨园小区3栋"), now=T0)
    with pytest.raises(NotYours):  # Telegram's 1201 is not the console worker the case went to
        await s.accept(case.id, WORKER, now=T0)
    assert (await s.accept(case.id, WORKER, channel="console", now=T0)).state == "accepted"
    assert [(c, n) for c, n, _ in await _rows(s)] == [("console", WORKER), ("telegram", WORKER)]  # push, then notice


async def test_the_outbox_loop_sends_each_row_through_its_channels_sender(case_service) -> None:
    s: CaseService = case_service
    await s.outbox.add(Reply(500, "给 Telegram 的"), channel="telegram")
    await s.outbox.add(Reply(500, "给控制台的"), channel="console")
    # One chat id, two chats: a sender busy with one leaves the other claimable.
    assert await s.outbox.next_due_at(exclude_chats={("console", 500), ("telegram", 500)}) is None
    busy = await s.outbox.claim_due(exclude_chats={("console", 500)}, lease_seconds=0)
    assert [(i.channel, i.chat_id) for i in busy] == [("telegram", 500)]
    console = Recorder()
    only_console = OutboxLoop(s.outbox, SenderRegistry({"console": console}))
    assert await only_console.run_once() == 1  # an instance claims only the channels it can deliver
    assert [r.text for r in console.got] == ["给控制台的"]
    assert sorted(await _rows(s)) == [("console", 500, "sent"), ("telegram", 500, "pending")]
    telegram = Recorder()
    both = OutboxLoop(s.outbox, SenderRegistry({"telegram": telegram, "console": Recorder()}))
    assert await both.run_once() == 1
    assert [r.text for r in telegram.got] == ["给 Telegram 的"]


def test_channels_are_declared_once_and_a_typo_is_refused() -> None:
    assert set(channels.CHANNELS) >= {"telegram", "console", "open311"}
    assert all(len(name) <= 16 for name in channels.CHANNELS)  # the width of the `channel` columns
    with pytest.raises(UsageError, match="unknown channel 'telgram'"):
        channels.channel("telgram")
    with pytest.raises(UsageError, match="cannot push"):
        SenderRegistry({"open311": Recorder()})
    assert channels.is_admin("telegram", 9001, {9001}) and not channels.is_admin("open311", 9001, {9001})


async def test_an_undeclared_channel_never_creates_people(case_service) -> None:
    with pytest.raises(UsageError):
        await case_service.ensure_resident(5, channel="sms")
    with pytest.raises(UsageError):
        await case_service.bind_worker("ABCDEFGHJK", 5, channel="sms")
