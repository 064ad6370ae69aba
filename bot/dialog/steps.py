"""The one table of the dialog: (step the chat waits in, kind of input) → handler, as PTB's
ConversationHandler(states={...}) declares it. `dialog.md` draws this table; a test checks the drawing.

What is not in the table: a step with no entry for an input handles it as `idle` does (a fresh message,
a photo or a location out of the blue), and a step button pressed in another step is stale. Buttons that
work in any step: the dialog's own in `ANY_STEP_BUTTONS` (取消, 不用了, 选择问题类别, 再试一次) and the case
buttons of `bot.cases.callbacks` (接单/办结/退单/派给/改派 in `WORKER_CASE_ACTIONS`, 进展/需要补充, rating, 附议).
A filer's answer to a 需要补充 is taken in any step too (`progress.answer_if_asked`, called by the engine). Commands and
shared contacts do not depend on the step (the engine handles them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from enum import StrEnum

from bot.cases import callbacks
from bot.dialog import progress, texts, worker
from bot.dialog.resident import common, filing, intake, my_cases, report
from bot.dialog.state import WORKER_STEPS, ChatState, Step
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


#: Button data → the step input it is (only these buttons depend on the step).
STEP_BUTTONS = {
    common.FILE_IT: Input.FILE_IT,
    common.SKIP_PHOTO: Input.SKIP_PHOTO,
    common.FILE_NEW: Input.FILE_NEW,
    worker.SKIP_RESOLVE_PHOTO: Input.SKIP_RESOLVE_PHOTO,
}

TABLE: dict[tuple[Step, Input], Handler] = {
    (Step.IDLE, Input.TEXT): intake.fresh_text,
    (Step.IDLE, Input.PHOTO): report.photo_first,
    (Step.IDLE, Input.LOCATION): report.location_first,
    (Step.AWAIT_DESCRIPTION, Input.TEXT): report.describe,
    (Step.AWAIT_DESCRIPTION, Input.PHOTO): report.description_photo,
    (Step.CONFIRM_CATEGORY, Input.PHOTO): report.keep_photo,
    (Step.CONFIRM_CATEGORY, Input.CATEGORY): report.choose_category,
    (Step.CONFIRM_OUTSIDE, Input.CATEGORY): report.choose_category,
    (Step.CONFIRM_OUTSIDE, Input.FILE_IT): report.file_as_drafted,
    (Step.OFFER_FILE, Input.FILE_IT): report.file_as_drafted,
    (Step.AWAIT_ADDRESS, Input.TEXT): report.address_text,
    (Step.AWAIT_ADDRESS, Input.PHOTO): report.take_photo,
    (Step.AWAIT_ADDRESS, Input.LOCATION): report.take_location,
    (Step.AWAIT_PHOTO, Input.TEXT): report.photo_text,
    (Step.AWAIT_PHOTO, Input.PHOTO): report.take_photo,
    (Step.AWAIT_PHOTO, Input.LOCATION): report.take_location,
    (Step.AWAIT_PHOTO, Input.SKIP_PHOTO): report.skip_photo,
    (Step.CONFIRM_DUPLICATE, Input.LOCATION): report.take_location,
    (Step.CONFIRM_DUPLICATE, Input.FILE_NEW): filing.file_new,
    (Step.WORKER_RESOLVE_NOTE, Input.TEXT): worker.take_note,
    (Step.WORKER_RESOLVE_NOTE, Input.PHOTO): worker.ask_note,
    (Step.WORKER_RESOLVE_NOTE, Input.SKIP_RESOLVE_PHOTO): worker.ask_note,
    (Step.WORKER_RESOLVE_PHOTO, Input.TEXT): worker.resolve_without_photo,
    (Step.WORKER_RESOLVE_PHOTO, Input.PHOTO): worker.resolve_with_photo,
    (Step.WORKER_RESOLVE_PHOTO, Input.SKIP_RESOLVE_PHOTO): worker.resolve_without_photo,
    (Step.WORKER_RETURN_REASON, Input.TEXT): worker.take_reason,
    (Step.WORKER_RETURN_REASON, Input.PHOTO): worker.ask_reason,
    (Step.WORKER_RETURN_REASON, Input.SKIP_RESOLVE_PHOTO): worker.ask_reason,
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
}

#: Case buttons (`bot.cases.callbacks`), wherever the conversation stands.
WORKER_CASE_ACTIONS = frozenset({callbacks.ACCEPT, callbacks.RESOLVE, callbacks.RETURN, callbacks.ASSIGN})
#: 进展 / 需要补充: the words (or photo) come in a step of their own.
PROGRESS_ACTIONS = frozenset({callbacks.PROGRESS, callbacks.ASK})


def waiting_in(state: ChatState) -> Step:
    """The step the chat waits in, as far as what it needs is there: a report step without its draft, or a
    worker step without its case (a state from an older version, say), waits in nothing, i.e. `idle`."""
    step = state.step
    if step in WORKER_STEPS:
        return step if state.case_id is not None else Step.IDLE
    return step if step is Step.IDLE or state.draft is not None else Step.IDLE


def handler_for(state: ChatState, kind: Input) -> Handler | None:
    """The table's handler for this input in the chat's step; the idle one for text, photos and locations."""
    step = waiting_in(state)
    found = TABLE.get((step, kind))
    if found is None and kind in (Input.TEXT, Input.PHOTO, Input.LOCATION):
        found = TABLE[(Step.IDLE, kind)]
    return found


async def on_input(turn: Turn, kind: Input) -> None:
    """Text, a photo or a location, in the light of where the conversation stands."""
    handler = handler_for(turn.state, kind)
    assert handler is not None
    # Residents' steps read words; a worker's note is judged by its own length rule.
    if kind is Input.TEXT and waiting_in(turn.state) not in WORKER_STEPS and turn.norm.empty:
        turn.say(texts.BINARY_INPUT if _looks_binary(turn.incoming.text or "") else texts.EMPTY_INPUT)
        return
    await handler(turn)


async def on_button(turn: Turn, data: str) -> None:
    """A pressed button (or its label typed): a step button, a case button, or a dialog button."""
    kind = Input.CATEGORY if data.startswith(common.CATEGORY_PREFIX) else STEP_BUTTONS.get(data)
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
    elif data in ANY_STEP_BUTTONS and (turn.state.draft is not None or not ANY_STEP_BUTTONS[data][1]):
        await ANY_STEP_BUTTONS[data][0](turn)
    else:
        common.stale_button(turn)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co") and not ch.isspace()))
    return bad / len(text) >= BINARY_SHARE
