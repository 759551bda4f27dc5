"""Node's nock recorder (`nock.recorder.rec({output_objects: true})`, nock.back fixtures): a JSON list.

Each entry is one call: `{scope, method, path, body, status, response, rawHeaders,
reqheaders, responseIsBinary}`. `scope` + `path` is the URL. A JSON response is kept
parsed, other text as a string; a binary response (`responseIsBinary`) as hex, and a
compressed one (`Content-Encoding` set) as a list of hex chunks. `rawHeaders` alternates
names and values (older nock: a `headers` object).
"""

from __future__ import annotations

from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, Recording, Response

FORMAT = "nock"


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if obj == []:  # nock.back's fixture of a test that made no call
        raise EmptyRecording("an empty list (a nock recording of no call)")
    if not isinstance(obj, list) or not all(_is_entry(entry) for entry in obj):
        return None
    return [_recording(entry, position, content.source) for position, entry in enumerate(obj)]


def _is_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("scope"), str) and isinstance(entry.get("method"), str) and "path" in entry


def _recording(entry: dict, position: int, source: str) -> Recording:
    path = entry.get("path") if isinstance(entry.get("path"), str) else ""
    url = entry["scope"].rstrip("/") + path
    body = entry.get("body")
    if isinstance(body, str):
        body = _http.json_or_text(body)
    request = _http.http_request(entry["method"], url, body)
    out = Response(headers=_headers(entry))
    out.content_type = out.headers.get("content-type") or None
    status = entry.get("status")
    out.status = status if isinstance(status, int) and not isinstance(status, bool) else None
    streamed = _http.request_streams(request.body, request.url)
    response = entry.get("response")
    raw = _raw_bytes(response, entry, out.headers)
    if raw is not None:
        _http.fill_decoded(out, raw, streamed)
    elif isinstance(response, str) or response is None:
        _http.fill_body(out, response, streamed)
    else:
        _http.fill_json(out, response, streamed)
        out.size = _http.json_size(response)
    return Recording(source, position, FORMAT, request, out, stored=entry)


def _headers(entry: dict) -> dict[str, str]:
    raw = entry.get("rawHeaders")
    if isinstance(raw, list):
        pairs: dict[str, list] = {}
        for name, value in zip(raw[::2], raw[1::2], strict=False):
            if isinstance(name, str):
                pairs.setdefault(name, []).append(value)
        return _http.header_map(pairs)
    return _http.header_map(raw if isinstance(raw, dict) else entry.get("headers"))


def _raw_bytes(response: Any, entry: dict, headers: dict[str, str]) -> bytes | None:
    """The response's bytes when nock kept them as hex (binary, or compressed chunks)."""
    if headers.get("content-encoding") and isinstance(response, list) and response and all(isinstance(c, str) for c in response):
        try:
            return b"".join(bytes.fromhex(chunk) for chunk in response)
        except ValueError:
            return None
    if entry.get("responseIsBinary") is True and isinstance(response, str):
        try:
            return bytes.fromhex(response)
        except ValueError:
            return None
    return None


register(Format(
    name=FORMAT,
    summary="Node's nock recorder output and nock.back fixtures (JSON list of `{scope, path, response, rawHeaders}`)",
    read=read,
    order=22,
    suffixes=(".json",),
    multi_call=True,
    http_exchanges=True,
))
