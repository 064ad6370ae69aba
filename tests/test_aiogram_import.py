"""aiogram imported with its types built on first use (bot/telegram/aiogram_import.py) reads updates and writes
calls exactly as an eagerly imported aiogram does, and builds only the types it used.

Each side runs in its own interpreter (an import can happen once per process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = textwrap.dedent("""
    import json, sys
    if sys.argv[1] == "deferred":
        from bot.telegram.aiogram_import import import_aiogram
        assert import_aiogram()
    import aiogram.types as t
    from aiogram.methods.base import Response
    from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, SendPhoto, SetMyCommands

    user = {"id": 7, "is_bot": False, "first_name": "王", "username": "wang"}
    chat = {"id": 7, "type": "private", "first_name": "王"}
    updates = [
        {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "/start x",
                                     "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}},
        {"update_id": 2, "message": {"message_id": 2, "date": 0, "chat": chat, "from": user, "caption": "垃圾",
                                     "photo": [{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}],
                                     "location": {"latitude": 31.2, "longitude": 121.4}}},
        {"update_id": 3, "edited_message": {"message_id": 1, "date": 0, "edit_date": 1, "chat": chat, "from": user,
                                            "text": "改了", "contact": {"phone_number": "1", "first_name": "王"}}},
        {"update_id": 4, "callback_query": {"id": "q", "from": user, "chat_instance": "c", "data": "case:1",
                                            "message": {"message_id": 5, "date": 0, "chat": chat, "text": "?"}}},
    ]
    out = {"updates": [t.Update.model_validate(u).model_dump(mode="json", exclude_none=True) for u in updates]}
    keyboard = t.InlineKeyboardMarkup(inline_keyboard=[[t.InlineKeyboardButton(text="好", callback_data="ok")]])
    reply = t.ReplyKeyboardMarkup(keyboard=[[t.KeyboardButton(text="位置", request_location=True)]], resize_keyboard=True)
    calls = [SendMessage(chat_id=7, text="<b>你好</b>", parse_mode="HTML", reply_markup=keyboard),
             SendMessage(chat_id=7, text="x", reply_markup=reply),
             SendMessage(chat_id=7, text="x", reply_markup=t.ReplyKeyboardRemove()),
             SendPhoto(chat_id=7, photo="p", caption="c"),
             EditMessageText(chat_id=7, message_id=5, text="y", reply_markup=keyboard),
             AnswerCallbackQuery(callback_query_id="q", text="z"),
             SetMyCommands(commands=[t.BotCommand(command="my", description="我的")],
                           scope=t.BotCommandScopeChat(chat_id=7))]
    message = updates[0]["message"]
    answers = [(t.Message, message), (bool, True), (t.User, user), (list[t.Update], updates),
               (t.File, {"file_id": "p", "file_unique_id": "u", "file_path": "photos/p.jpg"})]
    out["answers"] = [Response[kind].model_validate({"ok": True, "result": result}).model_dump(mode="json")
                      for kind, result in answers]
    out["calls"] = [json.loads(json.dumps(c.model_dump(exclude_none=True), default=repr)) for c in calls]
    models = [getattr(t, name) for name in t.__all__ if hasattr(getattr(t, name), "model_rebuild")]
    out["built"] = sum(1 for m in models if m.__pydantic_complete__)
    out["types"] = len(models)
    print(json.dumps(out, ensure_ascii=False))
""")


def probe(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_deferred_aiogram_reads_and_writes_like_the_eager_one_and_builds_few_types():
    eager, deferred = probe("eager"), probe("deferred")
    assert deferred["updates"] == eager["updates"]
    assert deferred["calls"] == eager["calls"]
    assert deferred["answers"] == eager["answers"]  # what the session reads each call's answer into
    assert deferred["updates"][1]["message"]["photo"][0]["file_id"] == "p"  # the probe really parsed something
    assert eager["built"] == eager["types"] > 300
    assert deferred["built"] < eager["types"] // 4


def test_import_aiogram_is_a_no_op_once_aiogram_is_imported():
    code = ("import aiogram; from bot.telegram.aiogram_import import import_aiogram; "
            "from aiogram.types import Update; print(import_aiogram(), Update.__pydantic_complete__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stdout.split() == ["False", "True"], done.stderr
