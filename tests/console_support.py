"""The staff console in tests: a running web server over a real app (`console_rig`), and a signed-in browser-like
client (`login_as`) that gets in the only way people do — through a one-time link — and keeps its cookies.

    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)      # or ("worker", worker_id)
        status, html = await client.get("/console/")
        status, html = await client.post("/console/case/…/note", {"note": "…"})   # the page's CSRF token is added
        await client.close()
"""

from __future__ import annotations

import html as htmllib
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from dialog_helpers import ADMIN_ID, shared_understanding

from bot.services import App, build_app
from bot.settings import load_settings
from bot.web.console.auth import LoginLinks, links_for
from bot.web.console.state import CONSOLE, ConsoleState
from bot.web.parts import WebContext, start_web
from bot.web.server import WebServer

CSRF_INPUT = re.compile(r'name="csrf" value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(slots=True)
class Rig:
    app: App
    server: WebServer
    links: LoginLinks
    ids: dict[str, int] = field(default_factory=dict)  # whatever ids a test set up (workers by name, …)

    @property
    def url(self) -> str:
        return self.server.url


@asynccontextmanager
async def console_rig(workdir: Path, **settings: Any) -> AsyncIterator[Rig]:
    """`build_app` on a fresh SQLite file (ADMIN_IDS = dialog_helpers.ADMIN_ID) and the web server on a free port."""
    values: dict[str, Any] = {"database_url": f"sqlite:///{workdir / 'console.db'}", "admin_ids": str(ADMIN_ID),
                              "web_host": "127.0.0.1", "web_port": free_port(), **settings}
    config = load_settings(**values)
    app = await build_app(config, understanding=shared_understanding())
    server = await start_web(WebContext(config, app.cases, config.admin_ids))
    try:
        yield Rig(app, server, links_for(app.cases.db, config))
    finally:
        await server.stop()
        await app.close()


def console_state(rig: Rig) -> ConsoleState:
    """The running console's state (its services, the session signer and table), from the server's sub-apps."""
    for resource in rig.server.app.router.resources():
        sub = resource.get_info().get("app")
        if isinstance(sub, web.Application) and CONSOLE in sub:
            return sub[CONSOLE]
    raise AssertionError("the rig's server has no console mounted")


def csrf_of(page: str) -> str | None:
    found = CSRF_INPUT.search(page)
    return htmllib.unescape(found.group(1)) if found else None


class ConsoleClient:
    """An HTTP client with its own cookie jar; remembers the CSRF token of the last page it read."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # unsafe: cookies for 127.0.0.1
        self.csrf: str | None = None

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base_url + path, allow_redirects=False) as r:
            text = await r.text()
        self.csrf = csrf_of(text) or self.csrf
        return r.status, text

    async def post(self, path: str, data: dict[str, str], *, csrf: str | bool | None = True) -> tuple[int, str]:
        """POST a form; `csrf=True` adds the last page's token, a string sends that one, None/False none."""
        form = dict(data)
        if csrf is True:
            assert self.csrf, "read a page with a form first (its CSRF token goes with the POST)"
            form["csrf"] = self.csrf
        elif isinstance(csrf, str):
            form["csrf"] = csrf
        async with self.http.post(self.base_url + path, data=form, allow_redirects=False) as r:
            text = await r.text()
            location = r.headers.get("Location", "")
        return r.status, location or text

    async def close(self) -> None:
        await self.http.close()


async def open_link(base_url: str, link: str) -> tuple[ConsoleClient, int]:
    """Open a login link as a person does (GET shows the button, POST signs in): (client, status of the POST)."""
    client = ConsoleClient(base_url)
    path = link[link.index("/console/"):]
    status, _ = await client.get(path)
    if status != 200:
        return client, status
    status, _ = await client.post(path, {})
    return client, status


async def login_as(rig: Rig, kind: str, staff_id: int) -> ConsoleClient:
    """A client signed in as this staff member through a real one-time link."""
    client, status = await open_link(rig.url, await rig.links.issue(kind, staff_id))
    assert status == 303, f"login through a fresh link failed with {status}"
    status, page = await client.get("/console/")
    assert status == 200, page[:500]
    return client
