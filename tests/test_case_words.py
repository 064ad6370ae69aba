"""The word index behind the console's word search (`storage.words`): on SQLite and PostgreSQL, a search through
the index finds exactly the cases a plain LIKE over every text, address and number finds — for one-character
words, long words, ASCII letters, digits of case numbers, text changed by 补充, and rows bulk-inserted then
indexed by `index_missing`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bot.cases.views import ReportDraft
from bot.web.console.queue_query import QueueFilter, queue_page
from bot.web.console.staff import Staff
from storage.models import Case, CaseWord, Resident
from storage.words import index_missing, pairs_of, word_pairs

T0 = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
REPORTS = [("楼上装修太吵，晚上十点还在敲", "梨园小区3栋"), ("车位被占 好几天了", "望江花园2栋"),
           ("Noise from KTV 楼下", "翠竹苑12栋"), ("漏水漏到楼下", None), ("路灯不亮😡", "桂花苑1-2-301"),
           ("100%的人都说吵", "丹桂里"), ("垃圾", "梨园小区3栋 东门")]
WORDS = ["吵", "楼下", "装修太吵", "晚上十点还在敲", "3栋", "ktv", "KTV", "Noise", "😡", "100%", "2-301", "东门",
         "垃", "圾", "桂花苑1-2", "没有的词", "下", "0", "-", "楼 吵"]


def _like(value: str, word: str, dialect: str) -> bool:
    """What LIKE '%word%' says on this database: SQLite folds ASCII letters, PostgreSQL compares them as they are."""
    if dialect == "sqlite":
        return word.lower() in value.lower()  # the test words are ASCII or CJK: lower() is SQLite's folding here
    return word in value


ADMIN = Staff("admin", 9001, "管理员", "admin", user_id=9001)


async def _search(service, q: str, staff: Staff = ADMIN) -> set[str]:
    async with service.db.session() as s:
        page = await queue_page(s, staff, QueueFilter(state="all", q=q), now=T0, timezone="Asia/Shanghai",
                                page_size=100)
    return {r.number for r in page.rows}


async def _expected(service, q: str, community: str | None = None) -> set[str]:
    async with service.db.session() as s:
        rows = (await s.execute(select(Case.number, Case.text, Case.address, Case.community_id))).all()
    words = q.split()
    return {n for n, text, address, where in rows if community in (None, where)
            and all(any(_like(v or "", w, service.db.dialect) for v in (text, address, n)) for w in words)}


async def test_the_index_finds_what_a_scan_finds(case_service) -> None:
    service = case_service
    for i, (text, address) in enumerate(REPORTS):
        await service.file_case(ReportDraft(resident_external_id=8100 + i, intent="noise", text=text, deadline_hours=24,
                                            address=address), now=T0 + timedelta(hours=i))
    async with service.db.session() as s:
        some_number = (await s.execute(select(Case.number).limit(1))).scalar_one()
    for q in [*WORDS, some_number[:6], some_number[-3:]]:
        expected = await _expected(service, q)
        assert await _search(service, q) == expected, q
    assert await _search(service, "装修太吵") and not await _search(service, "没有的词")  # the oracle is not vacuous
    liyuan = Staff("worker", 1, "派单员", "community", community_id="liyuan")  # a scope written not to steer the plan
    for q in ("栋", "楼下", "3栋"):
        assert await _search(service, q, liyuan) == await _expected(service, q, "liyuan"), q
    assert await _search(service, "栋", liyuan) and await _search(service, "栋", liyuan) != await _search(service, "栋")

    # 补充 rewrites the text: the new words are found, through the index, at once.
    async with service.db.session() as s:
        first = (await s.execute(select(Case).order_by(Case.id).limit(1))).scalar_one()
    await service.supplement(first.id, 8100, "还有电钻声音", now=T0 + timedelta(hours=20))
    assert await _search(service, "电钻") == {first.number} == await _expected(service, "电钻")


async def test_bulk_inserted_cases_are_indexed_by_index_missing(case_service) -> None:
    service = case_service
    async with service.db.transaction() as s:
        resident = (await s.execute(insert(Resident).values(external_id=1, chat_id=1).returning(Resident.id))).scalar()
        await s.execute(insert(Case), [{"number": f"B{i:09d}", "intent": "noise", "text": f"第{i}件 电梯坏了",
                                        "photos": [], "resident_id": resident, "state": "filed",
                                        "deadline_at": T0, "created_at": T0, "updated_at": T0} for i in range(30)])
    assert await _search(service, "电梯") == set()  # Core inserts skip the mapper events: not indexed yet
    async with service.db.engine.begin() as conn:
        assert await conn.run_sync(index_missing) == 30
        assert await conn.run_sync(index_missing) == 0  # already indexed: nothing written twice
    assert await _search(service, "电梯") == await _expected(service, "电梯") and len(await _search(service, "电梯")) == 30
    async with service.db.session() as s:
        entries = (await s.execute(select(func.count()).select_from(CaseWord))).scalar_one()
    assert entries == sum(len(pairs_of(f"第{i}件 电梯坏了")) for i in range(30))


def test_pairs_cover_every_character_and_words_use_few_lookups() -> None:
    pairs = pairs_of("Ab 漏水", None, "楼")
    assert pairs == {("a", "b"), ("b", ""), ("漏", "水"), ("水", ""), ("楼", "")}
    assert word_pairs("吵") == [("吵", "")]
    assert word_pairs("晚上十点还在敲") == [("晚", "上"), ("十", "点"), ("在", "敲")]
    assert word_pairs("KTV") == [("k", "t"), ("t", "v")]


async def test_a_word_search_pages_urgent_first_then_by_deadline(case_service) -> None:
    service = case_service
    made = []
    for i, (urgent, hours) in enumerate([(False, 50), (True, 30), (False, 10), (True, 5), (False, 70), (True, 60)]):
        case = await service.file_case(ReportDraft(resident_external_id=8200 + i, intent="noise", text=f"电梯坏了{i}",
                                                   deadline_hours=hours, address="梨园小区3栋", urgent=urgent), now=T0)
        made.append((not urgent, case.deadline_at, case.id, case.number))
    await service.file_case(ReportDraft(resident_external_id=8299, intent="noise", text="别的事", deadline_hours=1,
                                        address="梨园小区3栋"), now=T0)
    admin = Staff("admin", 9001, "管理员", "admin", user_id=9001)
    seen = []
    async with service.db.session() as s:
        for page in (1, 2, 3, 4):
            result = await queue_page(s, admin, QueueFilter(q="电梯", page=page), now=T0, timezone="Asia/Shanghai",
                                      page_size=2)
            seen += [r.number for r in result.rows] if page <= result.pages else []
            assert (result.total, result.pages, result.flags["urgent"]) == (6, 3, 3)
    assert seen == [n for *_, n in sorted(made)]  # none lost or twice at the page edges


async def test_a_word_too_common_to_count_lists_its_first_cases_in_the_queues_order(case_service) -> None:
    """Past the search's cap the matches are not counted: the queue's index is walked in order (urgent first, then
    by deadline) and the first `cap` matches are paged through — the same cases, in the same order, as counting
    them all would have listed first."""
    service = case_service
    made = []
    for i, (urgent, hours) in enumerate([(False, 50), (True, 30), (False, 10), (True, 5), (False, 70), (True, 60)]):
        case = await service.file_case(ReportDraft(resident_external_id=8300 + i, intent="noise", text=f"电梯又坏了{i}",
                                                   deadline_hours=hours, address="梨园小区3栋", urgent=urgent), now=T0)
        made.append((not urgent, case.deadline_at, case.id, case.number))
    await service.file_case(ReportDraft(resident_external_id=8399, intent="noise", text="别的事", deadline_hours=1,
                                        address="梨园小区3栋"), now=T0)
    in_order = [n for *_, n in sorted(made)]
    liyuan = Staff("worker", 1, "派单员", "community", community_id="liyuan")
    for staff in (ADMIN, liyuan):
        for q in ("电梯", "又坏了", "电梯 坏"):
            seen = []
            async with service.db.session() as s:
                for page in (1, 2, 3, 4):
                    result = await queue_page(s, staff, QueueFilter(q=q, page=page), now=T0, timezone="Asia/Shanghai",
                                              page_size=2, search_cap=5)
                    assert (result.capped, result.total, result.pages, result.flags) == (True, 5, 3, {})
                    seen += [r.number for r in result.rows] if page <= result.pages else []
                counted = await queue_page(s, staff, QueueFilter(q=q), now=T0, timezone="Asia/Shanghai", page_size=10,
                                           search_cap=6)
            assert seen == in_order[:5], (staff.role, q)
            assert not counted.capped and counted.total == 6 and [r.number for r in counted.rows] == in_order
    async with service.db.session() as s:  # a flag narrows the walk too: the urgent ones only, by deadline
        urgent = await queue_page(s, ADMIN, QueueFilter(q="电梯", urgent=True), now=T0, timezone="Asia/Shanghai",
                                  page_size=10, search_cap=2)
    assert urgent.capped and [r.number for r in urgent.rows] == in_order[:2]


def test_an_uncounted_search_says_so_and_shows_no_numbers() -> None:
    from bot.web.console.pages.queue import _chips, _pager
    from bot.web.console.queue_query import QueuePage

    f = QueueFilter(q="处理", page=2)
    capped = QueuePage([], 5000, {}, {}, 2, 167, capped=True)
    assert "超过 5000 件" in _pager(f, capped) and "共 " not in _pager(f, capped)
    assert not re.search(r"\d", re.sub(r'href="[^"]*"', "", _chips(f, capped)))  # choices, no counts
    counted = QueuePage([], 12, {"filed": 12}, {"urgent": 1, "overdue": 0, "unassigned": 3}, 1, 1)
    assert "共 12 件" in _pager(f, counted) and "未派单 3" in _chips(f, counted).replace("</a>", "")
