"""The burst's two phases on the dialog engine in process, without Telegram: CPU and statements per update.

    .venv/bin/python benchmarks/bench_filing_turns.py [--residents 200] [--workers] [--runs 3]

Phase 1: every resident sends the burst's report (`bench_telegram_burst.py`'s words) at once; phase 2: every
resident presses the first button of the last reply (skip the photo) at once — mostly 附议 offers (neighbours of
one building report the same), a category's question, a few filings. `--workers` binds a grid worker to every
grid first, so the filings take the assigned path. Prints, per phase, CPU ms per update (this process, all
threads: less disturbed by a shared machine than wall time), statements per update and what the replies were.
The burst benchmark measures the same end to end; this one says how much of it is the desk itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not os.environ.get("PYTHONPATH"):  # PYTHONPATH=/other/checkout measures that checkout's code with this script
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

BUILDINGS = ["梨园小区{n}栋", "翠竹苑{n}栋", "梨园小区{n}号楼"]  # as bench_telegram_burst.py
PROBLEMS = ["楼下垃圾好几天没人清运了，味道很大", "楼道里堆满了纸箱和旧家具，过不去人", "门口的路灯坏了一个星期，晚上很黑",
            "楼下有人天天晚上烧烤，油烟熏得没法开窗", "小区里的井盖松了，走上去咣当响，怕有人掉下去"]
GRIDS = ("liyuan-01", "liyuan-02", "liyuan-03", "wangjiang-01", "wangjiang-02", "guihua-02")


async def one_run(residents: int, workers: bool, tmp: Path) -> dict[str, float]:
    from dialog_helpers import shared_understanding
    from sqlalchemy import event

    from bot.dialog.testing import ChatDriver
    from bot.logs import configure_logging
    from bot.services import build_app
    from bot.settings import load_settings

    configure_logging("ERROR")  # a log line per update (and "reached nobody") would be part of the timing
    settings = load_settings(database_url=f"sqlite:///{tmp / 'turns.db'}", _env_file=None)
    app = await build_app(settings, understanding=shared_understanding())
    driver = ChatDriver(app.engine, app.cases.outbox)
    if workers:
        for n, grid in enumerate(GRIDS):
            invite = await app.cases.create_invite(f"{grid}网格员", grid_id=grid)
            await app.cases.bind_worker(invite.code, 90_000 + n)
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(app.cases.db.engine.sync_engine, "before_cursor_execute", count)
    if app.cases.db.read_engine is not app.cases.db.engine:
        event.listen(app.cases.db.read_engine.sync_engine, "before_cursor_execute", count)
    people = [driver.persona(f"居民{i}", user_id=600_000 + i) for i in range(residents)]
    out: dict[str, float] = {}

    async def phase(name: str, calls: list) -> list:
        statements[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        replies = await asyncio.gather(*calls)
        out[f"{name} cpu ms"] = (time.process_time() - cpu) * 1000 / len(calls)
        out[f"{name} wall ms"] = (time.perf_counter() - wall) * 1000 / len(calls)
        out[f"{name} statements"] = statements[0] / len(calls)
        return replies

    await phase("phase 1", [driver.send(p, BUILDINGS[i % 3].format(n=i % 6 + 1) + PROBLEMS[i % len(PROBLEMS)])
                            for i, p in enumerate(people)])
    presses = []
    for p in people:
        shown = p.buttons  # the last reply's buttons, as the burst presses them
        choice = next((d for t, d in shown if "跳过" in t), None) or (shown[0][1] if shown else None)
        if choice is not None:
            presses.append(driver.press_data(p, choice))
    replies = await phase("phase 2", presses)
    texts = [r.text or "" for rs in replies for r in rs]
    out["offers"] = sum("附议" in t or any("附议" in b.text for row in r.buttons for b in row)
                        for rs in replies for r in rs for t in [r.text or ""])
    out["filed"] = sum("案件编号" in t for t in texts)
    await app.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--workers", action="store_true", help="bind a grid worker to every grid first")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(asyncio.run(one_run(args.residents, args.workers, Path(tmp))))
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:>20}: median {statistics.median(values):7.2f}  (runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
