"""aiogram 3 adapter (the default): updates → `translate` → runtime; `Outgoing` → aiogram calls.

The only module that imports aiogram. It translates, it does not decide: every answer comes from the
engine (through the runtime) and every send goes through the shared `TelegramSender`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendLocation, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageId,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from aiohttp.payload import BytesPayload

from bot.telegram.aiogram_import import warm_up
from bot.telegram.menus import Commands
from bot.telegram.poller import Poller
from bot.telegram.render import ContactKeyboard, InlineKeyboard, LocationKeyboard, Markup, Outgoing, RemoveKeyboard
from bot.telegram.sender import SEND_TIMEOUT, SendFailure
from bot.telegram.translate import Translated, translate_callback, translate_message

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
HTML = "HTML"


@lru_cache(maxsize=1024)
def to_markup(markup: Markup) -> Any:
    """aiogram's keyboard for ours, built once per distinct keyboard (the desk's are a few dozen wordings).

    aiogram's types are frozen, so one object can ride on every message that shows the same keyboard; building
    it was ~25 µs of pydantic validation per send."""
    if isinstance(markup, InlineKeyboard):
        return InlineKeyboardMarkup(inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row] for row in markup.rows])
    if isinstance(markup, LocationKeyboard):
        return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=markup.button_text, request_location=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    if isinstance(markup, ContactKeyboard):
        return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=markup.button_text, request_contact=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    if isinstance(markup, RemoveKeyboard):
        return ReplyKeyboardRemove()
    return None


def to_failure(exc: BaseException) -> SendFailure:
    """aiogram's exception tree → the sender's neutral failure kinds."""
    if isinstance(exc, TelegramRetryAfter):
        return SendFailure("retry_after", exc.message, float(exc.retry_after))
    if isinstance(exc, TelegramForbiddenError):
        return SendFailure("blocked", exc.message)
    if isinstance(exc, TelegramUnauthorizedError):
        return SendFailure("unauthorized", exc.message)
    if isinstance(exc, TelegramConflictError):
        return SendFailure("conflict", exc.message)
    if isinstance(exc, TelegramBadRequest | TelegramNotFound | TelegramEntityTooLarge | TelegramMigrateToChat):
        return SendFailure("bad_request", exc.message)
    if isinstance(exc, TelegramServerError):
        return SendFailure("server", exc.message)
    if isinstance(exc, ClientDecodeError):  # a proxy's HTML error page instead of Telegram's JSON
        return SendFailure("server", str(exc)[:200])
    if isinstance(exc, TelegramNetworkError):
        return SendFailure("network", exc.message)
    if isinstance(exc, TelegramAPIError):
        return SendFailure("server", exc.message)
    return SendFailure("network", f"{exc.__class__.__name__}: {exc}")


# The desk reads only the message id of what it sends: the answer is read as aiogram's `MessageId` (its other
# fields kept unread as extras) instead of a whole `Message` with its chat, sender and keyboard (~60 µs per send).
# Same Bot API method, same request, same errors: only the type aiogram reads the answer into differs.
class _SendMessage(SendMessage):
    __returning__ = MessageId


class _SendPhoto(SendPhoto):
    __returning__ = MessageId


class _SendLocation(SendLocation):
    __returning__ = MessageId


class _EditMessageText(EditMessageText):
    __returning__ = MessageId | bool  # True when the message edited is an inline one


@lru_cache(maxsize=256)
def _defaulted(method: type[TelegramMethod[Any]]) -> frozenset[str]:
    """The fields of a method whose default is not None (aiogram's `Default`s above all)."""
    return frozenset(name for name, field in method.model_fields.items()
                     if field.default is not None or field.default_factory is not None)


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class JsonSession(AiohttpSession):
    """aiogram's aiohttp session writing each call without files as one JSON body (the Bot API reads
    `application/json` as it reads forms). aiogram's form percent-encodes every byte of the Chinese text and
    JSON-encodes each field on its own (~0.1 ms of a send); here a call is the same fields, left out when aiogram
    leaves them out, in one `json.dumps`; keyboards (the same few objects, `to_markup`) are prepared once. A call
    with files keeps aiogram's multipart form. Requests, answers and errors are otherwise aiogram's own."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._prepared: dict[int, tuple[TelegramObject, Any]] = {}  # id → (keyboard, its JSON-ready dict)
        self._bot_defaults: dict[type[TelegramMethod[Any]], tuple[Bot, dict[str, Any]]] = {}  # `_defaults`

    def build_form_data(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        files: dict[str, Any] = {}
        data: dict[str, Any] = {}
        markup = getattr(method, "reply_markup", None)
        # The fields given, and those whose default may say something (a `Default` the bot's defaults resolve):
        # the other ~15 of a sendMessage are None, which aiogram leaves out after dumping and walking them all.
        include = (method.model_fields_set | _defaulted(type(method))) - {"reply_markup"}
        fields = method.model_dump(warnings=False, include=include)
        for key, value in fields.items():
            value = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if value is not None and value != "":  # what aiogram's form leaves out (an empty text is refused anyway)
                data[key] = value
        if isinstance(markup, TelegramObject):
            data["reply_markup"] = self._prepared_markup(markup, bot, files)
        if files:
            return super().build_form_data(bot, method)
        return BytesPayload(_dumps(data), content_type="application/json")

    async def call(self, bot: Bot, method: type[TelegramMethod[Any]], fields: dict[str, Any],
                   read: Callable[[Any], Any]) -> Any:
        """`bot(method(**fields))` without building the method's model: the body `build_form_data` writes for it
        (the fields given, the bot's defaults the method takes, the keyboard prepared once) posted as aiogram posts
        it, and the answer's `result` handed to `read` (which raises `LookupError` or `TypeError` on a result that
        is not what it expects). An answer that is not a plain success (any error, a body that is not JSON, a
        result `read` refuses) goes through aiogram's own `check_response` with the method built then, so errors,
        `retry_after` and decode failures come out exactly as from `bot(...)`. A session with middlewares (none in
        GridDesk) takes aiogram's path whole. Building, dumping and validating the method and its answer was about
        half of a send's CPU in a burst."""
        if len(self.middleware):
            return read(await bot(method(**fields)))
        data: dict[str, Any] = dict(self._defaults(bot, method))
        for key, value in fields.items():  # a field given, even as None, is the call's: never the bot's default
            if value is None or value == "":  # what aiogram's form leaves out (an empty text is refused anyway)
                data.pop(key, None)
            else:
                data[key] = self._prepared_markup(value, bot, {}) if key == "reply_markup" else value
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(url, data=BytesPayload(_dumps(data), content_type="application/json"),
                                    timeout=self.timeout) as resp:
                status, raw = resp.status, await resp.text()
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method(**fields), message="Request timeout error") from exc
        except aiohttp.ClientError as exc:
            raise TelegramNetworkError(method=method(**fields), message=f"{type(exc).__name__}: {exc}") from exc
        if status == 200:
            try:
                answer = self.json_loads(raw)
                if isinstance(answer, dict) and answer.get("ok") is True:
                    return read(answer["result"])
            except (ValueError, LookupError, TypeError):
                pass  # aiogram says what is wrong with it below
        built = method(**fields)
        return read(self.check_response(bot=bot, method=built, status_code=status, content=raw).result)

    def _defaults(self, bot: Bot, method: type[TelegramMethod[Any]]) -> dict[str, Any]:
        """The fields of `method` whose default is one of the bot's defaults set (`parse_mode`, `protect_content` …),
        as aiogram's form writes them when the call does not give them (a given field overrides it in `call`)."""
        known = self._bot_defaults.get(method)
        if known is not None and known[0] is bot:
            return known[1]
        found: dict[str, Any] = {}
        for name in _defaulted(method):
            default = method.model_fields[name].default
            if isinstance(default, Default):
                value = self.prepare_value(default, bot=bot, files={}, _dumps_json=False)
                if value is not None and value != "":
                    found[name] = value
        self._bot_defaults[method] = (bot, found)
        return found

    def _prepared_markup(self, markup: TelegramObject, bot: Bot, files: dict[str, Any]) -> Any:
        known = self._prepared.get(id(markup))
        if known is not None and known[0] is markup:
            return known[1]
        prepared = self.prepare_value(markup, bot=bot, files=files, _dumps_json=False)
        if len(self._prepared) >= 2048:
            self._prepared.clear()
        self._prepared[id(markup)] = (markup, prepared)  # the object is held, so its id is not reused meanwhile
        return prepared


