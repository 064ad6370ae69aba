"""The residents' conversations of tests/data/talk_scenarios.yaml, each through the real engine: every one
must end right (the figures before and after are printed by benchmarks/talk_scenarios.py)."""

from __future__ import annotations

import pytest
import talk_scenarios
from dialog_helpers import make_app

SCENARIOS = talk_scenarios.load()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
async def test_the_conversation_ends_right(scenario):
    outcome = await talk_scenarios.play(scenario, make_app)
    assert outcome.ok, "\n".join(["; ".join(outcome.problems), *outcome.transcript])


async def test_the_judge_fails_a_conversation_that_ends_wrong():
    """A give-up that is expected to file, and a Traditional check on a Simplified chat: both must fail."""
    wrong = {"id": "wrong", "says": ["梨园小区4栋楼下有个烧烤摊天天搞到半夜", "算了算了"],
             "expect": {"filed": 1, "traditional": True}}
    outcome = await talk_scenarios.play(wrong, make_app)
    assert not outcome.ok and any("filed 0" in p for p in outcome.problems)
    assert any("not Traditional" in p for p in outcome.problems)


def test_every_kind_of_step_and_item_is_covered():
    said = [step for s in SCENARIOS for step in s["says"]]
    kinds = {next(iter(step)) for step in said if isinstance(step, dict)}
    assert {"press", "photo", "voice", "file", "sticker", "forwarded", "long", "old_button"} <= kinds
    expects = {key for s in SCENARIOS for key in s.get("expect", {})}
    assert {"kb", "status", "traditional", "evidence", "step", "filed", "intent", "address_has"} <= expects
    assert len(SCENARIOS) >= 44
