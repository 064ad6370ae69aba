"""The one sender every outgoing Telegram message goes through, whatever the framework.

Telegram fails in known ways and each has one right answer: 429 → wait `retry_after` and try again;
5xx and network errors → retry with exponential backoff; 403 → the user blocked the bot: mark them and
stop; 400 → our request is wrong: log Telegram's reason and stop. Rates stay under Telegram's limits
(~30 messages/s overall, ~1/s per chat with short bursts). Adapters supply the raw calls (`BotCalls`)
and translate their library's exceptions into `SendFailure`; nothing here imports a Telegram library.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from bot.messages import Reply
from bot.runtime.delivery import Backoff, Delivery
from bot.telegram.render import Outgoing, render
from bot.wording.channels import PHOTO_DROPPED

log = logging.getLogger(__name__)

#: The longest one Bot API call may take (each adapter bounds its library's timeouts by it): the outbox
#: lease is derived from it, so a slow send is never claimed and sent a second time by another instance.
SEND_TIMEOUT = 20.0
#: Added when a photo could not be sent and only the words go out.

FailureKind = Literal["retry_after", "server", "network", "blocked", "bad_request", "unauthorized", "conflict"]
RETRYABLE: frozenset[str] = frozenset({"retry_after", "server", "network"})


class SendFailure(Exception):
    """A Bot API call failed; adapters raise this from their library's exception."""

    def __init__(self, kind: FailureKind, description: str, retry_after: float | None = None):
        super().__init__(f"{kind}: {description}")
        self.kind = kind
        self.description = description
        self.retry_after = retry_after

    @property
    def not_modified(self) -> bool:
        return self.kind == "bad_request" and "not modified" in self.description.lower()

    @property
    def edit_target_gone(self) -> bool:
        text = self.description.lower()
        return self.kind == "bad_request" and ("message to edit not found" in text or "can't be edited" in text
                                               or "no text in the message" in text)


class BotCalls(Protocol):
    """The raw calls an adapter provides (its library's send/edit/answer), raising `SendFailure`."""

    async def send(self, call: Outgoing) -> int | None: ...  # returns the message id

    async def answer_callback(self, callback_id: str, text: str | None) -> None: ...


class RateLimiter:
    """Generic cell rate algorithm: at most `burst + rate·t` sends in any window t, globally and per chat.

    Slots are reserved in call order (FIFO), so a chat's messages keep their order.
    """

    def __init__(self, per_second: float = 25.0, burst: int = 5, chat_per_second: float = 1.0, chat_burst: int = 3,
                 *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self._interval = 1.0 / per_second
        self._tolerance = (burst - 1) * self._interval
        self._chat_interval = 1.0 / chat_per_second
        self._chat_tolerance = (chat_burst - 1) * self._chat_interval
        self._tat = 0.0
        self._chat_tat: dict[int, float] = {}
        self._clock = clock
        self._sleep = sleep

    def reserve_chat(self, chat_id: int) -> float:
        """Reserve the chat's next slot; return when it is."""
        now = self._clock()
        chat_tat = max(self._chat_tat.get(chat_id, now), now)
        self._chat_tat[chat_id] = chat_tat + self._chat_interval
        if len(self._chat_tat) > 10_000:  # forget chats whose slots lie in the past
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
        return max(now, chat_tat - self._chat_tolerance)

    def reserve_global(self) -> float:
        """Reserve the next global slot from now; return when it is."""
        now = self._clock()
        tat = max(self._tat, now)
        self._tat = tat + self._interval
        return max(now, tat - self._tolerance)

    async def acquire(self, chat_id: int) -> None:
        """Wait for the chat's slot, then for a global one: a held-back chat never holds back the others."""
        delay = self.reserve_chat(chat_id) - self._clock()
        if delay > 0:
            await self._sleep(delay)
        delay = self.reserve_global() - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """After a 429 for this chat nothing more goes to it for `seconds`."""
        until = self._clock() + seconds + self._chat_tolerance
        self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, 0.0), until)


