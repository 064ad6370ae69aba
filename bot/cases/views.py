"""Plain, detached views of cases, workers and grids: what the case service hands to the dialog engine.

They never hold a database session, so the engine can keep them across awaits and restarts.
Times are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from bot.wording.names import LEVEL_NAMES, STATE_NAMES

Level = Literal["grid", "community", "street"]
Score = Literal["satisfied", "basic", "unsatisfied"]


def aware(dt: datetime | None) -> datetime | None:
    """Any stored time as aware UTC (naive values are UTC)."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """Everything the dialog gathered for a new case. `deadline_hours` comes from `Intent.deadline_for(subtype)`."""

    resident_external_id: int
    intent: str  # a category id of the intent files, or "other"
    text: str  # the resident's own words (original script)
    deadline_hours: float
    subtype: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: tuple[str, ...] = ()  # Telegram file ids
    urgent: bool = False
    resident_name: str = ""
    script: Literal["simplified", "traditional"] | None = None
    chat_id: int | None = None  # private chat with the resident (defaults to the external id)
    grid_id: str | None = None  # skip routing when the caller already knows the grid
    #: Who confirmed `intent` ("resident_pick": the resident chose it from buttons), recorded as a labelled example.
    confirmed_by: str | None = None
    channel: str = "telegram"  # where the resident talks to us: `resident_external_id` is that channel's id
    #: Answers to the category's questions (intent file `questions:`): question label → the resident's words
    #: (a choice's words, or what was typed); the chat and the Open311 API fill it the same way.
    answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Route:
    """Where a case goes. `grid_id` None means the community (or street) dispatcher decides."""

    grid_id: str | None
    community_id: str | None
    street_id: str | None
    method: Literal["address", "location", "given", "none"]
    confidence: float  # 0..1
    ambiguous: bool = False
    matched: str | None = None  # the area/building text that matched
    candidates: tuple[str, ...] = ()  # grid ids considered when ambiguous
    note: str = ""  # human-readable reason (kept on the case)

    @property
    def level(self) -> Level:
        if self.grid_id:
            return "grid"
        return "community" if self.community_id else "street"


@dataclass(frozen=True, slots=True)
class WorkerView:
    id: int
    name: str
    role: Level
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    external_id: int | None
    open_cases: int = 0
    active: bool = True
    unreachable: bool = False  # the chat refuses the bot (blocked): no new work until they write
    channel: str = "telegram"  # `external_id` is this channel's id


@dataclass(frozen=True, slots=True)
class Invite:
    """A one-time invite: the worker sends `/bind CODE` or opens `t.me/<bot>?start=bind_CODE`."""

    code: str
    worker: WorkerView
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ResidentView:
    id: int
    external_id: int
    chat_id: int
    name: str
    script: Literal["simplified", "traditional"]
    phone: str | None
    channel: str = "telegram"


@dataclass(frozen=True, slots=True)
class GridView:
    id: str
    name: str
    community_id: str
    community: str
    street: str
    areas: tuple[str, ...]  # "梨园小区 1-6栋", "临河路沿街商铺" …
    center: tuple[float, float] | None
    workers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    action: str
    actor_kind: str
    actor_id: int | None
    from_state: str | None
    to_state: str | None
    from_level: str | None
    to_level: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as the engine shows it. `state_name`/`level_name` are the Chinese words residents see."""

    id: int
    number: str
    intent: str
    subtype: str | None
    text: str
    address: str | None
    latitude: float | None
    longitude: float | None
    photos: tuple[str, ...]
    state: str
    level: Level
    grid_id: str | None
    grid_name: str | None
    community_id: str | None
    community_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    assignee_external_id: int | None
    resident_external_id: int
    urgent: bool
    deadline_at: datetime
    created_at: datetime
    resolved_at: datetime | None
    supporter_count: int
    reopen_count: int
    resolution_note: str | None
    return_reason: str | None
    route_note: str | None = None
    supporter_external_ids: tuple[int, ...] = field(default=())
    #: The outbox row holding the filer's receipt (`file_case(receipt=…)`): sending the reply directly
    #: marks it sent; if the process dies first, the outbox delivers it.
    receipt_id: int | None = None
    #: Who was told of a new case, in words for its filer ("网格员 王网格", "社区值班人员"); "" = nobody could be.
    #: After 补充 (`supplement`): the words of who has the case when the supplement just routed it, "" when nobody
    #: could be told, None when its holder or the queue was.
    told: str | None = None
    resident_channel: str = "telegram"
    assignee_channel: str | None = None
    #: (channel, external id) of each supporter, in joining order (`supporter_external_ids` without channels).
    supporters: tuple[tuple[str, int], ...] = field(default=())

    #: When anything about the case last changed (state, assignee, level).
    updated_at: datetime | None = None
    #: The resident's answers to the category's questions (question label → words), shown to the worker.
    answers: dict[str, str] = field(default_factory=dict)
    street_id: str | None = None

    def involves(self, channel: str, external_id: int) -> bool:
        """The person filed or supports this case (ids compared within their channel)."""
        return ((self.resident_channel, self.resident_external_id) == (channel, external_id)
                or (channel, external_id) in self.supporters)

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, self.level)

    @property
    def is_open(self) -> bool:
        return self.state in ("filed", "assigned", "accepted", "returned")
