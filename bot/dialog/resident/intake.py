"""A fresh message: classify it once and hand it to the flow its act calls for (emergency, question,
/my, small talk, or a report). Every step that is not waiting for something in particular ends up here.
"""

from __future__ import annotations

import re
from typing import Any

from bot import wording as texts
from bot.cases import callbacks
from bot.dialog import dispatch
from bot.dialog.resident import after_filing, emergency, midway, my_cases, question, report, selfserve, status
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn

#: Marks around a one-word message ("催办！", "满意。") that do not change what it says.
_END_MARKS = " \t。.!！?？~～，,"
#: What a worker types when he means a button of a push (QA: 接单 typed got the residents' greeting).
_WORKER_ACTION_WORDS = frozenset({"接单", "办结", "退单", "进展", "需要补充", "好", "好的", "收到", "处理了", "已处理"})


async def fresh_text(turn: Turn) -> None:
    """Text that starts something new: whatever the chat waited for is dropped, the words decide."""
    turn.state.reset()
    typed = turn.norm.text.strip(_END_MARKS)  # the turn's one normalisation (Simplified, lower-case)
    if typed in _WORKER_ACTION_WORDS:
        worker = await turn.worker()
        if worker is not None:
            from bot.dialog import worker as worker_flow

            await worker_flow.typed_button(turn, worker, typed)
            return
    staff = await turn.worker() is not None or turn.is_admin
    if staff and await _case_number_typed(turn, typed, staff=True):
        return
    if (await selfserve.typed_action(turn, typed) or await _typed_rating(turn, typed)
            or await after_filing.place_correction(turn)):
        return  # a resident's "20261202-0001 催办" is the 催办 of that case
    if not staff and await _case_number_typed(turn, typed, staff=False):
        return
    await understand(turn, turn.incoming.text or "")


#: A message this short that holds a case number is about that case ("20261202-0001", "督办 20261202-0001").
_NUMBER_MESSAGE_MAX_CHARS = 30


async def _case_number_typed(turn: Turn, typed: str, *, staff: bool) -> bool:
    """A case number typed (QA6: a dispatcher's "督办 20261202-0001" got "you have no open case"): staff see its
    card with their buttons (as /case shows it); a resident sees how their own case stands. False when the
    message is longer or holds no number, or a resident names a case that is not theirs (read as usual)."""
    found = dispatch.CASE_NUMBER.search(typed)
    if found is None or len(typed) > _NUMBER_MESSAGE_MAX_CHARS:
        return False
    if staff:  # "督办 20261202-0001": the 督办 of that case
        around = (typed[: found.start()] + " " + typed[found.end():]).strip()
        await dispatch.show_case(turn, f"{found.group(0)} {around}" if dispatch.names_an_action(around) else found.group(0))
        return True
    case = await turn.services.cases.find_case(found.group(0))
    if case is None or not case.involves(turn.channel, turn.user_id):
        turn.say(texts.NO_SUCH_CASE.format(number=found.group(0)))
        return True
    turn.say(await status.describe(turn, case))
    return True


async def understand(turn: Turn, text: str, *, forced_report: bool = False, carried: Draft | None = None,
                     photo: str | None = None, classified: Any = None) -> None:
    """Classify one message (unless the caller already did) and start the flow its act calls for."""
    svc = turn.services
    c = classified if classified is not None else svc.understanding.classifier.classify(text)
    turn.intent, turn.act = c.intent, c.act
    if getattr(c, "truncated", False):
        turn.say(texts.TRUNCATED_NOTE.format(limit=svc.max_chars), remember_buttons=False)
    draft = carried or Draft()
    kept = text[: svc.max_chars]
    draft.text = kept if not draft.text else f"{draft.text}\n{kept}"
    draft.intent, draft.subtype = c.intent, c.subtype
    if photo:
        draft.photos.append(photo)
    act = c.act
    simple = turn.norm.text if text == (turn.incoming.text or "") else svc.normalizer.simplify(text)
    if not forced_report and act != "emergency" and status.asks_status(simple):
        turn.act = "status"  # "我那个投诉怎么样了": the resident's case, not a new report nor a question
        await status.in_words(turn, c)
        return
    answer = None if forced_report else question.known_answer(turn, text, c)
    if answer is not None or (not forced_report and act in ("report", "chat") and not c.asks_action
                              and question.asks_the_market(turn, text)):
        act = "ask"
    if act == "emergency":
        await emergency.start(turn, draft)
    elif act == "ask" and not forced_report:
        await question.answer(turn, draft, text, c, answer)
    elif act == "status" and not forced_report:
        await status.in_words(turn, c)
    elif (act in ("chat", "report") and c.intent is None and not forced_report and carried is None
          and not _thanks(text) and await _worker_note(turn)):
        return
    elif act == "chat" and c.intent is None and not forced_report:
        _small_talk(turn, text)
    else:
        draft.also = draft.also or report.second_problem(turn, text, c)
        await report.draft_report(turn, draft, c)


