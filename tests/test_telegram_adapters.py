"""Both adapters, in-process, against the Bot API double with the real aiogram and python-telegram-bot.

A small recording engine (our own `Engine` protocol) stands in for the dialog engine so each test sees
exactly which `Incoming` an update became and what reached "Telegram". The double is checked too: the
libraries must raise their own exceptions for its Telegram-shaped errors.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.dialog.frame import UpdateFrame
from bot.messages import Button, Incoming, Reply
from bot.telegram.menus import ADMIN, MenuManager
from bot.telegram.runtime import BotRuntime
from bot.telegram.sender import Backoff, TelegramSender

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble

FRAMEWORKS = ["aiogram", "ptb"]
WAIT = 10.0


class RecordingEngine(UpdateFrame):
    """Answers every event with a recognisable reply and keeps what it saw; the frame around it (chat lock,
    catch-all, log line) is the real engine's."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Incoming] = []

    async def answer(self, incoming: Incoming) -> tuple[list[Reply], dict]:
        self.seen.append(incoming)
        if incoming.kind == "button":
            return [Reply(incoming.chat_id, f"已处理 {incoming.payload}", edit_message_id=incoming.message_id,
                          callback_answer="收到")], {}
        if incoming.text == "boom":
            raise RuntimeError("engine bug")
        said = incoming.text or incoming.command or incoming.kind
        buttons = ((Button("满意", "rate:1:s"), Button("不满意", "rate:1:u")),)
        return [Reply(incoming.chat_id, f"收到：{said}", buttons=buttons)], {}

    async def wait_seen(self, count: int) -> list[Incoming]:
        async with asyncio.timeout(WAIT):
            while len(self.seen) < count:
                await asyncio.sleep(0.02)
        return self.seen


@dataclass
class Running:
    adapter: object
    sender: TelegramSender
    engine: RecordingEngine
    blocked: list[int] = field(default_factory=list)


def make_adapter(framework: str, tg: BotApiDouble, dispatch):
    if framework == "ptb":
        from bot.telegram.ptb_adapter import PtbAdapter

        return PtbAdapter(tg.token, tg.url, dispatch, poll_timeout=1)
    from bot.telegram.aiogram_adapter import AiogramAdapter

    return AiogramAdapter(tg.token, tg.url, dispatch, poll_timeout=1)


@asynccontextmanager
async def running_bot(tg: BotApiDouble, framework: str) -> AsyncIterator[Running]:
    runtime: BotRuntime | None = None

    async def dispatch(item) -> None:
        assert runtime is not None
        await runtime.dispatch(item)

    adapter = make_adapter(framework, tg, dispatch)
    running = Running(adapter, None, RecordingEngine())  # type: ignore[arg-type]

    async def on_blocked(chat_id: int) -> None:
        running.blocked.append(chat_id)

    running.sender = TelegramSender(adapter, on_blocked=on_blocked, backoff=Backoff(base=0.1, cap=1.0))
    runtime = BotRuntime(running.engine, running.sender)
    await adapter.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.run_polling(stop))
    await tg.wait_ready(timeout=WAIT)
    try:
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(polling, 15)
        await adapter.close()


# -- the double speaks Telegram to both real libraries ---------------------------------------------------------

@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_double_errors_become_each_librarys_exceptions(tg: BotApiDouble, framework: str) -> None:
    adapter = make_adapter(framework, tg, lambda item: asyncio.sleep(0))
    me = await adapter.start()
    assert me["username"] == "griddesk_test_bot"
    tg.user(11)
    from bot.telegram.render import Outgoing

    call = Outgoing("message", 11, "您好 &lt;3")
    tg.fail("sendMessage", 429, retry_after=3)
    tg.fail("sendMessage", 502)
    tg.fail("sendMessage", 403)
    tg.fail("sendMessage", 400, description="Bad Request: chat not found")
    kinds = []
    for _ in range(4):
        try:
            await adapter.send(call)
        except Exception as exc:
            kinds.append((type(exc).__name__, getattr(exc, "kind", None), getattr(exc, "retry_after", None)))
    assert [k[1] for k in kinds] == ["retry_after", "server", "blocked", "bad_request"]
    assert kinds[0][2] == 3.0
    message_id = await adapter.send(call)
    assert tg.last_message(11).text == "您好 <3" and tg.last_message(11).message_id == message_id
    with pytest.raises(Exception) as unescaped:
        await adapter.send(Outgoing("message", 11, "您好 <3"))
    assert getattr(unescaped.value, "kind", None) == "bad_request" and "parse entities" in str(unescaped.value)
    await adapter.close()


