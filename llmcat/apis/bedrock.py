"""Amazon Bedrock Converse (`/model/ID/converse`, and the event stream of `converse-stream`).

A whole response: `output.message.content` blocks (`text`, `reasoningContent`,
`toolUse`), `stopReason`, `usage` (inputTokens/outputTokens/totalTokens), `metrics`.
A stream: `contentBlockStart` (a toolUse's id and name), `contentBlockDelta` (text,
reasoningContent, toolUse input fragments), `messageStop`, `metadata` (usage, metrics).
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_int, as_list, as_str, seal, json_text, stream_error, usage_from
from llmcat.model import Completion, Recording
from llmcat.apis.registry import Api, register, shape_of

_STREAM_KEYS = ("messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata")


def usage_of(raw: Any):
    return usage_from(raw, "inputTokens", "outputTokens", "totalTokens")


def reassemble_converse(rec: Recording) -> Completion:
    events = [e for e in rec.response.events if isinstance(e, dict)]
    if any(key in e for e in events for key in _STREAM_KEYS):
        return _stream(rec, events)
    return _whole(rec, events[-1] if events else {})


def _whole(rec: Recording, body: dict) -> Completion:
    out = Completion(api="bedrock.converse")
    message = as_dict(as_dict(body.get("output")).get("message"))
    if message or "stopReason" in body:
        choice = ChoiceBuilder(0)
        for block in as_list(message.get("content")):
            _add_block(choice, as_dict(block))
        choice.finish_reason = as_str(body.get("stopReason"))
        out.choices = [choice.build()]
    out.usage = usage_of(body.get("usage"))
    metrics = as_dict(body.get("metrics"))
    if metrics:
        out.timing = metrics
    return seal(out, rec)


def _add_block(choice: ChoiceBuilder, block: dict) -> None:
    if isinstance(block.get("text"), str):
        choice.text.append(block["text"])
    reasoning = as_dict(block.get("reasoningContent"))
    text = as_dict(reasoning.get("reasoningText")).get("text", reasoning.get("text"))
    if isinstance(text, str):
        choice.reasoning.append(text)
    tool = as_dict(block.get("toolUse"))
    if tool:
        call = ToolCallBuilder(as_str(tool.get("toolUseId")), as_str(tool.get("name")), "function")
        call.parts.append(json_text(tool.get("input", {})))
        choice.tools.append(call)


def _stream(rec: Recording, events: list[dict]) -> Completion:
    out = Completion(api="bedrock.converse")
    choice = ChoiceBuilder(0)
    tools: dict[int, ToolCallBuilder] = {}
    stopped = False
    for event in events:
        if "contentBlockStart" in event:
            start = as_dict(event["contentBlockStart"])
            tool_use = as_dict(as_dict(start.get("start")).get("toolUse"))
            if tool_use:
                tool = ToolCallBuilder(as_str(tool_use.get("toolUseId")), as_str(tool_use.get("name")), "function")
                tools[as_int(start.get("contentBlockIndex")) or 0] = tool
                choice.tools.append(tool)
        elif "contentBlockDelta" in event:
            block = as_dict(event["contentBlockDelta"])
            if _apply_delta(choice, tools, block) and stopped:
                out.content_after_finish += 1
        elif "messageStop" in event:
            stopped = True
            choice.finish_reason = as_str(as_dict(event["messageStop"]).get("stopReason"))
        elif "metadata" in event:
            meta = as_dict(event["metadata"])
            out.usage = usage_of(meta.get("usage")) or out.usage
            if as_dict(meta.get("metrics")):
                out.timing = meta["metrics"]
        elif "error" in event:
            out.error = stream_error(event)
        elif len(event) == 1:  # a modelled exception event: {"throttlingException": {"message": ...}}
            (name, value), = event.items()
            if name.endswith("Exception"):
                out.error = {"type": name, "status_code": None, "message": as_str(as_dict(value).get("message"))}
    for tool in tools.values():
        if not tool.parts:
            tool.parts.append("{}")
    out.choices = [choice.build()]
    out.finished = stopped
    return seal(out, rec)


def _apply_delta(choice: ChoiceBuilder, tools: dict[int, ToolCallBuilder], block: dict) -> bool:
    delta = as_dict(block.get("delta"))
    if isinstance(delta.get("text"), str):
        choice.text.append(delta["text"])
        return True
    reasoning = as_dict(delta.get("reasoningContent"))
    if isinstance(reasoning.get("text"), str):
        choice.reasoning.append(reasoning["text"])
        return True
    tool_use = as_dict(delta.get("toolUse"))
    if isinstance(tool_use.get("input"), str):
        tool = tools.get(as_int(block.get("contentBlockIndex")) or 0)
        if tool is None:
            tool = tools[as_int(block.get("contentBlockIndex")) or 0] = ToolCallBuilder(kind="function")
            choice.tools.append(tool)
        tool.parts.append(tool_use["input"])
        return True
    return False


_EVENTS = ("messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop")


def looks_like(event: dict) -> bool:
    return any(key in event for key in _EVENTS) or ("stopReason" in event and "output" in event)


def invoke_model(rec: Recording, path: str) -> str | None:
    """InvokeModel carries the model's own body: told by its shape; a body no API claims is plain HTTP."""
    if not path.endswith(("/invoke", "/invoke-with-response-stream")):
        return None
    from llmcat.apis.embeddings import looks_like as embedding_body

    shape = shape_of(rec)
    events = rec.response.events
    if shape in ("other", "cohere.embed", "gemini.embed") and len(events) == 1 and embedding_body(events[0]):
        return "bedrock.embed"
    return "http" if shape == "other" else shape


register(Api(name="bedrock.converse", summary="Amazon Bedrock Converse and ConverseStream", reassemble=reassemble_converse,
             paths=("/converse", "/converse-stream"), body=looks_like, order=70, url_rule=invoke_model, streams=True))
