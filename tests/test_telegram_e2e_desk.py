"""End to end, both frameworks: a desk that can act — a report made by sharing a location reaches the grid
worker with a map pin he can go to, and the coordinates in words."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import STEP_TIMEOUT, BotProcess, bot_env, bot_with_worker, has_button, invite_worker

FRAMEWORKS = ["aiogram", "ptb"]
WORKER, RESIDENT = 9301, 5301


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_gps_report_reaches_the_worker_with_a_map_pin(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    async with bot_with_worker(tg, workdir, framework, WORKER):
        mark = tg.mark
        tg.send_text(RESIDENT, "楼下有人在绿化带里种菜，把草坪都挖了")
        await tg.wait_text(RESIDENT, ("地址", "位置"), timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.send_location(RESIDENT, 30.27480, 120.15390)  # inside 梨园社区第一网格
        ask = await tg.wait_for(lambda s: s.chat_id == RESIDENT and any("跳过" in b["text"] for b in s.buttons()),
                                timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.press(RESIDENT, ask, next(b["callback_data"] for b in ask.buttons() if "跳过" in b["text"]))
        await tg.wait_text(RESIDENT, "案件编号", timeout=STEP_TIMEOUT, after=mark)
        push = await tg.wait_for(lambda s: s.chat_id == WORKER and has_button(s, "接单"), timeout=STEP_TIMEOUT, after=mark)
        assert "30.27480, 120.15390" in push.text
        pin = await tg.wait_for(lambda s: s.chat_id == WORKER and s.method == "sendLocation", timeout=STEP_TIMEOUT,
                                after=push.seq - 1)
        assert (float(pin.params["latitude"]), float(pin.params["longitude"])) == (30.2748, 120.1539)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_same_update_posted_twice_to_the_webhook_is_handled_once(tg: BotApiDouble, workdir: Path,
                                                                          framework: str) -> None:
    import asyncio

    import aiohttp
    from telegram_e2e_support import WEBHOOK_SECRET, webhook_env

    env, hook = webhook_env(tg, framework, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        tg.user(RESIDENT)
        update = {"update_id": 4242, "message": {"message_id": 1, "date": 0,
                                                 "chat": {"id": RESIDENT, "type": "private", "first_name": "居民"},
                                                 "from": {"id": RESIDENT, "is_bot": False, "first_name": "居民"},
                                                 "text": "/help"}}
        async with aiohttp.ClientSession() as http:
            for _ in range(2):  # Telegram retries a webhook call it thinks failed; a proxy may replay one
                async with http.post(hook, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}) as response:
                    assert response.status == 200
                await asyncio.sleep(1.0)
        await tg.wait_text(RESIDENT, "怎么用", timeout=STEP_TIMEOUT)
        await asyncio.sleep(1.5)
        assert len([s for s in tg.sent_to(RESIDENT) if s.method == "sendMessage"]) == 1
    finally:
        await bot.stop()


DISPATCHER, SECOND = 9302, 9303


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_dispatcher_reassigns_an_accepted_case_from_tasks(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    from telegram_e2e_support import report

    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}")
    codes = {WORKER: await invite_worker(env, workdir), SECOND: await invite_worker(env, workdir, "liyuan-02", "王网格"),
             DISPATCHER: await invite_worker(env, workdir, name="赵主任", community="liyuan")}
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        for chat, code in codes.items():
            tg.send_text(chat, f"/bind {code}")
            await tg.wait_text(chat, "绑定成功", timeout=STEP_TIMEOUT)
        number, _ = await report(tg, RESIDENT, "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗", "梨园小区3栋")
        push = await tg.wait_for(lambda s: s.chat_id == WORKER and has_button(s, "接单") and number in (s.text or ""),
                                 timeout=STEP_TIMEOUT)
        mark = tg.mark
        tg.press(WORKER, push, next(b["callback_data"] for b in push.buttons() if b["text"] == "接单"))
        await tg.wait_text(WORKER, "已接单", timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.send_text(DISPATCHER, "/tasks")
        card = await tg.wait_for(lambda s: s.chat_id == DISPATCHER and number in (s.text or "")
                                 and has_button(s, "改派 王网格（0）"), timeout=STEP_TIMEOUT, after=mark)
        assert "处理人：李网格" in card.text
        mark = tg.mark
        tg.press(DISPATCHER, card, next(b["callback_data"] for b in card.buttons() if b["text"] == "改派 王网格（0）"))
        await tg.wait_text(DISPATCHER, "已改派", timeout=STEP_TIMEOUT, after=mark)
        await tg.wait_text(WORKER, "改派给 王网格", timeout=STEP_TIMEOUT, after=mark)  # the previous worker
        new = await tg.wait_for(lambda s: s.chat_id == SECOND and "【改派】" in (s.text or "") and has_button(s, "接单"),
                                timeout=STEP_TIMEOUT, after=mark)
        assert number in new.text
        await tg.wait_text(RESIDENT, "改由另一位网格员", timeout=STEP_TIMEOUT, after=mark)
    finally:
        await bot.stop()
