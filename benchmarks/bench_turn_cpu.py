"""CPU per plain turn of the dialog engine in process (no Telegram): the burst's phase 1 reports, one after another
and all at once, on a fresh SQLite file, and an empty turn's (begin and commit around nothing); `--profile` prints
where the time goes (cProfile, by layer).

Ratios and layers, not absolute times, are the figures on a shared machine: each run prints the engine's CPU per
update beside the cost of one bare sqlite3 point read + upsert of the same row in the same run.

    .venv/bin/python benchmarks/bench_turn_cpu.py [--residents 200] [--rounds 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code, not the installed one
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_telegram_burst import BUILDINGS, PROBLEMS
from dialog_helpers import driver_for, make_app

from bot.logs import configure_logging

#: Where a function's file lies → the layer it is counted in (first match wins; the rest is "other").
LAYERS = [("sqlalchemy", "sqlalchemy"), ("aiosqlite", "sqlite driver"), ("sqlite3", "sqlite driver"),
          ("storage/", "storage (ours)"), ("bot/nlu", "classification"), ("jieba", "classification"),
          ("bot/kb", "knowledge base"), ("bot/cases", "cases"), ("bot/dialog", "dialog engine"),
          ("structlog", "logging"), ("logging", "logging"), ("asyncio", "asyncio"), ("greenlet", "sqlalchemy")]


def report_text(i: int) -> str:
    return BUILDINGS[i % 3].format(n=i % 6 + 1) + PROBLEMS[i % len(PROBLEMS)]


def bare_sqlite(path: Path, n: int) -> float:
    """CPU s per (point read + upsert) of one JSON row in plain sqlite3: the floor of a turn's two statements."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE IF NOT EXISTS bare (chat_id INTEGER PRIMARY KEY, data TEXT)")
    started = time.process_time()
    for i in range(n):
        con.execute("BEGIN IMMEDIATE")
        con.execute("SELECT data FROM bare WHERE chat_id = ?", (i,)).fetchone()
        con.execute("INSERT INTO bare VALUES (?, ?) ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data",
                    (i, '{"step": "idle"}'))
        con.execute("COMMIT")
    con.close()
    return (time.process_time() - started) / n


async def empty_turns(db: Any, n: int) -> float:
    """CPU s per empty turn (begin and commit, nothing inside) on the app's database: what every update pays
    around its statements."""
    for _ in range(50):
        async with db.turn():
            pass
    started = time.process_time()
    for _ in range(n):
        async with db.turn():
            pass
    return (time.process_time() - started) / n


def by_layer(profile: cProfile.Profile) -> str:
    stats = pstats.Stats(profile)
    totals: dict[str, float] = {}
    for (file, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        layer = next((name for key, name in LAYERS if key in file), "other")
        totals[layer] = totals.get(layer, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    return "\n".join(f"  {name:16} {share / whole:6.1%}" for name, share in sorted(totals.items(), key=lambda x: -x[1]))


async def main(residents: int, rounds: int, profile: bool) -> None:
    configure_logging("WARNING")  # as the burst runs `griddesk run`: the per-update line is filtered
    workdir = Path(tempfile.mkdtemp(prefix="griddesk-turncpu-"))
    app = await make_app(workdir / "bench.db")
    try:
        driver = driver_for(app)
        await driver.send(driver.persona("热身"), report_text(0))  # first-use costs out of the figures
        prof = cProfile.Profile() if profile else None
        for r in range(rounds):
            people = [driver.persona(f"居民{r}-{i}") for i in range(residents)]  # each round: new chats, idle
            texts = [report_text(i + r) for i in range(residents)]
            if prof:
                prof.enable()
            started = time.process_time()
            for p, text in zip(people, texts, strict=True):
                await driver.send(p, text)
            one = (time.process_time() - started) / residents
            started = time.process_time()
            crowd = [driver.persona(f"邻居{r}-{i}") for i in range(residents)]
            await asyncio.gather(*(driver.send(p, text) for p, text in zip(crowd, texts, strict=True)))
            together = (time.process_time() - started) / residents
            if prof:
                prof.disable()
            floor = bare_sqlite(workdir / "bare.db", residents)
            empty = await empty_turns(app.cases.db, 10 * residents)
            print(f"round {r + 1}: report (idle chat) one at a time {one * 1000:.2f} ms CPU/update, all at once (the burst) "
                  f"{together * 1000:.2f} ms; empty turn {empty * 1e6:.0f} µs; bare sqlite3 read+upsert {floor * 1000:.3f} ms")
        if prof:
            print("busy time by layer (own time of each function):\n" + by_layer(prof))
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    finally:
        await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.residents, args.rounds, args.profile))
