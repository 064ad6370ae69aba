"""What residents say while a report is being put together that is not the answer asked for: giving up in
their own words, correcting the category, asking a question, or words that are no address. Each is taken
for what it is, and the step the report waits in is asked again (`resume`) with the draft as it was.
"""

from __future__ import annotations

import re
from typing import Any

from bot import wording as texts
from bot.dialog.resident import category_questions, filing, question, status
from bot.dialog.resident.common import (
    CATEGORY_PREFIX,
    FILE_IT,
    NO_PLACE,
    NO_THANKS,
    OTHER,
    PICK,
    cancel,
    cancel_row,
    photo_buttons,
    plain,
)
from bot.dialog.state import Draft, Step
from bot.dialog.turn import Turn, rows_of

#: Giving up, in residents' words ("算了算了，不投诉了", "不弄了", "先不报了"): nothing is filed.
_GIVE_UP = re.compile(
    r"^(?:(?:那|那就|还是|哎|唉|嗯)?(?:算了|算啦|拉倒|罢了)(?:吧|啦)?)+$"
    r"|不(?:想|要|用)?(?:投诉|反映|举报|报|弄|搞|登记|提交)(?:了|啦)"
    r"|(?:先|暂时|还是)不(?:投诉|反映|报|弄|登记|提交)(?!警)"
    r"|(?:别|不要|不用)(?:登记|提交|报|投诉|立案)(?!警|复|销)(?:了)?"
    r"|(?:撤回|撤销)(?:吧|了)?$"
)
#: Only a short message gives up: a long one that contains "不管了" is still a story to read.
GIVE_UP_MAX_CHARS = 24
#: A correction of what was said before: "不对不对，不是停车，是…", "搞错了，应该是…", "我说错了".
_CORRECTION = re.compile(r"^(?:不对|不是|错了|搞错|弄错|说错|写错|更正|纠正|改一下|应该是|我是说|我说的是"
                         # "算了，还是说说我家楼上漏水吧" (QA6: it was added to the old problem's words)
                         r"|(?:算了|那|哎|不说这个了)*还是(?:先)?(?:说说|说一下|讲讲|说|反映|报)|换个事|换一件事|说另一件事)")
#: Words that say the place given was wrong: "地址说错了", "位置写错了", "楼号打错了", "不对，应该是…", "更正一下".
_PLACE_WORD_WRONG = (r"(?:地址|地点|位置|门牌|楼号|楼栋|栋号|小区)[^，。,.]{0,3}"
                     r"(?:说错|写错|填错|打错|搞错|弄错|错了|不对|有误|更正|改一下|改成|改为|应该)")
_PLACE_WRONG = re.compile(_PLACE_WORD_WRONG + r"|^(?:我)?(?:刚才|刚刚)?"  # "我刚才报错了，不是3栋是5栋" (QA6)
                                              r"(?:报错了|不对|不是|错了|搞错了|弄错了|说错了|写错了|打错了|填错了"
                                              r"|更正|纠正|改一下|应该是|我是说|我说的是)")
_PLACE_NAMED_WRONG = re.compile(_PLACE_WORD_WRONG)
#: "这个多久能处理？", "什么时候来修": how long the case being reported will take (its category's time limit answers it).
_HOW_LONG = re.compile(r"(?:多久|多长时间|几天|什么时候|啥时候|哪天|何时)(?:能|会|可以|才|来|给|就)?.{0,4}"
                       r"(?:处理|解决|办|修|弄|管|来|清|好|回复|有人)")
#: "照片怎么发？", "发不了照片": how to send a photo, asked at the photo step.
_PHOTO_HOW = re.compile(r"(?:怎么|怎样|如何|在哪)(?:发|传|上传|拍|添加)|(?:发|传)不(?:了|上|出去)")
#: "不是X，是Y": the words say which category it is not (so the first-scoring one may be set aside).
_NOT_THIS_BUT = re.compile(r"不是.{1,15}?(?:而)?是")
#: A correction saying less than this beyond "不是X，是" ("油烟") names the category, not the problem: it is asked for.
NEW_PROBLEM_MIN_CHARS = 8
#: A weaker category taken over the one the words deny only with this much of its own evidence.
CORRECTION_MIN_SCORE = 1.0
#: Short answers that are never an address, however often they are sent.
NEVER_ADDRESS = {"确认", "确定", "好的", "好", "嗯", "嗯嗯", "是的", "是", "对", "对的", "ok", "知道了", "收到", "谢谢", "没有",
                 "有", "在", "在吗", "你好", "您好", "行", "可以", "哦", "啊"}
