"""The case lifecycle, declared once: which action may move a case from which states to which, by whom,
and who is told (FixMyStreet's `State.pm`, PTB's `ConversationHandler(states=…)`).

Every room of the case service asks this table before it changes a case (`require`), and moves the
case through `CaseCore._move`, which refuses a target the table does not list. "Can a 已退单 case be
撤销?" is `allowed("cancel", "returned")`. `bot/cases/README.md` draws the table; a test keeps the
drawing and the table the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotNow
from bot.wording import refusals
from bot.wording.names import ACTION_NAMES, STATE_NAMES
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
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    told: tuple[str, ...]

    @property
    def name(self) -> str:
        """What the field calls it (`bot.wording.names.ACTION_NAMES`)."""
        return ACTION_NAMES[self.action]

    def refusal(self, number: str, state: str) -> str:
        """The refusal people read (`bot.wording.refusals`: per state, `*` for any other, else the general one)."""
        own = refusals.NOT_NOW_BY_ACTION.get(self.action, {})
        template = own.get(state) or own.get("*") or refusals.NOT_NOW
        return template.format(number=number, state=STATE_NAMES.get(state, state), name=self.name)


TABLE: tuple[Transition, ...] = (
    Transition("file", ("filer",), (), ("filed",), ("assignee", "queue")),
    Transition("assign", ("system", "dispatcher", "admin"), ("filed", "returned", "assigned"), ("assigned",),
               ("assignee", "residents")),
    # 改派: a dispatcher (or admin) takes a case from the grid worker holding it and gives it to another.
    Transition("reassign", ("dispatcher", "admin"), ("assigned", "accepted"), ("assigned",),
               ("previous", "assignee", "residents")),
    Transition("accept", ("assignee",), ("assigned",), ("accepted",), ("residents",)),
    Transition("resolve", ("assignee",), ("assigned", "accepted"), ("resolved",), ("residents",)),
    Transition("return", ("assignee", "system"), ("assigned", "accepted"), ("returned",), ("queue", "residents")),
    Transition("rate", ("filer",), ("resolved",), ("rated", "resolved"), ("assignee",)),
    Transition("reopen", ("filer",), ("resolved",), ("assigned", "filed"), ("assignee", "queue", "supporters")),
    Transition("cancel", ("filer",), OPEN, ("cancelled",), ("assignee", "supporters")),
    Transition("escalate", ("system", "dispatcher", "admin"), OPEN, ("assigned", "filed"),
               ("previous", "assignee", "queue", "residents")),
    Transition("remind", ("system",), ("assigned", "accepted"), (), ("assignee",)),
    Transition("chase", ("system",), ("assigned",), (), ("assignee", "queue")),
    # Two-way progress while the work goes on: a note or photo out, a question out and its answer back.
    Transition("progress", ("assignee",), ("assigned", "accepted"), (), ("residents",)),
    Transition("ask", ("assignee",), ("assigned", "accepted"), (), ("filer",)),
    Transition("answer", ("filer",), OPEN, (), ("assignee", "queue")),  # the queue when nobody holds it
    # 附议 joins open cases only: a resolved one is closed work (a neighbour with the same problem files anew).
    Transition("support", ("offered",), OPEN, (), ("assignee",)),
    # Self-service of the filer (bot/cases/selfservice.py): words or photos added, a nudge once per deadline,
    # why a rating was 不满意; and the one reminder to rate a resolved case.
    Transition("supplement", ("filer",), OPEN, (), ("assignee", "queue")),
    # A case filed without a place whose 补充 names one: the system routes it as at filing (派单 follows).
    Transition("locate", ("system",), ("filed",), (), ("assignee", "queue")),
    Transition("urge", ("filer",), OPEN, (), ("assignee", "queue")),
    Transition("explain", ("filer",), (*OPEN, "resolved", "rated"), (), ("assignee",)),
    Transition("rate_remind", ("system",), ("resolved",), (), ("filer",)),
    Transition("supervise", ("dispatcher", "admin"), ("assigned", "accepted"), (), ("assignee",)),
    Transition("recategorize", ("dispatcher", "admin"), (*OPEN, "resolved", "rated"), (), ("assignee",)),
    Transition("merge", ("dispatcher", "admin"), OPEN, ("cancelled",), ("assignee", "residents")),
    Transition("note", ("dispatcher", "admin"), EVERY, (), ()),
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
    rows = ["| action | name | who may | from | to | who is told |", "|---|---|---|---|---|---|"]
    for t in TABLE:
        rows.append(f"| `{t.action}` | {t.name} | {', '.join(t.actors)} | {', '.join(t.sources) or '—'} | "
                    f"{', '.join(t.targets) or '(stays)'} | {', '.join(t.told) or 'nobody'} |")
    return "\n".join(rows)
