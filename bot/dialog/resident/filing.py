"""Filing a report: once category and place are known, a similar open case is offered (the resident's own,
or a neighbour's to join with 附议), and otherwise the case is filed and its number shown — only after
the case service has committed it (the receipt also waits in the outbox, so a crash cannot lose it).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import wording as texts
from bot.cases import callbacks
from bot.cases.views import CaseView, ReportDraft
from bot.dialog.resident import category_questions
from bot.dialog.resident.common import FILE_ALSO, FILE_NEW, OTHER, RETRY, cancel_row, photo_buttons, short
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn
from bot.errors import CaseError
from bot.messages import Reply
from bot.wording import notices


async def file_new(turn: Turn) -> None:
    """另立新案: the similar case offered is not the same problem after all."""
    assert turn.state.draft is not None
    turn.state.draft.duplicate_declined = True
    await continue_report(turn)


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
    if not draft.has_place and not draft.no_place:
        state.step = Step.AWAIT_ADDRESS
        text = texts.EMERGENCY_ASK_ADDRESS if draft.urgent else texts.ASK_ADDRESS.format(category=name)
        turn.say(text, [[cancel_row()]], request_location=True)
        return
    if not draft.urgent and category_questions.ask_next(turn, draft):  # the category's questions the words did not answer
        return
    if not draft.photo_asked and not any(":" not in p for p in draft.photos):  # a voice note is not a photo
        state.step = Step.AWAIT_PHOTO
        turn.say(texts.ASK_PHOTO, photo_buttons(), remove_keyboard=True)
        return
    report = _report_draft(turn, draft)
    if not draft.duplicate_declined and await _offer_duplicate(turn, draft, report):
        return
    await _file(turn, report)


async def _offer_duplicate(turn: Turn, draft: Draft, report: ReportDraft) -> bool:
    """A similar open case (the resident's own, or a neighbour's to join): offered instead of filing."""
    svc = turn.services
    duplicate = await svc.cases.find_duplicate(report) or await svc.cases.find_own_duplicate(report)
    if duplicate is None:
        return False
    draft.duplicate_of = duplicate.number
    turn.state.step = Step.CONFIRM_DUPLICATE
    facts = {"number": duplicate.number, "category": svc.understanding.category_name(duplicate.intent),
             "state": texts.state_in_chat(duplicate.state), "text": short(duplicate.text)}
    if _already_involved(turn, duplicate):
        turn.say(texts.DUPLICATE_OWN.format(**facts), [[(texts.BTN_FILE_NEW, FILE_NEW), cancel_row()]],
                 remove_keyboard=True)
    else:
        # A neighbour's case: category, place and time only — never their words (phone numbers, flats).
        filed = duplicate.created_at.astimezone(ZoneInfo(svc.timezone)).strftime("%m-%d %H:%M")
        place = duplicate.grid_name or duplicate.community_name or texts.DUPLICATE_NEARBY
        turn.say(texts.DUPLICATE_FOUND.format(**{**facts, "text": ""}, place=place, filed=filed,
                                              supporters=texts.DUPLICATE_SUPPORTERS.format(count=duplicate.supporter_count)
                                              if duplicate.supporter_count else ""),
                 [[callbacks.support_button(duplicate.id, texts.BTN_JOIN), (texts.BTN_FILE_NEW, FILE_NEW)], [cancel_row()]],
                 remove_keyboard=True)
    return True


def _already_involved(turn: Turn, case: CaseView) -> bool:
    return case.involves(turn.channel, turn.user_id)


def _report_draft(turn: Turn, draft: Draft) -> ReportDraft:
    svc = turn.services
    return ReportDraft(
        resident_external_id=turn.user_id,
        intent=draft.intent or OTHER,
        text=draft.text or texts.NO_DESCRIPTION,
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
        confirmed_by="resident_pick" if draft.picked else None,
        channel=turn.channel,
        answers=dict(draft.answers),
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
    also = turn.state.draft.also if turn.state.draft is not None else None
    turn.state.reset()
    turn.intent = report.intent
    turn.say(_receipt_text(turn, case, report), remove_keyboard=True, outbox_id=case.receipt_id)
    offer_also(turn, case, also, case.address)


def offer_also(turn: Turn, case: CaseView, also: str | None, address: str | None) -> None:
    """A second problem the report's message named (`report.second_problem`): said not to be in the case just filed
    (or joined), and offered as the next report at `address` — unless it is what that case is about."""
    if not also or turn.services.understanding.classifier.classify(also).intent == case.intent:
        return
    turn.state.next_report = {"text": also, "address": address or ""}
    turn.say(texts.ALSO_NOT_FILED.format(text=short(also, 40)), [[(texts.BTN_FILE_ALSO, FILE_ALSO)]])


def _receipt_text(turn: Turn, case: CaseView, report: ReportDraft) -> str:
    """已受理 … 案件编号: where it went and by when (the urgent wording for emergencies)."""
    address = case.address or (texts.RECEIPT_PIN.format(latitude=case.latitude, longitude=case.longitude)
                               if case.latitude is not None else "—")
    if filed_without_place(case):  # nobody can be sent before the place is checked: say exactly that
        routing = texts.FILED_NO_PLACE
    elif case.assignee_name and case.level == "grid":
        worker = texts.RECEIPT_WORKER.format(name=case.assignee_name)
        routing = texts.FILED_ROUTED.format(grid=case.grid_name or "", worker=worker)
    else:
        # the case desk's answer, as the status card says it: "" = nobody could be told
        onward = (texts.FILED_QUEUED if case.told == "" else texts.FILED_DISPATCHER if case.told is None
                  else texts.FILED_TOLD.format(told=case.told))
        routing = (texts.FILED_ROUTED.format(grid=case.grid_name, worker="") + texts.RECEIPT_SEP + onward
                   if case.grid_name else onward)
    if case.urgent:
        who = case.told if case.told is not None else (
            notices.ROUTED_WORKER.format(name=case.assignee_name) if case.assignee_name else "")
        if not who:
            return texts.URGENT_FILED_NOBODY.format(number=case.number, address=address)
        return texts.URGENT_FILED.format(number=case.number, address=address, routing=who)
    return texts.FILED.format(
        number=case.number, category=turn.services.understanding.category_name(case.intent if case.intent != OTHER else None),
        address=address, routing=routing, deadline=texts.deadline_text(report.deadline_hours),
    )



def filed_without_place(case: CaseView) -> bool:
    """Filed with neither an address nor a location (the resident's 先提交 after repeated tries)."""
    return not case.address and case.latitude is None and not case.grid_id