#: What an address looks like: a number with a building word, or a word for an estate, road or landmark.
_PLACE_SHAPE = re.compile(
    r"\d+\s*(?:栋|幢|号|楼|单元|室|座|#|-)|[一二三四五六七八九十两]+(?:栋|幢|号楼|单元|楼)"
    r"|小区|花园|苑|园|庭|府|公寓|大厦|广场|新村|村|里|巷|弄|街|路|道|院|城|湾|邸|门口|南门|北门|东门|西门|楼下|楼道"
    r"|商铺|市场|公园|学校|小学|中学|医院|超市|车站|对面|旁边|附近")
#: Words that say nothing of a place however often sent ("随便", "无所谓", "哈哈", "123"): never taken as the address.
_JUNK = re.compile(r"^(?:随便|随意|无所谓|都行|都可以|啥都行|不告诉你|不想说|保密|乱写的?|瞎写的?|(?:哈|呵|嘿|嘻|啊|额|呃)+"
                   r"|[\d\W_]+|[a-z]{1,3})$")
#: Answers at the address step that give no place before the resident is offered 先提交 (staff check the place).
ADDRESS_TRIES = 3
#: A question about the address itself ("你们网格员不知道我住哪吗？", "为什么要地址"): why we ask is answered.
_ABOUT_ADDRESS = re.compile(r"住哪|住在哪|地址|哪里|哪儿|位置|定位|门牌|知道我")
#: "I don't know (where)": no address, but a location or a landmark will do.
#: A place in this desk's street is written in Chinese: words with no Chinese character at all are no address.
_CJK = re.compile(r"[\u3400-\u9fff]")
_DONT_KNOW = re.compile(r"^(?:我)?(?:也)?(?:不知道|不清楚|不晓得|不记得|忘了|说不清|不懂)")


#: A yes to "is it this?" (one candidate category).
YES_WORDS = {"是", "是的", "对", "对的", "对啊", "嗯", "嗯嗯", "确认", "确定", "没错", "好", "好的", "就是", "就是这个", "是这个",
             "ok", "yes"}


def gives_up(turn: Turn) -> bool:
    text = plain(turn.norm.text)
    return 0 < len(text) <= GIVE_UP_MAX_CHARS and _GIVE_UP.search(text) is not None


def corrects(text: str) -> bool:
    return _CORRECTION.search(plain(text)) is not None


def corrects_place(text: str, *, says_place: bool = False) -> bool:
    """`text` (Simplified) says that a place given before was wrong (whether it names the right one is routing's);
    `says_place`: only when it says so in words of a place ("地址说错了"; a bare "不对" is not enough)."""
    return (_PLACE_NAMED_WRONG if says_place else _PLACE_WRONG).search(plain(text)) is not None


#: Words that start a second problem in the same message ("…没人清运，另外路灯也坏了", "…，还有广场舞太吵").
ALSO_SAID = re.compile(r"还有|另外|此外|再有|再就是|顺便说一下|顺便|以及")
#: Sounds a correction may open with ("哦，不对…", "啊说错了…").
_OPENING_SOUNDS = re.compile(r"^(?:哦|噢|喔|啊|呃|额|嗯|哎|唉|呀)+")
#: A message this short that names a building is an answer about the place ("5栋", "是5栋的"), not more detail.
BUILDING_ALONE_MAX_CHARS = 6


