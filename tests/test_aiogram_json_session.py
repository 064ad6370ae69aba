"""The aiogram adapter's session (`bot.telegram.aiogram_adapter.JsonSession`) writes each call as one JSON body with
the same fields and values aiogram's own urlencoded form carries, keeps aiogram's multipart form for uploads, and
the adapter reads a sent message's id through aiogram from the real double (HTTP, no mock)."""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import AnswerCallbackQuery, DeleteWebhook, EditMessageText, SendLocation, SetMyCommands
from aiogram.types import BotCommand, BotCommandScopeChat, BufferedInputFile
from aiohttp import FormData

from bot.telegram.aiogram_adapter import AiogramAdapter, JsonSession, _SendMessage, _SendPhoto, to_failure, to_markup
from bot.telegram.render import ContactKeyboard, InlineKeyboard, LocationKeyboard, Outgoing, RemoveKeyboard
from bot.telegram.sender import SendFailure

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble

#: The form fields aiogram writes as plain strings; every other field is a JSON value in the form too.
PLAIN = {"text", "caption", "parse_mode", "photo", "callback_query_id", "description"}


def form_fields(bot: Bot, call: Any) -> dict[str, Any]:
    """What aiogram's own session sends for `call`, decoded: plain strings as they are, the rest from JSON."""
    form = dict(urllib.parse.parse_qsl(AiohttpSession().build_form_data(bot, call)()._value.decode()))
    return {key: value if key in PLAIN else json.loads(value) for key, value in form.items()}


def calls() -> list[Any]:
    inline = to_markup(InlineKeyboard(((("好 👍", "case:1"), ("不", "no")), (("取消", "cancel"),))))
    return [
        _SendMessage(chat_id=5, text="<b>受理</b> & 谢谢", parse_mode="HTML", reply_markup=inline),
        _SendMessage(chat_id=5, text="位置", reply_markup=to_markup(LocationKeyboard("发送位置"))),
        _SendMessage(chat_id=5, text="电话", reply_markup=to_markup(ContactKeyboard("发送电话"))),
        _SendMessage(chat_id=5, text="好", reply_markup=to_markup(RemoveKeyboard())),
        _SendPhoto(chat_id=5, photo="file-1", caption="照片", parse_mode="HTML"),
        SendLocation(chat_id=5, latitude=0.0, longitude=121.4),
        EditMessageText(chat_id=5, message_id=3, text="改了", reply_markup=inline),
        AnswerCallbackQuery(callback_query_id="q"),
        SetMyCommands(commands=[BotCommand(command="my", description="我的")], scope=BotCommandScopeChat(chat_id=7)),
        DeleteWebhook(drop_pending_updates=False),
    ]


def test_each_call_is_one_json_body_with_the_fields_of_aiograms_form():
    for defaults in (None, DefaultBotProperties(parse_mode="HTML", protect_content=True)):
        bot = Bot("1:a", session=JsonSession(), default=defaults)
        for call in calls():
            body = bot.session.build_form_data(bot, call)
            assert body.content_type == "application/json"
            assert json.loads(body._value) == form_fields(bot, call), type(call).__name__
    bot = Bot("1:a", session=JsonSession(), default=DefaultBotProperties(protect_content=True))
    assert json.loads(bot.session.build_form_data(bot, calls()[0])._value)["protect_content"] is True  # a bot default


def test_a_keyboard_is_prepared_once_and_a_new_one_is_not_mistaken_for_it():
    bot = Bot("1:a", session=JsonSession())
    first, second = calls()[0], calls()[0]
    assert first.reply_markup is second.reply_markup  # `to_markup` gives the same object for the same keyboard
    bodies = [json.loads(bot.session.build_form_data(bot, call)._value) for call in (first, second)]
    assert bodies[0] == bodies[1]
    other = _SendMessage(chat_id=5, text="x", reply_markup=to_markup(InlineKeyboard(((("别的", "other"),),))))
    assert json.loads(bot.session.build_form_data(bot, other)._value)["reply_markup"] == {
        "inline_keyboard": [[{"text": "别的", "callback_data": "other"}]]
    }


def test_an_upload_keeps_aiograms_multipart_form():
    bot = Bot("1:a", session=JsonSession())
    call = _SendPhoto(chat_id=5, photo=BufferedInputFile(b"\xff\xd8jpeg", filename="p.jpg"), caption="照片")
    assert isinstance(bot.session.build_form_data(bot, call), FormData)


