"""Each thing once per update in the dialog engine: the message is normalised once (the engine, the flows,
the classifier and the knowledge base share the turn's form), one chat lock, one catch-all, one log line.
"""

from __future__ import annotations

import asyncio

import pytest
import structlog
from dialog_helpers import case_number, driver_for

from bot import wording as texts
from bot.dialog.testing import texts_of
from bot.messages import Incoming, Sender
from bot.nlu.normalize import Normalizer


@pytest.fixture
def normalisations(monkeypatch) -> list[str]:
    """Every text `Normalizer.normalize` is asked for, in order."""
    seen: list[str] = []
    original = Normalizer.normalize

    def counting(self, raw):
        seen.append(raw)
        return original(self, raw)

    monkeypatch.setattr(Normalizer, "normalize", counting)
    return seen


async def test_a_report_conversation_normalises_each_message_once(app, normalisations):
    driver = driver_for(app)
    turns = [
        "楼道里堆满了杂物，堵住了消防通道",  # classified (and checked for a question), then the address asked
        "梨园小区3栋2单元",  # the address step: danger check, the address read, the place looked up
        "跳过",  # the photo step: a one-word skip, then duplicates and filing
    ]
    replies = []
    for text in turns:
        normalisations.clear()
        replies = await driver.send("王阿姨", text)
        assert normalisations == [text], f"{text!r} was normalised {len(normalisations)} times"
    case_number(texts_of(replies))


async def test_a_question_is_normalised_once_for_the_classifier_and_the_knowledge_base(app, normalisations):
    reply = texts_of(await driver_for(app).send("李叔", "电动车能在楼道充电吗"))
    assert "电动" in reply  # answered from the knowledge base
    assert normalisations == ["电动车能在楼道充电吗"]


async def test_a_turn_without_text_normalises_nothing(app, normalisations):
    driver = driver_for(app)
    await driver.send("赵姐", "/bind")
    await driver.location("赵姐", 30.2748, 120.1539)
    assert normalisations == []


def _text(chat_id: int, text: str, update_id: int) -> Incoming:
    return Incoming(chat_id, Sender(chat_id, "王阿姨"), "text", text=text, update_id=update_id)


async def test_one_chat_runs_one_update_at_a_time_until_its_replies_are_delivered(app):
    """The engine's lock is the only one: it covers the channel's delivery (`then`), so replies keep order."""
    events: list[tuple[str, int]] = []

    async def then(replies):
        events.append(("start", replies[0].chat_id))
        await asyncio.sleep(0.05)
        events.append(("end", replies[0].chat_id))

    updates = [_text(501, text, n) for n, text in enumerate(["你好", "楼道灯坏了", "谢谢"])]
    await asyncio.wait_for(asyncio.gather(*(app.engine.handle(u, then) for u in updates)), 20)
    assert [kind for kind, _ in events] == ["start", "end"] * 3  # never two deliveries of one chat at once
    assert len(app.engine.locks) == 0  # locks are dropped once nobody waits


async def test_chats_do_not_wait_for_each_other(app):
    other_started = asyncio.Event()

    async def first(replies):  # holds chat 601 until chat 602's delivery has begun
        await asyncio.wait_for(other_started.wait(), 10)

    async def second(replies):
        other_started.set()

    await asyncio.wait_for(asyncio.gather(app.engine.handle(_text(601, "你好", 1), first),
                                          app.engine.handle(_text(602, "你好", 2), second)), 20)


async def test_a_failing_update_is_logged_once_with_its_id_and_the_person_gets_an_apology(app, monkeypatch):
    async def broken(external_id, **_):
        raise RuntimeError("database went away")

    monkeypatch.setattr(app.engine.services.cases, "seen", broken)
    delivered: list = []

    async def then(replies):
        delivered.extend(replies)

    with structlog.testing.capture_logs() as logs:
        replies = await app.engine.handle(_text(701, "楼道灯坏了", 4242), then)
    assert [r.text for r in replies] == [texts.ERROR_REPLY] and delivered == replies
    (line,) = logs
    assert line["event"] == "update" and line["log_level"] == "error" and line["update_id"] == 4242
    assert line["outcome"] == "error" and isinstance(line["exc_info"], RuntimeError) and "duration_ms" in line


async def test_each_update_leaves_one_line_with_its_latency(app):
    driver = driver_for(app)
    with structlog.testing.capture_logs() as logs:
        await driver.send("钱大爷", "楼道里堆满了杂物")
        await driver.send("钱大爷", "梨园小区3栋")
        await driver.location("钱大爷", 30.2748, 120.1539)
    assert [line["event"] for line in logs] == ["update"] * 3
    assert all(line["log_level"] == "info" and line["duration_ms"] >= 0 for line in logs)
    assert [line["kind"] for line in logs] == ["text", "text", "location"]


async def test_a_report_is_routed_once(app, monkeypatch):
    """The address step routes the report and carries the grid to filing (it was routed three times: at the
    address step, for the duplicate search and again when filing)."""
    from bot.cases.routing import Router

    routed: list[str | None] = []
    original = Router.route

    def counting(self, address, latitude=None, longitude=None):
        routed.append(address)
        return original(self, address, latitude, longitude)

    monkeypatch.setattr(Router, "route", counting)
    driver = driver_for(app)
    for text in ("楼道里堆满了杂物，堵住了消防通道", "梨园小区3栋2单元", "跳过"):
        replies = await driver.send("王阿姨", text)
    case_number(texts_of(replies))
    assert routed == ["梨园小区3栋2单元"]
