"""The period a figures or hotspots page is about: 本周, 本月 or a chosen range of local days, read from the query
string (`?period=week|month` or `?from=YYYY-MM-DD&to=YYYY-MM-DD`; plain GET forms, no script), and the weeks
of its trend chart. A bad date is a `BadPeriod` with a sentence the page shows next to the form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

#: A chosen range is at most this long (a year and a day: a leap year's 1 Jan to 1 Jan).
MAX_DAYS = 367
#: The trend shows at least this many weeks (ending with the period's last week), at most MAX_WEEKS.
TREND_WEEKS = 12
MAX_WEEKS = 53
PERIOD_NAMES = {"week": "本周", "month": "本月", "range": "自选时段"}


class BadPeriod(ValueError):
    """The query string names no usable period; `str()` is the Chinese sentence to show."""


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # week | month | range
    first: date  # local days, both included
    last: date
    zone: ZoneInfo

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    @property
    def label(self) -> str:
        return f"{PERIOD_NAMES[self.kind]}（{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}）"

    def query(self) -> str:
        """The query string that names this period again (for export links)."""
        if self.kind == "range":
            return urlencode({"from": self.first.isoformat(), "to": self.last.isoformat()})
        return urlencode({"period": self.kind})

    def file_part(self) -> str:
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"

    def week_starts(self) -> list[datetime]:
        """Mondays (local midnight) of the trend: TREND_WEEKS weeks ending with the period's last week, or every
        week of a longer period (at most MAX_WEEKS)."""
        last_monday = self.last - timedelta(days=self.last.weekday())
        first_monday = self.first - timedelta(days=self.first.weekday())
        weeks = max(TREND_WEEKS, min(MAX_WEEKS, (last_monday - first_monday).days // 7 + 1))
        return [datetime.combine(last_monday - timedelta(weeks=weeks - 1 - i), time(), self.zone) for i in range(weeks)]

    def trend_until(self) -> datetime:
        last_monday = self.last - timedelta(days=self.last.weekday())
        return datetime.combine(last_monday + timedelta(days=7), time(), self.zone)


def parse_period(query: Mapping[str, str], zone: ZoneInfo, now: datetime) -> Period:
    """`?period=week` (the default) | `?period=month` | `?from=…&to=…` → a Period; BadPeriod says what is wrong."""
    today = now.astimezone(zone).date()
    given_from, given_to = (query.get("from") or "").strip(), (query.get("to") or "").strip()
    kind = (query.get("period") or "").strip()
    if given_from or given_to or kind == "range":
        if not given_from or not given_to:
            raise BadPeriod("自选时段需要同时填写开始日期和结束日期。")
        first, last = _day(given_from, "开始日期"), _day(given_to, "结束日期")
        if first > last:
            raise BadPeriod(f"开始日期 {first} 晚于结束日期 {last}，请调换或重新选择。")
        if (last - first).days + 1 > MAX_DAYS:
            raise BadPeriod(f"时段最长一年（{MAX_DAYS} 天），所选 {first} 至 {last} 共 {(last - first).days + 1} 天。")
        return Period("range", first, last, zone)
    if kind in ("", "week"):
        return Period("week", today - timedelta(days=today.weekday()), today, zone)
    if kind == "month":
        return Period("month", today.replace(day=1), today, zone)
    raise BadPeriod(f"未知的时段「{kind[:20]}」：请选择本周、本月，或填写开始和结束日期。")


def _day(text: str, what: str) -> date:
    shown = text[:20]
    try:
        day = date.fromisoformat(text[:20])
    except ValueError:
        raise BadPeriod(f"{what}「{shown}」不是有效日期，请按 年-月-日 填写，例如 2026-11-01。") from None
    if not 2000 <= day.year <= 2100:
        raise BadPeriod(f"{what} {day} 超出可查询的年份（2000–2100）。")
    return day
