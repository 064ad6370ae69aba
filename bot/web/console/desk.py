"""Every call the console makes into the case service, in one module (so the service's signatures — e.g. how
people are identified — change in one place). Actions run through the same rooms and lifecycle table as the
chat; ids are passed positionally."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.cases.views import CaseView, EventView


class ConsoleDesk:
    def __init__(self, cases: CaseService):
        self.cases = cases

    async def case_by_number(self, number: str) -> CaseView | None:
        return await self.cases.find_case(number)

    async def events(self, case_id: int) -> list[EventView]:
        return await self.cases.events(case_id)

    # -- figures, hotspots, admin pages: their calls into the case service go below this line -----------------
