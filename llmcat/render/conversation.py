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
    """Tool arguments, or a tool's result, pretty-printed when they are a JSON object or array; else as sent."""
    if not arguments.lstrip().startswith(("{", "[")):
        return arguments  # prose, a number, a word: as sent (a result "42" stays 42, not re-spelt)
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
        result = visible(pretty_arguments(block.content or ""))  # a JSON result drawn as tool arguments are
        return Entry(label, f"{server}{name}{flag}: {result}", "error" if block.is_error else "body")
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


def entries(blocks: list[Block]) -> list[Entry]:
    """A transcript's entries: one per block, the pieces of one text (and its citations) one entry."""
    out = []
    for block in joined(blocks):
        if isinstance(block, Joined):
            out.append(Entry(f"[{inline(block.role)}]", "\n".join([block.text, *block.sources])))
        else:
            out.append(entry(block))
    return out


def transcript_text(blocks: list[Block]) -> str:
    return "\n".join(plain_lines(entries(blocks)))


# --- one text, whole: the pieces a provider cut it into (where citations go) joined again ---------------


class Joined(Struct):
    """A run of text blocks drawn as the one text the model wrote, each citation a numbered mark (`[1]`)."""

    role: str
    text: str  # escaped, with the marks
    sources: list[str]  # `[1] title <url>`, escaped, in the order first cited


def is_citation(block: Block) -> bool:
    """A citation a provider attached to the text before it (Anthropic's `*_location`, OpenAI's `url_citation`...)."""
    kind = block.kind or ""
    return block.type == "other" and (kind.endswith(("_location", "_citation")) or kind == "citation")


def joined(blocks: list[Block]) -> list[Block | Joined]:
    """`blocks` with each run of text blocks of one role (and the citations between them) made one `Joined`."""
    out: list[Block | Joined] = []
    run: list[Block] = []
    for block in blocks:
        if run and (block.role != run[0].role or not (block.type == "text" or is_citation(block))):
            out.append(_join(run))
            run = []
        if block.type == "text":
            run.append(block)
        elif run:
            run.append(block)  # a citation of the text before it
        else:
            out.append(block)
    if run:
        out.append(_join(run))
    return out


_GLUED = ".,;:!?)]}\u00bb\u201d\u2019'\"-\u2013\u2014"  # a piece starting with one of these goes on the text before it


def _join(run: list[Block]) -> Joined:
    text, sources = "", []
    numbers: dict[str, int] = {}  # a source's key: its mark
    pieces: list[tuple[str, list[Block]]] = []  # each text, and the citations that follow it
    for block in run:
        if block.type == "text":
            pieces.append((block.text or "", []))
        elif pieces:
            pieces[-1][1].append(block)
    for piece, citations in pieces:
        if text and piece and not (text[-1].isspace() or piece[0].isspace() or piece[0] in _GLUED):
            text += "\n\n"  # two texts, not the pieces of one: two paragraphs
        marks: dict[int, list[int]] = {}  # where in the piece: the numbers marked there
        for citation in citations:
            key, line = _source(citation)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                sources.append(f"[{numbers[key]}] {line}")
            at = _end_index(citation, piece)
            if numbers[key] not in marks.setdefault(at, []):
                marks[at].append(numbers[key])
        for at in sorted(marks, reverse=True):
            head = piece[:at].rstrip()  # the mark on the cited words, not after their space
            piece = head + "".join(f"[{n}]" for n in marks[at]) + piece[len(head):]
        text += piece
    return Joined(run[0].role, visible(text), sources)


def _end_index(citation: Block, piece: str) -> int:
    """Where the cited words end in the text: where the provider says (OpenAI's `end_index`), else its end."""
    raw = citation.raw if isinstance(citation.raw, dict) else {}
    end = raw.get("end_index")
    return end if isinstance(end, int) and not isinstance(end, bool) and 0 <= end <= len(piece) else len(piece)


def _source(block: Block) -> tuple[str, str]:
    raw: dict = block.raw if isinstance(block.raw, dict) else {}
    nested = raw.get(raw.get("type"))  # Chat Completions nests it under its type
    raw = nested if isinstance(nested, dict) else raw
    url = raw.get("url") if isinstance(raw.get("url"), str) else None
    title = next((raw[k] for k in ("title", "document_title", "filename") if isinstance(raw.get(k), str) and raw[k]), None)
    cited = raw.get("cited_text") if isinstance(raw.get("cited_text"), str) else None
    if url:
        return url, inline(f"{title} <{url}>" if title else f"<{url}>")
    label = title or (f"document {raw['document_index']}" if isinstance(raw.get("document_index"), int) else block.kind or "source")
    quote = f": \u201c{cited.strip()}\u201d" if cited else ""
    return f"{label}{quote}", inline(label + quote)


def answer_sections(blocks: list[Block], suffix: str, first_call: int = 0) -> list[tuple[str, str, str]]:
    """A choice's blocks as (title, text, style) of sections, in order; tool calls numbered as `show --json`
    lists them; the pieces of one text joined, its citations listed under it."""
    out = []
    calls = first_call
    for block in joined(blocks):
        if isinstance(block, Joined):
            out.append(("answer" + suffix, block.text, "answer"))
            if block.sources:
                out.append(("sources" + suffix, "\n".join(block.sources), "muted"))
            continue
        kind = block.type
        if kind == "reasoning":
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
            out.append((title, visible(pretty_arguments(block.content or "")), "error" if block.is_error else "muted"))
        elif kind == "media":
            out.append(("media" + suffix, media_text(block), "muted"))
        else:
            out.append(("other" + suffix, other_text(block), "muted"))
    return out
