"""`griddesk run` with a token: build the app, pick the adapter, and run polling or the webhook beside the
outbox and deadline loops until SIGINT/SIGTERM.

In polling mode the first getUpdates goes out as soon as getMe has answered; what the bot still has to do before it
handles an update (the framework's types built, the web server listening, the heap frozen) runs while
that long poll waits, and an update that arrives meanwhile waits for it (`started`), so it is answered as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from bot.channels import TELEGRAM, SenderRegistry
from bot.errors import ConfigError, StorageError
from bot.messages import OUTBOX_ID, Incoming, Reply
from bot.runtime.frozen import freeze_startup
from bot.runtime.loops import DeadlineLoop, OutboxLoop
from bot.settings import Settings
from bot.telegram.menus import Commands, MenuManager
from bot.telegram.runtime import BotRuntime
from bot.telegram.sender import SEND_TIMEOUT, Backoff, Delivery, RateLimiter, SendFailure, TelegramSender
from bot.telegram.translate import Translated

if TYPE_CHECKING:  # imported once polling has started (aiohttp's server, the console, Open311: not needed to poll)
    from bot.telegram.webhook import TelegramWebhook
    from bot.web.server import WebServer

log = logging.getLogger(__name__)


class Adapter(Protocol):
    name: str
    username: str | None

    async def start(self) -> dict[str, Any]: ...
    def warm(self) -> None: ...
    async def run_polling(self, stop: asyncio.Event, requested: asyncio.Event | None = None) -> None: ...
    async def feed(self, update: dict[str, Any]) -> None: ...
    async def set_webhook(self, url: str, secret: str) -> None: ...
    async def close(self) -> None: ...
    async def send(self, call: Any) -> int | None: ...
    async def answer_callback(self, callback_id: str, text: str | None) -> None: ...
    async def set_commands(self, commands: Commands, chat_id: int | None) -> None: ...
    async def download(self, file_id: str, max_bytes: int) -> bytes: ...


def make_adapter(settings: Settings, dispatch: Callable[[Translated], Awaitable[None]]) -> Adapter:
    """The framework named by BOT_FRAMEWORK; its library is imported only here, on demand."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is empty")
    if settings.bot_framework == "ptb":
        from bot.telegram.ptb_adapter import PtbAdapter

        return PtbAdapter(token, settings.telegram_api_url, dispatch)
    from bot.telegram.aiogram_import import import_aiogram

    import_aiogram()  # its ~440 types built on first use, not all at import (bot/telegram/aiogram_import.py)
    from bot.telegram.aiogram_adapter import AiogramAdapter

    return AiogramAdapter(token, settings.telegram_api_url, dispatch)


_TOKEN_LIKE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{4,}")


