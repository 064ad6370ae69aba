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

from bot.telegram.aiogram_adapter import AiogramAdapter, JsonSession, _SendMessage, _SendPhoto, to_markup
from bot.telegram.render import ContactKeyboard, InlineKeyboard, LocationKeyboard, Outgoing, RemoveKeyboard

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
