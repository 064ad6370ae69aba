"""The one table of the dialog: (step the chat waits in, kind of input) → handler, as PTB's
ConversationHandler(states={...}) declares it. `dialog.md` draws this table; a test checks the drawing.

What is not in the table: a step with no entry for an input handles it as `idle` does (a fresh message,
a photo, a location or a voice note out of the blue), and a step button pressed in another step is stale.
Text in a resident's step is first checked the same way whatever the step (`on_input`): nothing readable
(empty, emoji only) or over the length cap mid-report is answered and the step asked again with the draft
untouched; giving up in the resident's words ("算了算了，不投诉了") cancels like 取消. Stickers, forwarded
messages, edits and others' contact cards are answered by the engine and the step asked again
(`midway.other_content`). Buttons that
work in any step: the dialog's own in `ANY_STEP_BUTTONS` (取消, 不用了, 选择问题类别, 再试一次) and the case
buttons of `bot.cases.callbacks` (接单/办结/退单/派给/改派 in `WORKER_CASE_ACTIONS`, 进展/需要补充, rating, 附议, and
the resident's 进度/补充/催办/撤销/不满意原因 in `callbacks.RESIDENT_ACTIONS`), and the case a resident picks when
asking how their cases stand (`status.STATUS_PREFIX`). A filer's answer to a 需要补充 is taken in any step too
(`progress.answer_if_asked`, called by the engine). Commands and
shared contacts do not depend on the step (the engine handles them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from enum import StrEnum

from bot import wording as texts
from bot.cases import callbacks
from bot.dialog import progress, worker
from bot.dialog.resident import (
    category_questions,
    common,
    emergency,
    filing,
    intake,
    midway,
    my_cases,
    report,
    selfserve,
    status,
)
from bot.dialog.state import CASE_STEPS, RESIDENT_CASE_STEPS, WORKER_STEPS, ChatState, Step
from bot.dialog.turn import Turn

Handler = Callable[[Turn], Awaitable[None]]

#: Share of unreadable characters (controls, U+FFFD) above which a message counts as binary junk.
BINARY_SHARE = 0.2


class Input(StrEnum):
    """The kinds of input a step may wait for: what a person sent, or which step button they pressed."""

    TEXT = "text"
    PHOTO = "photo"
    LOCATION = "location"
    CATEGORY = "category"  # a category button (d:c:<id>)
    FILE_IT = "file_it"  # 我要反映这个问题 / 仍按一般诉求提交
    SKIP_PHOTO = "skip_photo"  # 跳过，不传照片
    FILE_NEW = "file_new"  # 另立新案
    SKIP_RESOLVE_PHOTO = "skip_resolve_photo"  # the worker's 跳过 at 办结
    ANSWER = "answer"  # a choice (or 跳过) of a category question (d:a:<i>)
    EVIDENCE = "evidence"  # a voice note or a file (kept with a report being drafted)
    NO_PLACE = "no_place"  # 先提交，由工作人员核实地点: filed without a place, after repeated tries


#: Button data → the step input it is (only these buttons depend on the step).
STEP_BUTTONS = {
    common.FILE_IT: Input.FILE_IT,
    common.SKIP_PHOTO: Input.SKIP_PHOTO,
    common.FILE_NEW: Input.FILE_NEW,
    common.NO_PLACE: Input.NO_PLACE,
    worker.SKIP_RESOLVE_PHOTO: Input.SKIP_RESOLVE_PHOTO,
}

TABLE: dict[tuple[Step, Input], Handler] = {
    (Step.IDLE, Input.TEXT): intake.fresh_text,
    (Step.IDLE, Input.PHOTO): report.photo_first,
    (Step.IDLE, Input.LOCATION): report.location_first,
    (Step.IDLE, Input.EVIDENCE): midway.evidence_help,
    (Step.AWAIT_DESCRIPTION, Input.EVIDENCE): midway.evidence,
    (Step.CONFIRM_CATEGORY, Input.EVIDENCE): midway.evidence,
    (Step.CONFIRM_OUTSIDE, Input.EVIDENCE): midway.evidence,
    (Step.OFFER_FILE, Input.EVIDENCE): midway.evidence,
    (Step.AWAIT_ADDRESS, Input.EVIDENCE): midway.evidence,
    (Step.AWAIT_PHOTO, Input.EVIDENCE): midway.evidence,
    (Step.CONFIRM_DUPLICATE, Input.EVIDENCE): midway.evidence,
    (Step.AWAIT_ANSWER, Input.EVIDENCE): midway.evidence,
    (Step.AWAIT_DESCRIPTION, Input.TEXT): report.describe,
    (Step.AWAIT_DESCRIPTION, Input.PHOTO): report.description_photo,
    (Step.CONFIRM_CATEGORY, Input.TEXT): report.category_text,
    (Step.CONFIRM_CATEGORY, Input.PHOTO): report.keep_photo,
    (Step.CONFIRM_CATEGORY, Input.CATEGORY): report.choose_category,
    (Step.CONFIRM_OUTSIDE, Input.CATEGORY): report.choose_category,
    (Step.CONFIRM_OUTSIDE, Input.FILE_IT): report.file_as_drafted,
    (Step.OFFER_FILE, Input.FILE_IT): report.file_as_drafted,
    (Step.AWAIT_ADDRESS, Input.TEXT): report.address_text,
    (Step.AWAIT_ADDRESS, Input.PHOTO): report.take_photo,
    (Step.AWAIT_ADDRESS, Input.LOCATION): report.take_location,
    (Step.AWAIT_ADDRESS, Input.NO_PLACE): report.file_without_place,
    (Step.AWAIT_PHOTO, Input.TEXT): report.photo_text,
    (Step.AWAIT_PHOTO, Input.PHOTO): report.take_photo,
    (Step.AWAIT_PHOTO, Input.LOCATION): report.take_location,
    (Step.AWAIT_PHOTO, Input.SKIP_PHOTO): report.skip_photo,
    (Step.CONFIRM_DUPLICATE, Input.TEXT): report.duplicate_text,
    (Step.CONFIRM_DUPLICATE, Input.LOCATION): report.take_location,
    (Step.CONFIRM_DUPLICATE, Input.FILE_NEW): filing.file_new,
    (Step.WORKER_RESOLVE_NOTE, Input.TEXT): worker.take_note,
    (Step.WORKER_RESOLVE_NOTE, Input.PHOTO): worker.note_photo,
    (Step.WORKER_RESOLVE_NOTE, Input.SKIP_RESOLVE_PHOTO): worker.ask_note,
    (Step.WORKER_RESOLVE_PHOTO, Input.TEXT): worker.resolve_without_photo,
    (Step.WORKER_RESOLVE_PHOTO, Input.PHOTO): worker.resolve_with_photo,
    (Step.WORKER_RESOLVE_PHOTO, Input.SKIP_RESOLVE_PHOTO): worker.resolve_without_photo,
    (Step.WORKER_RETURN_REASON, Input.TEXT): worker.take_reason,
    (Step.WORKER_RETURN_REASON, Input.PHOTO): worker.ask_reason,
    (Step.WORKER_RETURN_REASON, Input.SKIP_RESOLVE_PHOTO): worker.ask_reason,
    (Step.AWAIT_ANSWER, Input.TEXT): category_questions.answer_text,
    (Step.AWAIT_ANSWER, Input.PHOTO): category_questions.answer_photo,
    (Step.AWAIT_ANSWER, Input.LOCATION): report.take_location,
    (Step.AWAIT_ANSWER, Input.ANSWER): category_questions.answer_button,
    (Step.AWAIT_SUPPLEMENT, Input.TEXT): selfserve.supplement_text,
    (Step.AWAIT_SUPPLEMENT, Input.PHOTO): selfserve.supplement_photo,
    (Step.AWAIT_WITHDRAW_REASON, Input.TEXT): selfserve.withdraw_text,
    (Step.AWAIT_WITHDRAW_REASON, Input.PHOTO): selfserve.words_wanted,
    (Step.AWAIT_RATE_REASON, Input.TEXT): selfserve.reason_text,
    (Step.AWAIT_RATE_REASON, Input.PHOTO): selfserve.words_wanted,
    (Step.WORKER_PROGRESS, Input.TEXT): progress.take_progress,
    (Step.WORKER_PROGRESS, Input.PHOTO): progress.progress_photo,
    (Step.WORKER_ASK, Input.TEXT): progress.take_question,
    (Step.WORKER_ASK, Input.PHOTO): progress.ask_words,
}


async def _cancel(turn: Turn) -> None:
    common.cancel(turn)


#: Dialog buttons that do not depend on the step; `True` = only while a report is being drafted.
ANY_STEP_BUTTONS: dict[str, tuple[Handler, bool]] = {
    common.CANCEL: (_cancel, False),
    common.NO_THANKS: (report.no_thanks, False),
    common.RETRY: (report.retry, True),
    common.PICK: (report.pick, True),
    common.FORGET_PHONE: (selfserve.forget_phone, False),
    common.FILE_ALSO: (report.file_also, False),
}

#: Case buttons (`bot.cases.callbacks`), wherever the conversation stands.
WORKER_CASE_ACTIONS = frozenset({callbacks.ACCEPT, callbacks.RESOLVE, callbacks.RETURN, callbacks.ASSIGN})
#: 进展 / 需要补充: the words (or photo) come in a step of their own.
PROGRESS_ACTIONS = frozenset({callbacks.PROGRESS, callbacks.ASK})


#: Steps where a report is half put together: a message over the length cap is not mixed into it.
DRAFT_STEPS = frozenset({Step.CONFIRM_CATEGORY, Step.CONFIRM_OUTSIDE, Step.OFFER_FILE, Step.AWAIT_ADDRESS, Step.AWAIT_PHOTO,
                         Step.CONFIRM_DUPLICATE, Step.AWAIT_ANSWER})


def waiting_in(state: ChatState) -> Step:
    """The step the chat waits in, as far as what it needs is there: a report step without its draft, or a
    worker step without its case (a state from an older version, say), waits in nothing, i.e. `idle`."""
    step = state.step
    if step in CASE_STEPS:
        return step if state.case_id is not None else Step.IDLE
    return step if step is Step.IDLE or state.draft is not None else Step.IDLE


def handler_for(state: ChatState, kind: Input) -> Handler | None:
    """The table's handler for this input in the chat's step; the idle one for text, photos, locations and evidence."""
    step = waiting_in(state)
    found = TABLE.get((step, kind))
    if found is None and kind in (Input.TEXT, Input.PHOTO, Input.LOCATION, Input.EVIDENCE):
        found = TABLE[(Step.IDLE, kind)]
    return found


async def _danger_taken_up(turn: Turn, *, leave_step: bool = False) -> bool:
    """Danger now in the message: the emergency numbers, whatever step we are in. A message of alarm emoji only
    ("🆘", "🔥🔥🔥") keeps the step; `leave_step` drops it first — danger typed where a 撤销 reason, a 补充 or a
    不满意 reason was asked (QA6: "楼道着火了" became the 撤销 reason)."""
    raw = turn.incoming.text or ""
    c = turn.services.understanding.classifier.classify(raw)
    if c.act != "emergency":
        return False
    if leave_step:
        turn.state.reset()
    draft = turn.state.draft
    if draft is not None:
        await emergency.midway(turn, draft, raw, c)  # the draft is set aside, as for any emergency mid-report
    else:
        await intake.understand(turn, raw, classified=c)
    return True


async def on_input(turn: Turn, kind: Input) -> None:
    """Text, a photo or a location, in the light of where the conversation stands."""
    handler = handler_for(turn.state, kind)
    assert handler is not None
    step = waiting_in(turn.state)
    # Residents' steps read words; a worker's note is judged by its own length rule.
    if kind is Input.TEXT and step not in WORKER_STEPS:
        if turn.norm.empty:
            if await _danger_taken_up(turn):
                return
            if step in RESIDENT_CASE_STEPS:  # about a filed case: say what this step wants
                turn.say(texts.CASE_WORDS_EMPTY, [[common.cancel_row()]])
                return
            # mid-report the step is asked again next: "describe the problem" would contradict "which building?"
            empty = texts.EMPTY_MIDWAY if midway.drafting(turn) or step is Step.AWAIT_ANSWER else texts.EMPTY_INPUT
            turn.say(texts.BINARY_INPUT if _looks_binary(turn.incoming.text or "") else empty, remember_buttons=False)
            await midway.resume(turn)  # the step the report waits in is asked again, the draft untouched
            return
        if step in RESIDENT_CASE_STEPS and await _danger_taken_up(turn, leave_step=True):
            return
        if step in DRAFT_STEPS | {Step.AWAIT_DESCRIPTION} and midway.gives_up(turn):  # "算了算了，不投诉了": nothing filed
            midway.give_up(turn)
            return
        # "满意" / "五星" typed mid-report while a case of theirs waits for its rating (its push came in between;
        # QA6: it was read as the report's category or place): the case is rated, the report goes on.
        if (step in DRAFT_STEPS - {Step.AWAIT_ANSWER, Step.CONFIRM_DUPLICATE} | {Step.AWAIT_DESCRIPTION}
                and await intake.rating_midway(turn)):
            return
        # An answer to a category question keeps its first words (its own handler cuts it); elsewhere a
        # message over the cap is not mixed into the draft.
        if step in DRAFT_STEPS and step is not Step.AWAIT_ANSWER and midway.too_long(turn):
            await midway.resume(turn)
            return
    await handler(turn)


async def on_button(turn: Turn, data: str) -> None:
    """A pressed button (or its label typed): a step button, a case button, or a dialog button."""
    if data.startswith(common.CATEGORY_PREFIX):
        kind: Input | None = Input.CATEGORY
    else:
        kind = Input.ANSWER if data.startswith(common.ANSWER_PREFIX) else STEP_BUTTONS.get(data)
    handler = handler_for(turn.state, kind) if kind is not None else None
    if handler is not None:
        await handler(turn)
        return
    cb = callbacks.parse(data)
    if cb is not None and cb.action in WORKER_CASE_ACTIONS:
        await worker.on_case_button(turn, cb)
    elif cb is not None and cb.action in PROGRESS_ACTIONS:
        await progress.start(turn, cb)
    elif cb is not None and cb.action == callbacks.RATE and cb.arg:
        await my_cases.rate(turn, cb.case_id, cb.arg)
    elif cb is not None and cb.action == callbacks.SUPPORT:
        await my_cases.join(turn, cb.case_id)
    elif cb is not None and cb.action in callbacks.RESIDENT_ACTIONS:
        await selfserve.on_button(turn, cb)
    elif data.startswith(status.STATUS_PREFIX):
        await status.show_one(turn)
    elif data in ANY_STEP_BUTTONS and (turn.state.draft is not None or not ANY_STEP_BUTTONS[data][1]):
        await ANY_STEP_BUTTONS[data][0](turn)
    else:
        common.stale_button(turn)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co") and not ch.isspace()))
    return bad / len(text) >= BINARY_SHARE
