"""OpenAI Responses API (`/v1/responses`), streamed (typed SSE events) and not (one response object).

The answer is the `output_text` of message items, reasoning the summary/reasoning text
of reasoning items, tool calls the `function_call` items (name and `call_id` from the
item) and the server tools' own items (web search, file search, code interpreter...),
shown with their item type as kind. The response `status` is the finish reason.
A stream that ends with `response.completed` carries the final output too: when the
reassembled deltas disagree with it, a note says so.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, seal, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Choice, Completion, Recording

_TERMINAL = ("response.completed", "response.incomplete", "response.failed")
_TOOL_ARG_DELTAS = {
    "response.function_call_arguments.delta",
    "response.custom_tool_call_input.delta",
    "response.mcp_call_arguments.delta",
    "response.code_interpreter_call_code.delta",
}
_TOOL_ARG_DONE = {
    "response.function_call_arguments.done": "arguments",
    "response.custom_tool_call_input.done": "input",
    "response.mcp_call_arguments.done": "arguments",
    "response.code_interpreter_call_code.done": "code",
}


def usage_of(raw: Any):
    return usage_from(raw, "input_tokens", "output_tokens", "total_tokens")


def reassemble(rec: Recording) -> Completion:
    events = [e for e in rec.response.events if isinstance(e, dict)]
    typed = [e for e in events if str(e.get("type", "")).startswith("response.") or e.get("type") == "error"]
    if not typed:
        body = events[-1] if events else {}
        return _whole(rec, as_dict(body.get("response")) if "response" in body and "output" not in body else body)
    return _stream(rec, typed)


# --- a whole response object ---------------------------------------------------------------


def _whole(rec: Recording, body: dict) -> Completion:
    out = Completion(api="openai.responses")
    if "output" in body or "status" in body:
        out.choices = [_choice_from_output(body)]
        out.usage = usage_of(body.get("usage"))
        _response_error(out, body)
    return seal(out, rec)


def _choice_from_output(body: dict) -> Choice:
    choice = ChoiceBuilder(0)
    for item in as_list(body.get("output")):
        _add_item(choice, as_dict(item))
    choice.finish_reason = as_str(body.get("status"))
    return choice.build()


def _add_item(choice: ChoiceBuilder, item: dict) -> None:
    kind = as_str(item.get("type"))
    if kind == "message":
        for part in as_list(item.get("content")):
            part = as_dict(part)
            if part.get("type") == "output_text" and isinstance(part.get("text"), str):
                choice.text.append(part["text"])  # the SDKs' `output_text`: every message's parts, no separator
            elif part.get("type") == "refusal" and isinstance(part.get("refusal"), str):
                choice.refusal.append(part["refusal"])
    elif kind == "reasoning":
        texts = [as_dict(p).get("text") for p in as_list(item.get("summary"))]
        texts += [as_dict(p).get("text") for p in as_list(item.get("content"))]
        text = "\n\n".join(t for t in texts if isinstance(t, str))
        if text:
            choice.reasoning.append(_separated(choice.reasoning, text))
    elif isinstance(kind, str) and (kind.endswith("_call") or kind == "function_call"):
        tool = _tool_from_item(item)
        tool.parts.append(_item_arguments(item))
        choice.tools.append(tool)


def _separated(previous: list[str], text: str) -> str:
    """Reasoning from a new part or item starts a new paragraph. (Message items' texts do not: the SDKs'
    `output_text` joins them as they are, and `join` prints what the SDK would; `show` draws each item.)"""
    return f"\n\n{text}" if previous else text


def _tool_from_item(item: dict) -> ToolCallBuilder:
    kind = as_str(item.get("type"))
    call_id = as_str(item.get("call_id")) or as_str(item.get("id"))
    if kind == "function_call":
        return ToolCallBuilder(call_id, as_str(item.get("name")), "function")
    # server-side tools (web_search_call, file_search_call, ...) and custom/MCP tools keep their type
    name = as_str(item.get("name")) or (kind[: -len("_call")] if kind and kind.endswith("_call") else kind)
    return ToolCallBuilder(call_id, name, kind)


def _item_arguments(item: dict) -> str:
    for key in ("arguments", "input", "code"):
        if isinstance(item.get(key), str):
            return item[key]
        if isinstance(item.get(key), (dict, list)):
            return json_text(item[key])
    rest = {k: v for k, v in item.items() if k not in ("type", "id", "call_id", "status", "name")}
    return json_text(rest.get("action", rest))


def _response_error(out: Completion, body: dict) -> None:
    error = body.get("error")
    if isinstance(error, dict):
        out.error = {"type": as_str(error.get("code")) or as_str(error.get("type")), "status_code": None,
                     "message": as_str(error.get("message"))}


# --- a stream -------------------------------------------------------------------------------


class _Stream:
    def __init__(self) -> None:
        self.choice = ChoiceBuilder(0)
        self.tools: dict[Any, ToolCallBuilder] = {}  # by item id, and by output_index
        self.reasoning_part: tuple | None = None
        self.final: dict | None = None
        self.outputs: list = []  # every terminal response's output items, in order (a capture may hold several)
        self.usage = None
        self.status: str | None = None


def _stream(rec: Recording, events: list[dict]) -> Completion:
    out = Completion(api="openai.responses")
    state = _Stream()
    terminal_seen = False
    for event in events:
        kind = as_str(event.get("type"))
        if kind in _TERMINAL:
            terminal_seen = True
            response = as_dict(event.get("response"))
            state.final = response
            state.outputs += as_list(response.get("output"))
            state.status = as_str(response.get("status")) or kind.split(".", 1)[1]
            state.usage = usage_of(response.get("usage")) or state.usage
            _response_error(out, response)
        elif kind == "error":
            out.error = {"type": as_str(event.get("code")) or as_str(as_dict(event.get("error")).get("type")),
                         "status_code": None,
                         "message": as_str(event.get("message")) or as_str(as_dict(event.get("error")).get("message"))}
        elif _apply(state, event) and terminal_seen:
            out.content_after_finish += 1
    choice = state.choice
    choice.finish_reason = state.status
    out.choices = [choice.build()]
    out.usage = state.usage
    out.finished = terminal_seen
    if state.outputs:  # some hosts do not repeat the output
        out.notes.extend(_compare(out.choices[0], _choice_from_output({"output": state.outputs})))
    return seal(out, rec)


def _apply(state: _Stream, event: dict) -> bool:
    """One event's content; True when it carried some."""
    kind = as_str(event.get("type"))
    choice = state.choice
    delta = event.get("delta")
    if kind == "response.output_text.delta" and isinstance(delta, str):
        choice.text.append(delta)  # joined as `output_text` joins the items' texts: no separator
        return True
    if kind == "response.refusal.delta" and isinstance(delta, str):
        choice.refusal.append(delta)
        return True
    if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta") and isinstance(delta, str):
        part = (event.get("item_id"), kind, event.get("summary_index", event.get("content_index")))
        if state.reasoning_part is not None and part != state.reasoning_part and choice.reasoning:
            choice.reasoning.append("\n\n")
        state.reasoning_part = part
        choice.reasoning.append(delta)
        return True
    if kind == "response.output_item.added":
        item = as_dict(event.get("item"))
        item_kind = as_str(item.get("type"))
        if isinstance(item_kind, str) and (item_kind.endswith("_call")):
            tool = _tool_from_item(item)
            initial = item.get("arguments", item.get("input"))
            if isinstance(initial, str) and initial:
                tool.parts.append(initial)
            choice.tools.append(tool)
            state.tools[("item", as_str(item.get("id")))] = tool
            state.tools[("index", as_int(event.get("output_index")))] = tool
        return False
    if kind in _TOOL_ARG_DELTAS and isinstance(delta, str):
        tool = _tool_for(state, event)
        tool.parts.append(delta)
        return True
    if kind == "response.output_item.done":
        _finish_item(state, event)
    return False


