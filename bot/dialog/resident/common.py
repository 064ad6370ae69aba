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
FILE_ALSO = "d:also"  # 接着反映这件: the second problem the message of the case just filed named
NO_PLACE = "d:noplace"  # 先提交，由工作人员核实地点 (after `midway.ADDRESS_TRIES` answers with no place)
RETRY = "d:retry"
CANCEL = "d:cancel"
CATEGORY_PREFIX = "d:c:"
ANSWER_PREFIX = "d:a:"  # d:a:<index of the choice> answers the category question asked; d:a:- skips it
FORGET_PHONE = "d:forget"  # /privacy: withdraw the consent and erase the phone

CANCEL_WORDS = {"取消", "取消吧", "取消了", "算了", "不要了", "cancel", "/cancel"}
#: 取消 as residents mistype it: a pinyin IME's homophone (曲消, qu xiao) or a look-alike (取销).
_CANCEL_TYPOS = re.compile(r"曲消|取销")
#: Matched after Traditional → Simplified and without punctuation ("跳過，不傳照片" is the button label typed).
SKIP_WORDS = {"跳过", "没有", "没有照片", "没照片", "无照片", "没拍", "不用", "不用了", "无", "skip", "不传", "不传照片",
              "跳过不传照片"}
#: "No photo" in a sentence at the photo step ("没拍照片", "手机拍不了", "不方便拍", "直接提交吧"): the same as 跳过.
_NO_PHOTO = re.compile(
    r"^(?:我|这边|现在|暂时|手机)*(?:没|没有|没法|没办法|无|不想|不方便|不能|不会|不用|不要|来不及|拍不了|发不了|传不了)"
    r"(?:拍|照|发|传|上传)?(?:照片|照|图片|图|相片|拍照|了|啊|呢|哦)*$"
    r"|^(?:直接|就这样|就这么|先)(?:提交|登记|报)(?:吧|了|就行)?$|^(?:提交|登记)(?:吧|就行)$")
#: Answers that say nothing: never a worker's 办结 note or 退单 reason (the resident or the dispatcher reads it).
SAYS_NOTHING = {"好", "好的", "嗯", "嗯嗯", "确认", "确定", "收到", "ok", "是", "是的", "对", "行", "可以"}
_PUNCT = re.compile(r"[\s,.!?;:,。!?;:、~…]+")


def plain(text: str) -> str:
    """Text without spaces and punctuation, for matching one-word answers like "取消" or "跳过"."""
    return _PUNCT.sub("", text).lower()


def is_skip(turn: Turn) -> bool:
    """The message says "no photo" in one word or two ("跳过", "沒有", the button's label typed)."""
    return plain(turn.norm.text) in SKIP_WORDS


def says_no_photo(turn: Turn) -> bool:
    """At the photo step: "no photo" in a word ("跳过", `is_skip`) or a short sentence ("没拍照片", "直接提交吧")."""
    text = plain(turn.norm.text)
    return text in SKIP_WORDS or (len(text) <= 12 and _NO_PHOTO.search(text) is not None)


def says_nothing(turn: Turn) -> bool:
    """A skip or a bare acknowledgement ("跳过", "没有", "好的"): no words to pass on."""
    return is_skip(turn) or plain(turn.norm.text) in SAYS_NOTHING


def is_cancel(text: str | None) -> bool:
    return text is not None and _CANCEL_TYPOS.sub("取消", plain(text)) in CANCEL_WORDS


def cancel_row() -> tuple[str, str]:
    return (texts.BTN_CANCEL, CANCEL)


def photo_buttons() -> list[list[tuple[str, str]]]:
    """The photo step's keyboard: skip the photo, or cancel the report."""
    return [[(texts.BTN_SKIP_PHOTO, SKIP_PHOTO), cancel_row()]]


#: 取消 in a step about a filed case: the case itself goes on ("已取消，刚才的内容不会提交" after 不撤销了 read as if
#: the case had been withdrawn).
_LEFT_CASE_STEP = {Step.AWAIT_WITHDRAW_REASON: texts.WITHDRAW_KEPT, Step.AWAIT_SUPPLEMENT: texts.SUPPLEMENT_LEFT,
                   Step.AWAIT_RATE_REASON: texts.RATE_REASON_LEFT}


def cancel(turn: Turn) -> None:
    step = turn.state.step
    turn.state.reset()
    said = texts.NOTHING_TO_CANCEL if step is Step.IDLE else _LEFT_CASE_STEP.get(step, texts.CANCELLED)
    turn.say(said, remove_keyboard=True)


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
