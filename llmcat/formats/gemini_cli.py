"""gemini-cli's `.responses` files: the fake model's answers its integration tests replay.

JSON Lines, one model call a line: `{"method": "generateContent" | "generateContentStream" |
"countTokens" | "embedContent", "response": ...}` — a GenerateContentResponse (or, for a stream,
the list of its chunks), a CountTokensResponse, an EmbedContentResponse. No request and no HTTP
envelope is recorded: each line is one request-less call (`FILE#N`), its API told by its method.
"""

from __future__ import annotations

from typing import Any

import orjson

from llmcat.formats.registry import Content, Format, register
from llmcat.model import InputError, Recording, Request, Response
from llmcat.parsing.memory import reserve

FORMAT = "gemini-cli"

# The SDK method each line names, and the API its answer speaks (an unknown method: the body's shape decides).
_API_OF_METHOD = {"generateContent": "gemini", "generateContentStream": "gemini", "countTokens": "token_count",
                  "embedContent": "gemini.embed", "batchEmbedContents": "gemini.embed"}


def read(content: Content) -> list[Recording] | None:
    head = content.data[:256]
    if b'"method"' not in head or b'"response"' not in content.data:
        return None  # (cheap: nearly every file is refused on its first bytes)
    obj = content.json
    lines = [obj] if isinstance(obj, dict) else _lines(content) if obj is Content.NOT_JSON else None
    if not lines or not all(_is_call(line) for line in lines):
        return None
    return [_call(content.source, n, line) for n, line in enumerate(lines)]


def _lines(content: Content) -> list[dict] | None:
    text = content.text
    reserve(len(text))
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            out.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            if out and all(_is_call(value) for value in out):  # calls so far, then a broken line: mine, broken
                raise InputError(f"line {number} is not JSON ({exc})") from None
            return None
    return out


def _is_call(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("method"), str) and "response" in value and len(value) <= 4


def _call(source: str, n: int, line: dict) -> Recording:
    method, answer = line["method"], line["response"]
    out = Response(status=None, content_type="application/json")
    if isinstance(answer, list):  # a stream: its chunks, in order
        out.events, out.event_types, out.streaming = list(answer), [None] * len(answer), True
    else:
        out.events, out.event_types = [answer], [None]
    request = Request(endpoint=method)
    return Recording(source, n, FORMAT, request, out, stored=line, api=_API_OF_METHOD.get(method))


register(Format(
    name=FORMAT,
    summary="gemini-cli's `.responses` files (JSON Lines of `{method, response}`, one model call a line, no request)",
    read=read,
    order=80,
    suffixes=(".responses",),
    multi_call=True,
))