async def corrected_place(turn: Turn, address: str | None, text: str) -> str | None:
    """The place `text` names (`place_known`), or — when it corrects `address` ("不是3栋是5栋", "是5栋") — the same
    estate with the building it gives: a bare building named no place and re-asked for the whole address (QA)."""
    desk = turn.services.cases
    place = await desk.place_known(text)
    if place is not None or not address:
        return place
    said = _OPENING_SOUNDS.sub("", plain(turn.norm.text))  # "哦不对，应该是4栋的": the correction after the "哦"
    if not corrects_place(said) and len(said) > BUILDING_ALONE_MAX_CHARS:
        return None  # "5栋也一样": more about the problem, not where it is
    return await desk.building_corrected(address, text)


def asks_how_long(text: str) -> bool:
    """`text` (Simplified) asks when the problem being reported will be dealt with."""
    return len(text) <= 40 and _HOW_LONG.search(plain(text)) is not None


def asks_how_to_send_photo(text: str) -> bool:
    return len(text) <= 40 and _PHOTO_HOW.search(plain(text)) is not None


def give_up(turn: Turn) -> None:
    """算了 / 不投诉了: like 取消 — the draft goes, and nothing was filed."""
    cancel(turn)


def too_long(turn: Turn) -> bool:
    """A message over the length cap, in the middle of a report: not mixed into the draft."""
    if not turn.norm.truncated:
        return False
    turn.say(texts.TOO_LONG_MIDWAY.format(limit=turn.services.max_chars), remember_buttons=False)
    return True


async def correct_category(turn: Turn, draft: Draft, text: str, c: Any) -> bool:
    """"不对不对，不是停车，是…": the category named now replaces the old one (and the resident is told);
    False when the words name no other category."""
    if not corrects(text):
        return False
    intents = turn.services.understanding.intents

    def category(intent_id: str | None) -> bool:
        found = intents.get(intent_id) if intent_id else None
        return found is not None and found.kind == "category" and intent_id != draft.intent

    # "不是停车，是…消防通道…" may still score parking first: the words said it is not that one.
    ranked = sorted(((s, i) for i, s in (c.scores or {}).items() if s >= CORRECTION_MIN_SCORE and category(i)),
                    reverse=True)
    denied = _NOT_THIS_BUT.search(plain(text)) is not None
    chosen = c.intent if category(c.intent) else (ranked[0][1] if ranked and denied else None)
    if chosen is None:
        return False
    old = turn.services.understanding.category_name(draft.intent)
    draft.intent, draft.subtype, draft.picked = chosen, c.subtype if chosen == c.intent else None, False
    said = text[: turn.services.max_chars]
    if not draft.address:  # the place the old words named stays the report's place, whatever they described
        draft.address = await turn.services.cases.place_known(draft.text) or await turn.services.cases.place_known(text)
    # The old words stay only where they also speak of the new problem; else they described the wrong one.
    keeps_old = bool(draft.text) and (turn.services.understanding.classifier.classify(draft.text).scores or {}).get(chosen, 0) > 0
    draft.text = f"{draft.text}\n{texts.CORRECTION_PREFIX}{said}".strip() if keeps_old else said.strip()
    new = turn.services.understanding.category_name(draft.intent)
    turn.say(texts.CATEGORY_CORRECTED.format(old=old, new=new), remember_buttons=False)
    if not keeps_old and len(_correction_rest(text)) < NEW_PROBLEM_MIN_CHARS:  # "不是噪音，是油烟": what about it?
        draft.new_problem_asked = True
        turn.state.step = Step.AWAIT_DESCRIPTION
        turn.say(texts.ASK_NEW_PROBLEM.format(category=new), [[cancel_row()]])
        return True
    await filing.continue_report(turn)
    return True


def _correction_rest(text: str) -> str:
    """What a correction says beyond "不对，不是X，是": "不是噪音，是油烟" → "油烟"."""
    rest = _CORRECTION.sub("", plain(text), count=1)
    return _NOT_THIS_BUT.sub("", rest, count=1)


