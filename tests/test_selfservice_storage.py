"""The self-service room on SQLite and PostgreSQL: 催办 once per time limit, 补充 on the case, the reason of an
unsatisfied rating in the figures, the one rate reminder found by the deadline loop's query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cases.service import CaseService
from bot.cases.views import ReportDraft
from bot.errors import BadInput, NotNow, NotYours

T0 = datetime(2026, 3, 9, 1, 30, tzinfo=UTC)
RESIDENT, STRANGER, WORKER = 801, 802, 1801


async def test_self_service_moves_on_both_databases(case_service: CaseService) -> None:
    s = case_service
    invite = await s.create_invite("王网格", grid_id="liyuan-01")
    await s.bind_worker(invite.code, WORKER)
    await s.set_phone(RESIDENT, "13900002222", consent=True)
    case = await s.file_case(ReportDraft(resident_external_id=RESIDENT, intent="noise", text="楼上1502半夜剁东西",
                                         deadline_hours=48.0, address="梨园小区3栋", answers={"发生时间": "半夜"}),
                             now=T0)
    assert (await s.get_case(case.id)).answers == {"发生时间": "半夜"}
    with pytest.raises(BadInput):
        await s.supplement(case.id, RESIDENT, "   ", now=T0)
    with pytest.raises(NotYours):
        await s.supplement(case.id, STRANGER, "我也听到了", now=T0)
    added = await s.supplement(case.id, RESIDENT, "昨晚到两点", photo="photo-1", now=T0 + timedelta(hours=1))
    assert "昨晚到两点" in added.text and "photo-1" in added.photos
    await s.urge(case.id, RESIDENT, now=T0 + timedelta(hours=2))
    with pytest.raises(NotNow, match="已经催办过了"):
        await s.urge(case.id, RESIDENT, now=T0 + timedelta(hours=3))
    await s.resolve(case.id, WORKER, "已劝导", now=T0 + timedelta(hours=4))
    resolved_at = T0 + timedelta(hours=4)
    assert await s.due_rate_reminders(now=resolved_at + timedelta(hours=23)) == []
    assert await s.due_rate_reminders(now=resolved_at + timedelta(hours=25)) == [case.id]
    assert await s.rate_remind(case.id, now=resolved_at + timedelta(hours=25))
    assert await s.due_rate_reminders(now=resolved_at + timedelta(hours=60)) == []
    assert not await s.rate_remind(case.id, now=resolved_at + timedelta(hours=60))
    with pytest.raises(NotNow):
        await s.explain(case.id, RESIDENT, "slow", now=resolved_at + timedelta(hours=26))  # not rated 不满意 yet
    await s.rate(case.id, RESIDENT, "unsatisfied", now=resolved_at + timedelta(hours=26))
    await s.explain(case.id, RESIDENT, "slow", "拖了三天", now=resolved_at + timedelta(hours=26))
    await s.urge(case.id, RESIDENT, now=resolved_at + timedelta(hours=27))  # 重办 started a new time limit
    stats = await s.stats(now=resolved_at + timedelta(hours=28))
    assert stats.total.urged == 2 and stats.total.unsatisfied_reasons == {"slow": 1}
    timeline = [e.action for e in (await s.timeline(case.id, RESIDENT))[1]]
    assert "supplement" in timeline and "urge" in timeline and "rate_remind" not in timeline
    stored = await s.privacy_of(RESIDENT)
    assert stored["phone"] == "13900002222" and stored["cases"] == 1
