"""A resident's own cases: /my (with the rating buttons of resolved ones), rating, and joining (附议)
a case the bot offered as the same problem.
"""

from __future__ import annotations

from bot.cases import callbacks
from bot.dialog import texts
from bot.dialog.resident.common import OTHER, short
from bot.dialog.turn import Turn
from bot.errors import CaseError


async def show(turn: Turn) -> None:
    """/my: the resident's recent cases, reported or joined; resolved ones of their own ask for a rating."""
    svc = turn.services
    cases = await svc.cases.resident_cases(turn.user_id, channel=turn.channel)
    me = (turn.channel, turn.user_id)
    if not cases:
        turn.say(texts.MY_NONE)
        return
    lines = [texts.MY_HEADER.format(count=len(cases))]
    rate_rows = []
    for case in cases:
        filed = (case.resident_channel, case.resident_external_id) == me
        extra = texts.MY_SUPPORTED if not filed else ""
        if case.assignee_name and case.state in ("assigned", "accepted"):
            extra += f"（{case.grid_name or ''} {case.assignee_name}）"
        lines.append(texts.MY_LINE.format(
            number=case.number, category=svc.understanding.category_name(case.intent if case.intent != OTHER else None),
            state=texts.STATE_NAMES.get(case.state, case.state), extra=extra, text=short(case.text),
        ))
        if case.state == "resolved" and filed:
            rate_rows.append(case)
    turn.say("\n".join(lines), remember_buttons=False)
    for case in rate_rows[:3]:
        turn.say(texts.RATE_ASK.format(number=case.number), callbacks.rating_buttons(case.id))


async def rate(turn: Turn, case_id: int, score: str) -> None:
    svc = turn.services
    try:
        case = await svc.cases.rate(case_id, turn.user_id, score, channel=turn.channel)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])
        return
    if score == "unsatisfied":
        turn.say(texts.RATED_REOPENED.format(number=case.number))
    else:
        turn.say(texts.RATED.format(score=texts.SCORE_NAMES.get(score, score)))
    turn.toast(texts.SCORE_NAMES.get(score, score))


async def join(turn: Turn, case_id: int) -> None:
    """附议: the resident's words (if a report was under way) go with them onto the existing case."""
    svc = turn.services
    text = turn.state.draft.text if turn.state.draft is not None else None
    try:
        case = await svc.cases.support(case_id, turn.user_id, turn.chat_id, text, channel=turn.channel)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    turn.state.reset()
    turn.say(texts.JOINED.format(number=case.number, supporters=case.supporter_count), remove_keyboard=True)
    turn.toast(texts.JOINED.format(number=case.number, supporters=case.supporter_count)[:60])
