"""The JSON shape of one recorded call, as `show --json` prints it (one line each)."""

from __future__ import annotations

from typing import Any

import orjson

from llmcat.apis import request_view
from llmcat.model import Completion, Recording, Usage


def usage_dict(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "raw": usage.raw,
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
        "choices": [
            {
                "index": c.index,
                "text": c.text,
                "reasoning": c.reasoning,
                "refusal": c.refusal,
                "tool_calls": [{"id": t.id, "name": t.name, "arguments": t.arguments} for t in c.tool_calls],
                "finish_reason": c.finish_reason,
            }
            for c in completion.choices
        ],
        "usage": usage_dict(completion.usage),
        "timing": completion.timing,
        "error": completion.error,
    }


def dumps_line(obj: Any) -> bytes:
    """One JSON Lines record. Lone surrogates (legal in JSON text, not in UTF-8) are escaped, not fatal."""
    try:
        return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        import json

        return (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode()
