"""The shape of one recorded call as plain values: what `show --json` prints and `diff` compares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from llmcat.apis import request_view
from llmcat.model import Block, Choice, Completion, Recording, ToolCall, Usage


def usage_dict(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
        "cached_tokens": usage.cached_tokens,
        "raw": usage.reported,
    }


_BLOCK_KEYS = {
    "text": ("text",),
    "reasoning": ("text", "encrypted"),
    "refusal": ("text",),
    "tool_call": ("id", "name", "arguments"),
    "tool_result": ("id", "name", "content", "is_error"),
    "server_tool_call": ("id", "name", "kind", "arguments"),
    "server_tool_result": ("id", "name", "kind", "content"),
    "media": ("kind", "media_type", "size", "url"),
    "other": ("kind", "raw"),
}
_RENAMED = {"size": "bytes"}


def block_dict(block: Block) -> dict[str, Any]:
    """One block of a transcript or an answer: its role, type and that type's fields only."""
    out: dict[str, Any] = {"role": block.role, "type": block.type}
    for key in _BLOCK_KEYS.get(block.type, ()):
        out[_RENAMED.get(key, key)] = getattr(block, key)
    if block.signed:
        out["signed"] = True
    return out


def transcript_list(rec: Recording, api: str) -> list[dict[str, Any]] | None:
    from llmcat.apis._conversation import request_transcript

    found = request_transcript(rec, api)
    return None if found is None else [block_dict(b) for b in found.blocks]


def block_from_dict(d: dict[str, Any]) -> Block:
    """A block back from its JSON shape (arguments that were compared as a JSON value made text again)."""
    fields = {("size" if k == "bytes" else k): v for k, v in d.items() if k not in ("role", "type")}
    if "arguments" in fields and not isinstance(fields["arguments"], str):
        fields["arguments"] = orjson.dumps(fields["arguments"]).decode()
    return Block(d["role"], d["type"], **fields)


def compared_request(rec: Recording, api: str, strict: bool) -> dict[str, Any]:
    """What `diff` compares of the request. A chat call's conversation is compared as its normalised
    transcript, so the same conversation sent to two providers is the same: the system prompt (from
    wherever the provider puts it) as `params.system`, the tools offered by name, description and schema
    as `params.tools`, the other blocks as `transcript`, reasoning carried back in earlier turns left out
    (a signature or opaque blob each provider makes its own way). `strict` adds the raw request to it all."""
    from llmcat.apis._conversation import request_transcript

    request = request_view(rec)
    conversation = request_transcript(rec, api)
    if conversation is None:
        return request
    blocks = [block_dict(b) for b in conversation.blocks]
    if strict:
        request["transcript"] = blocks
        return request
    params = {k: v for k, v in request["params"].items() if k not in conversation.keys}
    system = "\n\n".join(b["text"] or "" for b in blocks if b["role"] == "system" and b["type"] == "text")
    if system:
        params["system"] = system
    if conversation.tools:
        params["tools"] = [{"name": t.name, "description": t.description, "parameters": t.parameters} for t in conversation.tools]
    request["params"] = params
    request["messages"] = None
    if "input" in conversation.keys:
        request["prompt"] = None  # the Responses API's input text is in the transcript
    request["transcript"] = [b for b in blocks if b["role"] != "system" and b["type"] != "reasoning"]
    return request


def _tool_call(t: ToolCall) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "arguments": t.arguments}


def choice_dict(c: Choice, tool_call: Callable[[ToolCall], dict[str, Any]] = _tool_call) -> dict[str, Any]:
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
    from llmcat.apis._conversation import answer_blocks

    request = request_view(rec)
    request["transcript"] = transcript_list(rec, completion.api)
    choices = [choice_dict(c) for c in completion.choices]
    for choice, blocks in zip(choices, answer_blocks(rec, completion), strict=True):
        choice["blocks"] = [block_dict(b) for b in blocks]
    return {
        "source": rec.source,
        "interaction": rec.interaction,
        "format": rec.format,
        "api": completion.api,
        "request": request,
        "streaming": rec.response.streaming,
        "chunks": completion.chunks,
        "choices": choices,
        "usage": usage_dict(completion.usage),
        "timing": completion.timing,
        "error": completion.error,
        "empty_answer": _empty_answer(rec, completion),
    }


def _empty_answer(rec: Recording, completion: Completion) -> dict[str, Any] | None:
    """`show`'s note on a successful answer that reads as empty: the provider's output-token count and why."""
    from llmcat.apis._empty import empty_answer

    found = empty_answer(rec, completion)
    return None if found is None else {"output_tokens": found[0], "note": found[1]}
