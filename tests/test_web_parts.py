"""The bot's one web server serves every registered part: the console and the Open311 API side by side."""

from __future__ import annotations

import aiohttp
from console_support import console_rig


async def test_the_bot_serves_open311_beside_the_console(tmp_path) -> None:
    async with console_rig(tmp_path) as rig, aiohttp.ClientSession() as http:
        async with http.get(rig.url + "/open311/v2/discovery.json") as r:
            assert r.status == 200
            endpoints = (await r.json())["endpoints"]
            assert endpoints and all(e["url"].startswith(rig.url + "/open311/v2") for e in endpoints)
        async with http.get(rig.url + "/open311/v2/services.json") as r:  # no api_key: the spec's error shape
            assert r.status == 403
            body = await r.json()
            assert isinstance(body, list) and body[0]["code"] == 403 and "api_key" in body[0]["description"]
        async with http.get(rig.url + "/console/", allow_redirects=False) as r:  # the console is still there
            assert r.status in (302, 303, 401, 403)
