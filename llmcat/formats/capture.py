"""Raw captures: a file of SSE text (`curl -N ... > reply.sse`), JSON Lines of chunks,
or one JSON response body saved as is. No request was recorded: the API is told by
the events' shape.
"""

from __future__ import annotations

from typing import Any

from llmcat.formats import _http
from llmcat.model import Recording, Request, Response


def looks_like_body(obj: Any) -> bool:
    """A saved response body of an API llmcat knows (as opposed to any JSON at all)."""
    from llmcat.apis import detect_body

    if isinstance(obj, list):
        return bool(obj) and all(isinstance(item, dict) for item in obj) and detect_body(obj[0]) != "other"
    return isinstance(obj, dict) and detect_body(obj) != "other"


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

