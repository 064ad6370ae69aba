"""Residents' conversations as they type on a phone (tests/data/talk_scenarios.yaml), played through the real
engine, case service and SQLite database, and judged on how each one ended.

Shared by `tests/test_talk_scenarios.py` (every conversation must end right) and
`benchmarks/talk_scenarios.py` (how many end right, on this checkout or an older one: the runner builds
events from the `Incoming` fields the checkout has, so it also runs where voice notes did not exist yet).
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

SCENARIOS = Path(__file__).parent / "data" / "talk_scenarios.yaml"
CASE_NUMBER = re.compile(r"\b\d{8}-\d{4}\b")
#: The 12345 brush-off: a question the knowledge base can answer must not end here.
BRUSH_OFF = ("不属于社区网格服务台受理的范围", "暂时没有找到确切的答案")


@dataclass
class Outcome:
    id: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)


def load() -> list[dict[str, Any]]:
    return list(YAML(typ="safe").load(SCENARIOS.read_text(encoding="utf-8")))


def _incoming(chat_id: int, name: str, kind: str, **fields: Any) -> Any:
    from bot.messages import Incoming, Sender

    known = {f.name for f in dataclasses.fields(Incoming)}
    extra = {k: v for k, v in fields.items() if k in known}
    return Incoming(chat_id, Sender(user_id=chat_id, first_name=name, language_code="zh-hans"), kind, **extra)


async def play(scenario: dict[str, Any], make_app: Any) -> Outcome:
    """One conversation, on a fresh database with a grid worker bound for 梨园社区第一网格."""
    from bot.dialog.testing import ChatDriver

    with tempfile.TemporaryDirectory(prefix="talk-") as folder:
        app = await make_app(Path(folder) / "gd.db")
        try:
            return await _play(scenario, app, ChatDriver(app.engine, app.cases.outbox))
        finally:
            await app.close()


async def _play(scenario: dict[str, Any], app: Any, driver: Any) -> Outcome:
    out = Outcome(scenario["id"], True)
    invite = await app.cases.create_invite("张网格", grid_id="liyuan-01")
    await driver.send(driver.persona("张网格", "worker"), f"/bind {invite.code}")
    me = driver.persona("居民", user_id=880_001)
    first_buttons: list[tuple[str, str]] = []
    turns: list[list[Any]] = []
    for step in scenario["says"]:
        replies = await _step(driver, me, step, first_buttons)
        if not first_buttons and me.buttons:
            first_buttons.extend(me.buttons)
        turns.append(replies)
        out.transcript.append(f">> {step}")
        out.transcript += [f"   << {r.text}  {[b.text for row in r.buttons for b in row]}" for r in replies]
    await _judge(scenario.get("expect", {}), app, driver, me, turns, out)
    out.ok = not out.problems
    return out


async def _step(driver: Any, me: Any, step: Any, first_buttons: list[tuple[str, str]]) -> list[Any]:
    if isinstance(step, str):
        return await driver.send(me, step)
    (kind, value), = step.items()
    if kind == "press":
        try:
            return await driver.press(me, value)
        except LookupError as exc:
            return [_note(me, f"(no button {value!r}: {exc})")]
    if kind == "old_button":  # the first button this chat was ever shown, pressed again much later
        if not first_buttons:
            return [_note(me, "(no old button)")]
        return await driver.press_data(me, first_buttons[0][1])
    if kind == "photo":
        return await driver.photo(me, "photo-scene", value or None)
    if kind == "location":
        return await driver.location(me, float(value[0]), float(value[1]))
    if kind == "long":
        return await driver.send(me, value["text"] * int(value["times"]))
    if kind in ("voice", "file", "sticker", "forwarded"):
        file_id = f"{kind}-file-1" if kind in ("voice", "file") else None
        text = value if isinstance(value, str) else None
        return await driver._deliver(me, _incoming(me.chat_id, me.name, kind, file_id=file_id, text=text,
                                                   message_id=9_000 + len(me.inbox)))
    raise ValueError(f"unknown step {step!r}")


def _note(me: Any, text: str) -> Any:
    from bot.messages import Reply

    return Reply(me.chat_id, text)


async def _judge(expect: dict[str, Any], app: Any, driver: Any, me: Any, turns: list[list[Any]], out: Outcome) -> None:
    problems = out.problems
    cases = await app.cases.cases_of_resident(me.user_id)
    own = [c for c in cases if c.resident_external_id == me.user_id]
    every = [r for t in turns for r in t]
    last = turns[-1] if turns else []
    simplify = app.normalizer.simplify  # wording is judged in Simplified, whatever script the chat got
    said = simplify("\n".join(r.text for r in every))
    last_said = simplify("\n".join([r.text for r in last] + [b.text for r in last for row in r.buttons for b in row]))
    if "filed" in expect and len(own) != expect["filed"]:
        problems.append(f"filed {len(own)} cases, expected {expect['filed']}")
    newest = own[0] if own else None
    if "intent" in expect and (newest is None or newest.intent != expect["intent"]):
        problems.append(f"intent {newest.intent if newest else None}, expected {expect['intent']}")
    if "address_has" in expect and (newest is None or expect["address_has"] not in (newest.address or "")):
        problems.append(f"address {newest.address if newest else None!r}, expected {expect['address_has']!r}")
    if "urgent" in expect and (newest is None or newest.urgent != expect["urgent"]):
        problems.append(f"urgent {newest.urgent if newest else None}, expected {expect['urgent']}")
    if "evidence" in expect:
        got = sum(1 for p in (newest.photos if newest else ()) if p.startswith(("voice:", "file:")))
        if got != expect["evidence"]:
            problems.append(f"{got} voice notes/files on the case, expected {expect['evidence']}")
    if "text_has" in expect and (newest is None or expect["text_has"] not in newest.text):
        problems.append(f"case text {newest.text if newest else None!r} lacks {expect['text_has']!r}")
    if "text_lacks" in expect and newest is not None and expect["text_lacks"] in newest.text:
        problems.append(f"case text has {expect['text_lacks']!r}: bad input went into the draft")
    for wanted in _list(expect.get("last_has")):
        if simplify(wanted) not in last_said:
            problems.append(f"last reply lacks {wanted!r}")
    for wanted in _list(expect.get("said")):
        if simplify(wanted) not in said:
            problems.append(f"never said {wanted!r}")
    for unwanted in _list(expect.get("never")):
        if simplify(unwanted) in said:
            problems.append(f"said {unwanted!r}")
    if expect.get("kb"):
        entry = _kb_entry(app, expect["kb"])
        head = app.normalizer.simplify(entry.body)[:16]
        if not any(head in app.normalizer.simplify(r.text) for r in every):
            problems.append(f"the knowledge entry {expect['kb']} was not answered")
        if any(simplify(b) in said for b in BRUSH_OFF):
            problems.append("answered with the 12345 brush-off")
    if expect.get("status"):  # the resident's case shown in words, its number and state
        wanted = own[0].number if own else None
        if wanted is None or wanted not in last_said or "状态" not in last_said:
            problems.append("the case's state was not shown")
    if "step" in expect:
        state = await app.engine.states.load(me.chat_id)
        if state.step.value != expect["step"]:
            problems.append(f"chat waits in {state.step.value}, expected {expect['step']}")
    if expect.get("traditional"):
        problems += _script_problems(every)
    if expect.get("every_turn_answered", True) and any(not t for t in turns):
        problems.append("a message got no answer")


def _kb_entry(app: Any, entry_id: str) -> Any:
    return app.understanding.kb.by_id[entry_id]


def _script_problems(replies: list[Any]) -> list[str]:
    """Every reply text, button, location button and hint in Traditional, in the standard forms."""
    import opencc
    from zhon import cedict

    simplified_only = set(cedict.simplified) - set(cedict.traditional)
    rare = set("羣裏衆爲僞啓峯牀纔脣覈麪")
    t2tw = opencc.OpenCC("t2tw")
    found = []
    for r in replies:
        parts = [r.text, *(b.text for row in r.buttons for b in row),
                 *(v for k, v in r.extra.items() if k.startswith("location_"))]
        if r.request_location and "location_button" not in r.extra:
            parts.append("📍 发送我的位置")  # what the adapter shows when the engine names no button
        for part in parts:
            bad = {ch for ch in part if ch in simplified_only or ch in rare or t2tw.convert(ch) != ch}
            if bad:
                found.append(f"not Traditional ({''.join(sorted(bad))}): {part[:40]!r}")
    return found[:5]


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def case_numbers(text: str) -> list[str]:
    return CASE_NUMBER.findall(text)
