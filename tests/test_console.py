"""`griddesk chat` through a pipe, as users run it: a fresh database, a report in, a case number out."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from dialog_helpers import shared_understanding

from bot.console import Console
from bot.services import build_app
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"案件编号：(\d{8}-\d{4})")


def _griddesk(args: list[str], db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


def test_piped_report_files_a_case_and_stats_count_it(tmp_path):
    db = tmp_path / "fresh.db"
    chat = _griddesk(["chat"], db, "梨园小区3栋楼下烧烤油烟太大了，熏得没法开窗\n1\n")
    assert chat.returncode == 0, chat.stderr
    found = NUMBER.search(chat.stdout)
    assert found, chat.stdout
    assert ">" not in chat.stdout.splitlines()[0]  # no prompt garbage when stdin is a pipe

    stats = _griddesk(["stats", "--json"], db)
    assert stats.returncode == 0, stats.stderr
    rows = [json.loads(line) for line in stats.stdout.splitlines() if line.strip()]
    fumes = [r for r in rows if r["by"] == "category" and r["id"] == "fumes_odor"]
    assert fumes and fumes[0]["cases"] == 1


async def test_roles_switch_and_pushes_print_inline(tmp_path):
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'c.db'}")
    app = await build_app(settings, understanding=shared_understanding())
    out = io.StringIO()
    try:
        console = Console(app, out, interactive=False)
        for line in ["梨园小区3栋楼下烧烤油烟太大了", "1", "/as worker 张三", "1", "/as admin", "/stats",
                     "/as resident", "/my", "/loc abc"]:
            assert await console.handle_line(line)
        assert not await console.handle_line("/quit")
    finally:
        await app.close()
    text = out.getvalue()
    assert NUMBER.search(text)
    assert "邀请码" in text and "绑定成功" in text
    assert "[推送 → 张三] 【新派单】" in text  # the case waiting in the grid went to the new worker
    assert "已接单" in text  # "1" pressed 接单 on the push
    assert "[推送 → 居民]" in text  # the resident's notice of 接单
    assert "统计" in text and "油烟异味" in text
    assert "处置中" in text  # /my shows the state
    assert "用法：/loc" in text


async def test_the_console_runs_deadlines_too_and_escalates_an_overdue_case(tmp_path):
    """Reminders and 超时 do not need Telegram: `griddesk chat` escalates, on a clock the test controls."""
    from datetime import UTC, datetime, timedelta

    from bot.cases.service import open_service
    from bot.cases.views import ReportDraft
    from bot.console import RESIDENT_BASE_ID, run_console

    # The resident is the console's own persona (channel "console"): its notice prints inline.
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'gd.db'}", _env_file=None)
    filed_at = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    service = await open_service(settings)
    invite = await service.create_invite("王网格", grid_id="liyuan-01")
    await service.bind_worker(invite.code, 7_000_001)
    case = await service.file_case(ReportDraft(resident_external_id=RESIDENT_BASE_ID, intent="noise",
                                               text="楼上半夜装修电钻声吵得睡不着", deadline_hours=24, address="梨园小区3栋",
                                               channel="console"),
                                   now=filed_at)
    await service.close()

    out = io.StringIO()
    clock = lambda: filed_at + timedelta(hours=30)  # noqa: E731 — six hours past the deadline
    assert await run_console(settings, io.StringIO("/who\n"), out, clock=clock) == 0
    assert f"案件 {case.number}）未在时限内办结，已升级至社区督办" in out.getvalue()  # the resident's notice, inline
    service = await open_service(settings)
    try:
        after = await service.get_case(case.id)
        assert after.level == "community" and "escalate" in [e.action for e in await service.events(case.id)]
    finally:
        await service.close()
