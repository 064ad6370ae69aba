"""Resident flows: report (understand → confirm → ask what is missing → duplicates → file), emergency,
questions, outside-the-desk requests, /my and ratings.

A report is filed only when its category and place are known; the case number is shown only after
the case service has committed it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.cases import callbacks
from bot.cases.views import CaseView, ReportDraft
from bot.dialog import texts
from bot.dialog.events import Reply
from bot.dialog.state import Draft
from bot.dialog.turn import Turn, rows_of
from bot.errors import CaseError

#: Below this confidence (or with a runner-up this close) the resident confirms the category.
CONFIRM_BELOW = 0.55
RUNNER_UP_RATIO = 0.8
MAX_CHOICES = 3
OTHER = "other"

# Dialog-internal button data (case actions use bot.cases.callbacks).
PICK = "d:pick"
SKIP_PHOTO = "d:skip"
FILE_IT = "d:file"
NO_THANKS = "d:no"
FILE_NEW = "d:new"
RETRY = "d:retry"
CANCEL = "d:cancel"
CATEGORY_PREFIX = "d:c:"

CANCEL_WORDS = {"取消", "取消吧", "取消了", "算了", "不要了", "cancel", "/cancel"}
#: Matched after Traditional → Simplified and without punctuation ("跳過，不傳照片" is the button label typed).
SKIP_WORDS = {"跳过", "没有", "没有照片", "没照片", "无照片", "没拍", "不用", "不用了", "无", "skip", "不传", "不传照片",
              "跳过不传照片"}
#: A short message that asks ("…吗", "能不能…", "几点…"): answered from the knowledge base when it knows.
_QUESTION = re.compile(
    r"[吗么嘛呢][?？]?$|[?？]$|能不能|可不可以|可以.{0,10}[吗么]|是否|怎么办|怎么处理|如何|几点|算不算|有没有规定")
QUESTION_MAX_CHARS = 80
#: At the photo step, text read as another category at least this surely is a new problem, not more detail.
NEW_PROBLEM_CONFIDENCE = 0.6
_PUNCT = re.compile(r"[\s,.!?;:,。!?;:、~…]+")

_EMERGENCY_WORDS = {
    "fire": ("火", "烟", "燃气", "煤气", "天然气", "爆炸", "烧", "被困", "困在"),
    "medical": ("受伤", "晕倒", "昏迷", "流血", "出血", "不省人事", "心脏", "摔倒", "抽搐", "没呼吸", "咬伤"),
    "police": ("打人", "打架", "斗殴", "持刀", "拿刀", "砍", "抢", "偷", "家暴", "威胁", "闹事", "砸"),
}
_EMERGENCY_INTENT = {"fire": "fire_hazard", "police": "public_order"}


def plain(text: str) -> str:
    """Text without spaces and punctuation, for matching one-word answers like "取消" or "跳过"."""
    return _PUNCT.sub("", text).lower()


def is_skip(turn: Turn, text: str) -> bool:
    return plain(turn.services.normalizer.simplify(text)) in SKIP_WORDS


def is_cancel(text: str | None) -> bool:
    return text is not None and plain(text) in CANCEL_WORDS


def cancel_row() -> tuple[str, str]:
    return (texts.BTN_CANCEL, CANCEL)


# -- entry points -------------------------------------------------------------------------------------


async def on_text(turn: Turn, text: str) -> None:
    """A resident's text, read in the light of where the conversation stands."""
    step, draft = turn.state.step, turn.state.draft
    if step in ("await_address", "await_photo") and draft is not None and not is_skip(turn, text):
        c = turn.services.understanding.classifier.classify(text)
        if c.act == "emergency":  # checked at every step: danger first, whatever we were asking
            await _emergency_midway(turn, draft, text, c)
            return
        if step == "await_address":
            await _take_address(turn, draft, text, c)
        else:
            await _photo_step_text(turn, draft, text, c)
        return
    if step == "await_photo" and draft is not None:
        draft.photo_asked = True
        await continue_report(turn)
        return
    if step == "await_address" and draft is not None:
        turn.say(texts.ADDRESS_REQUIRED, [[cancel_row()]], request_location=True)
        return
    forced = step == "await_description"
    carried = draft if forced else None
    turn.state.reset()
    await understand(turn, text, forced_report=forced, carried=carried)


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
    answer = None
    if (act in ("report", "chat") and not forced_report and len(text) <= QUESTION_MAX_CHARS
            and _names_a_category(turn, c) and _QUESTION.search(text.strip())):
        # "电动车能在楼道充电吗" is worded as a report of a category, but asks: answer it when the KB knows.
        kb = svc.understanding.kb
        answer = kb.answer(text) if kb is not None else None
        if answer is not None and answer.answer:
            act = "ask"
    if act == "emergency":
        await _emergency(turn, draft)
    elif act == "ask" and not forced_report:
        await _question(turn, draft, text, c, answer)
    elif act == "status" and not forced_report:
        await show_my_cases(turn)
    elif act == "chat" and c.intent is None and not forced_report:
        _small_talk(turn, text)
    else:
        await _report(turn, draft, c)