def _tool_for(state: _Stream, event: dict) -> ToolCallBuilder:
    tool = state.tools.get(("item", as_str(event.get("item_id")))) or state.tools.get(("index", as_int(event.get("output_index"))))
    if tool is None:  # arguments for an item whose `added` event was not recorded
        tool = ToolCallBuilder(as_str(event.get("item_id")), None, "function")
        state.choice.tools.append(tool)
        state.tools[("item", as_str(event.get("item_id")))] = tool
    return tool


def _finish_item(state: _Stream, event: dict) -> None:
    """A server tool's arguments arrive whole in `output_item.done` (its action, its query)."""
    item = as_dict(event.get("item"))
    tool = state.tools.get(("item", as_str(item.get("id")))) or state.tools.get(("index", as_int(event.get("output_index"))))
    if tool is None or tool.parts:
        return
    if tool.kind != "function" or isinstance(item.get("arguments"), str):
        tool.parts.append(_item_arguments(item))
    if tool.name is None:
        tool.name = as_str(item.get("name"))


def _compare(streamed: Choice, final: Choice) -> list[str]:
    notes = []
    if streamed.text != final.text:
        notes.append("the streamed output_text deltas differ from the text in response.completed")
    if (streamed.reasoning or "") != (final.reasoning or "") and streamed.reasoning and final.reasoning:
        notes.append("the streamed reasoning deltas differ from the reasoning in response.completed")
    if (streamed.refusal or "") != (final.refusal or ""):
        notes.append("the streamed refusal deltas differ from the refusal in response.completed")
    mine = [(t.id, t.name, t.arguments) for t in streamed.tool_calls if t.kind == "function"]
    theirs = [(t.id, t.name, t.arguments) for t in final.tool_calls if t.kind == "function"]
    if len(theirs) < len(mine) and all(call in mine for call in theirs):
        notes.append(f"response.completed lists {len(theirs)} of the {len(mine)} streamed function calls")
    elif mine != theirs:
        notes.append("the streamed function-call arguments differ from the calls in response.completed")
    return notes


# --- the conversation: input items (the request) and output items (the answer), one vocabulary ----------


