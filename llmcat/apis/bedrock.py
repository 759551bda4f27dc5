"""Amazon Bedrock Converse (`/model/ID/converse`, and the event stream of `converse-stream`).

A whole response: `output.message.content` blocks (`text`, `reasoningContent`,
`toolUse`), `stopReason`, `usage` (inputTokens/outputTokens/totalTokens), `metrics`.
A stream: `contentBlockStart` (a toolUse's id and name), `contentBlockDelta` (text,
reasoningContent, toolUse input fragments), `messageStop`, `metadata` (usage, metrics).
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, seal, stream_error, usage_from
from llmcat.apis.registry import Api, register, shape_of
from llmcat.model import Completion, Recording

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


# --- the conversation: Converse content blocks of the request and of the answer -----------------------------


def transcript(body: dict):
    from llmcat.apis import _conversation as cv
    from llmcat.model import Transcript

    blocks = content_blocks(cv, "system", body.get("system"))
    for message in as_list(body.get("messages")):
        message = as_dict(message)
        blocks += content_blocks(cv, cv.role_of(message.get("role")), message.get("content"))
    tools = as_dict(body.get("toolConfig")).get("tools")
    return Transcript(blocks, cv.tool_specs(tools), ("messages", "system", "toolConfig"))


def answer_blocks(rec: Recording, completion: Completion):
    """A whole response's content blocks in order (a stream's are rebuilt in reassembly's natural order)."""
    from llmcat.apis import _conversation as cv

    events = [e for e in rec.response.events if isinstance(e, dict)]
    if len(completion.choices) != 1 or not events or any(key in e for e in events for key in _STREAM_KEYS):
        return None
    message = as_dict(as_dict(events[-1].get("output")).get("message"))
    return [content_blocks(cv, "assistant", message.get("content"))]


def content_blocks(cv, role: str, content) -> list:
    out = []
    for block in as_list(content):
        block = as_dict(block)
        if isinstance(block.get("text"), str):
            out.append(cv.text(role, block["text"]))
        elif "toolUse" in block:
            use = as_dict(block["toolUse"])
            out.append(cv.tool_call(use.get("toolUseId"), use.get("name"), use.get("input"), role))
        elif "toolResult" in block:
            result = as_dict(block["toolResult"])
            out.append(cv.tool_result(result.get("toolUseId"), None, result.get("content"), result.get("status") == "error"))
        elif "reasoningContent" in block:
            thought = as_dict(block["reasoningContent"])
            reasoning_text = as_dict(thought.get("reasoningText"))
            out.append(cv.reasoning(role, as_str(reasoning_text.get("text")), encrypted="redactedContent" in thought,
                                    signed=bool(reasoning_text.get("signature"))))
        elif "image" in block or "document" in block or "video" in block:
            kind = next(k for k in ("image", "document", "video") if k in block)
            item = as_dict(block[kind])
            source = as_dict(item.get("source"))
            media_type = f"{kind}/{item['format']}" if isinstance(item.get("format"), str) else None
            location = as_dict(source.get("s3Location")).get("uri")
            out.append(cv.media(role, media_type, data=source.get("bytes"), url=location, kind=kind))
        elif "cachePoint" in block:
            continue  # a caching marker, not content
        elif "guardContent" in block:
            out.append(cv.text(role, as_str(as_dict(as_dict(block["guardContent"]).get("text")).get("text")) or ""))
        else:
            out.append(cv.other(role, block))
    return out


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
             paths=("/converse", "/converse-stream"), body=looks_like, order=70, url_rule=invoke_model, streams=True,
             transcript=transcript, answer=answer_blocks))
