"""What every resident module (and the worker's note steps) share: the dialog's own button data, one-word
answers ("取消", "跳过"), and leaving a conversation (cancel, set aside).

Kept apart so the topic modules (report, emergency, question, my cases) import it without importing each other.
"""

from __future__ import annotations

import re

from bot import wording as texts
from bot.dialog.state import Step
from bot.dialog.turn import Turn

OTHER = "other"  # the category id of a general request (其他诉求)

# Dialog-internal button data (case actions use bot.cases.callbacks).
PICK = "d:pick"
SKIP_PHOTO = "d:skip"
FILE_IT = "d:file"
NO_THANKS = "d:no"
FILE_NEW = "d:new"
NO_PLACE = "d:noplace"  # 先提交，由工作人员核实地点 (after `midway.ADDRESS_TRIES` answers with no place)
RETRY = "d:retry"
CANCEL = "d:cancel"
CATEGORY_PREFIX = "d:c:"
ANSWER_PREFIX = "d:a:"  # d:a:<index of the choice> answers the category question asked; d:a:- skips it
FORGET_PHONE = "d:forget"  # /privacy: withdraw the consent and erase the phone

CANCEL_WORDS = {"取消", "取消吧", "取消了", "算了", "不要了", "cancel", "/cancel"}
#: Matched after Traditional → Simplified and without punctuation ("跳過，不傳照片" is the button label typed).
SKIP_WORDS = {"跳过", "没有", "没有照片", "没照片", "无照片", "没拍", "不用", "不用了", "无", "skip", "不传", "不传照片",
              "跳过不传照片"}
_PUNCT = re.compile(r"[\s,.!?;:,。!?;:、~…]+")


def plain(text: str) -> str:
    """Text without spaces and punctuation, for matching one-word answers like "取消" or "跳过"."""
    return _PUNCT.sub("", text).lower()


def is_skip(turn: Turn) -> bool:
    """The message says "no photo" in one word or two ("跳过", "沒有", the button's label typed)."""
    return plain(turn.norm.text) in SKIP_WORDS


def is_cancel(text: str | None) -> bool:
    return text is not None and plain(text) in CANCEL_WORDS


def cancel_row() -> tuple[str, str]:
    return (texts.BTN_CANCEL, CANCEL)


def cancel(turn: Turn) -> None:
    busy = turn.state.step is not Step.IDLE
    turn.state.reset()
    turn.say(texts.CANCELLED if busy else texts.NOTHING_TO_CANCEL, remove_keyboard=True)


def set_aside(turn: Turn) -> None:
    """Back to idle; a report that was being put together is named, so it is not dropped without a word."""
    draft = turn.state.draft
    if draft is not None and draft.text.strip() and turn.state.step is not Step.IDLE:
        turn.say(texts.DRAFT_SET_ASIDE.format(text=short(draft.text, 30)), remember_buttons=False)
    turn.state.reset()


def stale_button(turn: Turn) -> None:
    """A button from an earlier step (or an older message): say so, in the chat and on the button."""
    turn.say(texts.STALE_BUTTON)
    turn.toast(texts.STALE_BUTTON)


def short(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
