"""The resident's handles on a filed case, on `/my` and under every notice: 进度 (the dated timeline),
补充 (words or photos; the assignee is told), 催办 (once per deadline), 撤销 with a reason, why a rating
was 不满意 — and `/privacy` (what is stored; withdraw the phone).

The buttons carry only a case id (`bot.cases.callbacks`); the case service decides whether this person may
act on that case in its state now, so a button from an old message gets the service's refusal in words.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import wording as texts
from bot.cases import callbacks, lifecycle
from bot.cases.privacy import mask
from bot.cases.selfservice import MAX_SUPPLEMENT
from bot.cases.views import CaseView
from bot.dialog.resident import after_filing, midway
from bot.dialog.resident.common import FORGET_PHONE, OTHER, cancel_row, set_aside, short
from bot.dialog.state import Step
from bot.dialog.turn import Turn
from bot.errors import CaseError, NotFound, NotYours
from bot.wording.names import UNSATISFIED_REASONS, WITHDRAW_REASONS

#: Cards with buttons on /my; older cases are listed in one line each.
MY_CARDS = 5
#: `ChatState.note` at the 撤销 prompt once 其他原因 was pressed: the next words are the reason.
TYPING = "[typing]"


async def show_my(turn: Turn) -> None:
    """/my: one card per recent case with what the resident can do on it; a neighbour's words stay masked."""
    svc = turn.services
    cases = await svc.cases.resident_cases(turn.user_id, channel=turn.channel)
    if not cases:
        turn.say(texts.MY_NONE)
        return
    turn.say(texts.MY_HEADER.format(count=len(cases)), remember_buttons=False)
    for case in cases[:MY_CARDS]:
        turn.say(my_line(turn, case), card_buttons(turn, case), remember_buttons=False)
    if len(cases) > MY_CARDS:
        older = "\n".join(my_line(turn, c) for c in cases[MY_CARDS:])
        turn.say(texts.MY_MORE.format(count=len(cases) - MY_CARDS, lines=older), remember_buttons=False)


def _own(turn: Turn, case: CaseView) -> bool:
    """This chat's person filed the case (ids compared within their channel)."""
    return (case.resident_channel, case.resident_external_id) == (turn.channel, turn.user_id)


def my_line(turn: Turn, case: CaseView) -> str:
    own = _own(turn, case)
    extra = "" if own else texts.MY_SUPPORTED
    if case.assignee_name and case.state in ("assigned", "accepted"):
        extra += texts.MY_HELD_BY.format(grid=case.grid_name or "", name=case.assignee_name)
    return texts.MY_LINE.format(number=case.number, category=_category(turn, case),
                                state=texts.state_in_chat(case.state), extra=extra,
                                text=short(case.text if own else mask(case.text)))


def card_buttons(turn: Turn, case: CaseView) -> tuple[tuple[tuple[str, str], ...], ...]:
    own = _own(turn, case)
    progress = tuple((b.text, b.data) for b in callbacks.self_service_buttons(case.id, own=False)[0])
    if own and case.state == "resolved":
        return (*((b.text, b.data) for b in callbacks.rating_buttons(case.id)[0]),), progress
    if own and case.is_open:
        return (tuple((b.text, b.data) for b in callbacks.self_service_buttons(case.id, own=True)[0]),)
    return (progress,)


