"""`bot.cases.hotspots` and the figures' scope and weekly trend, on SQLite and PostgreSQL: counted by the
database, limited by a WHERE clause on `Case`, weeks named by their local Monday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fixtures_db import case_service, database_url, pg_server  # noqa: F401

from bot.cases.hotspots import building_of
from bot.cases.views import ReportDraft
from storage.models import Case

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
ZONE = ZoneInfo("Asia/Shanghai")


def test_a_building_is_the_address_up_to_its_number() -> None:
    assert building_of("梨园小区3栋2单元501") == "梨园小区3栋"
    assert building_of("梨园小区 三栋") == building_of("梨园小区3号楼") == building_of("梨园小区3#") == "梨园小区3栋"
    assert building_of("3-2-501 梨园小区") == "梨园小区3栋"
    assert building_of("梨园农贸市场") == "梨园农贸市场"


def _draft(n: int, address: str, grid: str, intent: str = "noise") -> ReportDraft:
    return ReportDraft(resident_external_id=1500 + n, intent=intent, text=f"第{n}次", deadline_hours=24,
                       address=address, grid_id=grid)


async def test_hotspots_and_the_trend_follow_the_scope(case_service) -> None:  # noqa: F811
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, 8_400_001)
    first = await s.file_case(_draft(1, "梨园小区3栋", "liyuan-01"), now=T0)
    await s.file_case(_draft(2, "梨园小区3栋2单元", "liyuan-01"), now=T0 + timedelta(days=1))
    await s.file_case(_draft(3, "梨园小区3栋", "liyuan-01", "fumes_odor"), now=T0 + timedelta(days=8))
    await s.file_case(_draft(4, "望江花园5栋", "wangjiang-01"), now=T0 + timedelta(days=8))
    await s.resolve(first.id, 8_400_001, "已处理", now=T0 + timedelta(hours=5))
    await s.rate(first.id, 1501, "unsatisfied", now=T0 + timedelta(hours=6))  # 重办

    now = T0 + timedelta(days=20)
    since, until = T0 - timedelta(days=1), T0 + timedelta(days=14)
    found = await s.hotspots(since=since, until=until, now=now)
    assert found.total == 4
    assert [(b.name, b.cases) for b in found.buildings[:2]] == [("梨园小区3栋", 3), ("望江花园5栋", 1)]
    assert [(a.name, a.cases) for a in found.repeat_addresses] == [("梨园小区3栋", 2)]
    assert [c.number for c in found.reopened] == [first.number] and found.reopened_count == 1
    assert found.overdue_count == 4  # all open past their 24 hours by `now` (the reopened one too)
    liyuan = next(g for g in found.by_grid if g.key == "liyuan-01")
    assert (liyuan.cases, liyuan.reopened, liyuan.grids) == (3, 1, ["噪声扰民"])

    only_liyuan = await s.hotspots(since=since, until=until, now=now, where=Case.community_id == "liyuan")
    assert only_liyuan.total == 3 and all(b.name != "望江花园5栋" for b in only_liyuan.buildings)

    mondays = [datetime(2026, 11, 2, tzinfo=ZONE) + timedelta(weeks=i) for i in range(3)]
    stats, weeks = await s.figures_and_trend(since=since, until=until, week_starts=mondays,
                                             trend_until=mondays[-1] + timedelta(weeks=1), now=now,
                                             where=Case.community_id == "liyuan")
    assert stats.total.cases == 3 and {g.id for g in stats.by_grid} == {"liyuan-01"}
    assert [(w.name, w.cases) for w in weeks] == [("11-02", 2), ("11-09", 1), ("11-16", 0)]
    assert weeks[0].resolved == 0  # the resolved one was reopened
    everyone = await s.stats(since=since, until=until, now=now)
    assert everyone.total.cases == 4 and stats.total.cases < everyone.total.cases