async def on_location(turn: Turn, latitude: float, longitude: float) -> None:
    draft = turn.state.draft
    if draft is not None and turn.state.step in ("await_address", "await_photo", "confirm_duplicate"):
        draft.latitude, draft.longitude = latitude, longitude
        turn.say(texts.LOCATION_RECEIVED, remove_keyboard=True, remember_buttons=False)
        await continue_report(turn)
        return
    turn.state.reset()
    turn.state.draft = Draft(latitude=latitude, longitude=longitude)
    turn.state.step = "await_description"
    turn.say(texts.LOCATION_RECEIVED + texts.ASK_DESCRIPTION, [[cancel_row()]], remove_keyboard=True)


async def on_photo(turn: Turn, file_id: str, caption: str | None) -> None:
    draft = turn.state.draft
    step = turn.state.step
    if draft is not None and step in ("await_photo", "await_address", "confirm_category", "await_description"):
        draft.photos.append(file_id)
        if caption:
            draft.text = f"{draft.text}\n{caption}".strip()
        if step == "await_description" and caption:
            turn.state.reset()
            await understand(turn, caption, forced_report=True, carried=Draft(
                latitude=draft.latitude, longitude=draft.longitude, photos=draft.photos))
            return
        if step == "await_photo" or step == "await_address":
            turn.say(texts.PHOTO_RECEIVED, remember_buttons=False)
            draft.photo_asked = True
            await continue_report(turn)
            return
        turn.say(texts.PHOTO_RECEIVED, remember_buttons=False)
        return
    turn.state.reset()
    if caption and caption.strip():
        await understand(turn, caption, photo=file_id)
        return
    turn.state.draft = Draft(photos=[file_id], photo_asked=True)
    turn.state.step = "await_description"
    turn.say(texts.PHOTO_RECEIVED + texts.ASK_DESCRIPTION, [[cancel_row()]])


async def on_button(turn: Turn, data: str) -> bool:
    """Dialog buttons (`d:…`) and the resident's case buttons (rate, 附议); False when not ours."""
    state = turn.state
    draft = state.draft
    if data == CANCEL:
        cancel(turn)
        return True
    cb = callbacks.parse(data)
    if cb is not None and cb.action == callbacks.RATE and cb.arg:
        await _rate(turn, cb.case_id, cb.arg)
        return True
    if cb is not None and cb.action == callbacks.SUPPORT:
        await _join(turn, cb.case_id)
        return True
    if not data.startswith("d:"):
        return False
    if data == RETRY and draft is not None:
        await continue_report(turn)
        return True
    if data == NO_THANKS:
        state.reset()
        turn.say(texts.THANKS_REPLY, remove_keyboard=True)
        return True
    if draft is None:
        turn.say(texts.STALE_BUTTON)
        turn.toast(texts.STALE_BUTTON)
        return True
    if data == PICK:
        _show_picker(turn)
        return True
    if data.startswith(CATEGORY_PREFIX) and state.step in ("confirm_category", "confirm_outside"):
        chosen = data[len(CATEGORY_PREFIX):]
        known = {cid for cid, _ in turn.services.understanding.categories()}
        if chosen != OTHER and chosen not in known:
            turn.say(texts.STALE_BUTTON)
            return True
        if chosen != draft.intent:
            draft.subtype = None
        draft.intent = None if chosen == OTHER else chosen
        turn.intent = draft.intent
        await continue_report(turn, announce=True)
        return True
    if data == FILE_IT and state.step in ("offer_file", "confirm_outside"):
        await continue_report(turn, announce=True)
        return True
    if data == SKIP_PHOTO and state.step == "await_photo":
        draft.photo_asked = True
        await continue_report(turn)
        return True
    if data == FILE_NEW and state.step == "confirm_duplicate":
        draft.duplicate_declined = True
        await continue_report(turn)
        return True
    turn.say(texts.STALE_BUTTON)
    turn.toast(texts.STALE_BUTTON)
    return True


