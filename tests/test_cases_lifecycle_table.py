"""The lifecycle table is the truth: the README draws exactly it, and the service never moves a case outside it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot import PROJECT_ROOT
from bot.cases import lifecycle
from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.errors import NotNow

README = PROJECT_ROOT / "bot" / "cases" / "README.md"
T0 = datetime(2026, 3, 9, 1, 30, tzinfo=UTC)
RESIDENT, NEIGHBOUR, WORKER, WORKER_2, DISPATCHER = 701, 702, 1701, 1702, 2701


def test_the_readme_prints_the_table_and_draws_every_move() -> None:
    text = README.read_text(encoding="utf-8")
    assert lifecycle.markdown_table() in text
    drawing = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = {(a, b, act) for a, b, act in re.findall(r"^\s+(\S+) --> (\S+): (\w+)$", drawing, re.M)}
    assert drawn == lifecycle.edges()


def test_questions_about_the_lifecycle_have_one_answer() -> None:
    assert lifecycle.allowed("cancel", "returned") and not lifecycle.allowed("cancel", "rated")
    assert lifecycle.allowed("assign", "returned") and not lifecycle.allowed("accept", "returned")
    with pytest.raises(NotNow, match="已接单，处理完成后请点「办结」"):
        lifecycle.require("accept", "20260309-0001", "accepted")
    with pytest.raises(NotNow, match="当前已撤销，不能办结"):
        lifecycle.require("resolve", "20260309-0001", "cancelled")
    with pytest.raises(ValueError, match="lifecycle table"):
        lifecycle.target("accept", "rated")
    assert set(lifecycle.TRANSITIONS) == {t.action for t in lifecycle.TABLE}  # one row per action
    for t in lifecycle.TABLE:
        assert set(t.actors) <= set(lifecycle.ACTORS) and set(t.told) <= set(lifecycle.AUDIENCES), t.action


async def test_every_move_the_service_makes_is_in_the_table(case_service: CaseService) -> None:
    s = case_service

    async def bind(external_id: int, name: str, **where: str) -> int:
        invite = await s.create_invite(name, **where)
        return (await s.bind_worker(invite.code, external_id)).id

    await bind(WORKER, "王网格", grid_id="liyuan-01")
    second = await bind(WORKER_2, "李网格", grid_id="liyuan-01")
    await bind(DISPATCHER, "赵主任", community_id="liyuan")
    report = ReportDraft(resident_external_id=RESIDENT, intent="noise", text="3栋楼上天天半夜装修，电钻声吵得睡不着",
                         deadline_hours=48.0, address="梨园小区3栋")
    case = await s.file_case(report, now=T0)
    await s.find_duplicates("noise", "三栋楼上半夜装修电钻声太吵", case.grid_id, now=T0, offer_to=NEIGHBOUR)
    await s.support(case.id, NEIGHBOUR, now=T0)
    await s.remind(case.id, now=T0 + timedelta(hours=40))
    await s.progress(case.id, WORKER, "已联系楼上住户，约定明早上门", now=T0 + timedelta(hours=40, minutes=30))
    await s.ask_filer(case.id, WORKER, "具体是几单元？", now=T0 + timedelta(hours=40, minutes=31))
    await s.answer(case.id, RESIDENT, "二单元", now=T0 + timedelta(hours=40, minutes=32))
    await s.accept(case.id, WORKER, now=T0 + timedelta(hours=41))
    await s.supervise(case.id, DISPATCHER, "今天内处理", now=T0 + timedelta(hours=41, minutes=10))
    await s.recategorize(case.id, DISPATCHER, "public_order", now=T0 + timedelta(hours=41, minutes=20))
    await s.add_note(case.id, DISPATCHER, "已电话联系居民", now=T0 + timedelta(hours=41, minutes=25))
    await s.supplement(case.id, RESIDENT, "是1502那家", now=T0 + timedelta(hours=41, minutes=30))
    await s.urge(case.id, RESIDENT, now=T0 + timedelta(hours=41, minutes=35))
    await s.assign(case.id, second, by_external_id=DISPATCHER, now=T0 + timedelta(hours=41, minutes=40))  # 改派 in hand
    await s.assign(case.id, (await s.workers_of(WORKER))[0].id, by_external_id=DISPATCHER,
                   now=T0 + timedelta(hours=41, minutes=50))
    await s.accept(case.id, WORKER, now=T0 + timedelta(hours=41, minutes=55))
    await s.resolve(case.id, WORKER, "已劝导", now=T0 + timedelta(hours=42))
    assert await s.rate_remind(case.id, now=T0 + timedelta(hours=42 + 25))
    await s.rate(case.id, RESIDENT, "unsatisfied", now=T0 + timedelta(hours=43 + 25))
    await s.explain(case.id, RESIDENT, "unsolved", "还在剁", now=T0 + timedelta(hours=43 + 25))
    await s.return_case(case.id, WORKER, "不属于本网格", now=T0 + timedelta(hours=44 + 25))
    await s.assign(case.id, second, by_external_id=DISPATCHER, now=T0 + timedelta(hours=45 + 25))
    await s.escalate(case.id, now=T0 + timedelta(hours=200))
    twin = await s.file_case(ReportDraft(resident_external_id=NEIGHBOUR, intent="noise", text="3栋半夜装修的电钻声",
                                         deadline_hours=48.0, address="梨园小区3栋"), now=T0 + timedelta(hours=200))
    await s.merge(twin.id, DISPATCHER, case.number, now=T0 + timedelta(hours=200, minutes=5))
    await s.escalate_now(case.id, DISPATCHER, "社区无法协调", now=T0 + timedelta(hours=200, minutes=10))
    await s.cancel(case.id, RESIDENT, reason="已自行解决", now=T0 + timedelta(hours=201))

    urgent = await s.file_case(ReportDraft(resident_external_id=RESIDENT, intent="fire_hazard", text="楼道里有很浓的煤气味",
                                           deadline_hours=48.0, address="梨园小区3栋", urgent=True), now=T0)
    assert await s.chase(urgent.id, now=T0 + timedelta(hours=1))  # nobody pressed 接单 in time
    holder = (await s.get_case(urgent.id)).assignee_id
    other = second if holder != second else (await s.workers_of(WORKER))[0].id
    await s.assign(urgent.id, other, by_external_id=DISPATCHER, now=T0 + timedelta(hours=2))  # 改派

    # filed without a place; the filer's 补充 names one: routed as at filing (locate, then 派单)
    placeless = await s.file_case(ReportDraft(resident_external_id=RESIDENT, intent="sanitation", text="楼下垃圾没人清运",
                                              deadline_hours=48.0), now=T0)
    assert placeless.grid_id is None
    await s.supplement(placeless.id, RESIDENT, "梨园小区3栋门口", now=T0 + timedelta(minutes=5))
    assert (await s.get_case(placeless.id)).state == "assigned"

    events = [*await s.events(case.id), *await s.events(urgent.id), *await s.events(twin.id),
              *await s.events(placeless.id)]
    moves = {(e.from_state or "[*]", e.to_state, e.action) for e in events}
    assert moves <= lifecycle.edges(), moves - lifecycle.edges()
    assert {e.action for e in events} == set(lifecycle.TRANSITIONS)  # and this walk used every row
