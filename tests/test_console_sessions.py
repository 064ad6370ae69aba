"""Console sessions end on the server, not only in the browser: 退出 ends this one (a copy of its cookie is refused),
全部退出 ends every one of the person's, an admin can end anyone's, and a worker who is deactivated or moved — or
an admin taken off ADMIN_IDS — is refused at his next request, with a page that says why."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from console_support import ConsoleClient, Rig, console_rig, console_state, login_as
from dialog_helpers import ADMIN_ID
from sqlalchemy import select
from yarl import URL

from bot.web.console.session_table import SessionTable
from storage.models import ConsoleSession, utcnow


def cookie_of(client: ConsoleClient) -> str:
    return next(c.value for c in client.http.cookie_jar if c.key == "gd_session")


async def replay(rig: Rig, cookie: str, path: str = "/console/") -> tuple[int, str]:
    """Someone else sends a copy of a session cookie (a stolen or kept one)."""
    thief = ConsoleClient(rig.url)
    thief.http.cookie_jar.update_cookies({"gd_session": cookie}, response_url=URL(rig.url + "/console/"))
    try:
        return await thief.get(path)
    finally:
        await thief.close()


async def dispatcher(rig: Rig, name: str = "周派单", chat_id: int = 7001) -> int:
    invite = await rig.app.cases.create_invite(name, community_id="liyuan")
    await rig.app.cases.bind_worker(invite.code, chat_id)
    assert invite.worker.id is not None
    return invite.worker.id


async def test_sign_out_ends_the_session_so_a_copy_of_the_cookie_is_refused(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)
        cookie = cookie_of(client)
        assert (await replay(rig, cookie))[0] == 200  # a copy works while the session lives: it is the session
        status, location = await client.post("/console/logout", {})
        assert status == 303 and location == "/console/login?bye=here"
        status, page = await client.get(location)
        assert status == 200 and "您已退出登录" in page
        status, page = await replay(rig, cookie)
        assert status == 401 and "登录已结束" in page and "已在这台设备上退出" in page and "/console" in page
        status, _ = await replay(rig, cookie, "/console/admin/keys")
        assert status == 401
        await client.close()


async def test_only_a_hash_of_the_session_is_stored(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)
        nonce = cookie_of(client).split(".")[3]
        async with rig.app.cases.db.session() as s:
            rows = (await s.execute(select(ConsoleSession))).scalars().all()
        assert [r.key_hash for r in rows] == [hashlib.sha256(nonce.encode()).hexdigest()]
        assert rows[0].staff_kind == "admin" and rows[0].staff_id == ADMIN_ID and rows[0].place == "admin|||"
        await client.close()


async def test_sign_out_everywhere_ends_every_session_of_the_person_and_no_one_elses(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        zhou = await dispatcher(rig)
        laptop, phone = await login_as(rig, "worker", zhou), await login_as(rig, "worker", zhou)
        admin = await login_as(rig, "admin", ADMIN_ID)
        status, page = await laptop.get("/console/sessions")
        assert status == 200 and page.count('data-label="设备"') == 2 and "本机" in page
        assert (await laptop.post("/console/sessions/everywhere", {}, csrf=None))[0] == 403  # CSRF first
        assert (await phone.get("/console/"))[0] == 200
        status, location = await laptop.post("/console/sessions/everywhere", {})
        assert status == 303 and location == "/console/login?bye=everywhere"
        status, page = await phone.get("/console/")
        assert status == 401 and "所有设备上退出" in page
        assert (await laptop.get("/console/"))[0] == 303  # its cookie was dropped with the answer
        assert (await admin.get("/console/"))[0] == 200  # another person's session is untouched
        for c in (laptop, phone, admin):
            await c.close()


async def test_ending_one_of_my_other_sessions_and_not_someone_elses(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        zhou = await dispatcher(rig)
        laptop, phone = await login_as(rig, "worker", zhou), await login_as(rig, "worker", zhou)
        admin = await login_as(rig, "admin", ADMIN_ID)
        async with rig.app.cases.db.session() as s:
            ids = {(r.staff_kind, r.id) for r in (await s.execute(select(ConsoleSession))).scalars()}
        admin_session = next(i for k, i in ids if k == "admin")
        phone_session = max(i for k, i in ids if k == "worker")  # opened after the laptop's
        await laptop.get("/console/sessions")
        status, _ = await laptop.post(f"/console/sessions/{admin_session}/end", {})
        assert status == 404  # not his: as if it did not exist
        assert (await admin.get("/console/"))[0] == 200
        status, location = await laptop.post(f"/console/sessions/{phone_session}/end", {})
        assert status == 303 and location == "/console/sessions"
        status, page = await phone.get("/console/")
        assert status == 401 and "另一台设备" in page
        assert (await laptop.get("/console/"))[0] == 200
        for c in (laptop, phone, admin):
            await c.close()


async def test_an_admin_ends_a_persons_sessions_and_a_dispatcher_cannot_reach_that_page(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        zhou = await dispatcher(rig)
        worker = await login_as(rig, "worker", zhou)
        admin = await login_as(rig, "admin", ADMIN_ID)
        assert (await worker.get("/console/admin/sessions"))[0] == 403
        status, page = await admin.get("/console/admin/sessions")
        assert status == 200 and "周派单" in page and "社区派单员" in page
        async with rig.app.cases.db.session() as s:
            target = (await s.execute(select(ConsoleSession.id).where(ConsoleSession.staff_kind == "worker"))).scalar_one()
        await worker.get("/console/")
        assert (await worker.post(f"/console/admin/sessions/{target}/person", {}))[0] == 403
        status, location = await admin.post(f"/console/admin/sessions/{target}/person", {})
        assert status == 303 and location.endswith("done=person")
        status, page = await worker.get("/console/")
        assert status == 401 and "管理员已结束" in page
        assert (await admin.get("/console/admin/sessions"))[0] == 200
        await worker.close()
        await admin.close()


async def test_a_deactivated_worker_is_refused_at_once_and_stays_refused(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        zhou = await dispatcher(rig)
        client = await login_as(rig, "worker", zhou)
        cookie = cookie_of(client)
        admin = await login_as(rig, "admin", ADMIN_ID)
        await admin.get("/console/admin/workers")
        status, _ = await admin.post(f"/console/admin/workers/{zhou}/deactivate", {"reason": "离职"})
        assert status == 303
        status, page = await client.post("/console/logout", {}, csrf=True)  # even a POST with its token
        assert status == 401 and "已停用" in page
        async with rig.app.cases.db.session() as s:
            row = (await s.execute(select(ConsoleSession).where(ConsoleSession.staff_id == zhou))).scalar_one()
        assert row.revoked_at is not None and row.revoked_why == "left"  # recorded: it does not come back
        assert (await replay(rig, cookie))[0] == 401
        await client.close()
        await admin.close()


async def test_a_moved_worker_is_refused_and_moving_back_does_not_revive_the_session(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        invite = await rig.app.cases.create_invite("王网格", grid_id="liyuan-01")
        await rig.app.cases.bind_worker(invite.code, 7002)
        wang = invite.worker.id or 0
        client = await login_as(rig, "worker", wang)
        cookie = cookie_of(client)
        grids = [g.id for g in await rig.app.cases.list_grids() if g.id != "liyuan-01"]
        await rig.app.cases.move_worker(wang, grids[0])  # as `griddesk worker move` does: not through the console
        status, page = await client.get("/console/")
        assert status == 401 and "岗位或负责区域已调整" in page
        await rig.app.cases.move_worker(wang, "liyuan-01")
        assert (await replay(rig, cookie))[0] == 401
        fresh = await login_as(rig, "worker", wang)  # a new link works: he is staff, in his new place
        assert (await fresh.get("/console/"))[0] == 200
        await client.close()
        await fresh.close()


async def test_an_admin_taken_off_admin_ids_and_an_expired_row_are_refused(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)
        signer = console_state(rig).sessions
        assert signer is not None
        session = signer.read(cookie_of(client))
        assert session is not None
        still = SessionTable(rig.app.cases.db, signer, frozenset({ADMIN_ID}))
        assert (await still.check(session)).staff is not None
        later = await still.check(session, now=utcnow() + timedelta(hours=13))
        assert later.staff is None and later.why == "expired"
        removed = SessionTable(rig.app.cases.db, signer, frozenset())  # the desk restarted without him in ADMIN_IDS
        checked = await removed.check(session)
        assert checked.staff is None and checked.why == "left"
        assert (await still.check(session)).why == "left"  # ended for good, even if he is put back
        await client.close()
