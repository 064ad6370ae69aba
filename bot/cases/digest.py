"""The weekly hotspot digest (主动治理 in the chat): on Monday morning every bound grid worker gets last week's
hotspots of their grid, every community dispatcher those of their community — the same `find_hotspots`
figures as the console's 主动治理 page, so the two never disagree.

Sent by the deadline loop (`run_deadlines` calls `send_digests` every pass): from `DIGEST_HOUR` local time on
the digest weekday, once per person and week. The outbox key `digest:<week>:<worker id>` makes "once" hold
across restarts and across several instances; the room remembers the week it finished so that later passes
that Monday cost nothing. A week without a case sends nothing (no digest of zeros).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import notify
from bot.cases.core import CaseCore, to_worker, utc
from bot.cases.hotspots import find_hotspots
from storage.models import Case, OutboxMessage, Worker

DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 8  # local time (TIMEZONE)
#: Lines per list in the chat (the console shows more).
DIGEST_ITEMS = 3


class DigestRoom(CaseCore):
    """每周热点: last week's hotspots pushed to the grid workers and community dispatchers."""

    _digest_week: str | None = None

    def digest_week(self, now: datetime | None = None) -> tuple[str, datetime, datetime] | None:
        """(week label, since, until) of the digest due at `now`, or None before its hour on its weekday."""
        local = utc(now).astimezone(self.tz)
        if local.weekday() != DIGEST_WEEKDAY or local.hour < DIGEST_HOUR:
            return None
        monday = local.replace(hour=0, minute=0, second=0, microsecond=0)
        since = monday - timedelta(days=7)
        return since.date().isoformat(), since, monday

    async def send_digests(self, now: datetime | None = None) -> int:
        """Queue the digest of the week for everyone who has not had it; returns how many were queued."""
        due = self.digest_week(now)
        if due is None or due[0] == self._digest_week:
            return 0
        week, since, until = due
        at = utc(now)
        async with self.db.session() as s:
            people = (await s.execute(select(Worker).where(
                Worker.active.is_(True), Worker.external_id.is_not(None),
                ((Worker.role == "grid") & Worker.grid_id.is_not(None))
                | ((Worker.role == "community") & Worker.community_id.is_not(None))))).scalars().all()
        queued = 0
        for worker in people:
            key = f"digest:{week}:{worker.id}"
            async with self.db.transaction() as s:
                if (await s.execute(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key))).first():
                    continue  # already queued (an earlier pass, another instance)
                grid = worker.role == "grid"
                where = Case.grid_id == worker.grid_id if grid else Case.community_id == worker.community_id
                spots = await find_hotspots(s, self.router, self.intents, since=utc(since), until=utc(until), now=at,
                                            where=where, limit=DIGEST_ITEMS)
                if spots.total == 0:
                    continue
                area = (self.router.grid_name(worker.grid_id) if grid else self.router.community_name(worker.community_id))
                to_worker(s, worker, notify.weekly_digest(worker.external_id, spots, area or "", since.strftime("%m-%d"),
                                                          (until - timedelta(days=1)).strftime("%m-%d")), key, None)
                queued += 1
        self._digest_week = week
        return queued
