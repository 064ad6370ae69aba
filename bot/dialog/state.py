"""Per-chat dialog state: where a conversation stands, kept in the database so restarts lose nothing.

The state is a small JSON document (`ChatState.to_dict`) in the `dialog_state` table; every update
loads it, the flow changes it, and it is saved before the replies leave the engine.
"""

from __future__ import annotations

import copy
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Protocol

STATE_VERSION = 1

class Step(StrEnum):
    """The steps a conversation can wait in; `bot/dialog/steps.py` says what each one does with each input,
    and `dialog.md` draws them. Saved states keep the string value, so states saved before the enum load."""

    IDLE = "idle"
    AWAIT_DESCRIPTION = "await_description"  # /report: waiting for the resident to describe the problem
    CONFIRM_CATEGORY = "confirm_category"  # unsure: resident picks a category from buttons
    CONFIRM_OUTSIDE = "confirm_outside"  # outside the desk: 12345, or file as a general request
    OFFER_FILE = "offer_file"  # a question that is also a complaint: file it?
    AWAIT_ADDRESS = "await_address"  # need an address text or a shared location
    AWAIT_PHOTO = "await_photo"  # optional photo, skip allowed
    CONFIRM_DUPLICATE = "confirm_duplicate"  # join (附议) an existing case or file a new one
    WORKER_RESOLVE_NOTE = "worker_resolve_note"  # worker: a short note for 办结
    WORKER_RESOLVE_PHOTO = "worker_resolve_photo"  # worker: optional photo for 办结
    WORKER_RETURN_REASON = "worker_return_reason"  # worker: why the case goes back (退单)
    AWAIT_SUPPLEMENT = "await_supplement"  # resident: words or photos to add to a filed case (补充)
    AWAIT_WITHDRAW_REASON = "await_withdraw_reason"  # resident: why the case is withdrawn (撤销)
    AWAIT_RATE_REASON = "await_rate_reason"  # resident: why the rating was 不满意
    AWAIT_ANSWER = "await_answer"  # resident: a question of the category (noise: when? parking: the plate?)
    WORKER_PROGRESS = "worker_progress"  # worker: a 进展 note or photo for the residents
    WORKER_ASK = "worker_ask"  # worker: a question for the filer (需要补充)


#: The worker's 办结/退单/进展/需要补充 steps: they belong to a case (`ChatState.case_id`), not to a draft.
WORKER_STEPS = frozenset({Step.WORKER_RESOLVE_NOTE, Step.WORKER_RESOLVE_PHOTO, Step.WORKER_RETURN_REASON,
                          Step.WORKER_PROGRESS, Step.WORKER_ASK})
#: The resident's steps about a filed case (self-service): they too belong to `ChatState.case_id`.
RESIDENT_CASE_STEPS = frozenset({Step.AWAIT_SUPPLEMENT, Step.AWAIT_WITHDRAW_REASON, Step.AWAIT_RATE_REASON})
CASE_STEPS = WORKER_STEPS | RESIDENT_CASE_STEPS


@dataclass(slots=True)
class Draft:
    """A report being put together; nothing is filed until every needed piece is here."""

    text: str = ""
    intent: str | None = None  # None = general request (其他诉求)
    subtype: str | None = None
    choices: list[str] = field(default_factory=list)  # category ids offered as buttons
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: list[str] = field(default_factory=list)
    urgent: bool = False
    photo_asked: bool = False
    duplicate_of: str | None = None  # case number offered for 附议
    duplicate_declined: bool = False
    address_retried: bool = False  # an address routing could not place was questioned once already
    address_tries: int = 0  # answers at the address step that gave no place (junk, "不知道", unplaceable)
    new_problem_asked: bool = False  # a correction named only the category: its description is being asked for
    no_place: bool = False  # the resident chose to file without a place: staff check it before 派单
    estate: str | None = None  # an estate named without a building it lists (or any): the next answer may be the building
    suggested: str | None = None  # the place a typo'd address most likely meant, offered ("是" takes it)
    picked: bool = False  # the resident chose the category from buttons (a labelled example for the fit)
    asked: list[str] = field(default_factory=list)  # ids of the category's questions asked (or answered by the words)
    answers: dict[str, str] = field(default_factory=dict)  # question label → the resident's answer
    also: str | None = None  # a second problem the same message named: not in this report, offered after filing

    @property
    def has_place(self) -> bool:
        return bool(self.address) or (self.latitude is not None and self.longitude is not None)


