"""Google's Interactions API: `content.*` (and the newer `step.*`) SSE events, or one interaction object."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_int, as_list, as_str, seal, json_text, stream_error, usage_from
from llmcat.model import Completion, Recording
from llmcat.apis.registry import Api, register

_THOUGHTS = {"thought", "thought_summary"}
_CALLS = {"function_call"}


def usage_of(raw: Any):
    return usage_from(raw, "total_input_tokens", "total_output_tokens", "total_tokens")


def _text_of(delta: dict) -> str | None:
    text = delta.get("text")
    if isinstance(text, str):
        return text
    content = delta.get("content")  # thought summaries carry {"type": "text", "text": ...}
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return content["text"]
    return None


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="google.interactions")
    choices = Choices()
    choice = choices.get(0)
    tools: dict[int, ToolCallBuilder] = {}
    complete = False
    for event in rec.response.events:
        if not isinstance(event, dict):
            continue
        kind = as_str(event.get("event_type"))
        if kind is None and "outputs" in event:  # a whole interaction
            _whole(choice, event)
            choice.finish_reason = as_str(event.get("status"))
            out.usage = usage_of(event.get("usage"))
            complete = True
        elif kind in ("content.delta", "step.delta"):
            carried = _apply_delta(choice, tools, as_int(event.get("index")) or 0, as_dict(event.get("delta")))
            if carried and complete:
                out.content_after_finish += 1
        elif kind in ("interaction.complete", "interaction.completed"):
            interaction = as_dict(event.get("interaction"))
            choice.finish_reason = as_str(interaction.get("status")) or choice.finish_reason
            out.usage = usage_of(interaction.get("usage")) or out.usage
            complete = True
        elif kind == "error" or (kind is None and event.get("error") is not None):
            out.error = stream_error(event)
    out.choices = choices.build()
    out.finished = complete
    return seal(out, rec)


def _whole(choice, body: dict) -> None:
    for position, output in enumerate(as_list(body.get("outputs"))):
        _apply_delta(choice, {}, position, as_dict(output))


def _apply_delta(choice, tools: dict[int, ToolCallBuilder], index: int, delta: dict) -> bool:
    kind = as_str(delta.get("type"))
    text = _text_of(delta)
    if kind == "text" and text:
        choice.text.append(text)
        return True
    if kind in _THOUGHTS and text:
        choice.reasoning.append(text)
        return True
    if kind in _CALLS:
        tool = tools.get(index)
        if tool is None:
            tool = tools[index] = ToolCallBuilder(as_str(delta.get("id")), as_str(delta.get("name")), "function")
            choice.tools.append(tool)
        if "arguments" in delta:
            tool.parts.append(json_text(delta["arguments"]))
        return True
    if kind == "arguments_delta":
        tool = tools.get(index)
        fragment = delta.get("partial_arguments", delta.get("arguments"))
        if tool is not None and fragment is not None:
            tool.parts.append(json_text(fragment))
            return True
    return False


def looks_like(event: dict) -> bool:
    return "event_type" in event


register(Api(name="google.interactions", summary="Google Interactions API", reassemble=reassemble,
             paths=("/interactions",), body=looks_like, order=60, streams=True))