async def on_button(turn: Turn, cb: callbacks.CaseCallback) -> None:
    """进度 / 补充 / 催办 / 撤销 (and its reasons) / why 不满意, pressed on /my or under a notice."""
    desk = turn.services.cases
    try:
        if cb.action == callbacks.TIMELINE:
            await _timeline(turn, cb.case_id)
        elif cb.action == callbacks.URGE:
            case = await desk.urge(cb.case_id, turn.user_id, channel=turn.channel)
            said = texts.URGED_KEPT if case.told == "" else texts.URGED  # not "已提醒处理人员" when nobody could be
            turn.say(said.format(number=case.number, deadline=_local(turn, case.deadline_at)))
            turn.toast(lifecycle.TRANSITIONS["urge"].name)
        elif cb.action == callbacks.SUPPLEMENT:
            case = await _own_open(turn, cb.case_id, "supplement")
            _enter(turn, Step.AWAIT_SUPPLEMENT, case)
            turn.say(texts.ASK_SUPPLEMENT.format(number=case.number), [[cancel_row()]])
        elif cb.action == callbacks.WITHDRAW:
            case = await _own_open(turn, cb.case_id, "cancel")
            _enter(turn, Step.AWAIT_WITHDRAW_REASON, case)
            rows = callbacks.withdraw_buttons(case.id, WITHDRAW_REASONS)
            turn.say(texts.ASK_WITHDRAW.format(number=case.number), (*rows, ((texts.BTN_NOT_WITHDRAW, cancel_row()[1]),)))
        elif cb.action == callbacks.WITHDRAW_WHY and cb.arg:
            st = turn.state
            typed = st.note if st.step is Step.AWAIT_WITHDRAW_REASON and st.case_id == cb.case_id else None
            if cb.arg == "other" and typed not in (None, TYPING):
                await _withdraw(turn, cb.case_id, typed or "")  # 确认撤销 of the reason typed before
            elif cb.arg == "other":
                case = await _own_open(turn, cb.case_id, "cancel")
                _enter(turn, Step.AWAIT_WITHDRAW_REASON, case)
                turn.state.note = TYPING
                turn.say(texts.WITHDRAW_TYPE_REASON, [[cancel_row()]])
            else:
                await _withdraw(turn, cb.case_id, WITHDRAW_REASONS[cb.arg])
        elif cb.action == callbacks.UNSATISFIED_WHY and cb.arg:
            await _reason(turn, cb.case_id, cb.arg)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])


#: 催办 / 补充 / 撤销 typed instead of pressed (QA: they got the greeting): the words, and the button they mean.
_TYPED_ACTIONS = {
    **dict.fromkeys(("催办", "催一下", "催催", "快点处理", "能快点处理吗", "能不能快点处理"), callbacks.URGE),
    **dict.fromkeys(("补充", "补充一下", "我要补充", "补充情况"), callbacks.SUPPLEMENT),
    **dict.fromkeys(("撤销", "撤销投诉", "我要撤销", "我要撤销投诉", "撤回投诉"), callbacks.WITHDRAW),
}


#: Giving up a case just filed, in words ("我不想报了", "算了不报了", "取消刚才那个"; QA6: they got the greeting): 撤销,
#: confirmed with a reason as ever. Read only when the resident is not in the middle of something (a draft's
#: "算了" cancels the draft).
_GIVE_UP_FILED = re.compile(
    r"^(?:算了|那|哎)?[\s,，]*(?:我|那我)?(?:还是)?(?:不想|不要|不用|不)(?:再)?(?:报|投诉|反映|举报|登记)了?(?:吧|啊|了)?$"
    r"|^(?:我要|我想|帮我)?(?:取消|撤销|撤回|撤掉)(?:一下)?(?:刚才|刚刚|之前|上次|我)?(?:的|那个|那件|报的那个)?(?:的)?"
    r"(?:投诉|反映|诉求|案件|举报|报的)?(?:吧|了)?$"
    r"|^(?:已经)?不用(?:来|处理|管|修)了(?:吧|啊)?$")
#: 补充 and the words in one message ("补充一下 灯是3楼的"; QA6: it got the category picker): added to the case.
_SUPPLEMENT_WITH_WORDS = re.compile(
    r"^(?:我要|我想|我再|再)?补充(?:一下|两句|一句|说明|情况)?[\s,，。.:：;；!！、]+(?P<words>\S.*)$", re.S)