async def test_double_getupdates_offsets_and_long_poll(tg: BotApiDouble) -> None:
    base = f"{tg.url}/bot{tg.token}"
    async with aiohttp.ClientSession() as http:
        tg.send_text(5, "一")
        tg.send_text(5, "二")
        first = (await (await http.post(f"{base}/getUpdates", json={"timeout": 0})).json())["result"]
        assert [u["message"]["text"] for u in first] == ["一", "二"]
        again = (await (await http.post(f"{base}/getUpdates", data={"offset": str(first[0]["update_id"] + 1)})).json())
        assert [u["message"]["text"] for u in again["result"]] == ["二"]  # the offset confirmed the first one
        poll = asyncio.create_task(http.post(f"{base}/getUpdates", json={"offset": first[1]["update_id"] + 1, "timeout": 5}))
        await asyncio.sleep(0.2)
        assert not poll.done()  # long polling waits for news
        tg.send_text(5, "三")
        result = (await (await asyncio.wait_for(poll, WAIT)).json())["result"]
        assert [u["message"]["text"] for u in result] == ["三"]
        bad = await http.post(f"{tg.url}/botWRONG/getMe")
        assert bad.status == 401 and (await bad.json())["ok"] is False


async def test_double_webhook_sends_the_secret_and_blocks_getupdates(tg: BotApiDouble) -> None:
    received: list[tuple[str | None, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"{tg.url}/bot{tg.token}"
    try:
        async with aiohttp.ClientSession() as http:
            ok = await (await http.post(f"{base}/setWebhook", json={"url": f"http://127.0.0.1:{port}/hook",
                                                                    "secret_token": "s3cret"})).json()
            assert ok["result"] is True
            tg.send_text(6, "你好")
            async with asyncio.timeout(WAIT):
                while not received:
                    await asyncio.sleep(0.02)
            assert received[0][0] == "s3cret" and received[0][1]["message"]["text"] == "你好"
            conflict = await http.post(f"{base}/getUpdates")
            assert conflict.status == 409
            info = (await (await http.post(f"{base}/getWebhookInfo")).json())["result"]
            assert info["url"].endswith("/hook") and info["pending_update_count"] == 0
    finally:
        await runner.cleanup()


async def test_double_files_can_be_fetched(tg: BotApiDouble) -> None:
    update = tg.send_photo(8, caption="现场", data=b"\xff\xd8photo-bytes")
    file_id = update["message"]["photo"][-1]["file_id"]
    async with aiohttp.ClientSession() as http:
        info = (await (await http.post(f"{tg.url}/bot{tg.token}/getFile", json={"file_id": file_id})).json())["result"]
        body = await (await http.get(f"{tg.url}/file/bot{tg.token}/{info['file_path']}")).read()
    assert body == b"\xff\xd8photo-bytes"


# -- updates → Incoming, the same for both adapters ----------------------------------------------------------------

@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_updates_become_incoming_events(tg: BotApiDouble, framework: str) -> None:
    async with running_bot(tg, framework) as bot:
        tg.send_text(21, "梨园小区3栋楼道堆满杂物", first_name="王阿姨")
        tg.send_text(21, "/help@griddesk_test_bot")
        tg.send_text(22, "/start bind_AB12CD34")
        tg.send_location(21, 30.2748, 120.1539)
        tg.send_photo(21, caption="现场照片")
        tg.send_contact(21, "+8613800000000")
        seen = await bot.engine.wait_seen(6)
    by_kind = {(i.kind, i.chat_id): i for i in seen}
    text = by_kind[("text", 21)]
    assert text.text == "梨园小区3栋楼道堆满杂物" and text.sender.first_name == "王阿姨" and text.message_id
    assert by_kind[("command", 21)].command == "help"
    bind = by_kind[("command", 22)]
    assert (bind.command, bind.text) == ("bind", "AB12CD34")  # the deep link opens as /bind CODE
    location = by_kind[("location", 21)]
    assert (location.latitude, location.longitude) == (30.2748, 120.1539)
    photo = by_kind[("photo", 21)]
    assert photo.photo_file_id in tg.files and photo.text == "现场照片"
    assert len(tg.files[photo.photo_file_id][1]) > 4  # the largest size, not the thumbnail
    assert by_kind[("contact", 21)].phone == "+8613800000000"


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_content_the_desk_cannot_read_reaches_the_engine_as_its_kind_or_stays_quiet(tg: BotApiDouble,
                                                                                          framework: str) -> None:
    """Stickers, voice notes, files, forwards, edits and others' contact cards go to the engine as their own
    kinds (so it answers in the chat's script and keeps a voice note or a file with a report being drafted)."""
    async with running_bot(tg, framework) as bot:
        tg.send_sticker(31)
        await tg.wait_text(31, "收到：sticker", timeout=WAIT)
        tg.send_voice(32)
        await tg.wait_text(32, "收到：voice", timeout=WAIT)
        first = tg.send_text(33, "楼道灯坏了")
        await tg.wait_text(33, "收到", timeout=WAIT)
        tg.edit_text(33, first["message"]["message_id"], "楼道灯坏了三天了")
        await tg.wait_text(33, "收到：edited", timeout=WAIT)
        tg.send_contact(34, "+8613900000000", own=False)
        await tg.wait_text(34, "收到：foreign_contact", timeout=WAIT)
        tg.send_document(39, caption="物业的通知")
        await tg.wait_text(39, "收到：物业的通知", timeout=WAIT)
        tg.send_forwarded(40, "业主群里说明天停水")
        await tg.wait_text(40, "收到：业主群里说明天停水", timeout=WAIT)
        tg.group_text(-100500, 35, "大家好")
        tg.send_text(36, "boom")  # the engine crashes on this one
        await tg.wait_text(36, "出了点问题", timeout=WAIT)
        tg.send_text(37, "/help@some_other_bot")
        tg.send_text(38, "还在吗")
        await tg.wait_text(38, "收到", timeout=WAIT)
    assert not tg.sent_to(-100500)  # groups: quiet
    assert not tg.sent_to(37)  # a command for another bot: quiet
    kinds = {i.chat_id: i for i in bot.engine.seen}
    assert (kinds[31].kind, kinds[32].kind, kinds[34].kind) == ("sticker", "voice", "foreign_contact")
    assert kinds[32].file_id in tg.files and kinds[39].kind == "file" and kinds[39].file_id in tg.files
    assert kinds[40].kind == "forwarded" and kinds[40].text == "业主群里说明天停水"
    assert [i.chat_id for i in bot.engine.seen if i.chat_id in (35, -100500, 37)] == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_replies_render_escaped_with_keyboards_and_buttons_come_back(tg: BotApiDouble, framework: str) -> None:
    async with running_bot(tg, framework) as bot:
        tg.send_text(41, "A&B <小区> 3栋")
        sent = await tg.wait_text(41, "收到", timeout=WAIT)
        assert sent.text == "收到：A&B <小区> 3栋"  # visible text equals the plain text: escaped on the way
        assert [b["callback_data"] for b in sent.buttons()] == ["rate:1:s", "rate:1:u"]
        tg.press(41, sent, text="满意")
        edited = await tg.wait_for(lambda s: s.method == "editMessageText" and s.chat_id == 41, timeout=WAIT)
        assert edited.message_id == sent.message_id and edited.text == "已处理 rate:1:s"
        toast = await tg.wait_for(lambda s: s.method == "answerCallbackQuery" and s.chat_id == 41, timeout=WAIT)
        assert toast.text == "收到"
        button = bot.engine.seen[-1]
        assert button.kind == "button" and button.payload == "rate:1:s" and button.callback_id
        await bot.sender.deliver(Reply(41, "请发送位置", request_location=True))
        await bot.sender.deliver(Reply(41, "照片", photo_file_id=next(iter(tg.files), None) or tg.send_photo(41)
                                       ["message"]["photo"][-1]["file_id"]))
    location = next(s for s in tg.sent_to(41) if s.text == "请发送位置")
    assert location.reply_markup["keyboard"][0][0]["request_location"] is True
    assert tg.sent_to(41, "sendPhoto")[-1].text == "照片"


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_telegram_failures_through_the_real_libraries(tg: BotApiDouble, framework: str) -> None:
    async with running_bot(tg, framework) as bot:
        tg.fail("sendMessage", 429, retry_after=1, chat_id=51)
        tg.send_text(51, "楼下噪音")
        sent = await tg.wait_text(51, "收到", timeout=WAIT)
        retried_429 = [c for c in tg.failures("sendMessage") if c[1] == 429]
        assert retried_429 and sent.at - retried_429[0][2] >= 0.9  # waited retry_after
        tg.fail("sendMessage", 502, times=2, chat_id=52)
        tg.send_text(52, "路灯不亮")
        await tg.wait_text(52, "收到", timeout=WAIT)
        assert len([c for c in tg.failures("sendMessage") if c[1] == 502]) == 2
        tg.send_text(53, "你好")
        await tg.wait_text(53, "收到", timeout=WAIT)
        tg.block(53)
        tg.send_text(53, "再问一下")
        await bot.engine.wait_seen(4)
        async with asyncio.timeout(WAIT):
            while 53 not in bot.blocked:
                await asyncio.sleep(0.02)
        assert len([c for c in tg.failures("sendMessage") if c[1] == 403]) == 1  # given up at once


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_command_menus_per_role(tg: BotApiDouble, framework: str) -> None:
    adapter = make_adapter(framework, tg, lambda item: asyncio.sleep(0))
    await adapter.start()
    workers = {700}

    async def worker_ids() -> set[int]:
        return workers

    menus = MenuManager(adapter, frozenset({900}), worker_ids)
    await menus.install()
    assert "report" in tg.commands_for() and "tasks" not in tg.commands_for() and "stats" not in tg.commands_for()
    assert "tasks" in tg.commands_for(700) and "stats" not in tg.commands_for(700)
    assert {c for c, _ in ADMIN} <= set(tg.commands_for(900))
    workers.add(701)
    await menus.refresh(701)
    assert "tasks" in tg.commands_for(701)
    await adapter.close()


async def test_menus_at_start_go_a_few_at_a_time_and_every_chat_gets_its_own() -> None:
    """Each chat menu is a round trip before polling starts: they overlap, but no more than INSTALL_AT_ONCE."""
    from bot.telegram.menus import INSTALL_AT_ONCE, RESIDENT, WORKER

    class SlowCalls:
        def __init__(self) -> None:
            self.in_flight = self.most = 0
            self.set: dict[int | None, list[tuple[str, str]]] = {}

        async def set_commands(self, commands: list[tuple[str, str]], chat_id: int | None) -> None:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            await asyncio.sleep(0.01)
            self.in_flight -= 1
            if chat_id == 707:
                raise RuntimeError("Telegram said no")  # one failing chat stops no other
            self.set[chat_id] = commands

    workers = set(range(700, 712))

    async def worker_ids() -> set[int]:
        return workers

    calls = SlowCalls()
    await MenuManager(calls, frozenset({900}), worker_ids).install()
    assert calls.set[None] == RESIDENT
    assert {chat for chat in calls.set if chat is not None} == (workers - {707}) | {900}
    assert all(calls.set[chat] == WORKER for chat in workers - {707})
    assert 1 < calls.most <= INSTALL_AT_ONCE
