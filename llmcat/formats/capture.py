"""Raw captures: a file of SSE text (`curl -N ... > reply.sse`), JSON Lines of chunks,
or one JSON response body saved as is. No request was recorded: the API is told by
the events' shape.
"""

from __future__ import annotations

from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import Recording, Request, Response
from llmcat.parsing import sse

_SHAPE_LOOKAHEAD = 8  # how many leading items of a list may be asked for a known shape


def looks_like_body(obj: Any) -> bool:
    """A saved response body of an API llmcat knows (as opposed to any JSON at all)."""
    from llmcat.apis import body_api

    if isinstance(obj, list):
        # Not only the first item: a stream may open with a chunk of no known shape (Azure's
        # `prompt_filter_results` with `"choices": []`).
        return (bool(obj) and all(isinstance(item, dict) for item in obj)
                and any(body_api(item) != "other" for item in obj[:_SHAPE_LOOKAHEAD]))
    return isinstance(obj, dict) and body_api(obj) != "other"


def read_sse(text: str, source: str) -> list[Recording]:
    out = Response(content_type="text/event-stream")
    _http.fill_sse(out, text)
    out.size = len(text.encode("utf-8", "surrogatepass"))
    return [Recording(source, 0, "sse", Request(), out, None)]


def read_jsonl(values: list, source: str) -> list[Recording]:
    out = Response(streaming=True, events=list(values), event_types=[None] * len(values))
    return [Recording(source, 0, "jsonl", Request(), out, None)]


def read_json(obj: Any, source: str) -> list[Recording]:
    out = Response(content_type="application/json")
    if isinstance(obj, list):  # a streamed JSON array (Gemini without alt=sse)
        out.events, out.event_types, out.streaming = list(obj), [None] * len(obj), True
    else:
        out.events, out.event_types = [obj], [None]
    return [Recording(source, 0, "json", Request(), out, None)]


def _json_body(content: Content) -> list[Recording] | None:
    obj = content.json
    return read_json(obj, content.source) if obj is not Content.NOT_JSON and looks_like_body(obj) else None


def _json_lines(content: Content) -> list[Recording] | None:
    if content.json is not Content.NOT_JSON or not content.json_like:
        return None
    lines = _http.split_json_lines(content.text)  # JSON Lines of chunks start with "{" too
    return read_jsonl(lines, content.source) if lines is not None and looks_like_body(lines) else None


def _sse_text(content: Content) -> list[Recording] | None:
    if content.json is not Content.NOT_JSON or content.yaml_read or content.json_like:
        return None
    return read_sse(content.text, content.source) if sse.looks_like_sse(content.text) else None


# Last: a capture is told only by its events' shape, after every container had its say.
register(Format(name="json", read=_json_body, order=90, suffixes=(".json",),
                summary="one JSON response body saved as is (or a JSON array of stream chunks)"))
register(Format(name="jsonl", read=_json_lines, order=91, suffixes=(".jsonl", ".ndjson"),
                summary="JSON Lines of stream chunks (NDJSON)"))
register(Format(name="sse", read=_sse_text, order=92, suffixes=(".sse",),
                summary="server-sent events text, as `curl -N` saves a stream"))
