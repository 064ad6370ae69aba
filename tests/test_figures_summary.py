"""The figures' per-case summary (`storage.models.FIGURE_COLUMNS`): kept on write by the case service, filled
from the events, ratings and labels by migration 0015 on a database of the release before, and read by the
figures — on SQLite and PostgreSQL.

The summary must say what the rows it summarises say: for every case, the earliest 接单 event, the number of
催办 events, of ratings (满意 / 基本满意 among them) and whether a resident_pick label exists. Both tests compare
each case's summary with those rows, counted here in SQL, and the figures with numbers worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from storage.engine import Database, alembic_config

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
FILER, OTHER = 4401, 4402
WORKER_A, WORKER_B = 4501, 4502

#: Each case's summary as its events, ratings and labels say it (what migration 0015 fills in).
_DERIVED = """
SELECT c.id,
       (SELECT min(e.at) FROM case_event e WHERE e.case_id = c.id AND e.action = 'accept'),
       (SELECT count(*) FROM case_event e WHERE e.case_id = c.id AND e.action = 'urge'),
       (SELECT count(*) FROM rating r WHERE r.case_id = c.id),
       (SELECT count(*) FROM rating r WHERE r.case_id = c.id AND r.score = 'satisfied'),
       (SELECT count(*) FROM rating r WHERE r.case_id = c.id AND r.score = 'basic'),
       EXISTS (SELECT 1 FROM case_label l WHERE l.case_id = c.id AND l.source = 'resident_pick')
