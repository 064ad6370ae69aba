"""The staff console in a real browser (headless Chromium from Debian's packages): what a person sees and clicks.

Selenium blocks, and the server runs on this test's event loop: every browser call goes through a thread.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from console_support import console_rig
from dialog_helpers import ADMIN_ID
from fixtures_browser import screenshot


async def call(fn: Any, *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


async def test_sign_in_through_a_link_and_see_the_queue(tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    async with console_rig(tmp_path) as rig:
        link = await rig.links.issue("admin", ADMIN_ID)
        await call(browser.get, link)
        assert "登录" in await call(lambda: browser.find_element(By.TAG_NAME, "h1").text)
        await call(lambda: browser.find_element(By.CSS_SELECTOR, "form.login button").click())
        assert await call(lambda: browser.find_element(By.TAG_NAME, "h1").text) == "工单"
        css = await call(lambda: browser.execute_script(
            "return getComputedStyle(document.querySelector('nav.top')).backgroundColor"))
        assert css == "rgb(21, 58, 91)"  # the project's own stylesheet was served and applied
        screenshot(browser, "console-empty-queue")
        await call(browser.get, link)  # the same link again: used up
        assert "失效" in await call(lambda: browser.find_element(By.TAG_NAME, "h1").text)
