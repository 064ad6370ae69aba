"""Every call the console makes into the case service, in one module (so the service's signatures — e.g. how
people are identified — change in one place). Actions run through the same rooms and lifecycle table as the
chat, so residents and workers are told exactly what the chat would tell them; ids are passed positionally.

Who acts is `Staff.user_id`: an admin's id (one of ADMIN_IDS), or a dispatcher's bound chat id, which the
service checks against the case's community or street like a 派给 pressed in the chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import NotYours

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.cases.views import CaseView, EventView
    from bot.web.console.staff import Staff


class ConsoleDesk:
    def __init__(self, cases: CaseService):
        self.cases = cases

    @staticmethod
    def _by(staff: Staff) -> int:
        if not staff.can_act:
            raise NotYours("网格员在控制台只能查看；请在机器人中处理案件。")
        if staff.user_id is None:
            raise NotYours("您的账号还没有绑定机器人，不能操作案件。")
        return staff.user_id

    async def case_by_number(self, number: str) -> CaseView | None:
        return await self.cases.find_case(number)

    async def events(self, case_id: int) -> list[EventView]:
        return await self.cases.events(case_id)

    async def assign(self, staff: Staff, case_id: int, worker_id: int) -> CaseView:
        """派单 / 改派 to a grid worker."""
        return await self.cases.assign(case_id, worker_id, by_telegram_id=self._by(staff))

    async def supervise(self, staff: Staff, case_id: int, note: str) -> CaseView:
        return await self.cases.supervise(case_id, self._by(staff), note)

    async def recategorize(self, staff: Staff, case_id: int, intent: str) -> CaseView:
        return await self.cases.recategorize(case_id, self._by(staff), intent)

    async def merge(self, staff: Staff, case_id: int, into_number: str) -> CaseView:
        return await self.cases.merge(case_id, self._by(staff), into_number)

    async def escalate(self, staff: Staff, case_id: int, reason: str) -> CaseView:
        return await self.cases.escalate_now(case_id, self._by(staff), reason)

    async def note(self, staff: Staff, case_id: int, text: str) -> CaseView:
        return await self.cases.add_note(case_id, self._by(staff), text)

    # -- figures, hotspots, admin pages: their calls into the case service go below this line -----------------
