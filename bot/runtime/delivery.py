"""How a channel reports one delivery, and how long to wait before trying again: shared by every sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff for 5xx and network errors: base · 2^n, capped."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.base * (2 ** max(0, attempt - 1)))


@dataclass(slots=True)
class Delivery:
    """How sending one reply ended. `retry_in` says when to try again for `failed` (outbox scheduling)."""

    status: Literal["sent", "blocked", "rejected", "failed"]
    attempts: int = 0
    message_ids: list[int] = field(default_factory=list)
    reason: str = ""
    retry_in: float | None = None
    failure: str | None = None  # the SendFailure kind for `failed`

    @property
    def final(self) -> bool:
        """True when trying again cannot help (sent, blocked or rejected)."""
        return self.status != "failed"
