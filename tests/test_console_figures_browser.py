"""统计 and 主动治理 in a real browser (headless Chromium from Debian's packages): a dispatcher reads the figures,
downloads the CSV, a resident's report comes in through the dialog engine, and the figures move.

Selenium blocks and the server runs on this test's loop: every browser call goes through a thread.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

from console_support import console_rig
from dialog_helpers import ADMIN_ID, case_number, driver_for
from fixtures_browser import call, click_through, screenshot

from bot.cases.views import ReportDraft
from bot.dialog.testing import texts_of


def _total(browser: Any) -> int:
    from selenium.webdriver.common.by import By

    terms = browser.find_elements(By.CSS_SELECTOR, "dl.facts dt")
    values = browser.find_elements(By.CSS_SELECTOR, "dl.facts dd")
    shown = dict(zip((t.text for t in terms), (v.text for v in values), strict=True))
    return int(shown["工作量"].split()[0])


def _downloaded(folder: Path, prefix: str, timeout: float = 30.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"{prefix}*.csv")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {prefix}*.csv downloaded into {folder}: {list(folder.iterdir())}")


async def test_figures_export_and_move_when_a_case_comes_in(tmp_path: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    async with console_rig(tmp_path) as rig:
        service = rig.app.cases
        invite = await service.create_invite("梨园派单员", community_id="liyuan")
        dispatcher = await service.bind_worker(invite.code, 8_300_001)
        worker_invite = await service.create_invite("王网格", grid_id="liyuan-01")
        await service.bind_worker(worker_invite.code, 8_300_002)
        for n, (address, intent) in enumerate((("梨园小区3栋", "noise"), ("梨园小区3栋", "noise"),
                                                ("翠竹苑2栋", "fumes_odor"), ("望江花园5栋", "noise"))):
            case = await service.file_case(ReportDraft(resident_external_id=9_100_000 + n, intent=intent,
                                                       text=f"第{n}次反映", deadline_hours=24, address=address))
            if n == 0:
                await service.resolve(case.id, 8_300_002, "已协调")
                await service.rate(case.id, 9_100_000, "satisfied")

        await call(browser.execute_cdp_cmd, "Page.setDownloadBehavior",
                   {"behavior": "allow", "downloadPath": str(downloads)})
        link = await rig.links.issue("worker", dispatcher.id)
        await call(browser.get, link)
        await call(click_through, browser, By.CSS_SELECTOR, "form.login button")
        await call(click_through, browser, By.LINK_TEXT, "统计")
        assert await call(lambda: browser.find_element(By.TAG_NAME, "h1").text) == "统计"
        before = await call(_total, browser)
        assert before == 3  # 梨园's three; 望江's case is not this dispatcher's
        assert await call(lambda: len(browser.find_elements(By.CSS_SELECTOR, "svg.trend rect"))) >= 12
        screenshot(browser, "console-figures")

        await call(lambda: browser.find_element(By.LINK_TEXT, "导出案件 CSV").click())
        exported = await call(_downloaded, downloads, "griddesk-cases-")
        rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
        assert len(rows) == 3 and {r["community"] for r in rows} == {"liyuan"}

        # A resident reports through the dialog engine, as in the chat; the figures page then counts it.
        chat = driver_for(rig.app)
        resident = chat.persona("居民", "resident")
        await chat.send(resident, "梨园小区5栋楼下烧烤油烟太大了，熏得没法开窗")
        case_number(texts_of(await chat.send(resident, "跳过")))  # no photo (other words there are read, not filed)
        await call(browser.refresh)
        after = await call(_total, browser)
        assert after == before + 1

        await call(click_through, browser, By.LINK_TEXT, "主动治理")
        assert await call(lambda: browser.find_element(By.TAG_NAME, "h1").text) == "主动治理"
        first_building = await call(lambda: browser.find_element(
            By.CSS_SELECTOR, "table.buildings tbody tr td").text)
        assert first_building == "梨园小区3栋"
        screenshot(browser, "console-hotspots")

    admin_shots = tmp_path / "admin"
    admin_shots.mkdir()
    async with console_rig(admin_shots) as rig:
        await call(browser.get, await rig.links.issue("admin", ADMIN_ID))
        await call(click_through, browser, By.CSS_SELECTOR, "form.login button")
        await call(click_through, browser, By.LINK_TEXT, "邀请码")
        await call(lambda: browser.find_element(By.NAME, "name").send_keys("赵新"))
        await call(click_through, browser, By.CSS_SELECTOR, "form[action='/console/admin/invites'] button")
        assert "/bind " in await call(lambda: browser.find_element(By.CSS_SELECTOR, ".invite-code").text)
        await call(click_through, browser, By.LINK_TEXT, "人员")
        assert "赵新" in await call(lambda: browser.find_element(By.CSS_SELECTOR, "table.workers").text)
        screenshot(browser, "console-admin-workers")
