"""The console's 统计 and 主动治理 at scale: N cases in the database (default 100k, over 90 days, with accept
events, ratings and picked labels), the figures of a month as the page asks for them (the table per grid,
category and worker, plus the 12-week trend), the same for a community dispatcher's scope, and the hotspots.

    .venv/bin/python benchmarks/bench_figures.py [N] [DATABASE_URL]

A DATABASE_URL that already holds cases is measured as it is (no filling): fill once, measure often.

Target (issue #16): the figures for a month of 100k cases under 500 ms. Prints the median of 5 runs.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bot.cases.service import open_service
from bot.settings import load_settings
from bot.web.console.desk import ConsoleDesk
from bot.web.console.period import parse_period
from bot.web.console.staff import Staff
from storage.models import Case, CaseEvent, CaseLabel, Rating, Resident

GRIDS = [("liyuan-01", "liyuan"), ("liyuan-02", "liyuan"), ("liyuan-03", "liyuan"), ("wangjiang-01", "wangjiang"),
         ("wangjiang-02", "wangjiang"), ("wangjiang-03", "wangjiang"), ("guihua-01", "guihua"), ("guihua-02", "guihua")]
INTENTS = ["noise", "fumes_odor", "elevator", "parking", "greening", "pets"]
ADDRESSES = ["梨园小区{}栋", "翠竹苑{}栋", "望江花园{}栋", "江景华庭{}号楼", "桂花苑{}栋", "丹桂里{}-2-301"]
DAYS = 90
CHUNK = 5000


async def fill(service, n: int, now: datetime) -> None:
    rng = random.Random(16)
    workers = []
    for grid, _community in GRIDS:
        invite = await service.create_invite(f"{grid}网格员", grid_id=grid)
        workers.append((await service.bind_worker(invite.code, 7_000_000 + len(workers))).id)
    async with service.db.transaction() as s:
        await s.execute(insert(Resident), [{"external_id": 5_000_000 + i, "chat_id": 5_000_000 + i} for i in range(2000)])
    first_resident = 1 + 0  # residents were the first rows of an empty table
    for start in range(0, n, CHUNK):
        cases, events, ratings, labels = [], [], [], []
        for i in range(start, min(n, start + CHUNK)):
            g = rng.randrange(len(GRIDS))
            created = now - timedelta(seconds=rng.randrange(DAYS * 86400))
            state = rng.choices(["resolved", "rated", "accepted", "assigned", "filed", "cancelled"], [30, 30, 15, 15, 5, 5])[0]
            deadline = created + timedelta(hours=72)
            resolved = created + timedelta(hours=rng.uniform(1, 100)) if state in ("resolved", "rated") else None
            cases.append({"id": i + 1, "number": f"B{i:09d}", "intent": rng.choice(INTENTS), "text": f"第{i}件",
                          "address": rng.choice(ADDRESSES).format(rng.randrange(1, 13)), "photos": [],
                          "resident_id": first_resident + i % 2000, "street_id": "jinhu", "community_id": GRIDS[g][1],
                          "grid_id": GRIDS[g][0], "assignee_id": workers[g] if state != "filed" else None,
                          "level": "grid", "state": state, "deadline_at": deadline, "created_at": created,
                          "updated_at": created, "resolved_at": resolved, "reopen_count": int(rng.random() < 0.03),
                          "resolved_on_time": None if resolved is None else resolved <= deadline,
                          "first_accepted_at": None, "rating_count": 0, "satisfied_count": 0, "basic_count": 0,
                          "picked": False})
            # The rows a desk writes, and the case's summary of them that the service keeps on write (FIGURE_COLUMNS).
            summary = cases[-1]
            if state in ("resolved", "rated", "accepted"):
                summary["first_accepted_at"] = created + timedelta(minutes=rng.uniform(5, 400))
                events.append({"case_id": i + 1, "at": summary["first_accepted_at"], "action": "accept",
                               "actor_kind": "worker"})
            events.append({"case_id": i + 1, "at": created, "action": "file", "actor_kind": "resident"})
            if state == "rated":
                ratings.append({"case_id": i + 1, "resident_id": first_resident + i % 2000,
                                "score": rng.choice(["satisfied", "basic", "unsatisfied"]), "created_at": created})
                summary.update(rating_count=1, satisfied_count=int(ratings[-1]["score"] == "satisfied"),
                               basic_count=int(ratings[-1]["score"] == "basic"))
            if rng.random() < 0.1:
                labels.append({"case_id": i + 1, "intent": "noise", "source": "resident_pick", "created_at": created})
                summary["picked"] = True
        async with service.db.transaction() as s:
            await s.execute(insert(Case), cases)
            await s.execute(insert(CaseEvent), events)
            if ratings:
                await s.execute(insert(Rating), ratings)
            if labels:
                await s.execute(insert(CaseLabel), labels)


async def timed(label: str, work, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = await work()
        times.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(times)
    print(f"{label:<58} median {median:7.1f} ms  (min {min(times):.1f}, max {max(times):.1f})  {result}")
    return median


async def main(n: int, url: str) -> None:
    settings = load_settings(database_url=url, _env_file=None)
    service = await open_service(settings)
    now = datetime.now(UTC)
    async with service.db.session() as s:
        present = (await s.execute(select(func.count()).select_from(Case))).scalar_one()
    if present:
        print(f"database: {service.db.dialect}  cases: {present} already there (measured as they are)")
    else:
        t0 = time.perf_counter()
        await fill(service, n, now)
        await service.db.settle()  # PostgreSQL: VACUUM ANALYZE, as autovacuum soon would after the bulk load
        print(f"database: {service.db.dialect}  cases: {n} over {DAYS} days  (filled in {time.perf_counter() - t0:.1f}s)")
    desk = ConsoleDesk(service, settings)
    zone = ZoneInfo(settings.timezone)
    month = parse_period({"from": (now - timedelta(days=30)).astimezone(zone).date().isoformat(),
                          "to": now.astimezone(zone).date().isoformat()}, zone, now)
    admin = Staff("admin", 1, "admin", "admin")
    community = Staff("worker", 2, "派单员", "community", "jinhu", "liyuan")

    def figures_page(staff: Staff):
        async def work() -> str:
            stats, weeks = await desk.figures_and_trend(staff, month.since, month.until, month.week_starts(),
                                                        month.trend_until())
            return f"{stats.total.cases} cases, {len(weeks)} weeks"
        return work

    async def hotspots() -> str:
        found = await desk.hotspots(admin, month.since, month.until)
        return f"{len(found.buildings)} buildings, {found.overdue_count} overdue"

    async def export() -> str:
        return f"{len(await desk.export_cases(community, month.since, month.until))} rows"

    t0 = time.perf_counter()
    sum(range(10_000_000))
    print(f"this machine: sum(range(10M)) in {(time.perf_counter() - t0) * 1000:.0f} ms (a quiet laptop core: ~150 ms); "
          "figures scale with it")
    page = await timed("figures of a month (table + 12-week trend), admin", figures_page(admin))
    await timed("figures of a month, a community dispatcher's scope", figures_page(community))
    await timed("hotspots of a month, admin", hotspots)
    await timed("CSV rows of a month, a community dispatcher", export, runs=3)
    print(f"target: figures for a month under 500 ms: {'met' if page < 500 else 'NOT met'} ({page:.0f} ms)")
    await service.close()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        target = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.db"
        asyncio.run(main(count, target))
