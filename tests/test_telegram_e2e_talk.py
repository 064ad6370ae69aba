"""End to end, both frameworks: a resident's conversation as typed on a phone, through `griddesk run` and the
Bot API double — Traditional in, Traditional out (the location button too, and the place name kept), a voice
note attached to the draft, a sticker and a forward answered with the draft kept, the status asked in words,
and a change of mind that files nothing.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from zhon import cedict

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import STEP_TIMEOUT, bot_with_worker

FRAMEWORKS = ["aiogram", "ptb"]
WORKER = 9301
RESIDENT, QUITTER = 5301, 5302
SIMPLIFIED_ONLY = set(cedict.simplified) - set(cedict.traditional)


def simplified_in(text: str) -> set[str]:
    return {ch for ch in text if ch in SIMPLIFIED_ONLY}


async def settle(tg: BotApiDouble, chat: int, after: int) -> list:
    """The bot's messages to `chat` since `after`, once it has stopped sending for a moment."""
    await asyncio.sleep(0.8)
    return [s for s in tg.sent if s.seq > after and s.chat_id == chat and s.method != "answerCallbackQuery"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_traditional_conversation_with_voice_sticker_forward_status_and_a_change_of_mind(
        tg: BotApiDouble, workdir: Path, framework: str) -> None:
    async with bot_with_worker(tg, workdir, framework, WORKER, grid="guihua-02", name="陳網格"):

        mark = tg.mark
        tg.send_text(RESIDENT, "樓上天天半夜拖櫃子 吵到睡唔著😩", first_name="阿珍")
        asked = await tg.wait_text(RESIDENT, "地址", timeout=STEP_TIMEOUT, after=mark)
        seen = await settle(tg, RESIDENT, mark)
        keyboards = [s.params.get("reply_markup") or {} for s in seen]
        location = [b for k in keyboards for row in k.get("keyboard", []) for b in row if b.get("request_location")]
        assert location and not simplified_in(location[0]["text"]), location  # the location button, Traditional
        assert not simplified_in(asked.text), asked.text

        mark = tg.mark
        tg.send_sticker(RESIDENT)
        await tg.wait_text(RESIDENT, "表情", timeout=STEP_TIMEOUT, after=mark)
        tg.send_forwarded(RESIDENT, "金桂大厦")  # someone else's words: not taken for the address
        await tg.wait_text(RESIDENT, "轉發", timeout=STEP_TIMEOUT, after=mark)
        tg.send_voice(RESIDENT)
        await tg.wait_text(RESIDENT, "語音收到了", timeout=STEP_TIMEOUT, after=mark)
        await asyncio.sleep(0.5)
        mark = tg.mark
        tg.send_text(RESIDENT, "丹桂里3棟")
        photo_ask = await tg.wait_text(RESIDENT, "現場照片，能幫助", timeout=STEP_TIMEOUT, after=mark)
        for sent in await settle(tg, RESIDENT, mark):
            assert not simplified_in(sent.text or ""), sent.text

        mark = tg.mark
        tg.press(RESIDENT, photo_ask, text="跳過，不傳照片")
        receipt = await tg.wait_text(RESIDENT, "案件編號", timeout=STEP_TIMEOUT, after=mark)
        assert "丹桂里3棟" in receipt.text and not simplified_in(receipt.text), receipt.text  # 里 kept, not 裡
        push = await tg.wait_text(WORKER, "附件：语音 1 条", timeout=STEP_TIMEOUT, after=mark)
        assert "丹桂里3" in push.text and "附件" in push.text  # the place as the resident typed it

        mark = tg.mark
        tg.send_text(RESIDENT, "我之前反映的那個事怎麼樣了")
        status = await tg.wait_text(RESIDENT, "狀態", timeout=STEP_TIMEOUT, after=mark)
        assert "陳網格" in status.text and not simplified_in(status.text), status.text

        mark = tg.mark
        tg.send_text(QUITTER, "梨园小区4栋楼下有个烧烤摊天天搞到半夜", first_name="老刘")
        await tg.wait_text(QUITTER, "照片", timeout=STEP_TIMEOUT, after=mark)
        tg.send_text(QUITTER, "哎 算了算了，不投诉了")
        await tg.wait_text(QUITTER, "不会提交", timeout=STEP_TIMEOUT, after=mark)
        await asyncio.sleep(0.5)
        assert not any("案件编号" in (s.text or "") for s in tg.sent_to(QUITTER))
