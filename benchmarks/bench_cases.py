"""Case filing throughput: N residents report at once through the case service (route + number + assign + outbox).

    .venv/bin/python benchmarks/bench_cases.py [N] [DATABASE_URL]

Defaults: 200 reports on a temporary SQLite file. Prints reports/s and p50/p95 latency per report.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cases.service import open_service
from bot.cases.views import ReportDraft
from bot.settings import load_settings

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

    t0 = time.perf_counter()
    numbers = await asyncio.gather(*(one(i) for i in range(n)))
    elapsed = time.perf_counter() - t0
    assert len(set(numbers)) == n, "duplicate case numbers!"
    latencies.sort()
    print(f"database: {service.db.dialect}  reports: {n}  wall: {elapsed:.2f}s  throughput: {n / elapsed:.0f} reports/s")
    print(f"latency per report: p50 {statistics.median(latencies) * 1000:.0f} ms  "
          f"p95 {latencies[int(0.95 * (n - 1))] * 1000:.0f} ms  (all numbers unique)")
    print(f"outbox: {await service.outbox.counts()}")
    await service.close()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        target = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.db"
        asyncio.run(main(count, target))
