"""`griddesk stats` at 1k, 10k and 100k cases: the figures of the newest month and of everything.

Cases are bulk-inserted with SQLAlchemy Core (spread over a year, every state, some resolved late), then
the service's own `stats()` is timed three times at each size (the median is printed).

    .venv/bin/python benchmarks/bench_stats.py [--sizes 1000,10000,100000] [DATABASE_URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.cases.service import CaseService, open_service
from bot.settings import load_settings
from storage.models import Case, Resident

NOW = datetime(2026, 12, 1, tzinfo=UTC)
GRIDS = ["liyuan-01", "liyuan-02", "liyuan-03", "wangjiang-01", "wangjiang-02", "guihua-02"]
INTENTS = ["noise", "parking", "sanitation", "illegal_construction", "greening", "pets"]
STATES = ["filed", "accepted", "resolved", "closed", "returned", "resolved", "closed"]


async def add_cases(service: CaseService, start: int, count: int, resident_id: int) -> None:
    rng = random.Random(start)
    rows = []
    for i in range(start, start + count):
        created = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
        state = STATES[i % len(STATES)]
        resolved = created + timedelta(hours=rng.uniform(1, 120)) if state in ("resolved", "closed") else None
        grid = GRIDS[i % len(GRIDS)]
        community = service.router.grid_view(grid, ()).community_id
        rows.append({"number": f"B{i:09d}", "intent": INTENTS[i % len(INTENTS)], "text": "楼上装修太吵", "photos": [],
                     "resident_id": resident_id, "community_id": community, "grid_id": grid,
                     "state": state, "deadline_hours": 72.0, "deadline_at": created + timedelta(hours=72),
                     "created_at": created, "updated_at": created, "resolved_at": resolved,
                     "resolved_on_time": None if resolved is None else resolved <= created + timedelta(hours=72)})
    async with service.db.transaction() as s:
        for chunk in range(0, len(rows), 5000):
            await s.execute(insert(Case), rows[chunk:chunk + 5000])


async def timed(service: CaseService, **period: datetime) -> float:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        await service.stats(now=NOW, **period)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


async def main(sizes: list[int], url: str) -> None:
    service = await open_service(load_settings(database_url=url, _env_file=None))
    async with service.db.transaction() as s:
        resident_id = (await s.execute(insert(Resident).values(external_id=1, chat_id=1, name="居民", script="simplified",
                                                               created_at=NOW).returning(Resident.id))).scalar()
    have = 0
    for size in sizes:
        await add_cases(service, have, size - have, resident_id or 0)
        await service.db.settle()  # PostgreSQL: VACUUM ANALYZE, as autovacuum soon would after the bulk load
        have = size
        month = await timed(service, since=NOW - timedelta(days=30), until=NOW)
        everything = await timed(service)
        print(f"stats on {service.db.dialect} at {size:,} cases: last month {month * 1000:.0f} ms, all cases "
              f"{everything * 1000:.0f} ms (target: a month < 200 ms at 100k)")
    await service.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("url", nargs="?")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main([int(x) for x in args.sizes.split(",")], args.url or f"sqlite:///{tmp}/stats.db"))
