"""Compact inline-button data for case actions ("acc:42"), always under Telegram's 64-byte limit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import MAX_CALLBACK_BYTES, Button
from bot.wording import buttons as labels
from bot.wording.names import SCORE_NAMES

ACCEPT = "acc"  # 接单            acc:<case id>
RESOLVE = "res"  # 办结            res:<case id>
RETURN = "ret"  # 退单            ret:<case id>
RATE = "rate"  # 满意/基本满意/不满意  rate:<case id>:s|b|u
SUPPORT = "sup"  # 附议 (join an existing case)  sup:<case id>
ASSIGN = "asg"  # dispatcher (re-)assigns  asg:<case id>:<worker id>
PROGRESS = "prg"  # 进展            prg:<case id>
ASK = "ask"  # 需要补充          ask:<case id>
# The resident's self-service on /my and under notices (bot/dialog/resident/selfserve.py).
TIMELINE = "tl"  # 进度            tl:<case id>
SUPPLEMENT = "add"  # 补充          add:<case id>
URGE = "urg"  # 催办               urg:<case id>
WITHDRAW = "wd"  # 撤销 (asks why)  wd:<case id>
WITHDRAW_WHY = "wdr"  # 撤销 with a chosen reason  wdr:<case id>:<letter of WITHDRAW_CODES>
UNSATISFIED_WHY = "why"  # why 不满意  why:<case id>:<letter of REASON_CODES>

ACTIONS = (ACCEPT, RESOLVE, RETURN, RATE, SUPPORT, ASSIGN, PROGRESS, ASK, TIMELINE, SUPPLEMENT, URGE, WITHDRAW,
           WITHDRAW_WHY, UNSATISFIED_WHY)
RESIDENT_ACTIONS = frozenset({TIMELINE, SUPPLEMENT, URGE, WITHDRAW, WITHDRAW_WHY, UNSATISFIED_WHY})
SCORE_CODES = {"s": "satisfied", "b": "basic", "u": "unsatisfied"}
SCORE_LETTERS = {v: k for k, v in SCORE_CODES.items()}
#: Letters of `bot.cases.views.UNSATISFIED_REASONS` and of the 撤销 reasons (`WITHDRAW_REASONS`).
REASON_CODES = {"u": "unsolved", "s": "slow", "a": "attitude", "m": "mismatch", "o": "other"}
WITHDRAW_CODES = {"s": "solved", "d": "duplicate", "m": "mistake", "o": "other"}
_ARG_CODES = {RATE: SCORE_CODES, UNSATISFIED_WHY: REASON_CODES, WITHDRAW_WHY: WITHDRAW_CODES}


@dataclass(frozen=True, slots=True)
class CaseCallback:
    """A parsed case button: `arg` is the score for RATE ('satisfied'…) or the worker id for ASSIGN."""

    action: str
    case_id: int
    arg: str | None = None


def make(action: str, case_id: int, arg: str | int | None = None) -> str:
    data = f"{action}:{case_id}" if arg is None else f"{action}:{case_id}:{arg}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:  # cannot happen with int ids; guard anyway
        raise ValueError(f"callback data too long: {data!r}")
    return data


def is_id(text: str | None, max_digits: int = 12) -> bool:
    """True for 1–`max_digits` ASCII digits: what `make` writes and `int()` surely accepts.

    `str.isdigit()` alone is not enough: it is True for "²" and "①", which `int()` refuses (a forged
    `acc:²` raised ValueError), and for other scripts' digits, which no button of ours carries.
    """
    return text is not None and 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def parse(data: str | None) -> CaseCallback | None:
    """Parse button data made by this module; None for anything else (other buttons, junk, tampering)."""
    if not data or len(data) > MAX_CALLBACK_BYTES:
        return None
    parts = data.split(":")
    if len(parts) not in (2, 3) or parts[0] not in ACTIONS or not is_id(parts[1]):
        return None
    action, case_id = parts[0], int(parts[1])
    arg = parts[2] if len(parts) == 3 else None
    if action in _ARG_CODES:
        if arg not in _ARG_CODES[action]:
            return None
        arg = _ARG_CODES[action][arg]
    elif action == ASSIGN:
        if not is_id(arg):
            return None
    elif arg is not None:
        return None
    return CaseCallback(action, case_id, arg)


def worker_buttons(case_id: int, state: str | None = None) -> tuple[tuple[Button, ...], ...]:
    """接单 / 办结 / 退单, and 进展 / 需要补充, for a pushed case; once it is accepted (`state`), no 接单 (QA: a 居民补充
    push on an accepted case offered 接单, which only refused)."""
    accept = () if state == "accepted" else (Button(labels.BTN_ACCEPT, make(ACCEPT, case_id)),)
    return (
        (*accept, Button(labels.BTN_RESOLVE, make(RESOLVE, case_id)), Button(labels.BTN_RETURN, make(RETURN, case_id))),
        (Button(labels.BTN_PROGRESS, make(PROGRESS, case_id)), Button(labels.BTN_ASK, make(ASK, case_id))),
    )


def rating_buttons(case_id: int) -> tuple[tuple[Button, ...], ...]:
    """满意 / 基本满意 / 不满意 after resolution."""
    return (
        (
            Button(SCORE_NAMES["satisfied"], make(RATE, case_id, "s")),
            Button(SCORE_NAMES["basic"], make(RATE, case_id, "b")),
            Button(SCORE_NAMES["unsatisfied"], make(RATE, case_id, "u")),
        ),
    )


def support_button(case_id: int, text: str = labels.BTN_SUPPORT_CASE) -> Button:
    return Button(text, make(SUPPORT, case_id))


def assign_buttons(case_id: int, workers: list[tuple[int, str, int]],
                   verb: str = labels.BTN_ASSIGN) -> tuple[tuple[Button, ...], ...]:
    """One "派给 NAME（open cases）" button per worker, two per row, for a dispatcher (re-)assigning a case."""
    buttons = [Button(labels.BTN_ASSIGN_TO.format(verb=verb, name=name[:8], load=load), make(ASSIGN, case_id, wid))
               for wid, name, load in workers]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def self_service_buttons(case_id: int, *, own: bool) -> tuple[tuple[Button, ...], ...]:
    """进度 for anyone following an open case; 补充 / 催办 / 撤销 too for the resident who filed it."""
    progress = Button(labels.BTN_TIMELINE, make(TIMELINE, case_id))
    if not own:
        return ((progress,),)
    return ((progress, Button(labels.BTN_SUPPLEMENT, make(SUPPLEMENT, case_id)), Button(labels.BTN_URGE, make(URGE, case_id)),
             Button(labels.BTN_WITHDRAW, make(WITHDRAW, case_id))),)


def reason_buttons(case_id: int, names: dict[str, str]) -> tuple[tuple[Button, ...], ...]:
    """One button per reason of 不满意, two per row (`names`: reason code → its words)."""
    letters = {v: k for k, v in REASON_CODES.items()}
    buttons = [Button(name, make(UNSATISFIED_WHY, case_id, letters[code])) for code, name in names.items()]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def withdraw_buttons(case_id: int, names: dict[str, str]) -> tuple[tuple[Button, ...], ...]:
    """One button per reason to withdraw (撤销), two per row (`names`: reason code → its words)."""
    letters = {v: k for k, v in WITHDRAW_CODES.items()}
    buttons = [Button(name, make(WITHDRAW_WHY, case_id, letters[code])) for code, name in names.items()]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
