"""The human view of a recorded call as a renderer-neutral document.

Both the plain-text writer (pipes, git textconv) and the rich writer (terminals)
draw the same document, so what a pipe shows and what a terminal shows agree.
Every recorded string passes through `escape` here, once.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from llmcat.apis import request_view
from llmcat.apis._conversation import unknown_part_text
from llmcat.apis._empty import empty_answer
from llmcat.model import Completion, Recording, Transcript, Usage
from llmcat.render.conversation import Entry, answer_sections, entries
from llmcat.render.escape import inline, visible
from llmcat.render.jsontext import compact_json, pretty_json
from llmcat.render.turns import Earlier, Turns, conversation_key


class Field(Struct):
    label: str
    value: str  # one line, already escaped


class Section(Struct):
    title: str
    fields: list[Field] = field(default_factory=list)
    text: str | None = None  # multi-line body, already escaped
    style: str = "body"  # body | answer | reasoning | code | error | muted
    entries: list[Entry] | None = None  # a transcript: role-labelled blocks, each with its own style


class Document(Struct):
    heading: str
    sections: list[Section]


LINE_CHARACTERS = 200  # for --head/--tail a longer line counts as one line per this many characters


def clip_lines(text: str, head: int | None = None, tail: int | None = None) -> str:
    """The first `head` and last `tail` lines of `text`, and one line saying what is left out between. A line
    longer than LINE_CHARACTERS counts as several: a one-line 4.8 KB tool result is bounded too."""
    if head is None and tail is None:
        return text
    pieces = [(n, line[max(at, 0): at + LINE_CHARACTERS]) for n, line in enumerate(text.split("\n"))
              for at in _cuts(len(line), from_end=head is None)]
    first, last = head or 0, tail or 0
    if first + last >= len(pieces):
        return text
    hidden = pieces[first: len(pieces) - last]
    whole = {n for n, _ in hidden} - {n for n, _ in pieces[:first] + pieces[len(pieces) - last:]}
    cut = sum(len(piece) for n, piece in hidden if n not in whole)
    which = "earlier" if not first else "more"  # --tail alone leaves out the start
    what = [f"{len(whole)} {which} line{'s' if len(whole) != 1 else ''}"] if whole else []
    if cut:
        characters = f"{cut:,} {'' if whole else which + ' '}character{'s' if cut != 1 else ''}"
        what.append(f"{characters} of {'another' if whole else 'this'} line")
    return "\n".join([*_joined(pieces[:first]), f"[{' and '.join(what)} not shown]", *_joined(pieces[len(pieces) - last:])])


def _cuts(length: int, from_end: bool) -> range:
    """Where a line's pieces start: every LINE_CHARACTERS from its start, or (--tail alone) back from its end."""
    if not from_end:
        return range(0, max(length, 1), LINE_CHARACTERS)
    if not length:
        return range(0, 1)
    first = length - LINE_CHARACTERS * -(-length // LINE_CHARACTERS)  # (negative: the first piece is the short one)
    return range(first, length, LINE_CHARACTERS)


def _joined(pieces: list[tuple[int, str]]) -> list[str]:
    """Pieces back into lines (those of one line run together)."""
    lines: list[str] = []
    previous = None
    for n, piece in pieces:
        if n == previous:
            lines[-1] += piece
        else:
            lines.append(piece)
        previous = n
    return lines


def build(rec: Recording, completion: Completion, head: int | None = None, tail: int | None = None,
          turns: Turns | None = None) -> Document:
    """The document for one call; `head`/`tail` limit each multi-line text to its first/last lines;
    with `turns` (the calls drawn before), a conversation continued from one of them is drawn from its new turns."""
    from llmcat.apis._conversation import answer_blocks, request_transcript

    view = request_view(rec)
    heading = rec.label
    conversation = request_transcript(rec, completion.api)
    answers = answer_blocks(rec, completion)
    earlier = turns.earlier(conversation_key(rec), rec.label, conversation, answers[0] if answers else []) if turns is not None else None
    sections = [_call_section(rec, completion, view), *_request_sections(view, conversation, earlier, rec.source)]
    sections += _answer_sections(completion, answers)
    if completion.details:
        sections.append(Section("result", text=visible(pretty_json(completion.details)), style="code"))
    if completion.error:
        sections.append(_error_section(completion.error))
    for note in completion.notes:
        sections.append(Section("note", text=visible(note), style="muted"))
    sections.append(_summary_section(rec, completion))
    _payloads_summarized(sections)
    if head is not None or tail is not None:
        for section in sections:
            if section.text is not None:
                section.text = clip_lines(section.text, head, tail)
            for item in section.entries or ():
                item.text = clip_lines(item.text, head, tail)
    return Document(inline(heading), sections)


def _payloads_summarized(sections: list[Section]) -> None:
    """Base64 images, audio, uploads and encrypted reasoning as one line each (`render.payloads`)."""
    from llmcat.render.payloads import summarized

    for section in sections:
        if section.text is not None:
            section.text = summarized(section.text)
        for f in section.fields:
            f.value = summarized(f.value)
        for item in section.entries or ():
            item.text = summarized(item.text)


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
    elif completion.answered_by:  # a bare capture: no request, but the answer says which model wrote it
        fields.append(Field("model", inline(completion.answered_by) + " (as the answer names it)"))
    if rec.response.status is not None:
        fields.append(Field("status", str(rec.response.status)))
    if view["test_id"]:
        fields.append(Field("test", inline(view["test_id"])))
    return Section("call", fields)


def _request_sections(view: dict, conversation: Transcript | None, earlier: Earlier | None, source: str) -> list[Section]:
    params = dict(view["params"])
    if conversation is not None:
        return _conversation_sections(params, conversation, earlier, source)
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


def _conversation_sections(params: dict, transcript: Transcript, earlier: Earlier | None, source: str) -> list[Section]:
    """A chat call: its parameters but those the transcript stands for, the transcript (from its new
    turns when it continues a call drawn before), the tools offered."""
    for key in transcript.keys:
        params.pop(key, None)
    out = [Section("request", [Field(inline(str(k)), inline(compact_json(v))) for k, v in params.items()])]
    blocks, before, tools = transcript.blocks, [], [Field("tool", inline(t.name)) for t in transcript.tools]
    if earlier is not None and earlier.departs is not None:
        out.append(Section("note", text=f"this conversation starts as {_call_name(earlier.departs, source)}'s but does not "
                                         "continue it (history rewritten or summarised): shown whole", style="muted"))
    elif earlier is not None:
        name = _call_name(earlier.label, source)
        s = "s" if earlier.turns != 1 else ""
        before = [Entry("…", f"{earlier.turns} earlier turn{s}, as in {name}", "muted")]
        blocks = blocks[earlier.blocks:]
        if earlier.tools_same and tools:
            tools = [Field("tools", f"the same {len(tools)} as in {name}" if len(tools) > 1 else f"the same as in {name}")]
    if blocks:
        out.append(Section("messages", entries=before + entries(blocks)))
    if tools:
        out.append(Section("tools offered", tools))
    return out


def _call_name(label: str, source: str) -> str:
    """`#3` for a call of the same file, else its whole label."""
    return label[len(source):] if label.startswith(source + "#") else inline(label)


def tool_names(tools: Any) -> list[str]:
    names = []
    for tool in tools if isinstance(tools, list) else [tools]:
        if isinstance(tool, dict):
            inner = tool.get("function")
            function = inner if isinstance(inner, dict) else tool
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
        calls = message.get("tool_calls")
        if calls and not isinstance(calls, list):  # recorded wrong: shown as it is
            lines.append(f"  -> {compact_json(calls)}")
        for call in calls if isinstance(calls, list) else []:
            if isinstance(call, dict):
                inner = call.get("function")
                function = inner if isinstance(inner, dict) else {}
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
        return unknown_part_text(part)
    return compact_json(part)


def _answer_sections(completion: Completion, blocks: list) -> list[Section]:
    out = []
    several = len(completion.choices) > 1
    for choice, answer in zip(completion.choices, blocks, strict=True):
        suffix = f" (choice {choice.index})" if several else ""
        sections = [Section(title, text=text, style=style) for title, text, style in answer_sections(answer, suffix)]
        if not any(b.type in ("text", "tool_call", "server_tool_call", "refusal", "reasoning") for b in answer):
            sections.insert(0, Section("answer" + suffix, text="", style="answer"))  # said nothing: say so
        out += sections
    return out


def _error_section(error: dict) -> Section:
    fields = [Field(inline(str(k)), inline(compact_json(v))) for k, v in error.items() if v is not None and k != "message"]
    message = error.get("message")
    return Section("error", fields, text=visible(message) if isinstance(message, str) else None, style="error")


def _summary_section(rec: Recording, completion: Completion) -> Section:
    empty = empty_answer(rec, completion)  # an answer that reads as empty is never shown without a word
    fields = [Field("note", empty[1])] if empty is not None else []
    reasons = [c.finish_reason or "-" for c in completion.choices]
    if reasons:
        fields.append(Field("finish", inline(", ".join(reasons))))
    usage = completion.usage
    if usage is not None:
        fields.append(Field("usage", usage_text(usage)))
    if completion.timing:
        fields.append(Field("timing", inline(_timing_text(completion))))
    fields.append(Field("chunks", str(completion.chunks)))
    return Section("summary", fields)


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def usage_text(usage: Usage) -> str:
    """`13 prompt + 2,241 completion (1,856 reasoning) = 2,254 tokens; 4,352 cached`: the parts in brackets
    and after the semicolon only when the provider reported them (and they are not zero)."""
    thinking, cached = usage.reasoning_tokens, usage.cached_tokens
    completion = f"{_n(usage.completion_tokens)} completion" + (f" ({thinking:,} reasoning)" if thinking else "")
    text = f"{_n(usage.prompt_tokens)} prompt + {completion} = {_n(usage.total_tokens)} tokens"
    return text + (f"; {cached:,} cached" if cached else "")


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