async def test_sends_through_aiogram_reach_the_double_and_give_the_message_ids():
    async with BotApiDouble() as tg:
        tg.send_text(5, "你好", first_name="王")
        adapter = AiogramAdapter(tg.token, tg.url, lambda item: None)  # type: ignore[arg-type,return-value]
        try:
            keyboard = InlineKeyboard(((("好", "ok"),),))
            first = await adapter.send(Outgoing("message", 5, "<b>受理</b>", keyboard))
            second = await adapter.send(Outgoing("message", 5, "再一次", keyboard))
            pin = await adapter.send(Outgoing("location", 5, "", location=(31.2, 121.4)))
            edited = await adapter.send(Outgoing("edit", 5, "改了", keyboard, message_id=first))
        finally:
            await adapter.close()
        sent = [s for s in tg.sent if s.method != "getUpdates"]
        assert [s.method for s in sent] == ["sendMessage", "sendMessage", "sendLocation", "editMessageText"]
        assert [first, second, pin, edited] == [sent[0].message_id, sent[1].message_id, sent[2].message_id, first]
        assert len({first, second, pin}) == 3
        assert sent[0].text == "受理" and sent[1].text == "再一次"
        assert sent[0].reply_markup == sent[1].reply_markup == {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}


class _Answer:
    """One canned HTTP answer of the fake aiohttp session below."""

    def __init__(self, status: int, body: str):
        self.status, self._body = status, body

    async def text(self) -> str:
        return self._body

    async def __aenter__(self) -> _Answer:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None


class _FakeHttp:
    """Stands in for the aiohttp session both aiogram's path and `JsonSession.call` post through: it keeps each
    request's URL and decoded body and answers every one with the same canned answer."""

    def __init__(self, status: int = 200, body: str = '{"ok":true,"result":{"message_id":7,"date":1}}'):
        self.status, self.body = status, body
        self.posted: list[tuple[str, Any]] = []

    def post(self, url: str, data: Any, timeout: Any = None) -> _Answer:
        self.posted.append((url, json.loads(data._value) if hasattr(data, "_value") else data))
        return _Answer(self.status, self.body)


def faked(bot: Bot, http: _FakeHttp) -> None:
    async def create_session() -> Any:
        return http

    bot.session.create_session = create_session  # type: ignore[method-assign]


FAST_CALLS: list[tuple[type, dict[str, Any]]] = [
    (_SendMessage, {"chat_id": 5, "text": "<b>受理</b> & 谢谢", "parse_mode": "HTML", "reply_markup": calls()[0].reply_markup}),
    (_SendMessage, {"chat_id": 5, "text": "位置", "parse_mode": "HTML", "reply_markup": to_markup(LocationKeyboard("发送位置"))}),
    (_SendMessage, {"chat_id": 5, "text": "好", "parse_mode": "HTML", "reply_markup": None}),
    (EditMessageText, {"chat_id": 5, "message_id": 3, "text": "改了", "parse_mode": "HTML", "reply_markup": None}),
    (AnswerCallbackQuery, {"callback_query_id": "q", "text": None}),
    (AnswerCallbackQuery, {"callback_query_id": "q", "text": "已收到"}),
]


async def test_a_fast_call_posts_the_body_of_aiograms_own_call_to_the_same_url():
    for defaults in (None, DefaultBotProperties(parse_mode="MarkdownV2", protect_content=True),
                     DefaultBotProperties(protect_content=True)):
        for method, fields in FAST_CALLS:
            bot = Bot("1:a", session=JsonSession(), default=defaults)
            http = _FakeHttp() if method is _SendMessage else _FakeHttp(body='{"ok":true,"result":true}')
            faked(bot, http)
            await bot.session.call(bot, method, fields, lambda result: result)
            await bot(method(**fields))  # aiogram's own path, through the same session
            (fast_url, fast), (own_url, own) = http.posted
            assert fast_url == own_url and fast == own, (method.__name__, defaults)
            assert fast == form_fields(bot, method(**fields)), method.__name__


