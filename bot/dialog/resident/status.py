"""Status in words: "我那个投诉怎么样了", "前两天反映的噪音的事现在怎么样了？" — the resident's open case shown
(state, who has it, by when); with several, the resident picks (a category word narrows them); with none, said so.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from bot import wording as texts
from bot.dialog.resident.common import OTHER
from bot.dialog.resident.filing import filed_without_place
from bot.dialog.turn import Turn, rows_of

#: Button data of "this one" when the resident has several cases: d:st:<case id>.
STATUS_PREFIX = "d:st:"
#: A case the resident made ("我那个投诉", "上次反映的", "报的那件事") and a word asking how it stands.
_STATUS = re.compile(
    r"(?:投诉|反映|举报|报修|报的|报了|提的|登记|诉求|案子|案件|那件事|那个事|的事)"
    r"[^。！!]{0,20}?"
    r"(?:怎么样了|怎样了|咋样了|如何了|进展|进度|处理结果|处理了没|处理了吗|处理没|有人管|管没管|有没有人管|有人处理|有回音|有消息|"
    r"到哪一?步|弄好了没|办了没|解决了没|解决了吗|有下文|什么情况|啥情况|没人管|没人处理|还没处理|还没解决|没动静|没回音|"
    # "我报的那个修好了吗" (QA6: it got the category picker)
    r"(?:修|弄|搞|处理|办)好了?(?:吗|没|没有|么)|搞定了?(?:吗|没|没有)|有人来了?(?:吗|没|没有)|来(?:修|看)了?(?:吗|没|没有))"
    # "我上次那个怎么样了": no word for a case, but "the one from last time" and how it stands
    r"|^我?(?:上次|之前|上回|前[几两]天|昨天)(?:那个|那件|的那个|的那件)(?:事|事情)?(?:现在)?"
    r"(?:怎么样了|怎样了|咋样了|如何了|有进展了?吗?|有消息了?吗?|处理了没|处理了吗|解决了没|解决了吗)"
    # "路灯那个怎么样了": a kind of problem and "that one" (QA6: it started a new report)
    r"|^[^，。！!？?]{1,8}?的?那(?:个|件)(?:事|事情)?(?:现在)?(?:怎么样了|怎样了|咋样了|如何了|处理了没|处理了吗|解决了没|解决了吗"
    r"|修好了?(?:吗|没))")
#: "编号是多少来着", "我的案件号": the number of a case of theirs (QA6: it got the greeting) — no word of their own
#: needed, a desk's case number is always theirs.
_NUMBER_ASKED = re.compile(
    r"(?:编号|案件号|案号|单号|工单号|受理号|回执号)[^。！!]{0,6}?(?:多少|是什么|是啥|几号|忘了|忘记|来着|查一下|在哪|发我|给我)"
    r"|^(?:我的|我那个|我那件|刚才的?|上次的?)(?:案件|投诉|诉求|反映|工单)?的?(?:编号|案件号|案号|单号|工单号|受理号|回执号)(?:呢|是)?$"
    r"|^(?:忘了|忘记了?)(?:案件|投诉)?(?:编号|案件号|单号|工单号)")
#: A new report that mentions reporting ("我要投诉…一直没人管"): not a question about a case filed here.
_NEW_REPORT = re.compile(r"要投诉|要反映|要举报|想投诉|想反映|投诉一下|反映一下|反映个|投诉个|再反映|再投诉|举报一下")
#: Someone refers to a case of their own, not to a problem happening now.
_OWN = re.compile(r"我|俺|咱|上次|之前|前[几两]天|昨天|那个|那件")
STATUS_MAX_CHARS = 50
#: Cases a resident may still ask about: open ones, and resolved ones waiting for a rating.
ASKABLE = ("filed", "assigned", "accepted", "returned", "resolved")
MAX_SHOWN = 5


def asks_status(text: str) -> bool:
    """`text` in Simplified asks how the resident's own case stands."""
    if len(text) > STATUS_MAX_CHARS or _NEW_REPORT.search(text) is not None:
        return False
    return (_OWN.search(text) is not None and _STATUS.search(text) is not None) or _NUMBER_ASKED.search(text) is not None


async def in_words(turn: Turn, c: Any) -> None:
    """Show the case the resident asks about, let them pick among several, or say there is none."""
    svc = turn.services
    cases = [k for k in await svc.cases.resident_cases(turn.user_id, limit=20, channel=turn.channel) if k.state in ASKABLE]
    if not cases:
        turn.say(texts.STATUS_NONE)
        return
    intent = svc.understanding.intents.get(c.intent) if c is not None and c.intent else None
    named = [k for k in cases if intent is not None and k.intent == intent.id]
    if intent is not None and intent.kind == "category" and not named:  # "噪音的事" but no noise case open
        turn.say(texts.STATUS_NO_SUCH_KIND.format(category=intent.name), remember_buttons=False)
    elif named:
        cases = named
    if len(cases) == 1 and (named or intent is None or intent.kind != "category"):
        turn.say(await describe(turn, cases[0]))
        return
    buttons = [(texts.STATUS_BUTTON.format(number=k.number,
                                        category=svc.understanding.category_name(k.intent if k.intent != OTHER else None)),
                f"{STATUS_PREFIX}{k.id}") for k in cases[:MAX_SHOWN]]
    turn.say(texts.STATUS_PICK.format(count=len(cases)) if len(cases) > 1 else texts.STATUS_PICK_ONE, rows_of(buttons, 1))


async def show_one(turn: Turn) -> None:
    """The pressed d:st:<id> button: that case, when it is the resident's own or one they joined."""
    raw = (turn.incoming.payload or "")[len(STATUS_PREFIX):]
    case = await turn.services.cases.get_case(int(raw)) if raw.isdigit() else None
    if case is None or not case.involves(turn.channel, turn.user_id):
        turn.say(texts.STALE_BUTTON)
        turn.toast(texts.STALE_BUTTON)
        return
    turn.say(await describe(turn, case))
    turn.toast(case.number)


async def describe(turn: Turn, case: Any) -> str:
    """One case in words: its state, who has it (or who names someone: the case desk's own answer, the one its
    queue push and the receipt went by) and the deadline."""
    svc = turn.services
    if case.assignee_name and case.level == "grid":
        who = texts.STATUS_WHO_WORKER.format(grid=case.grid_name or "", worker=case.assignee_name)
    elif case.assignee_name:
        who = texts.STATUS_WHO_DISPATCHER.format(level=texts.LEVEL_NAMES.get(case.level, case.level), name=case.assignee_name)
    elif case.state in ("filed", "returned") and filed_without_place(case):
        who = texts.STATUS_WHO_NO_PLACE
    elif case.state in ("filed", "returned", "assigned", "accepted"):
        told = await svc.cases.queue_told(case.id)
        who = texts.STATUS_WHO_QUEUE.format(told=told) if told else texts.STATUS_WHO_WAITING
    else:
        who = texts.STATUS_WHO_NOBODY
    deadline = case.deadline_at.astimezone(ZoneInfo(svc.timezone)).strftime(texts.STATUS_DEADLINE_FORMAT)
    return texts.STATUS_ONE.format(
        number=case.number, category=svc.understanding.category_name(case.intent if case.intent != OTHER else None),
        state=texts.state_in_chat(case.state), who=who, deadline=deadline)