class TelegramSender:
    """Delivers `Reply`s through an adapter's `BotCalls`, honouring Telegram's failures and rate limits."""

    def __init__(self, calls: BotCalls, *, limiter: RateLimiter | None = None, max_attempts: int = 6,
                 backoff: Backoff | None = None, max_wait: float = 120.0,
                 on_blocked: Callable[[int], Awaitable[None]] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.calls = calls
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.max_wait = max_wait
        self.on_blocked = on_blocked
        self._sleep = sleep
        self.stats = {"sent": 0, "retried": 0, "blocked": 0, "rejected": 0, "failed": 0}

    async def deliver(self, reply: Reply, *, max_attempts: int | None = None, max_wait: float | None = None) -> Delivery:
        """Send every call `reply` renders to, in order; retry what Telegram says to retry.

        `max_attempts`/`max_wait` bound the time spent here; beyond them the result is `failed` with `retry_in`,
        for a caller (the outbox) that retries later instead of holding on.
        """
        limit = max_attempts or self.max_attempts
        patience = self.max_wait if max_wait is None else max_wait
        result = Delivery("sent")
        for call in render(reply):
            outcome = await self._send_one(call, limit, patience, result)
            if outcome is not None:
                self.stats[outcome.status] += 1
                return outcome
        self.stats["sent"] += 1
        return result

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        """Stop the button's spinner; a failure here only costs the toast, never the reply."""
        try:
            await self.calls.answer_callback(callback_id, (text or "")[:200] or None)
        except SendFailure as exc:
            log.info("answerCallbackQuery failed (%s); the reply is sent anyway", exc)

    async def _send_one(self, call: Outgoing, limit: int, patience: float, result: Delivery) -> Delivery | None:
        """None when `call` went out (ids appended to `result`); otherwise the final `Delivery`."""
        attempt = 0
        while True:
            attempt += 1
            result.attempts += 1
            await self.limiter.acquire(call.chat_id)
            try:
                message_id = await self.calls.send(call)
            except SendFailure as exc:
                if call.kind == "edit" and exc.not_modified:
                    return None  # the message already shows this: done
                if call.kind == "edit" and exc.edit_target_gone:
                    call = call.as_new_message()
                    attempt -= 1
                    continue
                if call.kind == "photo" and exc.kind == "bad_request":
                    # The photo or its caption is refused for good (a file id from another bot, a caption
                    # Telegram measures as too long): the words still matter more than the picture.
                    log.warning("photo to chat %s refused (%s); sending the text without it", call.chat_id,
                                exc.description)
                    call = call.as_new_message(note=PHOTO_DROPPED)
                    attempt -= 1
                    continue
                decision = await self._on_failure(call, exc, attempt, limit, patience, result)
                if decision is not None:
                    return decision
                continue
            if message_id is not None:
                result.message_ids.append(message_id)
            return None

    async def _on_failure(self, call: Outgoing, exc: SendFailure, attempt: int, limit: int, patience: float,
                          result: Delivery) -> Delivery | None:
        if exc.kind == "blocked":
            log.warning("chat %s blocked the bot (%s); not retrying", call.chat_id, exc.description)
            if self.on_blocked is not None:
                try:
                    await self.on_blocked(call.chat_id)
                except Exception:  # marking is best effort; the delivery outcome is what matters
                    log.exception("could not mark chat %s as blocked", call.chat_id)
            return Delivery("blocked", result.attempts, result.message_ids, exc.description)
        if exc.kind not in RETRYABLE:
            log.error("Telegram refused %s to chat %s: %s", call.kind, call.chat_id, exc.description)
            return Delivery("rejected", result.attempts, result.message_ids, exc.description)
        if exc.kind == "retry_after":
            wait = float(exc.retry_after or 1.0)
            self.limiter.pause_chat(call.chat_id, wait)
        else:
            wait = self.backoff.delay(attempt)
        if attempt >= limit or wait > patience:
            log.warning("%s to chat %s not delivered for now after %d attempts: %s", call.kind, call.chat_id, attempt, exc)
            return Delivery("failed", result.attempts, result.message_ids, str(exc), retry_in=wait, failure=exc.kind)
        self.stats["retried"] += 1
        log.info("%s to chat %s failed (%s); retrying in %.1fs", call.kind, call.chat_id, exc, wait)
        await self._sleep(wait)
        return None
