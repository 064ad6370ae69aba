"""The console as an aiohttp sub-app mounted at `/console/`: page modules, middleware, the stylesheet.

Page modules are listed once, in `bot.web.console.pages.PAGES`; each exposes `routes = web.RouteTableDef()`
(paths under `/`, i.e. `/console/…` from outside) and may expose `NAV` (menu entries, `state.NavItem`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.web.console.auth import Sessions, links_for, session_secret
from bot.web.console.desk import ConsoleDesk
from bot.web.console.guard import guard_middleware, headers_middleware
from bot.web.console.session_table import SessionTable
from bot.web.console.state import CONSOLE, ConsoleState

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.settings import Settings
    from bot.web.photos import PhotoCache

STATIC = Path(__file__).parent / "static"
PREFIX = "/console/"


def build_console_app(cases: CaseService, settings: Settings, admin_ids: frozenset[int],
                      photos: PhotoCache | None = None) -> web.Application:
    from bot.web.console.pages import PAGES

    app = web.Application(middlewares=[headers_middleware, guard_middleware])
    secret = settings.console_secret.get_secret_value() if settings.console_secret else None
    state = ConsoleState(cases=cases, desk=ConsoleDesk(cases, settings), links=links_for(cases.db, settings),
                         admin_ids=frozenset(admin_ids), configured_secret=secret,
                         session_hours=settings.console_session_hours,
                         secure_cookies=settings.web_url.startswith("https://"), timezone=settings.timezone,
                         photos=photos)
    for module in PAGES:
        app.router.add_routes(module.routes)
        state.nav.extend(getattr(module, "NAV", ()))
    app.router.add_static("/static/", STATIC, name="static", append_version=False)
    app[CONSOLE] = state
    app.on_startup.append(_start)
    return app


async def _start(app: web.Application) -> None:
    state = app[CONSOLE]
    secret = await session_secret(state.cases.db, state.configured_secret)
    state.sessions = Sessions(secret, hours=state.session_hours)
    state.session_table = SessionTable(state.cases.db, state.sessions, state.admin_ids)


def mount_console(root: web.Application, cases: CaseService, settings: Settings, admin_ids: frozenset[int],
                  photos: PhotoCache | None = None) -> None:
    """Add the console under /console/ (and send `/` there)."""
    root.add_subapp(PREFIX, build_console_app(cases, settings, admin_ids, photos))

    async def to_console(_request: web.Request) -> web.Response:
        raise web.HTTPFound(PREFIX)

    root.router.add_get("/", to_console)
    root.router.add_get("/console", to_console)
