"""Case lifecycle on SQLite and PostgreSQL: every transition, every refusal, escalation, numbers, outbox rows."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cases import callbacks
from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.dialog.state_store import DatabaseStateStore
from bot.errors import CaseError, UsageError
from storage.models import OutboxMessage

RESIDENT, OTHER_RESIDENT = 501, 502
WORKER, WORKER_2, DISPATCHER, STREET = 1001, 1002, 2001, 3001
T0 = datetime(2026, 3, 9, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


async def bind(service: CaseService, external_id: int, name: str, **where: str) -> int:
    invite = await service.create_invite(name, **where)
    return (await service.bind_worker(invite.code, external_id)).id


def draft(text: str = "3栋楼上天天半夜装修，电钻声吵得睡不着", address: str | None = "梨园小区3栋", **kw) -> ReportDraft:
    values = {"resident_external_id": RESIDENT, "intent": "noise", "text": text, "deadline_hours": 48.0, "address": address}
    values.update(kw)
    return ReportDraft(**values)


async def outbox_rows(service: CaseService, case_id: int) -> list[OutboxMessage]:
    async with service.db.session() as s:
        return list((await s.execute(select(OutboxMessage).where(OutboxMessage.case_id == case_id)
                                     .order_by(OutboxMessage.id))).scalars())


def datas(row: OutboxMessage) -> list[str]:
    return [b["data"] for line in row.payload["buttons"] for b in line]


async def test_full_loop_file_assign_accept_resolve_rate(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft(), now=T0)
    assert re.fullmatch(r"20260309-\d{4}", case.number)
    assert (case.state, case.level, case.grid_id, case.assignee_name) == ("assigned", "grid", "liyuan-01", "王网格")
    assert case.deadline_at == T0 + timedelta(hours=48)
    assert (await s.find_case(case.number)).id == case.id  # committed: readable from a new session

    push = (await outbox_rows(s, case.id))[-1]
    assert push.chat_id == WORKER and case.number in push.payload["text"]
    assert datas(push) == [f"acc:{case.id}", f"res:{case.id}", f"ret:{case.id}", f"prg:{case.id}", f"ask:{case.id}"]

    case = await s.accept(case.id, WORKER, now=T0 + timedelta(hours=1))
    assert case.state == "accepted"
    case = await s.resolve(case.id, WORKER, "已上门劝导，施工时间改到白天", now=T0 + timedelta(hours=5))
    assert case.state == "resolved" and case.resolution_note.startswith("已上门劝导")
    rating_request = (await outbox_rows(s, case.id))[-1]
    assert rating_request.chat_id == RESIDENT
    assert datas(rating_request) == [f"rate:{case.id}:s", f"rate:{case.id}:b", f"rate:{case.id}:u"]
    case = await s.rate(case.id, RESIDENT, "satisfied", now=T0 + timedelta(hours=6))
    assert case.state == "rated"

    events = await s.events(case.id)
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("file", None, "filed"), ("assign", "filed", "assigned"), ("accept", "assigned", "accepted"),
        ("resolve", "accepted", "resolved"), ("rate", "resolved", "rated"),
    ]
    assert events[2].actor_id == WORKER and events[4].actor_id == RESIDENT


async def test_refusals_are_clear(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    await bind(s, WORKER_2, "李网格", grid_id="liyuan-02")
    case = await s.file_case(draft())
    with pytest.raises(CaseError, match="不是派给您的"):
        await s.accept(case.id, WORKER_2)
    with pytest.raises(CaseError, match="办结后才能评价"):
        await s.rate(case.id, RESIDENT, "satisfied")
    with pytest.raises(CaseError, match="说明原因"):
        await s.return_case(case.id, WORKER, "   ")
    await s.accept(case.id, WORKER)
    with pytest.raises(CaseError, match="已接单"):
        await s.accept(case.id, WORKER)
    await s.resolve(case.id, WORKER, "处理好了")
    with pytest.raises(CaseError, match="不能办结"):
        await s.resolve(case.id, WORKER, "again")
    with pytest.raises(CaseError, match="不能退单"):
        await s.return_case(case.id, WORKER, "不是我的")
    with pytest.raises(CaseError, match="只有反映人"):
        await s.rate(case.id, OTHER_RESIDENT, "satisfied")
    with pytest.raises(UsageError, match="unknown rating"):
        await s.rate(case.id, RESIDENT, "great")
    await s.rate(case.id, RESIDENT, "basic")
    with pytest.raises(CaseError, match="已评价"):
        await s.rate(case.id, RESIDENT, "satisfied")
    with pytest.raises(CaseError, match="不能撤销"):
        await s.cancel(case.id, RESIDENT)
    with pytest.raises(CaseError, match="找不到案件"):
        await s.accept(999_999, WORKER)
    with pytest.raises(CaseError, match="不能为空"):
        await s.file_case(draft(text="  "))


async def test_resolve_straight_from_assigned_accepts_implicitly(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft())
    case = await s.resolve(case.id, WORKER, "已清理")
    assert case.state == "resolved"
    assert [e.action for e in await s.events(case.id)][-2:] == ["accept", "resolve"]


async def test_unsatisfied_rating_reopens_to_the_same_worker(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft(), now=T0)
    await s.accept(case.id, WORKER, now=T0)
    await s.resolve(case.id, WORKER, "已处理", now=T0 + timedelta(hours=1))
    reopened = await s.rate(case.id, RESIDENT, "unsatisfied", comment="还是很吵", now=T0 + timedelta(hours=2))
    assert (reopened.state, reopened.assignee_external_id, reopened.reopen_count) == ("assigned", WORKER, 1)
    assert reopened.deadline_at == T0 + timedelta(hours=50)  # a fresh time limit for the redo
    push = (await outbox_rows(s, case.id))[-1]
    assert push.chat_id == WORKER and "重办" in push.payload["text"] and "还是很吵" in push.payload["text"]
    await s.accept(case.id, WORKER)
    done = await s.resolve(case.id, WORKER, "协调施工队停工")
    assert (await s.rate(done.id, RESIDENT, "satisfied")).state == "rated"


async def test_return_goes_to_community_dispatcher_who_reassigns(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    other = await bind(s, WORKER_2, "李网格", grid_id="liyuan-02")
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    case = await s.file_case(draft(address="梨园小区5栋"))
    returned = await s.return_case(case.id, WORKER, "5栋实际归第二网格管")
    assert (returned.state, returned.level, returned.assignee_id) == ("returned", "community", None)
    rows = await outbox_rows(s, case.id)
    to_dispatcher = [r for r in rows if r.chat_id == DISPATCHER]
    assert to_dispatcher and "退单原因" in to_dispatcher[-1].payload["text"]
    assert f"asg:{case.id}:{other}" in datas(to_dispatcher[-1])  # one 派给 button per grid worker
    assert any(r.chat_id == RESIDENT for r in rows[-3:])  # the resident is told
    with pytest.raises(CaseError, match="派单员"):
        await s.assign(case.id, other, by_external_id=WORKER)  # a grid worker cannot dispatch
    again = await s.assign(case.id, other, by_external_id=DISPATCHER)
    assert (again.state, again.level, again.grid_id, again.assignee_external_id) == ("assigned", "grid", "liyuan-02", WORKER_2)
    assert "5栋实际归第二网格管" in (await outbox_rows(s, case.id))[-2].payload["text"]  # the new push says why
    assert (await s.accept(case.id, WORKER_2)).state == "accepted"


async def test_no_worker_bound_goes_to_dispatcher_then_admins(case_service: CaseService) -> None:
    s = case_service
    case = await s.file_case(draft())  # nobody bound anywhere
    assert (case.state, case.level, case.assignee_id) == ("filed", "community", None)
    rows = await outbox_rows(s, case.id)
    assert [r.chat_id for r in rows] == [9001]  # the admin from ADMIN_IDS: never dropped
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    case2 = await s.file_case(draft(resident_external_id=OTHER_RESIDENT, address="梨园小区10栋"))
    assert (case2.state, case2.level, case2.assignee_external_id) == ("assigned", "community", DISPATCHER)
    tasks = await s.tasks_of_worker(DISPATCHER)
    assert {t.id for t in tasks} == {case.id, case2.id}  # its own + the community queue


async def test_unclear_address_goes_to_dispatcher_not_dropped(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    ambiguous = await s.file_case(draft(address="梨园"))
    assert (ambiguous.grid_id, ambiguous.level, ambiguous.assignee_external_id) == (None, "community", DISPATCHER)
    unknown = await s.file_case(draft(address="火星基地"))
    assert (unknown.level, unknown.state) == ("street", "filed")
    assert [r.chat_id for r in await outbox_rows(s, unknown.id)] == [9001]


async def test_escalation_one_level_at_a_time(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    await bind(s, STREET, "街道督办", street_id="jinhu")
    case = await s.file_case(draft(), now=T0)
    await s.accept(case.id, WORKER, now=T0)
    assert await s.overdue(T0 + timedelta(hours=47)) == []
    late = T0 + timedelta(hours=49)
    assert await s.overdue(late) == [case.id]
    up = await s.escalate(case.id, late)
    assert (up.level, up.state, up.assignee_external_id) == ("community", "assigned", DISPATCHER)
    assert up.deadline_at == late + timedelta(hours=48)
    chats = {r.chat_id for r in await outbox_rows(s, case.id)}
    assert {WORKER, DISPATCHER, RESIDENT} <= chats  # old assignee, new one, resident
    assert await s.escalate(case.id, late) is None  # not late any more at the new level
    later = late + timedelta(hours=49)
    top = await s.escalate(case.id, later)
    assert (top.level, top.assignee_external_id) == ("street", STREET)
    assert await s.overdue(later + timedelta(hours=100)) == []  # street is the top
    assert await s.escalate(case.id, later + timedelta(hours=100)) is None
    levels = [(e.from_level, e.to_level) for e in await s.events(case.id) if e.action == "escalate"]
    assert levels == [("grid", "community"), ("community", "street")]


async def test_a_case_escalated_for_lateness_is_never_resolved_on_time(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    prompt = await s.file_case(draft(), now=T0)
    await s.resolve(prompt.id, WORKER, "已处理", now=T0 + timedelta(hours=2))
    late = await s.file_case(draft("梨园小区3栋门口有人乱搭棚子"), now=T0)
    await s.escalate(late.id, T0 + timedelta(hours=49))
    await s.resolve(late.id, DISPATCHER, "已处理", now=T0 + timedelta(hours=50))  # inside the community's fresh deadline
    stats = await s.stats(now=T0 + timedelta(hours=51))
    assert (stats.total.resolved, stats.total.on_time) == (2, 1)  # only the prompt one counts as 按时办结


async def test_escalation_without_dispatcher_waits_in_queue(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft(), now=T0)
    up = await s.escalate(case.id, T0 + timedelta(hours=50))
    assert (up.level, up.state, up.assignee_id) == ("community", "filed", None)
    assert 9001 in {r.chat_id for r in await outbox_rows(s, case.id)}


async def test_reminder_once_before_deadline(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft(), now=T0)
    assert await s.due_reminders(T0 + timedelta(hours=30)) == []  # 62% of 48 h
    at = T0 + timedelta(hours=40)  # 83%
    assert await s.due_reminders(at) == [case.id]
    assert await asyncio.gather(s.remind(case.id, at), s.remind(case.id, at)) in ([True, False], [False, True])
    assert await s.due_reminders(at) == []
    reminder = (await outbox_rows(s, case.id))[-1]
    assert reminder.chat_id == WORKER and "即将超时" in reminder.payload["text"]
    assert await s.run_deadlines(T0 + timedelta(hours=49)) == (0, 1)


async def test_concurrent_filing_never_shares_a_number(case_service: CaseService, database_url: str) -> None:
    from bot.cases.service import open_service
    from bot.settings import load_settings

    await bind(case_service, WORKER, "王网格", grid_id="liyuan-01")
    second = await open_service(load_settings(database_url=database_url, _env_file=None))  # another instance
    try:
        services = [case_service, second]
        cases = await asyncio.gather(*(services[i % 2].file_case(draft(resident_external_id=700 + i), now=T0)
                                       for i in range(30)))
    finally:
        await second.close()
    numbers = [c.number for c in cases]
    assert len(set(numbers)) == 30
    assert sorted(numbers) == [f"20260309-{i:04d}" for i in range(1, 31)]


async def test_number_uses_local_date(case_service: CaseService) -> None:
    late_evening_utc = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # already 10 March 01:00 in Shanghai
    case = await case_service.file_case(draft(), now=late_evening_utc)
    assert case.number == "20260310-0001"


async def test_cancel_tells_the_worker(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft())
    with pytest.raises(CaseError, match="只有反映人"):
        await s.cancel(case.id, OTHER_RESIDENT)
    done = await s.cancel(case.id, RESIDENT, reason="已自行解决")
    assert done.state == "cancelled"
    assert (await outbox_rows(s, case.id))[-1].chat_id == WORKER
    with pytest.raises(CaseError, match="不能接单"):
        await s.accept(case.id, WORKER)


async def test_invites_are_one_time(case_service: CaseService) -> None:
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    assert re.fullmatch(r"[A-Z2-9]{10}", invite.code)
    worker = await s.bind_worker(f"bind_{invite.code.lower()}", WORKER)  # deep-link form, any case
    assert (worker.grid_id, worker.external_id) == ("liyuan-01", WORKER)
    with pytest.raises(CaseError, match="已被使用"):
        await s.bind_worker(invite.code, WORKER_2)
    for junk in ("", "x" * 500, "💥💥", "'; DROP TABLE worker; --", "NOPE123456"):
        with pytest.raises(CaseError):
            await s.bind_worker(junk, WORKER_2)
    expired = await s.create_invite("赵网格", grid_id="liyuan-02", valid_hours=1)
    with pytest.raises(CaseError, match="过期"):
        await s.bind_worker(expired.code, WORKER_2, now=datetime.now(UTC) + timedelta(hours=2))
    with pytest.raises(UsageError, match="unknown grid"):
        await s.create_invite("x", grid_id="nope")


async def test_least_loaded_worker_gets_the_case(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    await bind(s, WORKER_2, "周网格", grid_id="liyuan-01")
    first = await s.file_case(draft(text="1栋门口垃圾堆积", intent="sanitation", address="梨园小区1栋"))
    second = await s.file_case(draft(text="2栋电动车楼道充电", intent="fire_hazard", address="梨园小区2栋"))
    assert {first.assignee_external_id, second.assignee_external_id} == {WORKER, WORKER_2}
    await s.resolve(first.id, first.assignee_external_id, "已清运")  # that worker is free again
    third = await s.file_case(draft(text="4栋楼下乱停车", intent="parking", address="梨园小区4栋"))
    assert third.assignee_external_id == first.assignee_external_id


async def test_traditional_resident_gets_traditional_notices(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    case = await s.file_case(draft(text="樓上裝修太吵了", address="梨園小區3棟", script="traditional"))
    assert case.grid_id == "liyuan-01"
    await s.resolve(case.id, WORKER, "已处理")
    request = (await outbox_rows(s, case.id))[-1]
    assert "辦結" in request.payload["text"] and "满意" not in str(request.payload["buttons"])
    assert request.payload["buttons"][0][0]["text"] == "滿意"


def test_callback_data_round_trip_and_junk() -> None:
    assert callbacks.parse("acc:42") == callbacks.CaseCallback("acc", 42)
    assert callbacks.parse("rate:7:u") == callbacks.CaseCallback("rate", 7, "unsatisfied")
    assert callbacks.parse("asg:7:12") == callbacks.CaseCallback("asg", 7, "12")
    for junk in (None, "", "acc", "acc:x", "acc:1:2", "rate:1:z", "asg:1", "zzz:1", "acc:" + "9" * 80, "💥:1"):
        assert callbacks.parse(junk) is None
    big = callbacks.make(callbacks.ASSIGN, 10**11, 10**11)
    assert len(big.encode()) <= 64


async def test_hostile_input_is_stored_safely(case_service: CaseService) -> None:
    s = case_service
    await bind(s, WORKER, "王\x00网格", grid_id="liyuan-01")
    nasty = "楼上\x00装修\x07太吵'); DROP TABLE \"case\"; --" + "😡" * 50 + "吵" * 10_000
    case = await s.file_case(draft(text=nasty, address="梨园小区3栋\x00\x00", photos=("Ag\x00AD", "")))
    assert "\x00" not in case.text and len(case.text) <= 4000 and case.text.startswith("楼上装修太吵")
    assert case.address == "梨园小区3栋" and case.photos == ("AgAD",) and case.assignee_name == "王网格"
    with pytest.raises(CaseError, match="不能为空"):
        await s.file_case(draft(text="\x00\x01 \n"))
    done = await s.resolve(case.id, WORKER, "已\x00处理", photo="\x00")
    assert done.resolution_note == "已处理"
    await s.rate(case.id, RESIDENT, "unsatisfied", comment="\x00还是吵")
    assert (await s.get_case(case.id)).state == "assigned"
    store = DatabaseStateStore(s.db)
    await store.save_data(77, {"text": "a\x00b", "emoji": "😀"})
    assert await store.load_data(77) == {"text": "a\x00b", "emoji": "😀"}
    await store.clear(77)
    assert await store.load_data(77) is None


async def test_same_new_resident_twice_at_once(case_service: CaseService) -> None:
    views = await asyncio.gather(*(case_service.ensure_resident(4242, name="新居民", script="traditional") for _ in range(5)))
    assert len({v.id for v in views}) == 1 and views[0].script == "traditional"


async def test_dispatcher_push_offers_accept_and_reassign(case_service: CaseService) -> None:
    s = case_service
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    grid_worker = await bind(s, WORKER_2, "李网格", grid_id="liyuan-02")
    case = await s.file_case(draft(address="梨园小区5栋"))  # liyuan-01 has nobody bound
    assert (case.level, case.assignee_external_id) == ("community", DISPATCHER)
    push = (await outbox_rows(s, case.id))[-1]
    assert push.chat_id == DISPATCHER
    assert datas(push) == [f"acc:{case.id}", f"res:{case.id}", f"ret:{case.id}", f"prg:{case.id}", f"ask:{case.id}",
                           f"asg:{case.id}:{grid_worker}"]
    file_event = (await s.events(case.id))[0]
    assert file_event.to_level == "community"  # the log says where the case really went


async def test_two_instances_escalate_and_remind_each_case_once(case_service: CaseService, database_url: str) -> None:
    from bot.cases.service import open_service
    from bot.settings import load_settings

    s = case_service
    await bind(s, WORKER, "王网格", grid_id="liyuan-01")
    await bind(s, DISPATCHER, "梨园社区派单员", community_id="liyuan")
    ids = [(await s.file_case(draft(resident_external_id=800 + i), now=T0)).id for i in range(6)]
    second = await open_service(load_settings(database_url=database_url, _env_file=None))
    try:
        remind_at = T0 + timedelta(hours=40)
        reminded = await asyncio.gather(s.run_deadlines(remind_at), second.run_deadlines(remind_at))
        assert sum(r for r, _ in reminded) == 6 and sum(e for _, e in reminded) == 0
        late = T0 + timedelta(hours=49)
        results = await asyncio.gather(*(svc.escalate(cid, late) for cid in ids for svc in (s, second)))
        assert sum(r is not None for r in results) == 6  # each case escalated exactly once
    finally:
        await second.close()
    for cid in ids:
        events = [e.action for e in await s.events(cid)]
        assert events.count("escalate") == 1 and events.count("remind") == 1
