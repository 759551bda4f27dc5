"""The shape of one recorded call as plain values: what `show --json` prints and `diff` compares."""

from __future__ import annotations

from typing import Any

from llmcat.apis import request_view
from llmcat.model import Choice, Completion, Recording, Usage


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
