"""The console's page modules, in menu order: the one list `bot.web.console.app` registers.

Each module exposes `routes = web.RouteTableDef()` and optionally `NAV = (NavItem(...), ...)` for the menu.
"""

from __future__ import annotations

from bot.web.console.pages import case, case_actions, login, photos, queue

PAGES = (login, queue, case, case_actions, photos)
