"""Elixir ReqLLM's test fixtures: one call per JSON file.

`{request: {method, url, headers, canonical_json, body: {b64}}, response: {status, headers,
body}}`, written by ReqLLM's test transcript. A whole answer's `body` is the decoded JSON
(or `{b64}` when it was not JSON); a streamed one has `body: null` and its bytes in
`chunks: [{b64, decoded?}]`, joined here and read as the provider's stream it is (SSE,
NDJSON, an AWS event stream: `_http.fill_body` tells by content type, then by shape). Older
transcripts keep `events: [{type: status|headers|data|done, ...}]` instead. Req undoes a
`content-encoding` before the fixture is written: the header is left as recorded, the
body is not decompressed again (a gzip magic number is still undone).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import InputError, Recording, Request, Response

FORMAT = "req-llm"


def looks_like(obj: Any) -> bool:
    """ReqLLM writes `canonical_json` (the body its request matcher compares) in every request."""
    return (isinstance(obj, dict) and isinstance(obj.get("request"), dict) and "canonical_json" in obj["request"]
            and isinstance(obj.get("response", obj.get("events")), (dict, list)))


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if not looks_like(obj):
        return None
    request = _request(obj["request"], obj.get("model_spec"))
    response = _response(obj, request)
    return [Recording(content.source, 0, FORMAT, request, response, stored=obj)]


def _request(req: dict, model_spec: Any) -> Request:
    body = req.get("canonical_json")
    if isinstance(body, str):
        body = _http.json_or_text(body)
    elif not isinstance(body, (dict, list)):
        raw = _b64_field(req.get("body"), "request body")
        body = _http.json_or_text(raw) if raw is not None else None
    out = _http.http_request(req.get("method"), req.get("url"), body)
    if out.model is None and isinstance(model_spec, str):  # "anthropic:claude-haiku-4-5"
        out.model = model_spec.partition(":")[2] or model_spec
    return out


def _response(obj: dict, request: Request) -> Response:
    resp = obj.get("response")
    resp = resp if isinstance(resp, dict) else {}
    status, headers = resp.get("status"), resp.get("headers")
    chunks, streamed_chunks = obj.get("chunks"), True
    if isinstance(obj.get("events"), list) and chunks is None:
        status, headers, chunks = _from_events(obj["events"], status, headers)
        flag = resp.get("streaming")  # (as the transcript tells a stream: its flag, else several data events)
        streamed_chunks = flag if isinstance(flag, bool) else len(chunks) > 1
    out = Response(headers=_http.header_map(_pairs(headers)))
    out.status = status if isinstance(status, int) and not isinstance(status, bool) else None
    out.content_type = out.headers.get("content-type") or None
    streamed = _http.request_streams(request.body, request.url) or obj.get("streaming") is True
    if chunks is not None:
        if not isinstance(chunks, list):
            raise InputError("a ReqLLM fixture whose chunks are not a list")
        joined = b"".join(_chunk_bytes(chunk, n) for n, chunk in enumerate(chunks))
        _http.fill_decoded(out, joined, streamed_chunks or streamed, encoding=None)
        out.streaming = out.streaming or streamed_chunks
        return out
    body = resp.get("body")
    if isinstance(body, dict) and set(body) == {"b64"}:
        _http.fill_decoded(out, _b64_field(body, "response body"), streamed, encoding=None)
    elif isinstance(body, str):
        _http.fill_body(out, body, streamed)
    elif body is not None:
        _http.fill_json(out, body, streamed)
        out.size = _http.json_size(body)
    return out


def _from_events(events: list, status: Any, headers: Any) -> tuple[Any, Any, list]:
    """The older transcript: `{type: "status", value}`, `{type: "headers", value}`, `{type: "data", b64}`."""
    chunks = []
    for event in events:
        if not isinstance(event, dict):
            raise InputError("a ReqLLM transcript event that is not an object")
        kind = event.get("type")
        if kind == "status":
            status = event.get("value")
        elif kind == "headers":
            headers = event.get("value")
        elif kind == "data":
            chunks.append(event)
    return status, headers, chunks


def _pairs(value: Any) -> Any:
    """Headers as `[[name, value], ...]` (Elixir's tuples) become a map; a map stays one."""
    if isinstance(value, list):
        return {item[0]: item[1] for item in value if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)}
    return value


def _chunk_bytes(chunk: Any, position: int) -> bytes:
    if not isinstance(chunk, dict):
        raise InputError(f"ReqLLM chunk {position} is not an object")
    if "b64" not in chunk and isinstance(chunk.get("decoded"), str):
        return chunk["decoded"].encode("utf-8", "surrogatepass")
    data = _b64_field(chunk, f"chunk {position}")
    if data is None:
        raise InputError(f"ReqLLM chunk {position} has no b64 bytes")
    return data


def _b64_field(holder: Any, what: str) -> bytes | None:
    if not isinstance(holder, dict) or holder.get("b64") is None:
        return None
    text = holder["b64"]
    if not isinstance(text, str):
        raise InputError(f"ReqLLM {what}: b64 is not a string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"ReqLLM {what}: b64 is not base64") from None


register(Format(
    name=FORMAT,
    summary="Elixir ReqLLM test fixtures (`request.canonical_json`; streams as base64 `chunks`)",
    read=read,
    order=12,  # after llama-stack, which leaves a request with `canonical_json` to this reader
    request_marks=frozenset({"canonical_json"}),
    suffixes=(".json",),
    http_exchanges=True,
))
