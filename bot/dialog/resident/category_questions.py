"""The category's questions (intent file `questions:`, `bot/nlu/questions.py`) while a report is drafted:
each is asked once, only when the resident's words do not already say it; the answers go on the case
(label → words) for the worker. A choice button, typed words, or 跳过 answer it; the report goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import wording as texts
from bot.dialog.resident.common import ANSWER_PREFIX, cancel_row, is_skip
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn
from bot.nlu.questions import MAX_ANSWER

if TYPE_CHECKING:
    from bot.nlu.questions import Question

SKIP = ANSWER_PREFIX + "-"


def _questions(turn: Turn, draft: Draft) -> tuple[Question, ...]:
    intents = getattr(turn.services.understanding, "intents", None)
    intent = intents.get(draft.intent) if intents is not None and draft.intent else None
    return tuple(getattr(intent, "questions", ()) or ())


def ask_next(turn: Turn, draft: Draft) -> bool:
    """Ask the next question the report's words leave open; False when none is left (the report goes on)."""
    simplified = turn.services.normalizer.simplify(draft.text or "")
    for question in _questions(turn, draft):
        if question.id in draft.asked:
            continue
        draft.asked.append(question.id)
        if question.answered_in(simplified):
            continue  # said already ("每天晚上十一点"): never asked again
        _ask(turn, question)
        return True
    return False


def ask_current(turn: Turn, draft: Draft) -> None:
    """The question the chat waits on, asked again (after input that was no answer; the draft stays)."""
    question = current(turn, draft)
    if question is not None:
        _ask(turn, question)


def _ask(turn: Turn, question: Question) -> None:
    turn.state.step = Step.AWAIT_ANSWER
    choices = [(choice, f"{ANSWER_PREFIX}{i}") for i, choice in enumerate(question.choices)]
    rows = [choices[i:i + 3] for i in range(0, len(choices), 3)]
    turn.say(question.ask, [*rows, [(texts.BTN_SKIP_QUESTION, SKIP), cancel_row()]], remove_keyboard=True)


def current(turn: Turn, draft: Draft) -> Question | None:
    """The question the chat waits on: the last one asked."""
    asked = draft.asked[-1] if draft.asked else None
    return next((q for q in _questions(turn, draft) if q.id == asked), None)


def done_asking(turn: Turn, draft: Draft) -> None:
    """The resident wants to get on ("跳过", "没有照片", a photo): no more questions — nor the photo prompt after
    a typed skip (a photo can still be added later with 补充)."""
    draft.asked = [*draft.asked, *(q.id for q in _questions(turn, draft) if q.id not in draft.asked)]


async def answer_text(turn: Turn) -> None:
    """Typed words answer the question; a typed skip ("跳过", "跳過，不傳照片") ends the questions and the photo
    prompt, so a resident who just wants it filed is not asked again. Then the report goes on."""
    draft = turn.state.draft
    assert draft is not None
    question = current(turn, draft)
    words = (turn.incoming.text or "").strip()
    if is_skip(turn):
        done_asking(turn, draft)
        draft.photo_asked = True
    elif await _not_an_answer(turn, draft, question, words):
        return
    elif question is not None:
        draft.answers[question.label] = words[:MAX_ANSWER]
        if len(words) > MAX_ANSWER:
            turn.say(texts.ANSWER_CUT.format(limit=MAX_ANSWER), remember_buttons=False)
    await _go_on(turn)


async def _not_an_answer(turn: Turn, draft: Draft, question: Question | None, words: str) -> bool:
    """Words that are not an answer, handled as the photo step handles them: danger first, a corrected place
    (the question is asked again), a new problem (this report is filed as it stands, then the new one)."""
    from bot.dialog.resident import emergency, filing, midway
    from bot.dialog.resident.report import another_problem

    c = turn.services.understanding.classifier.classify(words)
    if c.act == "emergency":
        await emergency.midway(turn, draft, words, c)
        return True
    if await midway.correct_category(turn, draft, words, c) or await midway.answer_question(turn, words, c):
        return True  # "不对，不是停车，是…" / a question the knowledge base is sure of: the question is asked again
    place = await turn.services.cases.place_known(words)
    simplify = turn.services.normalizer.simplify
    if place is not None and (not draft.address or simplify(place) not in simplify(draft.address)):
        draft.address, draft.latitude, draft.longitude = place, None, None
        if question is not None and draft.asked:
            draft.asked.pop()  # asked again below
        turn.say(texts.ADDRESS_CORRECTED.format(address=place), remember_buttons=False)
        if not ask_next(turn, draft):
            await filing.continue_report(turn)
        return True
    return await another_problem(turn, draft, words, c)


async def answer_button(turn: Turn) -> None:
    """A choice button (d:a:<i>) or 跳过 (d:a:-)."""
    draft = turn.state.draft
    assert draft is not None
    question = current(turn, draft)
    code = (turn.incoming.payload or "")[len(ANSWER_PREFIX):]
    if question is not None and code.isdigit() and int(code) < len(question.choices):
        draft.answers[question.label] = question.choices[int(code)]
    await _go_on(turn)


async def answer_photo(turn: Turn) -> None:
    """A photo at a question: kept as the report's photo, and the questions end (the resident is getting on)."""
    draft = turn.state.draft
    assert draft is not None
    done_asking(turn, draft)
    if turn.incoming.photo_file_id:
        draft.photos.append(turn.incoming.photo_file_id)
        turn.say(texts.PHOTO_RECEIVED, remember_buttons=False)
    await _go_on(turn)


async def _go_on(turn: Turn) -> None:
    from bot.dialog.resident.filing import continue_report  # filing asks us; we hand back to it

    await continue_report(turn)
