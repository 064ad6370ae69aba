"""The staff console's door: one-time links (single use, expiring, stored hashed), signed session cookies,
CSRF on every POST, no page without a session, and `/console` in the chat for staff only."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
from console_support import ConsoleClient, console_rig, login_as, open_link
from dialog_helpers import ADMIN_ID, driver_for
from sqlalchemy import select

from bot.dialog.testing import texts_of
from bot.web.console.auth import Sessions
from storage.models import ConsoleLogin, utcnow

LINK = re.compile(r"http://\S+/console/login/\S+")


async def test_no_page_without_a_session(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = ConsoleClient(rig.url)
        try:
            for path in ("/console/", "/console/case/20260101-0001"):
                status, _ = await client.get(path)
                assert status == 303  # to the login help page
            async with client.http.get(rig.url + "/console/", allow_redirects=False) as r:
                assert r.headers["Location"] == "/console/login"
            status, _ = await client.post("/console/logout", {}, csrf="anything")
            assert status == 401
            status, page = await client.get("/console/login")
            assert status == 200 and "/console" in page
        finally:
            await client.close()


async def test_a_link_works_once_and_is_stored_hashed(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        link = await rig.links.issue("admin", ADMIN_ID)
        token = link.rsplit("/", 1)[1]
        async with rig.app.cases.db.session() as s:
            stored = (await s.execute(select(ConsoleLogin.token_hash))).scalars().all()
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # never the token itself
        first, status = await open_link(rig.url, link)
        assert status == 303
        again, replay = await open_link(rig.url, link)
        assert replay == 410  # a replay (or a forwarded link) finds it used
        assert (await again.get("/console/"))[0] == 303
        assert (await first.get("/console/"))[0] == 200
        await first.close()
        await again.close()


async def test_an_expired_or_unknown_link_is_refused(tmp_path: Path) -> None:
    async with console_rig(tmp_path, console_link_minutes=5) as rig:
        old = await rig.links.issue("admin", ADMIN_ID, now=utcnow() - timedelta(minutes=6))
        client, status = await open_link(rig.url, old)
        assert status == 410
        await client.close()
        client, status = await open_link(rig.url, rig.url + "/console/login/" + "x" * 43)
        assert status == 410
        await client.close()
        # The form of a link that was valid when shown, posted after it expired, is refused too.
        soon = await rig.links.issue("admin", ADMIN_ID, now=utcnow() - timedelta(minutes=4, seconds=59))
        assert await rig.links.redeem(soon.rsplit("/", 1)[1], now=utcnow() + timedelta(seconds=5)) is None


async def test_the_login_form_needs_its_csrf_pair(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        link = await rig.links.issue("admin", ADMIN_ID)
        path = link[link.index("/console/"):]
        async with (aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
                    http.post(rig.url + path, data={}, allow_redirects=False) as r):  # straight POST, no form seen
            assert r.status == 403
        # The refused POST did not use the link up.
        client, status = await open_link(rig.url, link)
        assert status == 303
        await client.close()


async def test_every_post_needs_the_sessions_csrf_token(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)
        other = await login_as(rig, "admin", ADMIN_ID)
        try:
            assert (await client.post("/console/logout", {}, csrf=None))[0] == 403
            assert (await client.post("/console/logout", {}, csrf="wrong"))[0] == 403
            assert (await client.post("/console/logout", {}, csrf=other.csrf))[0] == 403  # another session's token
            assert (await client.get("/console/"))[0] == 200  # still signed in after the refusals
            assert (await client.post("/console/logout", {}))[0] == 303
            assert (await client.get("/console/"))[0] == 303
        finally:
            await client.close()
            await other.close()


async def test_a_tampered_or_expired_cookie_is_no_session(tmp_path: Path) -> None:
    sessions = Sessions(b"k" * 32, hours=1)
    good = sessions.make("admin", ADMIN_ID)
    assert sessions.read(good) is not None
    kind, staff, expires, nonce, mac = good.split(".")
    assert sessions.read(".".join(("admin", "1", expires, nonce, mac))) is None  # another id, same signature
    assert sessions.read(".".join((kind, staff, str(int(expires) + 3600), nonce, mac))) is None
    assert sessions.read(good, now=utcnow() + timedelta(hours=1, seconds=1)) is None
    assert Sessions(b"j" * 32).read(good) is None  # another desk's secret
    for junk in ("", "a.b", "\x00" * 10, "admin.x.y.z.w", "é" * 400):
        assert sessions.read(junk) is None


async def test_cookies_are_httponly_and_samesite(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        link = await rig.links.issue("admin", ADMIN_ID)
        client = ConsoleClient(rig.url)
        path = link[link.index("/console/"):]
        await client.get(path)
        async with client.http.post(rig.url + path, data={"csrf": client.csrf or ""}, allow_redirects=False) as r:
            cookie = r.headers.getall("Set-Cookie")
        session = next(c for c in cookie if c.startswith("gd_session="))
        assert "HttpOnly" in session and "SameSite=Lax" in session and "Max-Age=" in session and "Path=/console/" in session
        await client.close()


async def test_a_worker_who_leaves_loses_the_console_at_once(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        invite = await rig.app.cases.create_invite("周派单", community_id="liyuan")
        await rig.app.cases.bind_worker(invite.code, 7001)
        client = await login_as(rig, "worker", invite.worker.id)
        try:
            status, page = await client.get("/console/")
            assert status == 200 and "社区派单员" in page
            await rig.app.cases.deactivate_worker(invite.worker.id)
            status, page = await client.get("/console/")
            assert status == 401 and "登录已结束" in page and "已停用" in page  # says why, not just "sign in"
            assert (await client.get("/console/"))[0] == 303  # the refusal dropped the cookie: a plain "sign in" now
        finally:
            await client.close()


async def test_console_in_the_chat_gives_staff_a_link_and_nobody_else(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        driver = driver_for(rig.app)
        admin = driver.persona("管理员", "admin", ADMIN_ID)
        said = texts_of(await driver.send(admin, "/console"))
        link = LINK.search(said)
        assert link, said
        client, status = await open_link(rig.url, link.group(0))
        assert status == 303
        await client.close()
        resident = driver.persona("居民", "resident", 8001)
        said = texts_of(await driver.send(resident, "/console"))
        assert not LINK.search(said) and "/bind" in said
        async with rig.app.cases.db.session() as s:
            assert len((await s.execute(select(ConsoleLogin))).all()) == 1  # nothing issued for the resident


def test_griddesk_console_link_prints_one(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "ADMIN_IDS": "5150", "TELEGRAM_BOT_TOKEN": "",
           "PUBLIC_URL": "https://desk.example.org"}
    done = subprocess.run([sys.executable, "-m", "bot", "console", "link", "--admin", "5150"], capture_output=True,
                          text=True, env={**_clean_environ(), **env}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"https://desk\.example\.org/console/login/[A-Za-z0-9_-]{40,}\n", done.stdout)
    refused = subprocess.run([sys.executable, "-m", "bot", "console", "link", "--admin", "77"], capture_output=True,
                             text=True, env={**_clean_environ(), **env}, timeout=120)
    assert refused.returncode != 0 and "ADMIN_IDS" in refused.stderr and "Traceback" not in refused.stderr


def _clean_environ() -> dict[str, str]:
    import os

    from bot.settings import Settings

    return {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}


def test_make_run_without_a_token_prints_the_console_and_a_link(tmp_path: Path) -> None:
    from console_support import free_port

    port = free_port()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "TELEGRAM_BOT_TOKEN": "", "WEB_PORT": str(port),
           "ADMIN_IDS": "5150"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], input="/quit\n", capture_output=True, text=True,
                          env={**_clean_environ(), **env}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"http://127.0.0.1:{port}/console/" in done.stdout
    assert re.search(rf"管理员 5150 的一次性登录链接.*http://127\.0\.0\.1:{port}/console/login/[A-Za-z0-9_-]{{40,}}", done.stdout)


async def test_a_console_chat_worker_gets_his_own_link_and_a_telegram_namesake_none(tmp_path: Path) -> None:
    """/console looks people up on the chat's channel: a dispatcher bound in the console chat signs in (his
    actions are recorded on that channel); a Telegram user with the same number is someone else."""
    from bot.dialog.testing import ChatDriver
    from bot.web.console.staff import load_staff

    async with console_rig(tmp_path) as rig:
        invite = await rig.app.cases.create_invite("周派单", community_id="liyuan")
        console = ChatDriver(rig.app.engine, rig.app.cases.outbox, channel="console")
        zhou = console.persona("周派单", "worker", 7101)
        assert "绑定成功" in texts_of(await console.send(zhou, f"/bind {invite.code}"))
        telegram = driver_for(rig.app)
        namesake = telegram.persona("同号居民", "resident", 7101)
        assert not LINK.search(texts_of(await telegram.send(namesake, "/console")))
        said = texts_of(await console.send(zhou, "/console"))
        link = LINK.search(said)
        assert link, said
        client, status = await open_link(rig.url, link.group(0))
        try:
            assert status == 303
            status, page = await client.get("/console/")
            assert status == 200 and "社区派单员" in page
        finally:
            await client.close()
        staff = await load_staff(rig.app.cases.db, "worker", invite.worker.id, frozenset())
        assert staff is not None and (staff.channel, staff.user_id) == ("console", 7101)
