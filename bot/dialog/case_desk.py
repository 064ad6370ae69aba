"""Fits the case service (`bot.cases.service.CaseService`) to what the dialog needs (`ports.CaseDesk`).

The service speaks in (channel, external id) and returns detached views; this adapter adds the few things the
dialog wants in another shape (a place named in the report's words, one duplicate, per-category figures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.cases.routing import FUZZY_MIN, Route
from bot.cases.views import CaseView, EventView, ReportDraft, WorkerView
from bot.errors import CaseError
from bot.messages import Reply
from bot.wording.staff import STATS_SUFFIX

if TYPE_CHECKING:
    from bot.cases.service import CaseService

_ROLE_ORDER = {"grid": 0, "community": 1, "street": 2}
#: A place routing finds this loosely (one wrong character in four) is offered to the resident to confirm.
GUESS_CONFIDENCE = FUZZY_MIN / 100


class ServiceCaseDesk:
    """`ports.CaseDesk` over the real case service."""

    def __init__(self, service: CaseService):
        self.service = service
        #: The last route worked out, by the place it was worked out for: the duplicate search routes the report
        #: and filing carries that route instead of routing it again (a changed address is another key).
        self._routed: tuple[tuple[str | None, float | None, float | None], Route] | None = None

    def _route(self, draft: ReportDraft) -> Route:
        place = (draft.address, draft.latitude, draft.longitude)
        if self._routed is None or self._routed[0] != place:
            self._routed = (place, self.service.route(*place))
        return self._routed[1]

    async def place_known(self, text: str) -> str | None:
        return self.service.place_in(text)

    async def building_corrected(self, address: str, text: str) -> str | None:
        return self.service.building_corrected(address, text)

    async def estate_named(self, text: str) -> str | None:
        return self.service.estate_named(text)

    async def place_guess(self, text: str) -> str | None:
        return self.service.place_in(text, min_confidence=GUESS_CONFIDENCE)

    async def estate_without_building(self, text: str) -> str | None:
        return self.service.router.spanning_estate(text)

    async def find_duplicate(self, draft: ReportDraft) -> CaseView | None:
        route = self._route(draft)
        if not route.grid_id:
            return None
        found = await self.service.find_duplicates(draft.intent, draft.text, route.grid_id, limit=1,
                                                   offer_to=draft.resident_external_id, channel=draft.channel)
        return found[0] if found else None

    async def file(self, draft: ReportDraft, receipt: Callable[[CaseView], Reply] | None = None) -> CaseView:
        routed = self._route(draft) if not draft.grid_id else None
        return await self.service.file_case(draft, receipt=receipt, route=routed)

    async def find_own_duplicate(self, draft: ReportDraft) -> CaseView | None:
        return await self.service.find_own_duplicate(draft.intent, draft.text, draft.resident_external_id,
                                                     channel=draft.channel)

    async def seen(self, external_id: int, *, channel: str = "telegram", refused: bool | None = None) -> None:
        if refused is False:  # read with the turn's state (`turn_facts`): not marked, nothing to undo
            return
        await self.service.chat_reachable(external_id, channel=channel)

    def turn_facts(self) -> dict[str, Any]:
        return self.service.turn_facts()

    async def support(self, case_id: int, resident_external_id: int, chat_id: int, text: str | None, *,
                      channel: str = "telegram") -> CaseView:
        await self.service.ensure_resident(resident_external_id, chat_id=chat_id, channel=channel)
        return await self.service.support(case_id, resident_external_id, text=text, channel=channel)

    async def resident_cases(self, external_id: int, limit: int = 10, *, channel: str = "telegram") -> list[CaseView]:
        return await self.service.cases_of_resident(external_id, limit=limit, channel=channel)

    async def get_case(self, case_id: int) -> CaseView | None:
        try:
            return await self.service.get_case(case_id)
        except CaseError:
            return None

    async def queue_told(self, case_id: int) -> str:
        return await self.service.queue_told(case_id)

    async def find_case(self, number: str) -> CaseView | None:
        return await self.service.find_case(number)

    async def rate(self, case_id: int, external_id: int, score: str, *, comment: str | None = None,
                   channel: str = "telegram") -> CaseView:
        return await self.service.rate(case_id, external_id, score, comment=comment, channel=channel)

    async def bind_worker(self, code: str, external_id: int, chat_id: int, name: str, *, channel: str = "telegram") -> WorkerView:
        return await self.service.bind_worker(code, external_id, channel=channel)

    async def worker_by_external_id(self, external_id: int, *, channel: str = "telegram") -> WorkerView | None:
        workers = await self.service.workers_of(external_id, channel=channel)
        return min(workers, key=lambda w: _ROLE_ORDER.get(w.role, 9)) if workers else None

    async def worker_tasks(self, worker: WorkerView) -> list[CaseView]:
        return await self.service.tasks_of_worker(worker.external_id or 0, channel=worker.channel)

    async def accept(self, case_id: int, worker: WorkerView) -> CaseView:
        return await self.service.accept(case_id, worker.external_id or 0, channel=worker.channel)

    async def resolve(self, case_id: int, worker: WorkerView, note: str, photo: str | None) -> CaseView:
        return await self.service.resolve(case_id, worker.external_id or 0, note, photo=photo, channel=worker.channel)

    async def return_case(self, case_id: int, worker: WorkerView, reason: str) -> CaseView:
        return await self.service.return_case(case_id, worker.external_id or 0, reason, channel=worker.channel)

    async def progress(self, case_id: int, worker: WorkerView, note: str, photo: str | None) -> CaseView:
        return await self.service.progress(case_id, worker.external_id or 0, note, photo=photo, channel=worker.channel)

    async def ask_filer(self, case_id: int, worker: WorkerView, question: str) -> CaseView:
        return await self.service.ask_filer(case_id, worker.external_id or 0, question, channel=worker.channel)

    async def open_question(self, external_id: int, *, channel: str = "telegram") -> CaseView | None:
        return await self.service.open_question(external_id, channel=channel)

    async def answer(self, case_id: int, external_id: int, text: str, photo: str | None, *,
                     channel: str = "telegram") -> CaseView:
        return await self.service.answer(case_id, external_id, text, photo=photo, channel=channel)

    async def assign(self, case_id: int, worker_id: int, by: WorkerView) -> CaseView:
        return await self.service.assign(case_id, worker_id, by_external_id=by.external_id, channel=by.channel)

    async def assign_as_admin(self, case_id: int, worker_id: int, admin_external_id: int, *,
                              channel: str = "telegram") -> CaseView:
        return await self.service.assign(case_id, worker_id, by_external_id=admin_external_id, channel=channel)

    async def supervise(self, case_id: int, by: int, note: str, *, channel: str = "telegram") -> CaseView:
        return await self.service.supervise(case_id, by, note, channel=channel)

    async def recategorize(self, case_id: int, by: int, intent: str, *, channel: str = "telegram") -> CaseView:
        return await self.service.recategorize(case_id, by, intent, channel=channel)

    async def assign_choices(self, community_id: str | None) -> list[WorkerView]:
        return await self.service.workers_in_community(community_id) if community_id else []

    async def admin_queue(self) -> list[CaseView]:
        return await self.service.unassigned_queue()

    async def reload_places(self) -> None:
        await self.service.reload_grids()

    async def save_phone(self, external_id: int, phone: str, *, channel: str = "telegram") -> None:
        await self.service.set_phone(external_id, phone, consent=True, channel=channel)

    async def timeline(self, case_id: int, external_id: int, *, channel: str = "telegram") -> tuple[CaseView, list[EventView]]:
        return await self.service.timeline(case_id, external_id, channel=channel)

    async def supplement(self, case_id: int, external_id: int, text: str, photo: str | None, *, place: str | None = None,
                         channel: str = "telegram") -> CaseView:
        return await self.service.supplement(case_id, external_id, text, photo=photo, place=place, channel=channel)

    async def urge(self, case_id: int, external_id: int, *, channel: str = "telegram") -> CaseView:
        return await self.service.urge(case_id, external_id, channel=channel)

    async def withdraw(self, case_id: int, external_id: int, reason: str, *, channel: str = "telegram") -> CaseView:
        return await self.service.cancel(case_id, external_id, reason=reason, channel=channel)

    async def explain(self, case_id: int, external_id: int, reason: str, comment: str | None, *,
                      channel: str = "telegram") -> CaseView:
        return await self.service.explain(case_id, external_id, reason, comment, channel=channel)

    async def privacy(self, external_id: int, *, channel: str = "telegram") -> dict[str, Any]:
        return await self.service.privacy_of(external_id, channel=channel)

    async def forget_phone(self, external_id: int, *, channel: str = "telegram") -> bool:
        had = (await self.service.privacy_of(external_id, channel=channel)).get("phone") is not None
        if had:
            await self.service.set_phone(external_id, None, consent=False, channel=channel)
        return had

    async def stats_rows(self) -> list[dict[str, Any]]:
        """The case service's figures (the same as `griddesk stats`): the total, then per grid and category."""
        stats = await self.service.stats()
        rows = [stats.total, *stats.by_grid, *stats.by_category, *stats.by_worker]
        suffix = STATS_SUFFIX
        return [{
            "intent": row.id, "name": row.name + suffix.get(row.by, ""), "total": row.cases,
            "resolved_rate": row.resolution_rate, "on_time_rate": row.on_time_rate,
            "satisfied_rate": row.satisfaction_rate, "avg_hours": row.avg_handling_hours,
            "response_rate": row.response_rate, "urged": row.urged, "unsatisfied_reasons": dict(row.unsatisfied_reasons),
        } for row in rows if row.cases]