async def answer_question(turn: Turn, text: str, c: Any = None) -> bool:
    """A question asked at a step: how the resident's earlier case stands ("我上次那个投诉怎么样了"), or the knowledge
    base's answer when it is sure; then the step goes on."""
    simple = turn.services.normalizer.simplify(text)
    if status.asks_status(simple):
        await status.in_words(turn, c if c is not None else turn.services.understanding.classifier.classify(text))
        await resume(turn)
        return True
    if not question.is_question(simple):
        return False
    found = question.confident_answer(turn, text)
    step = turn.state.step
    if found is None:
        if step is Step.AWAIT_ADDRESS and _ABOUT_ADDRESS.search(turn.services.normalizer.simplify(text)):
            turn.say(texts.WHY_ADDRESS, remember_buttons=False)  # "你们不知道我住哪吗？": why we ask
        elif step in (Step.AWAIT_PHOTO, Step.AWAIT_ADDRESS):  # not taken as more detail (QA6: "摆摊归谁管啊")
            turn.say(texts.QUESTION_MIDWAY, remember_buttons=False)
        else:
            return False
    else:
        question.say_answer(turn, found)
    await resume(turn)
    return True


def says_nothing(text: str) -> bool:
    """"好的", "嗯", "1", "哈哈": no answer, no place, no detail (`text` plain, Simplified)."""
    return text in NEVER_ADDRESS or text in YES_WORDS or _JUNK.search(text) is not None


def not_an_address(turn: Turn, draft: Draft, text: str) -> bool:
    """Words that are no address ("不知道", "确认", "好的"): asked again with an example and the location
    button; True when that was the case (the draft is left as it was). A short name with nothing of an address's
    shape ("金地名京") is questioned once, then taken as written — the desk does not know every estate."""
    cleaned = plain(turn.norm.text)
    if _DONT_KNOW.search(cleaned):
        ask_address_again(turn, draft, texts.ADDRESS_DONT_KNOW)
        return True
    shaped = _PLACE_SHAPE.search(cleaned) is not None  # "3-2-501" is digits and dashes, and an address
    if not shaped and _CJK.search(cleaned) is None:  # "<script>…", "DROP TABLE": never taken as written (QA6)
        ask_address_again(turn, draft, texts.NOT_AN_ADDRESS.format(text=text.strip()[:20]))
        return True
    if cleaned not in NEVER_ADDRESS and cleaned not in YES_WORDS and (shaped or not _JUNK.search(cleaned)):
        if shaped or len(cleaned) > 12 or draft.address_retried:
            return False
        draft.address_retried = True
    ask_address_again(turn, draft, texts.NOT_AN_ADDRESS.format(text=text.strip()[:20]))
    return True


def ask_address_again(turn: Turn, draft: Draft, text: str) -> None:
    """One more answer that gave no place: asked again — or, at the `ADDRESS_TRIES`th, told plainly that nobody
    can be sent without one, with the location button, 先提交 (staff check the place first) and 取消."""
    draft.address_tries += 1
    if draft.address_tries < ADDRESS_TRIES:
        turn.say(text, [[cancel_row()]], request_location=True)
        return
    turn.say(texts.ADDRESS_GIVE_UP, [[(texts.BTN_FILE_WITHOUT_PLACE, NO_PLACE)], [cancel_row()]], request_location=True)


#: How evidence other than photos is kept in a draft's (and a case's) `photos` list: "voice:<file id>".
EVIDENCE_PREFIXES = {"voice": "voice:", "file": "file:"}
#: Steps where a report is being put together (a voice note or a file sent then is its evidence).
_REPORT_STEPS = (Step.AWAIT_DESCRIPTION, Step.CONFIRM_CATEGORY, Step.CONFIRM_OUTSIDE, Step.OFFER_FILE,
                 Step.AWAIT_ADDRESS, Step.AWAIT_PHOTO, Step.CONFIRM_DUPLICATE)


def drafting(turn: Turn) -> bool:
    return turn.state.draft is not None and turn.state.step in _REPORT_STEPS


async def evidence_help(turn: Turn) -> None:
    """A voice note or a file with no report under way: what the desk can take, and how to type it instead."""
    turn.say(texts.VOICE_HELP if turn.incoming.kind == "voice" else texts.FILE_HELP)


