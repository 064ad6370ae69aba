"""Two-way progress in chat: a worker's 进展 (a note or a photo for the filer and supporters) and 需要补充
(a question for the filer), and the filer's answer — their next text or photo, whatever step their chat is
in — which the case service attaches to the case and sends on to the assignee."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot import wording as texts
from bot.cases import callbacks
from bot.dialog.resident.common import cancel_row, plain
from bot.dialog.state import WORKER_STEPS, Step
from bot.dialog.turn import Turn
from bot.errors import CaseError

if TYPE_CHECKING:
    from bot.cases.views import CaseView, WorkerView

MIN_CHARS = 2


async def start(turn: Turn, cb: callbacks.CaseCallback) -> None:
    """进展 / 需要补充 pressed on a push or a /tasks card: the words (or photo) come next."""
    from bot.dialog import worker as worker_flow

    worker = await turn.worker()
    if worker is None:
        turn.say(texts.NOT_A_WORKER)
        return
    try:
        case = await worker_flow.owned_case(turn, cb.case_id, worker)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])
        return
    turn.state.reset()
    turn.state.case_id = case.id
    if cb.action == callbacks.PROGRESS:
        turn.state.step = Step.WORKER_PROGRESS
        turn.say(texts.ASK_PROGRESS.format(number=case.number), [[cancel_row()]])
    else:
        turn.state.step = Step.WORKER_ASK
        turn.say(texts.ASK_QUESTION.format(number=case.number), [[cancel_row()]])


async def take_progress(turn: Turn) -> None:
    """The 进展 in words."""
    note = _words(turn)
    if note is not None:
        await _send_progress(turn, note, None)


async def progress_photo(turn: Turn) -> None:
    """The 进展 as a photo (its caption, if any, goes with it)."""
    await _send_progress(turn, (turn.incoming.text or "").strip(), turn.incoming.photo_file_id)


async def _send_progress(turn: Turn, note: str, photo: str | None) -> None:
    await _to_case(turn, lambda case_id, worker: turn.services.cases.progress(case_id, worker, note[:1000], photo),
                   lambda case: texts.PROGRESS_SENT.format(number=case.number, told=1 + case.supporter_count))


async def take_question(turn: Turn) -> None:
    """需要补充: the question, in words."""
    question = _words(turn)
    if question is not None:
        await _to_case(turn, lambda case_id, worker: turn.services.cases.ask_filer(case_id, worker, question[:1000]),
                       lambda case: texts.QUESTION_SENT.format(number=case.number))


def _words(turn: Turn) -> str | None:
    """The worker's words, or None (and asked again) when they are too short to tell anyone anything."""
    words = (turn.incoming.text or "").strip()
    if len(plain(words)) < MIN_CHARS:
        turn.say(texts.NOTE_TOO_SHORT, [[cancel_row()]])
        return None
    return words


async def _to_case(turn: Turn, act: Callable[[int, WorkerView], Awaitable[CaseView]],
                   sent: Callable[[CaseView], str]) -> None:
    """进展 / 需要补充 sent to the case the step belongs to (the step ends either way); the reply says it went."""
    worker = await turn.worker()
    case_id = turn.state.case_id
    turn.state.reset()
    if worker is None or case_id is None:
        turn.say(texts.NOT_A_WORKER)
        return
    try:
        case = await act(case_id, worker)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    turn.say(sent(case))


async def ask_words(turn: Turn) -> None:
    """A photo where the question was expected: the question is words."""
    case_id = turn.state.case_id
    number = (await turn.services.cases.get_case(case_id)).number if case_id is not None else ""
    turn.say(texts.ASK_QUESTION.format(number=number), [[cancel_row()]])


async def answer_if_asked(turn: Turn) -> bool:
    """The filer's next text or photo after a 需要补充 is the answer (any step: a draft in progress stays).

    Not while the person is in a worker step of their own, and not when the words say someone is in danger
    now: that goes to the emergency flow, and the question stays open for the next message."""
    inc = turn.incoming
    if inc.kind not in ("text", "photo") or turn.state.step in WORKER_STEPS:
        return False
    if inc.kind == "text" and turn.norm.empty:
        return False
    if turn.facts.get("asked") is False:  # read with the state: no question waits, no need to look
        return False
    desk = turn.services.cases
    case = await desk.open_question(turn.user_id, channel=turn.channel)
    if case is None:
        return False
    if inc.text and turn.services.understanding.classifier.classify(inc.text).act == "emergency":
        return False
    try:
        await desk.answer(case.id, turn.user_id, (inc.text or "")[:1000], inc.photo_file_id if inc.kind == "photo" else None,
                          channel=turn.channel)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return True
    turn.say(texts.ANSWER_SENT.format(number=case.number))
    return True