#: 催办 at the end of a short complaint ("怎么还没人来 催办", "快点 催一下"; QA6: it got the status card).
_URGE_AT_END = re.compile(r"(?:催办|催一下|催催)(?:一下)?(?:吧|啊|了)?$|^(?:帮我|麻烦)?(?:催办|催一下|催催)")
URGE_MAX_CHARS = 20
#: At the 撤销 prompt, a yes ("是的", "确定", "撤销"): the reason is still wanted (QA6: "是的" became the reason).
_WITHDRAW_YES = frozenset({"是", "是的", "对", "对的", "确定", "确认", "嗯", "嗯嗯", "好", "好的", "撤销", "撤销吧", "确定撤销",
                           "要撤销", "撤", "ok", "行", "可以"})
#: "撤销，已经有人清理了": the withdraw word and the reason in one message (QA: it got the category picker).
_WITHDRAW_WITH_REASON = re.compile(
    r"^(?:我要|我想|帮我)?(?:撤销|撤回|撤銷)(?:投诉|投訴|反映|案件|诉求|訴求)?(?:吧|了)?[\s,，。.:：;；!！、]+(?P<why>.{2,})$")


async def typed_action(turn: Turn, typed: str) -> bool:
    """A self-service word typed (in Simplified, without end punctuation): done on the resident's one open case
    as if its button was pressed; with several open, /my lets them pick. False when the words are not one of
    these or nothing of theirs is open (the message is then read as usual)."""
    action = _TYPED_ACTIONS.get(typed)
    raw = (turn.incoming.text or "").strip()
    with_reason = _WITHDRAW_WITH_REASON.match(raw) if action is None else None
    more = _SUPPLEMENT_WITH_WORDS.match(raw) if action is None and with_reason is None else None
    if with_reason is not None or (action is None and _GIVE_UP_FILED.match(typed)):
        action = callbacks.WITHDRAW
    elif more is not None:
        action = callbacks.SUPPLEMENT
    elif action is None and len(typed) <= URGE_MAX_CHARS and _URGE_AT_END.search(typed):
        action = callbacks.URGE
    if action is None:
        return False
    mine = [k for k in await turn.services.cases.resident_cases(turn.user_id, channel=turn.channel) if _own(turn, k)]
    cases = [k for k in mine if k.is_open]
    if not cases:
        return _resolved_already(turn, [k for k in mine if k.state == "resolved"])
    numbered = [k for k in cases if k.number in raw]  # "20261202-0001 催办": that one
    if numbered:
        cases = numbered[:1]
    if len(cases) > 1:  # "装修那个催一下": the one case of the kind the words name (QA6: /my was shown)
        cases = _named_by(turn, cases, more.group("words") if more is not None else raw)
    if len(cases) > 1:
        await show_my(turn)
    elif with_reason is not None:  # the reason came with it: confirmed as one typed at the 撤销 prompt
        try:
            _enter(turn, Step.AWAIT_WITHDRAW_REASON, await _own_open(turn, cases[0].id, "cancel"))
        except CaseError as exc:
            turn.say(texts.ACTION_REFUSED.format(reason=exc))
            return True
        _confirm_withdraw(turn, cases[0].id, with_reason.group("why").strip()[:MAX_SUPPLEMENT])
    elif more is not None:  # the words came with it: added at once, as typed after the 补充 prompt
        try:
            _enter(turn, Step.AWAIT_SUPPLEMENT, await _own_open(turn, cases[0].id, "supplement"))
        except CaseError as exc:
            turn.say(texts.ACTION_REFUSED.format(reason=exc))
            return True
        await _supplement(turn, more.group("words").strip(), None)
    else:
        await on_button(turn, callbacks.CaseCallback(action, cases[0].id))
    return True


def _named_by(turn: Turn, cases: list[CaseView], words: str) -> list[CaseView]:
    """The one case whose category the words speak of most ("装修那个" → the noise case, even on a weak score),
    else all of them."""
    scores = turn.services.understanding.classifier.classify(words).scores or {}
    ranked = sorted(((scores.get(k.intent or "", 0.0), i) for i, k in enumerate(cases)), reverse=True)
    if not ranked or ranked[0][0] <= 0 or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return cases
    return [cases[ranked[0][1]]]


