"""Reports: draft (confirm the category when unsure) → ask what is missing (the place, an optional photo),
taking danger, corrections and new problems on the way; `filing` then offers a similar case or files.
The handlers here are named in `bot/dialog/steps.py`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import wording as texts
from bot.dialog.resident import category_questions, emergency, filing, intake, midway, question
from bot.dialog.resident.common import (
    CATEGORY_PREFIX,
    FILE_IT,
    NO_THANKS,
    OTHER,
    PICK,
    cancel_row,
    is_skip,
    photo_buttons,
    plain,
    says_no_photo,
    set_aside,
    short,
    stale_button,
)
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn

#: Below this confidence (or with a runner-up this close) the resident confirms the category.
CONFIRM_BELOW = 0.55
RUNNER_UP_RATIO = 0.8
MAX_CHOICES = 3
#: At the photo step, text read as another category at least this surely is a new problem, not more detail.
NEW_PROBLEM_CONFIDENCE = 0.6
_PART_EDGES = " \t\n，,。.；;！!？?、~～…"
#: A part shorter than this ("还有点臭" → "点臭") is a remark about the problem, never a second one.
ALSO_MIN_CHARS = 4
#: A part that scores the report's own category this surely too is more of the same problem.
ALSO_SAME_BELOW = 0.3
#: While a similar case is offered, a message this short that names no problem ("补充", "好的") is no new report:
#: the offer is shown again (it set the draft aside and got the greeting).
OFFER_HINT_MAX_CHARS = 12


# -- starting a report --------------------------------------------------------------------------------


async def start_report(turn: Turn, text: str = "") -> None:
    """/report, or "/report 梨园小区3栋楼下乱停车" with the description right after the command."""
    set_aside(turn)
    if text.strip():
        await intake.understand(turn, text, forced_report=True)
        return
    turn.state.draft = Draft()
    turn.state.step = Step.AWAIT_DESCRIPTION
    turn.say(texts.ASK_DESCRIPTION, [[cancel_row()]])


async def describe(turn: Turn) -> None:
    """Whatever is written after /report is the report (never a question or small talk); after a correction that
    named only the category, it describes the problem of that category (which stays as corrected)."""
    carried = turn.state.draft
    if carried is not None and carried.new_problem_asked:
        c = await _unless_danger(turn, carried, turn.incoming.text or "")
        if c is not None:
            carried.new_problem_asked = False
            carried.text = f"{carried.text}\n{(turn.incoming.text or '')[: turn.services.max_chars]}".strip()
            await filing.continue_report(turn)
        return
    turn.state.reset()
    await intake.understand(turn, turn.incoming.text or "", forced_report=True, carried=carried)


async def photo_first(turn: Turn) -> None:
    """A photo out of the blue: its caption is the report, or we ask what it shows."""
    inc = turn.incoming
    turn.state.reset()
    if inc.text and inc.text.strip():
        await intake.understand(turn, inc.text, photo=inc.photo_file_id)
        return
    turn.state.draft = Draft(photos=[inc.photo_file_id or ""], photo_asked=True)
    turn.state.step = Step.AWAIT_DESCRIPTION
    turn.say(texts.PHOTO_RECEIVED + texts.ASK_DESCRIPTION, [[cancel_row()]])


async def location_first(turn: Turn) -> None:
    """A location out of the blue: the place of a report still to be described."""
    inc = turn.incoming
    turn.state.reset()
    turn.state.draft = Draft(latitude=inc.latitude, longitude=inc.longitude)
    turn.state.step = Step.AWAIT_DESCRIPTION
    turn.say(texts.LOCATION_RECEIVED + texts.ASK_DESCRIPTION, [[cancel_row()]], remove_keyboard=True)


async def description_photo(turn: Turn) -> None:
    """A photo while we wait for the description: with a caption the report starts; without one we keep waiting."""
    draft = _with_photo(turn)
    caption = turn.incoming.text
    if caption:
        turn.state.reset()
        await intake.understand(turn, caption, forced_report=True, carried=Draft(
            latitude=draft.latitude, longitude=draft.longitude, photos=draft.photos))
        return
    turn.say(texts.PHOTO_RECEIVED, remember_buttons=False)


async def draft_report(turn: Turn, draft: Draft, c: Any) -> None:
    """A report read from the words: sure of the category → gather; unsure or outside the desk → ask."""
    understanding = turn.services.understanding
    turn.state.draft = draft
    if c.intent is None:
        if not question.names_kind(turn, c, "outside"):
            turn.state.step = Step.CONFIRM_CATEGORY
            turn.say(texts.REPORT_NEEDS_DETAIL, _picker_rows(turn))
            return
        turn.state.step = Step.CONFIRM_OUTSIDE
        turn.say(texts.OUTSIDE_DESK, [[(texts.BTN_FILE_ANYWAY, FILE_IT)], [(texts.BTN_PICK_CATEGORY, PICK)],
                                      [(texts.BTN_NO_THANKS, NO_THANKS)]])
        return
    alternatives = [a for a in c.alternatives if understanding.intents.get(a.intent) is not None
                    and understanding.intents.get(a.intent).kind == "category" and a.intent != c.intent]
    close = bool(alternatives) and alternatives[0].confidence >= RUNNER_UP_RATIO * c.confidence
    if c.confidence < CONFIRM_BELOW or close:
        draft.choices = [c.intent, *[a.intent for a in alternatives]][:MAX_CHOICES]
        turn.state.step = Step.CONFIRM_CATEGORY
        turn.say(*midway.category_prompt(turn, draft))
        return
    await filing.continue_report(turn)


def second_problem(turn: Turn, text: str, c: Any) -> str | None:
    """The part of a message that names another problem than the one its report is about ("垃圾没人清运，另外路灯也
    坏了好几个" → "小区路灯也坏了好几个"): only where the message says so with a word like 另外 or 还有, and the part
    is surely of another category. The report files one problem; this one is offered after it (QA: it was filed
    inside the first one, silently)."""
    understanding = turn.services.understanding
    if c.intent is None or c.act == "emergency":
        return None
    simple = turn.services.normalizer.simplify(text[: turn.services.max_chars])
    source = text if len(text) == len(simple) else simple  # the resident's own words where the script maps 1:1
    cuts = [m.start() for m in midway.ALSO_SAID.finditer(simple)]
    if not cuts:
        return None
    for start, end in zip([0, *cuts], [*cuts, len(simple)], strict=True):
        said = midway.ALSO_SAID.sub("", simple[start:end], count=1).strip(_PART_EDGES)
        if len(said) < ALSO_MIN_CHARS or question.is_question(said):  # "还有群租房怎么认定？" asks, files nothing
            continue
        part = understanding.classifier.classify(said)
        intent = understanding.intents.get(part.intent) if part.intent else None
        if intent is None or intent.kind != "category" or part.intent == c.intent or part.confidence < NEW_PROBLEM_CONFIDENCE:
            continue
        if any(a.intent == c.intent and a.confidence >= ALSO_SAME_BELOW for a in part.alternatives):
            continue  # it speaks of this problem too
        shown = source[start:end]
        return midway.ALSO_SAID.sub("", shown, count=1).strip(_PART_EDGES) if source is text else said
    return None


async def file_also(turn: Turn) -> None:
    """接着反映这件: the second problem the message of the case just filed named becomes a report of its own, at
    that case's place unless it names its own."""
    offered = turn.state.next_report
    if not offered or not offered.get("text"):
        stale_button(turn)
        return
    turn.state.reset()
    text = offered["text"]
    carried = None
    if offered.get("address") and await turn.services.cases.place_known(text) is None:
        carried = Draft(address=offered["address"])
    await intake.understand(turn, text, forced_report=True, carried=carried)


# -- the category --------------------------------------------------------------------------------------


def _picker_rows(turn: Turn) -> list[list[Any]]:
    return midway.picker_rows(turn)


async def category_text(turn: Turn) -> None:
    """Words while the category is being picked: danger, a question (answered, then asked again), words that
    name a category (taken as the choice), or anything else (asked again; the draft stays)."""
    draft, text = _draft(turn), turn.incoming.text or ""
    if len(draft.choices) == 1 and plain(turn.norm.text) in midway.YES_WORDS:  # "确认" to "is it this?"
        turn.incoming = replace(turn.incoming, payload=CATEGORY_PREFIX + draft.choices[0])
        await choose_category(turn)
        return
    c = await _unless_danger(turn, draft, text)
    if c is None or await midway.correct_category(turn, draft, text, c) or await midway.answer_question(turn, text, c):
        return
    place = await turn.services.cases.place_known(text)
    if place is not None and not draft.has_place:  # the place, typed before the category was picked: kept
        draft.address = place
        turn.say(texts.ADDRESS_NOTED.format(address=place), remember_buttons=False)
        await midway.resume(turn)
        return
    intent = turn.services.understanding.intents.get(c.intent) if c.intent else None
    if intent is not None and intent.kind == "category":
        draft.intent, draft.subtype = c.intent, c.subtype
        draft.text = f"{draft.text}\n{text[: turn.services.max_chars]}".strip()
        turn.intent = draft.intent
        await filing.continue_report(turn, announce=True)
        return
    turn.say(texts.CATEGORY_TEXT_HINT, remember_buttons=False)
    await midway.resume(turn)


async def pick(turn: Turn) -> None:
    """选择问题类别 / 都不是 (any step with a draft): every category as buttons."""
    turn.state.step = Step.CONFIRM_CATEGORY
    turn.say(texts.PICK_CATEGORY, _picker_rows(turn))


async def choose_category(turn: Turn) -> None:
    """A category button: the report goes on as that category."""
    draft = _draft(turn)
    chosen = (turn.incoming.payload or "")[len(CATEGORY_PREFIX):]
    known = {cid for cid, _ in turn.services.understanding.categories()}
    if chosen != OTHER and chosen not in known:
        turn.say(texts.STALE_BUTTON)
        return
    if chosen != draft.intent:
        draft.subtype = None
    draft.intent = None if chosen == OTHER else chosen
    draft.picked = True
    turn.intent = draft.intent
    await filing.continue_report(turn, announce=True)


async def duplicate_text(turn: Turn) -> None:
    """Words while a similar case is offered: a question is answered, a corrected place ("不是3栋是5栋") replaces the
    address and the search is done again there, short words with no problem ("补充", "好的") are shown the choice,
    more of the same problem joins the draft — each time the offer is shown again; anything else starts afresh,
    naming the report that was set aside (it is not dropped without a word)."""
    text = turn.incoming.text or ""
    if await midway.answer_question(turn, text):
        return
    c = turn.services.understanding.classifier.classify(text)
    draft = _draft(turn)
    if c.act != "emergency" and (c.intent is None or midway.corrects_place(turn.norm.text)):
        place = await midway.corrected_place(turn, draft.address, text)
        if place is not None and place != draft.address:  # "不是3栋是5栋": another place, so maybe no such case there
            draft.address, draft.latitude, draft.longitude = place, None, None
            draft.duplicate_of, draft.duplicate_declined = None, False
            turn.say(texts.ADDRESS_CORRECTED.format(address=place), remember_buttons=False)
            await filing.continue_report(turn)
            return
    if c.act != "emergency" and c.intent is None and len(plain(turn.norm.text)) <= OFFER_HINT_MAX_CHARS:
        turn.say(texts.DUPLICATE_CHOOSE, remember_buttons=False)  # "补充", "好的": no new problem — the draft stays
        await midway.resume(turn)
        return
    if c.act != "emergency" and c.intent is not None and c.intent == draft.intent \
            and await turn.services.cases.place_known(text) is None:  # more of the same problem, no other place
        draft.text = f"{draft.text}\n{text[: turn.services.max_chars]}".strip()
        turn.say(texts.DETAIL_NOTED, remember_buttons=False)
        await midway.resume(turn)
        return
    set_aside(turn)
    await intake.understand(turn, text, classified=c)


async def file_as_drafted(turn: Turn) -> None:
    """我要反映这个问题 / 仍按一般诉求提交: file what the draft already says."""
    await filing.continue_report(turn, announce=True)


async def no_thanks(turn: Turn) -> None:
    """不用了 (any step): nothing is filed."""
    turn.state.reset()
    turn.say(texts.THANKS_REPLY, remove_keyboard=True)


async def retry(turn: Turn) -> None:
    """再试一次 after filing failed (any step with a draft)."""
    await filing.continue_report(turn)


# -- the place and the photo ---------------------------------------------------------------------------


async def address_text(turn: Turn) -> None:
    """An address, unless it is danger or "跳过" (a place cannot be skipped)."""
    draft, text = _draft(turn), turn.incoming.text or ""
    if is_skip(turn):
        turn.say(texts.ADDRESS_REQUIRED, [[cancel_row()]], request_location=True)
        return
    if draft.suggested and plain(turn.norm.text) in midway.YES_WORDS:  # "是" to "您说的是梨园小区2栋吗？"
        draft.address, draft.suggested = draft.suggested, None
        turn.say(texts.ADDRESS_CORRECTED.format(address=draft.address), remember_buttons=False)
        await filing.continue_report(turn)
        return
    c = await _unless_danger(turn, draft, text)
    if c is None or await midway.correct_category(turn, draft, text, c):
        return
    unplaced = await turn.services.cases.place_known(text) is None
    if unplaced and (await midway.answer_question(turn, text, c)
                     or (c.intent is None and midway.not_an_address(turn, draft, text))):  # words about the problem are detail
        return
    await _take_address(turn, draft, text, c)


async def _unless_danger(turn: Turn, draft: Draft, text: str) -> Any | None:
    """Words written while a report gathers its pieces, classified; danger is taken up first (then None):
    checked at every step, whatever we were asking."""
    c = turn.services.understanding.classifier.classify(text)
    if c.act == "emergency":
        await emergency.midway(turn, draft, text, c)
        return None
    return c


async def _take_address(turn: Turn, draft: Draft, text: str, c: Any) -> None:
    """An address typed by the resident; one it cannot place is questioned once, then taken as written."""
    cleaned = turn.norm  # `text` is this turn's message
    if len(cleaned.text) < 2:
        turn.say(texts.ADDRESS_TOO_SHORT, [[cancel_row()]], request_location=True)
        return
    typed = cleaned.original.strip()[:300]
    desk = turn.services.cases
    known = await desk.place_known(text)
    if known is None and draft.estate:  # "3栋" right after "梨园小区": the building of the estate just named
        known = await desk.place_known(draft.estate + text) or await desk.building_corrected(draft.estate, text)
        if known is not None:  # "不对，是3栋" after "梨园小区30栋": the place, not the words of the correction
            typed = known if midway.corrects_place(turn.norm.text) else f"{draft.estate}{typed}"[:300]
    if known is None and not draft.address_retried:
        draft.address_retried = True
        if c.intent is not None:  # "不对，我说的是油烟": more about the problem, not a place
            draft.text = f"{draft.text}\n{typed}".strip()
            turn.say(texts.ADDRESS_NOTED_DETAIL, [[cancel_row()]], request_location=True)
        else:
            await _address_not_found(turn, draft, text, typed)
        return
    draft.address = typed
    await filing.continue_report(turn)


async def _address_not_found(turn: Turn, draft: Draft, text: str, typed: str) -> None:
    """The first answer routing cannot place, questioned in the words of what is wrong with it: an estate of several
    grids without its building, a typo of a place it knows (offered: "是" takes it), an estate it knows with a
    building it does not list (QA: both were told the estate was not in the street), or nothing it knows."""
    desk = turn.services.cases
    estate = draft.estate = await desk.estate_without_building(text)
    if estate:
        said = texts.ADDRESS_NEEDS_BUILDING.format(estate=estate)
    elif (guess := await desk.place_guess(text)) is not None:
        draft.suggested, draft.estate = guess, await desk.estate_named(guess)
        said = texts.ADDRESS_DID_YOU_MEAN.format(address=short(typed, 30), place=guess)
    elif (named := await desk.estate_named(text)) is not None:
        draft.estate = named
        said = texts.ADDRESS_BUILDING_UNKNOWN.format(estate=named, address=short(typed, 30))
    else:
        said = texts.ADDRESS_UNCLEAR.format(address=short(typed, 30))
    midway.ask_address_again(turn, draft, said)


async def file_without_place(turn: Turn) -> None:
    """先提交，由工作人员核实地点 (offered after repeated answers with no place): filed with no place — it waits in the
    queue of whoever covers the street, and the receipt says the place is to be checked before anyone is sent."""
    draft = _draft(turn)
    draft.no_place = True
    await filing.continue_report(turn)


async def take_location(turn: Turn) -> None:
    """A shared location while a report gathers its pieces: the shared place is the report's place."""
    draft = _draft(turn)
    draft.latitude, draft.longitude = turn.incoming.latitude, turn.incoming.longitude
    turn.say(texts.LOCATION_RECEIVED, remove_keyboard=True, remember_buttons=False)
    await filing.continue_report(turn)


async def take_photo(turn: Turn) -> None:
    """A photo while a report gathers its pieces: kept (with its caption), and the report goes on."""
    draft = _with_photo(turn)
    turn.say(texts.PHOTO_RECEIVED, remember_buttons=False)
    draft.photo_asked = True
    await filing.continue_report(turn)


async def keep_photo(turn: Turn) -> None:
    """A photo while the category is being picked: kept for the report; the category is still to be picked."""
    _with_photo(turn)
    turn.say(texts.PHOTO_RECEIVED, remember_buttons=False)


async def skip_photo(turn: Turn) -> None:
    """跳过，不传照片: no photo."""
    _draft(turn).photo_asked = True
    await filing.continue_report(turn)


async def photo_text(turn: Turn) -> None:
    """Words instead of a photo, read for what they are (they filed the case at once, whatever they said): "跳过" or
    "没拍照片" (filed without one), danger, a corrected category or place, a question (answered: how long it takes,
    how to send a photo, the knowledge base), a new problem; an acknowledgement or more detail keeps the step."""
    draft, text = _draft(turn), turn.incoming.text or ""
    if says_no_photo(turn):
        await skip_photo(turn)
        return
    c = await _unless_danger(turn, draft, text)
    if c is None or await midway.correct_category(turn, draft, text, c) or await _photo_step_question(turn, draft, text):
        return
    if await midway.answer_question(turn, text, c) or await another_problem(turn, draft, text, c):
        return
    place = await midway.corrected_place(turn, draft.address, text)
    simplify = turn.services.normalizer.simplify
    if place is not None and (not draft.address or simplify(place) not in simplify(draft.address)):
        draft.address = place  # the place routing found, not the whole sentence ("地址说错了，是…")
        draft.latitude = draft.longitude = None
        turn.say(texts.ADDRESS_CORRECTED.format(address=draft.address) + texts.ASK_PHOTO,
                 photo_buttons())
        return
    if place is None and midway.corrects_place(turn.norm.text):  # "地址错了" with no place we know: ask for it
        draft.address, draft.latitude, draft.longitude = None, None, None
        draft.address_retried, draft.estate, draft.suggested = False, None, None
        turn.state.step = Step.AWAIT_ADDRESS
        turn.say(texts.ADDRESS_TO_CORRECT, [[cancel_row()]], request_location=True)
        return
    if midway.says_nothing(plain(turn.norm.text)):  # "好的", "嗯", "1": not a description
        turn.say(texts.PHOTO_OR_SKIP, photo_buttons())
        return
    draft.text = f"{draft.text}\n{text[: turn.services.max_chars]}".strip()  # more detail: kept, the photo still asked
    turn.say(texts.PHOTO_STEP_DETAIL_NOTED + texts.ASK_PHOTO, photo_buttons())


async def _photo_step_question(turn: Turn, draft: Draft, text: str) -> bool:
    """At the photo step, "这个多久能处理？" is answered with the category's time limit, and "照片怎么发？" with how."""
    simple = turn.norm.text
    if midway.asks_how_long(simple):
        hours = turn.services.understanding.deadline_hours(draft.intent, draft.subtype)
        name = turn.services.understanding.category_name(draft.intent)
        turn.say(texts.HOW_LONG_ANSWER.format(category=name, deadline=texts.deadline_text(hours)), remember_buttons=False)
    elif midway.asks_how_to_send_photo(simple):
        turn.say(texts.PHOTO_HOW, remember_buttons=False)
    else:
        return False
    await midway.resume(turn)
    return True


async def another_problem(turn: Turn, draft: Draft, text: str, c: Any) -> bool:
    """Words that clearly name another problem, at the photo or a category question: this report is filed as it
    stands, then the new one is taken up (or said to come next). False when the words are about this one."""
    if c.intent is None or c.intent == draft.intent or c.confidence < NEW_PROBLEM_CONFIDENCE:
        return False
    category_questions.done_asking(turn, draft)  # no more questions of this report's category, nor the photo
    draft.photo_asked = True
    await filing.continue_report(turn)
    if turn.state.step is Step.IDLE:
        await intake.understand(turn, text, classified=c)
    else:
        turn.say(texts.ANOTHER_PROBLEM_LATER.format(text=short(text, 30)), remember_buttons=False)
    return True


def _draft(turn: Turn) -> Draft:
    """The draft a report step works on (the step table calls these handlers only when there is one)."""
    draft = turn.state.draft
    assert draft is not None
    return draft


def _with_photo(turn: Turn) -> Draft:
    draft = _draft(turn)
    draft.photos.append(turn.incoming.photo_file_id or "")
    caption = turn.incoming.text
    if caption:
        draft.text = f"{draft.text}\n{caption}".strip()
    return draft

