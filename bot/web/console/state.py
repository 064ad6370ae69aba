"""What every console handler can reach: `request.config_dict[CONSOLE]` (set up by `bot.web.console.app`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from bot.web.console.auth import LoginLinks, Sessions

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.web.console.desk import ConsoleDesk
    from bot.web.console.session_table import SessionTable
    from bot.web.photos import PhotoCache


@dataclass(frozen=True, slots=True)
class NavItem:
    """One entry of the console's menu: shown to the roles listed."""

    label: str
    path: str  # under /console/, e.g. "/console/figures"
    roles: tuple[str, ...] = ("admin", "street", "community", "grid")


@dataclass(slots=True)
class ConsoleState:
    cases: CaseService
    desk: ConsoleDesk
    links: LoginLinks
    admin_ids: frozenset[int]
    configured_secret: str | None
    session_hours: float
    secure_cookies: bool  # PUBLIC_URL is https: cookies only over TLS
    timezone: str
    nav: list[NavItem] = field(default_factory=list)
    photos: PhotoCache | None = None  # None: the channel cannot fetch photos (the console chat)
    sessions: Sessions | None = None  # made at start-up (the secret may live in the database)
    session_table: SessionTable | None = None  # made with `sessions`: the server-side half of every session


CONSOLE: web.AppKey[ConsoleState] = web.AppKey("griddesk_console", ConsoleState)


def console_of(request: web.Request) -> ConsoleState:
    return request.config_dict[CONSOLE]
