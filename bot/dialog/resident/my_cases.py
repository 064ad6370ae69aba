"""Rating a resolved case (不满意 asks why), and joining (附议) a case the bot offered as the same problem.
/my and the other handles on a filed case are `selfserve`.
"""

from __future__ import annotations

from bot import wording as texts
from bot.cases import lifecycle
from bot.dialog.resident import filing, selfserve
from bot.dialog.turn import Turn
from bot.errors import CaseError


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
        await selfserve.ask_unsatisfied_reason(turn, case)
    else:
        turn.say(texts.RATED.format(score=texts.SCORE_NAMES.get(score, score)))
    turn.toast(texts.SCORE_NAMES.get(score, score))


async def rate_with_words(turn: Turn, case_id: int, score: str, words: str, reason: str) -> None:
    """A rating typed with why ("不满意 没人来"): 满意 / 基本满意 keep the words on the rating; 不满意 reopens the case
    and the words are its reason, told to the worker, without asking for one again."""
    svc = turn.services
    unsatisfied = score == "unsatisfied"
    try:
        case = await svc.cases.rate(case_id, turn.user_id, score, comment=None if unsatisfied else words,
                                    channel=turn.channel)
        if unsatisfied:
            await svc.cases.explain(case_id, turn.user_id, reason, words, channel=turn.channel)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])
        return
    if unsatisfied:
        turn.say(texts.RATED_REOPENED.format(number=case.number) + texts.UNSATISFIED_WORDS_NOTED)
    else:
        turn.say(texts.RATED_WITH_WORDS.format(score=texts.SCORE_NAMES.get(score, score)))
    turn.toast(texts.SCORE_NAMES.get(score, score))


async def join(turn: Turn, case_id: int) -> None:
    """附议: the resident's words (if a report was under way) go with them onto the existing case."""
    svc = turn.services
    text = turn.state.draft.text if turn.state.draft is not None else None
    try:
        case = await svc.cases.support(case_id, turn.user_id, turn.chat_id, text, channel=turn.channel)
    except CaseError as exc:
        if await _closed_since(turn, case_id):
            return
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    draft = turn.state.draft
    turn.state.reset()
    turn.say(texts.JOINED.format(number=case.number, supporters=case.supporter_count), remove_keyboard=True)
    turn.toast(texts.JOINED.format(number=case.number, supporters=case.supporter_count)[:60])
    if draft is not None:
        filing.offer_also(turn, case, draft.also, draft.address)


async def _closed_since(turn: Turn, case_id: int) -> bool:
    """附议 pressed on an offer whose case was resolved (or closed) since: with a report under way, it is filed as
    the resident's own — their problem is not solved by joining closed work. False when that is not the case."""
    case = await turn.services.cases.get_case(case_id)
    draft = turn.state.draft
    if case is None or lifecycle.allowed("support", case.state) or draft is None or not draft.text.strip():
        return False
    turn.say(texts.JOIN_CLOSED.format(number=case.number), remember_buttons=False)
    draft.duplicate_declined = True
    await filing.continue_report(turn)
    return True
