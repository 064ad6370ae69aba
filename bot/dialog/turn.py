"""One update being handled: the event, the chat's state, the replies so far, and the engine's services.

Flows (resident, worker, admin) receive a `Turn` and only call `say`; the engine converts the
replies to the person's script and saves the state once the flow is done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import channels
from bot import wording as texts
from bot.dialog.state import ChatState
from bot.messages import CONTACT_BUTTON, OUTBOX_ID, Button, Incoming, Reply

if TYPE_CHECKING:
    from bot.cases.views import WorkerView
    from bot.dialog.ports import CaseDesk
    from bot.dialog.understanding import Understanding
    from bot.nlu.normalize import NormalizedText, Normalizer

#: Buttons are (label, data) pairs or ready `Button`s; one inner sequence per keyboard row.
Rows = Sequence[Sequence[Button | tuple[str, str]]]


@dataclass(slots=True)
class Services:
    """What flows may use; built once by `bot.services` and shared by every turn."""

    understanding: Understanding
    cases: CaseDesk
    normalizer: Normalizer
    admin_ids: frozenset[int] = frozenset()
    max_chars: int = 2000
    timezone: str = "Asia/Shanghai"  # how deadlines are shown to workers
    #: A one-time staff console login link for this chat user (None: not staff); unset when there is no console.
    console_link: Callable[..., Awaitable[str | None]] | None = None  # (user id, channel=)
    console_link_minutes: float = 10.0


@dataclass(slots=True)
class Turn:
    incoming: Incoming
    state: ChatState
    services: Services
    replies: list[Reply] = field(default_factory=list)
    intent: str | None = None  # for the log line
    act: str | None = None
    #: What the case desk told the turn with its state (`CaseDesk.turn_facts`); a fact not there is unknown.
    facts: dict[str, bool] = field(default_factory=dict)
    _worker: Any = None
    _worker_loaded: bool = False
    _norm: NormalizedText | None = None

    @property
    def chat_id(self) -> int:
        return self.incoming.chat_id

    @property
    def user_id(self) -> int:
        """The person's id on their channel (`channel`): who they are is the pair."""
        return self.incoming.sender.user_id

    @property
    def channel(self) -> str:
        return self.incoming.channel

    @property
    def is_admin(self) -> bool:
        return channels.is_admin(self.channel, self.user_id, self.services.admin_ids)

    @property
    def norm(self) -> NormalizedText:
        """The message's text (or caption, or command argument) normalised once for the whole turn: the engine,
        the flows, the classifier and the knowledge base all read this one (see `understanding.reading`)."""
        if self._norm is None:
            self._norm = self.services.normalizer.normalize(self.incoming.text or "")
        return self._norm

    async def worker(self) -> WorkerView | None:
        """The bound worker writing, if any (looked up once per turn)."""
        if not self._worker_loaded:
            if self.facts.get("works") is False:  # read with the state: nobody bound writes, no need to look
                self._worker = None
            else:
                self._worker = await self.services.cases.worker_by_external_id(self.user_id, channel=self.channel)
            self._worker_loaded = True
        return self._worker

    def say(self, text: str, buttons: Rows = (), *, request_location: bool = False, remove_keyboard: bool = False,
            photo_file_id: str | None = None, remember_buttons: bool = True, outbox_id: int | None = None,
            request_contact: str | None = None) -> None:
        """Queue a reply; its buttons' labels are remembered so typing a label works like pressing it.

        `outbox_id`: the same message also waits in the outbox (a receipt); whoever sends this reply
        marks that row sent (`OUTBOX_ID` in `Reply.extra`), so it goes out exactly once when all is well.
        `request_contact`: the label of a keyboard button that shares the person's own phone (the consent).
        """
        rows = tuple(tuple(b if isinstance(b, Button) else Button(b[0], b[1]) for b in row) for row in buttons)
        if remember_buttons and rows:
            self.state.offered = {b.text: b.data for row in rows for b in row}
        extra = {OUTBOX_ID: str(outbox_id)} if outbox_id is not None else {}
        if request_contact:
            extra[CONTACT_BUTTON] = self.in_script(request_contact)
        if request_location:  # the adapter's button and hint are wording too: converted like the text
            extra.update(location_button=texts.LOCATION_BUTTON, location_hint=texts.LOCATION_HINT)
        self.replies.append(Reply(
            chat_id=self.chat_id, text=text, buttons=rows, request_location=request_location,
            remove_keyboard=remove_keyboard, photo_file_id=photo_file_id, extra=extra,
        ))

    def in_script(self, text: str) -> str:
        """`text` in the script this person writes in (what the engine does to replies, for messages sent later;
        a Traditional text, such as a knowledge-base answer, comes back Simplified for a Simplified chat)."""
        return self.services.normalizer.to_script(text, "traditional" if self.state.script == "traditional" else "simplified")

    def toast(self, text: str) -> None:
        """Answer the pressed button with a short notice (Telegram shows it as a toast)."""
        if self.incoming.callback_id is None and self.incoming.kind != "button":
            return
        if self.replies:
            last = self.replies[-1]
            self.replies[-1] = Reply(**{**_fields(last), "callback_answer": text})
        else:  # never an empty message: the notice is the message
            self.replies.append(Reply(chat_id=self.chat_id, text=text, callback_answer=text))


def rows_of(buttons: Iterable[Button | tuple[str, str]], per_row: int) -> list[list[Button | tuple[str, str]]]:
    items = list(buttons)
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


def _fields(reply: Reply) -> dict[str, Any]:
    return {name: getattr(reply, name) for name in reply.__dataclass_fields__}
