"""Anthropic Messages API, streamed (SSE events) and not (one message object)."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, Choices, ToolCallBuilder, as_dict, as_int, as_list, as_str, seal, json_text, stream_error, usage_from
from llmcat.model import Completion, Recording
from llmcat.apis.registry import Api, register

_TOOL_BLOCKS = {"tool_use", "server_tool_use", "mcp_tool_use"}
_STREAM_EVENTS = {"message_start", "content_block_start", "content_block_delta", "message_delta", "message_stop"}


def usage_of(raw: Any):
    return usage_from(raw, "input_tokens", "output_tokens")


def reassemble(rec: Recording) -> Completion:
    events = [e for e in rec.response.events if isinstance(e, dict)]
    if events and not any(as_str(e.get("type")) in _STREAM_EVENTS for e in events):
        return _whole_message(rec, events[-1])
    return _stream(rec, events)


def _whole_message(rec: Recording, body: dict) -> Completion:
    out = Completion(api="anthropic.messages")
    choice = ChoiceBuilder(0)
    for block in as_list(body.get("content")):
        block = as_dict(block)
        _start_block(choice, block, {}, as_int(block.get("index")) or 0, whole=True)
    choice.finish_reason = as_str(body.get("stop_reason"))
    out.choices = [choice.build()] if body.get("type") == "message" else []
    out.usage = usage_of(body.get("usage"))
    if body.get("type") == "error":
        out.error = stream_error(body, rec.response.status)
    return seal(out, rec)


def _start_block(choice: ChoiceBuilder, block: dict, tools: dict[int, ToolCallBuilder], index: int, whole: bool) -> None:
    kind = as_str(block.get("type"))
    if kind == "text" and isinstance(block.get("text"), str):
        choice.text.append(block["text"])
    elif kind == "thinking" and isinstance(block.get("thinking"), str):
        choice.reasoning.append(block["thinking"])
    elif kind in _TOOL_BLOCKS:
        # A client tool is a plain function call; server tools keep their own type to be shown as such.
        tool = ToolCallBuilder(as_str(block.get("id")), as_str(block.get("name")), "function" if kind == "tool_use" else kind)
        tools[index] = tool
        choice.tools.append(tool)
        initial = block.get("input")
        # A stream starts tool input as {} and sends it as JSON fragments; a whole message has it all.
        if whole or initial not in (None, {}):
            tool.parts.append(json_text(initial if initial is not None else {}))


def _stream(rec: Recording, events: list[dict]) -> Completion:
    out = Completion(api="anthropic.messages")
    choices = Choices()
    choice = choices.get(0)
    tools: dict[int, ToolCallBuilder] = {}
    usage: dict = {}
    stopped = False
    for event in events:
        kind = event.get("type")  # (compared with names only: a non-string matches none)
        if kind == "message_start":
            if choice.text or choice.reasoning or choice.tools:
                # A second message_start: the message was retried and spliced in; what the abandoned
                # one said (a partial tool call above all) is not part of the answer.
                choices = Choices()
                choice = choices.get(0)
                tools, usage = {}, {}
                out.notes.append("the stream restarted (a second message_start): the first message's partial content is dropped")
            usage.update(as_dict(as_dict(event.get("message")).get("usage")))
        elif kind == "content_block_start":
            index = as_int(event.get("index")) or 0
            _start_block(choice, as_dict(event.get("content_block")), tools, index, whole=False)
        elif kind == "content_block_delta":
            if _apply_delta(choice, tools, event) and stopped:
                out.content_after_finish += 1
        elif kind == "message_delta":
            delta = as_dict(event.get("delta"))
            choice.finish_reason = as_str(delta.get("stop_reason")) or choice.finish_reason
            usage.update({k: v for k, v in as_dict(event.get("usage")).items() if v is not None})
        elif kind == "message_stop":
            stopped = True
        elif kind == "error":
            out.error = stream_error(event)
    for tool in tools.values():
        if not tool.parts:
            tool.parts.append("{}")
    out.choices = choices.build()
    out.usage = usage_of(usage)
    out.finished = stopped
    return seal(out, rec)


def _apply_delta(choice: ChoiceBuilder, tools: dict[int, ToolCallBuilder], event: dict) -> bool:
    delta = as_dict(event.get("delta"))
    kind = as_str(delta.get("type"))
    if kind == "text_delta" and isinstance(delta.get("text"), str):
        choice.text.append(delta["text"])
        return True
    if kind == "thinking_delta" and isinstance(delta.get("thinking"), str):
        choice.reasoning.append(delta["thinking"])
        return True
    if kind == "input_json_delta":
        tool = tools.get(as_int(event.get("index")) or 0)
        fragment = delta.get("partial_json")
        if tool is not None and isinstance(fragment, str):
            tool.parts.append(fragment)
            return True
    return False


_EVENTS = _STREAM_EVENTS | {"content_block_stop"}


def looks_like(event: dict) -> bool:
    kind = event.get("type")
    return isinstance(kind, str) and (kind in _EVENTS or (kind == "message" and "content" in event))


register(Api(name="anthropic.messages", summary="Anthropic Messages", reassemble=reassemble,
             paths=("/messages",), body=looks_like, order=20, streams=True))
