"""What the per-chat lock in PostgreSQL costs a turn: the same updates with and without `Database.chat_lock`.

    .venv/bin/python benchmarks/bench_chat_lock.py POSTGRES_URL [CHATS] [TURNS_PER_CHAT]

POSTGRES_URL names an empty database (it is migrated and seeded). Prints ms per turn (p50/p95) and turns/s
for CHATS chats in parallel (default 20) × TURNS_PER_CHAT help commands each (default 10), first with each
process's own lock only, then with the advisory lock held for every turn.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.logs import configure_logging
from bot.messages import Incoming, Sender
from bot.services import build_app
from bot.settings import load_settings


async def run(url: str, chats: int, turns: int) -> None:
    configure_logging("WARNING")  # one line per update would drown the figures
    app = await build_app(load_settings(database_url=url, _env_file=None))
    lock = app.engine.shared_lock
    try:
        for label, shared in (("in-process lock only", None), ("+ pg_advisory_xact_lock", lock)):
            app.engine.shared_lock = shared
            latencies: list[float] = []

            async def chat(chat_id: int, latencies: list[float]) -> None:
                for turn in range(turns):
                    started = time.perf_counter()
                    await app.engine.handle(Incoming(chat_id, Sender(chat_id), "command", text="", command="help",
                                                     update_id=turn + 1))
                    latencies.append((time.perf_counter() - started) * 1000)

            base = 7_000_000 if shared is None else 8_000_000
            started = time.perf_counter()
            await asyncio.gather(*(chat(base + i, latencies) for i in range(chats)))
            wall = time.perf_counter() - started
            q = statistics.quantiles(latencies, n=20)
            print(f"{label:26s} {chats} chats × {turns} turns: p50 {statistics.median(latencies):6.1f} ms  "
                  f"p95 {q[18]:6.1f} ms  {len(latencies) / wall:6.1f} turns/s")
    finally:
        await app.close()


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].startswith("postgres"):
        sys.exit(__doc__)
    asyncio.run(run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20,
                    int(sys.argv[3]) if len(sys.argv) > 3 else 10))