def cancel(turn: Turn) -> None:
    busy = turn.state.step != "idle"
    turn.state.reset()
    turn.say(texts.CANCELLED if busy else texts.NOTHING_TO_CANCEL, remove_keyboard=True)


async def start_report(turn: Turn, text: str = "") -> None:
    """/report, or "/report 梨园小区3栋楼下乱停车" with the description right after the command."""
    set_aside(turn)
    if text.strip():
        await understand(turn, text, forced_report=True)
        return
    turn.state.draft = Draft()
    turn.state.step = "await_description"
    turn.say(texts.ASK_DESCRIPTION, [[cancel_row()]])


def set_aside(turn: Turn) -> None:
    """Back to idle; a report that was being put together is named, so it is not dropped without a word."""
    draft = turn.state.draft
    if draft is not None and draft.text.strip() and turn.state.step != "idle":
        turn.say(texts.DRAFT_SET_ASIDE.format(text=_short(draft.text, 30)), remember_buttons=False)
    turn.state.reset()


# -- understanding the message ------------------------------------------------------------------------


async def _report(turn: Turn, draft: Draft, c: Any) -> None:
    understanding = turn.services.understanding
    turn.state.draft = draft
    if c.intent is None:
        if not _outside_topic(turn, c):
            turn.state.step = "confirm_category"
            turn.say(texts.REPORT_NEEDS_DETAIL, _picker_rows(turn))
            return
        turn.state.step = "confirm_outside"
        turn.say(texts.OUTSIDE_DESK, [[(texts.BTN_FILE_ANYWAY, FILE_IT)], [(texts.BTN_PICK_CATEGORY, PICK)],
                                      [(texts.BTN_NO_THANKS, NO_THANKS)]])
        return
    alternatives = [a for a in c.alternatives if understanding.intents.get(a.intent) is not None
                    and understanding.intents.get(a.intent).kind == "category" and a.intent != c.intent]
    close = bool(alternatives) and alternatives[0].confidence >= RUNNER_UP_RATIO * c.confidence
    if c.confidence < CONFIRM_BELOW or close:
        choices = [c.intent, *[a.intent for a in alternatives]][:MAX_CHOICES]
        draft.choices = choices
        turn.state.step = "confirm_category"
        buttons = [(understanding.category_name(i), CATEGORY_PREFIX + i) for i in choices]
        turn.say(texts.CONFIRM_CATEGORY, [*rows_of(buttons, 2), [(texts.BTN_NONE_OF_THESE, PICK), cancel_row()]])
        return
    await continue_report(turn)


def _names_kind(turn: Turn, c: Any, kind: str) -> bool:
    """Any word of an intent of this kind scored, even one too weak to decide on."""
    intents = turn.services.understanding.intents
    return any(s > 0 and (i := intents.get(k)) is not None and i.kind == kind for k, s in (c.scores or {}).items())


def _names_a_category(turn: Turn, c: Any) -> bool:
    """A category word at all ("周末可以装修吗" has 装修, too weak to decide on); "周末去哪玩" has none."""
    return _names_kind(turn, c, "category")


def _outside_topic(turn: Turn, c: Any) -> bool:
    """True when the words name a topic outside the desk (schools, social insurance…), not just no topic."""
    return _names_kind(turn, c, "outside")


