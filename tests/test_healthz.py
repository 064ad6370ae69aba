"""`GET /healthz` on the bot's web server: a local monitor's counters, not open to anyone on the internet."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import Mock

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request

from bot.telegram.webhook import TelegramWebhook
from bot.web.health import Health
from bot.web.server import WebServer

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import BotProcess, bot_env, cleanup, free_port

TOKEN = "monitor-token-0123456789"


async def _feed(update: dict) -> None:
    return None


def _server(host: str, token: str | None = None) -> WebServer:
    """The web server with the webhook and /healthz mounted, as `bot.web.parts` does in webhook mode."""
    hook = TelegramWebhook(_feed, "s3cret", "/hook")
    return WebServer(host, 0, [Health(hook.counters, token).mount, hook.mount])


def _health() -> Health:
    return Health(TelegramWebhook(_feed, "s3cret", "/hook").counters)


@pytest.fixture
async def local_server() -> AsyncIterator[WebServer]:
    server = _server("127.0.0.1")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def token_server() -> AsyncIterator[WebServer]:
    server = _server("127.0.0.1", TOKEN)
    await server.start()
    yield server
    await server.stop()


async def _get(server: WebServer, **headers: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{server.port}/healthz", headers=headers) as r:
        return r.status


async def test_without_a_token_a_local_caller_is_answered(local_server: WebServer) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{local_server.port}/healthz") as r:
        assert r.status == 200 and await r.json() == {"ok": True, "accepted": 0, "refused": 0}


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
async def test_without_a_token_a_proxied_caller_is_refused(local_server: WebServer, header: str) -> None:
    assert await _get(local_server, **{header: "203.0.113.7"}) == 403


@pytest.mark.parametrize("peer", ["203.0.113.7", "10.0.0.2", "::ffff:203.0.113.7", "2001:db8::1"])
async def test_without_a_token_a_remote_caller_is_refused(peer: str) -> None:
    health = _health()
    transport = Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 443) if name == "peername" else default
    response = await health.handle(make_mocked_request("GET", "/healthz", transport=transport))
    assert response.status == 403


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
async def test_loopback_in_every_spelling_is_local(peer: str) -> None:
    health = _health()
    transport = Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 443) if name == "peername" else default
    response = await health.handle(make_mocked_request("GET", "/healthz", transport=transport))
    assert response.status == 200


async def test_with_a_token_only_the_token_is_answered(token_server: WebServer) -> None:
    assert await _get(token_server) == 403  # even from loopback: the token is the rule once set
    assert await _get(token_server, Authorization="Bearer wrong") == 403
    assert await _get(token_server, Authorization=TOKEN) == 403
    assert await _get(token_server, Authorization=f"Bearer {TOKEN}", **{"X-Forwarded-For": "203.0.113.7"}) == 200


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_healthz_needs_the_token_end_to_end(tg: BotApiDouble, tmp_path: Path, framework: str) -> None:
    port = free_port()
    env = bot_env(tg, framework, f"sqlite:///{tmp_path / 'griddesk.db'}", WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                  WEBHOOK_SECRET="correct-horse-battery", WEB_PORT=str(port), HEALTHZ_TOKEN=TOKEN)
    bot = BotProcess(tg, env, tmp_path)
    await bot.start()
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as r:
                assert r.status == 403
            async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as r:
                assert r.status == 200 and (await r.json())["ok"] is True
    finally:
        await bot.stop()
        cleanup(tmp_path)
