"""End to end: `griddesk run` in its own process, against the Bot API double, for BOTH frameworks.

The same scenario list runs for aiogram and python-telegram-bot: a resident reports in free text → the
bound worker gets the push with 接单/办结/退单 → accepts → resolves → the resident rates → /my; a policy
question; an emergency; 429 on replies and 502 on pushes; SIGKILL right after a case number is shown,
then restart → the case is there and the push arrives; a webhook run refuses a wrong secret.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import aiohttp
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botapi_double import BotApiDouble
from telegram_e2e_support import (
    STEP_TIMEOUT,
    BotProcess,
    bot_env,
    griddesk_command,
    has_button,
    invite_worker,
    report,
    webhook_env,
)

FRAMEWORKS = ["aiogram", "ptb"]
RESIDENT, WORKER, NEIGHBOUR, ADMIN = 5101, 9101, 5102, 9001


async def ask_offline(question: str, env: dict[str, str], cwd: Path) -> str | None:
    """What `griddesk ask` answers: the bot should say the same thing on Telegram."""
    proc = await asyncio.create_subprocess_exec(*griddesk_command(), "ask", question, env=env, cwd=cwd,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    return json.loads(out.decode().splitlines()[0])["answer"]


async def bind(tg: BotApiDouble, worker: int, code: str) -> None:
    tg.send_text(worker, f"/start bind_{code}", first_name="李网格")  # the invite's deep link
    await tg.wait_text(worker, "绑定成功", timeout=STEP_TIMEOUT)
    async with asyncio.timeout(STEP_TIMEOUT):  # the worker's own command menu follows the binding
        while "tasks" not in tg.commands_for(worker):
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_case_lifecycle_questions_emergency_and_faults(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}", ADMIN_IDS=str(ADMIN))
    code = await invite_worker(env, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        assert "report" in tg.commands_for() and "tasks" not in tg.commands_for()
        assert {"stats", "reload"} <= set(tg.commands_for(ADMIN))  # admins get their own menu
        await bind(tg, WORKER, code)

        # faults on the way: the resident's replies hit 429, the worker's push hits 502 twice
        tg.fail("sendMessage", 429, retry_after=1, chat_id=RESIDENT)
        tg.fail("*", 502, times=2, chat_id=WORKER)
        number, _ = await report(tg, RESIDENT, "梨园小区3栋楼下烧烤油烟太大了，每天晚上熏得没法开窗 <真的>", "梨园小区3栋",
                                 photo=True)
        push = await tg.wait_text(WORKER, number, timeout=STEP_TIMEOUT)
        assert all(has_button(push, label) for label in ("接单", "办结", "退单")), push.buttons()
        assert push.method == "sendPhoto" and tg.files[push.photo][1].endswith(b"scene-photo")  # the resident's photo
        assert "<真的>" in push.text  # the resident's words, escaped on the way and shown as typed
        assert any(c[1] == 429 for c in tg.failures("sendMessage")), "the 429 was never hit"
        assert len([c for c in tg.failures() if c[1] == 502]) == 2

        mark = tg.mark
        tg.press(WORKER, push, text="接单")
        await tg.wait_text(WORKER, "已接单", timeout=STEP_TIMEOUT, after=mark)
        await tg.wait_text(RESIDENT, "已接单", timeout=STEP_TIMEOUT, after=mark)

        mark = tg.mark
        tg.press(WORKER, push, text="办结")
        await tg.wait_text(WORKER, "处理结果", timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.send_text(WORKER, "已联系城管，烧烤摊已搬离")
        ask_photo = await tg.wait_for(lambda s: s.chat_id == WORKER and any("跳过" in b["text"] for b in s.buttons()),
                                      timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.press(WORKER, ask_photo, next(b["callback_data"] for b in ask_photo.buttons() if "跳过" in b["text"]))
        await tg.wait_text(WORKER, "已办结", timeout=STEP_TIMEOUT, after=mark)
        rating = await tg.wait_for(lambda s: s.chat_id == RESIDENT and has_button(s, "满意"), timeout=STEP_TIMEOUT,
                                   after=mark)
        assert number in rating.text and has_button(rating, "基本满意") and has_button(rating, "不满意")

        mark = tg.mark
        tg.press(RESIDENT, rating, text="满意")
        await tg.wait_text(RESIDENT, "满意", timeout=STEP_TIMEOUT, after=mark)
        await tg.wait_text(WORKER, "满意", timeout=STEP_TIMEOUT, after=mark)

        mark = tg.mark
        tg.send_text(RESIDENT, "/my")
        mine = await tg.wait_text(RESIDENT, number, timeout=STEP_TIMEOUT, after=mark)
        assert "已评价" in mine.text

        question = "电动车能不能在楼道里充电？"
        expected = await ask_offline(question, env, workdir)
        mark = tg.mark
        tg.send_text(NEIGHBOUR, question)
        answer = await tg.wait_for(lambda s: s.chat_id == NEIGHBOUR, timeout=STEP_TIMEOUT, after=mark)
        if expected:
            assert expected[:12] in answer.text, (expected, answer.text)
        assert "出了点问题" not in answer.text

        mark = tg.mark
        tg.send_text(NEIGHBOUR, "/cancel")
        await tg.wait_for(lambda s: s.chat_id == NEIGHBOUR, timeout=STEP_TIMEOUT, after=mark)
        mark = tg.mark
        tg.send_text(NEIGHBOUR, "梨园小区5栋楼道里着火了，浓烟很大，有人被困")
        emergency = await tg.wait_text(NEIGHBOUR, ("119", "110", "120"), timeout=STEP_TIMEOUT, after=mark)
        assert "119" in emergency.text
    finally:
        exit_code = await bot.stop()
    assert exit_code == 0, bot.log()  # SIGTERM: a clean shutdown
    assert "Traceback" not in bot.log(100_000), bot.log()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_sigkill_after_case_number_then_restart_delivers_the_push(tg: BotApiDouble, workdir: Path,
                                                                       framework: str) -> None:
    env = bot_env(tg, framework, f"sqlite:///{workdir / 'griddesk.db'}")
    code = await invite_worker(env, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        await bind(tg, WORKER, code)
        outage = tg.fail("*", 502, times=10_000, chat_id=WORKER)  # pushes cannot get through
        number, _ = await report(tg, RESIDENT, "梨园小区2栋门口的垃圾桶满了好几天没人清运，臭得不行", "梨园小区2栋")
        await bot.kill()
        assert not any(number in (s.text or "") for s in tg.sent_to(WORKER)), "the push went out before the crash"

        outage.times = 0  # Telegram is back
        await bot.start()
        push = await tg.wait_text(WORKER, number, timeout=75)  # the outbox survived the crash
        assert has_button(push, "接单")
        mark = tg.mark
        tg.send_text(RESIDENT, "/my")
        await tg.wait_text(RESIDENT, number, timeout=STEP_TIMEOUT, after=mark)  # the case was committed
        assert sum(number in (s.text or "") and "案件编号" in (s.text or "") for s in tg.sent_to(WORKER)) == 1
    finally:
        await bot.stop()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_webhook_refuses_a_wrong_secret(tg: BotApiDouble, workdir: Path, framework: str) -> None:
    env, hook = webhook_env(tg, framework, workdir)
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        assert tg.webhook["url"] == hook and tg.webhook["secret_token"] == "correct-horse-battery"
        forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 777, "type": "private"},
                                              "from": {"id": 777, "is_bot": False, "first_name": "冒充"}, "text": "/start"}}
        async with aiohttp.ClientSession() as http:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
                async with http.post(hook, json=forged, headers=headers) as response:
                    assert response.status == 401
        tg.user(777)
        tg.send_text(RESIDENT, "/start")  # delivered by the double with the right secret
        await tg.wait_text(RESIDENT, "网格", timeout=STEP_TIMEOUT)
        await asyncio.sleep(0.5)
        assert not tg.sent_to(777), "a forged update was processed"
    finally:
        await bot.stop()
