"""After `AiogramAdapter.start` (getMe) and `warm` (`aiogram_import.warm_up`, which the runner calls as the first
getUpdates goes out, before any update is handled), handling every kind of update the desk
reads and sending every kind of call it writes builds no further aiogram type: the first updates after a start
pay no schema building on the event loop. And the warm-up builds only those types (memory stays low).

Runs in its own interpreter (the deferred import happens once per process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = textwrap.dedent("""
    import asyncio, json, sys
    sys.path.insert(0, "tests")
    from bot.telegram.aiogram_import import import_aiogram
    assert import_aiogram()
    import pydantic
    import aiogram.types as t
    from botapi_double import BotApiDouble
    from bot.telegram.aiogram_adapter import AiogramAdapter
    from bot.telegram.render import ContactKeyboard, InlineKeyboard, LocationKeyboard, Outgoing, RemoveKeyboard

    def built():
        seen, stack = set(), [pydantic.BaseModel]
        while stack:
            for sub in stack.pop().__subclasses__():
                if sub not in seen:
                    seen.add(sub)
                    stack.append(sub)
        return sorted(c.__qualname__ for c in seen
                      if c.__module__.startswith(("aiogram", "bot.telegram")) and c.__dict__.get("__pydantic_complete__"))

    async def main():
        async with BotApiDouble() as tg:
            got = []
            async def dispatch(item):
                got.append(item)
            adapter = AiogramAdapter(tg.token, tg.url, dispatch)
            await adapter.start()
            adapter.warm()
            after_start = built()
            updates = [tg.send_text(5, "楼下垃圾没人清运", first_name="王"), tg.send_text(5, "/my"),
                       tg.send_photo(5, caption="照片"), tg.send_location(5, 31.2, 121.4), tg.send_contact(5, "13800000000")]
            first = await adapter.send(Outgoing("message", 5, "<b>受理</b>", InlineKeyboard(((("好", "ok"),),))))
            await adapter.send(Outgoing("message", 5, "位置", LocationKeyboard("发送位置")))
            await adapter.send(Outgoing("message", 5, "电话", ContactKeyboard("发送电话")))
            await adapter.send(Outgoing("message", 5, "好", RemoveKeyboard()))
            await adapter.send(Outgoing("photo", 5, "照片", photo=updates[2]["message"]["photo"][-1]["file_id"]))
            await adapter.send(Outgoing("location", 5, "", location=(31.2, 121.4)))
            await adapter.send(Outgoing("edit", 5, "改了", InlineKeyboard(((("好", "ok"),),)), message_id=first))
            updates += [tg.edit_text(5, 1, "改了"), tg.press(5, first, "ok")]
            for update in updates:
                await adapter.process(update)
            await adapter.answer_callback(got[-1].callback_id, "收到")
            await adapter.close()
            print(json.dumps({"kinds": [i.kind for i in got], "after_start": after_start, "after_use": built(),
                              "types": sum(1 for n in t.__all__ if hasattr(getattr(t, n), "model_rebuild"))}))

    asyncio.run(main())
""")


def test_after_start_updates_and_sends_build_no_more_types():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["kinds"] == ["text", "command", "photo", "location", "contact", "edited", "button"]
    assert set(out["after_use"]) - set(out["after_start"]) == set()
    assert "Update" in out["after_start"]
    assert len(out["after_start"]) < out["types"] // 2 + 200  # not the eager import's every type and method
