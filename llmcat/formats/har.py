"""HAR 1.2 (`{"log": {"entries": [...]}}`), as browser devtools, mitmproxy and proxies save it.

Each entry is one call, numbered by its position in `log.entries`. `content.text` is
the body as text, or base64 when `content.encoding` says so (Polly.JS: a JSON array of
base64 pieces of one stream); `timings` (milliseconds) and the entry's total `time`
become the call's timing.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, InputError, Recording, Request, Response
from llmcat.parsing.memory import json_loads

FORMAT = "har"


def looks_like(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("log"), dict) and isinstance(obj["log"].get("entries"), list)


def read_content(content: Content) -> list[Recording] | None:
    obj = content.json
    return read(obj, content.source) if looks_like(obj) else None


def read(obj: dict, source: str) -> list[Recording]:
    if not obj["log"]["entries"]:
        raise EmptyRecording("a HAR file with no entries (nothing was recorded)")
    out = []
    for position, entry in enumerate(obj["log"]["entries"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
            continue
        request = _request(entry["request"])
        response = _response(entry.get("response"), request)
        timing = _timing(entry)
        if timing:
            response.timing = timing
        out.append(Recording(source, position, FORMAT, request, response, entry))
    if not out:
        raise InputError("a HAR file with no entries")
    return out


def _request(req: dict) -> Request:
    post = req.get("postData")
    body = None
    if isinstance(post, dict):
        if isinstance(post.get("text"), str):
            body = _http.json_or_text(post["text"])
        elif isinstance(post.get("params"), list):
            body = {p.get("name"): p.get("value") for p in post["params"] if isinstance(p, dict) and isinstance(p.get("name"), str)}
    return _http.http_request(req.get("method"), req.get("url"), body)


def _response(resp: Any, request: Request) -> Response:
    out = Response()
    streamed = _http.request_streams(request.body, request.url)
    if not isinstance(resp, dict):
        out.streaming = streamed
        return out
    status = resp.get("status")
    # HAR writes status 0 for a request that got no response (blocked, aborted).
    out.status = status if isinstance(status, int) and not isinstance(status, bool) and status > 0 else None
    out.headers = _http.header_map(resp.get("headers"))
    content = resp.get("content")
    content = content if isinstance(content, dict) else {}
    mime = content.get("mimeType") if isinstance(content.get("mimeType"), str) else None
    out.content_type = out.headers.get("content-type") or mime
    text = content.get("text")
    body: bytes | str | None = None
    if isinstance(text, str):
        if str(content.get("encoding", "")).lower() == "base64":
            body = _base64_body(text)
            if body is None:  # spoils only this entry: the file's other calls are read
                out.streaming = streamed
                out.exception = {"type": "unreadable-body", "message": "HAR content.text says base64 but is not"}
                return out
        else:
            body = text
    # HAR bodies are stored decoded (a gzip magic number means the tool kept one raw).
    _http.fill_decoded(out, body, streamed, encoding=None)
    if out.size is None and isinstance(content.get("size"), int):
        out.size = content["size"]
    return out


def _base64_body(text: str) -> bytes | None:
    """`content.text` in base64; Polly.JS writes a JSON array of base64 pieces of one (often gzip)
    stream, each piece as the network delivered it: decoded one by one, then joined."""
    try:
        if not text.lstrip().startswith("["):  # ("[" is no base64 letter)
            return base64.b64decode(text, validate=False)
        pieces = json_loads(text)
        if not isinstance(pieces, list) or not all(isinstance(piece, str) for piece in pieces):
            return None
        return b"".join(base64.b64decode("".join(piece.split()), validate=True) for piece in pieces)
    except (binascii.Error, ValueError):  # (orjson.JSONDecodeError is a ValueError)
        return None


def _timing(entry: dict) -> dict[str, Any] | None:
    timings = entry.get("timings")
    out: dict[str, Any] = {}
    if isinstance(timings, dict):
        # -1 means "does not apply" in HAR
        out = {k: v for k, v in timings.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0}
    total = entry.get("time")
    if isinstance(total, (int, float)) and not isinstance(total, bool) and total >= 0:
        out["time"] = total
    if isinstance(entry.get("startedDateTime"), str):
        out["started"] = entry["startedDateTime"]
    return out or None


register(Format(
    name=FORMAT, read=read_content, order=30, multi_call=True, http_exchanges=True, suffixes=(".har", ".json"),
    summary="HAR 1.2 (browser devtools, mitmproxy): `log.entries[]`",
))
