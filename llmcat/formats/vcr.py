"""VCR.py cassettes: `{"interactions": [{"request": ..., "response": ...}], "version": 1}`.

YAML (the default serializer; optionally gzip-compressed) or JSON. Plain vcrpy keeps
`request.body` as text and `response.body.string` as the raw body (`!!binary` when it
was not text); pydantic-ai's serializer stores JSON bodies decoded, as `parsed_body`.
Each interaction is one call, numbered by its position in the list; an entry that is
not an HTTP exchange is skipped without renumbering the others.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, InputError, Recording, Request, Response
from llmcat.parsing import sse

FORMAT = "vcr"


def looks_like(obj: Any) -> bool:
    return isinstance(obj, dict) and (isinstance(obj.get("interactions"), list) or _nothing_recorded(obj))


def _nothing_recorded(obj: dict) -> bool:
    """`interactions: []`, `{}` or nothing after the key (go-vcr, vcrpy, a test that made no call)."""
    return "interactions" in obj and obj["interactions"] in ([], {}, None) and set(obj) <= _CASSETTE_KEYS


_CASSETTE_KEYS = {"interactions", "version"}


def sniff_yaml(text: str) -> bool:
    """Does this text look like a YAML cassette (an `interactions:` key at the top level)?"""
    head = text[:65536]
    return head.startswith("interactions:") or "\ninteractions:" in head


def read_content(content: Content) -> list[Recording] | None:
    """vcrpy's JSON serializer, or its YAML (an `interactions:` key, or a .yaml/.yml name)."""
    obj = content.json
    if obj is Content.NOT_JSON:
        if content.json_like or not (sniff_yaml(content.text) or content.yaml_named()):
            return None
        obj = content.yaml
    return read(obj, content.source, content.yaml_read and content.yaml_is_json) if looks_like(obj) else None


def read(obj: dict, source: str, as_json: bool = False) -> list[Recording]:
    """`as_json`: the cassette holds only JSON's values already (YAML that held no more): its bodies
    need no `jsonable` walk. (JSON parsed by the standard library may hold NaN.)"""
    if _nothing_recorded(obj):
        raise EmptyRecording("a VCR cassette with no interactions (the test made no call)")
    safe = _as_is if as_json else jsonable
    out = []
    for position, entry in enumerate(obj["interactions"]):
        if not _is_exchange(entry):
            continue
        request = _request(entry["request"], safe)
        out.append(Recording(source, position, FORMAT, request, _response(entry["response"], request, safe), entry))
    if not out:
        raise InputError("a VCR cassette with no HTTP interactions")
    return out


def _is_exchange(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    request, response = entry.get("request"), entry.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return False
    return isinstance(request.get("uri") or request.get("url"), str) or isinstance(request.get("method"), str)


def _as_is(value: Any) -> Any:
    return value


def _request(req: dict, safe: Callable[[Any], Any]) -> Request:
    headers = _http.header_map(req.get("headers"))
    if "parsed_body" in req:
        body = safe(req["parsed_body"])
    else:
        body = req.get("body")
        if isinstance(body, dict) and "string" in body:
            body = body["string"]
        if isinstance(body, bytes):
            try:
                body = _http.decode_content(body, headers.get("content-encoding"))
            except InputError:
                pass  # an undecodable request body still leaves the response readable
        body = _http.json_or_text(body) if isinstance(body, (str, bytes)) else safe(body)
    url = req.get("uri") if isinstance(req.get("uri"), str) else req.get("url")
    return _http.http_request(req.get("method"), url, body)


def _response(resp: dict, request: Request, safe: Callable[[Any], Any]) -> Response:
    out = Response()
    status = resp.get("status", resp.get("status_code"))  # (httpx stubs: `status_code`)
    code = status.get("code") if isinstance(status, dict) else status
    out.status = code if isinstance(code, int) and not isinstance(code, bool) else None
    out.headers = _http.header_map(resp.get("headers"))
    out.content_type = out.headers.get("content-type") or None
    streamed = _http.request_streams(request.body, request.url)
    if "parsed_body" in resp:
        body = safe(resp["parsed_body"])
        out.size = _json_size(body)
        out.streaming = streamed or (out.content_type or "").startswith("text/event-stream")
        if isinstance(body, str) and (out.streaming or sse.looks_like_sse(body)):
            _http.fill_body(out, body, streamed)  # a stream the serializer kept as one string
        else:
            _http.fill_json(out, body, streamed)
            out.streaming = out.streaming or len(out.events) > 1
        return out
    body = resp.get("body", resp.get("content"))  # (httpx stubs: `content`)
    if isinstance(body, dict):
        body = body.get("string")
    if not isinstance(body, (str, bytes)):
        body = None
    _http.fill_decoded(out, body, streamed)
    return out


def _json_size(body: Any) -> int | None:
    import orjson

    try:
        return len(orjson.dumps(body))
    except TypeError:
        return None


def jsonable(value: Any) -> Any:
    """YAML values JSON cannot carry (bytes, dates, sets, non-string keys) made JSON-safe.

    Returns the same object when nothing needed changing (the usual case).
    """
    if isinstance(value, dict):
        changed = False
        items = []
        for key, item in value.items():
            new_key = key if isinstance(key, str) else _scalar_text(key)
            new_item = jsonable(item)
            changed |= new_key is not key or new_item is not item
            items.append((new_key, new_item))
        return dict(items) if changed else value
    if isinstance(value, list):
        new = [jsonable(item) for item in value]
        return new if any(a is not b for a, b in zip(new, value, strict=True)) else value
    if isinstance(value, (set, frozenset, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None  # NaN is not JSON
    return value


def _scalar_text(key: Any) -> str:
    if isinstance(key, bytes):
        return key.decode("utf-8", "replace")
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, (datetime.date, datetime.datetime)):
        return key.isoformat()
    return str(key)


register(Format(
    name=FORMAT, read=read_content, order=20, multi_call=True, http_exchanges=True,
    suffixes=(".yaml", ".yml", ".yaml.gz", ".yml.gz", ".json", ".json.gz"),
    summary="VCR.py cassettes (vcrpy, pytest-recording, pydantic-ai's parsed_body flavour): YAML or JSON",
))
