"""Every GridDesk table, in one module (Alembic autogenerate and the tests read `SQLModel.metadata` from here).

Conventions: timestamps are aware UTC in Python and naive UTC in the database (`UtcDateTime`), the same on
SQLite and PostgreSQL, whatever the SQLModel version; a person is known by (channel, external id) —
`channel` names where they talk to us ("telegram", "console", see `bot.channels`), the id is that channel's
own (BIGINT); chat ids are per channel too; JSON columns hold lists/dicts; street/community/grid ids are
the stable text ids of the seed file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime, utcnow

#: Case states, in lifecycle order. `filed` = 受理 (waiting in a dispatcher's queue), `returned` = 退单.
CASE_STATES = ("filed", "assigned", "accepted", "resolved", "rated", "returned", "cancelled")
#: States in which a case still needs work from someone (counted as a worker's load, escalated when late).
OPEN_STATES = ("filed", "assigned", "accepted", "returned")
#: Levels a case can sit at; 超时 moves it one step right.
LEVELS = ("grid", "community", "street")
WORKER_ROLES = LEVELS  # a grid worker, a community dispatcher or a street supervisor
#: `blocked` = held while the chat refuses the bot (released when the person writes again);
#: `dropped` = a held push that no longer applies (the case went to someone else meanwhile).
OUTBOX_STATUSES = ("pending", "sent", "failed", "blocked", "dropped")


class Street(SQLModel, table=True):
    """街道: the top of the tree; its supervisors receive what communities cannot handle."""

    __tablename__ = "street"
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=100)


class Community(SQLModel, table=True):
    """社区: several grids and a dispatcher who re-assigns returned or unrouted cases."""

    __tablename__ = "community"
    id: str = Field(primary_key=True, max_length=40)
    street_id: str = Field(foreign_key="street.id", index=True, max_length=40)
    name: str = Field(max_length=100)
    center_lat: float | None = None
    center_lon: float | None = None


class Grid(SQLModel, table=True):
    """网格: a few buildings with one or more grid workers; optional centre point and polygon for locations."""

    __tablename__ = "grid"
    id: str = Field(primary_key=True, max_length=40)
    community_id: str = Field(foreign_key="community.id", index=True, max_length=40)
    name: str = Field(max_length=100)
    center_lat: float | None = None
    center_lon: float | None = None
    #: [[lat, lon], …] ring, or None when only the centre is known.
    polygon: list[list[float]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class GridArea(SQLModel, table=True):
    """A 小区 (or street frontage, landmark) a grid covers, with its aliases and the buildings (楼栋) it includes."""

    __tablename__ = "grid_area"
    id: int | None = Field(default=None, primary_key=True)
    grid_id: str = Field(foreign_key="grid.id", index=True, max_length=40)
    name: str = Field(max_length=100)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: Building labels as written in the seed ("3", "12", "综合楼"); number aliases (3栋/三栋/3号楼) are derived.
    buildings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: Extra aliases per named building: {"综合楼": ["老年活动中心"]}.
    building_aliases: dict[str, list[str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


#: The channel of rows written before channels existed, and of every Telegram person.
DEFAULT_CHANNEL = "telegram"


def channel_column() -> Any:
    """`channel` (String(16), NOT NULL, default 'telegram'): which channel an id belongs to."""
    return Field(default=DEFAULT_CHANNEL, max_length=16, sa_column_kwargs={"server_default": DEFAULT_CHANNEL})


class Worker(SQLModel, table=True):
    """A grid worker (网格员), community dispatcher or street supervisor; bound to a chat by a one-time invite."""

    __tablename__ = "worker"
    #: Not unique: one account may hold several roles (a grid worker who also dispatches).
    __table_args__ = (Index("ix_worker_channel_external_id", "channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    role: str = Field(default="grid", max_length=12)  # grid | community | street
    grid_id: str | None = Field(default=None, foreign_key="grid.id", index=True, max_length=40)
    community_id: str | None = Field(default=None, foreign_key="community.id", index=True, max_length=40)
    street_id: str | None = Field(default=None, foreign_key="street.id", max_length=40)
    channel: str = channel_column()
    external_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    invite_code: str | None = Field(default=None, unique=True, max_length=20)
    invite_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    bound_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    active: bool = True
    #: The chat refused the bot (Telegram 403): no new assignments until they write again.
    unreachable_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Resident(SQLModel, table=True):
    """Someone who talks to the bot; `script` is how we answer them, the phone only with consent."""

    __tablename__ = "resident"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_resident_channel_external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = channel_column()
    external_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    name: str = Field(default="", max_length=100)
    script: str = Field(default="simplified", max_length=12)
    phone: str | None = Field(default=None, max_length=32)
    phone_consent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    blocked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # the resident blocked the bot (Telegram 403)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class DaySequence(SQLModel, table=True):
    """Last case sequence used per local day: `YYYYMMDD-NNNN` numbers come from an atomic upsert here."""

    __tablename__ = "day_sequence"
    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


#: The figures' summary of a case, kept on write (`bot.cases.core.CaseCore._move`, `rate`, filing): its first 接单, 催办
#: count, ratings and whether the resident picked the category — so the figures are one GROUP BY over the period's
#: index, with no look-ups in case_event, rating or case_label (`bot.cases.stats`).
FIGURE_COLUMNS = ("first_accepted_at", "urge_count", "rating_count", "satisfied_count", "basic_count", "picked")
#: The columns of `ix_case_created` (migration 0015 spells the same list).
PERIOD_COLUMNS = ("created_at", "state", "deadline_at", "urgent", "assignee_id", "resolved_at", "resolved_on_time",
                  "intent", "grid_id", "level", "community_id", "street_id", "id", *FIGURE_COLUMNS)


class Case(SQLModel, table=True):
    """One resident request, from 受理 to 评价."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_state_deadline", "state", "deadline_at"),
        Index("ix_case_dup", "intent", "grid_id", "created_at"),
        # Figures and the queue for a period, read from the index alone: every column their sums, groups and
        # scopes use (`bot.cases.stats._partial_sums`, a queue filtered by dates).
        Index("ix_case_created", *PERIOD_COLUMNS),
        Index("ix_case_assignee_state", "assignee_id", "state"),  # a worker's open load, /tasks
        # The console's queue (urgent first, then deadline), whole and per scope; they also cover its counts.
        Index("ix_case_queue", "urgent", "deadline_at", "id", "state", "assignee_id"),
        Index("ix_case_queue_community", "community_id", "urgent", "deadline_at", "id", "state", "assignee_id"),
        Index("ix_case_queue_street", "street_id", "urgent", "deadline_at", "id", "state", "assignee_id"),
        Index("ix_case_queue_grid", "grid_id", "urgent", "deadline_at", "id", "state", "assignee_id", "community_id",
              "street_id"),  # the scope's columns too: a grid filter inside a community's or street's scope
        # A community's or a street's queue counts as the desk's are: per state in index order, overdue as a seek.
        Index("ix_case_community_state", "community_id", "state", "deadline_at", "urgent", "assignee_id"),
        Index("ix_case_street_state", "street_id", "state", "deadline_at", "urgent", "assignee_id"),
        # A category (with or without a period): its part of the queue in order, its counts without the table.
        Index("ix_case_queue_intent", "intent", "urgent", "deadline_at", "id", "state", "assignee_id", "created_at",
              "community_id", "street_id", "grid_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=16)
    intent: str = Field(max_length=40)
    subtype: str | None = Field(default=None, max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    address: str | None = Field(default=None, max_length=300)
    #: The text and address in their Simplified form for the console's word search (`storage.words.search_text`),
    #: kept on write; NULL when that is what was typed (a Simplified case: nearly all of them).
    search_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    latitude: float | None = None
    longitude: float | None = None
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    resident_id: int = Field(foreign_key="resident.id", index=True)
    street_id: str | None = Field(default=None, foreign_key="street.id", max_length=40)
    community_id: str | None = Field(default=None, foreign_key="community.id", max_length=40)
    grid_id: str | None = Field(default=None, foreign_key="grid.id", max_length=40)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    level: str = Field(default="grid", max_length=12)
    state: str = Field(default="filed", max_length=12)
    route_note: str | None = Field(default=None, max_length=200)
    urgent: bool = False
    deadline_hours: float = 72.0
    deadline_at: datetime = Field(sa_type=UtcDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    #: Urgent cases: by when the assignee must press 接单 before the push is repeated and the queue is told.
    ack_due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    #: The assignee asked the filer something (需要补充): the filer's next message is the answer (cleared then).
    question_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    supporter_count: int = 0
    reopen_count: int = 0
    return_reason: str | None = Field(default=None, max_length=500)
    resolution_note: str | None = Field(default=None, max_length=1000)
    resolution_photo: str | None = Field(default=None, max_length=200)
    #: Answers to the category's questions (intent file `questions:`), question id → the resident's words.
    answers: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    resolved_on_time: bool | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # The figures' summary (FIGURE_COLUMNS): the earliest 接单 event, 催办 events, ratings given (满意 / 基本满意 of
    # them), a resident_pick label. `accepted_at` is not it: a 改派 or 重办 clears that one.
    first_accepted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    urge_count: int = 0
    rating_count: int = 0
    satisfied_count: int = 0
    basic_count: int = 0
    picked: bool = False


class CaseWord(SQLModel, table=True):
    """The word index of a case's text and address (`storage.words`): one row per distinct character pair, so
    the console's word search reads a few index ranges instead of every case's text. Written on every insert
    or text change of a case (mapper events in `storage.words`), never by hand."""

    __tablename__ = "case_word"
    __table_args__ = ({"sqlite_with_rowid": False},)  # the primary key is the whole row
    first_char: str = Field(primary_key=True, max_length=1)
    next_char: str = Field(primary_key=True, max_length=1)  # "" after the last character of a run
    case_id: int = Field(foreign_key="case.id", primary_key=True)


class CaseSupporter(SQLModel, table=True):
    """A resident who joined (附议) someone else's case; told of every change like the filer."""

    __tablename__ = "case_supporter"
    __table_args__ = (UniqueConstraint("case_id", "resident_id", name="uq_case_supporter"),
                      Index("ix_case_supporter_resident", "resident_id"))  # /my: the cases a resident supports
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class SupportOffer(SQLModel, table=True):
    """A 附议 choice the bot showed this resident: joining a case needs one (button data alone proves nothing)."""

    __tablename__ = "support_offer"
    __table_args__ = (UniqueConstraint("case_id", "resident_id", name="uq_support_offer"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    offered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


#: CaseLabel.source of a category the resident chose from buttons (the classifier was unsure); `Case.picked` says it.
RESIDENT_PICK = "resident_pick"


class CaseLabel(SQLModel, table=True):
    """A category people confirmed for a case's words: the resident's own pick, the category it was resolved
    under. The desk's own labelled examples, for `griddesk intents fit/suggest --from-cases`."""

    __tablename__ = "case_label"
    __table_args__ = (UniqueConstraint("case_id", "source", name="uq_case_label"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    intent: str = Field(max_length=40)
    source: str = Field(max_length=20)  # resident_pick | resolved
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CaseEvent(SQLModel, table=True):
    """Every transition of a case: who, when, from → to (state and level), and a note."""

    __tablename__ = "case_event"
    #: A case's first 接单 and its 催办 count in the figures: one seek each, from the index alone.
    __table_args__ = (Index("ix_case_event_case_action", "case_id", "action", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    action: str = Field(max_length=20)  # an action of bot/cases/lifecycle.py
    actor_kind: str = Field(max_length=12)  # resident | worker | admin | system
    actor_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    from_state: str | None = Field(default=None, max_length=12)
    to_state: str | None = Field(default=None, max_length=12)
    from_level: str | None = Field(default=None, max_length=12)
    to_level: str | None = Field(default=None, max_length=12)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Rating(SQLModel, table=True):
    """A resident's 回访评价 of a resolved case; an unsatisfied one reopens the case (重办)."""

    __tablename__ = "rating"
    __table_args__ = (Index("ix_rating_case_score", "case_id", "score"),)  # the figures' counts per case, index only
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    score: str = Field(max_length=12)  # satisfied | basic | unsatisfied
    #: Why an unsatisfied resident was not satisfied: a code of `bot.cases.views.UNSATISFIED_REASONS`.
    reason: str | None = Field(default=None, max_length=20)
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class DialogState(SQLModel, table=True):
    """Per-chat state of the dialog engine, so a restart mid-conversation loses nothing."""

    __tablename__ = "dialog_state"
    channel: str = Field(default=DEFAULT_CHANNEL, primary_key=True, max_length=16,
                         sa_column_kwargs={"server_default": DEFAULT_CHANNEL})
    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class OutboxMessage(SQLModel, table=True):
    """A message to deliver, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"), Index("ix_outbox_chat", "channel", "chat_id"))
    id: int | None = Field(default=None, primary_key=True)
    channel: str = channel_column()
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # a serialised bot.messages.Reply
    dedupe_key: str | None = Field(default=None, unique=True, max_length=120)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    status: str = Field(default="pending", max_length=10)  # one of OUTBOX_STATUSES
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiKey(SQLModel, table=True):
    """A key an outside system (an Open311 client) sends as `api_key`: only its SHA-256 is kept, the key itself is
    printed once by `griddesk api-key create`. `rate_limit` requests per hour, counted in the row itself
    (`window_start`, `window_count`) so several bot instances share one count."""

    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)
    key_hash: str = Field(unique=True, max_length=64)  # hex SHA-256 of the key
    prefix: str = Field(max_length=12)  # the key's first characters, to recognise it in `api-key list`
    scope: str = Field(default="own", max_length=8)  # own: reads only the requests it filed | all
    rate_limit: int = 600  # requests per hour
    window_start: datetime | None = Field(default=None, sa_type=UtcDateTime)
    window_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
class ConsoleLogin(SQLModel, table=True):
    """A one-time login link to the staff console (`/console` in the chat, `griddesk console link`): only the
    SHA-256 of its token is kept, so a leaked database opens no session; `used_at` refuses a replay."""

    __tablename__ = "console_login"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    staff_kind: str = Field(max_length=8)  # admin (staff_id = the admin's user id) | worker (staff_id = worker.id)
    staff_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ConsoleSession(SQLModel, table=True):
    """A signed-in console session, kept server-side so it can be ended: 退出 ends this one, 全部退出 every one of
    the person's, and a session whose person left or moved (`place` differs from what they are now) is refused.
    The cookie names it by a random nonce; only the nonce's SHA-256 is stored (`key_hash`)."""

    __tablename__ = "console_session"
    __table_args__ = (Index("ix_console_session_staff", "staff_kind", "staff_id"),
                      Index("ix_console_session_person", "channel", "user_id"))
    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(unique=True, max_length=64)
    staff_kind: str = Field(max_length=8)  # admin (staff_id = the admin's user id) | worker (staff_id = worker.id)
    staff_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    #: The person behind it (their chat account), for 全部退出 over every role they hold; None for an unbound worker.
    channel: str = channel_column()
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: What the session was opened as — role and area (`role|street|community|grid`); a change ends it.
    place: str = Field(max_length=160)
    agent: str = Field(default="", max_length=120)  # the browser's User-Agent, shortened, to tell devices apart
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_why: str | None = Field(default=None, max_length=12)  # see bot.web.console.session_table.WHY


class WebSecret(SQLModel, table=True):
    """A secret the web server made for itself (the console's session key when CONSOLE_SECRET is unset), kept so
    a restart does not sign everyone out."""

    __tablename__ = "web_secret"
    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


# The word index is kept by mapper events on `Case`: registered with the models, so no flush can miss them.
from storage import words as _words  # noqa: E402,F401
