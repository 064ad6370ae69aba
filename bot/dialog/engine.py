"""The one dialog engine: `await engine.handle(incoming, then=deliver) -> list[Reply]`, for every adapter.

Each update, in one transaction: load the chat's state from the database, route the event (cancel anywhere → buttons →
commands → the step the chat waits in, `steps.TABLE`), save the state, convert the replies to the
person's script. Around it, once (`frame.UpdateFrame`): the chat's lock, the catch-all, one log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot import wording as texts
from bot.dialog import admin, dispatch, progress, steps, worker
from bot.dialog.frame import SharedLock, UpdateFrame
from bot.dialog.resident import common, midway, report, selfserve
from bot.dialog.state import CASE_STEPS, ChatState, StateStore, Step
from bot.dialog.turn import Services, Turn
from bot.dialog.understanding import reading
from bot.errors import CaseError
from bot.messages import OUTBOX_ID, Button, Incoming, Reply
from storage.engine import is_storage_failure

#: Chats whose state waits in memory for the database to come back (a bound, not an expectation).
MAX_UNSAVED = 10_000

#: Clear messages in a row in the other script before a chat's replies switch script (the first one sets it).
SCRIPT_SWITCH_AFTER = 2

#: What the engine answers to content it does not read (the draft, if any, stays as it was).
_NOTICES = {"sticker": texts.STICKER_HELP, "forwarded": texts.FORWARDED_HELP, "edited": texts.EDITED_NOTICE,
            "foreign_contact": texts.FOREIGN_CONTACT_NOTICE}


class DialogEngine(UpdateFrame):
    """Channel-agnostic: adapters turn updates into `Incoming` and render the `Reply`s returned.

    `handle(incoming, then)` (from `UpdateFrame`) holds the chat's lock, catches what fails and logs the
    update's one line; `answer` is the dialog itself."""

    def __init__(self, services: Services, states: StateStore, *, shared_lock: SharedLock | None = None):
        super().__init__(shared_lock)
        self.services = services
        self.states = states
        #: States the database could not take (a storage failure): kept here and preferred until saved.
        self._unsaved: dict[tuple[str, int], dict[str, Any]] = {}  # by (channel, chat id)

    async def answer(self, incoming: Incoming) -> tuple[list[Reply], dict[str, Any]]:
        """One turn in one transaction (`StateStore.turn`): load the state, do the work, save — all or nothing.

        A storage failure rolls the whole turn back; the reply then says only what is true (`_recover`)."""
        chat = (incoming.channel, incoming.chat_id)  # chat ids are per channel
        progress = _Progress()
        try:
            async with self.states.turn() as scope:
                progress.scope = scope
                result = await self._work(incoming, progress)
            if progress.turn is not None:
                self._unsaved.pop(chat, None)
            return result
        except Exception as exc:
            if not is_storage_failure(exc):
                raise
            failure: Exception = exc
        if progress.turn is None:  # the state could not even be read
            kept = self._unsaved.get(chat)
            if kept is None:
                raise failure
            progress = _Progress()  # answer from the kept state, each call of the flow on its own (as it can)
            try:
                return await self._work(incoming, progress, kept=ChatState.from_dict(kept))
            except Exception as exc:
                if not is_storage_failure(exc) or progress.turn is None:
                    raise
                failure = exc
        return await self._recover(chat, progress, failure)

    async def _work(self, incoming: Incoming, progress: _Progress, *,
                    kept: ChatState | None = None) -> tuple[list[Reply], dict[str, Any]]:
        chat = (incoming.channel, incoming.chat_id)
        facts: dict[str, bool] = {}
        if kept is None:
            state, facts = await self.states.load_turn(incoming.chat_id, channel=incoming.channel,
                                                       facts=self.services.cases.turn_facts(),
                                                       person=incoming.sender.user_id)
            unsaved = self._unsaved.get(chat)
            if unsaved is not None:  # a state the database could not take last time: newer than the saved one
                state = ChatState.from_dict(unsaved)
        else:
            state = kept
        if _seen_before(incoming, state.last_update_id):  # handled already: its effects and state are saved
            progress.turn = Turn(incoming=incoming, state=state, services=self.services)
            return [], {"state": state.step.value, "replay": True}
        if incoming.update_id is not None:
            state.last_update_id = incoming.update_id
        offered, state.offered = state.offered, {}  # buttons of the last reply; typing a label presses it
        progress.before = state.to_dict()
        turn = progress.turn = Turn(incoming=incoming, state=state, services=self.services, facts=facts)
        said = progress.said
        # writing to us ends any "refuses the bot" mark (nothing to do, and no statement, when not marked)
        try:
            await self.services.cases.seen(turn.user_id, channel=turn.channel, refused=facts.get("refused"))
        except Exception as exc:  # a mark that can wait: the turn itself may still work
            if not is_storage_failure(exc):
                raise
            said["storage"] = f"seen: {type(exc).__name__}"
        self._note_script(turn)
        with reading(incoming.text, lambda: turn.norm):  # one normalisation of the message for the whole turn
            await self._route(turn, offered)
        progress.saving = True
        progress.flow_writes = progress.scope.writes if progress.scope is not None else 0
        await self.states.save(incoming.chat_id, turn.state, channel=incoming.channel)
        return self._render(turn), {"intent": turn.intent, "act": turn.act, "state": turn.state.step.value, **said}

    async def _recover(self, chat: tuple[str, int], progress: _Progress,
                       failure: Exception) -> tuple[list[Reply], dict[str, Any]]:
        """After a storage failure: if only the state could not be saved, what the flow said holds and the state
        waits in memory; else the flow's work did not happen (the turn rolled back), so say only that."""
        turn = progress.turn
        assert turn is not None
        said = progress.said
        if progress.saving and not progress.flow_writes:
            said["storage"] = said.get("storage") or f"state not saved: {type(failure).__name__}"
            self._keep_unsaved(chat, turn.state)
        else:
            said["storage"] = f"{type(failure).__name__}: {str(failure)[:200]}"
            self._storage_failed(turn, progress.before, committed=progress.scope is None)
            try:
                await self.states.save(turn.chat_id, turn.state, channel=turn.channel)
                self._unsaved.pop(chat, None)
            except Exception as exc:
                if not is_storage_failure(exc):
                    raise
                self._keep_unsaved(chat, turn.state)
        return self._render(turn), {"intent": turn.intent, "act": turn.act, "state": turn.state.step.value, **said}

    def _storage_failed(self, turn: Turn, before: dict[str, Any], *, committed: bool) -> None:
        """The database failed mid-turn: what the flow had said may not hold, so only what is true is said —
        unless, outside a turn's transaction (`committed`), a case was filed (its receipt is in the outbox: that
        part did happen). The draft is kept."""
        if committed and any(OUTBOX_ID in r.extra for r in turn.replies):
            return
        if turn.state.draft is None and before.get("draft") is not None:
            turn.state = ChatState.from_dict(before)  # the flow had set the draft aside before it failed
        turn.replies = []
        turn.say(texts.STORAGE_FAILED_DRAFT if turn.state.draft is not None else texts.STORAGE_FAILED,
                 remember_buttons=False)

    def _keep_unsaved(self, chat: tuple[str, int], state: ChatState) -> None:
        """Hold the state in memory until the database takes it again (oldest dropped past the bound)."""
        self._unsaved.pop(chat, None)
        self._unsaved[chat] = state.to_dict()
        while len(self._unsaved) > MAX_UNSAVED:
            self._unsaved.pop(next(iter(self._unsaved)))

    # -- routing ------------------------------------------------------------------------------------

    async def _route(self, turn: Turn, offered: dict[str, str]) -> None:
        inc = turn.incoming
        text = inc.text
        if (inc.kind == "command" and inc.command == "cancel") or (inc.kind == "text" and common.is_cancel(text)):
            common.cancel(turn)
            return
        label = (text or "").strip()
        if inc.kind == "text" and label in offered:
            inc = replace(inc, kind="button", payload=offered[label])
            turn.incoming = inc
        if inc.kind in ("text", "photo") and await progress.answer_if_asked(turn):
            return  # the filer's answer to a worker's 需要补充, whatever step the chat is in
        if inc.kind == "button":
            await steps.on_button(turn, inc.payload or "")
        elif inc.kind == "command":
            await self._command(turn, (inc.command or "").lower(), (inc.text or "").strip())
        elif inc.kind == "text":
            await steps.on_input(turn, steps.Input.TEXT)
        elif inc.kind == "location" and inc.latitude is not None and inc.longitude is not None:
            await steps.on_input(turn, steps.Input.LOCATION)
        elif inc.kind == "photo" and inc.photo_file_id:
            await steps.on_input(turn, steps.Input.PHOTO)
        elif inc.kind == "contact" and inc.phone:
            try:
                await self.services.cases.save_phone(turn.user_id, inc.phone, channel=turn.channel)
            except CaseError as exc:
                turn.say(texts.ACTION_REFUSED.format(reason=exc))
                return
            turn.say(texts.CONTACT_THANKS)
        elif inc.kind in ("voice", "file", "sticker") and turn.state.step in CASE_STEPS:
            _media_in_case_step(turn)
        elif inc.kind in ("voice", "file"):
            await steps.on_input(turn, steps.Input.EVIDENCE)
        elif inc.kind in _NOTICES:
            await midway.other_content(turn, _NOTICES[inc.kind])
        else:
            turn.say(texts.UNSUPPORTED_EVENT)

    async def _command(self, turn: Turn, command: str, arg: str) -> None:
        if command == "start":
            if arg.startswith("bind_"):
                await worker.bind(turn, arg[len("bind_"):])
                return
            common.set_aside(turn)
            turn.say(texts.WELCOME + await self._role_help(turn), remove_keyboard=True)
        elif command == "help":
            turn.say(texts.HELP + await self._role_help(turn))
        elif command == "report":
            await report.start_report(turn, arg)
        elif command == "my":
            await selfserve.show_my(turn)
        elif command == "privacy":
            await selfserve.privacy(turn)
        elif command == "bind":
            await worker.bind(turn, arg)
        elif command == "tasks":
            await worker.show_tasks(turn)
        elif command == "case":
            await dispatch.show_case(turn, arg)
        elif command == "stats":
            await admin.stats(turn)
        elif command == "reload":
            await admin.reload(turn)
        elif command == "console":
            await admin.console(turn)
        else:
            turn.say(texts.UNKNOWN_COMMAND.format(command=command[:30] or "?"))

    async def _role_help(self, turn: Turn) -> str:
        extra = ""
        if await turn.worker() is not None:
            extra += texts.HELP_WORKER  # progress, questions to residents, and 改派 for dispatchers
            if dispatch.dispatches(await turn.worker(), turn.is_admin):
                extra += texts.HELP_DISPATCHER
        if turn.is_admin:
            extra += texts.HELP_ADMIN
        return extra

    # -- script -------------------------------------------------------------------------------------

    def _note_script(self, turn: Turn) -> None:
        """Follow the script the person writes in, judged on characters of one script only (place names and shared
        characters like 里 never flip it; a message without clear evidence counts for nothing). The first clear
        message sets it; after that it changes only after `SCRIPT_SWITCH_AFTER` clear messages in a row in the
        other script — one Traditional line (a pasted notice, a phone's keyboard) does not flip a chat."""
        text = turn.incoming.text
        if turn.incoming.kind not in ("text", "command", "photo", "file") or not text:  # a forward is someone else's
            return
        state = turn.state
        verdict = self.services.normalizer.clear_script(text[: self.services.max_chars])  # evidence counted once
        if verdict is None:
            return
        if not state.script_known or verdict == state.script:
            state.script, state.script_known, state.script_lean = verdict, True, 0
            return
        state.script_lean += 1
        if state.script_lean >= SCRIPT_SWITCH_AFTER:
            state.script, state.script_lean = verdict, 0

    def _render(self, turn: Turn) -> list[Reply]:
        script = turn.state.script
        if script != "traditional":
            return turn.replies
        conv = self.services.normalizer.to_script
        return [
            replace(
                r, text=conv(r.text, "traditional"),
                buttons=tuple(tuple(Button(conv(b.text, "traditional"), b.data) for b in row) for row in r.buttons),
                callback_answer=conv(r.callback_answer, "traditional") if r.callback_answer else r.callback_answer,
                extra={k: conv(v, "traditional") if k in texts.WORDED_EXTRAS else v for k, v in r.extra.items()},
            )
            for r in turn.replies
        ]