def _resolved_already(turn: Turn, resolved: list[CaseView]) -> bool:
    """催办 / 补充 / 撤销 typed when the case is 办结 and waits for the rating (QA6: 撤销 got the greeting): the case
    is named, with the rating buttons — 不满意 sends it back. False when nothing of theirs waits for a rating."""
    if not resolved:
        return False
    case = resolved[0]
    turn.say(texts.RATE_STILL_THERE.format(number=case.number),
             (tuple((b.text, b.data) for b in callbacks.rating_buttons(case.id)[0]),))
    return True


async def ask_unsatisfied_reason(turn: Turn, case: CaseView) -> None:
    """After 不满意: the reasons as buttons, or words; what the resident says goes to the worker."""
    _enter(turn, Step.AWAIT_RATE_REASON, case)
    turn.say(texts.ASK_UNSATISFIED_WHY, (*callbacks.reason_buttons(case.id, UNSATISFIED_REASONS), (cancel_row(),)))


# -- the steps (bot/dialog/steps.py) ------------------------------------------------------------------


async def supplement_text(turn: Turn) -> None:
    words = (turn.incoming.text or "").strip()
    if turn.state.note == after_filing.PLACE_ASKED and await _place_answer(turn, words):
        return
    await _supplement(turn, words, None)


async def _place_answer(turn: Turn, words: str) -> bool:
    """The answer to "which place, then?" after "地址说错了": a place corrects the case's address, as it does said
    at once (QA5: it was a plain 补充, the card kept the old address). False: no place — a 补充 as usual."""
    case = await turn.services.cases.get_case(turn.state.case_id or 0)
    place = await midway.corrected_place(turn, case.address, words) if case is not None else None
    if case is None or place is None:
        return False
    turn.state.reset()
    return await after_filing.correct_place(turn, case, words, place)


async def supplement_photo(turn: Turn) -> None:
    await _supplement(turn, (turn.incoming.text or "").strip(), turn.incoming.photo_file_id)


async def withdraw_text(turn: Turn) -> None:
    """Words at the 撤销 prompt: after 其他原因 they are the reason; typed straight away they are confirmed first
    (撤销 cannot be undone, and a resident back days later with a new problem must not withdraw the old one)."""
    words, case_id = _words(turn), turn.state.case_id or 0
    typed = turn.norm.text.strip(" \t。.!！?？~～，,")
    other = _TYPED_ACTIONS.get(typed)
    if other in (callbacks.URGE, callbacks.SUPPLEMENT):  # "催办" at the prompt: not withdrawn, that instead
        turn.state.reset()
        turn.say(texts.WITHDRAW_LEFT_FOR, remember_buttons=False)
        await on_button(turn, callbacks.CaseCallback(other, case_id))
        return
    if not words or turn.state.note == TYPING:
        await _withdraw(turn, case_id, words)
        return
    if typed in _WITHDRAW_YES and turn.state.note is not None:  # "是的" to "确定撤销吗？": the reason shown is it
        await _withdraw(turn, case_id, turn.state.note)
        return
    if typed in _WITHDRAW_YES:  # a yes is no reason: the reasons once more
        rows = callbacks.withdraw_buttons(case_id, WITHDRAW_REASONS)
        turn.say(texts.WITHDRAW_WHICH_REASON, (*rows, ((texts.BTN_NOT_WITHDRAW, cancel_row()[1]),)))
        return
    _confirm_withdraw(turn, case_id, words)


