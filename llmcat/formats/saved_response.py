"""One HTTP response saved with its status and headers: `{"status": 200, "headers": {...}, "body": ...}`.

Test suites that mock an SDK's transport keep the provider's answer this way, without
the request. The body is the raw text (an SSE stream, say) or the JSON body itself; the
API is told by the body's shape.
"""

from __future__ import annotations

from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import Recording, Request, Response

FORMAT = "saved-response"
_KEYS = {"status", "headers", "body", "statusText", "status_text", "url"}


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if not _looks_like(obj):
        return None
    out = Response(headers=_http.header_map(obj["headers"]), status=obj["status"])
    out.content_type = out.headers.get("content-type") or None
    body = obj["body"]
    if isinstance(body, str) or body is None:
        _http.fill_body(out, body, False)
    else:
        _http.fill_json(out, body, False)
        out.size = _http.json_size(body)
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    request = _http.http_request(None, url, None) if url else Request()
    return [Recording(content.source, 0, FORMAT, request, out, stored=obj)]


def _looks_like(obj: Any) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("status"), int) and not isinstance(obj.get("status"), bool)
            and isinstance(obj.get("headers"), dict) and "body" in obj and set(obj) <= _KEYS)


register(Format(
    name=FORMAT,
    summary="One saved HTTP response (`{status, headers, body}` JSON, no request)",
    read=read,
    order=45,
    suffixes=(".json",),
    http_exchanges=True,
))
