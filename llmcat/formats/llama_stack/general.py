"""llama-stack's recordings read whole: every chunk as recorded (the general reader)."""

from __future__ import annotations

from typing import Any

from llmcat.formats._http import endpoint_of
from llmcat.formats.registry import exchange_marks
from llmcat.model import InputError, Recording, Request, Response
from llmcat.parsing import sse

FORMAT = "llama-stack"


def looks_like(obj: Any) -> bool:
    if not (isinstance(obj, dict) and isinstance(obj.get("request"), dict) and isinstance(obj.get("response"), dict)):
        return False
    req, resp = obj["request"], obj["response"]
    others_requests, others_responses = exchange_marks()
    if not (others_requests.isdisjoint(req) and others_responses.isdisjoint(resp)):
        return False  # another recorder's exchange (ReqLLM's, a WireMock stub's): its own reader says what it is
    # An HTTP recorder's exchange (the Datadog test agent's cassettes share these two keys) has a
    # status object and headers; llama-stack's response has neither (its status is a number).
    return not (isinstance(resp.get("status"), dict) and "is_streaming" not in resp)



def read(obj: dict, source: str) -> list[Recording]:
    if not looks_like(obj):
        raise InputError("not a llama-stack recording (no request/response objects)")
    req = obj["request"]
    resp = obj["response"]
    test_id = _str(obj.get("test_id")) or _str(req.get("test_id"))
    return [Recording(source, 0, FORMAT, _request(req, test_id), _response(resp), obj, api=_api_named(req))]


def _api_named(req: dict) -> str | None:
    """Calls that are not to a model API: the stack's tool runtime and file processor."""
    if "tool_name" in req:
        return "tool"
    if "file_id" in req:
        return "other"
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _request(req: dict, test_id: str | None) -> Request:
    if "tool_name" in req:  # tool-runtime invocation
        body = req.get("kwargs")
        return Request(None, None, None, None, test_id, body)
    if "file_id" in req:  # file-processor call
        body = {k: v for k, v in req.items() if k != "test_id"}
        return Request(None, None, None, None, test_id, body)
    body = req["payload"] if "payload" in req else req.get("body")
    url = _str(req.get("url"))
    endpoint = _str(req.get("endpoint")) or endpoint_of(url)
    model = _str(req.get("model")) or (_str(body.get("model")) if isinstance(body, dict) else None)
    return Request(_str(req.get("method")), url, endpoint, model, test_id, body)


def _response(resp: dict) -> Response:
    out = Response(streaming=resp.get("is_streaming") is True)
    status = resp.get("status")
    out.status = status if isinstance(status, int) and not isinstance(status, bool) else None
    if resp.get("is_exception"):
        data = resp.get("exception_data")
        out.exception = data if isinstance(data, dict) else {}
        if "message" not in out.exception and isinstance(resp.get("exception_message"), str):
            out.exception = {**out.exception, "message": resp["exception_message"]}
    body = resp.get("body")
    if isinstance(body, list):
        if body and set(map(type, body)) == {str}:  # SSE lines (a thousand-line stream: no Python step per line)
            out.events, out.event_types, out.done_marker = sse.decode_events(sse.parse_lines(body))
        else:
            for item in body:
                kind, data = unwrap(item)
                out.events.append(data)
                out.event_types.append(kind)
    elif body is not None:
        kind, data = unwrap(body)
        out.events.append(data)
        out.event_types.append(kind)
    return out


def unwrap(item: Any) -> tuple[str | None, Any]:
    """A pydantic dump `{"__type__", "__data__"}` as (type name, data); anything else as (None, item)."""
    if isinstance(item, dict) and "__type__" in item and "__data__" in item:
        kind = item["__type__"]
        return (kind if isinstance(kind, str) else None), item["__data__"]
    return None, item
