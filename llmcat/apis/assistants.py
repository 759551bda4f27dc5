"""OpenAI Assistants API (beta): threads, messages, runs and run steps, streamed and not.

Bodies are typed by `object`: `thread.message` (content parts `{"type": "text", "text":
{"value"}}`), `thread.run` (its `status` is the finish reason; `required_action` holds the
function calls the client must answer; `usage`), `thread.run.step` (`step_details` of type
`tool_calls` or `message_creation`), or a `list` of these. A stream (`/threads/runs`,
`/threads/{id}/runs` with `stream: true`) sends `thread.message.delta` text pieces,
`thread.run.step.delta` tool-call fragments by index, and run objects as the run moves on.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, seal, stream_error, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

_RUN_ENDS = {"completed", "requires_action", "failed", "incomplete", "cancelled", "expired"}


def looks_like(event: Any) -> bool:
    kind = as_str(as_dict(event).get("object")) or ""
    return kind.startswith("thread.") or kind == "assistant"


def url_rule(rec: Recording, path: str) -> str | None:
    """`/threads...` and `/assistants...` (ids in the path: no fixed ending tells)."""
    parts = path.split("/")
    return "openai.assistants" if "threads" in parts or "assistants" in parts[-2:] else None


def usage_of(raw: Any):
    return usage_from(raw, "prompt_tokens", "completion_tokens", "total_tokens")


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="openai.assistants")
    choice = ChoiceBuilder(0)
    tools: dict[int, ToolCallBuilder] = {}
    ended = False
    streamed = False
    for event in rec.response.events:
        event = as_dict(event)
        kind = as_str(event.get("object")) or ""
        if kind == "thread.message.delta":
            streamed = True
            for part in as_list(as_dict(event.get("delta")).get("content")):
                value = as_dict(as_dict(part).get("text")).get("value")
                if isinstance(value, str):
                    choice.text.append(value)
                    if ended:
                        out.content_after_finish += 1
        elif kind == "thread.run.step.delta":
            streamed = True
            details = as_dict(as_dict(event.get("delta")).get("step_details"))
            for position, call in enumerate(as_list(details.get("tool_calls"))):
                _merge_call(choice, tools, as_dict(call), position)
        elif kind == "thread.run":
            ended = _apply_run(out, choice, tools, event) or ended
        elif kind == "thread.message" and not streamed:
            _apply_message(out, choice, event)
        elif kind == "list":
            _apply_list(out, choice, as_list(event.get("data")))
        elif event.get("error") is not None:
            out.error = stream_error(event)
    for tool in tools.values():
        if not tool.parts:
            tool.parts.append("{}")
    if choice.text or choice.tools or choice.finish_reason:
        out.choices = [choice.build()]
    out.finished = ended or rec.response.done_marker or not rec.response.streaming
    return seal(out, rec)


def _merge_call(choice: ChoiceBuilder, tools: dict[int, ToolCallBuilder], call: dict, position: int) -> None:
    """A run step's tool-call fragment: a function's name and arguments, or a built-in tool's input."""
    index = as_int(call.get("index"))
    index = position if index is None else index
    kind = as_str(call.get("type")) or "function"
    tool = tools.get(index)
    if tool is None:
        tool = tools[index] = ToolCallBuilder(as_str(call.get("id")), None, kind)
        choice.tools.append(tool)
    tool.id = tool.id or as_str(call.get("id"))
    function = as_dict(call.get("function"))
    tool.name = tool.name or as_str(function.get("name")) or (kind if kind != "function" else None)
    fragment = function.get("arguments", as_dict(call.get(kind)).get("input"))
    if isinstance(fragment, str) and fragment:
        tool.parts.append(fragment)


def _apply_run(out: Completion, choice: ChoiceBuilder, tools: dict, run: dict) -> bool:
    """A run object: its status, usage, error, and the calls it waits on. True when the run has ended."""
    status = as_str(run.get("status"))
    out.usage = usage_of(run.get("usage")) or out.usage
    error = as_dict(run.get("last_error"))
    if error:
        out.error = {"type": as_str(error.get("code")), "status_code": None, "message": as_str(error.get("message"))}
    required = as_list(as_dict(as_dict(run.get("required_action")).get("submit_tool_outputs")).get("tool_calls"))
    if required and not tools:  # (a stream has built them from its step deltas already)
        for position, call in enumerate(required):
            call = as_dict(call)
            function = as_dict(call.get("function"))
            tool = tools[position] = ToolCallBuilder(as_str(call.get("id")), as_str(function.get("name")), "function")
            tool.parts.append(json_text(function.get("arguments", "{}")))
            choice.tools.append(tool)
    if status in _RUN_ENDS:
        choice.finish_reason = status
        return True
    return False


def _message_text(message: dict) -> str:
    texts = [as_dict(as_dict(part).get("text")).get("value") for part in as_list(message.get("content"))]
    return "".join(t for t in texts if isinstance(t, str))


def _apply_message(out: Completion, choice: ChoiceBuilder, message: dict) -> None:
    """One message: an assistant's is an answer; a user's (as created) is only described."""
    if message.get("role") == "assistant":
        choice.text.append(_message_text(message))
    else:
        out.details = {"message": as_str(message.get("id")), "role": as_str(message.get("role")), "text": _message_text(message)}


def _apply_list(out: Completion, choice: ChoiceBuilder, items: list) -> None:
    """A listed page: the assistant's messages in the order written, or the run steps' tool calls."""
    items = [as_dict(item) for item in items]
    messages = sorted((m for m in items if m.get("object") == "thread.message"), key=lambda m: as_int(m.get("created_at")) or 0)
    answers = [_message_text(m) for m in messages if m.get("role") == "assistant"]
    if answers:
        choice.text.append("\n\n".join(answers))
    steps = [s for s in items if s.get("object") == "thread.run.step"]
    for step in sorted(steps, key=lambda s: as_int(s.get("created_at")) or 0):
        for call in as_list(as_dict(step.get("step_details")).get("tool_calls")):
            call = as_dict(call)
            function = as_dict(call.get("function"))
            tool = ToolCallBuilder(as_str(call.get("id")), as_str(function.get("name")), as_str(call.get("type")) or "function")
            tool.parts.append(json_text(function.get("arguments", "{}")))
            choice.tools.append(tool)
    if steps:
        out.details = {"steps": [{"id": as_str(s.get("id")), "type": as_str(s.get("type")), "status": as_str(s.get("status"))}
                                 for s in steps]}
    elif items and not messages:
        out.details = {"listed": len(items)}


register(Api(name="openai.assistants", summary="OpenAI Assistants: threads, messages, runs, run steps",
             reassemble=reassemble, url_rule=url_rule, body=looks_like, order=45, streams=True))
