"""Logging is configured once, at the entry point: stderr only, LOG_LEVEL honoured, LOG_FORMAT=json gives JSON
lines, and each update leaves exactly one line (`event=update`, with `duration_ms` and the update id).

In-process against the engine, then `griddesk run` in its own process against the Bot API double with
stdout and stderr kept apart.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from dialog_helpers import driver_for, make_app

from bot.cli import log_level_for
from bot.logs import CHATTY, configure_logging
from bot.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import STARTUP_TIMEOUT, STEP_TIMEOUT, bot_env, cleanup, griddesk_command


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    chatty = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in chatty.items():
        logging.getLogger(name).setLevel(was)
    structlog.reset_defaults()


def _update_lines(text: str, *, json_lines: bool = False) -> list[str]:
    if json_lines:
        return [line for line in text.splitlines() if json.loads(line).get("event") == "update"]
    return [line for line in text.splitlines() if "event='update'" in line]


async def _three_updates(tmp_path: Path) -> None:
    app = await make_app(tmp_path / "gd.db")
    try:
        driver = driver_for(app)
        await driver.send("王阿姨", "楼道里堆满了杂物")
        await driver.send("王阿姨", "梨园小区3栋")
        await driver.location("王阿姨", 30.2748, 120.1539)
    finally:
        await app.close()


async def test_warning_level_prints_no_per_update_line(tmp_path, restore_logging):
    out = io.StringIO()
    configure_logging("WARNING", stream=out)
    await _three_updates(tmp_path)
    logging.getLogger("bot.telegram.sender").warning("a warning still shows")
    assert _update_lines(out.getvalue()) == []
    assert "a warning still shows" in out.getvalue()


async def test_info_level_prints_one_line_per_update_with_its_latency(tmp_path, restore_logging):
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    await _three_updates(tmp_path)
    lines = _update_lines(out.getvalue())
    assert len(lines) == 3 and all("duration_ms=" in line and "level='info'" in line for line in lines)


async def test_json_lines_for_structlog_and_stdlib_alike(tmp_path, restore_logging):
    out = io.StringIO()
    configure_logging("INFO", stream=out, json=True)
    await _three_updates(tmp_path)
    logging.getLogger("bot.telegram.runner").info("long polling %s", "on")
    records = [json.loads(line) for line in out.getvalue().splitlines()]  # every line is one JSON object
    updates = [r for r in records if r["event"] == "update"]
    assert len(updates) == 3 and all(isinstance(r["duration_ms"], float) for r in updates)
    assert {"event": "long polling on", "level": "info", "logger": "bot.telegram.runner"}.items() <= records[-1].items()


def test_the_console_chat_keeps_the_terminal_for_itself():
    quiet = load_settings(log_level="INFO")
    assert log_level_for("chat", quiet) == "WARNING"
    assert log_level_for("run", quiet) == "WARNING"  # no token: `run` is the console chat
    assert log_level_for("run", load_settings(log_level="INFO", telegram_bot_token="123456:abcdefgh")) == "INFO"
    assert log_level_for("chat", load_settings(log_level="DEBUG")) == "DEBUG"
    assert log_level_for("stats", load_settings(log_level="ERROR")) == "ERROR"


# -- `griddesk run` ---------------------------------------------------------------------------------------


async def _run_bot(tg: BotApiDouble, framework: str, **env: str) -> tuple[str, str, list[int]]:
    """Start `griddesk run`, send four updates (two texts, a button, a sticker), stop it; (stdout, stderr, ids)."""
    workdir = Path(tempfile.mkdtemp(prefix="griddesk-log-"))
    try:
        environment = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}", **env)
        with (workdir / "out").open("wb") as out, (workdir / "err").open("wb") as err:
            started = time.monotonic()
            proc = await asyncio.create_subprocess_exec(*griddesk_command(), "run", env=environment, cwd=workdir,
                                                        stdout=out, stderr=err)
        try:
            async with asyncio.timeout(STARTUP_TIMEOUT):
                while not any(m == "getUpdates" and t > started for m, t in tg.arrivals):
                    assert proc.returncode is None, (workdir / "err").read_text(errors="replace")[-2000:]
                    await asyncio.sleep(0.05)
            ids = [tg.send_text(6101, "你好")["update_id"], tg.send_text(6102, "楼道灯坏了")["update_id"]]
            await tg.wait_text(6101, "您好", timeout=STEP_TIMEOUT)
            asking = await tg.wait_for(lambda s: s.chat_id == 6102 and bool(s.buttons()), timeout=STEP_TIMEOUT)
            mark = tg.mark
            ids.append(tg.press(6102, asking, asking.buttons()[0]["callback_data"])["update_id"])
            await tg.wait_for(lambda s: s.chat_id == 6102 and s.method != "answerCallbackQuery", timeout=STEP_TIMEOUT,
                              after=mark)
            ids.append(tg.send_sticker(6103)["update_id"])
            await tg.wait_text(6103, "表情", timeout=STEP_TIMEOUT)
            await asyncio.sleep(0.5)  # the last update's line is written after its replies are out
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)
        return (workdir / "out").read_text(errors="replace"), (workdir / "err").read_text(errors="replace"), ids
    finally:
        cleanup(workdir)


async def test_griddesk_run_at_warning_prints_no_per_update_line(tg):
    stdout, stderr, _ = await _run_bot(tg, "aiogram", LOG_LEVEL="WARNING")
    assert _update_lines(stdout) == [] and _update_lines(stderr) == []
    assert "duration_ms" not in stdout + stderr


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_griddesk_run_logs_one_json_line_per_update_on_stderr(tg, framework):
    stdout, stderr, ids = await _run_bot(tg, framework, LOG_LEVEL="INFO", LOG_FORMAT="json")
    assert [line for line in stdout.splitlines() if not line.startswith("griddesk: bot @")] == []  # no log on stdout
    records = [json.loads(line) for line in stderr.splitlines()]  # stderr is JSON lines, nothing else
    updates = [r for r in records if r["event"] == "update"]
    assert sorted(r["update_id"] for r in updates) == sorted(ids)  # one line per update, no more
    assert all(r["outcome"] == "ok" and isinstance(r["duration_ms"], float) for r in updates)
    assert {r["kind"] for r in updates} == {"text", "button", "sticker"}
