"""Compact inline-button data for case actions ("acc:42"), always under Telegram's 64-byte limit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialog.events import MAX_CALLBACK_BYTES, Button

ACCEPT = "acc"  # 接单            acc:<case id>
RESOLVE = "res"  # 办结            res:<case id>
RETURN = "ret"  # 退单            ret:<case id>
RATE = "rate"  # 满意/基本满意/不满意  rate:<case id>:s|b|u
SUPPORT = "sup"  # 附议 (join an existing case)  sup:<case id>
ASSIGN = "asg"  # dispatcher (re-)assigns  asg:<case id>:<worker id>
PROGRESS = "prg"  # 进展            prg:<case id>
ASK = "ask"  # 需要补充          ask:<case id>

ACTIONS = (ACCEPT, RESOLVE, RETURN, RATE, SUPPORT, ASSIGN, PROGRESS, ASK)
SCORE_CODES = {"s": "satisfied", "b": "basic", "u": "unsatisfied"}
SCORE_LETTERS = {v: k for k, v in SCORE_CODES.items()}


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
    if action == RATE:
        if arg not in SCORE_CODES:
            return None
        arg = SCORE_CODES[arg]
    elif action == ASSIGN:
        if not is_id(arg):
            return None
    elif arg is not None:
        return None
    return CaseCallback(action, case_id, arg)


def worker_buttons(case_id: int) -> tuple[tuple[Button, ...], ...]:
    """接单 / 办结 / 退单, and 进展 / 需要补充, for a pushed case."""
    return (
        (Button("接单", make(ACCEPT, case_id)), Button("办结", make(RESOLVE, case_id)), Button("退单", make(RETURN, case_id))),
        (Button("进展", make(PROGRESS, case_id)), Button("需要补充", make(ASK, case_id))),
    )


def rating_buttons(case_id: int) -> tuple[tuple[Button, ...], ...]:
    """满意 / 基本满意 / 不满意 after resolution."""
    return (
        (
            Button("满意", make(RATE, case_id, "s")),
            Button("基本满意", make(RATE, case_id, "b")),
            Button("不满意", make(RATE, case_id, "u")),
        ),
    )


def support_button(case_id: int, text: str = "附议此案件") -> Button:
    return Button(text, make(SUPPORT, case_id))


def assign_buttons(case_id: int, workers: list[tuple[int, str, int]], verb: str = "派给") -> tuple[tuple[Button, ...], ...]:
    """One "派给 NAME（open cases）" button per worker, two per row, for a dispatcher (re-)assigning a case."""
    buttons = [Button(f"{verb} {name[:8]}（{load}）", make(ASSIGN, case_id, wid)) for wid, name, load in workers]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
