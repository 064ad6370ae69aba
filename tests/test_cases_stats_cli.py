"""Statistics and the CLI commands `griddesk grids`, `worker invite`, `stats` (real processes, fresh databases)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cases.service import CaseService
from bot.cases.views import ReportDraft

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


async def test_stats_per_grid_category_worker(case_service: CaseService) -> None:
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, 1201)

    def d(text: str, intent: str, hours: float = 24) -> ReportDraft:
        return ReportDraft(resident_external_id=1301, intent=intent, text=text, deadline_hours=hours, address="梨园小区1栋")

    on_time = await s.file_case(d("楼上装修吵", "noise"), now=T0)
    late = await s.file_case(d("半夜KTV吵", "noise"), now=T0)
    still_open = await s.file_case(d("门口垃圾没人收", "sanitation"), now=T0)
    await s.resolve(on_time.id, 1201, "已劝导", now=T0 + timedelta(hours=2))
    await s.resolve(late.id, 1201, "已处理", now=T0 + timedelta(hours=30))
    await s.rate(on_time.id, 1301, "satisfied")
    await s.rate(late.id, 1301, "unsatisfied")  # reopened: no longer resolved

    stats = await s.stats(now=T0 + timedelta(hours=40))
    assert (stats.total.cases, stats.total.open, stats.total.resolved) == (3, 2, 1)
    noise = next(r for r in stats.by_category if r.id == "noise")
    assert (noise.name, noise.cases, noise.resolved, noise.rated) == ("噪声扰民", 2, 1, 2)
    assert noise.resolution_rate == 0.5 and noise.on_time_rate == 1.0 and noise.avg_handling_hours == 2.0
    assert noise.satisfaction_rate == 0.5
    # 响应率: 办结 without 接单 accepts implicitly, at 2 h (within RESPONSE_HOURS) and at 30 h (not)
    assert (noise.accepted, noise.responded, noise.response_rate, noise.avg_response_hours) == (2, 1, 0.5, 16.0)
    sanitation = next(r for r in stats.by_category if r.id == "sanitation")
    assert sanitation.resolution_rate == 0.0 and sanitation.on_time_rate is None and sanitation.overdue == 1
    assert [r.id for r in stats.by_grid] == ["liyuan-01"] and stats.by_grid[0].cases == 3
    assert stats.by_worker[0].name == "王网格" and stats.by_worker[0].cases == 3
    assert still_open.id  # filed and counted


def _cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_cli_grids_invite_stats_on_fresh_database(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    grids = _cli(db, "grids", "--json")
    assert grids.returncode == 0, grids.stderr
    rows = [json.loads(line) for line in grids.stdout.splitlines()]  # warnings stay on stderr
    assert "warning: grid liyuan-01 " in grids.stderr and "no bound grid worker" in grids.stderr
    assert len(rows) >= 6 and {"id", "name", "community", "areas"} <= set(rows[0])
    assert any(r["id"] == "liyuan-01" and r["community"] == "梨园社区" and "梨园小区 1-6栋" in r["areas"] for r in rows)

    invite = _cli(db, "worker", "invite", "--grid", "liyuan-01", "--name", "王网格")
    assert invite.returncode == 0, invite.stderr
    code = invite.stdout.strip()
    assert code.isalnum() and len(code) == 10 and f"/bind {code}" in invite.stderr
    assert "王网格" in _cli(db, "grids").stdout  # the worker shows once invited
    bad = _cli(db, "worker", "invite", "--grid", "nope", "--name", "x")
    assert bad.returncode == 1 and "unknown grid" in bad.stderr

    stats = _cli(db, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    total = json.loads(stats.stdout.splitlines()[0])
    assert total["by"] == "total" and total["cases"] == 0 and total["resolution_rate"] is None
    exported = _cli(db, "stats", "--csv")
    assert exported.returncode == 0, exported.stderr
    header, first = exported.stdout.splitlines()[:2]
    assert header.startswith("by,id,name,cases") and "response_rate" in header and first.startswith("total,all,全部,0")
    table = _cli(db, "stats")
    assert "办结率" in table.stdout and "满意率" in table.stdout


async def test_stats_for_a_period_and_beyond_postgresqls_parameter_limit(case_service: CaseService) -> None:
    """Figures come from GROUP BY in the database: a period filters them, and 33,000 cases (more than the
    32,767 bound parameters PostgreSQL allows, which the case-by-case version passed) count in one go."""
    from sqlalchemy import insert

    from storage.models import Case, Resident

    s = case_service

    def d(text: str) -> ReportDraft:
        return ReportDraft(resident_external_id=1401, intent="noise", text=text, deadline_hours=24, address="梨园小区1栋")

    await s.file_case(d("楼上装修吵"), now=T0)
    await s.file_case(d("半夜KTV吵"), now=T0 + timedelta(days=40))
    in_june = await s.stats(since=T0 - timedelta(days=1), until=T0 + timedelta(days=29), now=T0 + timedelta(days=50))
    assert in_june.total.cases == 1 and in_june.by_category[0].cases == 1
    assert (await s.stats(now=T0 + timedelta(days=50))).total.cases == 2

    async with s.db.transaction() as session:
        resident = (await session.execute(Resident.__table__.select().where(Resident.external_id == 1401))).first()
        rows = [{"number": f"20250101-{i:05d}", "intent": "parking", "text": "车堵门口", "photos": [],
                 "resident_id": resident.id, "level": "grid", "state": "resolved", "urgent": False,
                 "deadline_hours": 24.0, "deadline_at": T0 + timedelta(days=1), "supporter_count": 0, "reopen_count": 0,
                 "resolved_at": T0 + timedelta(hours=6), "resolved_on_time": i % 2 == 0,
                 "created_at": T0, "updated_at": T0} for i in range(33_000)]
        await session.execute(insert(Case.__table__), rows)
    stats = await s.stats(now=T0 + timedelta(days=50))
    parking = next(r for r in stats.by_category if r.id == "parking")
    assert (parking.cases, parking.resolved, parking.on_time) == (33_000, 33_000, 16_500)
    assert parking.avg_handling_hours == 6.0 and stats.total.cases == 33_002


def test_cli_stats_refuses_a_bad_period(tmp_path: Path) -> None:
    bad = _cli(tmp_path / "p.db", "stats", "--since", "2026-13-01")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    backwards = _cli(tmp_path / "p.db", "stats", "--since", "2026-06-02", "--until", "2026-06-01")
    assert backwards.returncode == 1 and "--since must be on or before --until" in backwards.stderr
    ok = _cli(tmp_path / "p.db", "stats", "--json", "--since", "2026-06-01", "--until", "2026-06-30")
    assert ok.returncode == 0 and json.loads(ok.stdout.splitlines()[0])["cases"] == 0


async def test_cli_exports_the_cases_of_a_period_as_csv(tmp_path: Path) -> None:
    import csv
    import io

    from bot.cases.service import open_service
    from bot.settings import load_settings

    db = tmp_path / "export.db"
    service = await open_service(load_settings(database_url=f"sqlite:///{db}", _env_file=None))
    try:
        for day, text in ((0, "楼上装修吵, \"电钻\"\n一直响"), (40, "门口垃圾没人收")):
            await service.file_case(ReportDraft(resident_external_id=1501, intent="noise", text=text, deadline_hours=24,
                                                address="梨园小区1栋"), now=T0 + timedelta(days=day))
    finally:
        await service.close()
    exported = _cli(db, "cases", "export", "--since", "2026-06-01", "--until", "2026-06-30")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 1 and rows[0]["category_name"] == "噪声扰民" and rows[0]["text"] == "楼上装修吵, \"电钻\"\n一直响"
    assert rows[0]["created_at"].startswith("2026-06-01T01:00:00") and rows[0]["state"] == "filed"
    assert len(list(csv.DictReader(io.StringIO(_cli(db, "cases", "export").stdout)))) == 2
