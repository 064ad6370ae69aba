"""The case service: the one API the dialog engine (and the deadline task, the CLI) call for cases.

Lifecycle (design.md): 受理 filed → 派单 assigned → 接单 accepted → 办结 resolved → 评价 rated, plus
退单 (assignee returns it with a reason → community dispatcher re-assigns), 超时 (past the deadline →
escalated one level: grid → community → street) and 重办 (an unsatisfied rating reopens it). The moves
are one table, `bot.cases.lifecycle`; `bot/cases/README.md` prints and draws it.

Rules every method keeps:
- each call is one transaction; a case is committed before its number is returned;
- a refusal raises a `bot.errors.CaseError` (NotFound, NotYours, NotNow, BadInput) with a Chinese reason
  the engine may show as is; programming and command-line mistakes raise `UsageError`, never shown in a chat;
- every change writes a `CaseEvent` and, in the same transaction, outbox rows for everyone it concerns
  EXCEPT the actor (the actor's confirmation is the caller's own reply): pushes to the assignee with
  接单/办结/退单 buttons, notices to the resident and every supporter, the rating request after 办结;
- times given in are aware datetimes (naive ones are taken as UTC); views give aware UTC back.

Usage:
    service = await open_service(settings)          # migrates and seeds an empty database
    case = await service.file_case(ReportDraft(...))  # routed, assigned, committed → case.number
    await service.accept(case.id, worker_external_id)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.cases.core import DUPLICATE_THRESHOLD, PLACE_CONFIDENCE, CaseCore, clean_text
from bot.cases.deadlines import DeadlineRoom
from bot.cases.digest import DigestRoom
from bot.cases.dispatch import DispatchRoom
from bot.cases.filing import FilingRoom
from bot.cases.grid_import import GridRoom
from bot.cases.handling import HandlingRoom
from bot.cases.oversight import OversightRoom
from bot.cases.people import PeopleRoom
from bot.cases.progress import ProgressRoom
from bot.cases.queries import QueryRoom
from bot.cases.selfservice import SelfServiceRoom
from bot.cases.views import ReportDraft, Route
from storage.engine import Database

if TYPE_CHECKING:
    from bot.nlu.intent_files import IntentSet
    from bot.nlu.normalize import Normalizer
    from bot.settings import Settings


async def open_service(
    settings: Settings,
    *,
    intents: IntentSet | None = None,
    normalizer: Normalizer | None = None,
    seed_file: Path | None = None,
) -> CaseService:
    """Connect to `settings.database_url`, migrate, seed an empty database, and return the service."""
    if normalizer is None:
        from bot.nlu.normalize import default_normalizer

        normalizer = default_normalizer(settings.max_message_chars)
    db = Database(settings.database_url)
    await db.prepare(seed_file)
    service = CaseService(
        db,
        intents=intents,
        normalizer=normalizer,
        duplicate_window_hours=settings.duplicate_window_hours,
        reminder_fraction=settings.reminder_fraction,
        timezone=settings.timezone,
        admin_ids=tuple(sorted(settings.admin_ids)),
        receipt_grace_seconds=settings.receipt_grace_seconds,
        oncall_chat_id=settings.oncall_chat_id,
        urgent_ack_minutes=settings.urgent_ack_minutes,
        urgent_deadline_hours=settings.urgent_deadline_hours,
        rate_reminder_hours=settings.rate_reminder_hours,
    )
    await service.reload_grids()
    return service


class CaseService(PeopleRoom, GridRoom, FilingRoom, OversightRoom, DispatchRoom, HandlingRoom, ProgressRoom, SelfServiceRoom,
                  DeadlineRoom, DigestRoom, QueryRoom, CaseCore):
    """Cases, residents, workers and routing over one `storage.engine.Database`: the rooms, behind one name."""


__all__ = ["DUPLICATE_THRESHOLD", "PLACE_CONFIDENCE", "CaseService", "ReportDraft", "Route", "clean_text", "open_service"]