FROM "case" c ORDER BY c.id"""
_KEPT = """SELECT id, first_accepted_at, urge_count, rating_count, satisfied_count, basic_count, picked
FROM "case" ORDER BY id"""


def _normal(rows: list[tuple]) -> list[tuple]:
    """Timestamps as naive UTC seconds and flags as bools: SQLite hands back text and 0/1."""
    def value(v: object) -> object:
        if isinstance(v, str) and v[:2] == "20":
            v = datetime.fromisoformat(v)
        if isinstance(v, datetime):
            return v.replace(tzinfo=None, microsecond=0)
        return v
    return [(r[0], value(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), bool(r[6])) for r in rows]


async def _rows(db: Database, sql: str) -> list[tuple]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def test_the_service_keeps_each_cases_summary_as_its_events_and_ratings_say(case_service: CaseService) -> None:
    s = case_service
    await s.bind_worker((await s.create_invite("甲网格", grid_id="liyuan-01")).code, WORKER_A)

    def draft(words: str, **extra: object) -> ReportDraft:
        return ReportDraft(resident_external_id=FILER, intent="noise", text=words, deadline_hours=72,
                           address="梨园小区1栋", grid_id="liyuan-01", **extra)  # type: ignore[arg-type]

    picked = await s.file_case(draft("楼上装修吵", confirmed_by="resident_pick"), now=T0)
    plain = await s.file_case(draft("半夜唱歌"), now=T0 + timedelta(hours=1))
    first = picked.id  # both went to 甲, the grid's one worker
    await s.accept(first, WORKER_A, now=T0 + timedelta(minutes=30))  # the first 接单: within 2 hours
    await s.urge(first, FILER, now=T0 + timedelta(hours=1))
    b = await s.bind_worker((await s.create_invite("乙网格", grid_id="liyuan-01")).code, WORKER_B)
    await s.assign(first, b.id, now=T0 + timedelta(hours=2))  # 改派 clears accepted_at, not the first 接单
    await s.accept(first, WORKER_B, now=T0 + timedelta(hours=3))
    await s.resolve(first, WORKER_B, "已劝导", now=T0 + timedelta(hours=4))
    await s.rate(first, FILER, "unsatisfied", now=T0 + timedelta(hours=5))  # 重办: a new round, 催办 again
    await s.urge(first, FILER, now=T0 + timedelta(hours=6))
    await s.resolve(first, WORKER_B, "再次处理", now=T0 + timedelta(hours=8))  # implicit 接单 at 8 h: not the first
    await s.rate(first, FILER, "basic", now=T0 + timedelta(hours=9))

    kept = _normal(await _rows(s.db, _KEPT))
    assert kept == _normal(await _rows(s.db, _DERIVED))
    assert kept[0][1:] == (datetime(2026, 11, 2, 1, 30), 2, 2, 0, 1, True)
    assert kept[1][0] == plain.id and kept[1][1:] == (None, 0, 0, 0, 0, False)

    now = T0 + timedelta(days=1)
    mondays = [datetime(2026, 10, 26, tzinfo=SHANGHAI), datetime(2026, 11, 2, tzinfo=SHANGHAI)]
    stats, weeks = await s.figures_and_trend(since=T0 - timedelta(days=1), until=T0 + timedelta(days=6),
                                             week_starts=mondays, trend_until=datetime(2026, 11, 9, tzinfo=SHANGHAI),
                                             now=now)
    total = stats.total
    assert (total.cases, total.open, total.resolved, total.accepted, total.responded) == (2, 1, 1, 1, 1)
    assert (total.rated, total.satisfied, total.basic, total.picked, total.urged) == (2, 0, 1, 1, 2)
    assert total.avg_response_hours == 0.5 and total.avg_handling_hours == 8.0
    assert total.unsatisfied_reasons == {"none": 1}
    assert [w.id for w in weeks] == ["2026-10-26", "2026-11-02"]
    assert [(w.cases, w.open, w.resolved) for w in weeks] == [(0, 0, 0), (2, 1, 1)]
    assert weeks[1].avg_handling_hours == 8.0 and weeks[1].rated == 0  # a week: what the case rows say
    assert stats == await s.stats(since=T0 - timedelta(days=1), until=T0 + timedelta(days=6), now=now)


# A database of the release before 0015 (revision 0013): two cases with their events, ratings and labels.
_T = "'2026-11-30 08:00:00'"
_ROWS_0013 = [
    "INSERT INTO street (id, name) VALUES ('s1', '街道')",
    "INSERT INTO community (id, street_id, name) VALUES ('c1', 's1', '社区')",
    "INSERT INTO grid (id, community_id, name) VALUES ('g1', 'c1', '一网格')",
    "INSERT INTO worker (id, name, role, grid_id, community_id, street_id, channel, external_id, active, created_at) "
    f"VALUES (7, '王网格', 'grid', 'g1', 'c1', 's1', 'telegram', 9001, true, {_T})",
    "INSERT INTO resident (id, channel, external_id, chat_id, name, script, created_at) "
    f"VALUES (3, 'telegram', 5001, 5001, '居民甲', 'simplified', {_T})",
    *[("INSERT INTO \"case\" (id, number, intent, text, photos, resident_id, street_id, community_id, grid_id, "
       "assignee_id, level, state, urgent, deadline_hours, deadline_at, supporter_count, reopen_count, created_at, "
       f"updated_at, resolved_at, resolved_on_time) VALUES ({i}, '20261130-000{i}', 'noise', '楼上装修', '[]', 3, 's1', "
       f"'c1', 'g1', 7, 'grid', '{state}', false, 72, '2026-12-03 08:00:00', 0, {reopens}, {_T}, {_T}, {resolved})")
      for i, state, reopens, resolved in ((11, "rated", 1, "'2026-11-30 20:00:00', true"),
                                          (12, "assigned", 0, "NULL, NULL"))],
    *[f"INSERT INTO case_event (id, case_id, at, action, actor_kind) VALUES ({i}, {case}, '{at}', '{action}', 'worker')"
      for i, case, at, action in ((1, 11, "2026-11-30 08:00:00", "file"), (2, 11, "2026-11-30 09:00:00", "accept"),
                                  (3, 11, "2026-11-30 10:00:00", "urge"), (4, 11, "2026-11-30 12:00:00", "accept"),
                                  (5, 11, "2026-11-30 13:00:00", "urge"), (6, 12, "2026-11-30 08:00:00", "file"))],
    f"INSERT INTO rating (id, case_id, resident_id, score, reason, created_at) VALUES (1, 11, 3, 'unsatisfied', 'slow', {_T})",
    f"INSERT INTO rating (id, case_id, resident_id, score, created_at) VALUES (2, 11, 3, 'satisfied', {_T})",
    f"INSERT INTO case_label (id, case_id, intent, source, created_at) VALUES (1, 12, 'noise', 'resident_pick', {_T})",
    f"INSERT INTO case_label (id, case_id, intent, source, created_at) VALUES (2, 11, 'noise', 'resolved', {_T})",
]


async def test_migration_0015_summarises_the_cases_of_a_0013_database(database_url: str) -> None:
    from alembic import command

    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0013"))
            await conn.commit()
        async with db.engine.begin() as conn:
            for statement in _ROWS_0013:
                await conn.execute(text(statement))
        report = await db.prepare(load_seed=False)
        assert report.migrated_from == "0013"
        kept = _normal(await _rows(db, _KEPT))
        assert kept == _normal(await _rows(db, _DERIVED))
        assert kept == [(11, datetime(2026, 11, 30, 9, 0), 2, 2, 1, 0, False), (12, None, 0, 0, 0, 0, True)]
        service = CaseService(db)
        await service.reload_grids()
        stats = await service.stats(now=datetime(2026, 12, 1, tzinfo=UTC))
        total = stats.total
        assert (total.cases, total.resolved, total.accepted, total.responded, total.avg_response_hours) == (2, 1, 1, 1, 1.0)
        assert (total.rated, total.satisfied, total.picked, total.urged) == (2, 1, 1, 2)
        assert total.unsatisfied_reasons == {"slow": 1} and total.avg_handling_hours == 12.0
    finally:
        await db.dispose()
