"""Case filing throughput: N residents report at once through the case service (route + number + assign + outbox).

    .venv/bin/python benchmarks/bench_cases.py [N] [DATABASE_URL]

Defaults: 200 reports on a temporary SQLite file. Prints reports/s and p50/p95 latency per report, then the
reference: the very rows those filings wrote (resident, the day's counter, case, its word-index pairs, its
events, its outbox messages), inserted with bare SQLAlchemy Core statements built once into a second database
of the same schema and the same workers, one transaction per report through the same `Database.transaction`
(the same write queue and commits), N at once. The ratio filing/bare is the figure (target ≥ 0.8); the machine
may be shared.

The reference once left out two of the rows every filing writes (the day's counter upsert and the case's
`case_word` pairs: ~20 rows per case) and built a new INSERT per row: it measured less work than filing does,
and more SQLAlchemy than a bare insert needs. Both are fixed: the same rows, each statement built once.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("PYTHONPATH"):  # PYTHONPATH=/other/checkout measures that checkout's code with this script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from bot.cases.service import CaseService, open_service
from bot.cases.views import ReportDraft
from bot.settings import load_settings
from storage.engine import next_sequence
from storage.models import Case, CaseEvent, CaseWord, OutboxMessage, Resident, Worker

ADDRESSES = ["梨园小区3栋", "梨园新村10号楼", "翠竹园5-2-301", "望江花园6栋", "江景华亭2号楼", "丹桂里3栋", "梨园", "不知道"]


async def main(n: int, url: str) -> None:
    service = await open_service(load_settings(database_url=url, _env_file=None))
    for grid in ("liyuan-01", "liyuan-02", "liyuan-03", "wangjiang-01", "wangjiang-02", "guihua-02"):
        invite = await service.create_invite(f"{grid}网格员", grid_id=grid)
        await service.bind_worker(invite.code, hash(grid) % 10**9)
    latencies: list[float] = []

    async def one(i: int) -> str:
        start = time.perf_counter()
        case = await service.file_case(ReportDraft(resident_external_id=10_000 + i, intent="noise", deadline_hours=24,
                                                   text=f"楼上装修太吵了 第{i}次", address=ADDRESSES[i % len(ADDRESSES)]))
        latencies.append(time.perf_counter() - start)
        return case.number

    t0, cpu0 = time.perf_counter(), time.process_time()
    numbers = await asyncio.gather(*(one(i) for i in range(n)))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    assert len(set(numbers)) == n, "duplicate case numbers!"
    latencies.sort()
    print(f"database: {service.db.dialect}  reports: {n}  wall: {elapsed:.2f}s  throughput: {n / elapsed:.0f} reports/s")
    print(f"latency per report: p50 {statistics.median(latencies) * 1000:.0f} ms  "
          f"p95 {latencies[int(0.95 * (n - 1))] * 1000:.0f} ms  (all numbers unique)")
    print(f"outbox: {await service.outbox.counts()}")
    rows = await rows_of_filings(service)
    workers = await rows_of(service, Worker)
    await service.close()
    bare, bare_cpu = await bare_inserts(rows, workers, url.replace("bench.db", "bare.db"))
    print(f"bare SQLAlchemy insert of the same rows: {n / bare:.0f} reports/s → filing is {bare / elapsed:.2f}× its "
          f"rate (target ≥ 0.8)")
    print(f"CPU per report (this process, all threads; a shared machine disturbs it less): filing "
          f"{cpu / n * 1000:.2f} ms, bare insert {bare_cpu / n * 1000:.2f} ms → {bare_cpu / cpu:.2f}×")


async def rows_of_filings(service: CaseService) -> list[dict[str, list[dict[str, object]]]]:
    """Per case: the rows its filing wrote, as column → value dicts."""
    def plain(obj: object) -> dict[str, object]:
        return {c.name: getattr(obj, c.name) for c in obj.__table__.columns if c.name != "id"}  # type: ignore[attr-defined]

    async with service.db.session() as s:
        cases = (await s.execute(select(Case))).scalars().all()
        residents = {r.id: r for r in (await s.execute(select(Resident))).scalars()}
        events = (await s.execute(select(CaseEvent))).scalars().all()
        outbox = (await s.execute(select(OutboxMessage))).scalars().all()
        words = (await s.execute(select(CaseWord.__table__))).all()
    out = []
    for c in cases:
        out.append({"resident": [plain(residents[c.resident_id])], "case": [plain(c)],
                    "events": [plain(e) for e in events if e.case_id == c.id],
                    "words": [{"first_char": w.first_char, "next_char": w.next_char} for w in words if w.case_id == c.id],
                    "outbox": [plain(m) for m in outbox if m.case_id == c.id]})
    return out


async def rows_of(service: CaseService, model: type) -> list[dict[str, object]]:
    """Every row of `model`'s table, ids included (the reference database gets the same workers)."""
    async with service.db.session() as s:
        return [dict(r._mapping) for r in (await s.execute(select(model.__table__))).all()]  # type: ignore[attr-defined]


async def bare_inserts(rows: list[dict[str, list[dict[str, object]]]], workers: list[dict[str, object]],
                       url: str) -> tuple[float, float]:
    """Seconds (wall, CPU) to insert `rows` into a fresh database of the same schema and workers, one transaction per filing
    (the day's counter taken as filing takes it), all at once; every statement built once, run with parameters."""
    service = await open_service(load_settings(database_url=url, _env_file=None))
    db = service.db
    async with db.transaction() as s:
        await s.execute(insert(Worker.__table__), workers)
    resident_insert = insert(Resident.__table__).returning(Resident.__table__.c.id)
    case_insert = insert(Case.__table__).returning(Case.__table__.c.id)
    event_insert, word_insert = insert(CaseEvent.__table__), insert(CaseWord.__table__)
    outbox_insert = insert(OutboxMessage.__table__)

    async def one(filing: dict[str, list[dict[str, object]]]) -> None:
        async with db.transaction() as s:
            conn = await s.connection()
            resident_id = (await conn.execute(resident_insert, filing["resident"][0])).scalar()
            case_row = filing["case"][0]
            await next_sequence(s, str(case_row["number"])[:8])
            case_id = (await conn.execute(case_insert, dict(case_row, resident_id=resident_id))).scalar()
            await conn.execute(word_insert, [dict(w, case_id=case_id) for w in filing["words"]])
            if filing["events"]:
                await conn.execute(event_insert, [dict(e, case_id=case_id) for e in filing["events"]])
            if filing["outbox"]:
                await conn.execute(outbox_insert, [dict(m, case_id=case_id) for m in filing["outbox"]])

    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(f) for f in rows))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    await service.close()
    return elapsed, cpu


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        target = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.db"
        asyncio.run(main(count, target))
