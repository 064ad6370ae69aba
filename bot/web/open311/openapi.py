"""The OpenAPI 3.1 description of the Open311 API, served as `openapi.json` by the sub-application.

Paths are relative to where the bot's web server mounts the API (`/open311/v2/`); `servers` says so.
tests/test_open311.py checks that every route of the app is described here and nothing else.
"""

from __future__ import annotations

from typing import Any

from bot.nlu.questions import MAX_ANSWER
from bot.web.open311.attributes import LIST, STRING
from bot.web.open311.bodies import MAX_REQUESTS
from bot.web.open311.params import DEFAULT_DAYS, MAX_ADDRESS, MAX_IDS, MAX_URL

_FORMAT = {"name": "format", "in": "path", "required": True, "schema": {"type": "string", "enum": ["json", "xml"]},
           "description": "json or xml, as the spec's suffix"}
_KEY = {"name": "api_key", "in": "query", "required": True, "schema": {"type": "string"},
        "description": "the key `griddesk api-key create --name CLIENT` printed"}


def _q(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string", **schema},
            "description": description}


def _ok(ref: str, description: str, status: str = "200") -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}},
               "text/xml": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}
    errors = {code: {"$ref": "#/components/responses/Errors"} for code in ("400", "403", "404", "429")}
    return {status: {"description": description, "content": content}, **errors}


def _string(*names: str) -> dict[str, Any]:
    return {n: {"type": ["string", "null"]} for n in names}


_REQUEST = {"type": "object", "properties": {
    **_string("service_request_id", "status_notes", "service_name", "service_code", "description", "agency_responsible",
              "service_notice", "address", "address_id", "zipcode", "media_url"),
    "status": {"type": "string", "enum": ["open", "closed"]},
    **{n: {"type": "string", "format": "date-time"} for n in ("requested_datetime", "updated_datetime")},
    "expected_datetime": {"type": "string", "format": "date-time", "description": "the deadline (办结时限)"},
    "lat": {"type": ["number", "null"]}, "long": {"type": ["number", "null"]},
}}
_SCHEMAS: dict[str, Any] = {
    "Discovery": {"type": "object", "properties": {**_string("changeset", "contact", "key_service"),
                                                   "max_requests": {"type": "integer"},
                                                   "endpoints": {"type": "array", "items": {"type": "object"}}}},
    "Services": {"type": "array", "items": {"type": "object", "properties": {
        **_string("service_code", "service_name", "description", "keywords", "group"),
        "metadata": {"type": "boolean"}, "type": {"type": "string", "enum": ["realtime"]}}}},
    "ServiceDefinition": {"type": "object", "properties": {"service_code": {"type": "string"}, "attributes": {
        "type": "array", "items": {"type": "object", "properties": {
            **_string("code", "datatype_description", "description"), "variable": {"type": "boolean"},
            "required": {"type": "boolean"}, "order": {"type": "integer"},
            "datatype": {"type": "string", "enum": [STRING, LIST], "description": "singlevaluelist when the "
                         "question has choices (a value's key is the choice's position, 1 = the first), else string"},
            "values": {"type": "array", "items": {"type": "object", "properties": _string("key", "name")}}}}}}},
    "Created": {"type": "array", "items": {"type": "object", "properties": _string("service_request_id",
                                                                                   "service_notice", "account_id")}},
    "Requests": {"type": "array", "items": _REQUEST},
    "Errors": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "integer", "description": "the HTTP status"}, "description": {"type": "string"}}}},
}
_NEW_REQUEST = {"type": "object", "required": ["api_key", "service_code", "description"], "properties": {
    "api_key": {"type": "string"},
    "service_code": {"type": "string", "description": "a service_code of GET services"},
    "lat": {"type": "number", "minimum": -90, "maximum": 90}, "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"type": "string", "maxLength": MAX_ADDRESS, "description": "required unless lat and long"},
    "description": {"type": "string", "maxLength": 4000},
    "media_url": {"type": "string", "format": "uri", "maxLength": MAX_URL},
}, "additionalProperties": {"type": "string", "description": "attribute[CODE]=KEY (a singlevaluelist) or "
                            f"=WORDS (a string, at most {MAX_ANSWER} characters): the answers to the service definition's "
                            "questions, kept on the case for the worker; an unknown CODE or KEY is refused (400)"}}


def openapi_document() -> dict[str, Any]:
    """The whole document (a fresh dict each time)."""
    ids = _q("service_request_id", f"case numbers, comma-separated (at most {MAX_IDS}); other filters narrow further")
    return {
        "openapi": "3.1.0",
        "info": {"title": "GridDesk Open311 GeoReport v2", "version": "2",
                 "description": "File and follow community cases (网格服务台). Errors are lists of {code, description} "
                                "with the HTTP status as code; 429 carries Retry-After. A key created with scope own "
                                "reads only the requests it filed."},
        "servers": [{"url": "/open311/v2"}],
        "paths": {
            "/discovery.{format}": {"get": {"summary": "service discovery (no key)", "parameters": [_FORMAT],
                                            "responses": _ok("Discovery", "the endpoint, its formats and changeset")}},
            "/services.{format}": {"get": {"summary": "one service per category (service_code = category id, "
                                                      "group = department)", "parameters": [_FORMAT, _KEY],
                                           "responses": _ok("Services", "the services")}},
            "/services/{service_code}.{format}": {"get": {
                "summary": "the category's questions (its intent file's questions:) as attributes",
                "responses": _ok("ServiceDefinition", "the definition"),
                "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}},
                               _FORMAT, _KEY]}},
            "/requests.{format}": {
                "get": {"summary": f"requests, newest first (at most {MAX_REQUESTS}; no ids or dates: the last "
                                   f"{DEFAULT_DAYS} days)", "responses": _ok("Requests", "the requests"),
                        "parameters": [_FORMAT, _KEY, ids, _q("service_code", "service codes, comma-separated"),
                                       _q("start_date", "filed at or after (date-time with zone)", format="date-time"),
                                       _q("end_date", "filed before (date-time with zone)", format="date-time"),
                                       _q("status", "open, closed or open,closed")]},
                "post": {"summary": "file a request: routed and assigned like a chat report; service_request_id is "
                                    "the case number", "parameters": [_FORMAT],
                         "requestBody": {"required": True, "content": {
                             "application/x-www-form-urlencoded": {"schema": _NEW_REQUEST},
                             "multipart/form-data": {"schema": _NEW_REQUEST}}},
                         "responses": {**_ok("Created", "filed", "201"),
                                       "413": {"$ref": "#/components/responses/Errors"}}}},
            "/requests/{service_request_id}.{format}": {"get": {
                "summary": "one request by its case number", "responses": _ok("Requests", "a list of one request"),
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}, _FORMAT, _KEY]}},
            "/openapi.json": {"get": {"summary": "this document (no key)",
                                      "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
        "components": {"schemas": _SCHEMAS, "responses": {"Errors": {"description": "refused; nothing was stored",
                                                                     "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Errors"}},
            "text/xml": {"schema": {"$ref": "#/components/schemas/Errors"}}}}}},
    }