@dataclass(slots=True)
class _Progress:
    """How far a turn got, for `_recover`: its `Turn` once the state is read, the state as loaded, whether
    it was saving, and how many statements had written before the save (the flow's own work)."""

    scope: Any = None  # the store's turn scope (`storage.engine.TurnScope`), None outside a turn
    turn: Turn | None = None
    before: dict[str, Any] = field(default_factory=dict)
    said: dict[str, Any] = field(default_factory=dict)
    saving: bool = False
    flow_writes: int = 0


def _media_in_case_step(turn: Turn) -> None:
    """Voice, a file or a sticker where a step about a case waits for words (or the 办结 photo): said so, the step
    stays with its buttons."""
    if turn.state.step is Step.WORKER_RESOLVE_PHOTO:
        turn.say(texts.RESOLVE_PHOTO_MEDIA,
                 [[(texts.BTN_SKIP_RESOLVE_PHOTO, worker.SKIP_RESOLVE_PHOTO), common.cancel_row()]])
        return
    turn.say(texts.CASE_MEDIA_NOT_HERE, [[common.cancel_row()]])


def _seen_before(incoming: Incoming, last: int | None) -> bool:
    """Telegram numbers a bot's updates in increasing order: one at or below the chat's last is a replay."""
    return incoming.update_id is not None and last is not None and incoming.update_id <= last
