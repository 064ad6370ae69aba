"""The shared sender and renderer: Telegram's failure modes, rate limits, HTML escaping, keyboards.

A scripted `BotCalls` stands in for an adapter (it is our own protocol, not a Telegram library class);
a virtual clock makes waits instant and measurable.
"""

from __future__ import annotations

import pytest

from bot.messages import Button, Reply
from bot.telegram.render import InlineKeyboard, LocationKeyboard, RemoveKeyboard, escape, render, split_text
from bot.telegram.sender import Backoff, RateLimiter, SendFailure, TelegramSender


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)


class ScriptedCalls:
    """Fails the first calls as scripted, then succeeds; records when each call happened."""

    def __init__(self, clock: VirtualClock, failures: list[SendFailure] | None = None):
        self.clock = clock
        self.failures = list(failures or [])
        self.calls: list[tuple[float, str, int, str]] = []
        self.answers: list[tuple[str, str | None]] = []
        self.next_id = 100

    async def send(self, call):
        self.calls.append((self.clock(), call.kind, call.chat_id, call.html))
        if self.failures:
            raise self.failures.pop(0)
        self.next_id += 1
        return self.next_id

    async def answer_callback(self, callback_id: str, text: str | None) -> None:
        self.answers.append((callback_id, text))


def make_sender(failures: list[SendFailure] | None = None, **kwargs):
    clock = VirtualClock()
    calls = ScriptedCalls(clock, failures)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    sender = TelegramSender(calls, limiter=limiter, sleep=clock.sleep, on_blocked=on_blocked, **kwargs)
    return sender, calls, clock, blocked


async def test_429_waits_retry_after_then_sends() -> None:
    sender, calls, _clock, _ = make_sender([SendFailure("retry_after", "Too Many Requests: retry after 7", 7)])
    result = await sender.deliver(Reply(1, "您好"))
    assert result.status == "sent" and result.attempts == 2
    assert calls.calls[1][0] - calls.calls[0][0] >= 7.0


async def test_5xx_and_network_errors_back_off_exponentially() -> None:
    failures = [SendFailure("server", "Bad Gateway"), SendFailure("network", "reset"), SendFailure("server", "Bad Gateway")]
    sender, calls, _clock, _ = make_sender(failures, backoff=Backoff(base=0.5, cap=30))
    result = await sender.deliver(Reply(1, "您好"))
    assert result.status == "sent" and result.attempts == 4
    gaps = [b[0] - a[0] for a, b in zip(calls.calls, calls.calls[1:], strict=False)]
    assert gaps[0] >= 0.5 and gaps[1] >= 1.0 and gaps[2] >= 2.0


async def test_gives_up_after_max_attempts_with_a_retry_hint() -> None:
    sender, calls, _, _ = make_sender([SendFailure("server", "Bad Gateway")] * 10, max_attempts=3)
    result = await sender.deliver(Reply(1, "您好"))
    assert result.status == "failed" and not result.final and len(calls.calls) == 3
    assert result.failure == "server" and result.retry_in and result.retry_in > 0


async def test_403_marks_blocked_and_stops() -> None:
    sender, calls, _, blocked = make_sender([SendFailure("blocked", "Forbidden: bot was blocked by the user")] * 3)
    result = await sender.deliver(Reply(42, "您好"))
    assert result.status == "blocked" and result.final
    assert blocked == [42] and len(calls.calls) == 1


async def test_400_is_rejected_without_retry() -> None:
    sender, calls, _, blocked = make_sender([SendFailure("bad_request", "Bad Request: chat not found")])
    result = await sender.deliver(Reply(42, "您好"))
    assert result.status == "rejected" and "chat not found" in result.reason
    assert len(calls.calls) == 1 and blocked == []


async def test_edit_not_modified_counts_as_done_and_lost_message_becomes_new() -> None:
    sender, calls, _, _ = make_sender([SendFailure("bad_request", "Bad Request: message is not modified: same")])
    assert (await sender.deliver(Reply(1, "已接单", edit_message_id=5))).status == "sent"
    assert len(calls.calls) == 1

    sender, calls, _, _ = make_sender([SendFailure("bad_request", "Bad Request: message to edit not found")])
    result = await sender.deliver(Reply(1, "已接单", edit_message_id=5))
    assert result.status == "sent"
    assert [c[1] for c in calls.calls] == ["edit", "message"]


def test_rate_limiter_keeps_under_30_per_second_globally() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(per_second=25, burst=5, clock=clock)
    times = sorted(limiter.reserve_global() for _ in range(300))
    worst = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert worst <= 30
    assert times[-1] == pytest.approx((300 - 5) / 25, abs=0.05)  # and no slower than needed


def test_rate_limiter_keeps_a_chat_near_one_per_second() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(chat_per_second=1.0, chat_burst=3, clock=clock)
    times = [limiter.reserve_chat(7) for _ in range(10)]
    assert times == sorted(times)  # order kept
    assert times[:3] == [0.0, 0.0, 0.0]  # a short burst is allowed
    assert times[9] == pytest.approx(7.0)
    assert limiter.reserve_chat(8) == 0.0  # other chats are not held back by one busy chat


