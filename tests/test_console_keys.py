"""接口密钥 over HTTP: admins only, CSRF on every form, the key shown once and stored hashed in the same store as
`griddesk api-key`, bad input answered on the form with nothing stored, and a revoked key refused by Open311."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from console_support import ConsoleClient, Rig, console_rig, login_as
from dialog_helpers import ADMIN_ID
from sqlalchemy import select

from bot.web.open311.keys import ApiKeys
from storage.models import ApiKey

KEY = re.compile(r"gd_[A-Za-z0-9_-]{43}")


async def key_rows(rig: Rig) -> list[ApiKey]:
    async with rig.app.cases.db.session() as s:
        return list((await s.execute(select(ApiKey).order_by(ApiKey.id))).scalars())


async def create(client: ConsoleClient, name: str, limit: str = "600", scope: str = "own") -> tuple[int, str]:
    await client.get("/console/admin/keys")
    return await client.post("/console/admin/keys", {"name": name, "limit": limit, "scope": scope})


async def test_only_admins_reach_the_keys_pages(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        _, view = await ApiKeys(rig.app.cases.db).create("hotline")
        invite = await rig.app.cases.create_invite("周派单", community_id="liyuan")
        await rig.app.cases.bind_worker(invite.code, 7001)
        grid = await rig.app.cases.create_invite("王网格", grid_id="liyuan-01")
        await rig.app.cases.bind_worker(grid.code, 7002)
        for staff_id in (invite.worker.id or 0, grid.worker.id or 0):
            client = await login_as(rig, "worker", staff_id)
            home = (await client.get("/console/"))[1]
            assert "/console/admin/keys" not in home  # not in his menu
            for path in ("/console/admin/keys", f"/console/admin/keys/{view.id}/revoke"):
                status, page = await client.get(path)
                assert status == 403 and "hotline" not in page
            await client.get("/console/")
            assert (await client.post("/console/admin/keys", {"name": "mine", "limit": "5", "scope": "all"}))[0] == 403
            assert (await client.post(f"/console/admin/keys/{view.id}/revoke", {}))[0] == 403
            await client.close()
        anonymous = ConsoleClient(rig.url)
        assert (await anonymous.get("/console/admin/keys"))[0] == 303
        assert (await anonymous.post("/console/admin/keys", {"name": "x"}, csrf="x"))[0] == 401
        await anonymous.close()
        rows = await key_rows(rig)
        assert [r.name for r in rows] == ["hotline"] and rows[0].revoked_at is None


async def test_every_keys_form_needs_the_csrf_token(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        _, view = await ApiKeys(rig.app.cases.db).create("hotline")
        client = await login_as(rig, "admin", ADMIN_ID)
        other = await login_as(rig, "admin", ADMIN_ID)
        await client.get("/console/admin/keys")
        for token in (None, "wrong", other.csrf):
            assert (await client.post("/console/admin/keys", {"name": "x", "limit": "5", "scope": "own"}, csrf=token))[0] == 403
            assert (await client.post(f"/console/admin/keys/{view.id}/revoke", {}, csrf=token))[0] == 403
        rows = await key_rows(rig)
        assert [r.name for r in rows] == ["hotline"] and rows[0].revoked_at is None
        await client.close()
        await other.close()


async def test_a_key_is_shown_once_stored_hashed_and_listed_like_the_cli(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)
        status, page = await create(client, "12345-热线平台", "50", "all")
        assert status == 200 and "只显示这一次" in page
        shown = KEY.findall(page)
        assert len(set(shown)) == 1
        key = shown[0]
        rows = await key_rows(rig)
        assert len(rows) == 1 and rows[0].key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert (rows[0].name, rows[0].rate_limit, rows[0].scope) == ("12345-热线平台", 50, "all")
        listing = (await client.get("/console/admin/keys"))[1]
        assert key not in listing and key[:10] in listing and "0 / 50" in listing and "从未使用" in listing
        cli = await ApiKeys(rig.app.cases.db).list()  # what `griddesk api-key list` reads
        assert [k.name for k in cli] == ["12345-热线平台"]
        await client.close()


async def test_bad_input_is_answered_on_the_form_and_nothing_is_stored(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        await ApiKeys(rig.app.cases.db).create("hotline")
        client = await login_as(rig, "admin", ADMIN_ID)
        cases = [({"name": "", "limit": "600", "scope": "own"}, "请填写系统名称"),
                 ({"name": "   ", "limit": "600", "scope": "own"}, "请填写系统名称"),
                 ({"name": "长" * 61, "limit": "600", "scope": "own"}, "最长 60 个字"),
                 ({"name": "hotline", "limit": "600", "scope": "own"}, "已有名为「hotline」"),
                 ({"name": "a", "limit": "0", "scope": "own"}, "1 到 100000"),
                 ({"name": "a", "limit": "100001", "scope": "own"}, "1 到 100000"),
                 ({"name": "a", "limit": "-5", "scope": "own"}, "1 到 100000"),
                 ({"name": "a", "limit": "１０", "scope": "own"}, "1 到 100000"),  # full-width digits
                 ({"name": "a", "limit": "600", "scope": "root"}, "读取范围"),
                 ({"name": "<script>alert(1)</script>", "limit": "x" * 10_000, "scope": "own"}, "1 到 100000"),
                 ({"name": "\x00\x01", "limit": "600", "scope": "own"}, "请填写系统名称")]
        for fields, said in cases:
            await client.get("/console/admin/keys")
            status, page = await client.post("/console/admin/keys", fields)
            assert status == 400 and said in page, (fields, page[-800:])
            assert "<script>alert" not in page
        assert [r.name for r in await key_rows(rig)] == ["hotline"]
        assert (await client.get("/console/"))[0] == 200  # and the console keeps serving
        await client.close()


async def test_revoking_asks_first_then_open311_refuses_the_key(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        client = await login_as(rig, "admin", ADMIN_ID)
        key = KEY.findall((await create(client, "hotline"))[1])[0]
        view = (await ApiKeys(rig.app.cases.db).list())[0]
        async with client.http.get(f"{rig.url}/open311/v2/requests.json", params={"api_key": key}) as r:
            assert r.status == 200
        status, page = await client.get(f"/console/admin/keys/{view.id}/revoke")
        assert status == 200 and "确认吊销" in page and "hotline" in page
        assert [r.revoked_at for r in await key_rows(rig)] == [None]  # looking at the confirmation revoked nothing
        status, location = await client.post(f"/console/admin/keys/{view.id}/revoke", {})
        assert status == 303 and location.startswith("/console/admin/keys?revoked=")
        listing = (await client.get(location))[1]
        assert "已吊销密钥「hotline」" in listing and "已吊销" in listing
        async with client.http.get(f"{rig.url}/open311/v2/requests.json", params={"api_key": key}) as r:
            assert r.status == 403 and "revoked" in await r.text()
        await client.get(f"/console/admin/keys/{view.id}/revoke")  # the page of a revoked key says so
        assert (await client.post(f"/console/admin/keys/{view.id}/revoke", {}))[0] == 409
        assert (await client.get("/console/admin/keys/999/revoke"))[0] == 404
        assert (await client.get("/console/admin/keys/abc/revoke"))[0] == 404
        await client.close()
