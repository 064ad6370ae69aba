"""Emergencies: 119/120/110 first, then an urgent case (no photo asked, no duplicate offered), whatever
step the conversation was in when the danger was written.
"""

from __future__ import annotations

from typing import Any

from bot import wording as texts
from bot.dialog.resident import filing, intake
from bot.dialog.resident.common import short
from bot.dialog.state import Draft
from bot.dialog.turn import Turn

_EMERGENCY_WORDS = {
    "fire": ("火", "烟", "燃气", "煤气", "天然气", "爆炸", "烧", "被困", "困在"),
    "medical": ("受伤", "晕倒", "昏迷", "流血", "出血", "不省人事", "心脏", "摔倒", "抽搐", "没呼吸", "咬伤"),
    "police": ("打人", "打架", "斗殴", "持刀", "拿刀", "砍", "抢", "偷", "家暴", "威胁", "闹事", "砸"),
}
_EMERGENCY_INTENT = {"fire": "fire_hazard", "police": "public_order"}


def emergency_numbers(text: str) -> list[str]:
    """Which of 119/120/110 fit the words; all three when nothing says which."""
    kinds = [kind for kind, words in _EMERGENCY_WORDS.items() if any(w in text for w in words)]
    return kinds or ["fire", "medical", "police"]


async def start(turn: Turn, draft: Draft) -> None:
    """The numbers to call, then the urgent case: only the place is still asked for."""
    simplified = turn.norm.text if turn.incoming.text else turn.services.normalizer.simplify(draft.text)
    kinds = emergency_numbers(simplified)
    numbers = "、".join(texts.EMERGENCY_NUMBERS[k] for k in kinds)
    turn.say(texts.EMERGENCY_CALL.format(numbers=numbers), remember_buttons=False)
    draft.urgent = True
    draft.photo_asked = True
    draft.duplicate_declined = True
    if draft.intent is None:
        draft.intent = next((_EMERGENCY_INTENT[k] for k in kinds if k in _EMERGENCY_INTENT), None)
        if turn.services.understanding.intents.get(draft.intent) is None:
            draft.intent = None
    turn.state.draft = draft
    await filing.continue_report(turn)


async def midway(turn: Turn, draft: Draft, text: str, c: Any) -> None:
    """An emergency typed while we wait for an address or a photo: the numbers first, then its own urgent case."""
    if draft.urgent:  # already the emergency flow: add what is happening, keep asking where
        draft.text = f"{draft.text}\n{text}".strip()
        await start(turn, draft)
        return
    turn.state.reset()
    await intake.understand(turn, text, classified=c)  # the emergency numbers come first
    turn.say(texts.DRAFT_SET_ASIDE.format(text=short(draft.text, 30)), remember_buttons=False)
