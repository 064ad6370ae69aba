"""What a resident says right after a case was filed that is about that case, not a new report: "地址说错了 是梨园小区5栋"
corrects the place of the case just filed. It is added to that case as a 补充 (the lifecycle's `supplement` row: the
holder, else the queue, is told; a case filed without a place is routed by it, as `locate` does), and the resident
is told so — it was read as a new report with no problem in it and got the category picker (QA). The place becomes
the case's address, and its holder reads the new and the old one first (QA5). "地址说错了" alone: the right place is
asked for, and the next words are that 补充 (a correction, when they name a place or a building).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import wording as texts
from bot.cases import callbacks
from bot.cases.views import CaseView, aware
from bot.dialog.resident.common import cancel_row
from bot.dialog.resident.midway import corrected_place, corrects_place
from bot.dialog.state import Step
from bot.dialog.turn import Turn
from bot.errors import CaseError

#: `ChatState.note` while the right place of a case is asked for ("地址说错了" alone): the answer is its place.
PLACE_ASKED = "place"
#: How long after filing a correction is taken as one of that case (later, the resident's words are read afresh).
RIGHT_AFTER = timedelta(hours=2)


async def place_correction(turn: Turn) -> bool:
    """A correction naming a place, sent soon after the resident filed a case that is still open: added to that
    case as a 补充 and said so (True); False when the words are not that (they are read as usual)."""
    text = turn.incoming.text or ""
    if not corrects_place(turn.norm.text):
        return False
    case = await _just_filed(turn)
    if case is None:
        return False
    place = await corrected_place(turn, case.address, text)  # "不是3栋是5栋": the building of the case's estate
    if place is None and not corrects_place(turn.norm.text, says_place=True):
        return False
    if place is None:  # "地址说错了" alone: the right place is asked for, and the next words are the 补充
        turn.state.reset()
        turn.state.step, turn.state.case_id, turn.state.note = Step.AWAIT_SUPPLEMENT, case.id, PLACE_ASKED
        turn.say(texts.ASK_PLACE_AFTER_FILING.format(number=case.number), [[cancel_row()]])
        return True
    return await correct_place(turn, case, text, place)


async def correct_place(turn: Turn, case: CaseView, text: str, place: str) -> bool:
    """The 补充 that corrects `case`'s place to `place` (its address, and what its holder reads first), said so;
    False when the case moved on meanwhile (the words are then read as usual)."""
    try:
        updated = await turn.services.cases.supplement(case.id, turn.user_id, text.strip(), None, place=place,
                                                       channel=turn.channel)
    except CaseError:
        return False
    head = texts.PLACE_CORRECTED_AFTER_FILING.format(number=case.number, address=place)
    if updated.told:
        tail = texts.PLACE_CORRECTION_ROUTED.format(told=updated.told)
    elif updated.told == "":
        tail = texts.PLACE_CORRECTION_KEPT
    else:
        tail = texts.PLACE_CORRECTION_TOLD
    turn.say(head + tail, callbacks.self_service_buttons(case.id, own=True), remember_buttons=False)
    return True


async def _just_filed(turn: Turn) -> CaseView | None:
    """The resident's newest own case, if it is open and was filed within `RIGHT_AFTER`."""
    cases = await turn.services.cases.resident_cases(turn.user_id, limit=3, channel=turn.channel)
    own = [c for c in cases if (c.resident_channel, c.resident_external_id) == (turn.channel, turn.user_id)]
    if not own:
        return None
    newest = max(own, key=lambda c: aware(c.created_at))
    if not newest.is_open or datetime.now(UTC) - aware(newest.created_at) > RIGHT_AFTER:
        return None
    return newest

