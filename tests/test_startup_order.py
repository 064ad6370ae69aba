"""What `griddesk run` moved out of the way of its first getUpdates is still done, and before any update is handled.

The bot polls as soon as getMe has answered (and the menus are set); the framework's types are built, the web server
starts listening and the heap is frozen while that first long poll waits, and an update that arrives meanwhile waits
for them (`bot.telegram.runner`). The collector is paused during the start and runs again once it is done
(`bot.runtime.frozen`); the danger cues are compiled the first time they are needed (`bot.nlu.danger`)."""

from __future__ import annotations

import asyncio
import gc
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from botapi_double import BotApiDouble
from telegram_e2e_support import STEP_TIMEOUT, free_port

from bot.runtime import frozen


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector as the test found it: enabled, nothing frozen (a run freezes the whole test process)."""
    yield
    frozen.end_startup()
    gc.unfreeze()
    gc.enable()


async def _until(predicate: Any, what: str) -> None:
    async with asyncio.timeout(STEP_TIMEOUT):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_an_update_waiting_at_the_start_is_answered_once_the_start_is_done(
        tg: BotApiDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector: None) -> None:
    import bot.web.parts as parts
    from bot.settings import load_settings
    from bot.telegram import runner
    from bot.telegram.ptb_adapter import PtbAdapter
    from bot.telegram.runtime import BotRuntime

    order: list[str] = []
    web_done: list[float] = []
    hold_web = asyncio.Event()
    real_start_web, real_warm, real_process = parts.start_web, PtbAdapter.warm, PtbAdapter.process
    real_dispatch = BotRuntime.dispatch

    async def held_start_web(ctx: Any) -> Any:
        order.append("web")
        await hold_web.wait()
        server = await real_start_web(ctx)
        order.append("web listening")
        web_done.append(time.monotonic())
        return server

    def warm(self: PtbAdapter) -> None:
        order.append("warm")
        real_warm(self)

    async def process(self: PtbAdapter, update: dict[str, Any]) -> None:
        order.append("process")
        await real_process(self, update)

    async def dispatch(self: BotRuntime, item: Any) -> None:
        order.append("dispatch")
        await real_dispatch(self, item)

    monkeypatch.setattr(parts, "start_web", held_start_web)
    monkeypatch.setattr(PtbAdapter, "warm", warm)
    monkeypatch.setattr(PtbAdapter, "process", process)
    monkeypatch.setattr(BotRuntime, "dispatch", dispatch)
    monkeypatch.setattr(runner, "FIRST_REQUEST_WAIT", 600.0)  # the start goes on when the poll is out, not on a timer
    port = free_port()
    settings = load_settings(telegram_bot_token=tg.token, telegram_api_url=tg.url, bot_framework="ptb",
                             database_url=f"sqlite:///{tmp_path / 'start.db'}", cache_dir=str(tmp_path / "cache"),
                             web_host="127.0.0.1", web_port=port, log_level="WARNING", _env_file=None)
    tg.send_text(6201, "你好")  # waiting before the bot polls: its first getUpdates gets it at once
    stop = asyncio.Event()
    began = time.monotonic()
    bot = asyncio.create_task(runner.run_bot(settings, stop=stop))
    try:
        await _until(lambda: "process" in order or bot.done(), "the waiting update fetched")
        assert not bot.done(), bot.exception()
        # it polled before its web server listened, and the update it got is held, not answered
        assert "web listening" not in order and "dispatch" not in order
        hold_web.set()
        answer = await tg.wait_text(6201, "您好", timeout=STEP_TIMEOUT)
        assert answer.text
        first_poll = min(t for m, t in tg.arrivals if m == "getUpdates" and t > began)
        assert first_poll < web_done[0]
        assert order.index("warm") < order.index("web listening") < order.index("dispatch")
        assert gc.get_freeze_count() > 0  # the start froze what it built
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200  # and the web server it started late still serves
    finally:
        hold_web.set()
        stop.set()
        assert await asyncio.wait_for(bot, STEP_TIMEOUT) == 0


def test_the_collector_is_paused_for_run_only_and_runs_again_after(monkeypatch: pytest.MonkeyPatch,
                                                                    collector: None) -> None:
    import bot.app
    import bot.nlu.commands
    from bot.cli import main

    seen: dict[str, bool] = {}

    def fake_run(args: Any, settings: Any) -> int:
        seen["run"] = gc.isenabled()
        frozen.freeze_startup()
        seen["after freeze"] = gc.isenabled()
        return 0

    def fake_classify(args: Any, settings: Any) -> int:
        seen["classify"] = gc.isenabled()
        return 0

    monkeypatch.setattr(bot.app, "run", fake_run)
    monkeypatch.setattr(bot.nlu.commands, "_classify", fake_classify)
    assert main(["run"]) == 0
    assert seen == {"run": False, "after freeze": True}
    assert "compile" not in vars(__import__("typing"))
    gc.unfreeze()
    assert main(["classify", "x"]) == 0 and seen["classify"] is True
    monkeypatch.setattr(bot.app, "run", lambda args, settings: 1 / 0)  # a start that fails before its freeze
    with pytest.raises(ZeroDivisionError):
        main(["run"])
    assert gc.isenabled()


def test_the_end_of_the_start_leaves_a_collector_it_did_not_pause_alone(collector: None) -> None:
    gc.disable()
    frozen.end_startup()
    assert not gc.isenabled()  # someone else's choice
    gc.enable()
    frozen.begin_startup()
    assert not gc.isenabled()
    frozen.end_startup()
    assert gc.isenabled()


def test_while_starting_one_annotation_text_is_compiled_once_and_evaluates_as_before(collector: None) -> None:
    import typing

    before = typing.ForwardRef("dict[str, int | None]")
    frozen.begin_startup()
    try:
        one, two = typing.ForwardRef("dict[str, int | None]"), typing.ForwardRef("dict[str, int | None]")
        assert one.__forward_code__ is two.__forward_code__  # compiled once
        assert eval(one.__forward_code__) == eval(before.__forward_code__) == dict[str, int | None]
        with frozen.compiled_once():  # nested (the aiogram import inside a start): still on after it
            pass
        assert typing.ForwardRef("x").__forward_code__ is typing.ForwardRef("x").__forward_code__
    finally:
        frozen.end_startup()
    assert "compile" not in vars(typing)
    assert typing.ForwardRef("x").__forward_code__ is not typing.ForwardRef("x").__forward_code__


def test_every_danger_cue_compiles_and_only_when_first_needed() -> None:
    """Compiled on first use, a broken cue would fail at its first message, not at import: every one compiles, to
    the pattern it was written as."""
    from bot.nlu import danger

    for _, _, cue in danger._COMPILED:
        assert cue.compiled().pattern == cue.source
        re.compile(cue.source)
    lazy = danger._LazyPattern(r"救命")
    assert lazy._compiled is None
    assert [m.group() for m in lazy.finditer("快救命")] == ["救命"] and lazy._compiled is not None