def test_pause_chat_after_429_holds_that_chat_only() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock)
    limiter.pause_chat(7, 12)
    assert limiter.reserve_chat(7) >= 12 and limiter.reserve_chat(9) == 0.0 and limiter.reserve_global() < 1.0


# -- rendering ------------------------------------------------------------------------------------------------

def test_user_text_is_escaped_for_html() -> None:
    reply = Reply(1, "居民说：<b>3栋</b> & 5栋 <3 \"引号\"")
    (call,) = render(reply)
    assert call.html == "居民说：&lt;b&gt;3栋&lt;/b&gt; &amp; 5栋 &lt;3 \"引号\""
    assert escape("a<b") == "a&lt;b"


def test_inline_keyboard_rows_and_data() -> None:
    reply = Reply(1, "请评价", buttons=((Button("满意", "rate:1:s"), Button("不满意", "rate:1:u")),))
    (call,) = render(reply)
    assert isinstance(call.markup, InlineKeyboard)
    assert call.markup.rows == ((("满意", "rate:1:s"), ("不满意", "rate:1:u")),)


def test_location_request_and_remove_keyboard() -> None:
    (call,) = render(Reply(1, "请发送位置", request_location=True))
    assert isinstance(call.markup, LocationKeyboard)
    (call,) = render(Reply(1, "好的", remove_keyboard=True))
    assert isinstance(call.markup, RemoveKeyboard)
    both = render(Reply(1, "地址？", buttons=((Button("取消", "d:cancel"),),), request_location=True))
    assert isinstance(both[0].markup, InlineKeyboard) and isinstance(both[1].markup, LocationKeyboard)


def test_long_text_is_split_and_keyboard_goes_last() -> None:
    text = "\n".join(f"第{i}行：楼道堆放杂物需要清理" for i in range(600))
    calls = render(Reply(1, text, buttons=((Button("好", "x"),),)))
    assert len(calls) >= 2
    assert all(len(c.html) <= 4096 * 2 for c in calls) and all(c.markup is None for c in calls[:-1])
    assert calls[-1].markup is not None
    assert "".join(split_text(text)).replace("\n", "") == text.replace("\n", "")


def test_photo_caption_and_edit_and_empty() -> None:
    (photo,) = render(Reply(1, "现场照片", photo_file_id="AgAC1"))
    assert photo.kind == "photo" and photo.photo == "AgAC1" and photo.html == "现场照片"
    long_caption = render(Reply(1, "说明" * 600, photo_file_id="AgAC1"))
    assert long_caption[0].kind == "photo" and long_caption[0].html == "" and long_caption[1].kind == "message"
    (edit,) = render(Reply(1, "已接单 <ok>", edit_message_id=9))
    assert edit.kind == "edit" and edit.message_id == 9 and "&lt;ok&gt;" in edit.html
    assert render(Reply(1, "", callback_answer="已收到")) == []


def test_limits_are_counted_in_utf16_units_as_telegram_does() -> None:
    """568 characters can be 1,030 UTF-16 units (emoji, rare CJK): Telegram refused such a caption."""
    caption = "【待派单】" + "😡" * 520 + "楼上装修太吵"
    assert len(caption) < 1024 < len(caption.encode("utf-16-le")) // 2
    photo, text = render(Reply(1, caption, photo_file_id="AgAC1", buttons=((Button("派给 张三", "asg:1:2"),),)))
    assert (photo.kind, photo.html) == ("photo", "") and text.kind == "message" and text.markup is not None
    long = "𠀀" * 3000  # 6,000 units in 3,000 characters
    parts = split_text(long)
    assert len(parts) == 2 and all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts) and "".join(parts) == long


async def test_a_refused_photo_still_delivers_its_words() -> None:
    sender, calls, _, _ = make_sender([SendFailure("bad_request", "Bad Request: wrong file identifier/HTTP URL specified")])
    result = await sender.deliver(Reply(7, "【新派单】案件编号 20261201-0001", photo_file_id="AgAC-other-bot",
                                        buttons=((Button("接单", "acc:1"),),)))
    assert result.status == "sent"
    kinds = [(kind, html) for _, kind, _, html in calls.calls]
    assert kinds[0][0] == "photo" and kinds[-1][0] == "message"
    assert "20261201-0001" in kinds[-1][1] and "照片无法发送" in kinds[-1][1]


def test_a_case_with_coordinates_carries_a_map_pin() -> None:
    push = Reply(7, "【新派单】案件编号 20261201-0001\n地址：位置 30.27480, 120.15390（见地图）",
                 buttons=((Button("接单", "acc:1"),),), extra={"latitude": "30.274800", "longitude": "120.153900"})
    message, pin = render(push)
    assert message.kind == "message" and message.markup is not None
    assert pin.kind == "location" and pin.location == (30.2748, 120.1539)
    assert [c.kind for c in render(Reply(7, "x", extra={"latitude": "95", "longitude": "1"}))] == ["message"]
    assert [c.kind for c in render(Reply(7, "x", extra={"latitude": "abc", "longitude": "1"}))] == ["message"]
