"""Forged button data with digits `int()` refuses: `acc:²` passes `str.isdigit()`, and raised in `int()`.

Telegram does not check callback data against the buttons it sent, so any client can send any bytes.
Checked in the parser, through the engine, and end to end on both frameworks.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from dialog_helpers import bound_worker, driver_for, make_app

from bot import wording as texts
from bot.cases import callbacks
from bot.dialog.testing import texts_of

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import STEP_TIMEOUT, BotProcess, bot_env, cleanup, invite_worker

#: Each passes `str.isdigit()`; none is what `callbacks.make` writes. "٣" (Arabic-Indic three) even passes
#: `int()`, but no button of ours carries it, so it is refused too rather than read as case 3.
FORGED = ["acc:²", "acc:①", "res:1²", "ret:٣", "sup:²", "rate:²:s", "asg:1:²", "asg:²:1", "asg:1:٣", "acc:" + "9" * 13,
          "prg:²", "ask:①", "prg:1:2", "ask:1:s"]


@pytest.mark.parametrize("data", FORGED)
def test_only_ascii_digits_are_ids(data: str) -> None:
    assert callbacks.parse(data) is None


def test_real_buttons_still_parse() -> None:
    assert callbacks.parse(callbacks.make(callbacks.ACCEPT, 42)) == callbacks.CaseCallback("acc", 42)
    assert callbacks.parse(callbacks.make(callbacks.ASSIGN, 7, 12)) == callbacks.CaseCallback("asg", 7, "12")
    assert callbacks.parse(callbacks.make(callbacks.PROGRESS, 7)) == callbacks.CaseCallback("prg", 7)
    assert callbacks.parse(callbacks.make(callbacks.ASK, 7)) == callbacks.CaseCallback("ask", 7)


async def test_forged_digits_through_the_engine_are_a_stale_button(tmp_path: Path) -> None:
    app = await make_app(tmp_path / "gd.db")
    try:
        driver = driver_for(app)
        worker = await bound_worker(app, driver, "王网格")
        for data in FORGED:
            for who in (worker, "resident"):
                said = texts_of(await driver.press_data(who, data))
                assert texts.ERROR_REPLY not in said, (data, said)
    finally:
        await app.close()


def test_console_button_numbers_are_ascii_only() -> None:
    from bot.console import Console

    chat = Console.__new__(Console)  # only the number → button lookup, no engine needed

    chat.current = SimpleNamespace(buttons=[("接单", "acc:1")])  # type: ignore[assignment]
    assert chat._button_by_number("1") == "acc:1"
    for typed in ("²", "①", "٣", "9" * 5000):
        assert chat._button_by_number(typed) is None


def test_a_seed_building_label_with_superscript_digits_does_not_crash() -> None:
    from bot.cases.routing import _area_label

    assert "²" in _area_label("梨园小区", ["1", "2", "²"])


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_forged_digits_end_to_end(tg: BotApiDouble, framework: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="griddesk-cb-"))
    worker_id = 9201
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}")
    code = await invite_worker(env, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        tg.send_text(worker_id, f"/bind {code}", first_name="李网格")
        bound = await tg.wait_text(worker_id, "绑定成功", timeout=STEP_TIMEOUT)
        for data in ("acc:²", "asg:1:²"):
            mark = tg.mark
            tg.press(worker_id, bound, data)
            answer = await tg.wait_for(lambda s: s.chat_id == worker_id, timeout=STEP_TIMEOUT, after=mark)
            assert "出了点问题" not in (answer.text or ""), answer
        assert not [s for s in tg.sent_to(worker_id) if "出了点问题" in (s.text or "")]
    finally:
        await bot.stop()
        log = bot.log(100_000)
        cleanup(workdir)
    assert "Traceback" not in log and "update failed" not in log, log[-3000:]
