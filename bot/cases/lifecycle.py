"""The case lifecycle, declared once: which action may move a case from which states to which, by whom,
and who is told (FixMyStreet's `State.pm`, PTB's `ConversationHandler(states=…)`).

Every room of the case service asks this table before it changes a case (`require`), and moves the
case through `CaseCore._move`, which refuses a target the table does not list. "Can a 已退单 case be
撤销?" is `allowed("cancel", "returned")`. `bot/cases/README.md` draws the table; a test keeps the
drawing and the table the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.cases.views import STATE_NAMES
from bot.errors import NotNow
from storage.models import CASE_STATES

#: Who may act (checked by the room before `require`): the system itself (routing, deadlines), the
#: case's assignee, a dispatcher of its community or street, an admin, the resident who filed it, or
#: a resident the case was offered to as a similar one (附议).
ACTORS = ("system", "assignee", "dispatcher", "admin", "filer", "offered")
#: Who hears of it: the assignee (new or current), the queue (dispatchers, else admins), the assignee
#: it was taken from, the filer and supporters (residents), only the supporters, or only the filer.
AUDIENCES = ("assignee", "queue", "previous", "residents", "supporters", "filer")

OPEN = ("filed", "assigned", "accepted", "returned")
EVERY = CASE_STATES


@dataclass(frozen=True, slots=True)
class Transition:
    """One action on a case. `targets` empty = the state stays; several = the room picks (e.g. a queue)."""

    action: str  # the CaseEvent action
    name: str  # what the field calls it
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    told: tuple[str, ...]
    #: Refusal per current state; `*` for any other. Formatted with `number` and `state` (its Chinese name).
    refusals: dict[str, str] = field(default_factory=dict)

    def refusal(self, number: str, state: str) -> str:
        template = self.refusals.get(state) or self.refusals.get("*") or "案件 {number} 当前{state}，不能{name}。"
        return template.format(number=number, state=STATE_NAMES.get(state, state), name=self.name)


TABLE: tuple[Transition, ...] = (
    Transition("file", "受理", ("filer",), (), ("filed",), ("assignee", "queue")),
    Transition("assign", "派单", ("system", "dispatcher", "admin"), ("filed", "returned", "assigned"), ("assigned",),
               ("assignee", "residents"), {"*": "案件 {number} 当前{state}，不能派单。"}),
    # 改派: a dispatcher (or admin) takes a case from the grid worker holding it and gives it to another.
    Transition("reassign", "改派", ("dispatcher", "admin"), ("assigned", "accepted"), ("assigned",),
               ("previous", "assignee", "residents"), {"*": "案件 {number} 当前{state}，不能改派。"}),
    Transition("accept", "接单", ("assignee",), ("assigned",), ("accepted",), ("residents",),
               {"accepted": "案件 {number} 已接单，处理完成后请点「办结」。"}),
    Transition("resolve", "办结", ("assignee",), ("assigned", "accepted"), ("resolved",), ("residents",)),
    Transition("return", "退单", ("assignee", "system"), ("assigned", "accepted"), ("returned",), ("queue", "residents")),
    Transition("rate", "评价", ("filer",), ("resolved",), ("rated", "resolved"), ("assignee",),
               {"rated": "案件 {number} 已评价过，谢谢您的反馈。", "*": "案件 {number} 当前{state}，办结后才能评价。"}),
    Transition("reopen", "重办", ("filer",), ("resolved",), ("assigned", "filed"), ("assignee", "queue", "supporters")),
    Transition("cancel", "撤销", ("filer",), OPEN, ("cancelled",), ("assignee", "supporters")),
    Transition("escalate", "超时升级", ("system", "dispatcher", "admin"), OPEN, ("assigned", "filed"),
               ("previous", "assignee", "queue", "residents")),
    Transition("remind", "即将超时提醒", ("system",), ("assigned", "accepted"), (), ("assignee",)),
    Transition("chase", "紧急催接单", ("system",), ("assigned",), (), ("assignee", "queue")),
    # Two-way progress while the work goes on: a note or photo out, a question out and its answer back.
    Transition("progress", "进展", ("assignee",), ("assigned", "accepted"), (), ("residents",),
               {"*": "案件 {number} 当前{state}，不能再发进展。"}),
    Transition("ask", "需要补充", ("assignee",), ("assigned", "accepted"), (), ("filer",),
               {"*": "案件 {number} 当前{state}，不能再请居民补充。"}),
    Transition("answer", "补充", ("filer",), OPEN, (), ("assignee", "queue"),  # the queue when nobody holds it
               {"*": "案件 {number} 已{state}，补充的内容没有转给网格员。如问题仍在，请重新反映。"}),
    Transition("support", "附议", ("offered",), ("filed", "assigned", "accepted", "resolved", "returned"), (),
               ("assignee",), {"*": "案件 {number} 已{state}，不能再附议。如问题仍在，请重新反映。"}),
    # Self-service of the filer (bot/cases/selfservice.py): words or photos added, a nudge once per deadline,
    # why a rating was 不满意; and the one reminder to rate a resolved case.
    Transition("supplement", "补充", ("filer",), OPEN, (), ("assignee", "queue"),
               {"*": "案件 {number} 当前{state}，不能再补充。如问题仍在，请重新反映。"}),
    Transition("urge", "催办", ("filer",), OPEN, (), ("assignee", "queue"),
               {"*": "案件 {number} 当前{state}，不需要催办了。"}),
    Transition("explain", "不满意原因", ("filer",), (*OPEN, "resolved", "rated"), (), ("assignee",)),
    Transition("rate_remind", "评价提醒", ("system",), ("resolved",), (), ("filer",)),
    Transition("supervise", "督办", ("dispatcher", "admin"), ("assigned", "accepted"), (), ("assignee",),
               {"*": "案件 {number} 当前{state}，没有正在处理的人可督办。"}),
    Transition("recategorize", "改类", ("dispatcher", "admin"), (*OPEN, "resolved", "rated"), (), ("assignee",)),
    Transition("merge", "合并", ("dispatcher", "admin"), OPEN, ("cancelled",), ("assignee", "residents"),
               {"*": "案件 {number} 当前{state}，不能再合并。"}),
    Transition("note", "内部备注", ("dispatcher", "admin"), EVERY, (), ()),
)
TRANSITIONS: dict[str, Transition] = {t.action: t for t in TABLE}


def allowed(action: str, state: str) -> bool:
    """May `action` start from `state`?"""
    return state in TRANSITIONS[action].sources


def require(action: str, number: str, state: str) -> Transition:
    """The transition, or `NotNow` with the Chinese refusal people read."""
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        raise NotNow(transition.refusal(number, state))
    return transition


def target(action: str, state: str | None = None, *, current: str | None = None) -> str:
    """The state `action` leads to: `state` (the one the room chose, checked against the table), the table's
    only target, or — for an action that keeps the state — `current`."""
    transition = TRANSITIONS[action]
    if not transition.targets and state is None:
        state = current
    chosen = state if state is not None else (transition.targets[0] if len(transition.targets) == 1 else None)
    if chosen is None or (transition.targets and chosen not in transition.targets):
        raise ValueError(f"{action} cannot lead to {state!r} (the lifecycle table allows {transition.targets})")
    return chosen


def edges() -> set[tuple[str, str, str]]:
    """(from, to, action) for every move the table allows (an action that keeps the state loops)."""
    found = set()
    for t in TABLE:
        for source in t.sources or ("[*]",):
            for to in t.targets or (source,):
                found.add((source, to, t.action))
    return found


def markdown_table() -> str:
    """The table as `bot/cases/README.md` prints it (a test keeps the two identical)."""
    rows = ["| action | 名称 | who may | from | to | who is told |", "|---|---|---|---|---|---|"]
    for t in TABLE:
        rows.append(f"| `{t.action}` | {t.name} | {', '.join(t.actors)} | {', '.join(t.sources) or '—'} | "
                    f"{', '.join(t.targets) or '(stays)'} | {', '.join(t.told) or 'nobody'} |")
    return "\n".join(rows)
