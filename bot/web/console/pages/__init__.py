"""The console's page modules, in menu order: the one list `bot.web.console.app` registers.

Each module exposes `routes = web.RouteTableDef()` and optionally `NAV = (NavItem(...), ...)` for the menu.
"""

from __future__ import annotations

from bot.web.console.pages import case, case_actions, login, photos, queue

PAGES = (login, queue, case, case_actions, photos)
from bot.web.console.pages import admin, figures, hotspots, keys, sessions  # noqa: E402  (统计, 主动治理, 管理)

PAGES += (figures, hotspots, admin, keys, sessions)
