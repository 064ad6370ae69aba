"""Normalisation edge cases: nothing crashes, scripts are recognised, long input is capped."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import Normalizer, clean


@pytest.fixture(scope="module")
def norm() -> Normalizer:
    return Normalizer(max_chars=200)


def test_full_width_becomes_half_width_and_lower_case(norm: Normalizer) -> None:
    assert norm.normalize("ＡＢＣ１２３，楼上！").text == "abc123,楼上!"


def test_traditional_is_simplified_for_matching_but_remembered(norm: Normalizer) -> None:
    result = norm.normalize("樓上裝修噪音擾民，違章建築")
    assert result.text == "楼上装修噪音扰民,违章建筑"
    assert result.script == "traditional"
    assert norm.to_script("您的工单已办结", result.script) == "您的工單已辦結"


def test_simplified_text_stays_simplified(norm: Normalizer) -> None:
    result = norm.normalize("楼上装修太吵了,后面还有车")
    assert result.script == "simplified"
    assert norm.to_script("已受理", result.script) == "已受理"


@pytest.mark.parametrize("raw", ["", "   \n\t ", "😡😡😡", "\x00\x01\x02", b"\xff\xfe\xfd", None, "\u200b\ufeff"])
def test_unreadable_input_is_empty_not_an_error(norm: Normalizer, raw: object) -> None:
    result = norm.normalize(raw)  # type: ignore[arg-type]
    assert result.empty and result.text == ""


def test_emoji_and_controls_dropped_but_words_kept(norm: Normalizer) -> None:
    assert norm.normalize("楼下😡😡烧烤\x07油烟🔥大").text == "楼下烧烤油烟大"


def test_whitespace_folded(norm: Normalizer) -> None:
    assert norm.normalize("  楼上\n\n  装修 \t 吵 ").text == "楼上 装修 吵"


def test_huge_input_is_capped_and_flagged(norm: Normalizer) -> None:
    result = norm.normalize("吵" * 1_000_000)
    assert result.truncated and len(result.text) == 200


def test_bytes_are_decoded_leniently(norm: Normalizer) -> None:
    assert norm.normalize("楼上装修".encode() + b"\xff").text == "楼上装修"


def test_meaningful_symbols_survive() -> None:
    assert clean("晚上22:00后 60dB 3℃") == "晚上22:00后 60dB 3°C"  # NFKC spells ℃ as °C