def transcript(body: dict):
    from llmcat.apis import _conversation as cv
    from llmcat.model import Transcript

    blocks = []
    if isinstance(body.get("instructions"), str) and body["instructions"]:
        blocks.append(cv.text("system", body["instructions"]))
    items = body.get("input")
    if isinstance(items, str):
        blocks.append(cv.text("user", items))
    for item in as_list(items):
        blocks += item_blocks(cv, item, "user")
    return Transcript(blocks, cv.tool_specs(body.get("tools")), ("input", "instructions", "tools"))


def answer_blocks(rec: Recording, completion: Completion):
    """The output items in order: the final response's, else the items each `output_item.done` carried."""
    from llmcat.apis import _conversation as cv

    events = [e for e in rec.response.events if isinstance(e, dict)]
    typed = [e for e in events if str(e.get("type", "")).startswith("response.")]
    if not typed:  # a whole response object
        body = events[-1] if events else {}
        items = as_list((as_dict(body.get("response")) if "response" in body and "output" not in body else body).get("output"))
    else:
        items = _streamed_items(typed)
    if not items or len(completion.choices) != 1:
        return None
    return [[block for item in items for block in item_blocks(cv, item, "assistant")]]


def _streamed_items(typed: list[dict]) -> list:
    """Each response's output items, response after response (a capture may hold several): its final
    output where that lists every item the stream finished, else the items as `output_item.done`
    carried them (some hosts list only the last message, or nothing, in `response.completed`)."""
    items: list = []
    done: list = []
    final: list | None = None
    for event in typed:
        kind = event.get("type")
        if kind == "response.output_item.done":
            done.append(event.get("item"))
        elif kind in _TERMINAL:
            final = as_list(as_dict(event.get("response")).get("output"))
            items += final if final and _lists_all(final, done) else done or final
            done, final = [], None
    return items + done


def _lists_all(final: list, done: list) -> bool:
    ids = [as_dict(item).get("id") for item in final]  # (a list, not a set: an id may be recorded as anything)
    return len(final) >= len(done) and all(as_dict(item).get("id") in ids for item in done)


_RESULT_ITEMS = {"function_call_output", "custom_tool_call_output", "computer_call_output", "local_shell_call_output"}


def item_blocks(cv, item, role: str) -> list:
    """One input or output item as blocks."""
    if not isinstance(item, dict):
        return [cv.other(role, item)]
    kind = as_str(item.get("type"))
    if kind in (None, "message") and "role" in item:
        return _message_blocks(cv, cv.role_of(item.get("role")), item.get("content"))
    if kind in ("function_call", "custom_tool_call"):
        return [cv.tool_call(item.get("call_id") or item.get("id"), item.get("name"), _item_arguments(item))]
    if kind in _RESULT_ITEMS:
        return [cv.tool_result(item.get("call_id"), item.get("name"), item.get("output"))]
    if kind == "reasoning":
        texts = [as_dict(p).get("text") for p in as_list(item.get("summary")) + as_list(item.get("content"))]
        joined = "\n\n".join(t for t in texts if isinstance(t, str))
        return [cv.reasoning("assistant", joined, encrypted=bool(item.get("encrypted_content")))]
    if kind and kind.endswith("_call"):  # web_search_call, file_search_call, code_interpreter_call, mcp_call...
        tool = _tool_from_item(item)
        out = [cv.server_call("assistant", tool.id, tool.name, kind, _item_arguments(item))]
        result = item.get("results", item.get("outputs", item.get("output")))
        if result is not None:
            out.append(cv.server_result("assistant", tool.id, tool.name, kind, result))
        return out
    return [cv.other(role, item)]


def _message_blocks(cv, role: str, content) -> list:
    if isinstance(content, str):
        return [cv.text(role, content)] if content else []
    out = []
    for part in as_list(content):
        part = as_dict(part)
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text") and isinstance(part.get("text"), str):
            out.append(cv.text(role, part["text"]))
            out += [cv.other(role, note) for note in as_list(part.get("annotations")) if isinstance(note, dict)]  # citations
        elif kind == "refusal":
            out.append(cv.Block(role, "refusal", text=as_str(part.get("refusal"))))
        elif kind == "input_image":
            out.append(cv.media(role, url=part.get("image_url") or part.get("file_id"), kind=kind))
        elif kind == "input_file":
            out.append(cv.media(role, data=part.get("file_data"), url=part.get("file_url") or part.get("file_id"), kind=kind))
        elif kind == "input_audio":
            audio = as_dict(part.get("input_audio"))
            out.append(cv.media(role, f"audio/{audio.get('format')}" if audio.get("format") else None, data=audio.get("data"), kind=kind))
        else:
            out.append(cv.other(role, part))
    return out


def looks_like(event: dict) -> bool:
    kind = event.get("type")
    return (isinstance(kind, str) and kind.startswith("response.")) or event.get("object") == "response"


register(Api(name="openai.responses", summary="OpenAI Responses API", reassemble=reassemble,
             paths=("/responses",), body=looks_like, order=40, streams=True,
             transcript=transcript, answer=answer_blocks))
