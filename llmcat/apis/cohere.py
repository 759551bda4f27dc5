"""Cohere chat: v2 (`/v2/chat`) streamed (typed events) and not; v1 (`/v1/chat`) streamed and not.

v2 stream events: `content-delta` (text, or `thinking` for reasoning models),
`tool-plan-delta`, `tool-call-start` / `tool-call-delta` (arguments by `index`),
`message-end` with the finish reason and usage (`tokens`, else `billed_units`).
v1 stream events (JSON lines): `text-generation`, `tool-calls-generation` (the calls whole:
`name` and `parameters`, no ids), `stream-end` with the whole `response`.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, make_usage, seal, stream_error
from llmcat.apis.bedrock_invoke import invocation_usage
from llmcat.apis.registry import Api, host_of, register
from llmcat.model import Completion, Recording


def usage_of(raw: Any):
    usage = as_dict(raw)
    counts = as_dict(usage.get("tokens")) or as_dict(usage.get("billed_units"))
    if not counts:
        meta = as_dict(usage.get("meta"))  # v1 puts usage in meta
        counts = as_dict(meta.get("tokens")) or as_dict(meta.get("billed_units"))
    if not counts:
        return None
    return make_usage(counts.get("input_tokens"), counts.get("output_tokens"), None, raw)


def reassemble_chat(rec: Recording) -> Completion:
    events = [e for e in rec.response.events if isinstance(e, dict)]
    if any(_event_type(e) for e in events):
        return _stream(rec, events)
    return _whole(rec, events[-1] if events else {})


def _event_type(event: dict) -> str | None:
    kind = event.get("type", event.get("event_type"))
    return kind if isinstance(kind, str) and "-" in kind else None


def _whole(rec: Recording, body: dict) -> Completion:
    out = Completion(api="cohere.chat")
    message = as_dict(body.get("message"))
    if message or "finish_reason" in body or "text" in body:
        choice = ChoiceBuilder(0)
        for part in as_list(message.get("content")):
            part = as_dict(part)
            if part.get("type") == "text" and isinstance(part.get("text"), str):
                choice.text.append(part["text"])
            elif part.get("type") == "thinking" and isinstance(part.get("thinking"), str):
                choice.reasoning.append(part["thinking"])
        if not message and isinstance(body.get("text"), str):  # v1
            choice.text.append(body["text"])
        for call in as_list(message.get("tool_calls")) or as_list(body.get("tool_calls")):
            call = as_dict(call)
            function = as_dict(call.get("function"))
            tool = ToolCallBuilder(as_str(call.get("id")), as_str(function.get("name")) or as_str(call.get("name")), "function")
            tool.parts.append(json_text(function.get("arguments", call.get("parameters", {}))))
            choice.tools.append(tool)
        choice.finish_reason = as_str(body.get("finish_reason"))
        out.choices = [choice.build()]
    out.usage = usage_of(body.get("usage") or body) or invocation_usage(rec)  # (Command R on Bedrock: in headers)
    return seal(out, rec)


def _stream(rec: Recording, events: list[dict]) -> Completion:
    out = Completion(api="cohere.chat")
    choice = ChoiceBuilder(0)
    tools: dict[int, ToolCallBuilder] = {}
    ended = False
    for event in events:
        kind = _event_type(event)
        message = as_dict(as_dict(event.get("delta")).get("message"))
        carried = False
        if kind == "content-delta":
            content = as_dict(message.get("content"))
            if isinstance(content.get("text"), str):
                choice.text.append(content["text"])
                carried = True
            if isinstance(content.get("thinking"), str):
                choice.reasoning.append(content["thinking"])
                carried = True
        elif kind == "text-generation" and isinstance(event.get("text"), str):  # v1
            choice.text.append(event["text"])
            carried = True
        elif kind == "tool-call-start":
            call = as_dict(message.get("tool_calls"))
            function = as_dict(call.get("function"))
            tool = ToolCallBuilder(as_str(call.get("id")), as_str(function.get("name")), as_str(call.get("type")) or "function")
            if isinstance(function.get("arguments"), str) and function["arguments"]:
                tool.parts.append(function["arguments"])
            tools[as_int(event.get("index")) or 0] = tool
            choice.tools.append(tool)
            carried = True
        elif kind == "tool-calls-generation":  # v1: the calls whole (no ids), after their chunks
            for call in as_list(event.get("tool_calls")):
                call = as_dict(call)
                tool = ToolCallBuilder(as_str(call.get("id")), as_str(call.get("name")), "function")
                tool.parts.append(json_text(call.get("parameters", {})))
                choice.tools.append(tool)
                carried = True
        elif kind == "tool-call-delta":
            arguments = as_dict(as_dict(message.get("tool_calls")).get("function")).get("arguments")
            streamed = tools.get(as_int(event.get("index")) or 0)
            if streamed is not None and isinstance(arguments, str):
                streamed.parts.append(arguments)
                carried = True
        elif kind in ("message-end", "stream-end"):
            ended = True
            delta = as_dict(event.get("delta"))
            choice.finish_reason = as_str(delta.get("finish_reason")) or as_str(event.get("finish_reason")) or choice.finish_reason
            usage = usage_of(delta.get("usage")) or usage_of(as_dict(event.get("response")))
            out.usage = usage or out.usage
            error = delta.get("error")
            if isinstance(error, str) and error:
                out.error = {"type": None, "status_code": None, "message": error}
        elif kind == "error" or "error" in event and kind is None:
            out.error = stream_error(event)
        if carried and ended:
            out.content_after_finish += 1
    out.choices = [choice.build()]
    out.usage = out.usage or invocation_usage(rec)
    out.finished = ended
    return seal(out, rec)


_EVENTS = {"message-start", "content-start", "content-delta", "content-end", "tool-plan-delta", "tool-call-start",
           "tool-call-delta", "tool-call-end", "message-end", "citation-start", "citation-end",
           "stream-start", "text-generation", "stream-end", "tool-calls-generation", "tool-calls-chunk"}


def looks_like(event: dict) -> bool:
    """v2's typed events and message, v1's stream events and answer (also Command R's on Bedrock)."""
    kind = event.get("type", event.get("event_type"))
    if isinstance(kind, str) and kind in _EVENTS or isinstance(event.get("event_type"), str) and event["event_type"] in _EVENTS:
        return True
    if "finish_reason" in event and isinstance(event.get("message"), dict) and "choices" not in event:
        return True
    return isinstance(event.get("text"), str) and "generation_id" in event and "finish_reason" in event


def cohere_host(rec: Recording, path: str) -> str | None:
    """Cohere's v1 paths (/v1/chat, /v1/embed) are too generic to claim on any host."""
    if "cohere" not in host_of(rec):
        return None
    if path.endswith("/chat"):
        return "cohere.chat"
    if path.endswith("/embed"):
        return "cohere.embed"
    return None


# --- the request's conversation (v2 messages; v1's preamble, chat_history and message too) ---------------


def transcript(body: dict):
    from llmcat.apis import _conversation as cv
    from llmcat.model import Transcript

    blocks = []
    if isinstance(body.get("preamble"), str):  # v1
        blocks.append(cv.text("system", body["preamble"]))
    for message in as_list(body.get("messages")) + as_list(body.get("chat_history")):
        blocks += _message_blocks(cv, as_dict(message))
    if isinstance(body.get("message"), str):  # v1: the new user turn
        blocks.append(cv.text("user", body["message"]))
    return Transcript(blocks, cv.tool_specs(body.get("tools")), ("messages", "tools", "preamble", "chat_history", "message"))


def _message_blocks(cv, message: dict) -> list:
    role = cv.role_of(message.get("role"))
    if role == "tool":
        return [cv.tool_result(message.get("tool_call_id"), None, message.get("content"))]
    out = []
    if isinstance(message.get("tool_plan"), str) and message["tool_plan"]:
        out.append(cv.reasoning(role, message["tool_plan"]))  # the plan it states before calling tools
    content = message.get("content", message.get("message"))
    if isinstance(content, str):
        out += [cv.text(role, content)] if content else []
    for part in as_list(content):
        part = as_dict(part)
        if part.get("type") == "text":
            out.append(cv.text(role, as_str(part.get("text")) or ""))
        elif part.get("type") == "thinking":
            out.append(cv.reasoning(role, as_str(part.get("thinking"))))
        elif part.get("type") == "image_url":
            out.append(cv.media(role, url=as_dict(part.get("image_url")).get("url"), kind="image_url"))
        else:
            out.append(cv.other(role, part))
    for call in as_list(message.get("tool_calls")):
        call = as_dict(call)
        function = as_dict(call.get("function"))
        out.append(cv.tool_call(call.get("id"), function.get("name") or call.get("name"),
                                function.get("arguments", call.get("parameters")), role))
    return out


def answer_blocks(rec: Recording, completion: Completion):
    """A whole v2 response's message (its tool plan included); a stream's blocks come from reassembly, with
    its `tool-plan-delta`s as one reasoning block (the plan it states before calling tools), as a whole one's."""
    from llmcat.apis import _conversation as cv

    events = [e for e in rec.response.events if isinstance(e, dict)]
    if len(completion.choices) != 1:
        return None
    if len(events) == 1 and not _event_type(events[0]) and as_dict(events[0].get("message")):
        return [_message_blocks(cv, {**events[0]["message"], "role": "assistant"})]
    plan = "".join(t for t in (as_dict(as_dict(e.get("delta")).get("message")).get("tool_plan")
                               for e in events if _event_type(e) == "tool-plan-delta") if isinstance(t, str))
    if not plan:
        return None  # the natural order (`blocks_of_choice`)
    blocks = cv.blocks_of_choice(completion.choices[0])
    at = next((n for n, b in enumerate(blocks) if b.type != "reasoning"), len(blocks))
    return [blocks[:at] + [cv.reasoning("assistant", plan)] + blocks[at:]]  # a stream's plan, as a whole answer's


register(Api(name="cohere.chat", summary="Cohere chat (v2, and v1 on Cohere's host)", reassemble=reassemble_chat,
             paths=("/v2/chat",), body=looks_like, order=50, url_rule=cohere_host, streams=True,
             transcript=transcript, answer=answer_blocks))
