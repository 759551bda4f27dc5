"""The JSON shape of one recorded call, as `show --json` prints it (one line each)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from llmcat.apis import request_view
from llmcat.model import Choice, Completion, InputError, Recording, Usage


def usage_dict(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "raw": usage.reported,
    }


def choice_dict(c: Choice, tool_call=lambda t: {"id": t.id, "name": t.name, "arguments": t.arguments}) -> dict[str, Any]:
    """One choice in `show --json`'s shape; `tool_call` lets `diff` shape its tool calls its own way."""
    return {
        "index": c.index,
        "text": c.text,
        "reasoning": c.reasoning,
        "refusal": c.refusal,
        "tool_calls": [tool_call(t) for t in c.tool_calls],
        "finish_reason": c.finish_reason,
    }


def call_dict(rec: Recording, completion: Completion) -> dict[str, Any]:
    return {
        "source": rec.source,
        "interaction": rec.interaction,
        "format": rec.format,
        "api": completion.api,
        "request": request_view(rec),
        "streaming": rec.response.streaming,
        "chunks": completion.chunks,
        "choices": [choice_dict(c) for c in completion.choices],
        "usage": usage_dict(completion.usage),
        "timing": completion.timing,
        "error": completion.error,
    }


# DEL and C1 controls (U+0080-U+009F): JSON allows them raw, terminals obey them. In
# UTF-8 output their bytes occur only inside strings, so `\u00XX` is the same JSON value.
_RAW_CONTROLS = re.compile(rb"\x7f|\xc2[\x80-\x9f]")


def _escape_control(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % match.group().decode("utf-8").encode("latin-1")[0]


def dumps_line(obj: Any) -> bytes:
    """One JSON Lines record. Lone surrogates (legal in JSON text, not in UTF-8) are escaped, not fatal;
    so are DEL and C1 controls, so that a terminal or pager shown the line cannot be driven by it."""
    try:
        line = orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # lone surrogates, or nesting deeper than orjson writes
        import json

        try:
            return (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode()
        except RecursionError:
            raise InputError("nested too deeply to write as JSON") from None
    if b"\x7f" in line or b"\xc2" in line:
        line = _RAW_CONTROLS.sub(_escape_control, line)
    return line
