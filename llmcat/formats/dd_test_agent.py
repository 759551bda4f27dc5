"""The Datadog APM test agent's VCR proxy cassettes: one call per JSON file.

`{"request": {method, url, headers, body}, "response": {status: {code, message}, headers, body}}`,
bodies as text (already decompressed: a stale `Content-Encoding` header is ignored), or
`base64:` and the bytes in base64 when they were binary (an AWS event stream, say). It
shares its two top-level keys with a llama-stack recording; what tells them apart is the
HTTP-shaped response (a status object and headers, a text body) and the request's URL.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import Recording, Response

FORMAT = "dd-test-agent"


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if not _looks_like(obj):
        return None
    req, resp = obj["request"], obj["response"]
    request = _http.http_request(req.get("method"), req["url"], _http.json_or_text(_bytes_or_text(req.get("body"))))
    out = Response(headers=_http.header_map(resp.get("headers")))
    out.content_type = out.headers.get("content-type") or None
    code = resp["status"].get("code")
    out.status = code if isinstance(code, int) and not isinstance(code, bool) else None
    body = _bytes_or_text(resp.get("body"))
    _http.fill_body(out, body if body != "" else None, _http.request_streams(request.body, request.url))
    return [Recording(content.source, 0, FORMAT, request, out, stored=obj)]


def _looks_like(obj: Any) -> bool:
    if not isinstance(obj, dict) or not isinstance(obj.get("request"), dict) or not isinstance(obj.get("response"), dict):
        return False
    req, resp = obj["request"], obj["response"]
    return (isinstance(req.get("url"), str) and isinstance(resp.get("status"), dict) and isinstance(resp.get("headers"), dict)
            and isinstance(resp.get("body", ""), str) and "is_streaming" not in resp)


def _bytes_or_text(body: Any) -> bytes | str:
    if not isinstance(body, str):
        return ""
    if body.startswith("base64:"):
        try:
            return base64.b64decode(body[7:], validate=True)
        except (binascii.Error, ValueError):
            return body
    return body


register(Format(
    name=FORMAT,
    summary="Datadog APM test agent VCR proxy cassettes (one `{request, response}` per JSON file, bodies as text)",
    read=read,
    order=11,  # after llama-stack, which refuses this HTTP-shaped response: a suite of llama-stack files pays no look here
    suffixes=(".json",),
    http_exchanges=True,
))