async def test_a_fast_call_reads_the_message_id_and_fails_as_aiograms_own_call_would():
    adapter = AiogramAdapter("1:a", "http://127.0.0.1:9", lambda item: None)  # type: ignore[arg-type,return-value]
    http = _FakeHttp()
    faked(adapter.bot, http)
    assert await adapter.send(Outgoing("message", 5, "你好", InlineKeyboard(((("好", "ok"),),)))) == 7
    assert await adapter.send(Outgoing("edit", 5, "改了", message_id=3)) == 7
    http.body = '{"ok":true,"result":true}'
    assert await adapter.send(Outgoing("edit", 5, "改了", message_id=3)) == 3  # an inline message edited
    await adapter.answer_callback("q", None)
    failures = [
        (429, '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}'),
        (403, '{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}'),
        (400, '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}'),
        (502, "<html>Bad Gateway</html>"),
        (500, '{"ok":false,"error_code":500,"description":"Internal Server Error"}'),
        (200, "not json"),
        (200, '{"ok":true,"result":{"chat_id":5}}'),  # no message id: aiogram cannot read it
        (200, '{"ok":true,"result":{"message_id":"seven"}}'),
    ]
    for status, body in failures:
        http.status, http.body = status, body
        try:
            await adapter.send(Outgoing("message", 5, "你好"))
        except SendFailure as exc:
            fast = exc
        else:
            raise AssertionError(f"{status} {body} did not fail")
        try:
            await adapter.bot(_SendMessage(chat_id=5, text="你好", parse_mode="HTML"))
        except Exception as exc:  # aiogram's own path on the same answer
            own = to_failure(exc)
        else:
            raise AssertionError(f"aiogram read {status} {body} as a success")
        assert (fast.kind, fast.retry_after, str(fast)) == (own.kind, own.retry_after, str(own)), (status, body)
    http.status, http.body = 400, '{"ok":false,"error_code":400,"description":"Bad Request: query is too old"}'
    try:
        await adapter.answer_callback("q", "已收到")
    except SendFailure as exc:
        assert exc.kind == "bad_request" and "query is too old" in str(exc)
    else:
        raise AssertionError("a refused answerCallbackQuery did not fail")


def test_a_buttons_update_reads_the_same_with_only_the_chat_and_id_of_the_message_pressed():
    from aiogram.types import Update

    from bot.telegram.aiogram_adapter import pressed_only
    from bot.telegram.translate import translate_callback

    bot = Bot("1:a", session=JsonSession())
    pressed = {"message_id": 77, "date": 1764680000, "chat": {"id": 5, "type": "private", "first_name": "王"},
               "from": {"id": 42, "is_bot": True, "first_name": "GridDesk", "username": "desk_bot"},
               "text": "收到。请拍一张现场照片，或者点「跳过照片」。", "entities": [{"type": "bold", "offset": 0, "length": 2}],
               "reply_markup": {"inline_keyboard": [[{"text": "跳过照片", "callback_data": "skip"}]]}}
    user = {"id": 5, "is_bot": False, "first_name": "王"}
    cases = [
        {"update_id": 9, "callback_query": {"id": "q", "from": user, "chat_instance": "c", "data": "skip", "message": pressed}},
        {"update_id": 9, "callback_query": {"id": "q", "from": user, "chat_instance": "c", "data": "skip",
                                            "message": {**pressed, "chat": {"id": -100, "type": "group", "title": "群"}}}},
        {"update_id": 9, "callback_query": {"id": "q", "from": user, "chat_instance": "c", "data": "skip",
                                            "message": {"message_id": 77, "date": 0, "chat": pressed["chat"]}}},  # inaccessible
        {"update_id": 9, "callback_query": {"id": "q", "from": user, "chat_instance": "c", "data": "skip"}},  # inline message
    ]
    for raw in cases:
        whole = Update.model_validate(raw, context={"bot": bot})
        cut = Update.model_validate(pressed_only(raw), context={"bot": bot})
        assert type(cut.callback_query.message) is type(whole.callback_query.message)  # type: ignore[union-attr]
        assert translate_callback(cut.callback_query, update_id=9) == translate_callback(whole.callback_query, update_id=9)
    assert "text" not in pressed_only(cases[0])["callback_query"]["message"] and "text" in pressed  # not changed in place
    text = {"update_id": 10, "message": {**pressed, "from": user}}
    assert pressed_only(text) is text