async def _worker_note(turn: Turn) -> bool:
    """A grid worker's words that name no problem ("已经清理完毕") while he holds cases: most likely meant for one of
    them, not a new report — he is shown where 进展 goes (QA: his note got the residents' category picker)."""
    worker = await turn.worker()
    if worker is None:
        return False
    mine = [c for c in await turn.services.cases.worker_tasks(worker)
            if c.assignee_id == worker.id and c.state in ("assigned", "accepted")]
    if not mine:
        return False
    if len(mine) == 1:
        case = mine[0]
        turn.say(texts.WORKER_NOTE_ONE_CASE.format(number=case.number),
                 (((texts.BTN_PROGRESS, callbacks.make(callbacks.PROGRESS, case.id)),
                   (texts.BTN_ASK, callbacks.make(callbacks.ASK, case.id))),))
    else:
        turn.say(texts.WORKER_NOTE_SEVERAL.format(count=len(mine)))
    return True


def _thanks(text: str) -> bool:
    return any(w in text for w in ("谢", "謝", "thank"))


def _small_talk(turn: Turn, text: str) -> None:
    turn.say(texts.THANKS_REPLY if _thanks(text) else texts.CHAT_REPLY)


_SCORE_OF = {name: score for score, name in texts.SCORE_NAMES.items()}
#: A rating in other words than the buttons' (QA: "非常满意", "不太满意", "还行", "差评" while a case waited for its
#: rating got the greeting). Read only while a case of theirs waits for one, on a short message.
_RATED_IN_WORDS = (
    ("unsatisfied", re.compile(r"(?:很|非常|特别|十分|太|真)?不(?:太|怎么|是很|大|够)?满意(?:了|的)?|差评|很差|太差了?"
                               r"|[一二两12零0](?:颗)?星|[零0]分")),
    ("basic", re.compile(r"(?:基本|比较|还算|一般)满意|还行|还可以|还好|一般|一般般|凑合|马马虎虎|过得去|[三3](?:颗)?星")),
    # "五星" (QA6: it got the greeting, or the category picker)
    ("satisfied", re.compile(r"(?:很|非常|特别|十分|挺|蛮|超|相当)?满意(?:了|的|啦)?|好评|(?:[五四54](?:颗)?星)(?:好评)?"
                             r"|满分|点赞|很好|非常好")),
)
#: A rating and then why ("不满意 没人来", "满意，师傅很快"): the rating first, then words after a mark or a space
#: (QA6: it got the greeting while the case waited for its rating). The words go on the rating.
_RATING_THEN_WORDS = re.compile(r"^(?P<rating>[^\s,，。.!！~～、;；]{1,8})[\s,，。.!！~～、;；]+(?P<words>\S.{0,199})$")
#: Why, in the words after 不满意: the reason button they mean ("other" when none fits).
_REASON_IN_WORDS = (
    ("unsolved", re.compile(r"没(?:有)?(?:解决|修|弄好|处理|人来|来|人管|管)|还是|根本|照样|依旧|又坏")),
    ("slow", re.compile(r"慢|拖|等了|好久|太久")),
    ("attitude", re.compile(r"态度|凶|不耐烦|敷衍")),
)
#: Thanks after the rating ("满意，谢谢") does not change it.
_TRAILING_THANKS = re.compile(r"[，,。.！!\s]*(?:谢谢|谢了|多谢|感谢)[^，。！!]{0,8}$")
#: "还是没解决": the problem is still there — the resident is shown how to say so (不满意 reopens it), not rated.
_STILL_THERE = re.compile(
    r"^(?:问题)?(?:还是|根本|并|都|也)?没(?:有)?(?:解决|处理好?|弄好|修好?|管|人来|人管|人修|来过?)(?:啊|呀|了)?$")
