"""Admins run the desk after day one: list workers, deactivate one or move one to another grid — their open
cases go back to the queue with the reason, and the CLI answers bad arguments in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
RESIDENT, WANG, LI, ZHAO = 901, 1901, 1902, 2901


async def setup_desk(s: CaseService) -> dict[str, int]:
    ids = {}
    for name, chat, where in (("王网格", WANG, {"grid_id": "liyuan-01"}), ("李网格", LI, {"grid_id": "liyuan-01"}),
                              ("赵主任", ZHAO, {"community_id": "liyuan"})):
        invite = await s.create_invite(name, **where)
        ids[name] = (await s.bind_worker(invite.code, chat)).id
    return ids


def report(text: str) -> ReportDraft:
    return ReportDraft(resident_external_id=RESIDENT, intent="noise", text=text, deadline_hours=48, address="梨园小区3栋")


async def test_deactivating_a_worker_hands_his_open_cases_back(case_service: CaseService) -> None:
    s = case_service
    ids = await setup_desk(s)
    first = await s.file_case(report("楼上装修太吵"), now=T0)
    assert first.assignee_name == "王网格"
    listed = {w.name: w for w in await s.list_workers()}
    assert listed["王网格"].open_cases == 1 and listed["赵主任"].role == "community"

    handed = await s.deactivate_worker(ids["王网格"], reason="离职", now=T0 + timedelta(hours=1))
    assert handed == [first.number]
    case = await s.get_case(first.id)
    assert (case.state, case.level, case.assignee_id) == ("returned", "community", None)
    assert "已停用：离职" in (case.return_reason or "")
    assert "王网格" not in {w.name for w in await s.list_workers()}
    assert "王网格" in {w.name for w in await s.list_workers(include_inactive=True)}
    assert not await s.workers_of(WANG)  # his chat is a resident's now
    later = await s.file_case(report("半夜还在装修电钻响"), now=T0 + timedelta(hours=2))
    assert later.assignee_name == "李网格"
    with pytest.raises(UsageError, match="no active worker"):
        await s.deactivate_worker(ids["王网格"])


async def test_moving_a_worker_to_another_grid(case_service: CaseService) -> None:
    s = case_service
    ids = await setup_desk(s)
    await s.deactivate_worker(ids["李网格"])
    case = await s.file_case(report("楼上装修太吵"), now=T0)
    handed = await s.move_worker(ids["王网格"], "liyuan-02", now=T0 + timedelta(hours=1))
    assert handed == [case.number] and (await s.get_case(case.id)).state == "returned"
    moved = next(w for w in await s.list_workers() if w.name == "王网格")
    assert (moved.grid_id, moved.community_id) == ("liyuan-02", "liyuan")
    with pytest.raises(UsageError, match="unknown grid"):
        await s.move_worker(ids["王网格"], "nope")
    with pytest.raises(UsageError, match="not a grid worker"):
        await s.move_worker(ids["赵主任"], "liyuan-02")


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)


def test_worker_commands_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    assert _cli(db, "worker", "invite", "--grid", "liyuan-01", "--name", "王网格").returncode == 0
    listed = _cli(db, "worker", "list")
    assert listed.returncode == 0 and "王网格" in listed.stdout and "未绑定" in listed.stdout
    worker_id = listed.stdout.split()[0]
    moved = _cli(db, "worker", "move", worker_id, "--grid", "liyuan-02")
    assert moved.returncode == 0 and "moved to liyuan-02" in moved.stdout
    gone = _cli(db, "worker", "deactivate", worker_id, "--reason", "调离")
    assert gone.returncode == 0 and "0 open case(s)" in gone.stdout
    for bad in (["deactivate", "abc"], ["deactivate", "²"], ["move", worker_id], ["deactivate", "999"]):
        result = _cli(db, "worker", *bad)
        assert result.returncode in (1, 2) and "Traceback" not in result.stderr, (bad, result.stderr)
        assert result.stderr.strip(), bad


async def test_admin_stats_in_chat_have_a_row_per_worker(tmp_path) -> None:
    from dialog_helpers import ADMIN_ID, bound_worker, driver_for, make_app

    from bot.dialog.testing import texts_of

    app = await make_app(tmp_path / "gd.db")
    try:
        driver = driver_for(app)
        await bound_worker(app, driver, "张三")
        await driver.send("王阿姨", "梨园小区3栋楼下烧烤油烟太大了")
        await driver.press("王阿姨", "跳过，不传照片")
        stats = texts_of(await driver.send(driver.persona("admin", "admin", user_id=ADMIN_ID), "/stats"))
        assert "张三（人员）：工作量 1" in stats
    finally:
        await app.close()


@pytest.mark.parametrize("hours", [0, -1, float("nan"), float("inf"), 721])
async def test_an_invite_that_would_never_expire_by_accident_is_refused(case_service: CaseService, hours: float) -> None:
    with pytest.raises(UsageError, match="valid_hours"):
        await case_service.create_invite("王网格", grid_id="liyuan-01", valid_hours=hours)
