"""The console's 统计, 主动治理 and admin pages over real HTTP (console_rig): what each role sees and may do.

Cases are filed, accepted, resolved and rated through the case service itself, in two communities (梨园 and
望江), so a dispatcher's scope can be tried from both sides.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console_support import console_rig, login_as
from dialog_helpers import ADMIN_ID

from bot.cases.views import ReportDraft

LIYUAN_WORKER_TG, WANGJIANG_WORKER_TG, DISPATCHER_TG = 8_100_001, 8_100_002, 8_100_003


async def _people(service) -> dict[str, int]:
    """A grid worker in 梨园 and in 望江, and 梨园's community dispatcher: their worker ids."""
    ids = {}
    for key, kwargs, tg in (("liyuan", {"grid_id": "liyuan-01"}, LIYUAN_WORKER_TG),
                            ("wangjiang", {"grid_id": "wangjiang-01"}, WANGJIANG_WORKER_TG),
                            ("dispatcher", {"community_id": "liyuan"}, DISPATCHER_TG)):
        invite = await service.create_invite(f"{key}员", **kwargs)
        ids[key] = (await service.bind_worker(invite.code, tg)).id
    return ids


async def _file(service, n: int, address: str, grid: str, intent: str = "noise", *, text: str = "楼上装修太吵",
                now: datetime | None = None):
    return await service.file_case(ReportDraft(resident_external_id=9_000_000 + n, intent=intent, text=f"{text} {n}",
                                               deadline_hours=24, address=address, grid_id=grid), now=now)


def _cell(page: str, table_css: str, row_name: str) -> list[str]:
    """The cells of the row named `row_name` in the table with class `table_css`."""
    table = re.search(rf'<table class="[^"]*\b{table_css}\b[^"]*">(.*?)</table>', page, re.S)
    assert table, f"no table {table_css}"
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        if cells and cells[0] == row_name:
            return cells
    raise AssertionError(f"no row {row_name!r} in {table_css}")


