"""Urgent limits per intent: `urgent_ack_minutes` / `urgent_deadline_hours` in an intent file set that intent's
own urgent clock (else URGENT_ACK_MINUTES / URGENT_DEADLINE_HOURS), validated with path:line; checked on the
real case service with a clock the test controls."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.cases.service import open_service
from bot.cases.views import ReportDraft
from bot.errors import IntentFileError
from bot.nlu.intent_files import load_intents
from bot.settings import load_settings

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
WORKER, RESIDENT = 1901, 901


def intents_with(tmp_path: Path, intent: str, extra: str) -> Path:
    folder = tmp_path / "intents"
    shutil.copytree(PROJECT_ROOT / "intents", folder, ignore=shutil.ignore_patterns("labels", "fitted", "*.md"))
    path = next(p for p in folder.glob("*.yaml") if f"\nid: {intent}\n" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8").replace("\ndeadline_hours:", f"\n{extra}\ndeadline_hours:", 1)
    path.write_text(text, encoding="utf-8")
    return path


async def test_an_intents_own_urgent_clock_wins_over_the_settings(tmp_path: Path, database_url: str) -> None:
    intents_with(tmp_path, "fire_hazard", "urgent_ack_minutes: 3\nurgent_deadline_hours: 1.5")
    intents = load_intents(tmp_path / "intents")
    assert intents.get("fire_hazard").urgent_ack_minutes == 3
    s = await open_service(load_settings(database_url=database_url, _env_file=None, urgent_ack_minutes=10,
                                         urgent_deadline_hours=4), intents=intents)
    try:
        invite = await s.create_invite("王网格", grid_id="liyuan-01")
        await s.bind_worker(invite.code, WORKER)
        gas = await s.file_case(ReportDraft(resident_external_id=RESIDENT, intent="fire_hazard", text="楼道里煤气味很浓",
                                            deadline_hours=48, address="梨园小区3栋", urgent=True), now=T0)
        assert gas.deadline_at == T0 + timedelta(hours=1.5)
        fight = await s.file_case(ReportDraft(resident_external_id=RESIDENT, intent="public_order", text="楼下有人打架流血",
                                              deadline_hours=48, address="梨园小区3栋", urgent=True), now=T0)
        assert fight.deadline_at == T0 + timedelta(hours=4)  # no limit of its own: the setting
        assert await s.run_deadlines(T0 + timedelta(minutes=2)) == (0, 0)
        assert await s.run_deadlines(T0 + timedelta(minutes=4)) == (1, 0)  # gas: 3 minutes; the fight waits for 10
        assert await s.run_deadlines(T0 + timedelta(minutes=7, seconds=30)) == (1, 0)  # gas again, 3 minutes on
        assert await s.run_deadlines(T0 + timedelta(minutes=11)) == (2, 0)  # gas again and the fight's first
    finally:
        await s.close()


@pytest.mark.parametrize("value", ["0", "-5", "2000", "很快", ".nan", "true"])
def test_a_bad_urgent_limit_is_named_with_its_line(tmp_path: Path, value: str) -> None:
    path = intents_with(tmp_path, "fire_hazard", f"urgent_ack_minutes: {value}")
    line = path.read_text(encoding="utf-8").splitlines().index(f"urgent_ack_minutes: {value}") + 1
    with pytest.raises(IntentFileError) as info:
        load_intents(tmp_path / "intents")
    found = [(Path(p.path).name, p.line) for p in info.value.problems if "urgent_ack_minutes" in p.message]
    assert found == [(path.name, line)], info.value.problems
