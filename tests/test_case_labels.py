"""The loop from handled cases: every category people confirm (the resident's pick when the bot was unsure,
the category a case was resolved under) is kept as a labelled example of the case's words, counted in the
figures, and read by `griddesk intents fit/suggest --from-cases`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialog_helpers import bound_worker, case_number, driver_for, make_app

from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.dialog.testing import texts_of

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def test_confirmed_categories_become_labelled_examples(case_service: CaseService) -> None:
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, 1701)
    picked = await s.file_case(ReportDraft(resident_external_id=701, intent="sanitation", text="楼道口那堆东西一直没人管",
                                           deadline_hours=48, address="梨园小区3栋", confirmed_by="resident_pick"), now=T0)
    guessed = await s.file_case(ReportDraft(resident_external_id=702, intent="noise", text="楼上装修太吵",
                                            deadline_hours=48, address="梨园小区3栋"), now=T0)
    assert await s.confirmed_examples() == [("楼道口那堆东西一直没人管", "sanitation", "resident_pick", picked.number)]
    await s.resolve(guessed.id, 1701, "已劝导", now=T0 + timedelta(hours=1))
    await s.resolve(picked.id, 1701, "已清运", now=T0 + timedelta(hours=2))
    examples = {number: (intent, source) for _, intent, source, number in await s.confirmed_examples()}
    assert examples == {picked.number: ("sanitation", "resolved"), guessed.number: ("noise", "resolved")}
    stats = await s.stats(now=T0 + timedelta(days=1))
    by_category = {r.id: r for r in stats.by_category}
    assert by_category["sanitation"].picked == 1 and by_category["noise"].picked == 0 and stats.total.picked == 1


async def test_the_residents_pick_in_the_dialog_is_recorded(tmp_path) -> None:
    app = await make_app(tmp_path / "gd.db")
    try:
        driver = driver_for(app)
        await bound_worker(app, driver, "张三")
        await driver.send("王阿姨", "梨园小区3栋那边有点问题想反映一下")  # no topic: the bot asks which kind
        replies = await driver.press("王阿姨", "环境卫生")
        if "照片" in texts_of(replies):
            replies = await driver.press("王阿姨", "跳过，不传照片")
        number = case_number(texts_of(replies))
        assert [(i, s, n) for _, i, s, n in await app.cases.confirmed_examples()] == [("sanitation", "resident_pick", number)]
    finally:
        await app.close()


def test_fit_and_suggest_read_the_desks_cases(tmp_path: Path) -> None:
    import asyncio

    from bot.cases.service import open_service
    from bot.settings import load_settings

    db = tmp_path / "loop.db"

    async def seed() -> None:
        service = await open_service(load_settings(database_url=f"sqlite:///{db}", _env_file=None))
        try:
            for i in range(6):
                await service.file_case(ReportDraft(resident_external_id=800 + i, intent="parking",
                                                    text=f"车位被人用地锁占了第{i}次", deadline_hours=48,
                                                    address="梨园小区3栋", confirmed_by="resident_pick"), now=T0)
        finally:
            await service.close()

    asyncio.run(seed())
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TELEGRAM_BOT_TOKEN": ""}
    out = tmp_path / "weights.json"
    fitted = subprocess.run([sys.executable, "-m", "bot", "intents", "fit", "--from-cases", "--labels",
                             str(ROOT / "intents" / "labels" / "readers_random.jsonl"), "--out", str(out),
                             "--force"],  # written whether or not it beats the YAML: the sources are under test
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert fitted.returncode == 0, fitted.stderr[-2000:]
    assert "6 confirmed cases from the database" in fitted.stderr and out.exists()
    assert "cases" in out.read_text(encoding="utf-8")  # the fit names the desk's cases among its sources
    suggested = subprocess.run([sys.executable, "-m", "bot", "intents", "suggest", "--from-cases", "--intent", "parking"],
                               capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert suggested.returncode == 0 and "6 confirmed cases" in suggested.stderr, suggested.stderr[-2000:]
