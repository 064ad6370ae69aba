"""Open311 over real HTTP: N clients file requests at once (`POST requests.json`: key check + limit count + filing),
then `GET requests.json` (the newest 200) and `GET requests/{id}.json` are timed, JSON and XML.

    .venv/bin/python benchmarks/bench_open311.py [N] [DATABASE_URL]

Defaults: 200 requests on a temporary SQLite file. Prints requests/s and p50/p95 per request.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bot.cases.service import open_service
from bot.nlu.intent_files import load_intents
from bot.settings import load_settings
from bot.web.open311.app import build_open311_app
from bot.web.open311.keys import ApiKeys

ADDRESSES = ["梨园小区3栋", "梨园新村10号楼", "翠竹园5-2-301", "望江花园6栋", "江景华亭2号楼", "丹桂里3栋", "梨园", "不知道"]


def _line(name: str, latencies: list[float], wall: float) -> str:
    latencies = sorted(latencies)
    n = len(latencies)
    return (f"{name:<34} {n:>5} in {wall:6.2f}s  {n / wall:6.1f} req/s  p50 {statistics.median(latencies) * 1000:6.1f} ms  "
            f"p95 {latencies[int(0.95 * (n - 1))] * 1000:6.1f} ms")


async def main(n: int, url: str) -> None:
    settings = load_settings(database_url=url, _env_file=None)
    service = await open_service(settings, intents=load_intents(settings.intents_dir))
    for grid in ("liyuan-01", "liyuan-02", "liyuan-03", "wangjiang-01", "wangjiang-02", "guihua-02"):
        invite = await service.create_invite(f"{grid}网格员", grid_id=grid)
        await service.bind_worker(invite.code, hash(grid) % 10**9)
    key, _ = await ApiKeys(service.db).create("bench", rate_limit=100_000, scope="all")
    root = web.Application()
    root.add_subapp("/open311/v2/", build_open311_app(service, settings))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    base = f"http://127.0.0.1:{server.port}/open311/v2/"
    print(f"database: {service.db.dialect}")
    async with ClientSession() as http:
        async def timed(call: object) -> tuple[float, object]:
            start = time.perf_counter()
            async with call as response:  # type: ignore[attr-defined]
                body = await response.read()
                assert response.status in (200, 201), body[:300]
            return time.perf_counter() - start, body

        form = {"api_key": key, "service_code": "noise", "attribute[when]": "2"}  # 晚上, the second choice
        t0 = time.perf_counter()
        posted = await asyncio.gather(*(timed(http.post(base + "requests.json", data={
            **form, "description": f"楼上装修太吵了 第{i}次", "address_string": ADDRESSES[i % len(ADDRESSES)]}))
            for i in range(n)))
        print(_line("POST requests.json (all at once)", [p[0] for p in posted], time.perf_counter() - t0))
        for fmt in ("json", "xml"):
            t0 = time.perf_counter()
            got = [await timed(http.get(base + f"requests.{fmt}", params={"api_key": key})) for _ in range(20)]
            print(_line(f"GET requests.{fmt} (newest {min(n, 200)})", [g[0] for g in got], time.perf_counter() - t0))
        numbers = [str(p[1]).split('"service_request_id":"')[1].split('"')[0] for p in posted[:50]]
        t0 = time.perf_counter()
        got = [await timed(http.get(base + f"requests/{number}.json", params={"api_key": key})) for number in numbers]
        print(_line("GET requests/{id}.json", [g[0] for g in got], time.perf_counter() - t0))
    await server.close()
    print(f"outbox: {await service.outbox.counts()}")
    await service.close()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        target = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.db"
        asyncio.run(main(count, target))
