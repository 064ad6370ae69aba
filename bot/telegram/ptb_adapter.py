"""python-telegram-bot adapter (`BOT_FRAMEWORK=ptb`): the same translation and rendering as aiogram's.

The only module that imports telegram/telegram.ext. Updates run concurrently (the runtime keeps each
chat in order); webhook updates are put on the application's queue after the shared webhook server has
checked the secret.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.telegram.menus import Commands
from bot.telegram.poller import Poller
from bot.telegram.render import ContactKeyboard, InlineKeyboard, LocationKeyboard, Markup, Outgoing, RemoveKeyboard
from bot.telegram.sender import SEND_TIMEOUT, SendFailure
from bot.telegram.translate import Translated, translate_callback, translate_message

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
HTML = "HTML"


def to_markup(markup: Markup) -> Any:
    if isinstance(markup, InlineKeyboard):
        return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data) for text, data in row]
                                     for row in markup.rows])
    if isinstance(markup, LocationKeyboard):
        return ReplyKeyboardMarkup([[KeyboardButton(markup.button_text, request_location=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    if isinstance(markup, ContactKeyboard):
        return ReplyKeyboardMarkup([[KeyboardButton(markup.button_text, request_contact=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    if isinstance(markup, RemoveKeyboard):
        return ReplyKeyboardRemove()
    return None


def to_failure(exc: BaseException) -> SendFailure:
    """python-telegram-bot's exceptions → the sender's neutral failure kinds (BadRequest is a NetworkError there)."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta; both are handled
            warnings.simplefilter("ignore")
            after = exc.retry_after
        seconds = after.total_seconds() if isinstance(after, dt.timedelta) else float(after)
        return SendFailure("retry_after", str(exc), seconds)
    if isinstance(exc, Forbidden):
        return SendFailure("blocked", exc.message)
    if isinstance(exc, InvalidToken):
        return SendFailure("unauthorized", exc.message)
    if isinstance(exc, Conflict):
        return SendFailure("conflict", exc.message)
    if isinstance(exc, BadRequest | ChatMigrated):
        return SendFailure("bad_request", str(exc))
    if isinstance(exc, TimedOut):
        return SendFailure("network", exc.message)
    if isinstance(exc, NetworkError):  # PTB reports 5xx (Bad Gateway…) as NetworkError too
        kind = "server" if any(w in exc.message for w in ("Gateway", "Server", "Unavailable", "(5")) else "network"
        return SendFailure(kind, exc.message)
    if isinstance(exc, TelegramError):
        return SendFailure("server", exc.message)
    return SendFailure("network", f"{exc.__class__.__name__}: {exc}")


class PtbAdapter:
    name = "ptb"

    def __init__(self, token: str, api_url: str, dispatch: Callable[[Translated], Awaitable[None]], *,
                 poll_timeout: int = 25, concurrency: int = 256):
        base = self.api_url = api_url.rstrip("/")
        self.app: Application = (
            ApplicationBuilder().token(token).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
            .concurrent_updates(concurrency).get_updates_read_timeout(poll_timeout + 10)
            # connect + pool + write + read stay within SEND_TIMEOUT, which the outbox lease is derived from
            .connect_timeout(SEND_TIMEOUT / 4).pool_timeout(SEND_TIMEOUT / 4).write_timeout(SEND_TIMEOUT / 4)
            .media_write_timeout(SEND_TIMEOUT / 4).read_timeout(SEND_TIMEOUT / 4).build()
        )
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._dispatch = dispatch
        self.poll_timeout = poll_timeout
        self.username: str | None = None
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> dict[str, Any]:
        try:
            await self.app.initialize()
        except (TelegramError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc
        me = self.app.bot.bot
        self.username = me.username
        return {"id": me.id, "username": me.username}

    async def _start_processing(self) -> None:
        if not self._started:
            await self.app.start()
            self._started = True

    def warm(self) -> None:
        """Nothing to build ahead: PTB's types are plain classes."""

    async def run_polling(self, stop: asyncio.Event, requested: asyncio.Event | None = None) -> None:
        """Long polling through GridDesk's poller: each update handled before it is confirmed, a poison one skipped."""
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        await self._start_processing()
        await Poller(self.api_url, self.app.bot.token, self.process, allowed_updates=ALLOWED_UPDATES,
                     poll_timeout=self.poll_timeout).run(stop, requested=requested)

    async def process(self, update: dict[str, Any]) -> None:
        """One raw update, parsed by PTB and handled to the end (raises when PTB cannot read it)."""
        parsed = Update.de_json(update, self.app.bot)
        if parsed is None:
            raise ValueError("python-telegram-bot could not read the update")
        await self.app.process_update(parsed)

    async def feed(self, update: dict[str, Any]) -> None:
        """One update from the webhook (already authenticated): onto the application's queue."""
        await self._start_processing()
        await self.app.update_queue.put(Update.de_json(update, self.app.bot))

    async def set_webhook(self, url: str, secret: str) -> None:
        await self._start_processing()
        await self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def close(self) -> None:
        if self._started:
            await self.app.stop()
        await self.app.shutdown()

    # -- updates ---------------------------------------------------------------------------------
    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        uid = update.update_id
        if update.callback_query is not None:
            await self._dispatch(translate_callback(update.callback_query, update_id=uid))
        elif update.message is not None:
            await self._dispatch(translate_message(update.message, bot_username=self.username, update_id=uid))
        elif update.edited_message is not None:
            await self._dispatch(translate_message(update.edited_message, bot_username=self.username, edited=True,
                                                   update_id=uid))

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("python-telegram-bot reported an error: %s", context.error, exc_info=context.error)

    # -- BotCalls --------------------------------------------------------------------------------
    async def send(self, call: Outgoing) -> int | None:
        bot = self.app.bot
        markup = to_markup(call.markup)
        try:
            if call.kind == "edit":
                result = await bot.edit_message_text(call.html, chat_id=call.chat_id, message_id=call.message_id,
                                                     parse_mode=HTML, reply_markup=markup)
                return result.message_id if isinstance(result, Message) else call.message_id
            if call.kind == "location" and call.location is not None:
                sent = await bot.send_location(call.chat_id, latitude=call.location[0], longitude=call.location[1])
                return sent.message_id
            if call.kind == "photo":
                sent = await bot.send_photo(call.chat_id, call.photo or "", caption=call.html or None, parse_mode=HTML,
                                            reply_markup=markup)
            else:
                sent = await bot.send_message(call.chat_id, call.html, parse_mode=HTML, reply_markup=markup)
            return sent.message_id
        except (TelegramError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc

    async def download(self, file_id: str, max_bytes: int) -> bytes:
        """A file people sent (a case's photo), through getFile; `SendFailure` when Telegram refuses or it is too big."""
        try:
            file = await self.app.bot.get_file(file_id)
            if file.file_size is not None and file.file_size > max_bytes:
                raise SendFailure("bad_request", f"file is {file.file_size} bytes, more than {max_bytes}")
            content = bytes(await file.download_as_bytearray())
        except (TelegramError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc
        if len(content) > max_bytes:
            raise SendFailure("bad_request", f"file is more than {max_bytes} bytes")
        return content

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        try:
            await self.app.bot.answer_callback_query(callback_id, text=text)
        except (TelegramError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc

    async def set_commands(self, commands: Commands, chat_id: int | None) -> None:
        scope = BotCommandScopeDefault() if chat_id is None else BotCommandScopeChat(chat_id)
        await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in commands], scope=scope)
