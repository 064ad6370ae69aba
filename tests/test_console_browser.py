"""The staff console in a real browser (headless Chromium from Debian's packages): what a person sees and clicks.

Selenium blocks, and the server runs on this test's event loop: every browser call goes through a thread.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

from botapi_double import BotApiDouble
from console_support import console_rig
from dialog_helpers import ADMIN_ID
from fixtures_browser import call, click_through, screenshot
from telegram_e2e_support import STEP_TIMEOUT, BotProcess, bind_worker, bot_env, has_button, invite_worker, report

ADMIN, LI, WANG, RESIDENT = 9001, 9101, 9102, 5101


def drawn_photo_width(browser: Any) -> int:
    """The case page's first photo as the browser drew it, once it has finished loading (the page can be shown
    before the photo has come through getFile); -1 if it never loaded."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    script = "const i = document.querySelector('.photos img'); return i && i.complete ? i.naturalWidth : -1"
    try:
        return int(WebDriverWait(browser, 30).until(lambda b: max(int(b.execute_script(script)), 0)))  # 0 waits on
    except TimeoutException:
        return int(browser.execute_script(script))


async def test_sign_in_through_a_link_and_see_the_queue(tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    async with console_rig(tmp_path) as rig:
        link = await rig.links.issue("admin", ADMIN_ID)
        await call(browser.get, link)
        assert "登录" in await call(lambda: browser.find_element(By.TAG_NAME, "h1").text)
        await call(click_through, browser, "form.login button")
        assert await call(lambda: browser.find_element(By.TAG_NAME, "h1").text) == "工单"
        css = await call(lambda: browser.execute_script(
            "return getComputedStyle(document.querySelector('nav.top')).backgroundColor"))
        assert css == "rgb(21, 58, 91)"  # the project's own stylesheet was served and applied
        screenshot(browser, "console-empty-queue")
        await call(browser.get, link)  # the same link again: used up
        assert "失效" in await call(lambda: browser.find_element(By.TAG_NAME, "h1").text)


def tiny_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG (the browser must be able to draw the case's photo)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


async def test_the_desk_in_a_browser_against_the_bot(tg: BotApiDouble, workdir: Path, browser: Any) -> None:
    """`griddesk run` against the Bot API double: the admin asks the bot for a link, signs in in Chromium, finds
    the case by its number, re-assigns it (the new worker's push arrives in the double) and changes its category."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    env = bot_env(tg, "aiogram", f"sqlite:///{workdir / 'griddesk.db'}", ADMIN_IDS=str(ADMIN),
                  PHOTO_CACHE_DIR=str(workdir / "photo-cache"))
    codes = [await invite_worker(env, workdir, name=name) for name in ("李网格", "王网格")]
    bot = BotProcess(tg, env, workdir)
    await bot.start()
    try:
        await bind_worker(tg, LI, codes[0], "李网格")
        await bind_worker(tg, WANG, codes[1], "王网格")
        number, _ = await report(tg, RESIDENT, "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗", "梨园小区3栋",
                                 photo=tiny_png(40, 30, (200, 60, 40)))
        first = await tg.wait_text(LI, number, timeout=STEP_TIMEOUT)  # the least-loaded (first bound) worker has it
        assert "【新派单】" in (first.text or "")

        tg.send_text(ADMIN, "/console")
        sent = await tg.wait_text(ADMIN, "/console/login/", timeout=STEP_TIMEOUT)
        link = re.search(r"http://\S+/console/login/[A-Za-z0-9_-]+", sent.text or "")
        assert link, sent.text
        assert link.group(0).startswith(f"http://127.0.0.1:{env['WEB_PORT']}/")

        def by_css(selector: str) -> Any:
            return browser.find_element(By.CSS_SELECTOR, selector)

        await call(browser.get, link.group(0))
        await call(click_through, browser, "form.login button")
        assert await call(lambda: by_css("h1").text) == "工单"
        assert number in await call(lambda: by_css("table.cases").text)
        screenshot(browser, "console-queue")

        await call(lambda: by_css("input[name=q]").send_keys(number))
        await call(click_through, browser, "form.filters button[type=submit]")
        assert number in await call(lambda: by_css("h1").text)  # straight to the case
        assert "李网格" in await call(lambda: by_css("dl.facts").text)
        drawn = await call(drawn_photo_width, browser)
        assert drawn == 40  # the photo came through getFile from the double
        calls = sum(1 for m, _ in tg.arrivals if m == "getFile")

        mark = tg.mark
        await call(lambda: Select(by_css("select[name=worker_id]")).select_by_visible_text(
            "王网格（梨园社区第一网格，在办 0 件）"))
        await call(click_through, browser, "form[action$='/assign'] button")
        assert "已派单" in await call(lambda: by_css("p.ok").text)
        push = await tg.wait_text(WANG, number, timeout=STEP_TIMEOUT, after=mark)
        assert "【改派】" in (push.text or "") and has_button(push, "接单")
        await tg.wait_text(LI, "改派给 王网格", timeout=STEP_TIMEOUT, after=mark)
        await tg.wait_text(RESIDENT, "已改由另一位网格员处理", timeout=STEP_TIMEOUT, after=mark)

        await call(lambda: Select(by_css("select[name=intent]")).select_by_visible_text("停车秩序"))
        await call(click_through, browser, "form[action$='/category'] button")
        assert "停车秩序" in await call(lambda: by_css("dl.facts").text)
        assert "改类" in await call(lambda: by_css("ol.timeline").text)
        await tg.wait_text(WANG, "改为「停车秩序」", timeout=STEP_TIMEOUT, after=mark)
        screenshot(browser, "console-case")
        await call(browser.refresh)
        assert sum(1 for m, _ in tg.arrivals if m == "getFile") == calls  # the photo now comes from the cache

        await call(browser.set_window_size, 390, 844)  # a phone
        await call(browser.get, f"http://127.0.0.1:{env['WEB_PORT']}/console/?state=all")
        screenshot(browser, "console-queue-phone")
    finally:
        await bot.stop()
