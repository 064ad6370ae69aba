"""The weekly hotspot digest (bot/cases/digest.py): Monday from 08:00 local, once per person and week, the
grid worker's grid and the community dispatcher's community, nothing for a week without cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fixtures_db import case_service, database_url, pg_server  # noqa: F401
from sqlalchemy import select

from bot.cases.views import ReportDraft
from storage.models import OutboxMessage

MONDAY_0800 = datetime(2026, 11, 9, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
LAST_WEEK = MONDAY_0800 - timedelta(days=6)  # Tuesday of the week before
WORKER, OTHER_WORKER, DISPATCHER = 8_500_001, 8_500_002, 8_500_003


def _draft(n: int, address: str, grid: str, intent: str = "noise") -> ReportDraft:
    return ReportDraft(resident_external_id=1600 + n, intent=intent, text=f"第{n}次", deadline_hours=24,
                       address=address, grid_id=grid)


async def _digest_rows(s) -> list[tuple[int, str]]:
    async with s.db.session() as session:
        rows = (await session.execute(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("digest:%"))
                                      .order_by(OutboxMessage.id))).scalars()
        return [(row.chat_id, (row.payload if isinstance(row.payload, dict) else json.loads(row.payload))["text"])
                for row in rows]


async def _digests(s) -> dict[int, str]:
    return dict(await _digest_rows(s))


async def test_monday_morning_each_worker_and_dispatcher_gets_their_area_once(case_service) -> None:  # noqa: F811
    s = case_service
    await s.bind_worker((await s.create_invite("王网格", grid_id="liyuan-01")).code, WORKER)
    await s.bind_worker((await s.create_invite("望江网格", grid_id="wangjiang-01")).code, OTHER_WORKER)
    await s.bind_worker((await s.create_invite("赵主任", community_id="liyuan")).code, DISPATCHER)
    for n, address in enumerate(["梨园小区3栋", "梨园小区3栋2单元", "梨园小区5栋"], start=1):
        await s.file_case(_draft(n, address, "liyuan-01"), now=LAST_WEEK + timedelta(hours=n))
    await s.file_case(_draft(9, "梨园小区3栋", "liyuan-01"), now=MONDAY_0800 + timedelta(minutes=1))  # this week

    assert await s.send_digests(MONDAY_0800 - timedelta(minutes=1)) == 0  # Monday 07:59: not yet
    assert await s.send_digests(MONDAY_0800 - timedelta(days=1)) == 0  # Sunday: never
    assert await s.send_digests(MONDAY_0800 + timedelta(minutes=5)) == 2
    sent = await _digests(s)
    assert set(sent) == {WORKER, DISPATCHER}  # 望江 had no case last week: nothing sent there
    text = sent[WORKER]
    assert "【每周热点】" in text and "共受理 3 件" in text and "11-02 至 11-08" in text
    assert "梨园小区3栋 2 件" in text and "噪声扰民 3 件" in text
    assert "已超时未办结 3 件" in text  # 24 hours each, all still open

    # Later passes that Monday, a restart (a new room state) and next Monday's first minutes: once per week.
    assert await s.send_digests(MONDAY_0800 + timedelta(hours=3)) == 0
    s._digest_week = None
    assert await s.send_digests(MONDAY_0800 + timedelta(hours=4)) == 0
    assert len(await _digest_rows(s)) == 2
    assert await s.send_digests(MONDAY_0800 + timedelta(days=7, minutes=1)) == 2  # the case filed this Monday
    assert len(await _digest_rows(s)) == 4


async def test_the_deadline_pass_sends_it(case_service) -> None:  # noqa: F811
    s = case_service
    await s.bind_worker((await s.create_invite("王网格", grid_id="liyuan-01")).code, WORKER)
    await s.file_case(_draft(1, "梨园小区3栋", "liyuan-01"), now=LAST_WEEK)
    reminded, _ = await s.run_deadlines(MONDAY_0800 + timedelta(minutes=1))
    assert reminded >= 1 and WORKER in await _digests(s)
