"""Lists cost a fixed number of statements whatever their length (no N+1 through the views), and the hot
lookups (a worker's open load, a resident's /my) are answered from indexes, not by reading the table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from bot.cases.core import open_loads_query
from bot.cases.queries import my_cases_query
from bot.cases.service import CaseService
from bot.cases.views import ReportDraft

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
WORKER, DISPATCHER, RESIDENT, NEIGHBOUR = 1901, 2901, 901, 902


@contextmanager
def counted(service: CaseService) -> Iterator[list[str]]:
    """Every SQL statement the service's engine runs inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    engines = {service.db.engine.sync_engine, service.db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def file_many(service: CaseService, count: int, start: int) -> None:
    for i in range(start, start + count):
        draft = ReportDraft(resident_external_id=RESIDENT, intent="noise", text="楼下广场舞噪音太大每天晚上都跳",
                            deadline_hours=48, address="梨园小区3栋")
        case = await service.file_case(draft, now=T0 + timedelta(minutes=i))
        if i % 2:
            offered = await service.find_duplicates("noise", case.text, case.grid_id, now=T0 + timedelta(minutes=i),
                                                    offer_to=NEIGHBOUR, limit=1)
            assert [c.id for c in offered] == [case.id]
            await service.support(case.id, NEIGHBOUR, now=T0 + timedelta(minutes=i, seconds=30))


async def list_costs(service: CaseService) -> tuple[int, int, int]:
    with counted(service) as tasks:
        listed = await service.tasks_of_worker(WORKER)
    with counted(service) as mine:
        own = await service.cases_of_resident(RESIDENT, limit=50)
    with counted(service) as queue:
        await service.tasks_of_worker(DISPATCHER)
    assert listed and own and all(c.resident_external_id == RESIDENT for c in own)
    assert any(c.supporter_external_ids == (NEIGHBOUR,) for c in listed)
    return len(tasks), len(mine), len(queue)


async def test_task_and_case_lists_cost_the_same_for_3_cases_as_for_20(case_service: CaseService) -> None:
    s = case_service
    worker = await s.bind_worker((await s.create_invite("王网格", grid_id="liyuan-01")).code, WORKER)
    await s.bind_worker((await s.create_invite("赵主任", community_id="liyuan")).code, DISPATCHER)
    await file_many(s, 3, 0)
    small = await list_costs(s)
    await file_many(s, 17, 3)
    large = await list_costs(s)
    assert large == small, f"statements grew with the list: {small} → {large}"
    assert max(large) <= 5
    assert len(await s.tasks_of_worker(WORKER)) == 20 and worker.id is not None


async def test_reads_do_not_wait_for_a_writer_on_sqlite(case_service: CaseService) -> None:
    """While a filing holds SQLite's write lock, /my and /tasks still answer (WAL snapshot, no BEGIN IMMEDIATE)."""
    import asyncio

    s = case_service
    await s.bind_worker((await s.create_invite("王网格", grid_id="liyuan-01")).code, WORKER)
    await file_many(s, 2, 0)
    if s.db.dialect != "sqlite":
        return
    async with s.db.transaction() as writer:  # holds the write lock until the block ends
        await writer.execute(text("UPDATE \"case\" SET urgent = urgent"))
        mine = await asyncio.wait_for(s.cases_of_resident(RESIDENT), 5)
        tasks = await asyncio.wait_for(s.tasks_of_worker(WORKER), 5)
    assert len(mine) == 2 and len(tasks) == 2
    async with s.db.reader() as reader:
        try:
            await reader.execute(text("UPDATE \"case\" SET urgent = urgent"))
        except Exception as exc:  # the read-only path refuses writes instead of taking the lock
            assert "readonly" in str(exc).replace(" ", "").lower() or "read-only" in str(exc).lower()
        else:
            raise AssertionError("a write went through the read-only session")


async def _plan(service: CaseService, statement: Any) -> str:
    """The database's plan for the very statement the code runs (literal values bound in)."""
    async with service.db.session() as session:
        sql = str(statement.compile(dialect=session.bind.dialect, compile_kwargs={"literal_binds": True}))
        if service.db.dialect == "sqlite":
            rows = (await session.execute(text("EXPLAIN QUERY PLAN " + sql))).all()
            return "\n".join(str(r[-1]) for r in rows)
        await session.execute(text("SET LOCAL enable_seqscan = off"))  # tiny tables: ask whether an index *can* serve
        rows = (await session.execute(text("EXPLAIN " + sql))).all()
        return "\n".join(str(r[0]) for r in rows)


def full_scans(plan: str) -> list[str]:
    """Lines of a plan that read a whole table (SQLite: `SCAN <table>` without an index; PostgreSQL: Seq Scan)."""
    return [line for line in plan.splitlines()
            if "Seq Scan" in line or (line.strip().startswith("SCAN ") and "INDEX" not in line)]


async def test_open_load_and_my_cases_are_served_by_indexes(case_service: CaseService) -> None:
    s = case_service
    await s.bind_worker((await s.create_invite("王网格", grid_id="liyuan-01")).code, WORKER)
    await file_many(s, 3, 0)
    load = await _plan(s, open_loads_query([1, 2]))
    assert "ix_case_assignee_state" in load and not full_scans(load), load
    mine = await _plan(s, my_cases_query(1, 10))
    assert not full_scans(mine), mine
    assert "ix_case_supporter_resident" in mine, mine
