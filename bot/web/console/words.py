"""The names the console shows for states, levels, actions and categories — the same words the chat uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases import lifecycle
from bot.wording.names import CATEGORY_FALLBACK, LEVEL_NAMES, STATE_NAMES

if TYPE_CHECKING:
    from bot.cases.service import CaseService

#: Filter words for the queue's state choices beyond the states themselves.
STATE_FILTER_NAMES = {"open": "待办（未办结）", "all": "全部"}


def state_name(state: str | None) -> str:
    return STATE_NAMES.get(state or "", state or "—")


def level_name(level: str | None) -> str:
    return LEVEL_NAMES.get(level or "", level or "—")


def action_name(action: str) -> str:
    transition = lifecycle.TRANSITIONS.get(action)
    return transition.name if transition else action


def category_name(cases: CaseService, intent: str) -> str:
    if cases.intents is not None:
        return cases.intents.display_name(intent)
    return CATEGORY_FALLBACK.get(intent, intent)


def categories(cases: CaseService) -> list[tuple[str, str]]:
    """(id, name) of every category a case can be filed or corrected under."""
    if cases.intents is not None:
        return [(i.id, i.name) for i in cases.intents.categories]
    return list(CATEGORY_FALLBACK.items())
