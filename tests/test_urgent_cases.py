"""Urgent cases on their own clock: a short handling limit, 接单 expected within minutes (else the push repeats
and the queue and the on-call chat hear of it), and a receipt that says truthfully who was told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cases.service import CaseService, open_service
from bot.cases.views import ReportDraft
from bot.settings import load_settings

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RESIDENT, WORKER, DISPATCHER, ONCALL = 801, 1801, 2801, 3801


def urgent(text: str = "楼道里有股很浓的煤气味", address: str = "梨园小区3栋") -> ReportDraft:
    return ReportDraft(resident_external_id=RESIDENT, intent="fire_hazard", text=text, deadline_hours=48.0,
                       address=address, urgent=True)


async def service_on(database_url: str, **settings: object) -> CaseService:
    return await open_service(load_settings(database_url=database_url, _env_file=None, **settings))


async def pushes(s: CaseService) -> dict[int, list[str]]:
    """Everything queued so far, by chat (and marked sent, so the next call shows only what is new)."""
    items = await s.outbox.claim_due(now=datetime.now(UTC) + timedelta(days=30), limit=200)
    by_chat: dict[int, list[str]] = {}
    for item in items:
        await s.outbox.mark_sent(item.id)
        by_chat.setdefault(item.chat_id, []).append(item.reply.text)
    return by_chat


async def test_an_urgent_case_is_handled_on_its_own_clock(database_url: str) -> None:
    s = await service_on(database_url, urgent_deadline_hours=4, urgent_ack_minutes=10)
    try:
        invite = await s.create_invite("王网格", grid_id="liyuan-01")
        await s.bind_worker(invite.code, WORKER)
        case = await s.file_case(urgent(), now=T0)
        assert case.deadline_at == T0 + timedelta(hours=4)  # not the category's 48 hours
        assert case.told == "网格员 王网格"
        routine = await s.file_case(ReportDraft(resident_external_id=RESIDENT, intent="noise", text="楼上装修吵",
                                                deadline_hours=48.0, address="梨园小区3栋"), now=T0)
        assert routine.deadline_at == T0 + timedelta(hours=48)
    finally:
        await s.close()


async def test_nobody_presses_accept_so_the_push_repeats_and_the_queue_and_oncall_hear(database_url: str) -> None:
    s = await service_on(database_url, urgent_ack_minutes=10, oncall_chat_id=ONCALL)
    try:
        for chat, where in ((WORKER, {"grid_id": "liyuan-01"}), (DISPATCHER, {"community_id": "liyuan"})):
            invite = await s.create_invite("王网格" if chat == WORKER else "赵主任", **where)
            await s.bind_worker(invite.code, chat)
        case = await s.file_case(urgent(), now=T0)
        await pushes(s)
        assert await s.run_deadlines(T0 + timedelta(minutes=9)) == (0, 0)  # still within the limit
        assert await s.run_deadlines(T0 + timedelta(minutes=11)) == (1, 0)
        chased = await pushes(s)
        assert any("请立即接单" in t for t in chased[WORKER])
        for chat in (DISPATCHER, ONCALL):  # the queue and the duty officer
            assert any(case.number in t and "无人接单" in t for t in chased.get(chat, [])), chased
        assert await s.run_deadlines(T0 + timedelta(minutes=15)) == (0, 0)  # once per limit, not every pass
        assert await s.run_deadlines(T0 + timedelta(minutes=22)) == (1, 0)  # and again until someone accepts
        await s.accept(case.id, WORKER, now=T0 + timedelta(minutes=23))
        assert await s.run_deadlines(T0 + timedelta(minutes=40)) == (0, 0)
        assert [e.action for e in await s.events(case.id)].count("chase") == 2
    finally:
        await s.close()


async def test_what_nobody_covers_goes_to_oncall_and_the_receipt_says_who_was_told(database_url: str) -> None:
    s = await service_on(database_url, oncall_chat_id=ONCALL)  # no worker, no dispatcher, no admin
    try:
        case = await s.file_case(urgent(), now=T0)
        assert case.told == "社区值班人员"
        assert any(case.number in t for t in (await pushes(s)).get(ONCALL, []))
    finally:
        await s.close()
    s = await service_on(database_url)  # the same desk without an on-call chat
    try:
        alone = await s.file_case(urgent("二楼厨房着火了", "梨园小区5栋"), now=T0)
        assert alone.told == ""  # nobody at all could be told: the receipt must say so
    finally:
        await s.close()


async def test_the_resident_is_told_truthfully_when_nobody_could_be_reached(tmp_path) -> None:
    from dialog_helpers import case_number, shared_understanding

    from bot.dialog.testing import ChatDriver, texts_of
    from bot.services import build_app

    app = await build_app(load_settings(database_url=f"sqlite:///{tmp_path / 'nobody.db'}", _env_file=None),
                          understanding=shared_understanding())  # no worker, dispatcher, admin or on-call
    try:
        driver = ChatDriver(app.engine, app.cases.outbox)
        replies = await driver.send("陈先生", "梨园小区5栋着火了，有浓烟")
        receipt = texts_of(replies)
        assert "119" in replies[0].text and case_number(receipt)
        assert "没能联系上社区值班人员" in receipt and "已通知" not in receipt
    finally:
        await app.close()


async def test_coverage_names_every_grid_and_community_nobody_covers(database_url: str) -> None:
    s = await service_on(database_url)
    try:
        invite = await s.create_invite("王网格", grid_id="liyuan-01")
        before = await s.coverage()
        assert any(w.startswith("grid liyuan-01 ") for w in before)  # invited is not bound
        await s.bind_worker(invite.code, WORKER)
        gaps = await s.coverage()
        assert not any(w.startswith("grid liyuan-01 ") for w in gaps)
        assert any(w.startswith("grid liyuan-02 ") and "worker invite --grid liyuan-02" in w for w in gaps)
        assert any(w.startswith("community liyuan ") and "NOBODY" in w for w in gaps)  # no admins, no on-call
    finally:
        await s.close()
    s = await service_on(database_url, oncall_chat_id=ONCALL)
    try:
        assert any(w.startswith("community liyuan ") and "on-call" in w for w in await s.coverage())
    finally:
        await s.close()