def _picker_rows(turn: Turn) -> list[list[Any]]:
    buttons: list[Any] = [(name, CATEGORY_PREFIX + cid) for cid, name in turn.services.understanding.categories()]
    buttons.append((texts.OTHER_NAME, CATEGORY_PREFIX + OTHER))
    return [*rows_of(buttons, 3), [cancel_row()]]


def _show_picker(turn: Turn) -> None:
    turn.state.step = "confirm_category"
    turn.say(texts.PICK_CATEGORY, _picker_rows(turn))


def _small_talk(turn: Turn, text: str) -> None:
    thanks = any(w in text for w in ("谢", "謝", "thank"))
    turn.say(texts.THANKS_REPLY if thanks else texts.CHAT_REPLY)


def emergency_numbers(text: str) -> list[str]:
    """Which of 119/120/110 fit the words; all three when nothing says which."""
    kinds = [kind for kind, words in _EMERGENCY_WORDS.items() if any(w in text for w in words)]
    return kinds or ["fire", "medical", "police"]


async def _emergency(turn: Turn, draft: Draft) -> None:
    simplified = turn.services.normalizer.simplify(turn.incoming.text or draft.text)
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
    await continue_report(turn)


async def _question(turn: Turn, draft: Draft, text: str, c: Any, answer: Any = None) -> None:
    kb = turn.services.understanding.kb
    simplify = turn.services.normalizer.simplify
    if kb is None:
        turn.say(texts.KB_NOT_READY)
    else:
        answer = answer if answer is not None else kb.answer(text)
        if answer.answer:
            body = answer.answer
            # Compared in Simplified: a Traditional question gets a Traditional answer, the source is stored Simplified.
            if answer.source and simplify(answer.source) not in simplify(body):
                body = texts.KB_ANSWER.format(answer=body, source=answer.source)
            turn.say(body)
        else:
            turn.say(texts.KB_NO_ANSWER)
    if c.intent is not None:
        turn.state.draft = draft
        turn.state.step = "offer_file"
        name = turn.services.understanding.category_name(c.intent)
        turn.say(texts.OFFER_FILE.format(category=name), [[(texts.BTN_FILE_IT, FILE_IT), (texts.BTN_NO_THANKS, NO_THANKS)]])


# -- gathering what is missing, then filing -----------------------------------------------------------


async def _take_address(turn: Turn, draft: Draft, text: str, c: Any) -> None:
    """An address typed by the resident; one it cannot place is questioned once, then taken as written."""
    cleaned = turn.services.normalizer.normalize(text)
    if len(cleaned.text) < 2:
        turn.say(texts.ADDRESS_TOO_SHORT, [[cancel_row()]], request_location=True)
        return
    typed = cleaned.original.strip()[:300]
    if await turn.services.cases.place_known(text) is None and not draft.address_retried:
        draft.address_retried = True
        if c.intent is not None:  # "不对，我说的是油烟": more about the problem, not a place
            draft.text = f"{draft.text}\n{typed}".strip()
            turn.say(texts.ADDRESS_NOTED_DETAIL, [[cancel_row()]], request_location=True)
        else:
            turn.say(texts.ADDRESS_UNCLEAR.format(address=_short(typed, 30)), [[cancel_row()]], request_location=True)
        return
    draft.address = typed
    await continue_report(turn)


async def _photo_step_text(turn: Turn, draft: Draft, text: str, c: Any) -> None:
    """Text instead of a photo: a new problem, a corrected place, or more detail for this one."""
    if c.intent is not None and c.intent != draft.intent and c.confidence >= NEW_PROBLEM_CONFIDENCE:
        draft.photo_asked = True
        await continue_report(turn)  # file this one as it stands, then take up the new problem
        if turn.state.step == "idle":
            await understand(turn, text, classified=c)
        else:
            turn.say(texts.ANOTHER_PROBLEM_LATER.format(text=_short(text, 30)), remember_buttons=False)
        return
    place = await turn.services.cases.place_known(text)
    simplify = turn.services.normalizer.simplify
    if place is not None and (not draft.address or simplify(place) not in simplify(draft.address)):
        draft.address = place  # the place routing found, not the whole sentence ("地址说错了，是…")
        draft.latitude = draft.longitude = None
        turn.say(texts.ADDRESS_CORRECTED.format(address=draft.address) + texts.ASK_PHOTO,
                 [[(texts.BTN_SKIP_PHOTO, SKIP_PHOTO), cancel_row()]])
        return
    draft.photo_asked = True
    draft.text = f"{draft.text}\n{text}".strip()
    await continue_report(turn)


