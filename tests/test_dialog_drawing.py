"""`bot/dialog/dialog.md` draws the step table of `bot/dialog/steps.py`: the two must not drift apart.

Every arrow out of a step labelled `input · module.handler` is a table entry, every table entry has at
least one such arrow, and every step is drawn. A typo in either place fails here, not in a chat.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.dialog import steps
from bot.dialog.state import ChatState, Draft, Step

DRAWING = Path(steps.__file__).with_name("dialog.md")
ARROW = re.compile(r"^\s*(\w+)\s*-->\s*(\w+)\s*:\s*(.+?)\s*$")
ENTRY = re.compile(r"^(\w+) · (\w+)\.(\w+)$")


def _mermaid() -> list[str]:
    text = DRAWING.read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", text, re.DOTALL)
    assert block, "dialog.md has no mermaid block"
    return block.group(1).splitlines()


def _drawn_entries() -> set[tuple[str, str, str]]:
    found = set()
    for line in _mermaid():
        arrow = ARROW.match(line)
        if arrow is None:
            continue
        source, _, label = arrow.groups()
        entry = ENTRY.match(label)
        if entry is not None:
            found.add((source, entry.group(1), f"{entry.group(2)}.{entry.group(3)}"))
    return found


def _name(handler) -> str:
    return f"{handler.__module__.rsplit('.', 1)[-1]}.{handler.__name__}"


def test_the_drawing_and_the_table_name_the_same_entries():
    table = {(step.value, kind.value, _name(handler)) for (step, kind), handler in steps.TABLE.items()}
    drawn = _drawn_entries()
    assert sorted(table - drawn) == [], "in the table, not drawn in dialog.md"
    assert sorted(drawn - table) == [], "drawn in dialog.md, not in the table"


def test_every_step_is_drawn_and_every_drawn_entry_leaves_a_step():
    states = {name for line in _mermaid() if (arrow := ARROW.match(line)) for name in arrow.groups()[:2]}
    assert {s.value for s in Step} <= states
    assert {source for source, _, _ in _drawn_entries()} <= {s.value for s in Step}


def test_every_entry_of_the_table_is_a_known_step_and_input():
    for step, kind in steps.TABLE:
        assert isinstance(step, Step) and isinstance(kind, steps.Input)
    # text, photos and locations always have a handler: idle's, when the step has none of its own
    for kind in (steps.Input.TEXT, steps.Input.PHOTO, steps.Input.LOCATION):
        assert (Step.IDLE, kind) in steps.TABLE


def test_a_mistyped_step_cannot_be_set_and_an_unknown_saved_one_resets():
    state = ChatState()
    with pytest.raises(ValueError):
        state.step = "await_adress"  # type: ignore[assignment]
    state.step = "await_photo"  # type: ignore[assignment]  # a saved string is read as its step
    assert state.step is Step.AWAIT_PHOTO
    saved = ChatState(step=Step.AWAIT_PHOTO, script="traditional", draft=Draft(text="楼道堆物")).to_dict()
    assert saved["step"] == "await_photo" and type(saved["step"]) is str  # old saved states keep loading
    assert ChatState.from_dict(saved).step is Step.AWAIT_PHOTO
    unknown = ChatState.from_dict({**saved, "step": "await_fax"})
    assert unknown.step is Step.IDLE and unknown.draft is None and unknown.script == "traditional"


def test_a_step_missing_what_it_needs_waits_in_nothing():
    assert steps.waiting_in(ChatState(step=Step.AWAIT_PHOTO)) is Step.IDLE  # no draft
    assert steps.waiting_in(ChatState(step=Step.WORKER_RESOLVE_NOTE)) is Step.IDLE  # no case
    assert steps.waiting_in(ChatState(step=Step.WORKER_RESOLVE_NOTE, case_id=3)) is Step.WORKER_RESOLVE_NOTE