async def connect(adapter: Adapter, api_url: str, stop: asyncio.Event) -> dict[str, Any] | None:
    """getMe until the Bot API answers; a refused token is a configuration error, not a retry."""
    backoff, attempt = Backoff(base=1.0, cap=30.0), 0
    while not stop.is_set():
        attempt += 1
        try:
            return await adapter.start()
        except SendFailure as exc:
            said = _TOKEN_LIKE.sub("<token>", exc.description or "")  # some servers echo the token back
            if exc.kind == "unauthorized":
                raise ConfigError(f"TELEGRAM_BOT_TOKEN was refused by {api_url}: {said} (check the token from "
                                  "@BotFather, and that TELEGRAM_API_URL is a Bot API server)") from None
            if exc.kind in ("bad_request", "conflict"):  # e.g. 404: a web server, or a URL ending in /bot
                raise ConfigError(f"TELEGRAM_API_URL: {api_url} answered getMe with {said!r}; give the base URL "
                                  "of a Bot API server, without /bot (e.g. https://api.telegram.org)") from None
            wait = backoff.delay(attempt)
            log.warning("Bot API at %s not reachable (%s); retrying in %.0fs", api_url, exc.description, wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
    return None


#: How long the start-up waits for the first getUpdates to be written before it goes on anyway (a Bot API that
#: accepted getMe but is slow to take a connection): what follows only has to be done before the first update.
FIRST_REQUEST_WAIT = 5.0


async def first_request(requested: asyncio.Event, polling: asyncio.Task[Any]) -> None:
    """Until the poller has written its first getUpdates, it has failed (its error comes out of the task later),
    or `FIRST_REQUEST_WAIT` has passed."""
    waiter = asyncio.create_task(requested.wait())
    try:
        await asyncio.wait({waiter, polling}, timeout=FIRST_REQUEST_WAIT, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


async def run_bot(settings: Settings, *, stop: asyncio.Event | None = None) -> int:
    from sqlalchemy import select

    from bot.services import build_app
    from storage.models import Worker

    stop = stop or asyncio.Event()
    try:
        app = await build_app(settings)
    except StorageError as exc:  # at start it is the setting: unreachable server, wrong password, no such database
        said = str(exc).removeprefix("DATABASE_URL").lstrip(": ")
        raise ConfigError(f"DATABASE_URL: {said} (check the URL and that the database server is running)") from None
    service = app.cases
    runtime: BotRuntime | None = None
    started = asyncio.Event()  # set once the start-up is done: updates polled before then wait for it (`settle`)

    async def dispatch(item: Translated) -> None:
        if not started.is_set():
            await started.wait()
        assert runtime is not None
        await runtime.dispatch(item)

    adapter = make_adapter(settings, dispatch)

    async def mark_blocked(chat_id: int) -> None:
        handed = await service.chat_refused(chat_id)
        if handed:
            log.warning("chat %s refuses the bot; its open cases went back to the queue: %s", chat_id, ", ".join(handed))

    async def bound_workers() -> set[int]:
        async with service.db.session() as s:
            rows = await s.execute(select(Worker.external_id).where(Worker.channel == TELEGRAM,
                                                                    Worker.external_id.is_not(None), Worker.active))
            return {int(r[0]) for r in rows}

    menus = MenuManager(adapter, settings.admin_ids, bound_workers)

    async def delivered(reply: Reply, delivery: Delivery) -> None:
        """Settle the reply's outbox copy (a receipt), or queue a reply Telegram keeps refusing right now."""
        copy = reply.extra.get(OUTBOX_ID)
        if copy is not None:
            if delivery.status == "sent":
                await service.outbox.mark_sent_if_pending(int(copy))
            elif delivery.status == "failed":
                await service.outbox.due_now(int(copy), delivery.reason)
        elif delivery.status == "failed":
            await service.outbox.add(reply)

    async def after_event(incoming: Incoming, replies: list[Reply]) -> None:
        # Pushes the engine queued wake the outbox loop when their turn commits (`Outbox._after_commit`); waking it
        # after every update made it claim (a write transaction) and look for due rows once per update of a burst.
        if incoming.kind == "command" and incoming.command in {"bind", "start"}:
            await menus.refresh(incoming.chat_id)

    burst = max(1, min(5, int(settings.telegram_max_rate // 5)))
    limiter = RateLimiter(per_second=settings.telegram_max_rate, burst=burst)
    sender = TelegramSender(adapter, limiter=limiter, on_blocked=mark_blocked)
    runtime = BotRuntime(app.engine, sender, on_delivered=delivered, after_event=after_event)
    outbox = OutboxLoop(service.outbox, SenderRegistry({TELEGRAM: sender}), send_timeout=SEND_TIMEOUT)
    deadlines = DeadlineLoop(service, settings.deadline_check_seconds)
    _install_signals(stop)
    web: WebServer | None = None

    async def settle(webhook: TelegramWebhook | None) -> WebServer:
        """What the bot does before it handles anything but does not need to ask Telegram for updates: in polling
        mode it runs while the first getUpdates waits (an update that comes meanwhile waits for it, `started`)."""
        from bot.web.parts import WebContext, start_web

        adapter.warm()
        for gap in await service.coverage():
            log.warning("coverage: %s", gap)
        # One web server for the webhook, the console and the APIs (taken since the start-up check: ConfigError).
        server = await start_web(WebContext(settings, service, settings.admin_ids, webhook, photos=adapter.download))
        # Everything built so far (intents, dictionaries, the knowledge index, the framework's types) lives as long
        # as the process: out of the collector's sight, a full collection walks only what came after, not ~150k
        # objects (~0.2 s of a burst, on the loop). The ~1k objects of start-up garbage stay: nothing to speak of.
        # /reload collects what it replaced and freezes again (`bot.runtime.frozen.refreeze`).
        freeze_startup()
        return server

    try:
        me = await connect(adapter, settings.telegram_api_url, stop)
        if me is None:
            return 0
        log.info("connected as @%s (%s, %s)", me.get("username"), adapter.name, settings.telegram_api_url)
        await menus.install()  # everyone's menu is in place when the bot starts to poll
        tasks: list[asyncio.Task[Any]] = []
        if settings.webhook_url:
            from bot.telegram.webhook import TelegramWebhook, webhook_path

            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else secrets.token_urlsafe(32)
            web = await settle(TelegramWebhook(adapter.feed, secret, webhook_path(settings.webhook_url)))
            started.set()
            await adapter.set_webhook(settings.webhook_url, secret)
            log.info("webhook mode: %s", settings.webhook_url)
            tasks.append(asyncio.create_task(stop.wait(), name="webhook"))
        else:
            requested = asyncio.Event()
            polling = asyncio.create_task(adapter.run_polling(stop, requested), name="polling")
            tasks.append(polling)
            await first_request(requested, polling)
            log.info("long polling")
            web = await settle(None)
            started.set()
        tasks += [asyncio.create_task(outbox.run(stop), name="outbox"),
                  asyncio.create_task(deadlines.run(stop), name="deadlines")]
        print(f"griddesk: bot @{me.get('username')} running ({adapter.name}); staff console at {settings.web_url}/console/ "
              "(send /console to the bot for a login link); Ctrl+C stops it", flush=True)
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        await asyncio.wait(tasks, timeout=30)
        return 0
    finally:
        stop.set()  # the poller too, when the start-up failed beside it
        if web is not None:
            await web.stop()
        with contextlib.suppress(Exception):
            await adapter.close()
        await app.close()


def _install_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
