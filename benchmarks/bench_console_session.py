"""What the server-side session check costs each console request, against what the guard did before it.

    .venv/bin/python benchmarks/bench_console_session.py [SESSIONS] [DATABASE_URL]

Defaults: 20,000 session rows (live and ended, of 500 workers) on a temporary SQLite file. Then, 500 times
each: `load_staff` alone (the guard's per-request work when sessions were cookies only) and
`SessionTable.check` (the row by the nonce's hash, the worker row, the role/area comparison). Prints p50/p95
ms and SQL statements per check; the `last_seen_at` write happens at most once per session per 5 minutes.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select

from bot.cases.service import open_service
from bot.settings import load_settings
from bot.web.console.auth import Sessions
from bot.web.console.session_table import SessionTable, _digest
from bot.web.console.staff import load_staff
from storage.models import ConsoleSession, Grid, Worker

REPEATS = 500
WORKERS = 500


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def main(n: int, url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="bench-session-")
    settings = load_settings(_env_file=None, database_url=url or f"sqlite:///{folder}/bench.db")
    service = await open_service(settings)
    async with service.db.transaction() as s:
        grid = (await s.execute(select(Grid).limit(1))).scalar_one()
        await s.execute(insert(Worker), [{"name": f"网格员{i}", "role": "grid", "grid_id": grid.id,
                                          "community_id": grid.community_id, "external_id": 700_000 + i,
                                          "active": True, "channel": "telegram", "created_at": datetime.now(UTC)}
                                         for i in range(WORKERS)])
    async with service.db.session() as s:
        ids = list((await s.execute(select(Worker.id).order_by(Worker.id))).scalars())
    signer = Sessions(b"b" * 48, hours=12)
    table = SessionTable(service.db, signer, frozenset())
    now = datetime.now(UTC)
    staff = await load_staff(service.db, "worker", ids[0], frozenset())
    assert staff is not None
    cookie = await table.open(staff, "Mozilla/5.0 (Linux; Android 14) Chrome/120.0")
    session = signer.read(cookie)
    assert session is not None
    place = f"grid||{grid.community_id}|{grid.id}"
    rows = [{"key_hash": _digest(f"nonce-{i}"), "staff_kind": "worker", "staff_id": ids[i % len(ids)],
             "channel": "telegram", "user_id": 700_000 + i % len(ids), "place": place, "agent": "bench",
             "created_at": now, "expires_at": now + timedelta(hours=12), "last_seen_at": now,
             "revoked_at": now if i % 3 == 0 else None, "revoked_why": "logout" if i % 3 == 0 else None}
            for i in range(n - 1)]
    async with service.db.transaction() as s:
        for start in range(0, len(rows), 5000):
            await s.execute(insert(ConsoleSession), rows[start:start + 5000])
    print(f"{n:,} session rows, {WORKERS} workers ({service.db.dialect})")

    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    for engine in {service.db.engine.sync_engine, service.db.read_engine.sync_engine}:
        event.listen(engine, "before_cursor_execute", count)
    for name, ask in (("load_staff (cookie-only guard)", lambda: load_staff(service.db, "worker", ids[0], frozenset())),
                      ("SessionTable.check (row + staff)", lambda: table.check(session))):
        times, before = [], statements
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            result = await ask()
            times.append((time.perf_counter() - t0) * 1000)
            assert result is not None and getattr(result, "staff", result) is not None
        print(f"  {name:34s} p50 {_p(times, 50):6.2f} ms  p95 {_p(times, 95):6.2f} ms  "
              f"{(statements - before) / REPEATS:.2f} statements")
    await service.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000, sys.argv[2] if len(sys.argv) > 2 else None))