async def test_figures_count_per_grid_and_a_dispatcher_sees_only_his_community(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        service = rig.app.cases
        ids = await _people(service)
        first = await _file(service, 1, "梨园小区3栋", "liyuan-01")
        await _file(service, 2, "梨园小区3栋2单元", "liyuan-01")
        await _file(service, 3, "望江花园5栋", "wangjiang-01", intent="fumes_odor")
        await service.accept(first.id, LIYUAN_WORKER_TG)
        await service.resolve(first.id, LIYUAN_WORKER_TG, "已协调")
        await service.rate(first.id, 9_000_001, "satisfied")

        admin = await login_as(rig, "admin", ADMIN_ID)
        status, page = await admin.get("/console/figures")
        assert status == 200
        cells = _cell(page, "grids", "梨园社区第一网格")
        assert cells[1:3] == ["2", "1"]  # 工作量 2, 在办 1
        assert cells[5] == "50%"  # 办结率: 1 of 2
        assert cells[8] == "100%"  # 满意率
        assert _cell(page, "grids", "望江社区第一网格")[1] == "1"
        assert "<svg" in page and "每周趋势" in page

        dispatcher = await login_as(rig, "worker", ids["dispatcher"])
        status, page = await dispatcher.get("/console/figures?period=month")
        assert status == 200
        assert "梨园社区第一网格" in page and "望江" not in page
        weeks = re.search(r'<table class="figures weeks">(.*?)</table>', page, re.S).group(1)
        assert sum(int(n) for n in re.findall(r"<tr><td>\d\d-\d\d</td><td>(\d+)</td>", weeks)) == 2

        grid_worker = await login_as(rig, "worker", ids["wangjiang"])
        status, page = await grid_worker.get("/console/figures")
        assert status == 200 and "望江社区第一网格" in page and "梨园" not in page
        for client in (admin, dispatcher, grid_worker):
            await client.close()


async def test_the_csv_exports_follow_the_scope_and_carry_no_phone_numbers(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        service = rig.app.cases
        ids = await _people(service)
        await _file(service, 1, "梨园小区3栋", "liyuan-01", text="噪音扰民，联系我 13812345678")
        await _file(service, 2, "望江花园5栋", "wangjiang-01")
        dispatcher = await login_as(rig, "worker", ids["dispatcher"])
        async with dispatcher.http.get(rig.url + "/console/cases.csv?period=week") as r:
            assert r.status == 200 and r.content_type == "text/csv"
            assert "attachment" in r.headers["Content-Disposition"]
            text = (await r.read()).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [row["grid"] for row in rows] == ["liyuan-01"]
        assert "13812345678" not in text and "138****5678" in rows[0]["text"]  # privacy.mask, as every export

        async with dispatcher.http.get(rig.url + "/console/figures.csv?period=month") as r:
            figures = list(csv.DictReader(io.StringIO((await r.read()).decode("utf-8-sig"))))
        total = next(row for row in figures if row["by"] == "total")
        assert total["cases"] == "1"
        assert not any(row["id"].startswith("wangjiang") for row in figures)
        await dispatcher.close()


async def test_bad_dates_are_answered_clearly(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        admin = await login_as(rig, "admin", ADMIN_ID)
        cases = {
            "/console/figures?from=2026-13-01&to=2026-12-01": "不是有效日期",
            "/console/figures?from=2026-12-05&to=2026-12-01": "晚于结束日期",
            "/console/figures?from=2020-01-01&to=2026-12-01": "最长一年",
            "/console/figures?from=2026-12-01": "同时填写",
            "/console/hotspots?period=%3Cscript%3E": "未知的时段",
            "/console/figures.csv?from=%F0%9F%98%80&to=2026-12-01": "不是有效日期",
            "/console/hotspots?from=0001-01-01&to=0001-01-02": "超出可查询的年份",
        }
        for path, words in cases.items():
            status, page = await admin.get(path)
            assert status == 400, path
            assert words in page, (path, page[-600:])
            assert "<script>" not in page
            assert 'type="date"' in page  # the form is there to try again
        status, _ = await admin.get("/console/figures?from=2026-11-01&to=2026-11-30")
        assert status == 200
        await admin.close()


async def test_hotspots_fold_a_building_and_list_reopened_and_overdue_cases(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        service = rig.app.cases
        ids = await _people(service)
        long_ago = datetime.now(UTC) - timedelta(days=2)  # still this month unless today is the 1st or 2nd
        a = await _file(service, 1, "梨园小区3栋", "liyuan-01", now=long_ago)
        await _file(service, 2, "梨园小区 三栋 2单元", "liyuan-01")
        await _file(service, 3, "梨园小区3栋", "liyuan-01")
        await _file(service, 4, "望江花园5栋", "wangjiang-01", intent="fumes_odor", now=long_ago)
        await service.resolve(a.id, LIYUAN_WORKER_TG, "已处理")
        await service.rate(a.id, 9_000_001, "unsatisfied")  # 重办
        query = f"from={(long_ago - timedelta(days=1)).date()}&to={datetime.now(UTC).date() + timedelta(days=1)}"

        admin = await login_as(rig, "admin", ADMIN_ID)
        status, page = await admin.get(f"/console/hotspots?{query}")
        assert status == 200
        assert _cell(page, "buildings", "梨园小区3栋")[1] == "3"  # three spellings, one building
        assert _cell(page, "repeats", "梨园小区3栋")[1] == "2"  # the same address twice
        assert a.number in re.search(r'<table class="hotspots reopened">(.*?)</table>', page, re.S).group(1)
        overdue = re.search(r'<table class="hotspots overdue">(.*?)</table>', page, re.S).group(1)
        assert "望江花园5栋" in overdue  # filed two days ago with a 24-hour deadline

        dispatcher = await login_as(rig, "worker", ids["dispatcher"])
        status, page = await dispatcher.get(f"/console/hotspots?{query}")
        assert status == 200 and "梨园小区3栋" in page and "望江" not in page
        for client in (admin, dispatcher):
            await client.close()


async def test_admin_pages_are_for_admins_only_and_posts_need_the_csrf_token(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        service = rig.app.cases
        ids = await _people(service)
        grid_worker = await login_as(rig, "worker", ids["liyuan"])
        dispatcher = await login_as(rig, "worker", ids["dispatcher"])
        for client in (grid_worker, dispatcher):
            for path in ("/console/admin/workers", "/console/admin/invites", "/console/admin/checks"):
                status, page = await client.get(path)
                assert status == 403, path
            status, _ = await client.post(f"/console/admin/workers/{ids['wangjiang']}/deactivate", {"reason": "x"})
            assert status == 403
            assert "/console/admin/" not in (await client.get("/console/figures"))[1]  # no menu entry either
        assert (await service.list_workers())[0].active

        admin = await login_as(rig, "admin", ADMIN_ID)
        status, page = await admin.get("/console/admin/workers")
        assert status == 200 and "liyuan员" in page
        for csrf in (None, "wrong"):
            status, _ = await admin.post(f"/console/admin/workers/{ids['liyuan']}/deactivate", {}, csrf=csrf)
            assert status == 403
        assert all(w.active for w in await service.list_workers())
        status, _ = await admin.post("/console/admin/invites", {"name": "新人", "place": "grid:liyuan-02", "hours": "72"},
                                     csrf=None)
        assert status == 403
        await grid_worker.close()
        await dispatcher.close()
        await admin.close()


async def test_an_admin_deactivates_and_moves_workers_and_their_cases_go_back(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        service = rig.app.cases
        ids = await _people(service)
        held = await _file(service, 1, "梨园小区3栋", "liyuan-01")
        assert held.assignee_id == ids["liyuan"]
        admin = await login_as(rig, "admin", ADMIN_ID)
        await admin.get("/console/admin/workers")
        status, location = await admin.post(f"/console/admin/workers/{ids['liyuan']}/move", {"grid": "liyuan-02"})
        assert status == 303, location
        status, page = await admin.get(location[location.index("/console/"):])
        assert held.number in page and "调至" in page
        assert (await service.get_case(held.id)).assignee_id is None  # back in the queue

        status, page = await admin.post(f"/console/admin/workers/{ids['liyuan']}/move", {"grid": "nowhere"})
        assert status == 400 and "没有网格" in page
        status, page = await admin.post(f"/console/admin/workers/{ids['dispatcher']}/move", {"grid": "liyuan-02"})
        assert status == 400 and "派单员" in page
        status, location = await admin.post(f"/console/admin/workers/{ids['wangjiang']}/deactivate", {"reason": "离职"})
        assert status == 303
        assert not next(w for w in await service.list_workers(include_inactive=True) if w.id == ids["wangjiang"]).active
        status, page = await admin.post(f"/console/admin/workers/{ids['wangjiang']}/deactivate", {})
        assert status == 404  # already gone: said so, not a crash
        status, page = await admin.post("/console/admin/workers/99999999999999/deactivate", {})
        assert status == 404
        await admin.close()


async def test_an_admin_makes_an_invite_code_that_binds(tmp_path: Path) -> None:
    async with console_rig(tmp_path) as rig:
        admin = await login_as(rig, "admin", ADMIN_ID)
        await admin.get("/console/admin/invites")
        status, page = await admin.post("/console/admin/invites", {"name": "赵新", "place": "grid:liyuan-02", "hours": "72"})
        assert status == 200
        code = re.search(r"<strong>/bind ([A-Z0-9]+)</strong>", page).group(1)
        worker = await rig.app.cases.bind_worker(code, 8_200_001)
        assert worker.grid_id == "liyuan-02" and worker.name == "赵新"
        for fields, words in (({"name": "", "place": "grid:liyuan-02", "hours": "72"}, "请填写姓名"),
                              ({"name": "x" * 61, "place": "grid:liyuan-02", "hours": "72"}, "最长"),
                              ({"name": "赵", "place": "grid:../../etc", "hours": "72"}, "选择岗位"),
                              ({"name": "赵", "place": "street:nowhere", "hours": "72"}, "选择岗位"),
                              ({"name": "赵", "place": "community:liyuan", "hours": "0"}, "有效期")):
            status, page = await admin.post("/console/admin/invites", fields)
            assert status == 400 and words in page, fields
            assert "/bind " not in page.replace("/bind 邀请码", "")
        await admin.close()


async def test_the_file_check_shows_problems_with_path_and_line(tmp_path: Path) -> None:
    import shutil

    from bot.settings import load_settings

    intents = tmp_path / "intents"
    shutil.copytree(load_settings(_env_file=None).intents_dir, intents)
    broken = sorted(intents.glob("*.yaml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8") + "\n  : [unclosed\n", encoding="utf-8")
    async with console_rig(tmp_path, intents_dir=str(intents)) as rig:
        admin = await login_as(rig, "admin", ADMIN_ID)
        status, page = await admin.get("/console/admin/checks")
        assert status == 200
        assert re.search(rf"<code>[^<]*{re.escape(broken.name)}:\d+: ", page), page[-1500:]
        assert "kb check:" in page and "知识库" in page
        await admin.close()
