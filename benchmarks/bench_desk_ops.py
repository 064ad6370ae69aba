"""What the desk operations of this round cost, on SQLite in a temporary folder (figures, not a test):
the per-message "is a 需要补充 waiting for this resident?" lookup every text and photo now pays, a dispatcher's
/tasks query with the community's cases in hand, and a `griddesk grids import` diff of the shipped seed.

Run: .venv/bin/python benchmarks/bench_desk_ops.py [--cases 2000] [--calls 500]
"""

from __future__ import annotations

import argparse
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
from storage.seed import default_seed_path, load_seed_file_with_lines

DISPATCHER = 5_000_001


async def timed(calls: int, work) -> tuple[float, float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


async def main(cases: int, calls: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        s = await open_service(load_settings(database_url=f"sqlite:///{folder}/b.db", _env_file=None))
        try:
            for n, grid in enumerate(("liyuan-01", "liyuan-02")):
                invite = await s.create_invite(f"网格员{n}", grid_id=grid)
                await s.bind_worker(invite.code, 4_000_000 + n)
            invite = await s.create_invite("派单员", community_id="liyuan")
            await s.bind_worker(invite.code, DISPATCHER)
            for i in range(cases):
                await s.file_case(ReportDraft(resident_external_id=1_000 + i % 500, intent="noise", text=f"楼上装修太吵 {i}",
                                              deadline_hours=48, grid_id="liyuan-01" if i % 2 else "liyuan-02"))
            asker = await s.tasks_of_worker(4_000_000, limit=1)
            await s.ask_filer(asker[0].id, 4_000_000, "几单元？")
            p50, p99 = await timed(calls, lambda: s.open_question(1_017))
            print(f"open_question (per resident text/photo), {cases} cases: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
            p50, p99 = await timed(max(20, calls // 10), lambda: s.tasks_of_worker(DISPATCHER))
            print(f"dispatcher /tasks query (50 shown of {cases} in hand): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
            data, lines = load_seed_file_with_lines(default_seed_path())
            p50, p99 = await timed(max(20, calls // 10), lambda: s.plan_grid_import(data, "grids.yaml", lines))
            print(f"grids import diff of the seed ({len(data.grids)} grids): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        finally:
            await s.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.calls))
