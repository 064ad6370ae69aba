"""The one dialog engine: `await engine.handle(incoming, then=deliver) -> list[Reply]`, for every adapter.

Each update: load the chat's state from the database, route the event (cancel anywhere → buttons →
commands → the step the chat waits in, `steps.TABLE`), save the state, convert the replies to the
person's script. Around it, once (`frame.UpdateFrame`): the chat's lock, the catch-all, one log line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.dialog import admin, steps, texts, worker
from bot.dialog.events import Button, Incoming, Reply
from bot.dialog.frame import UpdateFrame
from bot.dialog.resident import common, my_cases, report
from bot.dialog.state import StateStore
from bot.dialog.turn import Services, Turn
from bot.dialog.understanding import reading
from bot.errors import CaseError


class DialogEngine(UpdateFrame):
    """Channel-agnostic: adapters turn updates into `Incoming` and render the `Reply`s returned.

    `handle(incoming, then)` (from `UpdateFrame`) holds the chat's lock, catches what fails and logs the
    update's one line; `answer` is the dialog itself."""

    def __init__(self, services: Services, states: StateStore):
        super().__init__()
        self.services = services
        self.states = states

    async def answer(self, incoming: Incoming) -> tuple[list[Reply], dict[str, Any]]:
        state = await self.states.load(incoming.chat_id)
        if _seen_before(incoming, state.last_update_id):  # handled already: its effects and state are saved
            return [], {"state": state.step.value, "replay": True}
        if incoming.update_id is not None:
            state.last_update_id = incoming.update_id
        offered, state.offered = state.offered, {}  # buttons of the last reply; typing a label presses it
        turn = Turn(incoming=incoming, state=state, services=self.services)
        await self.services.cases.seen(turn.user_id)  # writing to us ends any "refuses the bot" mark
        self._note_script(turn)
        with reading(incoming.text, lambda: turn.norm):  # one normalisation of the message for the whole turn
            await self._route(turn, offered)
        await self.states.save(incoming.chat_id, turn.state)
        return self._render(turn), {"intent": turn.intent, "act": turn.act, "state": turn.state.step.value}

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
                await self.services.cases.save_phone(turn.user_id, inc.phone)
            except CaseError as exc:
                turn.say(texts.ACTION_REFUSED.format(reason=exc))
                return
            turn.say(texts.CONTACT_THANKS)
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
            await my_cases.show(turn)
        elif command == "bind":
            await worker.bind(turn, arg)
        elif command == "tasks":
            await worker.show_tasks(turn)
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
            extra += "\n网格员：/tasks 查看待办；推送的案件上可直接点 接单 / 办结 / 退单；/console 登录控制台网页。"
        if turn.is_admin:
            extra += "\n管理员：/stats 统计  /reload 重新加载意图和知识库  /console 登录控制台网页。"
        return extra

    # -- script -------------------------------------------------------------------------------------

    def _note_script(self, turn: Turn) -> None:
        """Follow the script of what the person writes; text with no script-specific characters keeps it."""
        text = turn.incoming.text
        if turn.incoming.kind not in ("text", "photo") or not text:
            return
        sample = text[: self.services.max_chars]
        if turn.norm.script == "traditional":
            turn.state.script = "traditional"
        elif self.services.normalizer.to_script(sample, "traditional") != sample:
            turn.state.script = "simplified"

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
            )
            for r in turn.replies
        ]


def _seen_before(incoming: Incoming, last: int | None) -> bool:
    """Telegram numbers a bot's updates in increasing order: one at or below the chat's last is a replay."""
    return incoming.update_id is not None and last is not None and incoming.update_id <= last
