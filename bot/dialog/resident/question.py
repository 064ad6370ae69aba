"""Questions: answered from the knowledge base (with its source), and when the question names a problem
the desk handles, the resident is offered to file it (the `offer_file` step).
"""

from __future__ import annotations

import re
from typing import Any

from bot import wording as texts
from bot.dialog.resident.common import FILE_IT, NO_THANKS
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn
from bot.kb.asks import asks_elsewhere

#: A short message that asks ("…吗？", "能不能…", "多少…", "几个人…"): answered from the knowledge base when it knows.
QUESTION = re.compile(
    r"[吗嘛呢][?？!！。，,]|[吗嘛]$|[?？]|能不能|可不可以|可以.{0,10}[吗么]|是否|怎么办|怎么处理|如何|几点|算不算"
    r"|有没有规定|(?<![好这那十前过])几(?:个|天|年|次|户|层|岁)|多久|多长时间|(?<![好很])多少(?!次)|最多|最少|要不要"
    r"|需不需要|归谁管|谁管|哪个部门|找谁|怎么(?:认定|算|收|办理|申请|规定)|会怎么?样(?!了)")
QUESTION_MAX_CHARS = 80


def is_question(text: str) -> bool:
    """Shaped like a question; `text` in Simplified (the turn's normalised text, or `Normalizer.simplify`)."""
    return len(text) <= QUESTION_MAX_CHARS and QUESTION.search(text.strip()) is not None


def confident_answer(turn: Turn, text: str) -> Any | None:
    """The knowledge base's answer to a question-shaped message when it has a confident one, else None."""
    if not is_question(turn.services.normalizer.simplify(text)):
        return None
    kb = turn.services.understanding.kb
    answer = kb.answer(text) if kb is not None else None
    return answer if answer is not None and answer.answer else None


def known_answer(turn: Turn, text: str, c: Any) -> Any | None:
    """The knowledge base's answer when a report-worded message really asks — whether it names a category
    ("加装电梯要多少业主同意", "电动车能在楼道充电吗") or an outside topic ("出租房一个房间最多能住几个人") —
    and the knowledge base is sure; None otherwise (the message stays what it was read as). A report dressed as a
    question ("…能不能管管", `Classification.asks_action`, decided in bot/nlu) asks the desk to act: never answered."""
    if c.act not in ("report", "chat") or c.asks_action:
        return None
    return confident_answer(turn, text)


def asks_the_market(turn: Turn, text: str) -> bool:
    """A question about shops, prices of goods, opening hours or events ("灭火器哪里有卖？", "电动车电池多少钱"):
    it shares a category's words, yet neither a report nor an offer to file one answers it."""
    simple = turn.services.normalizer.simplify(text)
    return is_question(simple) and asks_elsewhere(simple) is not None


def say_answer(turn: Turn, found: Any) -> None:
    """The answer, with its source when the text does not name it already, in the chat's script."""
    simplify = turn.services.normalizer.simplify
    body = found.answer
    # Compared in Simplified: a Traditional question gets a Traditional answer, the source is stored Simplified.
    if found.source and simplify(found.source) not in simplify(body):
        body = texts.KB_ANSWER.format(answer=body, source=found.source)
    turn.say(turn.in_script(body))  # the chat's script, whatever this one question's characters say


def names_kind(turn: Turn, c: Any, kind: str) -> bool:
    """Any word of an intent of this kind scored, even one too weak to decide on ("周末可以装修吗" has 装修)."""
    intents = turn.services.understanding.intents
    return any(s > 0 and (i := intents.get(k)) is not None and i.kind == kind for k, s in (c.scores or {}).items())


async def answer(turn: Turn, draft: Draft, text: str, c: Any, found: Any = None) -> None:
    """Say the answer (and where it comes from); offer to file when the question is also a complaint."""
    kb = turn.services.understanding.kb
    if kb is None:
        turn.say(texts.KB_NOT_READY)
    else:
        found = found if found is not None else kb.answer(text)
        if found.answer:
            say_answer(turn, found)
        else:
            turn.say(texts.KB_NO_ANSWER)
            if asks_the_market(turn, text):
                return  # offering to file a 消防隐患 for "电动车电池多少钱" would answer nobody
    if c.intent is not None:
        turn.state.draft = draft
        turn.state.step = Step.OFFER_FILE
        name = turn.services.understanding.category_name(c.intent)
        turn.say(texts.OFFER_FILE.format(category=name), [[(texts.BTN_FILE_IT, FILE_IT), (texts.BTN_NO_THANKS, NO_THANKS)]])
