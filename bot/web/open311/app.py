"""The Open311 GeoReport v2 API as one aiohttp sub-application, mounted by the bot's web server at `/open311/v2/`.

Every path takes the spec's format suffix (`services.json`, `requests/20261201-0001.xml`). The documents
(`discovery`, `openapi.json`) are open; everything that reads or files desk data needs an `api_key`
(`griddesk api-key create`), and each such request counts towards the key's hourly limit. A request is
filed through `CaseService.file_case` like a chat report: the same routing, assignment and worker push.
Every refusal is a list of {code, description} with the matching HTTP status, and nothing is stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.cases.views import ReportDraft
from bot.errors import CaseError
from bot.web.open311 import attributes, bodies
from bot.web.open311.formats import ApiError, error_response, format_of, render
from bot.web.open311.identity import API_CHANNEL, api_resident_id
from bot.web.open311.keys import ApiKeys, KeyView
from bot.web.open311.openapi import openapi_document
from bot.web.open311.params import category, parse_filter, parse_new_request

if TYPE_CHECKING:
    from bot.cases.service import CaseService
    from bot.nlu.intent_files import IntentSet
    from bot.settings import Settings

log = logging.getLogger(__name__)

#: The largest `POST requests` body read (a 4,000-character description percent-encoded is ~36 KB).
MAX_BODY = 256 * 1024
_FMT = "{fmt:(json|xml)}"
_ID = "{id:[^/.]+}"


@dataclass(slots=True)
class Open311:
    """What the handlers share: the case service, the key store, the intent set (kept current on /reload)."""

    cases: CaseService
    keys: ApiKeys
    fallback: IntentSet

    @property
    def intents(self) -> IntentSet:
        return self.cases.intents or self.fallback


CONTEXT = web.AppKey("open311", Open311)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_open311_app(cases: CaseService, settings: Settings) -> web.Application:
    """The Open311 sub-application over `cases` (mount it: `app.add_subapp("/open311/v2/", …)`).

    Intents are read from `cases.intents` at each request, which `bot.services.build_app` keeps current
    across /reload; a service opened without them (tests, tools) loads `settings.intents_dir` once here.
    """
    fallback = cases.intents
    if fallback is None:
        from bot.nlu.intent_files import load_intents

        fallback = load_intents(settings.intents_dir, fast=True)
    app = web.Application(middlewares=[_spec_errors])
    app[CONTEXT] = Open311(cases, ApiKeys(cases.db), fallback)
    app.router.add_get(f"/discovery.{_FMT}", _discovery, name="discovery")
    app.router.add_get(f"/services.{_FMT}", _services, name="services")
    app.router.add_get(f"/services/{_ID}.{_FMT}", _definition, name="definition")
    app.router.add_get(f"/requests.{_FMT}", _requests, name="requests")
    app.router.add_post(f"/requests.{_FMT}", _create, name="create")
    app.router.add_get(f"/requests/{_ID}.{_FMT}", _request, name="request")
    app.router.add_get("/openapi.json", _openapi, name="openapi")
    return app


@web.middleware
async def _spec_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every refusal in the spec's shape, in the format the path asked for (unknown paths and methods too)."""
    fmt = format_of(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(fmt, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        why = {404: "no such resource: see openapi.json for the paths (each ends in .json or .xml)",
               405: f"{request.method} is not allowed here", 413: f"request body is over {MAX_BODY} bytes"}
        response = error_response(fmt, ApiError(exc.status, why.get(exc.status, exc.reason)))
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("open311: %s %s failed", request.method, request.path)
        return error_response(fmt, ApiError(500, "internal error; the request was not handled, try again later"))


def _ctx(request: web.Request) -> Open311:
    return request.app[CONTEXT]


async def _client(request: web.Request, key: str | None) -> KeyView:
    verdict = await _ctx(request).keys.check(key)
    if verdict.key is None or verdict.status != 200:
        raise ApiError(verdict.status, verdict.reason, retry_after=verdict.retry_after)
    return verdict.key


def _own(client: KeyView) -> int | None:
    """Whose requests this client may read: its own (scope own), or every one (scope all)."""
    return None if client.scope == "all" else api_resident_id(client)


async def _discovery(request: web.Request) -> web.Response:
    base = str(request.url.with_query(None)).rsplit("/discovery.", 1)[0] + "/"
    return render(request.match_info["fmt"], "discovery", bodies.discovery(base))


async def _openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document(), dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def _services(request: web.Request) -> web.Response:
    await _client(request, request.query.get("api_key"))
    return render(request.match_info["fmt"], "services", bodies.services(_ctx(request).intents))


async def _definition(request: web.Request) -> web.Response:
    await _client(request, request.query.get("api_key"))
    intent = category(_ctx(request).intents, request.match_info["id"])
    return render(request.match_info["fmt"], "service_definition", attributes.definition(intent))


async def _requests(request: web.Request) -> web.Response:
    client = await _client(request, request.query.get("api_key"))
    ctx = _ctx(request)
    wanted = parse_filter(request.query, ctx.intents)
    found = await ctx.cases.search_cases(numbers=wanted.numbers, intents=wanted.intents, states=wanted.states,
                                         since=wanted.since, until=wanted.until, resident_external_id=_own(client),
                                         channel=API_CHANNEL, limit=bodies.MAX_REQUESTS)
    return render(request.match_info["fmt"], "service_requests", [bodies.request(c, ctx.intents, ctx.cases.tz) for c in found])


async def _request(request: web.Request) -> web.Response:
    client = await _client(request, request.query.get("api_key"))
    ctx = _ctx(request)
    number = request.match_info["id"]
    case = await ctx.cases.find_case(number)
    own = _own(client)
    if case is None or (own is not None and (case.resident_channel, case.resident_external_id) != (API_CHANNEL, own)):
        raise ApiError(404, f"service_request_id {number[:30]!r} was not found")
    return render(request.match_info["fmt"], "service_requests", [bodies.request(case, ctx.intents, ctx.cases.tz)])


async def _form(request: web.Request) -> list[tuple[str, str]]:
    """The POST body as (name, value) pairs, refused before it is read when it is larger than MAX_BODY."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, f"request body is {request.content_length} bytes; at most {MAX_BODY} "
                            "(a description is at most 4000 characters; send pictures as media_url)")
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise ApiError(400, "send the request as application/x-www-form-urlencoded (or multipart/form-data)")
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge as exc:  # over the server's size, or more fields than it reads
        raise ApiError(413, f"request body refused: {exc.text}") from None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the request body is not a form in UTF-8") from None
    pairs = [(k, v) for k, v in form.items() if isinstance(v, str)]
    if len(pairs) != len(form):
        raise ApiError(400, "files are not accepted: give a picture as media_url")
    return pairs


async def _create(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    pairs = await _form(request)
    key = next((v for k, v in pairs if k == "api_key"), None) or request.query.get("api_key")
    client = await _client(request, key)
    ctx = _ctx(request)
    new = parse_new_request(pairs, ctx.intents)
    draft = ReportDraft(
        resident_external_id=api_resident_id(client), channel=API_CHANNEL, intent=new.intent.id, text=new.text,
        deadline_hours=new.intent.deadline_for(None), address=new.address, latitude=new.latitude,
        longitude=new.longitude, resident_name=client.name, answers=new.answers,
    )
    try:
        case = await ctx.cases.file_case(draft)
    except CaseError as exc:  # the service's own refusal (Chinese, safe to show)
        raise ApiError(400, str(exc)) from None
    deadline = case.deadline_at.astimezone(ctx.cases.tz).strftime("%Y-%m-%d %H:%M")
    log.info("open311: %s filed case %s (%s)", client.name, case.number, case.intent)
    return render(fmt, "service_requests", bodies.created(case, deadline), status=201)
