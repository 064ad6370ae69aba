"""End to end, both frameworks: the probes' holes stay closed through `griddesk run` and the Bot API double.

- a worker who blocked the bot: his case goes back to the queue (the admin hears why), he gets no new
  work, and once he writes again he is given work again;
- a resident who blocked the bot and came back receives the notice they missed and the rating buttons;
- a forged 附议 button (`sup:<id>` of a stranger's case) is refused and shows nothing of the case;
- SIGKILL while the case-number receipt cannot get out: after the restart the receipt arrives, once.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import (
    STEP_TIMEOUT,
    BotProcess,
    bind_worker,
    bot_env,
    bot_with_worker,
    has_button,
    invite_worker,
    report,
)

FRAMEWORKS = ["aiogram", "ptb"]
WORKER, ADMIN = 9201, 9002
RESIDENT, NEIGHBOUR, STRANGER = 5201, 5202, 5203




@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_blocked_chats_are_held_and_come_back(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    async with bot_with_worker(tg, workdir, framework, WORKER, ADMIN_IDS=str(ADMIN)):
        tg.send_text(ADMIN, "/start")  # a bot can only write to people who have started it
        await tg.wait_text(ADMIN, "/stats", timeout=STEP_TIMEOUT)
        tg.block(WORKER)
        mark = tg.mark
        first, _ = await report(tg, RESIDENT, "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗", "梨园小区3栋")
        queued = await tg.wait_text(ADMIN, first, timeout=STEP_TIMEOUT, after=mark)  # nobody else covers the queue
        assert "无法接收消息" in queued.text, queued.text
        await tg.wait_text(RESIDENT, "重新派单", timeout=STEP_TIMEOUT, after=mark)

        mark = tg.mark
        tg.send_text(NEIGHBOUR, "梨园小区3栋门口的路灯坏了好几天，晚上黑漆漆的")
        second = await tg.wait_for(lambda s: s.chat_id == NEIGHBOUR and bool(s.buttons()), timeout=STEP_TIMEOUT, after=mark)
        tg.press(NEIGHBOUR, second, next(b["callback_data"] for b in second.buttons() if "跳过" in b["text"]))
        filed = await tg.wait_text(NEIGHBOUR, "案件编号", timeout=STEP_TIMEOUT, after=mark)
        assert "李网格" not in filed.text  # no new work for a worker who cannot hear about it
        number = re.search(r"\d{8}-\d{4}", filed.text)
        assert number is not None
        await tg.wait_text(ADMIN, number.group(0), timeout=STEP_TIMEOUT, after=mark)

        tg.blocked.discard(WORKER)  # he unblocks the bot and writes
        mark = tg.mark
        tg.send_text(WORKER, "/tasks")
        await tg.wait_for(lambda s: s.chat_id == WORKER and s.method == "sendMessage", timeout=STEP_TIMEOUT, after=mark)
        third, _ = await report(tg, RESIDENT, "梨园小区3栋有人在楼道里给电动车充电，还拉了飞线", "梨园小区3栋")
        push = await tg.wait_text(WORKER, third, timeout=STEP_TIMEOUT, after=mark)
        assert has_button(push, "接单")
        assert not any(first in (s.text or "") for s in tg.sent_to(WORKER)), [s.text for s in tg.sent_to(WORKER)]

        # The resident blocks the bot; the worker accepts; the notice waits until they write again.
        tg.block(RESIDENT)
        refusals = len([c for c in tg.failures() if c[1] == 403])
        mark = tg.mark
        tg.press(WORKER, push, text="接单")
        await tg.wait_text(WORKER, "已接单", timeout=STEP_TIMEOUT, after=mark)
        async with asyncio.timeout(STEP_TIMEOUT):  # the 已接单 notice was tried and refused (403)
            while len([c for c in tg.failures() if c[1] == 403]) == refusals:
                await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        tg.blocked.discard(RESIDENT)
        mark = tg.mark
        tg.send_text(RESIDENT, "你好")
        await tg.wait_text(RESIDENT, (f"{third}）网格员已接单", "已接单"), timeout=STEP_TIMEOUT, after=mark)

        mark = tg.mark
        tg.press(WORKER, push, text="办结")
        await tg.wait_text(WORKER, "处理结果", timeout=STEP_TIMEOUT, after=mark)
        tg.send_text(WORKER, "已劝离充电，飞线已拆除")
        ask = await tg.wait_for(lambda s: s.chat_id == WORKER and any("跳过" in b["text"] for b in s.buttons()),
                                timeout=STEP_TIMEOUT, after=mark)
        tg.press(WORKER, ask, next(b["callback_data"] for b in ask.buttons() if "跳过" in b["text"]))
        rating = await tg.wait_for(lambda s: s.chat_id == RESIDENT and has_button(s, "满意"), timeout=STEP_TIMEOUT,
                                   after=mark)
        assert third in rating.text


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_forged_support_and_a_receipt_that_survives_sigkill(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}", RECEIPT_GRACE_SECONDS="3")
    code = await invite_worker(env, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        await bind_worker(tg, WORKER, code)
        number, _ = await report(tg, RESIDENT, "梨园小区3栋楼下烧烤油烟太大了，我住3单元502，熏得没法开窗", "梨园小区3栋")
        mark = tg.mark
        tg.send_text(STRANGER, "/my")
        answer = await tg.wait_for(lambda s: s.chat_id == STRANGER, timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        for case_id in range(1, 4):  # ids are sequential: a stranger tries them all
            tg.press(STRANGER, answer, f"sup:{case_id}")
        refused = await tg.wait_text(STRANGER, "只能附议", timeout=STEP_TIMEOUT, after=mark)
        assert "502" not in refused.text and number not in refused.text
        mark = tg.mark
        tg.send_text(STRANGER, "/my")
        mine = await tg.wait_for(lambda s: s.chat_id == STRANGER and s.method == "sendMessage", timeout=STEP_TIMEOUT,
                                 after=mark)
        assert number not in mine.text and "502" not in mine.text

        # The receipt cannot get out (Telegram fails for this chat) and the bot is killed meanwhile.
        mark = tg.mark
        tg.send_text(NEIGHBOUR, "梨园小区2栋门口的垃圾桶满了好几天没人清运，臭得不行")
        ask = await tg.wait_for(lambda s: s.chat_id == NEIGHBOUR and any("跳过" in b["text"] for b in s.buttons()),
                                timeout=STEP_TIMEOUT, after=mark)
        outage = tg.fail("sendMessage", 502, times=10_000, chat_id=NEIGHBOUR)
        tg.press(NEIGHBOUR, ask, next(b["callback_data"] for b in ask.buttons() if "跳过" in b["text"]))
        async with asyncio.timeout(STEP_TIMEOUT):
            while outage.times == 10_000:  # the case is committed and the receipt is being tried
                await asyncio.sleep(0.02)
        await bot.kill()
        assert not any("案件编号" in (s.text or "") for s in tg.sent_to(NEIGHBOUR))

        outage.times = 0
        await bot.start()
        receipt = await tg.wait_text(NEIGHBOUR, "案件编号", timeout=45)
        await asyncio.sleep(4)  # nothing else is on its way: the receipt goes once
        assert sum("案件编号" in (s.text or "") for s in tg.sent_to(NEIGHBOUR)) == 1
        assert re.search(r"\d{8}-\d{4}", receipt.text)
    finally:
        await bot.stop()