async def _emergency_midway(turn: Turn, draft: Draft, text: str, c: Any) -> None:
    """An emergency typed while we wait for an address or a photo: the numbers first, then its own urgent case."""
    if draft.urgent:  # already the emergency flow: add what is happening, keep asking where
        draft.text = f"{draft.text}\n{text}".strip()
        await _emergency(turn, draft)
        return
    turn.state.reset()
    await understand(turn, text, classified=c)  # the emergency numbers come first
    turn.say(texts.DRAFT_SET_ASIDE.format(text=_short(draft.text, 30)), remember_buttons=False)


async def continue_report(turn: Turn, *, announce: bool = False) -> None:
    """Ask for the next missing piece, or file when nothing is missing."""
    state, svc = turn.state, turn.services
    draft = state.draft
    assert draft is not None
    name = svc.understanding.category_name(draft.intent)
    if not draft.has_place:
        place = await svc.cases.place_known(draft.text)
        if place:
            draft.address = place
    if not draft.has_place:
        state.step = "await_address"
        text = texts.EMERGENCY_ASK_ADDRESS if draft.urgent else texts.ASK_ADDRESS.format(category=name)
        turn.say(text, [[cancel_row()]], request_location=True)
        return
    if not draft.photo_asked and not draft.photos:
        state.step = "await_photo"
        turn.say(texts.ASK_PHOTO, [[(texts.BTN_SKIP_PHOTO, SKIP_PHOTO), cancel_row()]], remove_keyboard=True)
        return
    report = _report_draft(turn, draft)
    if not draft.duplicate_declined:
        duplicate = await svc.cases.find_duplicate(report) or await svc.cases.find_own_duplicate(report)
        if duplicate is not None and _already_involved(turn, duplicate):
            draft.duplicate_of = duplicate.number
            state.step = "confirm_duplicate"
            turn.say(texts.DUPLICATE_OWN.format(
                number=duplicate.number, category=svc.understanding.category_name(duplicate.intent),
                state=texts.STATE_NAMES.get(duplicate.state, duplicate.state), text=_short(duplicate.text),
            ), [[(texts.BTN_FILE_NEW, FILE_NEW), cancel_row()]], remove_keyboard=True)
            return
        if duplicate is not None:
            draft.duplicate_of = duplicate.number
            state.step = "confirm_duplicate"
            turn.say(texts.DUPLICATE_FOUND.format(
                number=duplicate.number, category=svc.understanding.category_name(duplicate.intent),
                state=texts.STATE_NAMES.get(duplicate.state, duplicate.state), text=_short(duplicate.text),
                supporters=duplicate.supporter_count,
            ), [[callbacks.support_button(duplicate.id, texts.BTN_JOIN), (texts.BTN_FILE_NEW, FILE_NEW)], [cancel_row()]],
                remove_keyboard=True)
            return
    await _file(turn, report)


def _already_involved(turn: Turn, case: CaseView) -> bool:
    return case.resident_telegram_id == turn.user_id or turn.user_id in case.supporter_telegram_ids


def _report_draft(turn: Turn, draft: Draft) -> ReportDraft:
    svc = turn.services
    return ReportDraft(
        resident_telegram_id=turn.user_id,
        intent=draft.intent or OTHER,
        text=draft.text or "（未填写描述）",
        deadline_hours=svc.understanding.deadline_hours(draft.intent, draft.subtype),
        subtype=draft.subtype,
        address=draft.address,
        latitude=draft.latitude,
        longitude=draft.longitude,
        photos=tuple(draft.photos),
        urgent=draft.urgent,
        resident_name=turn.incoming.sender.first_name,
        script="traditional" if turn.state.script == "traditional" else "simplified",
        chat_id=turn.chat_id,
    )