async def evidence(turn: Turn) -> None:
    """A voice note or a file while a report is drafted: kept as its evidence, and the step goes on."""
    inc = turn.incoming
    if not drafting(turn) or not inc.file_id:
        await evidence_help(turn)
        return
    draft = turn.state.draft
    assert draft is not None
    draft.photos.append(EVIDENCE_PREFIXES[inc.kind] + inc.file_id[:180])
    if inc.text:
        draft.text = f"{draft.text}\n{inc.text[: turn.services.max_chars]}".strip()
    turn.say(texts.VOICE_ATTACHED if inc.kind == "voice" else texts.FILE_ATTACHED, remember_buttons=False)
    await resume(turn)


async def other_content(turn: Turn, notice: str) -> None:
    """A sticker, a forwarded message, an edit, someone else's contact: a clear answer, and a report being
    drafted goes on where it was (its buttons shown again)."""
    turn.say(notice, remember_buttons=False)
    if drafting(turn):
        await resume(turn)


async def resume(turn: Turn) -> None:
    """Ask again what the step the report waits in asks, with its buttons (nothing in the draft changes)."""
    step, draft, svc = turn.state.step, turn.state.draft, turn.services
    if draft is None:
        return
    name = svc.understanding.category_name(draft.intent)
    if step is Step.AWAIT_ADDRESS:
        turn.say(texts.EMERGENCY_ASK_ADDRESS if draft.urgent else texts.ASK_ADDRESS_AGAIN, [[cancel_row()]],
                 request_location=True)
    elif step is Step.AWAIT_PHOTO:
        turn.say(texts.ASK_PHOTO, photo_buttons())
    elif step is Step.CONFIRM_CATEGORY:
        turn.say(*category_prompt(turn, draft))
    elif step is Step.OFFER_FILE:
        turn.say(texts.OFFER_FILE.format(category=name), [[(texts.BTN_FILE_IT, FILE_IT), (texts.BTN_NO_THANKS, NO_THANKS)]])
    elif step is Step.CONFIRM_OUTSIDE:
        turn.say(texts.OUTSIDE_DESK, [[(texts.BTN_FILE_ANYWAY, FILE_IT)], [(texts.BTN_PICK_CATEGORY, PICK)],
                                      [(texts.BTN_NO_THANKS, NO_THANKS)]])
    elif step is Step.AWAIT_DESCRIPTION:
        turn.say(texts.ASK_NEW_PROBLEM.format(category=name) if draft.new_problem_asked else texts.ASK_DESCRIPTION,
                 [[cancel_row()]])
    elif step is Step.CONFIRM_DUPLICATE:
        await filing.continue_report(turn)
    elif step is Step.AWAIT_ANSWER:
        category_questions.ask_current(turn, draft)


def category_prompt(turn: Turn, draft: Draft) -> tuple[str, list[list[Any]]]:
    """"Which of these?" — or, with one candidate only, "is it this?" (never one category plus 都不是)."""
    understanding = turn.services.understanding
    choices = [i for i in draft.choices if understanding.intents.get(i) is not None]
    if len(choices) == 1:
        name = understanding.category_name(choices[0])
        return texts.CONFIRM_ONE.format(category=name), [
            [(texts.BTN_YES_THIS.format(category=name), CATEGORY_PREFIX + choices[0])],
            [(texts.BTN_OTHER_CATEGORY, PICK), cancel_row()]]
    if choices:
        buttons = [(understanding.category_name(i), CATEGORY_PREFIX + i) for i in choices]
        return texts.CONFIRM_CATEGORY, [*rows_of(buttons, 2), [(texts.BTN_NONE_OF_THESE, PICK), cancel_row()]]
    return texts.REPORT_NEEDS_DETAIL, picker_rows(turn)


def picker_rows(turn: Turn) -> list[list[Any]]:
    """Every category as a button, then 其他诉求 and 取消."""
    buttons: list[Any] = [(name, CATEGORY_PREFIX + cid) for cid, name in turn.services.understanding.categories()]
    buttons.append((texts.OTHER_NAME, CATEGORY_PREFIX + OTHER))
    return [*rows_of(buttons, 3), [cancel_row()]]
