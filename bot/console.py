"""`griddesk chat`: talk to the real dialog engine from a terminal (or a pipe), as a resident, a grid
worker or an admin. Pushes the case service writes to the outbox print inline after each turn. The
deadline loop runs here as under `griddesk run`: reminders and 超时 escalation do not need Telegram.

Console-only commands (never sent to the engine):
  /as resident [NAME]   /as worker NAME [GRID_ID]   /as admin   /who
  /loc LAT LON (share a location)   /photo [caption]   /contact PHONE   /quit
Typing a button's number ("1") or its label presses it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from bot.wording import channels as w

if TYPE_CHECKING:
    from bot.dialog.testing import ChatDriver, Persona
    from bot.messages import Reply
    from bot.services import App
    from bot.settings import Settings

#: User ids of console personas, on the console's own channel ("console": they never meet Telegram's ids),
#: fixed so a restarted console continues the same conversations.
RESIDENT_BASE_ID = 9_100_000_001
WORKER_BASE_ID = 9_200_000_001
ADMIN_ID = 9_300_000_001

HELP = w.CONSOLE_HELP


def register(sub: Any) -> None:
    p = sub.add_parser("chat", help="console chat with the dialog engine (type as a resident; /as worker NAME, /as admin)")
    p.add_argument("--as", dest="role", choices=("resident", "worker", "admin"), default="resident",
                   help="start as this role (default resident)")
    p.add_argument("--name", default=None, help="persona name (worker: required with --as worker)")
    p.add_argument("--web", action="store_true",
                   help="also serve the staff console on WEB_HOST:WEB_PORT and print a login link (`griddesk run` does)")
    p.set_defaults(handler=_chat)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot import preflight

    # The same start-up checks as `griddesk run`: a wrong folder or database path is one line, not a traceback.
    preflight.check(settings, web=args.web)
    preflight.check_knowledge(settings)
    # Logging is configured by `bot.cli` (below DEBUG the console chat shows warnings only, on stderr).
    return asyncio.run(run_console(settings, sys.stdin, sys.stdout, role=args.role, name=args.name, web=args.web))


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO, *, role: str = "resident",
                      name: str | None = None, clock: Callable[[], datetime] | None = None, web: bool = False) -> int:
    """The loop: read a line, hand it to the engine as the current persona, print replies and pushes.

    Deadlines run beside it (a pass at start, then every `deadline_check_seconds`); `clock` is theirs.
    `web`: the bot's web server (the staff console) runs beside it too, and a login link for the first admin
    (ADMIN_IDS, else the console's own admin persona) is printed.
    """
    from bot.runtime.loops import DeadlineLoop
    from bot.services import build_app

    app = await build_app(settings)
    deadlines = DeadlineLoop(app.cases, settings.deadline_check_seconds, clock=clock)
    stop = asyncio.Event()
    background: asyncio.Task[None] | None = None
    server: Any = None
    try:
        await deadlines.run_once()  # what fell due while nobody was chatting
        background = asyncio.create_task(_later(deadlines, stop), name="deadlines")
        console = Console(app, stdout, interactive=stdin.isatty())
        if web:
            server = await _serve_console(app, settings, console)
        await console.switch(role, name)
        if console.interactive:
            console.line(HELP)
        while True:
            if console.interactive:
                stdout.write(f"{console.current.name}> ")
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            if not await console.handle_line(line.rstrip("\r\n")):
                break
        return 0
    finally:
        stop.set()
        if background is not None:
            await background
        if server is not None:
            await server.stop()
        await app.close()


async def _serve_console(app: App, settings: Settings, console: Console) -> Any:
    """The web server beside the chat, and a login link for the first admin on the terminal."""
    from bot.web.console.auth import links_for
    from bot.web.parts import WebContext, start_web

    admins = app.engine.services.admin_ids  # ADMIN_IDS plus the console's admin persona
    server = await start_web(WebContext(settings, app.cases, admins))
    first = min(settings.admin_ids) if settings.admin_ids else ADMIN_ID
    link = await links_for(app.cases.db, settings).issue("admin", first)
    console.line(w.CONSOLE_WEB.format(url=settings.web_url, admin=first, minutes=settings.console_link_minutes, link=link))
    return server


async def _later(deadlines: Any, stop: asyncio.Event) -> None:
    """The deadline loop after its first pass (which `run_console` awaits before reading input)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), deadlines.every_seconds)
    if not stop.is_set():
        await deadlines.run(stop)


