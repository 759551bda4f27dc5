"""The human view of a recorded call as a renderer-neutral document.

Both the plain-text writer (pipes, git textconv) and the rich writer (terminals)
draw the same document, so what a pipe shows and what a terminal shows agree.
Every recorded string passes through `escape` here, once.
"""

from __future__ import annotations

from msgspec import Struct, field
from typing import Any

import orjson

from llmcat.apis import request_view
from llmcat.model import Completion, Recording
from llmcat.render.escape import inline, visible


class Field(Struct):
    label: str
    value: str  # one line, already escaped


class Section(Struct):
    title: str
    fields: list[Field] = field(default_factory=list)
    text: str | None = None  # multi-line body, already escaped
    style: str = "body"  # body | answer | reasoning | code | error | muted


class Document(Struct):
    heading: str
    sections: list[Section]


TOO_DEEP = "(nested too deeply to show)"


def pretty_json(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # lone surrogates, or deeper than orjson writes (255 levels)
        import json

        try:
            return json.dumps(value, indent=2, ensure_ascii=True, default=str)
        except RecursionError:
            return TOO_DEEP


def compact_json(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        import json

        try:
            return json.dumps(value, ensure_ascii=True, default=str)
        except RecursionError:
            return TOO_DEEP


def _pretty_arguments(arguments: str) -> str:
    try:
        return pretty_json(orjson.loads(arguments))
    except orjson.JSONDecodeError:
        return arguments  # not JSON (cut short, or a provider's own syntax): show as sent


def clip_lines(text: str, head: int | None = None, tail: int | None = None) -> str:
    """The first `head` and last `tail` lines of `text`, and one line saying how many are left out between."""
    if head is None and tail is None:
        return text
    count = text.count("\n") + 1
    head, tail = head or 0, tail or 0
    if head + tail >= count:
        return text
    lines = text.split("\n")
    hidden = count - head - tail
    return "\n".join([*lines[:head], f"[{hidden} more line{'s' if hidden > 1 else ''} not shown]", *lines[count - tail :]])


def build(rec: Recording, completion: Completion, head: int | None = None, tail: int | None = None) -> Document:
    """The document for one call; `head`/`tail` limit each multi-line text to its first/last lines."""
    view = request_view(rec)
    heading = rec.label
    sections = [_call_section(rec, completion, view), *_request_sections(view)]
    sections += _answer_sections(completion)
    if completion.details:
        sections.append(Section("result", text=visible(pretty_json(completion.details)), style="code"))
    if completion.error:
        sections.append(_error_section(completion.error))
    for note in completion.notes:
        sections.append(Section("note", text=visible(note), style="muted"))
    sections.append(_summary_section(rec, completion))
    if head is not None or tail is not None:
        for section in sections:
            if section.text is not None:
                section.text = clip_lines(section.text, head, tail)
    return Document(inline(heading), sections)


def _call_section(rec: Recording, completion: Completion, view: dict) -> Section:
    fields = []
    if rec.request.method or rec.request.url:
        fields.append(Field("call", inline(" ".join(x for x in (rec.request.method, rec.request.url) if x))))
    streamed = "streamed" if rec.response.streaming else "not streamed"
    fields.append(Field("api", f"{completion.api} ({inline(rec.format)}, {streamed})"))
    if view["endpoint"]:
        fields.append(Field("endpoint", inline(view["endpoint"])))
    if view["model"]:
        fields.append(Field("model", inline(view["model"])))
    if rec.response.status is not None:
        fields.append(Field("status", str(rec.response.status)))
    if view["test_id"]:
        fields.append(Field("test", inline(view["test_id"])))
    return Section("call", fields)


def _request_sections(view: dict) -> list[Section]:
    params = dict(view["params"])
    tools = params.pop("tools", None)
    out = [Section("request", [Field(inline(str(k)), inline(compact_json(v))) for k, v in params.items()])]
    if view["prompt"] is not None:
        prompt = view["prompt"]
        out.append(Section("prompt", text=visible(prompt if isinstance(prompt, str) else pretty_json(prompt))))
    if isinstance(view["messages"], list):
        out.append(Section("messages", text=visible(transcript(view["messages"]))))
    elif view["messages"] is not None:
        out.append(Section("messages", text=visible(pretty_json(view["messages"]))))
    if tools:
        out.append(Section("tools offered", [Field("tool", inline(name)) for name in tool_names(tools)]))
    return out


def tool_names(tools: Any) -> list[str]:
    names = []
    for tool in tools if isinstance(tools, list) else [tools]:
        if isinstance(tool, dict):
            function = tool.get("function") if isinstance(tool.get("function"), dict) else tool
            decls = tool.get("functionDeclarations") or tool.get("function_declarations")
            if isinstance(decls, list):
                names += [str(d.get("name")) for d in decls if isinstance(d, dict)]
                continue
            names.append(str(function.get("name") or tool.get("type") or compact_json(tool)))
        else:
            names.append(compact_json(tool))
    return names


def transcript(messages: list) -> str:
    """Messages as a role-labelled transcript: `[role] text`, other parts summarised."""
    lines = []
    for message in messages:
        if not isinstance(message, dict):
            lines.append(compact_json(message))
            continue
        role = message.get("role") or message.get("type") or "?"
        content = message.get("content", message.get("parts"))
        lines.append(f"[{compact_json(role)}] {_content_text(content)}")
        for call in message.get("tool_calls") or []:
            if isinstance(call, dict):
                function = call.get("function") if isinstance(call.get("function"), dict) else {}
                lines.append(f"  -> {function.get('name')}({compact_json(function.get('arguments'))})")
    return "\n".join(lines)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        return " ".join(_part_text(part) for part in content)
    return compact_json(content)


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict):
        if isinstance(part.get("text"), str):
            return part["text"]
        kind = part.get("type") or next(iter(part), "part")
        return f"<{kind}>"
    return compact_json(part)


def _answer_sections(completion: Completion) -> list[Section]:
    out = []
    several = len(completion.choices) > 1
    for choice in completion.choices:
        suffix = f" (choice {choice.index})" if several else ""
        if choice.reasoning:
            out.append(Section("reasoning" + suffix, text=visible(choice.reasoning), style="reasoning"))
        if choice.text or not (choice.tool_calls or choice.refusal or choice.reasoning):
            out.append(Section("answer" + suffix, text=visible(choice.text), style="answer"))
        if choice.refusal:
            out.append(Section("refusal" + suffix, text=visible(choice.refusal), style="error"))
        for n, call in enumerate(choice.tool_calls):
            label = inline(call.name or "?")
            extras = ", ".join(x for x in (inline(call.id) if call.id else "", inline(call.kind) if call.kind and call.kind != "function" else "") if x)
            title = f"tool call {n}{suffix}: {label}" + (f" ({extras})" if extras else "")
            out.append(Section(title, text=visible(_pretty_arguments(call.arguments)), style="code"))
    return out


def _error_section(error: dict) -> Section:
    fields = [Field(inline(str(k)), inline(compact_json(v))) for k, v in error.items() if v is not None and k != "message"]
    message = error.get("message")
    return Section("error", fields, text=visible(message) if isinstance(message, str) else None, style="error")


def _summary_section(rec: Recording, completion: Completion) -> Section:
    fields = []
    reasons = [c.finish_reason or "-" for c in completion.choices]
    if reasons:
        fields.append(Field("finish", inline(", ".join(reasons))))
    usage = completion.usage
    if usage is not None:
        fields.append(Field("usage", f"{_n(usage.prompt_tokens)} prompt + {_n(usage.completion_tokens)} completion = {_n(usage.total_tokens)} tokens"))
    if completion.timing:
        fields.append(Field("timing", inline(_timing_text(completion))))
    fields.append(Field("chunks", str(completion.chunks)))
    return Section("summary", fields)


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def _timing_text(completion: Completion) -> str:
    timing = completion.timing or {}
    parts = [f"{k}={compact_json(v)}" for k, v in timing.items()]
    rate = tokens_per_second(completion)
    if rate is not None:
        parts.append(f"({rate:.1f} tokens/s)")
    return " ".join(parts)


def tokens_per_second(completion: Completion) -> float | None:
    timing, usage = completion.timing or {}, completion.usage
    tokens = usage.completion_tokens if usage else None
    if not tokens:
        return None
    seconds = timing.get("completion_time")  # Cerebras, seconds
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        nanos = timing.get("eval_duration")  # Ollama, nanoseconds
        seconds = nanos / 1e9 if isinstance(nanos, (int, float)) and not isinstance(nanos, bool) else None
    if not seconds or seconds <= 0:
        return None
    return tokens / seconds
