"""Command parsing shared by both adapters: bot-name suffixes, deep links, junk that only looks like a command."""

from __future__ import annotations

import pytest

from bot.telegram.translate import parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/my", ("my", "")),
        ("/MY", ("my", "")),
        ("/bind AB12CD", ("bind", "AB12CD")),
        ("/bind@griddesk_test_bot  AB12CD ", ("bind", "AB12CD")),
        ("/start bind_AB12CD34", ("bind", "AB12CD34")),  # t.me/<bot>?start=bind_CODE
        ("/start bind-AB12", ("bind", "AB12")),
        ("/start hello", ("start", "hello")),
        ("/report 楼道里堆满杂物\n第二行", ("report", "楼道里堆满杂物\n第二行")),
    ],
)
def test_commands_for_this_bot(text: str, expected: tuple[str, str]) -> None:
    assert parse_command(text, "griddesk_test_bot") == expected


@pytest.mark.parametrize("text", ["/help@other_bot", "/", "/ 空格", "/中文命令", "/" + "x" * 40, "//my", "/start@x"])
def test_not_a_command_for_this_bot(text: str) -> None:
    assert parse_command(text, "griddesk_test_bot") is None