class Console:
    """Personas over one `ChatDriver`; prints what each persona receives."""

    def __init__(self, app: App, out: TextIO, *, interactive: bool):
        from bot.channels import CONSOLE
        from bot.dialog.testing import ChatDriver

        self.app = app
        self.out = out
        self.interactive = interactive
        # The console is a channel like Telegram: its own ids, its pushes delivered by the outbox loop.
        self.driver: ChatDriver = ChatDriver(app.engine, app.cases.outbox, channel=CONSOLE)
        services = app.engine.services
        services.admin_ids = frozenset(services.admin_ids | {ADMIN_ID})
        self.current: Persona = self.driver.persona(w.CONSOLE_ROLES["resident"], "resident", RESIDENT_BASE_ID)

    def line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def handle_line(self, line: str) -> bool:
        """One typed line; False to stop."""
        text = line.strip()
        if not text:
            return True
        if text in ("/quit", "/exit"):
            return False
        head, _, rest = text.partition(" ")
        if head == "/as":
            role, _, who = rest.strip().partition(" ")
            await self.switch(role or "resident", who.strip() or None)
            return True
        if head == "/who":
            who = self.current
            self.line(w.CONSOLE_WHO.format(name=who.name, role=_role_word(who.role), user_id=who.user_id))
            return True
        if head == "/loc":
            parts = rest.replace(",", " ").split()
            try:
                lat, lon = float(parts[0]), float(parts[1])
            except (IndexError, ValueError):
                self.line(w.CONSOLE_LOC_USAGE)
                return True
            await self._show(await self.driver.location(self.current, lat, lon))
            return True
        if head == "/photo":
            await self._show(await self.driver.photo(self.current, f"console-photo-{len(self.current.inbox) + 1}",
                                                     rest.strip() or None))
            return True
        if head == "/contact":
            await self._show(await self.driver.contact(self.current, rest.strip()))
            return True
        button = self._button_by_number(text)
        if button is not None:
            await self._show(await self.driver.press_data(self.current, button))
            return True
        await self._show(await self.driver.send(self.current, text))
        return True

    async def switch(self, role: str, name: str | None) -> None:
        if role == "admin":
            self.current = self.driver.persona(w.CONSOLE_ROLES["admin"], "admin", ADMIN_ID)
        elif role == "worker":
            worker_name, _, grid = (name or w.CONSOLE_ROLES["worker"]).partition(" ")
            self.current = await self._worker(worker_name.strip() or w.CONSOLE_ROLES["worker"], grid.strip() or None)
        elif role == "resident":
            index = sum(1 for p in self.driver.personas.values() if p.role == "resident")
            label = name or w.CONSOLE_ROLES["resident"]
            known = self.driver.personas.get(label)
            self.current = known or self.driver.persona(label, "resident", RESIDENT_BASE_ID + index)
        else:
            self.line(w.CONSOLE_AS_USAGE)
            return
        self.line(w.CONSOLE_SWITCHED.format(name=self.current.name, role=_role_word(self.current.role)))
        await self._show([])

    async def _worker(self, name: str, grid_id: str | None) -> Persona:
        """A worker persona, bound through a real invite code the first time (to `grid_id`, or the grid of
        the latest case, or the first grid) and given that grid's cases still waiting for a worker."""
        existing = self.driver.personas.get(name)
        if existing is not None and existing.role == "worker":
            return existing
        index = sum(1 for p in self.driver.personas.values() if p.role == "worker")
        persona = self.driver.persona(name, "worker", WORKER_BASE_ID + index)
        service = self.app.cases
        if await service.workers_of(persona.user_id, channel=self.driver.channel):
            return persona
        grid_id = grid_id or await _latest_grid(service) or next(iter(service.router.grid_ids()), None)
        if grid_id is None:
            self.line(w.CONSOLE_NO_GRIDS)
            return persona
        invite = await service.create_invite(name, grid_id=grid_id)
        self.line(w.CONSOLE_INVITED.format(name=name, code=invite.code, grid=grid_id))
        await self._show(await self.driver.send(persona, f"/bind {invite.code}"), persona)
        taken = await _hand_waiting_cases(service, grid_id, invite.worker.id)
        if taken:
            self.line(w.CONSOLE_HANDED.format(grid=grid_id, taken=taken, name=name))
        return persona

    def _button_by_number(self, text: str) -> str | None:
        if not (text.isascii() and text.isdigit()) or len(text) > 3:  # "²".isdigit() is True, int("²") raises
            return None
        index = int(text) - 1
        buttons = self.current.buttons
        return buttons[index][1] if 0 <= index < len(buttons) else None

    async def _show(self, replies: list[Reply], persona: Persona | None = None) -> None:
        """Print the replies to `persona` (default: the current one), then every push the turn caused."""
        who = persona or self.current
        numbered = {data: i + 1 for i, (_, data) in enumerate(who.buttons)}
        for reply in replies:
            self._print(reply, w.CONSOLE_BOT, numbered)
        for push in await self.driver.deliver_pushes():
            target = self.driver.by_chat(push.chat_id)
            label = w.CONSOLE_PUSH_TO.format(name=target.name) if target else w.CONSOLE_PUSH_TO_CHAT.format(chat_id=push.chat_id)
            numbered = {data: i + 1 for i, (_, data) in enumerate(target.buttons)} if target is self.current else {}
            self._print(push, label, numbered)

    def _print(self, reply: Reply, label: str, numbered: dict[str, int]) -> None:
        if reply.text:
            body = reply.text.replace("\n", "\n    ")
            self.line(f"[{label}] {body}")
        if reply.buttons:
            cells = []
            for row in reply.buttons:
                for b in row:
                    n = numbered.get(b.data)
                    cells.append(f"[{n}] {b.text}" if n else f"[{b.text}]")
            self.line("    " + "  ".join(cells))
        if reply.request_location:
            self.line(w.CONSOLE_LOC_HINT)
        if reply.photo_file_id:
            self.line(w.CONSOLE_PHOTO.format(photo=reply.photo_file_id))


def _role_word(role: str) -> str:
    return w.CONSOLE_ROLES.get(role, role)


async def _latest_grid(service: Any) -> str | None:
    from sqlalchemy import select

    from storage.models import Case

    async with service.db.session() as s:
        row = (await s.execute(select(Case.grid_id).where(Case.grid_id.is_not(None))
                               .order_by(Case.created_at.desc(), Case.id.desc()).limit(1))).first()
    return row[0] if row else None


async def _hand_waiting_cases(service: Any, grid_id: str, worker_id: int) -> int:
    """Cases of the grid still waiting for a worker (none was bound when they were filed) go to the new one."""
    from sqlalchemy import select

    from storage.models import Case

    async with service.db.session() as s:
        ids = [r[0] for r in (await s.execute(select(Case.id).where(
            Case.grid_id == grid_id, Case.assignee_id.is_(None), Case.state.in_(("filed", "returned"))))).all()]
    for case_id in ids:
        await service.assign(case_id, worker_id)
    return len(ids)
