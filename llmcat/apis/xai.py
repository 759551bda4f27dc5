"""xAI chat over gRPC (the xai-sdk's `GetCompletion` / `GetCompletionChunk`), as JSON.

A response has `outputs[]`, each with `message` {content, reasoning_content, tool_calls}
and a `finish_reason` (`REASON_STOP`, `REASON_TOOL_CALLS`, `REASON_MAX_LEN`, ...); a stream's
chunks carry the same under `delta`. `usage` counts prompt, completion and reasoning tokens.
"""

from __future__ import annotations

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, seal, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="xai.chat")
    choices = Choices()
    seen_tools: set = set()
    finished: set = set()  # the outputs that have finished: each of several outputs finishes on its own
    for event in rec.response.events:
        event = as_dict(event)
        for position, output in enumerate(as_list(event.get("outputs"))):
            output = as_dict(output)
            index = output.get("index", position)
            key = as_int(index) or 0  # (as the choices are keyed)
            choice = choices.get(index)
            message = as_dict(output.get("message")) or as_dict(output.get("delta"))
            if key in finished and (message.get("content") or message.get("tool_calls")):
                out.content_after_finish += 1
            _add(choice, message, seen_tools)
            reason = as_str(output.get("finish_reason"))
            if reason and reason != "REASON_INVALID":
                choice.finish_reason = reason
                finished.add(key)
        usage = usage_from(event.get("usage"), "prompt_tokens", "completion_tokens", "total_tokens")
        if usage is not None:
            out.usage = usage
    out.choices = choices.build()
    out.finished = bool(finished) or not rec.response.streaming
    return seal(out, rec)


def _add(choice, message: dict, seen_tools: set) -> None:
    text = message.get("content")
    if isinstance(text, str):
        choice.text.append(text)
    reasoning = message.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        choice.reasoning.append(reasoning)
    for call in as_list(message.get("tool_calls")):
        call = as_dict(call)
        key = as_str(call.get("id")) or len(seen_tools)  # (an id that is no string keys by position)
        if key in seen_tools:
            continue  # a stream repeats a whole tool call in later chunks
        seen_tools.add(key)
        function = as_dict(call.get("function"))
        kind = as_str(call.get("type"))
        tool = ToolCallBuilder(as_str(call.get("id")), as_str(function.get("name")),
                               "function" if kind in (None, "TOOL_CALL_TYPE_CLIENT_SIDE_TOOL") else kind)
        tool.parts.append(json_text(function.get("arguments", "")))
        choice.tools.append(tool)


register(Api(
    name="xai.chat",
    reassemble=reassemble,
    summary="xAI chat over gRPC (xai-sdk), named by the container",
    streams=True,
))
