"""The console's queue page with 100k cases: milliseconds per page, and SQL statements per page (no N+1).

    .venv/bin/python benchmarks/bench_console_queue.py [N] [DATABASE_URL]

Defaults: 100,000 cases on a temporary SQLite file; a DATABASE_URL that already holds cases is measured as it is
(fill once, measure often). Cases are bulk-inserted (spread over 120 days, every
state, 12 grids of 3 communities, 5% urgent), then each view is asked 20 times: the query alone
(`queue_page`), and the whole page over HTTP with a signed-in session (query + HTML). Prints p50/p95 ms.
Target: under 100 ms per page.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import event, func, insert, select

from bot.cases.service import open_service
from bot.settings import load_settings
from bot.web.console.app import mount_console
from bot.web.console.auth import links_for
from bot.web.console.queue_query import QueueFilter, queue_page
from bot.web.console.staff import Staff
from bot.web.server import WebServer
from storage.models import CASE_STATES, Case, Grid, Resident, Worker
from storage.words import index_missing

ADMIN = 4242
INTENTS = ["noise", "parking", "sanitation", "fumes_odor", "water_leak", "elevator", "street_vending", "other"]
WORDS = ["楼上装修太吵", "车位被占", "垃圾没人清", "油烟太大", "漏水", "电梯坏了", "占道摆摊", "路灯不亮"]
STATE_WEIGHTS = [5, 8, 6, 25, 50, 3, 3]  # mostly closed, as a desk's history is
REPEATS = 20


async def fill(service: Any, n: int) -> None:
    async with service.db.transaction() as s:
        grids = [(g.id, g.community_id) for g in (await s.execute(select(Grid))).scalars()]
        streets = {c: service.router.street_of_community(c) for _, c in grids}
        for i, (gid, cid) in enumerate(grids):
            s.add(Worker(name=f"网格员{i}", role="grid", grid_id=gid, community_id=cid, street_id=streets[cid],
                         external_id=700_000 + i, active=True))
        s.add(Worker(name="社区派单员", role="community", community_id=grids[0][1], street_id=streets[grids[0][1]],
                     external_id=800_000, active=True))
        await s.execute(insert(Resident), [{"external_id": 900_000 + i, "chat_id": 900_000 + i, "name": "",
                                            "script": "simplified", "created_at": datetime.now(UTC)} for i in range(2000)])
    async with service.db.session() as s:
        workers = (await s.execute(select(Worker.id, Worker.grid_id).where(Worker.role == "grid"))).all()
        residents = list((await s.execute(select(Resident.id))).scalars())
    by_grid = {g: w for w, g in workers}
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=120)
    rows = []
    per_day: dict[str, int] = {}
    for i in range(n):
        gid, cid = rng.choice(grids)
        created = start + timedelta(minutes=rng.randrange(120 * 24 * 60))
        day = f"{created:%Y%m%d}"
        per_day[day] = per_day.get(day, 0) + 1
        state = rng.choices(CASE_STATES, STATE_WEIGHTS)[0]
        k = rng.randrange(len(INTENTS))
        rows.append({"number": f"{day}-{per_day[day]:04d}", "intent": INTENTS[k],
                     "text": f"{WORDS[k]}，第{i}号反映，请尽快处理", "address": f"小区{rng.randrange(40)}栋",
                     "photos": [], "resident_id": rng.choice(residents), "street_id": streets[cid], "community_id": cid,
                     "grid_id": gid, "assignee_id": None if state in ("filed", "returned") else by_grid[gid],
                     "level": "grid", "state": state, "urgent": rng.random() < 0.05, "deadline_hours": 72.0,
                     "deadline_at": created + timedelta(hours=72), "created_at": created, "updated_at": created,
                     "supporter_count": 0, "reopen_count": 0})
    for chunk in range(0, n, 5000):
        async with service.db.transaction() as s:
            await s.execute(insert(Case), rows[chunk:chunk + 5000])
    t0 = time.perf_counter()
    async with service.db.engine.begin() as conn:  # bulk rows skip the mapper events that keep the word index
        await conn.run_sync(index_missing)
    await service.db.settle()
    print(f"word index of {n:,} cases built in {time.perf_counter() - t0:.1f}s")


def views(community: str, grid: str, sample: str) -> list[tuple[str, str]]:
    return [("default (open, urgent then deadline)", ""), ("all states", "state=all"),
            ("page 40 of all", "state=all&page=40"), ("one grid", f"grid={grid}"), ("overdue", "overdue=1"),
            ("unassigned", "unassigned=1"), ("one category, a month", "category=noise&state=all&since="
                                                                     f"{(datetime.now(UTC) - timedelta(days=30)).date()}"),
            ("words (one case in 8 has them)", "q=漏水&state=all"), ("a word every case has", "q=处理&state=all"),
            ("a word every case has, open ones", "q=处理"), ("words of one case", "q=第4242号&state=all"),
            ("case number", f"q={sample}&state=all")]


async def main(n: int, url: str) -> None:
    settings = load_settings(database_url=url, admin_ids=str(ADMIN), web_port=8080, _env_file=None)
    service = await open_service(settings)
    async with service.db.session() as s:
        present = (await s.execute(select(func.count()).select_from(Case))).scalar_one()
    if present:
        print(f"{present:,} cases already there ({service.db.dialect}): measured as they are")
    else:
        t0 = time.perf_counter()
        await fill(service, n)
        print(f"{n:,} cases inserted in {time.perf_counter() - t0:.1f}s ({service.db.dialect})")
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(service.db.engine.sync_engine, "before_cursor_execute", count)
    async with service.db.session() as s:
        community, grid = (await s.execute(select(Grid.community_id, Grid.id).limit(1))).one()
        sample = (await s.execute(select(Case.number).limit(1).offset(n // 2))).scalar_one()
    server = WebServer("127.0.0.1", 0, [lambda root: mount_console(root, service, settings, frozenset({ADMIN}))])
    await server.start()
    link = await links_for(service.db, settings).issue("admin", ADMIN)
    path = link[link.index("/console/"):]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(server.url + path) as r:
            csrf = (await r.text()).split('name="csrf" value="', 1)[1].split('"', 1)[0]
        async with http.post(server.url + path, data={"csrf": csrf}, allow_redirects=False) as r:
            assert r.status == 303, r.status
        for who, staff in (("admin", Staff("admin", ADMIN, "admin", "admin", user_id=ADMIN)),
                           ("community", Staff("worker", 1, "派单员", "community", community_id=community))):
            print(f"\n{who} — view: query p50/p95 ms, statements | whole page over HTTP p50/p95 ms, rows")
            for name, query in views(community, grid, sample):
                f = QueueFilter.from_query(dict(pair.split("=", 1) for pair in query.split("&") if pair))
                query_ms, rows, before = [], 0, statements
                for _ in range(REPEATS):
                    start = time.perf_counter()
                    async with service.db.session() as s:
                        result = await queue_page(s, staff, f, now=datetime.now(UTC), timezone=settings.timezone)
                    query_ms.append((time.perf_counter() - start) * 1000)
                    rows = len(result.rows)
                per_page = (statements - before) / REPEATS
                page_ms = []
                if who == "admin":
                    for _ in range(REPEATS):
                        start = time.perf_counter()
                        async with http.get(server.url + "/console/?" + query, allow_redirects=False) as r:
                            await r.read()
                            assert r.status in (200, 303), r.status
                        page_ms.append((time.perf_counter() - start) * 1000)
                http_part = f"{_p(page_ms, 50):7.1f} / {_p(page_ms, 95):7.1f}" if page_ms else "      —"
                of = f"{result.total:,}" + ("+ (not counted)" if getattr(result, "capped", False) else "")
                print(f"  {name:38s} {_p(query_ms, 50):7.1f} / {_p(query_ms, 95):7.1f}  {per_page:3.0f} | "
                      f"{http_part}  {rows} rows of {of}")
    await server.stop()
    await service.close()


def _p(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    if pct == 50:
        return statistics.median(ordered)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    count_arg = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="griddesk-bench-queue-") as folder:
        db_url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(main(count_arg, db_url))
