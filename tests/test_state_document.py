"""The saved state document (`ChatState.to_dict`) is what `dataclasses.asdict` made of it (the step as its string),
a copy that later changes to the state do not reach, and it loads back to the same state."""

from __future__ import annotations

from dataclasses import asdict

from bot.dialog.state import ChatState, Draft, Step


def _full_state() -> ChatState:
    draft = Draft(text="楼道里堆满了纸箱", intent="clutter", subtype="stairwell", choices=["clutter", "sanitation"],
                  address="梨园小区3栋", latitude=31.2, longitude=121.4, photos=["p1", "p2"], urgent=True,
                  photo_asked=True, duplicate_of="20261201-0001", duplicate_declined=True, address_retried=True,
                  picked=True, asked=["when"], answers={"什么时候": "每天晚上"})
    return ChatState(step=Step.CONFIRM_DUPLICATE, script="traditional", draft=draft, case_id=7,
                     offered={"附议": "dup:1"}, note="已清理", last_update_id=1234)


def test_document_is_what_asdict_made_with_the_step_as_a_string():
    state = _full_state()
    expected = asdict(state)
    expected["step"] = "confirm_duplicate"
    assert state.to_dict() == expected
    assert type(state.to_dict()["step"]) is str
    assert ChatState().to_dict() == {**asdict(ChatState()), "step": "idle"}


def test_document_is_a_copy_and_loads_back():
    state = _full_state()
    saved = state.to_dict()
    assert state.draft is not None
    state.draft.photos.append("p3")
    state.draft.answers["地点"] = "楼道"
    state.offered["撤销"] = "withdraw:1"
    assert saved["draft"]["photos"] == ["p1", "p2"]
    assert saved["draft"]["answers"] == {"什么时候": "每天晚上"}
    assert saved["offered"] == {"附议": "dup:1"}
    assert ChatState.from_dict(saved) == _full_state()
