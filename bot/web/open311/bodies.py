"""What the Open311 endpoints answer: services, service definitions and requests, built from the intent files
and the case service's views (the shape; `formats` renders it as JSON or XML)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from bot.cases.views import CaseView
from bot.nlu.intent_files import Intent, IntentSet
from bot.web.open311.formats import iso as as_iso
from bot.wording import notices
from bot.wording.names import CATEGORY_FALLBACK, LEVEL_NAMES, STATE_NAMES

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this API last changed (discovery's changeset): clients re-read services when it moves.
CHANGESET = "2026-12-01T00:00:00Z"
#: The most requests one `GET requests` answers (announced in discovery as max_requests).
MAX_REQUESTS = 200


def discovery(base_url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": "Ask the desk's administrator (GridDesk 网格服务台).",
        "key_service": "An administrator creates a key with: griddesk api-key create --name CLIENT",
        "max_requests": MAX_REQUESTS,
        "endpoints": [{"specification": SPECIFICATION, "url": base_url, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }


def service(intent: Intent) -> dict[str, Any]:
    """One category as a service: service_code = the intent id, group = the department that handles it."""
    return {
        "service_code": intent.id, "service_name": intent.name, "description": intent.name,
        "metadata": bool(intent.questions), "type": "realtime",
        "keywords": ",".join(t.raw for t in intent.keywords[:8]), "group": intent.department,
    }


def services(intents: IntentSet) -> list[dict[str, Any]]:
    return [service(i) for i in sorted(intents.categories, key=lambda i: i.id)]


def created(case: CaseView, deadline: str) -> list[dict[str, Any]]:
    """The answer to `POST requests`: the case number is the service_request_id."""
    notice = (notices.API_NOTICE.format(told=case.told, deadline=deadline) if case.told
              else notices.API_NOTICE_QUEUED.format(deadline=deadline))
    return [{"service_request_id": case.number, "service_notice": notice, "account_id": None}]


def _agency(case: CaseView) -> str:
    """Who holds the case now: the grid (with its community), the community, or the street."""
    if case.level == "grid" and case.grid_name:
        return " ".join(p for p in (case.community_name, case.grid_name) if p)
    if case.level in ("grid", "community") and case.community_name:
        return case.community_name
    return LEVEL_NAMES.get(case.level, case.level)


def _status_notes(case: CaseView) -> str:
    state = STATE_NAMES.get(case.state, case.state)
    note = {"resolved": case.resolution_note, "rated": case.resolution_note, "returned": case.return_reason}.get(case.state)
    return notices.API_STATUS_NOTE.format(state=state, note=note) if note else state


def media_url(text: str) -> str | None:
    """The picture link a request was filed with (kept as a line of the case text)."""
    head = notices.API_MEDIA_LINE.split("{url}")[0]
    return next((line[len(head):].strip() for line in text.splitlines() if line.startswith(head)), None)


def request(case: CaseView, intents: IntentSet | None, tz: tzinfo) -> dict[str, Any]:
    """One case as a service request (open while someone still has to act on it); times in the desk's zone."""
    name = intents.display_name(case.intent) if intents else CATEGORY_FALLBACK.get(case.intent, case.intent)

    def iso(dt: datetime | None) -> str | None:
        return as_iso(dt.astimezone(tz)) if dt is not None else None

    return {
        "service_request_id": case.number, "status": "open" if case.is_open else "closed",
        "status_notes": _status_notes(case), "service_name": name, "service_code": case.intent,
        "description": case.text, "agency_responsible": _agency(case), "service_notice": None,
        "requested_datetime": iso(case.created_at), "updated_datetime": iso(case.updated_at or case.created_at),
        "expected_datetime": iso(case.deadline_at), "address": case.address, "address_id": None, "zipcode": None,
        "lat": case.latitude, "long": case.longitude, "media_url": media_url(case.text),
    }
