"""GeoReport v2 bodies in JSON and XML, and errors in the spec's shape (a list of {code, description}).

One structure is rendered both ways: a list in JSON is a wrapper element of repeated items in XML
(`services` → `<service>`, `service_requests` → `<request>`, …), as the spec's examples and FixMyStreet do.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
#: The element each item of a named list gets in XML.
ITEM_TAGS = {"services": "service", "attributes": "attribute", "values": "value", "service_requests": "request",
             "errors": "error", "endpoints": "endpoint", "formats": "format"}
#: Characters XML 1.0 cannot carry at all (a resident's text may hold them; JSON can).
MAX_ERRORS = 20
_XML_BAD = {c for c in range(32) if c not in (9, 10, 13)} | {0xFFFE, 0xFFFF}


class ApiError(Exception):
    """A refusal in the spec's shape: HTTP status, and one or more (code, description)."""

    def __init__(self, status: int, *descriptions: str, retry_after: int = 0):
        super().__init__(descriptions[0] if descriptions else str(status))
        self.status = status
        shown = descriptions[:MAX_ERRORS] or ("error",)
        if len(descriptions) > MAX_ERRORS:  # 10,000 bad attribute[…] fields get 20 answers, not 10,000
            shown += (f"… and {len(descriptions) - MAX_ERRORS} more problems of the same request",)
        self.descriptions = shown
        self.retry_after = retry_after


def iso(dt: datetime | None) -> str | None:
    """W3C date-time with the zone (the spec requires one): 2026-12-01T12:30:00+00:00."""
    return dt.isoformat(timespec="seconds") if dt is not None else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "".join(ch for ch in text if ord(ch) not in _XML_BAD and not 0xD800 <= ord(ch) <= 0xDFFF)


def _element(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, sub in value.items():
            _element(node, key, sub)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        for item in value:
            _element(node, item_tag, item)
    elif value is not None:
        node.text = _text(value)


def to_xml(root: str, body: Any) -> bytes:
    """`body` under `<root>`: a dict's keys become child elements, a list's items `ITEM_TAGS[root]` elements."""
    top = ET.Element(root)
    if isinstance(body, dict):
        for key, value in body.items():
            _element(top, key, value)
    else:
        item_tag = ITEM_TAGS.get(root, "item")
        for item in body:
            _element(top, item_tag, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def render(fmt: str, root: str, body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """The response for `body` in `fmt` (json, xml); `root` names the XML root element."""
    data = to_xml(root, body) if fmt == "xml" else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = web.Response(body=data, status=status, headers=headers)
    response.content_type, response.charset = CONTENT_TYPES[fmt].split(";")[0], "utf-8"
    return response


def error_response(fmt: str, error: ApiError) -> web.Response:
    body = [{"code": error.status, "description": d} for d in error.descriptions]
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    return render(fmt, "errors", body, status=error.status, headers=headers)


def format_of(request: web.Request) -> str:
    """The format a request asked for by its suffix (`.json`/`.xml`); JSON when it named none we serve."""
    path = request.path.lower()
    return "xml" if path.endswith(".xml") else "json"
