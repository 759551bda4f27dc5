"""The normalised conversation drawn the same way for every provider: role-labelled entries for
what was asked, and the answer's blocks as sections in the order the model produced them.

Every recorded string is escaped here (`visible` for texts, `inline` for names and labels).
"""

from __future__ import annotations

import orjson
from msgspec import Struct

from llmcat.model import Block
from llmcat.render.escape import inline, visible
from llmcat.render.jsontext import compact_json, pretty_json


class Entry(Struct):
    """One block of a transcript: a label (`[user]`), its text (escaped; may span lines) and a style.
    Writers hang the text's further lines, and wrapped ones, under the text's first column."""

    label: str
    text: str
    style: str = "body"  # body | reasoning | code | error | muted


def pretty_arguments(arguments: str) -> str:
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return arguments  # not JSON (cut short, or a provider's own syntax): as sent
    return pretty_json(value)


def call_text(block: Block) -> str:
    """`name(arguments)`, the arguments pretty-printed."""
    arguments = pretty_arguments(block.arguments or "")
    return f"{inline(block.name or '?')}({visible(arguments) if arguments != '{}' else ''})"


def media_text(block: Block) -> str:
    what = ", ".join(inline(x) for x in (block.media_type or block.kind or "media",) if x)
    if block.size is not None:
        what += f", {block.size:,} bytes"
    if block.url:
        what += f", {inline(block.url)}"
    return f"<{what}>"


def other_text(block: Block) -> str:
    raw = compact_json(block.raw)
    return f"<{inline(block.kind or 'other')}> " + inline(raw if len(raw) <= 200 else raw[:200] + "…")


def entry(block: Block) -> Entry:
    label = f"[{inline(block.role)}]"
    kind = block.type
    if kind == "text":
        return Entry(label, visible(block.text or ""))
    if kind == "reasoning":
        body = visible(block.text) if block.text else "(encrypted)" if block.encrypted else ""
        return Entry(label, "(reasoning) " + body, "reasoning")
    if kind == "refusal":
        return Entry(label, "(refusal) " + visible(block.text or ""), "error")
    if kind == "tool_call":
        return Entry(label, call_text(block), "code")
    if kind == "server_tool_call":
        return Entry(label, "(server tool) " + call_text(block), "code")
    if kind in ("tool_result", "server_tool_result"):
        name = inline(block.name or block.kind or "?")
        flag = " (error)" if block.is_error else ""
        server = "(server tool result) " if kind == "server_tool_result" else ""
        return Entry(label, f"{server}{name}{flag}: {visible(block.content or '')}", "error" if block.is_error else "body")
    if kind == "media":
        return Entry(label, media_text(block), "muted")
    return Entry(label, other_text(block), "muted")


def plain_lines(entries: list[Entry]) -> list[str]:
    """Entries as unwrapped lines: `[role] text`, further lines hung under the text's first column."""
    out = []
    for item in entries:
        first, *rest = item.text.split("\n")
        out.append(f"{item.label} {first}".rstrip())
        hang = " " * (len(item.label) + 1)
        out += [hang + line if line else "" for line in rest]
    return out


def transcript_text(blocks: list[Block]) -> str:
    return "\n".join(plain_lines([entry(b) for b in blocks]))


def answer_sections(blocks: list[Block], suffix: str, first_call: int = 0) -> list[tuple[str, str, str]]:
    """A choice's blocks as (title, text, style) of sections, in order; tool calls numbered as `show --json` lists them."""
    out = []
    calls = first_call
    for block in blocks:
        kind = block.type
        if kind == "text":
            out.append(("answer" + suffix, visible(block.text or ""), "answer"))
        elif kind == "reasoning":
            text = visible(block.text) if block.text else "(encrypted)"
            out.append(("reasoning" + suffix, text, "reasoning" if block.text else "muted"))
        elif kind == "refusal":
            out.append(("refusal" + suffix, visible(block.text or ""), "error"))
        elif kind in ("tool_call", "server_tool_call"):
            extras = [inline(x) for x in (block.id, block.kind) if x]
            title = f"tool call {calls}{suffix}: {inline(block.name or '?')}" + (f" ({', '.join(extras)})" if extras else "")
            out.append((title, visible(pretty_arguments(block.arguments or "")), "code"))
            calls += 1
        elif kind in ("tool_result", "server_tool_result"):
            extras = [inline(x) for x in (block.id, block.kind) if x]
            title = f"tool result{suffix}: {inline(block.name or '?')}" + (f" ({', '.join(extras)})" if extras else "")
            out.append((title, visible(block.content or ""), "error" if block.is_error else "muted"))
        elif kind == "media":
            out.append(("media" + suffix, media_text(block), "muted"))
        else:
            out.append(("other" + suffix, other_text(block), "muted"))
    return out
