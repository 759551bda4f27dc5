"""Anthropic Messages API, streamed (SSE events) and not (one message object)."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import (
    ChoiceBuilder,
    Choices,
    ToolCallBuilder,
    as_dict,
    as_int,
    as_list,
    as_str,
    json_text,
    seal,
    stream_error,
    usage_from,
)
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

_TOOL_BLOCKS = {"tool_use", "server_tool_use", "mcp_tool_use"}
_STREAM_EVENTS = {"message_start", "content_block_start", "content_block_delta", "message_delta", "message_stop"}


def usage_of(raw: Any):
    return usage_from(raw, "input_tokens", "output_tokens")


def reassemble(rec: Recording) -> Completion:
    events = [e for e in rec.response.events if isinstance(e, dict)]
    if events and not any(as_str(e.get("type")) in _STREAM_EVENTS for e in events):
        return whole_message(rec, events[-1])
    return _stream(rec, events)


def whole_message(rec: Recording, body: dict, api: str = "anthropic.messages") -> Completion:
    """One message object (also the Claude Agent SDK's turns, made whole: apis/anthropic_agent.py)."""
    out = Completion(api=api)
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
            tool.parts.append(json_text(initial if initial not in (None, "") else {}))


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
        if not "".join(tool.parts).strip():  # no input, or only empty fragments: no arguments, `{}`
            tool.parts[:] = ["{}"]
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


# --- the conversation: content blocks of the request's messages and of the answer, one vocabulary --------


def transcript(body: dict):
    from llmcat.apis import _conversation as cv
    from llmcat.model import Transcript

    blocks = []
    system = body.get("system")
    if isinstance(system, str):
        blocks += [cv.text("system", system)] if system else []
    else:
        blocks += content_blocks(cv, "system", system)
    for message in as_list(body.get("messages")):
        message = as_dict(message)
        blocks += content_blocks(cv, cv.role_of(message.get("role")), message.get("content"))
    return Transcript(blocks, cv.tool_specs(body.get("tools")), ("messages", "system", "tools"))


def answer_blocks(rec: Recording, completion: Completion):
    """The answer's content blocks in order: the whole message's, or the stream's rebuilt by index."""
    from llmcat.apis import _conversation as cv

    events = [e for e in rec.response.events if isinstance(e, dict)]
    if not events or len(completion.choices) != 1:
        return None
    if not any(as_str(e.get("type")) in _STREAM_EVENTS for e in events):
        return [content_blocks(cv, "assistant", events[-1].get("content"))]
    return [content_blocks(cv, "assistant", _streamed_content(events))]


def _streamed_content(events: list[dict]) -> list[dict]:
    """Content blocks as a whole message would hold them, from their start events and deltas."""
    blocks: dict[int, dict] = {}
    partial: dict[int, list[str]] = {}
    for event in events:
        index = as_int(event.get("index")) or 0
        if event.get("type") == "content_block_start":
            blocks[index] = dict(as_dict(event.get("content_block")))
        elif event.get("type") == "content_block_delta" and index in blocks:
            block, delta = blocks[index], as_dict(event.get("delta"))
            kind = delta.get("type")
            if kind == "text_delta":
                block["text"] = (as_str(block.get("text")) or "") + (as_str(delta.get("text")) or "")
            elif kind == "thinking_delta":
                block["thinking"] = (as_str(block.get("thinking")) or "") + (as_str(delta.get("thinking")) or "")
            elif kind == "signature_delta":
                block["signature"] = delta.get("signature")
            elif kind == "citations_delta":  # a new list: the start event's own stays as recorded
                block["citations"] = [*as_list(block.get("citations")), delta.get("citation")]
            elif kind == "input_json_delta" and isinstance(delta.get("partial_json"), str):
                partial.setdefault(index, []).append(delta["partial_json"])
    for index, pieces in partial.items():
        blocks[index]["input"] = "".join(pieces)  # JSON text: shown as sent, even when cut short
    return [blocks[index] for index in sorted(blocks)]


def content_blocks(cv, role: str, content: Any) -> list:
    """A message's content (a string or typed blocks) as blocks; tool results take the role `tool`."""
    if isinstance(content, str):
        return [cv.text(role, content)] if content else []
    out = []
    for block in as_list(content):
        block = as_dict(block)
        kind = as_str(block.get("type")) or ""
        if kind == "text":
            out.append(cv.text(role, as_str(block.get("text")) or ""))
            out += [cv.other(role, c) for c in as_list(block.get("citations"))]
        elif kind == "thinking":
            out.append(cv.reasoning(role, as_str(block.get("thinking")), encrypted=True, signed=bool(block.get("signature"))))
        elif kind == "redacted_thinking":
            out.append(cv.reasoning(role, None, encrypted=True))
        elif kind == "tool_use":
            out.append(cv.tool_call(block.get("id"), block.get("name"), block.get("input"), role))
        elif kind == "tool_result":
            out.append(cv.tool_result(block.get("tool_use_id"), None, block.get("content"), block.get("is_error") is True))
        elif kind in _TOOL_BLOCKS:
            out.append(cv.server_call(role, block.get("id"), block.get("name"), kind, block.get("input")))
        elif kind.endswith("_tool_result"):  # web_search_tool_result, code_execution_tool_result, mcp_tool_result...
            out.append(cv.server_result(role, block.get("tool_use_id"), None, kind, block.get("content")))
        elif kind in ("image", "document"):
            source = as_dict(block.get("source"))
            data = source.get("data")
            data = data.encode() if source.get("type") == "text" and isinstance(data, str) else data  # plain text, not base64
            out.append(cv.media(role, source.get("media_type"), data=data, url=source.get("url") or source.get("file_id"), kind=kind))
        else:
            out.append(cv.other(role, block))
    return out


_EVENTS = _STREAM_EVENTS | {"content_block_stop"}


def looks_like(event: dict) -> bool:
    kind = event.get("type")
    return isinstance(kind, str) and (kind in _EVENTS or (kind == "message" and "content" in event))


def refine(rec: Recording, api: str) -> str:
    """`/messages` is not always Anthropic's: OpenAI Assistants' `/threads/{id}/messages`, and
    MCP's older SSE transport posting JSON-RPC to `/messages`."""
    from llmcat.apis.registry import url_path

    if "/threads/" in url_path(rec):
        return "openai.assistants"
    body = rec.request.body
    if isinstance(body, dict) and body.get("jsonrpc") == "2.0":
        return "mcp"
    return api


register(Api(name="anthropic.messages", summary="Anthropic Messages", reassemble=reassemble,
             paths=("/messages",), refine=refine, body=looks_like, order=20, streams=True,
             transcript=transcript, answer=answer_blocks))
