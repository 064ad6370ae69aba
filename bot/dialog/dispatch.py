"""A dispatcher's (or admin's) hands on cases in chat: 派给 on a queued case, 改派 on one a grid worker holds,
each button naming the worker's open load; `/case NUMBER` shows one case with them. The case service decides
who may (`assign` refuses another community's dispatcher); this only offers the buttons."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot import wording as texts
from bot.cases import callbacks
from bot.cases.views import CaseView, WorkerView
from bot.dialog.turn import Turn
from bot.errors import CaseError

#: A case number as the desk writes it (20261202-0001).
CASE_NUMBER = re.compile(r"\b\d{8}-\d{4}\b")
#: Workers offered per case (two per row).
OFFERED = 8

T = TypeVar("T")
Rows = list[tuple[tuple[str, str], ...]]


def dispatches(worker: WorkerView | None, is_admin: bool) -> bool:
    """Community dispatchers, street supervisors and admins (with no worker role) place cases."""
    return (worker is None and is_admin) or (worker is not None and worker.role != "grid")


def covers(worker: WorkerView | None, is_admin: bool, case: CaseView) -> bool:
    """May this person see the case with 派给/改派 buttons (admins: any case)?"""
    if worker is None:
        return is_admin
    if worker.role == "community":
        return case.community_id is not None and case.community_id == worker.community_id
    if worker.role == "street":
        return case.street_id is not None and case.street_id == worker.street_id
    return False


async def offer(turn: Turn, case: CaseView, cache: dict[str | None, list[WorkerView]],
                me: WorkerView | None) -> tuple[Rows, str]:
    """The 派给 rows for a case nobody (or the dispatcher himself) holds, the 改派 rows for one a grid worker
    holds; and a line for the card (who holds it, or that nobody can be given it)."""
    if case.community_id not in cache:
        cache[case.community_id] = await turn.services.cases.assign_choices(case.community_id)
    workers = [w for w in cache[case.community_id] if w.id != case.assignee_id][:OFFERED]
    held = case.assignee_id is not None and (me is None or case.assignee_id != me.id)
    verb = texts.BTN_REASSIGN if held else texts.BTN_ASSIGN
    rows: Rows = [tuple((texts.BTN_ASSIGN_TO.format(verb=verb, name=w.name[:8], load=w.open_cases),
                          callbacks.make(callbacks.ASSIGN, case.id, w.id))
                        for w in workers[i:i + 2]) for i in range(0, len(workers), 2)]
    line = texts.HELD_BY.format(name=case.assignee_name or "") if held else ""
    if not workers:
        line = "\n".join(x for x in (line, texts.QUEUE_NO_WORKERS) if x)
    return rows, line


async def show_case(turn: Turn, arg: str) -> None:
    """/case NUMBER: one case as its card, with 派给/改派 for whoever places cases there."""
    found = CASE_NUMBER.search(arg)  # "/case 20261202-0001 改派 李网格": the number, then what to do with it
    number = found.group(0) if found else arg.strip()
    rest = (arg[found.end():] if found else "").strip()
    worker = await turn.worker()
    if not number:
        turn.say(texts.CASE_USAGE)
        return
    if worker is None and not turn.is_admin:
        turn.say(texts.NOT_A_WORKER)
        return
    from bot.dialog import worker as worker_flow  # the card and the worker's own buttons live there

    case = await turn.services.cases.find_case(number)
    own = case is not None and worker is not None and case.assignee_id == worker.id
    if case is None or not (own or covers(worker, turn.is_admin, case)):
        turn.say(texts.NO_SUCH_CASE.format(number=number[:20]) + "\n" + texts.CASE_USAGE)
        return
    if rest and dispatches(worker, turn.is_admin) and covers(worker, turn.is_admin, case):
        case = await _act(turn, case, rest, worker)
    rows: Rows = list(worker_flow.buttons_for(case)) if own and case.state in ("assigned", "accepted") else []
    text = worker_flow.card(turn, case, masked=not own)
    if dispatches(worker, turn.is_admin) and case.state in ("filed", "returned", "assigned", "accepted"):
        extra_rows, line = await offer(turn, case, {}, worker)
        rows += extra_rows
        text += f"\n{line}" if line else ""
    turn.say(text, tuple(rows), remember_buttons=False)


#: What a dispatcher writes after /case NUMBER: 督办 [意见], 改类 <类别>, 派给 / 改派 <姓名>.
_VERB = re.compile(r"^(?P<verb>督办|改类别?为?|类别改为|改为|改成|派给|派单给|改派给?|交给)[\s:：,，]*(?P<rest>.*)$", re.S)
_SUPERVISE, _ASSIGN_VERBS = ("督办",), ("派给", "派单给", "改派", "改派给", "交给")


async def _act(turn: Turn, case: CaseView, words: str, me: WorkerView | None) -> CaseView:
    """督办 / 改类 / 派给 typed after the case number (QA6: they made "/case" say there was no such case); the
    case as it stands after, for its card. The case service decides who may."""
    desk, matched = turn.services.cases, _VERB.match(words)
    verb, rest = (matched.group("verb"), matched.group("rest").strip()) if matched else ("", "")
    now: CaseView | None = None
    try:
        if verb in _SUPERVISE:
            now = await desk.supervise(case.id, turn.user_id, rest[:300], channel=turn.channel)
            turn.say(texts.SUPERVISED_DONE.format(number=case.number), remember_buttons=False)
        elif verb in _ASSIGN_VERBS and rest:
            choices = await desk.assign_choices(case.community_id)
            chosen = _one(choices, rest, lambda w: w.name)
            if chosen is None:
                turn.say(texts.NO_WORKER_NAMED.format(name=rest[:12]), remember_buttons=False)
            else:
                now = await place(turn, callbacks.CaseCallback(callbacks.ASSIGN, case.id, str(chosen.id)), me)
        elif verb and rest:  # 改类
            categories = turn.services.understanding.categories()
            picked = _one(categories, rest, lambda c: c[1])
            if picked is None:
                turn.say(texts.NO_CATEGORY_NAMED.format(name=rest[:12], names="、".join(n for _, n in categories)),
                         remember_buttons=False)
            else:
                old = turn.services.understanding.category_name(case.intent)
                now = await desk.recategorize(case.id, turn.user_id, picked[0], channel=turn.channel)
                turn.say(texts.RECATEGORIZED_DONE.format(number=case.number, old=old, new=picked[1]),
                         remember_buttons=False)
        else:
            turn.say(texts.CASE_WORDS_UNKNOWN.format(words=words[:20]), remember_buttons=False)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc), remember_buttons=False)
    return now or case  # what the action returned: this turn's reads may not see its write yet


def names_an_action(words: str) -> bool:
    """`words` start with 督办 / 改类 / 派给… (typed around a case number outside /case)."""
    return _VERB.match(words.strip()) is not None


def _one(items: Sequence[T], name: str, name_of: Callable[[T], str]) -> T | None:
    """The item named exactly, else the one item whose name contains the words (or they contain it)."""
    exact = [i for i in items if name_of(i) == name]
    if exact:
        return exact[0]
    near = [i for i in items if name in name_of(i) or name_of(i) in name]
    return near[0] if len(near) == 1 else None


async def place(turn: Turn, cb: callbacks.CaseCallback, me: WorkerView | None) -> CaseView | None:
    """派给/改派 pressed: the case goes to that worker; the reply says which it was (the case as it is now, or
    None when it was refused)."""
    desk = turn.services.cases
    before = await desk.get_case(cb.case_id)
    try:
        if me is None:
            case = await desk.assign_as_admin(cb.case_id, int(cb.arg or 0), turn.user_id, channel=turn.channel)
        else:
            case = await desk.assign(cb.case_id, int(cb.arg or 0), me)
    except CaseError as exc:
        turn.say(texts.ACTION_REFUSED.format(reason=exc))
        turn.toast(str(exc)[:60])
        return None
    previous = before.assignee_name if before is not None and before.assignee_id not in (None, getattr(me, "id", None)) else None
    if previous:
        turn.say(texts.REASSIGNED.format(number=case.number, name=case.assignee_name or "", previous=previous))
        turn.toast(texts.BTN_REASSIGN)
    else:
        turn.say(texts.ASSIGNED.format(number=case.number, name=case.assignee_name or ""))
        turn.toast(texts.STATE_NAMES["assigned"])
    return case
