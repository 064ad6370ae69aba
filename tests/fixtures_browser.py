"""Headless Chromium for the console's browser tests, from Debian's packages only (never a downloaded build).

`browser` is a Selenium WebDriver on /usr/bin/chromium through /usr/bin/chromedriver. When they are missing
and we are root, the test setup installs them (`apt-get install -y chromium chromium-driver`); where that
cannot be done, only the tests that use `browser` skip, saying why. `screenshot(driver, name)` saves a PNG
under tests/artifacts/ (gitignored) and returns its path.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: A small CJK font, so screenshots show Chinese instead of empty boxes (the pages do not depend on it).
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PACKAGES = ["chromium", "chromium-driver", "fonts-wqy-microhei"]
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN")


def _install_chromium() -> str | None:
    """None when chromium and its driver are there (installed now if need be), else why they are not."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists() and CJK_FONT.exists():
        return None
    if CHROMIUM.exists() and CHROMEDRIVER.exists() and os.geteuid() != 0:
        return None  # no CJK font: screenshots show boxes, the tests still run
    if os.geteuid() != 0:
        return "chromium/chromium-driver are not installed and the tests are not root (apt-get install chromium chromium-driver)"
    if shutil.which("apt-get") is None:
        return "chromium is not installed and there is no apt-get here to install it from Debian's packages"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", *PACKAGES], capture_output=True, text=True, env=env, timeout=900)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, env=env, timeout=600)
        done = subprocess.run(["apt-get", "install", "-y", *PACKAGES], capture_output=True, text=True, env=env,
                              timeout=900)
    if done.returncode != 0 or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return f"apt-get install chromium chromium-driver failed: {(done.stderr or done.stdout).strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    why = _install_chromium()
    if why:
        pytest.skip(f"browser tests skipped: {why}")


@pytest.fixture
def browser(chromium_ready: None) -> Iterator[Any]:
    """A fresh headless Chromium (its own empty profile), closed after the test."""
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="griddesk-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver: Any, name: str) -> Path:
    """Save the whole page as tests/artifacts/<name>.png (printed, for a person to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, max(600, min(int(height) + 120, 4000)))
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


async def call(fn: Any, *args: Any) -> Any:
    """Selenium blocks and the server under test runs on the test's event loop: every browser call goes through
    a thread."""
    return await asyncio.to_thread(fn, *args)


def click_through(browser: Any, *where: str) -> None:
    """Click what submits a form or follows a link (`where`: a CSS selector, or a locator strategy and its value)
    and wait until the next page has replaced this one (on a busy machine the next line could otherwise still read
    the old page)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def replaced(_: Any) -> bool:
        # Chromium may answer a node of a document that is being replaced with an inspector error ("Node with
        # given id does not belong to the document") instead of a stale reference: both mean the page moved on.
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in (exc.msg or ""):
                return True
            raise
        return False

    by, what = ("css selector", where[0]) if len(where) == 1 else where
    old = browser.find_element("tag name", "html")
    browser.find_element(by, what).click()
    WebDriverWait(browser, 30).until(replaced)
