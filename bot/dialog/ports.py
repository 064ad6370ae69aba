"""What the dialog needs from the case service, as one small protocol.

The engine talks to `CaseDesk` only; `bot.dialog.case_desk.ServiceCaseDesk` fits the real case
service (`bot.cases.service`) to it. The views are the case service's own detached dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from bot.cases.views import CaseView, EventView, ReportDraft, WorkerView
from bot.messages import Reply


class CaseDesk(Protocol):
    async def place_known(self, text: str) -> str | None:
        """The place named in a report's own words ("阳光花园3栋…"), when routing finds it confidently."""

    async def building_corrected(self, address: str, text: str) -> str | None:
        """ "不是3栋是5栋" said of `address`: the same estate with the building `text` gives, when routing is sure of it."""

    async def estate_named(self, text: str) -> str | None:
        """The estate `text` names, whether or not routing is sure of the grid ("梨园小区30栋" → 梨园小区)."""

    async def place_guess(self, text: str) -> str | None:
        """The place `text` names when routing finds it only loosely (a typo: "梨圆小区2栋"): to be confirmed."""

    async def estate_without_building(self, text: str) -> str | None:
        """The estate `text` names when it spans several grids and no building was given (ask for the building)."""

    async def find_duplicate(self, draft: ReportDraft) -> CaseView | None:
        """An open case with the same intent, grid and similar words within the window, if any."""

    async def file(self, draft: ReportDraft, receipt: Callable[[CaseView], Reply] | None = None) -> CaseView:
        """File (committed) and route; returns the case with its number. `receipt` builds the filer's
        confirmation, which is kept in the outbox with the case (`CaseView.receipt_id`) so a crash cannot lose it."""

    async def find_own_duplicate(self, draft: ReportDraft) -> CaseView | None:
        """The resident's own open case of this intent with similar words, in any grid (or none)."""

    async def seen(self, external_id: int, *, channel: str = "telegram", refused: bool | None = None) -> None:
        """Someone wrote: if their chat was marked as refusing the bot, it no longer is (held messages go out).
        `refused`: the `turn_facts` answer read with the state (False: not marked; None: unknown, look)."""

    def turn_facts(self) -> dict[str, Any]:
        """Facts about the person writing that a turn reads with the chat's state in one statement (opaque to the
        dialog; over the parameters `person_channel`, `person_id`): `refused` (then `seen` has work to do) and
        `asked` (then `open_question` has an answer)."""

    async def support(self, case_id: int, resident_external_id: int, chat_id: int, text: str | None, *,
                      channel: str = "telegram") -> CaseView:
        """附议: the resident joins an existing case."""

    async def resident_cases(self, external_id: int, limit: int = 10, *, channel: str = "telegram") -> list[CaseView]: ...

    async def get_case(self, case_id: int) -> CaseView | None: ...

    async def queue_told(self, case_id: int) -> str:
        """Who names a worker for a case nobody holds, in the receipt's words ("" = nobody can: it waits)."""

    async def find_case(self, number: str) -> CaseView | None:
        """By its number (`YYYYMMDD-NNNN`)."""

    async def rate(self, case_id: int, external_id: int, score: str, *, comment: str | None = None,
                   channel: str = "telegram") -> CaseView: ...

    async def bind_worker(self, code: str, external_id: int, chat_id: int, name: str, *,
                          channel: str = "telegram") -> WorkerView: ...

    async def worker_by_external_id(self, external_id: int, *, channel: str = "telegram") -> WorkerView | None: ...

    async def worker_tasks(self, worker: WorkerView) -> list[CaseView]: ...

    async def accept(self, case_id: int, worker: WorkerView) -> CaseView: ...

    async def resolve(self, case_id: int, worker: WorkerView, note: str, photo: str | None) -> CaseView: ...

    async def return_case(self, case_id: int, worker: WorkerView, reason: str) -> CaseView: ...

    async def progress(self, case_id: int, worker: WorkerView, note: str, photo: str | None) -> CaseView:
        """进展: a note or photo from the assignee to the filer and supporters."""

    async def ask_filer(self, case_id: int, worker: WorkerView, question: str) -> CaseView:
        """需要补充: a question to the filer, whose next message answers it."""

    async def open_question(self, external_id: int, *, channel: str = "telegram") -> CaseView | None:
        """The resident's open case with a question waiting for their answer, if any."""

    async def answer(self, case_id: int, external_id: int, text: str, photo: str | None, *,
                     channel: str = "telegram") -> CaseView:
        """补充: the filer's answer, attached to the case and sent on to the assignee."""

    async def assign(self, case_id: int, worker_id: int, by: WorkerView) -> CaseView: ...

    async def assign_as_admin(self, case_id: int, worker_id: int, admin_external_id: int, *,
                              channel: str = "telegram") -> CaseView: ...

    async def supervise(self, case_id: int, by: int, note: str, *, channel: str = "telegram") -> CaseView:
        """督办 by a dispatcher or admin over the case: the assignee is pressed."""

    async def recategorize(self, case_id: int, by: int, intent: str, *, channel: str = "telegram") -> CaseView:
        """改类 by a dispatcher or admin over the case (recorded as a correction; the assignee is told)."""

    async def assign_choices(self, community_id: str | None) -> list[WorkerView]:
        """The community's reachable grid workers with their open load, for 派给 buttons."""

    async def admin_queue(self) -> list[CaseView]:
        """Open cases nobody holds, anywhere (what an admin dispatches from /tasks)."""

    async def reload_places(self) -> None:
        """Re-read the grids from the database (after `griddesk grids import --apply`)."""

    async def save_phone(self, external_id: int, phone: str, *, channel: str = "telegram") -> None:
        """A phone number the resident shared (sharing a contact is the consent)."""

    async def timeline(self, case_id: int, external_id: int, *, channel: str = "telegram") -> tuple[CaseView, list[EventView]]:
        """进度: the case and the dated events its filer or a supporter may read."""

    async def supplement(self, case_id: int, external_id: int, text: str, photo: str | None, *, place: str | None = None,
                         channel: str = "telegram") -> CaseView:
        """补充 by the filer (the assignee is told)."""

    async def urge(self, case_id: int, external_id: int, *, channel: str = "telegram") -> CaseView:
        """催办 by the filer, once per deadline."""

    async def withdraw(self, case_id: int, external_id: int, reason: str, *, channel: str = "telegram") -> CaseView:
        """撤销 by the filer, with a reason."""

    async def explain(self, case_id: int, external_id: int, reason: str, comment: str | None, *,
                      channel: str = "telegram") -> CaseView:
        """Why the filer rated 不满意 (a reason code, and/or words)."""

    async def privacy(self, external_id: int, *, channel: str = "telegram") -> dict[str, Any]:
        """What is stored about this person (`/privacy`)."""

    async def forget_phone(self, external_id: int, *, channel: str = "telegram") -> bool:
        """Withdraw the consent and erase the phone; False when none was stored."""

    async def stats_rows(self) -> list[dict[str, Any]]:
        """Per-category figures: name, total, resolved_rate, on_time_rate, satisfied_rate (None = n/a)."""
