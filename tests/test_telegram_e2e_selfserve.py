"""End to end, both frameworks, through the Bot API double: a resident presses 催办 and 补充 on the /my card of a
filed case; the assignee gets both, and an old 催办 button answers in words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import STEP_TIMEOUT, BotProcess, bot_env, has_button, invite_worker, report

FRAMEWORKS = ["aiogram", "ptb"]
WORKER, RESIDENT = 9401, 5401


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_urge_and_supplement_from_my_reach_the_assignee(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}")
    code = await invite_worker(env, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        tg.send_text(WORKER, f"/bind {code}", first_name="李网格")
        await tg.wait_text(WORKER, "绑定成功", timeout=STEP_TIMEOUT)
        number, _ = await report(tg, RESIDENT, "梨园小区3栋垃圾桶满了好几天没人收 臭死了", "梨园小区3栋")
        await tg.wait_for(lambda s: s.chat_id == WORKER and number in (s.text or ""), timeout=STEP_TIMEOUT)

        mark = tg.mark
        tg.send_text(RESIDENT, "/my")
        card = await tg.wait_for(lambda s: s.chat_id == RESIDENT and number in (s.text or "") and has_button(s, "催办"),
                                 timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.press(RESIDENT, card, text="催办")
        await tg.wait_text(RESIDENT, "已催办", timeout=STEP_TIMEOUT, after=mark)
        urged = await tg.wait_for(lambda s: s.chat_id == WORKER and "居民催办" in (s.text or ""), timeout=STEP_TIMEOUT,
                                  after=mark)
        assert number in urged.text and has_button(urged, "接单")

        mark = tg.mark
        tg.press(RESIDENT, card, text="催办")  # the same card again: once per deadline, said in words
        again = await tg.wait_text(RESIDENT, "已经催办过了", timeout=STEP_TIMEOUT, after=mark)
        assert number in again.text

        mark = tg.mark
        tg.press(RESIDENT, card, text="补充")
        await tg.wait_text(RESIDENT, "补充的内容", timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.send_text(RESIDENT, "今天又多了两袋 野猫都在翻")
        await tg.wait_text(RESIDENT, "已补充", timeout=STEP_TIMEOUT, after=mark)
        added = await tg.wait_for(lambda s: s.chat_id == WORKER and "居民补充" in (s.text or ""), timeout=STEP_TIMEOUT,
                                  after=mark)
        assert "野猫都在翻" in added.text and number in added.text
    finally:
        exit_code = await bot.stop()
    assert exit_code == 0, bot.log()
    assert "Traceback" not in bot.log(100_000), bot.log()
