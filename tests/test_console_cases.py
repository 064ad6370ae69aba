"""The console's queue and case page over real cases: scope per role (a dispatcher of one community can neither
see nor act on another's cases), the actions through the case service (pushes and resident notices as in the
chat), 改类 kept as a correction, CSRF and read-only roles refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from console_support import console_rig, login_as
from dialog_helpers import ADMIN_ID
from sqlalchemy import select

from bot.cases.views import ReportDraft
from storage.models import CaseLabel, OutboxMessage

LIYUAN_DISPATCHER, WANGJIANG_DISPATCHER, ZHANG, LI, WANG_GRID = 7101, 7102, 7201, 7202, 7203
RESIDENT, NEIGHBOUR = 8101, 8102


async def _people(rig) -> dict[str, int]:
    ids = {}
    for name, tid, where in (("赵主任", LIYUAN_DISPATCHER, {"community_id": "liyuan"}),
                             ("钱主任", WANGJIANG_DISPATCHER, {"community_id": "wangjiang"}),
                             ("张三", ZHANG, {"grid_id": "liyuan-01"}), ("李四", LI, {"grid_id": "liyuan-01"}),
                             ("王五", WANG_GRID, {"grid_id": "wangjiang-01"})):
        invite = await rig.app.cases.create_invite(name, **where)
        ids[name] = (await rig.app.cases.bind_worker(invite.code, tid)).id
    return ids


async def _file(rig, text: str, address: str, resident: int = RESIDENT, **extra) -> str:
    draft = ReportDraft(resident_external_id=resident, intent="noise", text=text, deadline_hours=48.0, address=address,
                        **extra)
    return (await rig.app.cases.file_case(draft)).number


async def _pushes(rig, chat_id: int) -> list[str]:
    async with rig.app.cases.db.session() as s:
        rows = (await s.execute(select(OutboxMessage.payload).where(OutboxMessage.chat_id == chat_id)
                                .order_by(OutboxMessage.id))).scalars().all()
    return [p.get("text", "") for p in rows]


@pytest.fixture
async def rig(tmp_path: Path):
    async with console_rig(tmp_path) as rig:
        rig.ids.update(await _people(rig))
        yield rig


async def test_each_role_sees_its_own_queue(rig) -> None:
    ours = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    theirs = await _file(rig, "望江花园2栋广场舞音响太吵", "望江花园2栋")
    admin = await login_as(rig, "admin", ADMIN_ID)
    zhao = await login_as(rig, "worker", rig.ids["赵主任"])
    wang = await login_as(rig, "worker", rig.ids["王五"])
    try:
        page = (await admin.get("/console/"))[1]
        assert ours in page and theirs in page
        page = (await zhao.get("/console/"))[1]
        assert ours in page and theirs not in page
        page = (await wang.get("/console/"))[1]
        assert theirs in page and ours not in page
        # The other community's case, by its number: not found, the same as a number that does not exist.
        assert (await zhao.get(f"/console/case/{theirs}"))[0] == 404
        page = (await zhao.get(f"/console/?q={theirs}"))[1]
        assert "没有符合条件的案件" in page and f"/console/case/{theirs}" not in page
        status, page = await zhao.get(f"/console/case/{ours}")
        assert status == 200 and "3栋楼上半夜装修电钻声" in page
    finally:
        for c in (admin, zhao, wang):
            await c.close()


async def test_search_by_number_opens_the_case_and_filters_count(rig) -> None:
    first = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    await _file(rig, "楼道里有很浓的煤气味", "梨园小区3栋", urgent=True)
    admin = await login_as(rig, "admin", ADMIN_ID)
    try:
        async with admin.http.get(f"{rig.url}/console/?q={first}", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == f"/console/case/{first}"
        page = (await admin.get("/console/?q=煤气"))[1]
        assert "煤气味" in page and "电钻" not in page
        page = (await admin.get("/console/?urgent=1"))[1]
        assert "煤气味" in page and "电钻" not in page
        assert re.search(r"紧急 1</a>", page) and re.search(r"待办（未办结） 2</a>", page)
        page = (await admin.get("/console/?state=resolved"))[1]
        assert "没有符合条件的案件" in page
        page = (await admin.get("/console/?since=not-a-day&state=bogus&page=-3"))[1]
        assert "看不懂的条件已忽略" in page and "电钻" in page  # bad values dropped, the rest still served
    finally:
        await admin.close()


async def test_reassign_pushes_the_new_worker_and_tells_the_old_one(rig) -> None:
    number = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    case = await rig.app.cases.find_case(number)
    holder, other = (ZHANG, "李四") if case.assignee_external_id == ZHANG else (LI, "张三")
    zhao = await login_as(rig, "worker", rig.ids["赵主任"])
    try:
        page = (await zhao.get(f"/console/case/{number}"))[1]
        assert f"{other}（梨园社区第一网格，在办 0 件）" in page and "在办 1 件" in page
        status, where = await zhao.post(f"/console/case/{number}/assign", {"worker_id": str(rig.ids[other])})
        assert status == 303 and where == f"/console/case/{number}?done=assign"
        assert (await rig.app.cases.find_case(number)).assignee_name == other
        new_chat = ZHANG if other == "张三" else LI
        assert any("【改派】" in t and number in t for t in await _pushes(rig, new_chat))
        assert any("已由派单员改派给" in t for t in await _pushes(rig, holder))
        # The resident hears what the chat says after a 改派 by a dispatcher.
        assert any(f"案件 {number}）已改由另一位" in t for t in await _pushes(rig, RESIDENT))
        page = (await zhao.get(f"/console/case/{number}?done=assign"))[1]
        assert "改派" in page and "赵主任" in page  # the timeline names who acted
    finally:
        await zhao.close()


async def test_a_dispatcher_cannot_act_on_another_communitys_case(rig) -> None:
    theirs = await _file(rig, "望江花园2栋广场舞音响太吵", "望江花园2栋")
    ours = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    before = await rig.app.cases.find_case(theirs)
    zhao = await login_as(rig, "worker", rig.ids["赵主任"])
    try:
        for action, fields in (("assign", {"worker_id": str(rig.ids["张三"])}), ("note", {"text": "x"}),
                               ("supervise", {"note": "快"}), ("category", {"intent": "parking"}),
                               ("escalate", {"reason": "x"}), ("merge", {"into": ours})):
            status, _ = await zhao.post(f"/console/case/{theirs}/{action}", fields)
            assert status == 404, action
        status, page = await zhao.post(f"/console/case/{ours}/merge", {"into": theirs})  # into a case it cannot see
        assert status == 404 and "找不到案件" in page
        after = await rig.app.cases.find_case(theirs)
        assert (after.state, after.assignee_id, after.intent) == (before.state, before.assignee_id, before.intent)
        assert len(await rig.app.cases.events(before.id)) == len(await rig.app.cases.events(after.id))
    finally:
        await zhao.close()


async def test_category_change_is_kept_as_a_correction(rig) -> None:
    number = await _file(rig, "楼下车位被人占了好几天", "梨园小区3栋")
    admin = await login_as(rig, "admin", ADMIN_ID)
    try:
        await admin.get(f"/console/case/{number}")
        status, _ = await admin.post(f"/console/case/{number}/category", {"intent": "parking"})
        assert status == 303
        case = await rig.app.cases.find_case(number)
        assert case.intent == "parking"
        async with rig.app.cases.db.session() as s:
            labels = (await s.execute(select(CaseLabel.intent, CaseLabel.source).where(CaseLabel.case_id == case.id))).all()
        assert ("parking", "corrected") in labels
        assert ("楼下车位被人占了好几天", "parking", "corrected", number) in await rig.app.cases.confirmed_examples()
        status, page = await admin.post(f"/console/case/{number}/category", {"intent": "no_such_thing"})
        assert status == 400 and "没有这个类别" in page
        page = (await admin.get(f"/console/case/{number}"))[1]
        assert "改类" in page and "噪声扰民 → 停车秩序" in page
    finally:
        await admin.close()


async def test_supervise_merge_escalate_note(rig) -> None:
    number = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    twin = await _file(rig, "三栋半夜还在装修", "梨园小区3栋", resident=NEIGHBOUR)
    holder = (await rig.app.cases.find_case(number)).assignee_external_id
    zhao = await login_as(rig, "worker", rig.ids["赵主任"])
    try:
        await zhao.get(f"/console/case/{number}")
        assert (await zhao.post(f"/console/case/{number}/supervise", {"note": "请今天处理"}))[0] == 303
        assert any("【督办】" in t and "第 1 次" in t and "请今天处理" in t for t in await _pushes(rig, holder))
        assert "督办</dt><dd>1 次" in (await zhao.get(f"/console/case/{number}"))[1]
        assert (await zhao.post(f"/console/case/{twin}/merge", {"into": number}))[0] == 303
        merged, kept = await rig.app.cases.find_case(twin), await rig.app.cases.find_case(number)
        assert merged.state == "cancelled" and NEIGHBOUR in kept.supporter_external_ids and kept.supporter_count == 1
        assert any(f"已合并到 {number}" in t for t in await _pushes(rig, NEIGHBOUR))
        assert (await zhao.post(f"/console/case/{number}/note", {"text": "已电话联系居民"}))[0] == 303
        assert not any("已电话联系居民" in t for t in await _pushes(rig, RESIDENT))  # internal: nobody is told
        assert (await zhao.post(f"/console/case/{number}/escalate", {"reason": "需要街道协调"}))[0] == 303
        up = await rig.app.cases.find_case(number)
        assert (up.level, up.assignee_name) == ("community", "赵主任")  # one level up: the community's dispatcher
        assert any("已升级至社区督办" in t for t in await _pushes(rig, RESIDENT))
        status, page = await zhao.post(f"/console/case/{number}/note", {"text": "   "})
        assert status == 400 and "备注不能为空" in page
    finally:
        await zhao.close()


async def test_read_only_roles_and_csrf(rig) -> None:
    number = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    zhang = await login_as(rig, "worker", rig.ids["张三"])
    zhao = await login_as(rig, "worker", rig.ids["赵主任"])
    try:
        page = (await zhang.get(f"/console/case/{number}"))[1]
        assert "只能查看" in page and 'action="/console/case/' not in page
        assert (await zhang.post(f"/console/case/{number}/note", {"text": "x"}))[0] == 403
        await zhao.get(f"/console/case/{number}")
        before = len(await rig.app.cases.events((await rig.app.cases.find_case(number)).id))
        assert (await zhao.post(f"/console/case/{number}/note", {"text": "x"}, csrf=None))[0] == 403
        assert (await zhao.post(f"/console/case/{number}/note", {"text": "x"}, csrf="forged"))[0] == 403
        assert len(await rig.app.cases.events((await rig.app.cases.find_case(number)).id)) == before
    finally:
        await zhang.close()
        await zhao.close()


async def test_contact_details_only_to_who_handles_the_case(rig) -> None:
    await rig.app.cases.ensure_resident(RESIDENT, name="王阿姨")
    await rig.app.cases.set_phone(RESIDENT, "13800001111", consent=True)
    number = await _file(rig, "3栋楼上半夜装修电钻声", "梨园小区3栋")
    case = await rig.app.cases.find_case(number)
    holder, bystander = ("张三", "李四") if case.assignee_external_id == ZHANG else ("李四", "张三")
    clients = {name: await login_as(rig, "worker", rig.ids[name]) for name in ("赵主任", holder, bystander)}
    try:
        assert "13800001111" in (await clients["赵主任"].get(f"/console/case/{number}"))[1]
        assert "13800001111" in (await clients[holder].get(f"/console/case/{number}"))[1]
        page = (await clients[bystander].get(f"/console/case/{number}"))[1]
        assert "13800001111" not in page and "王阿姨" not in page and "仅处理人可见" in page
    finally:
        for c in clients.values():
            await c.close()


async def test_hostile_input_is_escaped(rig) -> None:
    number = await _file(rig, '<script>alert("x")</script>楼上装修', '梨园小区3栋"><img src=x onerror=alert(1)>')
    admin = await login_as(rig, "admin", ADMIN_ID)
    try:
        page = (await admin.get(f"/console/case/{number}"))[1]
        assert "<script>alert" not in page and "&lt;script&gt;" in page and "<img src=x" not in page
        page = (await admin.get('/console/?q=<b>"x"</b>'))[1]
        assert '<b>"x"</b>' not in page
        status, _ = await admin.get("/console/case/" + "9" * 500)
        assert status == 404
    finally:
        await admin.close()


async def test_urgent_first_then_by_deadline_across_pages(rig) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.web.console.queue_query import QueueFilter, queue_page
    from bot.web.console.staff import Staff

    t0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    made = []
    for i, (urgent, hours) in enumerate([(False, 50), (True, 30), (False, 10), (True, 5), (False, 70), (False, 20),
                                         (True, 60), (False, 40)]):
        draft = ReportDraft(resident_external_id=RESIDENT + i, intent="noise", text=f"第{i}件", deadline_hours=hours,
                            address="梨园小区3栋", urgent=urgent)
        case = await rig.app.cases.file_case(draft, now=t0)  # an urgent case's deadline is the urgent one
        made.append((urgent, (case.deadline_at - t0).total_seconds() / 3600, case.number, case.id))
    expected = [n for _, _, n, _ in sorted(made, key=lambda m: (not m[0], m[1], m[3]))]
    admin = Staff("admin", ADMIN_ID, "管理员", "admin", user_id=ADMIN_ID)
    seen = []
    async with rig.app.cases.db.session() as s:
        for page in (1, 2, 3):
            result = await queue_page(s, admin, QueueFilter(page=page), now=t0, timezone="Asia/Shanghai", page_size=3)
            seen += [r.number for r in result.rows]
            assert (result.total, result.pages, result.flags["urgent"]) == (8, 3, 3)
        only_urgent = await queue_page(s, admin, QueueFilter(urgent=True), now=t0, timezone="Asia/Shanghai", page_size=3)
        late = await queue_page(s, admin, QueueFilter(overdue=True), now=t0 + timedelta(hours=35),
                                timezone="Asia/Shanghai")
    assert seen == expected  # urgent by deadline, then the rest by deadline, none twice or lost at page edges
    assert [r.number for r in only_urgent.rows] == expected[:3]
    assert {r.number for r in late.rows} == {n for _, h, n, _ in made if h < 35} and late.flags["overdue"] == 5


async def test_the_queue_query_on_both_databases(case_service) -> None:
    """The same filters on SQLite and PostgreSQL (dates, words with LIKE's own characters, flags, scope)."""
    from datetime import UTC, date, datetime, timedelta

    from bot.web.console.queue_query import QueueFilter, queue_page
    from bot.web.console.staff import Staff

    s = case_service
    t0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    reports = [("楼上装修100%吵", "梨园小区3栋", False), ("车位被占_好几天", "望江花园2栋", False),
               ("煤气味很浓", "梨园小区3栋", True)]
    for i, (text, address, urgent) in enumerate(reports):
        await s.file_case(ReportDraft(resident_external_id=RESIDENT + i, intent="noise", text=text, deadline_hours=24,
                                      address=address, urgent=urgent), now=t0 + timedelta(days=i))
    admin = Staff("admin", ADMIN_ID, "管理员", "admin", user_id=ADMIN_ID)
    liyuan = Staff("worker", 1, "派单员", "community", community_id="liyuan")

    async def numbers(staff: Staff, **f: object) -> tuple[int, dict[str, int]]:
        async with s.db.session() as session:
            page = await queue_page(session, staff, QueueFilter(**f), now=t0 + timedelta(days=5), timezone="Asia/Shanghai")
        return page.total, page.flags

    assert await numbers(admin) == (3, {"urgent": 1, "overdue": 3, "unassigned": 3})
    assert (await numbers(liyuan))[0] == 2
    assert (await numbers(admin, q="100%"))[0] == 1 and (await numbers(admin, q="_"))[0] == 1  # wildcards are literal
    assert (await numbers(admin, since=date(2026, 3, 10), until=date(2026, 3, 10)))[0] == 1
    assert (await numbers(admin, category="parking"))[0] == 0
    assert (await numbers(liyuan, urgent=True, unassigned=True))[0] == 1