async def _file(turn: Turn, report: ReportDraft) -> None:
    """File, and tell the resident the number. The receipt is kept in the outbox with the case (crash-safe);
    the direct reply carries its row id so that sending it cancels the outbox copy."""
    svc = turn.services

    def receipt(case: CaseView) -> Reply:
        return Reply(chat_id=turn.chat_id, text=turn.in_script(_receipt_text(turn, case, report)), remove_keyboard=True)

    try:
        case = await svc.cases.file(report, receipt=receipt)
    except CaseError:
        turn.say(texts.FILE_FAILED, [[(texts.BTN_FILE_IT, RETRY), cancel_row()]])
        return
    turn.state.reset()
    turn.intent = report.intent
    turn.say(_receipt_text(turn, case, report), remove_keyboard=True, outbox_id=case.receipt_id)


def _receipt_text(turn: Turn, case: CaseView, report: ReportDraft) -> str:
    """已受理 … 案件编号: where it went and by when (the urgent wording for emergencies)."""
    address = case.address or (f"位置 {case.latitude:.5f}, {case.longitude:.5f}" if case.latitude is not None else "—")
    if case.assignee_name and case.level == "grid":
        routing = texts.FILED_ROUTED.format(grid=case.grid_name or "", worker=f"（网格员 {case.assignee_name}）")
    elif case.grid_name:
        routing = texts.FILED_ROUTED.format(grid=case.grid_name, worker="") + "，" + texts.FILED_DISPATCHER
    else:
        routing = texts.FILED_DISPATCHER
    if case.urgent:
        who = case.told if case.told is not None else (f"网格员 {case.assignee_name}" if case.assignee_name else "")
        if not who:
            return texts.URGENT_FILED_NOBODY.format(number=case.number, address=address)
        return texts.URGENT_FILED.format(number=case.number, address=address, routing=who)
    return texts.FILED.format(
        number=case.number, category=turn.services.understanding.category_name(case.intent if case.intent != OTHER else None),
        address=address, routing=routing, deadline=texts.deadline_text(report.deadline_hours),
    )


async def _join(turn: Turn, case_id: int) -> None:
    svc = turn.services
    text = turn.state.draft.text if turn.state.draft is not None else None
    try:
        case = await svc.cases.support(case_id, turn.user_id, turn.chat_id, text)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        return
    turn.state.reset()
    turn.say(texts.JOINED.format(number=case.number, supporters=case.supporter_count), remove_keyboard=True)
    turn.toast(texts.JOINED.format(number=case.number, supporters=case.supporter_count)[:60])


# -- my cases and ratings -----------------------------------------------------------------------------


async def show_my_cases(turn: Turn) -> None:
    svc = turn.services
    cases = await svc.cases.resident_cases(turn.user_id)
    if not cases:
        turn.say(texts.MY_NONE)
        return
    lines = [texts.MY_HEADER.format(count=len(cases))]
    rate_rows = []
    for case in cases:
        extra = texts.MY_SUPPORTED if case.resident_telegram_id != turn.user_id else ""
        if case.assignee_name and case.state in ("assigned", "accepted"):
            extra += f"（{case.grid_name or ''} {case.assignee_name}）"
        lines.append(texts.MY_LINE.format(
            number=case.number, category=svc.understanding.category_name(case.intent if case.intent != OTHER else None),
            state=texts.STATE_NAMES.get(case.state, case.state), extra=extra, text=_short(case.text),
        ))
        if case.state == "resolved" and case.resident_telegram_id == turn.user_id:
            rate_rows.append(case)
    turn.say("\n".join(lines), remember_buttons=False)
    for case in rate_rows[:3]:
        turn.say(texts.RATE_ASK.format(number=case.number), callbacks.rating_buttons(case.id))


async def _rate(turn: Turn, case_id: int, score: str) -> None:
    svc = turn.services
    try:
        case = await svc.cases.rate(case_id, turn.user_id, score)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])
        return
    if score == "unsatisfied":
        turn.say(texts.RATED_REOPENED.format(number=case.number))
    else:
        turn.say(texts.RATED.format(score=texts.SCORE_NAMES.get(score, score)))
    turn.toast(texts.SCORE_NAMES.get(score, score))


def _short(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
