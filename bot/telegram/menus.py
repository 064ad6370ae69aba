"""Command menus per role: residents see the default menu; bound workers and admins get their own per chat.

Telegram shows the `/` menu from `setMyCommands`; a chat-scoped list overrides the default for one chat,
so a worker sees /tasks and an admin /stats and /reload without residents seeing them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from bot.wording.channels import MENU, MENU_ADMIN_CASE

log = logging.getLogger(__name__)

Commands = list[tuple[str, str]]

RESIDENT: Commands = [(c, MENU[c]) for c in ("report", "my", "privacy", "cancel", "help", "start")]
WORKER: Commands = [(c, MENU[c]) for c in ("tasks", "case", "console")] + RESIDENT[:-1]
ADMIN: Commands = [("stats", MENU["stats"]), ("reload", MENU["reload"]), ("case", MENU_ADMIN_CASE)]


#: Chat menus set at once at start (`MenuManager.install`).
INSTALL_AT_ONCE = 4


def commands_for(roles: Iterable[str]) -> Commands:
    """The menu for someone with these roles ('worker', 'admin'); residents get the default."""
    roles = set(roles)
    menu = list(WORKER if "worker" in roles else RESIDENT)
    if "admin" in roles:
        menu = ADMIN + ([] if "worker" in roles else [("console", MENU["console"])]) + menu
    return menu


class CommandCalls(Protocol):
    async def set_commands(self, commands: Commands, chat_id: int | None) -> None: ...


class MenuManager:
    """Sets menus at start and refreshes one chat's menu when its role may have changed (after /bind)."""

    def __init__(self, calls: CommandCalls, admin_ids: frozenset[int],
                 worker_ids: Callable[[], Awaitable[set[int]]] | None = None):
        self.calls = calls
        self.admin_ids = admin_ids
        self.worker_ids = worker_ids
        self._set: dict[int, Commands] = {}

    async def roles(self, chat_id: int, workers: set[int] | None = None) -> set[str]:
        if workers is None:
            workers = await self.worker_ids() if self.worker_ids else set()
        roles = {"worker"} if chat_id in workers else set()
        if chat_id in self.admin_ids:
            roles.add("admin")
        return roles

    async def install(self) -> None:
        """Default menu for everyone, then one per admin and bound worker, `INSTALL_AT_ONCE` at a time.

        Each is a round trip to Telegram before polling starts: one after the other, 30 bound workers at
        ~150 ms each held the first answer back ~5 s; a few at once stay far below Telegram's rate limits."""
        await self._safe(RESIDENT, None)
        workers = await self.worker_ids() if self.worker_ids else set()
        slots = asyncio.Semaphore(INSTALL_AT_ONCE)

        async def one(chat_id: int) -> None:
            async with slots:
                await self.refresh(chat_id, workers)

        await asyncio.gather(*(one(chat_id) for chat_id in sorted(self.admin_ids | workers)))

    async def refresh(self, chat_id: int, workers: set[int] | None = None) -> None:
        menu = commands_for(await self.roles(chat_id, workers))
        if menu == RESIDENT and chat_id not in self._set:
            return  # the default applies already
        if self._set.get(chat_id) != menu:
            await self._safe(menu, chat_id)
            self._set[chat_id] = menu

    async def _safe(self, menu: Commands, chat_id: int | None) -> None:
        try:
            await self.calls.set_commands(menu, chat_id)
        except Exception as exc:  # a menu is a convenience; never stop the bot for it
            log.warning("setMyCommands for %s failed: %s", chat_id or "default", exc)
