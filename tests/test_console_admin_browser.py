"""接口密钥 and 登录设备 in a real browser (headless Chromium from Debian's packages), without any script of ours:
an admin creates an API key (shown once), an outside system files a request with it, the admin revokes it after a
confirmation and the API refuses it; a dispatcher signs out everywhere and his other device is refused; a worker
who is deactivated is refused at his next click. Screenshots at desktop and phone widths (tests/artifacts/).

Selenium blocks and the server runs on this test's loop: every browser call goes through a thread.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
from console_support import console_rig, login_as
from dialog_helpers import ADMIN_ID
from fixtures_browser import call, click_through, screenshot

PHONE = (390, 844)
DESKTOP = (1280, 900)



def text_of(browser: Any, selector: str) -> str:
    from selenium.webdriver.common.by import By

    return str(browser.find_element(By.CSS_SELECTOR, selector).text)


def overflows(browser: Any) -> int:
    """How many pixels the page is wider than the window (a phone would have to scroll sideways)."""
    return int(browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth"))


async def sign_in(browser: Any, link: str) -> None:
    await call(browser.get, link)
    await call(click_through, browser, "form.login button")


async def test_an_api_key_from_creation_to_revocation(tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    async with console_rig(tmp_path) as rig, aiohttp.ClientSession() as outside:
        await sign_in(browser, await rig.links.issue("admin", ADMIN_ID))
        await call(click_through, browser, "nav.top a[href='/console/admin/keys']")
        assert await call(text_of, browser, "h1") == "接口密钥"
        await call(lambda: browser.find_element(By.NAME, "name").send_keys("12345-热线平台"))
        limit = await call(browser.find_element, By.NAME, "limit")
        await call(limit.clear)
        await call(limit.send_keys, "30")
        await call(click_through, browser, "form.create-key button")
        assert await call(text_of, browser, "h1") == "密钥已生成"
        key = await call(text_of, browser, ".secret-key code")
        assert re.fullmatch(r"gd_[A-Za-z0-9_-]{43}", key), key
        screenshot(browser, "console-key-created")
        await call(browser.set_window_size, *PHONE)
        assert await call(overflows, browser) <= 0  # the long key wraps on a phone
        screenshot(browser, "console-key-created-phone")
        await call(browser.set_window_size, *DESKTOP)

        # The outside system files a report with it, through the same filing as a chat report.
        async with outside.post(f"{rig.url}/open311/v2/requests.json",
                                data={"api_key": key, "service_code": "noise", "address_string": "梨园小区3栋",
                                      "description": "3栋楼上每天半夜装修，电钻声吵得睡不着"}) as r:
            assert r.status == 201, await r.text()
            number = (await r.json())[0]["service_request_id"]
        assert (await rig.app.cases.find_case(number)) is not None

        await call(click_through, browser, "a[href='/console/admin/keys']")
        page = await call(lambda: browser.page_source)
        assert key not in page  # shown once: never again
        row = await call(text_of, browser, "table.keys tbody tr")
        assert "12345-热线平台" in row and "1 / 30" in row and "有效" in row and "从未使用" not in row
        screenshot(browser, "console-keys")
        await call(browser.set_window_size, *PHONE)
        assert await call(overflows, browser) <= 0
        screenshot(browser, "console-keys-phone")
        await call(browser.set_window_size, *DESKTOP)

        await call(click_through, browser, "table.keys a.button")  # 吊销…
        assert await call(text_of, browser, "h1") == "吊销接口密钥"
        screenshot(browser, "console-key-revoke-confirm")
        await call(click_through, browser, "form.confirm button")
        assert "已吊销密钥「12345-热线平台」" in await call(text_of, browser, "p.ok")
        assert "已吊销" in await call(text_of, browser, "table.keys tbody tr")
        async with outside.get(f"{rig.url}/open311/v2/requests.json", params={"api_key": key}) as r:
            assert r.status == 403 and "revoked" in await r.text()
        await call(browser.set_window_size, *PHONE)
        assert await call(overflows, browser) <= 0
        screenshot(browser, "console-keys-revoked-phone")
        await call(browser.set_window_size, *DESKTOP)

        # 登录会话: every live session on the desk, with 结束 and 全部退出.
        invite = await rig.app.cases.create_invite("周派单", community_id="liyuan")
        await rig.app.cases.bind_worker(invite.code, 7001)
        zhou = await login_as(rig, "worker", invite.worker.id or 0)
        await call(click_through, browser, "nav.top a[href='/console/admin/sessions']")
        rows = await call(lambda: [e.text for e in browser.find_elements(By.CSS_SELECTOR, "table.sessions tbody tr")])
        assert len(rows) == 2 and any("周派单" in r for r in rows) and any("本机" in r for r in rows)
        screenshot(browser, "console-admin-sessions")
        await call(browser.set_window_size, *PHONE)
        assert await call(overflows, browser) <= 0
        screenshot(browser, "console-admin-sessions-phone")
        await call(browser.set_window_size, *DESKTOP)
        await zhou.close()


async def test_sign_out_everywhere_and_a_deactivated_worker(tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    async with console_rig(tmp_path) as rig:
        invite = await rig.app.cases.create_invite("周派单", community_id="liyuan")
        await rig.app.cases.bind_worker(invite.code, 7001)
        zhou = invite.worker.id or 0
        phone = await login_as(rig, "worker", zhou)  # his phone, signed in before
        await sign_in(browser, await rig.links.issue("worker", zhou))
        await call(click_through, browser, "nav.top a.who")  # his name in the menu: 登录设备
        assert await call(text_of, browser, "h1") == "登录设备"
        rows = await call(browser.find_elements, By.CSS_SELECTOR, "table.sessions tbody tr")
        assert len(rows) == 2 and "本机" in await call(lambda: rows[0].text + rows[1].text)
        screenshot(browser, "console-sessions")
        await call(browser.set_window_size, *PHONE)
        assert await call(overflows, browser) <= 0
        screenshot(browser, "console-sessions-phone")
        await call(browser.set_window_size, *DESKTOP)
        await call(click_through, browser, "form.danger-zone button")
        assert "所有设备上退出" in await call(text_of, browser, "p.ok")
        status, page = await phone.get("/console/")
        assert status == 401 and "所有设备上退出" in page
        await phone.close()

        # A grid worker reads his grid's queue in the browser; an admin deactivates him; his next click is refused.
        grid = await rig.app.cases.create_invite("王网格", grid_id="liyuan-01")
        await rig.app.cases.bind_worker(grid.code, 7002)
        await sign_in(browser, await rig.links.issue("worker", grid.worker.id or 0))
        assert await call(text_of, browser, "h1") == "工单"
        admin = await login_as(rig, "admin", ADMIN_ID)
        await admin.get("/console/admin/workers")
        assert (await admin.post(f"/console/admin/workers/{grid.worker.id}/deactivate", {"reason": "调离"}))[0] == 303
        await admin.close()
        await call(click_through, browser, "nav.top a[href='/console/figures']")
        assert await call(text_of, browser, "h1") == "登录已结束"
        assert "已停用" in await call(text_of, browser, "main p.notice")
        screenshot(browser, "console-session-ended")
        await call(browser.set_window_size, *PHONE)
        screenshot(browser, "console-session-ended-phone")
        await call(browser.refresh)  # the cookie went with the refusal: now an ordinary "please sign in"
        assert await call(text_of, browser, "h1") == "登录控制台"
