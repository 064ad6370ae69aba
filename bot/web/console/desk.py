"""Every call the console makes into the case service, in one module (so the service's signatures — e.g. how
people are identified — change in one place). Actions run through the same rooms and lifecycle table as the
chat, so residents and workers are told exactly what the chat would tell them; ids are passed positionally.

Who acts is `Staff.user_id`: an admin's id (one of ADMIN_IDS), or a dispatcher's bound chat id, which the
service checks against the case's community or street like a 派给 pressed in the chat.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.errors import NotFound, NotYours
from bot.web.open311.keys import ApiKeys
from bot.wording import refusals

if TYPE_CHECKING:
    from bot.admin_checks import CheckResult
    from bot.cases.hotspots import Hotspots
    from bot.cases.service import CaseService
    from bot.cases.stats import StatRow, Stats
    from bot.cases.views import CaseView, EventView, GridView, Invite, WorkerView
    from bot.settings import Settings
    from bot.web.console.staff import Staff
    from bot.web.open311.keys import KeyView, Scope


class ConsoleDesk:
    def __init__(self, cases: CaseService, settings: Settings | None = None):
        self.cases = cases
        self.settings = settings  # where the admin-edited files are (the admin page's file check)

    @staticmethod
    def _by(staff: Staff) -> int:
        if not staff.can_act:
            raise NotYours(refusals.CONSOLE_VIEW_ONLY)
        if staff.user_id is None:
            raise NotYours(refusals.CONSOLE_NOT_BOUND)
        return staff.user_id

    async def case_by_number(self, number: str) -> CaseView | None:
        return await self.cases.find_case(number)

    async def case_id_in_scope(self, staff: Staff, number: str) -> int | None:
        """The id of case `number` if this staff member may see it; None otherwise (a case out of scope is one
        that is not there, so the answer never tells another community's case numbers apart from free ones)."""
        return await self.cases.case_id_of(number, where=staff.cases())

    async def photo_ids(self, staff: Staff, number: str) -> list[str]:
        """The channel's file ids of case `number`'s photos, if this staff member may see the case."""
        return await self.cases.photo_ids_of(number, where=staff.cases())

    async def events(self, case_id: int) -> list[EventView]:
        return await self.cases.events(case_id)

    async def assign(self, staff: Staff, case_id: int, worker_id: int) -> CaseView:
        """派单 / 改派 to a grid worker."""
        return await self.cases.assign(case_id, worker_id, by_external_id=self._by(staff), channel=staff.channel)

    async def supervise(self, staff: Staff, case_id: int, note: str) -> CaseView:
        return await self.cases.supervise(case_id, self._by(staff), note, channel=staff.channel)

    async def recategorize(self, staff: Staff, case_id: int, intent: str) -> CaseView:
        return await self.cases.recategorize(case_id, self._by(staff), intent, channel=staff.channel)

    async def merge(self, staff: Staff, case_id: int, into_number: str) -> CaseView:
        """合并 into case `into_number`, which must be one this staff member sees too (else: not found)."""
        if await self.case_id_in_scope(staff, into_number) is None:
            raise NotFound(refusals.NO_CASE_NUMBER.format(number=into_number or refusals.NOT_FILLED))
        return await self.cases.merge(case_id, self._by(staff), into_number, channel=staff.channel)

    async def escalate(self, staff: Staff, case_id: int, reason: str) -> CaseView:
        return await self.cases.escalate_now(case_id, self._by(staff), reason, channel=staff.channel)

    async def note(self, staff: Staff, case_id: int, text: str) -> CaseView:
        return await self.cases.add_note(case_id, self._by(staff), text, channel=staff.channel)

    # -- figures, hotspots, admin pages: their calls into the case service go below this line -----------------

    async def figures(self, staff: Staff, since: datetime, until: datetime) -> Stats:
        """统计 of the cases filed in [since, until) that this staff member may see."""
        return await self.cases.stats(since=since, until=until, where=staff.cases(steer=False))

    async def figures_and_trend(self, staff: Staff, since: datetime, until: datetime, week_starts: list[datetime],
                                trend_until: datetime) -> tuple[Stats, list[StatRow]]:
        """统计 and its weekly trend, in one pass over the cases this staff member may see. The period's index
        (which holds the scope's columns) drives it, not the scope's own: that one reads the community's every case."""
        return await self.cases.figures_and_trend(since=since, until=until, week_starts=week_starts,
                                                  trend_until=trend_until, where=staff.cases(steer=False))

    async def export_cases(self, staff: Staff, since: datetime, until: datetime) -> list[dict[str, Any]]:
        return await self.cases.export_rows(since=since, until=until, where=staff.cases())

    async def hotspots(self, staff: Staff, since: datetime, until: datetime) -> Hotspots:
        return await self.cases.hotspots(since=since, until=until, where=staff.cases())

    async def workers(self) -> list[WorkerView]:
        return await self.cases.list_workers(include_inactive=True)

    async def grids(self) -> list[GridView]:
        return await self.cases.list_grids()

    async def deactivate_worker(self, worker_id: int, reason: str) -> list[str]:
        return await self.cases.deactivate_worker(worker_id, reason=reason)

    async def move_worker(self, worker_id: int, grid_id: str) -> list[str]:
        return await self.cases.move_worker(worker_id, grid_id)

    async def create_invite(self, name: str, *, grid_id: str | None, community_id: str | None,
                            street_id: str | None, valid_hours: float) -> Invite:
        return await self.cases.create_invite(name, grid_id=grid_id, community_id=community_id, street_id=street_id,
                                              valid_hours=valid_hours)

    async def places(self) -> tuple[list[GridView], list[tuple[str, str]], list[tuple[str, str]]]:
        """The grids, and the (id, name) of every community and street that has grids: where an invite can point."""
        grids = await self.cases.list_grids()
        communities = dict((g.community_id, g.community) for g in grids)
        streets = {sid: g.street for g in grids if (sid := self.cases.router.street_of_community(g.community_id))}
        return grids, sorted(communities.items()), sorted(streets.items())

    async def check_files(self) -> list[CheckResult]:
        """`griddesk intents check` and `griddesk kb check` on the configured directories, off the event loop
        (running every example takes a while)."""
        from bot.admin_checks import check_intents, check_knowledge

        settings = self.settings
        if settings is None:
            return []

        def run() -> list[CheckResult]:
            return [check_intents(settings.intents_dir, settings.max_message_chars),
                    check_knowledge(settings.knowledge_dir, settings.intents_dir, settings.max_message_chars)]

        return await asyncio.to_thread(run)

    # -- API keys (admin page): the same store as `griddesk api-key create/list/revoke` ---------------------

    async def api_keys(self) -> list[KeyView]:
        """Every key, revoked ones too, with this hour's request count."""
        return await ApiKeys(self.cases.db).list(include_revoked=True)

    async def create_api_key(self, name: str, rate_limit: int, scope: Scope) -> tuple[str, KeyView]:
        """(the key — shown once, only its SHA-256 is kept —, its view)."""
        return await ApiKeys(self.cases.db).create(name, rate_limit=rate_limit, scope=scope)

    async def revoke_api_key(self, key_id: int) -> KeyView:
        return await ApiKeys(self.cases.db).revoke(str(key_id))
