"""附议 (duplicates and supporters) and the durable outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.cases.duplicates import similarity
from bot.cases.outbox import reply_from_json, reply_to_json
from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.errors import CaseError
from bot.messages import Button, Reply

FILER, SUPPORTER, SUPPORTER_2, WORKER = 601, 602, 603, 1101
T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


def report(resident: int, text: str, address: str = "梨园小区2栋", intent: str = "sanitation") -> ReportDraft:
    return ReportDraft(resident_external_id=resident, intent=intent, text=text, deadline_hours=24.0, address=address)


async def test_duplicate_found_joined_and_supporters_told(case_service: CaseService) -> None:
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, WORKER)
    first = await s.file_case(report(FILER, "2栋楼下垃圾桶满了三天没人清运，臭得不行"), now=T0)
    grid = s.route("梨园小区2栋").grid_id
    later = T0 + timedelta(hours=10)
    found = await s.find_duplicates("sanitation", "二栋楼下的垃圾好几天没人清运了", grid, now=later)
    assert [c.id for c in found] == [first.id]
    assert await s.find_duplicates("noise", "二栋楼下的垃圾好几天没人清运了", grid, now=later) == []  # other intent
    assert await s.find_duplicates("sanitation", "二栋楼下的垃圾好几天没人清运了", "liyuan-02", now=later) == []
    assert await s.find_duplicates("sanitation", "二栋楼下的垃圾好几天没人清运了", grid,
                                   now=T0 + timedelta(hours=73)) == []  # outside the 72 h window
    assert await s.find_duplicates("sanitation", "小区绿化带里有人种菜", grid, now=later) == []  # different words
    assert await s.find_duplicates("sanitation", "", grid, now=later) == []
    assert await s.find_duplicates("sanitation", "垃圾", None, now=later) == []

    with pytest.raises(CaseError, match="只能附议系统向您推荐"):  # nobody offered it to them (a forged button)
        await s.support(first.id, SUPPORTER, now=later)
    for resident in (SUPPORTER, SUPPORTER_2):
        await s.find_duplicates("sanitation", "二栋楼下的垃圾好几天没人清运了", grid, now=later, offer_to=resident)
    joined = await s.support(first.id, SUPPORTER, text="我也要反映垃圾的事", now=later)
    await s.support(first.id, SUPPORTER_2, now=later)
    joined = await s.get_case(first.id)
    assert joined.supporter_count == 2 and set(joined.supporter_external_ids) == {SUPPORTER, SUPPORTER_2}
    with pytest.raises(CaseError, match="已附议过"):
        await s.support(first.id, SUPPORTER)
    with pytest.raises(CaseError, match="本人"):
        await s.support(first.id, FILER)
    assert first.id in [c.id for c in await s.cases_of_resident(SUPPORTER)]  # /my shows supported cases
    similar = "二栋楼下的垃圾好几天没人清运了"
    assert await s.find_duplicates("sanitation", similar, grid, now=later, exclude_resident=FILER) == []
    assert await s.find_duplicates("sanitation", similar, grid, now=later, exclude_resident=SUPPORTER) == []
    assert len(await s.find_duplicates("sanitation", similar, grid, now=later, exclude_resident=604, offer_to=604)) == 1

    items = await s.outbox.claim_due(now=datetime.now(UTC) + timedelta(days=1), limit=100)
    texts_to_worker = [i.reply.text for i in items if i.chat_id == WORKER]
    assert any("共 2 人附议" in t for t in texts_to_worker)

    await s.accept(first.id, WORKER)
    await s.resolve(first.id, WORKER, "已联系环卫清运")
    after = await s.outbox.claim_due(now=datetime.now(UTC) + timedelta(days=1), limit=100)
    by_chat = {i.chat_id: i.reply for i in after}
    assert {FILER, SUPPORTER, SUPPORTER_2} <= set(by_chat)  # every supporter hears of the change
    assert by_chat[FILER].buttons and not by_chat[SUPPORTER].buttons  # only the filer rates
    await s.rate(first.id, FILER, "satisfied")
    with pytest.raises(CaseError, match="不能再附议"):
        await s.support(first.id, 604)


def test_similarity_is_symmetric_and_bounded() -> None:
    a, b = "3栋楼上半夜装修电钻声吵死了", "三栋楼上天天晚上装修太吵"
    assert similarity(a, b) == similarity(b, a) > 40
    assert similarity(a, a) == 100
    assert similarity("楼上半夜装修", "隔壁KTV唱歌到凌晨") < 40
    assert similarity("", a) == similarity("😀", a) == 0.0


async def test_outbox_claim_mark_retry_and_block(case_service: CaseService) -> None:
    box = case_service.outbox
    now = datetime.now(UTC)
    assert await box.add(Reply(chat_id=42, text="你好", buttons=((Button("接单", "acc:1"),),)), dedupe_key="k1")
    assert not await box.add(Reply(chat_id=42, text="again"), dedupe_key="k1")  # deduplicated
    assert await box.add(Reply(chat_id=43, text="第二条"))
    assert box.wakeup.is_set()
    items = await box.claim_due(now + timedelta(seconds=1), lease_seconds=30)
    assert [i.chat_id for i in items] == [42, 43]
    assert items[0].reply.buttons[0][0].data == "acc:1" and items[0].attempts == 1
    assert await box.claim_due(now + timedelta(seconds=2)) == []  # leased: nobody else takes them
    await box.mark_sent(items[0].id)
    await box.retry_later(items[1].id, 0, "502 Bad Gateway")
    retry = await box.claim_due(datetime.now(UTC) + timedelta(seconds=1))
    assert [(i.chat_id, i.attempts) for i in retry] == [(43, 2)]
    await box.mark_blocked(retry[0].id)
    assert await box.counts() == {"sent": 1, "blocked": 1}
    # a lease that runs out (crash between claim and send) makes the message due again: at least once
    await box.add(Reply(chat_id=44, text="崩溃前"))
    assert len(await box.claim_due(now + timedelta(seconds=1), lease_seconds=5)) == 1
    again = await box.claim_due(now + timedelta(seconds=10))
    assert [(i.chat_id, i.attempts) for i in again] == [(44, 2)]


async def test_two_senders_never_claim_the_same_message(case_service: CaseService) -> None:
    box = case_service.outbox
    for i in range(30):
        await box.add(Reply(chat_id=1000 + i, text=f"消息{i}"))
    at = datetime.now(UTC) + timedelta(seconds=1)
    batches = await asyncio.gather(*(box.claim_due(at, limit=7) for _ in range(6)))
    ids = [item.id for batch in batches for item in batch]
    assert len(ids) == len(set(ids)) == 30


def test_reply_json_round_trip() -> None:
    reply = Reply(chat_id=7, text="案件 <b>1</b>", buttons=((Button("满意", "rate:1:s"), Button("不满意", "rate:1:u")),),
                  request_location=True, photo_file_id="AgAD", extra={"k": "v"})
    assert reply_from_json(reply_to_json(reply)) == reply
    assert reply_from_json({"chat_id": 1, "text": "x", "future_field": 1}) == Reply(chat_id=1, text="x")
