"""Azure SDK / Microsoft.ClientModel test-proxy session records: `{"Entries": [...], "Variables": {...}}`.

Each entry is one call: `RequestUri`, `RequestMethod`, `RequestHeaders`, `RequestBody`,
`StatusCode`, `ResponseHeaders`, `ResponseBody`. The proxy writes a body by its content
type: JSON (an object) as itself; other text as a string, or, when it has line breaks,
as a list of its lines to be joined; anything else as base64 text; `null` for none and
`[]` for an empty one.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, InputError, Recording, Response

FORMAT = "test-proxy"
_TEXT_TYPES = ("json", "text/", "xml", "event-stream", "javascript", "x-www-form-urlencoded", "ndjson")


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if not isinstance(obj, dict) or not isinstance(obj.get("Entries"), list):
        return None
    out = [_recording(entry, position, content.source) for position, entry in enumerate(obj["Entries"])
           if isinstance(entry, dict) and isinstance(entry.get("RequestUri"), str)]
    if not obj["Entries"]:  # a session that made no call (a test of client-side behaviour)
        raise EmptyRecording("a test-proxy record with no entries (the test made no call)")
    if not out:
        raise InputError("a test-proxy record whose entries are not HTTP exchanges")
    return out


def _recording(entry: dict, position: int, source: str) -> Recording:
    request_headers = _http.header_map(entry.get("RequestHeaders"))
    body = _body(entry.get("RequestBody"), request_headers.get("content-type"))
    if isinstance(body, (str, bytes)):
        body = _http.json_or_text(body)
    request = _http.http_request(entry.get("RequestMethod"), entry["RequestUri"], body)
    out = Response(headers=_http.header_map(entry.get("ResponseHeaders")))
    out.content_type = out.headers.get("content-type") or None
    out.status = _status(entry.get("StatusCode"))
    streamed = _http.request_streams(request.body, request.url)
    value = _body(entry.get("ResponseBody"), out.content_type)
    if isinstance(value, (str, bytes)) or value is None:
        _http.fill_decoded(out, value, streamed)
    else:  # a JSON body the proxy kept as JSON
        _http.fill_json(out, value, streamed)
        out.size = _http.json_size(value)
    return Recording(source, position, FORMAT, request, out, stored=entry)


def _status(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _body(value: Any, content_type: str | None) -> Any:
    """The body as the proxy would replay it: text, bytes, a JSON value, or None."""
    if value is None:
        return None
    textual = any(mark in (content_type or "").lower() for mark in _TEXT_TYPES)
    if isinstance(value, list):
        if not value:
            return None
        if all(isinstance(line, str) for line in value):
            return "".join(value)
        return value
    if isinstance(value, str) and not textual and content_type:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value  # a recorder that kept text under a binary type
    return value


register(Format(
    name=FORMAT,
    summary="Azure SDK / Microsoft.ClientModel test-proxy session records (`Entries[]` with `RequestUri`, `ResponseBody`)",
    read=read,
    order=21,
    suffixes=(".json",),
    multi_call=True,
    http_exchanges=True,
))
