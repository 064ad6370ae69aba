"""End to end, both frameworks, through the Bot API double: a resident presses 催办 and 补充 on the /my card of a
filed case; the assignee gets both, and an old 催办 button answers in words."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import STEP_TIMEOUT, bot_with_worker, has_button, report

FRAMEWORKS = ["aiogram", "ptb"]
WORKER, RESIDENT = 9401, 5401


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_urge_and_supplement_from_my_reach_the_assignee(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    async with bot_with_worker(tg, workdir, framework, WORKER):
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


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_privacy_shares_the_phone_by_the_contact_button_and_withdraws_it(tg: BotApiDouble, workdir: Path,
                                                                               framework: str) -> None:
    async with bot_with_worker(tg, workdir, framework, WORKER):
        mark = tg.mark
        tg.send_text(RESIDENT, "/privacy")
        shown = await tg.wait_text(RESIDENT, "还没有保存", timeout=STEP_TIMEOUT, after=mark)
        keyboard = shown.params.get("reply_markup") or {}
        keyboard = keyboard if isinstance(keyboard, dict) else json.loads(keyboard)
        assert keyboard["keyboard"][0][0]["request_contact"] is True  # the consent is the resident's own button

        mark = tg.mark
        tg.send_contact(RESIDENT, "13900002222")
        await tg.wait_text(RESIDENT, "已收到您的联系电话", timeout=STEP_TIMEOUT, after=mark)
        number, _ = await report(tg, RESIDENT, "梨园小区3栋楼道灯坏了一个星期 晚上黑乎乎的", "梨园小区3栋")
        push = await tg.wait_for(lambda s: s.chat_id == WORKER and number in (s.text or ""), timeout=STEP_TIMEOUT)
        assert "13900002222" in push.text

        mark = tg.mark
        tg.send_text(RESIDENT, "/privacy")
        shown = await tg.wait_text(RESIDENT, "13900002222", timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.press(RESIDENT, shown, text="撤回电话授权并删除")
        await tg.wait_text(RESIDENT, "已撤回", timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.send_text(RESIDENT, "/privacy")
        after = await tg.wait_text(RESIDENT, "未提供", timeout=STEP_TIMEOUT, after=mark)
        assert "13900002222" not in after.text
