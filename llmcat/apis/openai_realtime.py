"""OpenAI Realtime sessions (and Azure's and xAI's, which speak it): one model response's events.

A response's events run from `response.created` to `response.done`. Its answer is the
text (`response.output_text.delta`, beta `response.text.delta`), the spoken answer's
transcript (`response.output_audio_transcript.delta`, beta `response.audio_transcript.delta`),
function calls (`response.output_item.added` names one, `response.function_call_arguments.*`
carry its arguments), and `response.done`'s status and usage. Audio is measured, never kept.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_list, as_str, seal, stream_error, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

_TEXT = ("response.output_text.delta", "response.text.delta")
_TRANSCRIPT = ("response.output_audio_transcript.delta", "response.audio_transcript.delta")
_AUDIO = ("response.output_audio.delta", "response.audio.delta")


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="openai.realtime")
    choice = ChoiceBuilder(0)
    transcript: list[str] = []
    tools: dict[str, ToolCallBuilder] = {}  # by item id
    audio_bytes = 0
    done: dict | None = None
    for event in rec.response.events:
        event = as_dict(event)
        kind = event.get("type")
        if kind in _TEXT:
            choice.text.append(as_str(event.get("delta")) or "")
        elif kind in _TRANSCRIPT:
            transcript.append(as_str(event.get("delta")) or "")
        elif kind in _AUDIO:
            audio_bytes += _base64_size(event.get("delta"))
        elif kind == "response.output_item.added":
            _start_tool(tools, as_dict(event.get("item")))
        elif kind == "response.function_call_arguments.delta":
            _tool_for(tools, event).parts.append(as_str(event.get("delta")) or "")
        elif kind == "response.function_call_arguments.done" and isinstance(event.get("arguments"), str):
            tool = _tool_for(tools, event)
            tool.parts, tool.name = [event["arguments"]], tool.name or as_str(event.get("name"))
        elif kind == "response.done":
            done = as_dict(event.get("response"))
        elif kind == "error":
            out.error = stream_error(event)
    if done is not None:
        _apply_done(out, choice, tools, transcript, done)
    choice.tools = list(tools.values())
    if not choice.text and transcript:
        choice.text = transcript  # a spoken answer: its words are the answer
    if audio_bytes:
        out.notes.append(f"answered in audio: {audio_bytes} bytes (shown: its transcript)")
    out.choices = [choice.build()]
    out.finished = done is not None or out.error is not None
    return seal(out, rec)


def _start_tool(tools: dict, item: dict) -> None:
    if item.get("type") == "function_call":
        key = as_str(item.get("id")) or as_str(item.get("call_id")) or str(len(tools))
        tools[key] = ToolCallBuilder(as_str(item.get("call_id")), as_str(item.get("name")), "function")


def _tool_for(tools: dict, event: dict) -> ToolCallBuilder:
    key = as_str(event.get("item_id")) or as_str(event.get("call_id")) or str(len(tools))
    if key not in tools:
        tools[key] = ToolCallBuilder(as_str(event.get("call_id")), as_str(event.get("name")), "function")
    return tools[key]


def _apply_done(out: Completion, choice: ChoiceBuilder, tools: dict, transcript: list, done: dict) -> None:
    """`response.done`: the status, the usage, and the output itself where no delta carried it."""
    status = as_str(done.get("status"))
    details = as_dict(done.get("status_details"))
    choice.finish_reason = as_str(details.get("reason")) or status
    if status == "failed" and out.error is None:
        out.error = stream_error(details) if details.get("error") else {"type": "failed", "status_code": None, "message": None}
    out.usage = usage_from(done.get("usage"), "input_tokens", "output_tokens", "total_tokens")
    for item in as_list(done.get("output")):
        item = as_dict(item)
        if item.get("type") == "function_call" and not any(t.id == item.get("call_id") for t in tools.values()):
            tool = ToolCallBuilder(as_str(item.get("call_id")), as_str(item.get("name")), "function")
            tool.parts.append(as_str(item.get("arguments")) or "")
            tools[as_str(item.get("id")) or str(len(tools))] = tool
        elif item.get("type") == "message" and not choice.text and not transcript:
            for part in as_list(item.get("content")):
                part = as_dict(part)
                text = as_str(part.get("text")) or as_str(part.get("transcript"))
                if text:
                    choice.text.append(text)


def _base64_size(text: Any) -> int:
    return len(text.rstrip("=")) * 3 // 4 if isinstance(text, str) else 0


register(Api(
    name="openai.realtime",
    reassemble=reassemble,
    summary="OpenAI Realtime (and Azure's, xAI's): one model response of a WebSocket session, named by the container",
))
