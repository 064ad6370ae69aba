"""`CaseService.search_cases` (what `GET requests` reads): every filter, newest first, and views identical to
`get_case`'s though built in four queries for the whole page (assignees, filers and supporters loaded at once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bot.cases.service import CaseService
from bot.cases.views import ReportDraft

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def test_search_filters_and_batched_views(case_service: CaseService) -> None:
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, 1901)
    filed = []
    for i, (resident, intent, text) in enumerate(((501, "noise", "3栋楼上装修电钻太吵"), (502, "parking", "消防通道被堵"),
                                                  (503, "noise", "半夜KTV唱歌很吵"))):
        filed.append(await s.file_case(ReportDraft(resident_external_id=resident, intent=intent, text=text,
                                                   deadline_hours=48, address="梨园小区3栋"), now=T0 + timedelta(hours=i)))
    [offered] = await s.find_duplicates("noise", "3栋楼上装修电钻声音太吵", "liyuan-01", now=T0 + timedelta(hours=3),
                                        exclude_resident=504, offer_to=504)
    await s.support(offered.id, 504, now=T0 + timedelta(hours=3))
    await s.accept(filed[1].id, 1901, now=T0 + timedelta(hours=4))
    await s.resolve(filed[1].id, 1901, "已挪车", now=T0 + timedelta(hours=4))

    queries: list[str] = []

    def count(*args: object) -> None:
        queries.append(str(args[2]))

    event.listen(s.db.engine.sync_engine, "before_cursor_execute", count)
    found = await s.search_cases()
    event.remove(s.db.engine.sync_engine, "before_cursor_execute", count)
    assert [c.number for c in found] == [c.number for c in filed[::-1]]
    assert found == [await s.get_case(c.id) for c in filed[::-1]]
    assert found[2].supporter_external_ids == (504,) and found[2].assignee_name == "王网格"
    assert len([q for q in queries if q.lstrip().upper().startswith("SELECT")]) <= 4

    numbers = [c.number for c in filed]
    assert [c.number for c in await s.search_cases(intents=["noise"])] == [numbers[2], numbers[0]]
    assert [c.number for c in await s.search_cases(states=["resolved", "rated"])] == [numbers[1]]
    assert [c.number for c in await s.search_cases(numbers=[numbers[0], "20990101-0001"])] == [numbers[0]]
    assert [c.number for c in await s.search_cases(since=T0 + timedelta(minutes=30), until=T0 + timedelta(hours=2))] \
        == [numbers[1]]
    assert [c.number for c in await s.search_cases(resident_external_id=503)] == [numbers[2]]
    assert await s.search_cases(resident_external_id=999) == []
    assert [c.number for c in await s.search_cases(limit=1)] == [numbers[2]]