#: Particles after a rating ("还行吧", "满意啊", "一般般吧") that do not change it (QA: "还行吧" got the greeting).
_TRAILING_PARTICLES = re.compile(r"(?:吧|啊|呀|哦|噢|呢|哈|嘛)+$")
_RATING_MAX_CHARS = 8


def rating_in_words(typed: str) -> str | None:
    """The score a short message states (`typed`: normalised, end marks stripped), else None."""
    words = _TRAILING_THANKS.sub("", typed).strip(_END_MARKS)
    words = _TRAILING_PARTICLES.sub("", words).strip(_END_MARKS) or words
    if not words or len(words) > _RATING_MAX_CHARS:
        return None
    if words in _SCORE_OF:
        return _SCORE_OF[words]
    return next((score for score, pattern in _RATED_IN_WORDS if pattern.fullmatch(words)), None)


async def _typed_rating(turn: Turn, typed: str) -> bool:
    """满意 / 基本满意 / 不满意, or the same in other words, typed instead of pressed (`typed`: the turn's normalised
    text without end marks), while a case of theirs waits for a rating: rate the latest. "还是没解决" then shows the
    rating buttons and says that 不满意 sends it back."""
    score, words = rating_in_words(typed), None
    then = _RATING_THEN_WORDS.match(typed) if score is None else None
    if then is not None and (head := rating_in_words(then.group("rating"))) is not None:
        score, words = head, then.group("words").strip(_END_MARKS) or None
    still_there = score is None and _STILL_THERE.match(typed) is not None
    if score is None and not still_there:
        return False
    waiting = [k for k in await turn.services.cases.resident_cases(turn.user_id, channel=turn.channel)
               if k.state == "resolved" and (k.resident_channel, k.resident_external_id) == (turn.channel, turn.user_id)]
    if not waiting:
        return False
    if len(waiting) > 1 and not still_there:  # which one: each with its rating buttons
        turn.say(texts.RATE_WHICH.format(count=len(waiting)), remember_buttons=False)
        for case in waiting[: selfserve.MY_CARDS]:
            turn.say(selfserve.my_line(turn, case), selfserve.card_buttons(turn, case), remember_buttons=False)
        return True
    if still_there:
        case = waiting[0]
        turn.say(texts.RATE_STILL_THERE.format(number=case.number),
                 (tuple((b.text, b.data) for b in callbacks.rating_buttons(case.id)[0]),))
        return True
    if words is None:
        await my_cases.rate(turn, waiting[0].id, score)
    else:
        await my_cases.rate_with_words(turn, waiting[0].id, score, words, _reason_of(words))
    return True


async def rating_midway(turn: Turn) -> bool:
    """A rating typed while a report is under way: rated as in `fresh_text` (only a rating, not "还是没解决"), and
    the step the report waits in is asked again. False when it is no rating or nothing waits for one."""
    typed = turn.norm.text.strip(_END_MARKS)
    if rating_in_words(typed) is None and _RATING_THEN_WORDS.match(typed) is None:
        return False
    if not await _typed_rating(turn, typed):
        return False
    if turn.state.step is Step.AWAIT_RATE_REASON:  # 不满意 asked why: that step now, the draft comes back after
        return True
    await midway.resume(turn)
    return True


def _reason_of(words: str) -> str:
    return next((reason for reason, pattern in _REASON_IN_WORDS if pattern.search(words)), "other")