def _confirm_withdraw(turn: Turn, case_id: int, words: str) -> None:
    """The reason shown back with 确认撤销 (撤销 cannot be undone)."""
    turn.state.note = words
    confirm = (texts.BTN_CONFIRM_WITHDRAW, callbacks.make(callbacks.WITHDRAW_WHY, case_id, "o"))
    turn.say(texts.WITHDRAW_CONFIRM.format(reason=short(words, 40)), [[confirm, (texts.BTN_NOT_WITHDRAW, cancel_row()[1])]])


async def reason_text(turn: Turn) -> None:
    """Words after 不满意: with a reason chosen already they add to it, else they are the reason (其他原因)."""
    case_id, chosen = turn.state.case_id or 0, turn.state.note
    try:
        await turn.services.cases.explain(case_id, turn.user_id, chosen or "other", _words(turn), channel=turn.channel)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    turn.state.reset()
    turn.say(texts.UNSATISFIED_WORDS_NOTED)


async def words_wanted(turn: Turn) -> None:
    """A photo where words are asked for (a reason): say so, the step stays."""
    turn.say(texts.CASE_PHOTO_NOT_HERE, [[cancel_row()]])


# -- /privacy -----------------------------------------------------------------------------------------


async def privacy(turn: Turn) -> None:
    """/privacy: what is stored about this person, and the button that withdraws the phone."""
    stored = await turn.services.cases.privacy(turn.user_id, channel=turn.channel)
    if not stored.get("known"):
        turn.say(texts.PRIVACY_NOTHING, request_contact=texts.BTN_SHARE_PHONE)
        return
    if stored.get("phone"):
        at = stored.get("consent_at")
        phone = texts.PRIVACY_PHONE.format(phone=stored["phone"], at=_local(turn, at) if at else "—")
    else:
        phone = texts.PRIVACY_NO_PHONE
    text = texts.PRIVACY_SHOW.format(name=stored.get("name") or "—", phone=phone, cases=stored.get("cases", 0),
                                     supported=stored.get("supported", 0))
    if stored.get("phone"):
        turn.say(text, [[(texts.BTN_FORGET_PHONE, FORGET_PHONE)]])
    else:  # the one way a phone is given: the resident's own contact, shared by this button (the consent)
        turn.say(text, request_contact=texts.BTN_SHARE_PHONE)


async def forget_phone(turn: Turn) -> None:
    had = await turn.services.cases.forget_phone(turn.user_id, channel=turn.channel)
    turn.say(texts.PHONE_FORGOTTEN if had else texts.PHONE_NOT_STORED)
    turn.toast((texts.PHONE_FORGOTTEN if had else texts.PHONE_NOT_STORED)[:60])


# -- internals ----------------------------------------------------------------------------------------


async def _timeline(turn: Turn, case_id: int) -> None:
    case, events = await turn.services.cases.timeline(case_id, turn.user_id, channel=turn.channel)
    who = texts.TIMELINE_WHO.format(who=f"{case.grid_name or ''} {case.assignee_name}".strip()) \
        if case.assignee_name and case.is_open else ""
    lines = [texts.TIMELINE_HEADER.format(number=case.number, category=_category(turn, case),
                                          state=texts.state_in_chat(case.state), who=who,
                                          deadline=_local(turn, case.deadline_at) if case.is_open else "—")]
    for e in events[-15:]:
        name = lifecycle.TRANSITIONS[e.action].name if e.action in lifecycle.TRANSITIONS else e.action
        lines.append(texts.TIMELINE_LINE.format(at=_local(turn, e.at), name=name,
                                                note=texts.TIMELINE_NOTE.format(note=short(e.note, 60)) if e.note else ""))
    own = _own(turn, case)
    buttons = callbacks.self_service_buttons(case.id, own=own) if case.is_open and own else ()
    turn.say("\n".join(lines), buttons, remember_buttons=False)
    turn.toast(texts.BTN_TIMELINE)