#: What the desk reads of the message a pressed button sits on (`translate_callback`), and the date aiogram tells an
#: inaccessible message by.
_PRESSED = ("message_id", "date", "chat")


def pressed_only(update: dict[str, Any]) -> dict[str, Any]:
    """`update` with a callback query's message cut to `_PRESSED` (a new dict; other updates as they are)."""
    query = update.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if not isinstance(message, dict):
        return update
    cut = {key: message[key] for key in _PRESSED if key in message}
    return {**update, "callback_query": {**query, "message": cut}}  # type: ignore[dict-item]


def _message_id(result: Any) -> int:
    """A sent message's id from the Bot API's answer (its JSON, or the `MessageId` aiogram read it into); anything
    else is refused."""
    message_id = result.message_id if isinstance(result, MessageId) else result["message_id"]
    if type(message_id) is not int:
        raise TypeError("message_id is not an integer")
    return message_id


def _answered(result: Any) -> bool:
    if result is not True:
        raise TypeError("answerCallbackQuery answered something other than True")
    return True


class AiogramAdapter:
    name = "aiogram"

    def __init__(self, token: str, api_url: str, dispatch: Callable[[Translated], Awaitable[None]], *,
                 poll_timeout: int = 25):
        self.api_url = api_url.rstrip("/")
        session = JsonSession(api=TelegramAPIServer.from_base(self.api_url), timeout=SEND_TIMEOUT)
        self.bot = Bot(token, session=session)
        self._dispatch = dispatch
        self.poll_timeout = poll_timeout
        self.username: str | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> dict[str, Any]:
        try:
            me = await self.bot.get_me()
        except (TelegramAPIError, ClientDecodeError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc
        self.username = me.username
        return {"id": me.id, "username": me.username}

    def warm(self) -> None:
        """The types of updates and answers built now, not by the first burst of updates (the runner calls this
        once the first getUpdates is out, before any update is handled)."""
        warm_up()
        self._warm_calls()

    def _warm_calls(self) -> None:
        """The adapter's own calls built and written once now: pydantic defers a model whose fields' types were
        not built yet when it was declared, and would build it on the first send of a burst."""
        inline = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="-", callback_data="x")]])
        for call in (_SendMessage(chat_id=1, text="-", parse_mode=HTML, reply_markup=inline),
                     _SendPhoto(chat_id=1, photo="p", caption="-", parse_mode=HTML, reply_markup=inline),
                     _SendLocation(chat_id=1, latitude=31.2, longitude=121.4),
                     _EditMessageText(chat_id=1, message_id=1, text="-", parse_mode=HTML, reply_markup=inline)):
            self.bot.session.build_form_data(self.bot, call)

    async def run_polling(self, stop: asyncio.Event, requested: asyncio.Event | None = None) -> None:
        """Long polling through GridDesk's poller: each update handled before it is confirmed, a poison one skipped."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        await Poller(self.api_url, self.bot.token, self.process, allowed_updates=ALLOWED_UPDATES,
                     poll_timeout=self.poll_timeout).run(stop, requested=requested)

    async def process(self, update: dict[str, Any]) -> None:
        """One raw update, parsed by aiogram and handled to the end (raises when aiogram cannot read it).

        Parsed as aiogram's `Dispatcher.feed_raw_update` parses it (the Update mounted on our bot), then handed to
        the one handler of its kind: aiogram's dispatch around three handlers without filters (router
        propagation, its error/user-context/FSM middlewares, none of which GridDesk uses) was ~10% of a turn's
        CPU. Kinds other than the three of `ALLOWED_UPDATES` are not handled, as with a router without them.
        A button's update carries the whole message pressed (its text, keyboard, sender …), of which the desk reads
        the chat and the id: only those and its date (which tells aiogram an inaccessible message) are parsed."""
        parsed = Update.model_validate(pressed_only(update), context={"bot": self.bot})
        if parsed.message is not None:
            await self._on_message(parsed.message, parsed)
        elif parsed.edited_message is not None:
            await self._on_edited(parsed.edited_message, parsed)
        elif parsed.callback_query is not None:
            await self._on_callback(parsed.callback_query, parsed)

    async def feed(self, update: dict[str, Any]) -> None:
        """One update from the webhook (already authenticated): handled like a polled one."""
        await self.process(update)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def close(self) -> None:
        await self.bot.session.close()

    # -- updates ---------------------------------------------------------------------------------
    # `event_update` (the whole Update): its update_id goes in the log line.
    async def _on_message(self, message: Message, event_update: Update) -> None:
        await self._dispatch(translate_message(message, bot_username=self.username, update_id=event_update.update_id))

    async def _on_edited(self, message: Message, event_update: Update) -> None:
        await self._dispatch(translate_message(message, bot_username=self.username, edited=True,
                                               update_id=event_update.update_id))

    async def _on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        await self._dispatch(translate_callback(query, update_id=event_update.update_id))

    # -- BotCalls --------------------------------------------------------------------------------
    async def send(self, call: Outgoing) -> int | None:
        markup = to_markup(call.markup)
        try:
            if call.kind == "edit":
                edited = call.message_id
                return await self.bot.session.call(self.bot, _EditMessageText, {
                    "text": call.html, "chat_id": call.chat_id, "message_id": call.message_id, "parse_mode": HTML,
                    "reply_markup": markup}, lambda result: edited if result is True else _message_id(result))
            if call.kind == "message":
                return await self.bot.session.call(self.bot, _SendMessage, {
                    "chat_id": call.chat_id, "text": call.html, "parse_mode": HTML, "reply_markup": markup}, _message_id)
            if call.kind == "location" and call.location is not None:
                sent = await self.bot(_SendLocation(chat_id=call.chat_id, latitude=call.location[0],
                                                    longitude=call.location[1]))
            elif call.kind == "photo":
                sent = await self.bot(_SendPhoto(chat_id=call.chat_id, photo=call.photo or "",
                                                 caption=call.html or None, parse_mode=HTML, reply_markup=markup))
            else:
                sent = await self.bot(_SendMessage(chat_id=call.chat_id, text=call.html, parse_mode=HTML,
                                                   reply_markup=markup))
            return sent.message_id
        except (TelegramAPIError, ClientDecodeError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc

    async def download(self, file_id: str, max_bytes: int) -> bytes:
        """A file people sent (a case's photo), through getFile; `SendFailure` when Telegram refuses or it is too big."""
        try:
            file = await self.bot.get_file(file_id)
            if not file.file_path:
                raise SendFailure("bad_request", "getFile gave no file_path")
            if file.file_size is not None and file.file_size > max_bytes:
                raise SendFailure("bad_request", f"file is {file.file_size} bytes, more than {max_bytes}")
            data = await self.bot.download_file(file.file_path)
        except (TelegramAPIError, ClientDecodeError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc
        content = data.read() if data is not None else b""
        if len(content) > max_bytes:
            raise SendFailure("bad_request", f"file is more than {max_bytes} bytes")
        return content

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        try:
            await self.bot.session.call(self.bot, AnswerCallbackQuery, {"callback_query_id": callback_id, "text": text},
                                        _answered)
        except (TelegramAPIError, ClientDecodeError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise to_failure(exc) from exc

    async def set_commands(self, commands: Commands, chat_id: int | None) -> None:
        scope = BotCommandScopeDefault() if chat_id is None else BotCommandScopeChat(chat_id=chat_id)
        await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in commands], scope=scope)