@dataclass(slots=True)
class ChatState:
    """Everything the engine remembers about one chat between updates."""

    step: Step = Step.IDLE
    script: str = "simplified"  # the script the person writes in (replies follow it; see `engine._note_script`)
    script_known: bool = False  # a message with clear evidence of a script has been seen in this chat
    script_lean: int = 0  # clear messages in a row in the other script (it switches at `SCRIPT_SWITCH_AFTER`)
    draft: Draft | None = None
    case_id: int | None = None  # worker flows: the case being resolved/returned
    offered: dict[str, str] = field(default_factory=dict)  # button label → data, so typing a label presses it
    note: str | None = None  # worker flows: the 办结 note waiting for an optional photo; 不满意: the reason chosen
    #: Right after filing: the second problem that report's message named ({"text", "address"}), offered with
    #: 接着反映这件 until the next message.
    next_report: dict[str, str] | None = None
    #: The channel's id of the newest update handled for this chat, saved with the state it produced:
    #: an update seen again (a replay after a crash, a webhook retry) is recognised and not handled twice.
    last_update_id: int | None = None
    version: int = STATE_VERSION

    def __setattr__(self, name: str, value: Any) -> None:
        # A step is always a `Step`: a mistyped name fails here, loudly, instead of resetting the chat later.
        object.__setattr__(self, name, Step(value) if name == "step" else value)

    def reset(self) -> None:
        """Back to idle, keeping what we know about the person (their script)."""
        self.step, self.draft, self.case_id, self.note, self.next_report = Step.IDLE, None, None, None, None
        self.offered = {}

    def to_dict(self) -> dict[str, Any]:
        """What `dataclasses.asdict` gives (a deep copy), built directly: asdict's generic walk was ~4% of a
        burst's CPU, and every turn copies its state twice (as loaded, and to save)."""
        data = {name: _plain(getattr(self, name)) for name in _STATE_FIELDS}
        data["step"] = self.step.value  # the plain string, as saved before steps were an enum
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ChatState:
        """Rebuild a saved state; anything unreadable (an older format, an unknown step, a hand edit) starts fresh."""
        if not data or data.get("version") != STATE_VERSION:
            return cls(script=(data or {}).get("script", "simplified"))
        try:
            raw_draft = data.get("draft")
            return cls(
                step=Step(str(data.get("step", Step.IDLE.value))),  # ValueError: a step this version does not know
                script=str(data.get("script", "simplified")),
                script_known=bool(data.get("script_known", False)),
                script_lean=_int_or_none(data.get("script_lean")) or 0,
                draft=Draft(**raw_draft) if isinstance(raw_draft, dict) else None,
                case_id=data.get("case_id"),
                note=data.get("note"),
                offered=dict(data.get("offered") or {}),
                next_report=_texts_or_none(data.get("next_report")),
                last_update_id=_int_or_none(data.get("last_update_id")),
            )
        except (TypeError, ValueError):  # start over, keeping the script the person writes in
            return cls(script=str(data.get("script", "simplified")))


_STATE_FIELDS = tuple(f.name for f in fields(ChatState))
_DRAFT_FIELDS = tuple(f.name for f in fields(Draft))
_ATOMS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """`asdict`'s copy of one field's value: drafts as dicts, containers copied, atoms as they are."""
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, Draft):
        return {name: _plain(getattr(value, name)) for name in _DRAFT_FIELDS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return copy.deepcopy(value)


def _texts_or_none(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class StateStore(Protocol):
    """Where chat states live between updates; a chat is (channel, chat id)."""

    async def load(self, chat_id: int, *, channel: str = "telegram") -> ChatState: ...

    async def save(self, chat_id: int, state: ChatState, *, channel: str = "telegram") -> None: ...

    def turn(self) -> AbstractAsyncContextManager[Any]:
        """The scope of one turn: load, work and save in it are one transaction (a no-op for stores without one)."""
        ...

    async def load_turn(self, chat_id: int, *, channel: str = "telegram", facts: dict[str, Any] | None = None,
                        person: int | None = None) -> tuple[ChatState, dict[str, bool]]:
        """The state and the value of each fact the case desk named (`CaseDesk.turn_facts`) for `person` (the
        sender's id on `channel`); a store that cannot evaluate them returns none (the engine then asks the desk
        as it goes)."""
        ...


class MemoryStateStore:
    """States in a dict: for tests of flows that do not need a database."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, int], dict[str, Any]] = {}

    async def load(self, chat_id: int, *, channel: str = "telegram") -> ChatState:
        return ChatState.from_dict(self._data.get((channel, chat_id)))

    async def save(self, chat_id: int, state: ChatState, *, channel: str = "telegram") -> None:
        self._data[(channel, chat_id)] = state.to_dict()

    def turn(self) -> AbstractAsyncContextManager[Any]:
        return nullcontext()

    async def load_turn(self, chat_id: int, *, channel: str = "telegram", facts: dict[str, Any] | None = None,
                        person: int | None = None) -> tuple[ChatState, dict[str, bool]]:
        return await self.load(chat_id, channel=channel), {}