async def _own_open(turn: Turn, case_id: int, action: str) -> CaseView:
    """The case, if this resident filed it and `action` may start from its state (else the refusal, in words)."""
    case = await turn.services.cases.get_case(case_id)
    if case is None:
        raise NotFound(texts.NO_SUCH_CASE.format(number=f"#{case_id}"))
    if not _own(turn, case):
        raise NotYours(texts.ONLY_FILER.format(what=lifecycle.TRANSITIONS[action].name, number=case.number))
    lifecycle.require(action, case.number, case.state)
    return case


def _enter(turn: Turn, step: Step, case: CaseView) -> None:
    """Leave what was under way (a draft is named, not dropped silently) and wait in `step` for this case."""
    set_aside(turn)
    turn.state.step, turn.state.case_id = step, case.id


async def _supplement(turn: Turn, words: str, photo: str | None) -> None:
    case_id = turn.state.case_id or 0
    if not photo and turn.norm.empty:
        turn.say(texts.SUPPLEMENT_EMPTY, [[cancel_row()]])
        return
    try:
        case = await turn.services.cases.supplement(case_id, turn.user_id, words, photo, channel=turn.channel)
    except CaseError as exc:
        turn.state.reset()
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    if case.told:  # the words gave the place of a case filed without one: routed now
        reply = texts.SUPPLEMENTED_ROUTED.format(number=case.number, told=case.told)
    elif case.told == "" and not photo:
        reply = texts.SUPPLEMENTED_KEPT.format(number=case.number)
    else:
        reply = texts.SUPPLEMENTED.format(number=case.number) if photo else texts.SUPPLEMENTED_DONE.format(number=case.number)
    if len(words) > MAX_SUPPLEMENT:
        reply += texts.SUPPLEMENT_CUT.format(limit=MAX_SUPPLEMENT)
    if photo:  # more photos of an album may follow
        turn.say(reply, [[cancel_row()]])
        return
    # words end it: a message days later is a new matter, not more of this one
    turn.state.reset()
    turn.say(reply, callbacks.self_service_buttons(case.id, own=True), remember_buttons=False)


async def _withdraw(turn: Turn, case_id: int, reason: str) -> None:
    if not reason:
        turn.say(texts.CASE_WORDS_EMPTY, [[cancel_row()]])
        return
    try:
        case = await turn.services.cases.withdraw(case_id, turn.user_id, reason, channel=turn.channel)
    except CaseError as exc:
        turn.state.reset()
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])
        return
    turn.state.reset()
    turn.say(texts.WITHDRAWN.format(number=case.number, reason=short(reason, 40)), remove_keyboard=True)
    turn.toast(lifecycle.TRANSITIONS["cancel"].name)


async def _reason(turn: Turn, case_id: int, reason: str) -> None:
    """A reason button after 不满意: 其他原因 asks for words; another one is told to the worker at once."""
    case = await turn.services.cases.get_case(case_id)
    if case is None:
        turn.say(texts.NO_SUCH_CASE.format(number=f"#{case_id}"))
        return
    if reason == "other":
        _enter(turn, Step.AWAIT_RATE_REASON, case)
        turn.say(texts.UNSATISFIED_TYPE, [[cancel_row()]])
        return
    case = await turn.services.cases.explain(case_id, turn.user_id, reason, None, channel=turn.channel)
    _enter(turn, Step.AWAIT_RATE_REASON, case)
    turn.state.note = reason
    turn.say(texts.UNSATISFIED_NOTED.format(reason=UNSATISFIED_REASONS[reason]), [[cancel_row()]])
    turn.toast(UNSATISFIED_REASONS[reason])


def _words(turn: Turn) -> str:
    """The typed words, or "" when nothing readable is left (emoji only, controls)."""
    return "" if turn.norm.empty else (turn.incoming.text or "").strip()[:MAX_SUPPLEMENT]


def _category(turn: Turn, case: CaseView) -> str:
    return turn.services.understanding.category_name(case.intent if case.intent != OTHER else None)


def _local(turn: Turn, at: datetime) -> str:
    return at.astimezone(ZoneInfo(turn.services.timezone)).strftime("%m-%d %H:%M")
