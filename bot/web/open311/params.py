"""Reading what an Open311 client sends: a new request (`POST requests`) and the filters of `GET requests`.

Every problem is collected and answered at once (400, one error each) before anything is stored; the
checks mirror what `CaseService.file_case` would otherwise truncate or refuse in Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.cases.core import MAX_TEXT, clean_text, utc
from bot.nlu.intent_files import Intent, IntentSet
from bot.web.open311.attributes import read_answers
from bot.web.open311.formats import ApiError
from bot.wording import notices
from storage.models import OPEN_STATES

MAX_ADDRESS = 300
MAX_URL = 500
MAX_IDS = 200
#: Without dates or ids, `GET requests` answers the last 90 days (the spec's default window).
DEFAULT_DAYS = 90
CLOSED_STATES = ("resolved", "rated", "cancelled")
STATUS_STATES = {"open": OPEN_STATES, "closed": CLOSED_STATES}
_NUMBER = re.compile(r"^\d{8}-\d{4,6}$")

Form = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class NewRequest:
    """A checked `POST requests`: what becomes a `ReportDraft`."""

    intent: Intent
    text: str  # the description, then the picture link
    answers: dict[str, str]  # question label → words, as the chat keeps them (`bot.web.open311.attributes`)
    address: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class RequestFilter:
    numbers: tuple[str, ...]
    intents: tuple[str, ...]
    states: tuple[str, ...]
    since: datetime | None
    until: datetime | None


def category(intents: IntentSet, code: str | None) -> Intent:
    """The category intent a service_code names (404 when there is none)."""
    intent = intents.get(code) if code else None
    if intent is None or intent.kind != "category":
        shown = (code or "")[:60]
        raise ApiError(404, f"service_code {shown!r} was not found (GET services lists them)")
    return intent


def _pairs(form: Form) -> list[tuple[str, str]]:
    return list(form.items()) if isinstance(form, Mapping) else list(form)


def _one(pairs: list[tuple[str, str]], key: str, problems: list[str]) -> str | None:
    values = [v for k, v in pairs if k == key]
    if len(values) > 1:
        problems.append(f"{key} is given {len(values)} times; give it once")
    value = clean_text(values[0]) if values else ""
    return value or None


def _coordinate(text: str | None, name: str, bound: float, problems: list[str]) -> float | None:
    if text is None:
        return None
    try:
        value = float(text) if len(text) <= 40 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -bound <= value <= bound:
        problems.append(f"{name} must be a decimal number of degrees between -{bound:g} and {bound:g} (WGS84), "
                        f"got {text[:40]!r}")
        return None
    return value


def parse_new_request(form: Form, intents: IntentSet) -> NewRequest:
    """Check a `POST requests` body; raise `ApiError` (404 unknown service_code, else 400 with every problem)."""
    pairs = _pairs(form)
    problems: list[str] = []
    code = _one(pairs, "service_code", problems)
    if code is None:
        raise ApiError(400, "service_code is required (GET services lists them)", *problems)
    intent = category(intents, code)
    lat_text, lon_text = _one(pairs, "lat", problems), _one(pairs, "long", problems)
    lat, lon = _coordinate(lat_text, "lat", 90, problems), _coordinate(lon_text, "long", 180, problems)
    if (lat_text is None) != (lon_text is None):
        problems.append("lat and long go together: give both, or address_string")
    address = _one(pairs, "address_string", problems)
    if address is not None and len(address) > MAX_ADDRESS:
        problems.append(f"address_string is {len(address)} characters; at most {MAX_ADDRESS}")
    if lat_text is None and lon_text is None and address is None:
        extra = " (address_id is not supported here)" if _one(pairs, "address_id", problems) else ""
        problems.append(f"a location is required: lat and long, or address_string{extra}")
    description = _one(pairs, "description", problems)
    if description is None:
        problems.append("description is required: what is wrong, in the reporter's words")
    elif len(description) > MAX_TEXT:
        problems.append(f"description is {len(description)} characters; at most {MAX_TEXT}")
    media = _one(pairs, "media_url", problems)
    if media is not None:
        parts = urlsplit(media) if len(media) <= MAX_URL else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"media_url must be an http(s) URL of at most {MAX_URL} characters")
            media = None
    answers = read_answers(pairs, intent, problems)
    text = "\n".join([description or "", *([notices.API_MEDIA_LINE.format(url=media)] if media else [])])
    if not problems and len(text) > MAX_TEXT:
        problems.append(f"description and media_url together are {len(text)} characters; at most {MAX_TEXT}")
    if problems:
        raise ApiError(400, *problems)
    return NewRequest(intent, text, answers, address if address and len(address) <= MAX_ADDRESS else None, lat, lon)


def parse_datetime(text: str, name: str, problems: list[str]) -> datetime | None:
    """A W3C date-time with its zone (2026-12-01T08:00:00+08:00 or …Z), as the spec requires."""
    try:
        value = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        problems.append(f"{name} must be a date-time with its zone, e.g. 2026-12-01T08:00:00+08:00, got {text[:40]!r}")
        return None
    return utc(value)


def parse_filter(query: Form, intents: IntentSet, *, now: datetime | None = None) -> RequestFilter:
    """`GET requests` parameters → filters; 400 with every problem. No ids and no dates: the last 90 days."""
    pairs = _pairs(query)
    problems: list[str] = []
    ids = _list(_one(pairs, "service_request_id", problems))
    if len(ids) > MAX_IDS:
        problems.append(f"service_request_id lists {len(ids)} ids; at most {MAX_IDS}")
    bad_ids = [i for i in ids if not _NUMBER.match(i)]
    if bad_ids:
        problems.append(f"service_request_id {bad_ids[0][:30]!r} is not a case number (YYYYMMDD-NNNN)")
    codes = _list(_one(pairs, "service_code", problems))
    for code in codes:
        if intents.get(code) is None or intents.get(code).kind != "category":  # type: ignore[union-attr]
            problems.append(f"service_code {code[:40]!r} is not a service here (GET services lists them)")
    statuses = _list(_one(pairs, "status", problems))
    for status in statuses:
        if status not in STATUS_STATES:
            problems.append(f"status must be open or closed (or open,closed), got {status[:20]!r}")
    start_text, end_text = _one(pairs, "start_date", problems), _one(pairs, "end_date", problems)
    since = parse_datetime(start_text, "start_date", problems) if start_text else None
    until = parse_datetime(end_text, "end_date", problems) if end_text else None
    if since and until and since >= until:
        problems.append("start_date must be before end_date")
    if problems:
        raise ApiError(400, *problems)
    if not ids and since is None and until is None:
        since = utc(now) - timedelta(days=DEFAULT_DAYS)
    states = tuple(s for status in dict.fromkeys(statuses) for s in STATUS_STATES[status])
    return RequestFilter(tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(codes)), states, since, until)


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]
