"""Google's Interactions API: SSE events (`content.*`, and the newer `step.*`), or one interaction object.

A whole interaction lists its answer as `outputs` (typed contents), or, in the newer shape, as
`steps`: `model_output` (a `content` list), `thought` (a `summary` list), `function_call`
(flat `id`, `name`, `arguments`), built-in tool calls (`google_search_call`...), and the
`user_input` steps of the turn, which are what was asked, not answered.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, seal, stream_error, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

_THOUGHTS = {"thought", "thought_summary"}
_CALLS = {"function_call"}
_COMPLETE = {"interaction.complete", "interaction.completed"}


def usage_of(raw: Any):
    return usage_from(raw, "total_input_tokens", "total_output_tokens", "total_tokens")


def looks_like(event: Any) -> bool:
    """One interaction object (`"object": "interaction"`, or its `outputs`/`steps` with a status) or a stream event."""
    event = as_dict(event)
    if "event_type" in event or event.get("object") == "interaction":
        return True
    return isinstance(event.get("status"), str) and isinstance(event.get("steps", event.get("outputs")), list) and "id" in event


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
        if kind is None and ("outputs" in event or "steps" in event):  # a whole interaction
            _whole(choice, event)
            choice.finish_reason = as_str(event.get("status"))
            out.usage = usage_of(event.get("usage"))
            complete = True
            if event.get("error") is not None:
                out.error = stream_error(event)
        elif kind in ("content.start", "step.start"):
            # A step (or content) may open with all it holds: a function call's name, id and arguments.
            opened = as_dict(event.get("step", event.get("content")))
            if _apply_step(choice, tools, as_int(event.get("index")) or 0, opened, opening=True) and complete:
                out.content_after_finish += 1
        elif kind in ("content.delta", "step.delta"):
            carried = _apply_delta(choice, tools, as_int(event.get("index")) or 0, as_dict(event.get("delta")))
            if carried and complete:
                out.content_after_finish += 1
        elif kind in _COMPLETE:
            interaction = as_dict(event.get("interaction"))
            choice.finish_reason = as_str(interaction.get("status")) or choice.finish_reason
            out.usage = usage_of(interaction.get("usage")) or out.usage
            complete = True
        elif kind == "error" or (kind is None and event.get("error") is not None):
            out.error = stream_error(event)
    for tool in tools.values():
        if not tool.parts:
            tool.parts.append("{}")
    out.choices = choices.build()
    out.finished = complete
    return seal(out, rec)


def _whole(choice, body: dict) -> None:
    for position, output in enumerate(as_list(body.get("outputs"))):
        _apply_delta(choice, {}, position, as_dict(output))
    steps = [as_dict(step) for step in as_list(body.get("steps"))]
    asked = [i for i, step in enumerate(steps) if step.get("type") == "user_input"]
    answer = steps[asked[-1] + 1:] if asked else steps  # the turn's input steps are the question
    tools: dict[int, ToolCallBuilder] = {}
    for position, step in enumerate(answer):
        _apply_step(choice, tools, position, step, opening=False)


def _apply_step(choice, tools: dict[int, ToolCallBuilder], index: int, step: dict, opening: bool) -> bool:
    """A whole step (or the opening of a streamed one): its text, thought summary or call."""
    kind = as_str(step.get("type"))
    carried = False
    if kind == "model_output":
        for part in as_list(step.get("content")):
            part = as_dict(part)
            if part.get("type") == "text" and isinstance(part.get("text"), str) and part["text"]:
                choice.text.append(part["text"])
                carried = True
    elif kind == "thought":
        for part in as_list(step.get("summary")):
            text = as_dict(part).get("text")
            if isinstance(text, str) and text:
                choice.reasoning.append(text)
                carried = True
    elif kind and kind.endswith("_call"):
        tool = ToolCallBuilder(as_str(step.get("id")), as_str(step.get("name")), "function" if kind in _CALLS else kind)
        if kind not in _CALLS and tool.name is None:
            tool.name = kind[: -len("_call")]  # a built-in tool: google_search_call is google_search
        arguments = step.get("arguments")
        if arguments not in (None, "", {}) or not opening:
            tool.parts.append(json_text(arguments if arguments is not None else {}))
        tools[index] = tool
        choice.tools.append(tool)
        carried = True
    else:
        carried = _apply_delta(choice, tools, index, step) if opening else False
    return carried


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
        tool.id = tool.id or as_str(delta.get("id"))
        tool.name = tool.name or as_str(delta.get("name"))
        if delta.get("arguments") not in (None, "", {}):
            tool.parts.append(json_text(delta["arguments"]))
        return True
    if kind == "arguments_delta":
        tool = tools.get(index)
        fragment = delta.get("partial_arguments", delta.get("arguments"))
        if tool is not None and fragment is not None:
            tool.parts.append(json_text(fragment))
            return True
    return False


# --- the request's conversation: `input` as text, content items, or turns of them ----------------------


def transcript(body: dict):
    from llmcat.apis import _conversation as cv
    from llmcat.model import Transcript

    blocks = []
    system = body.get("system_instruction")
    if isinstance(system, str) and system:
        blocks.append(cv.text("system", system))
    items = body.get("input")
    for item in [items] if isinstance(items, (str, dict)) else as_list(items):
        if isinstance(item, dict) and "role" in item:
            content = item.get("content")
            role = cv.role_of(item.get("role"))
            for part in [content] if isinstance(content, (str, dict)) else as_list(content):
                blocks += _content_blocks(cv, role, part)
        else:
            blocks += _content_blocks(cv, "user", item)
    return Transcript(blocks, cv.tool_specs(body.get("tools")), ("input", "system_instruction", "tools"))


def _content_blocks(cv, role: str, item) -> list:
    if isinstance(item, str):
        return [cv.text(role, item)] if item else []
    item = as_dict(item)
    kind = as_str(item.get("type")) or ""
    if kind == "text":
        return [cv.text(role, as_str(item.get("text")) or "")]
    if kind == "thought":
        summary = item.get("summary")
        return [cv.reasoning("assistant", cv.content_text(summary) if summary else None, encrypted=True,
                             signed=bool(item.get("signature")))]
    if kind == "function_call":
        return [cv.tool_call(item.get("id"), item.get("name"), item.get("arguments"))]
    if kind == "function_result":
        return [cv.tool_result(item.get("call_id"), item.get("name"), item.get("result"), item.get("is_error") is True)]
    if kind.endswith("_call"):  # google_search_call, code_execution_call, url_context_call, mcp_server_tool_call
        return [cv.server_call("assistant", item.get("id"), item.get("name") or kind[: -len("_call")], kind, item.get("arguments"))]
    if kind.endswith("_result"):
        return [cv.server_result("assistant", item.get("call_id"), item.get("name"), kind, item.get("result"))]
    if kind in ("image", "audio", "video", "document"):
        return [cv.media(role, item.get("mime_type"), data=item.get("data"), url=item.get("uri"), kind=kind)]
    return [cv.other(role, item)]


register(Api(name="google.interactions", summary="Google Interactions API", reassemble=reassemble,
             paths=("/interactions",), body=looks_like, order=60, streams=True, transcript=transcript))
