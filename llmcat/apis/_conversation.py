"""The conversation, normalised: helpers the API modules build their transcripts with, and the lookup.

Each chat API declares on its registration a pure function from its request body to a
`Transcript` (`Api.transcript`), and may declare one from a recorded call to each choice's
answer as blocks in the order the model produced them (`Api.answer`); without one, a
choice's blocks are made from its reassembled fields. Nothing here is needed by `ls`, `stats` or
`join`: transcripts are built only for the calls that are shown or compared.
"""

from __future__ import annotations

from typing import Any

import orjson

from llmcat.apis._common import as_dict, as_list, as_str
from llmcat.model import Block, Choice, Completion, Recording, ToolSpec, Transcript

# --- blocks ------------------------------------------------------------------------------------------

_ROLES = {"system": "system", "developer": "system", "user": "user", "human": "user", "assistant": "assistant",
          "model": "assistant", "chatbot": "assistant", "ai": "assistant", "tool": "tool", "function": "tool", "ipython": "tool"}


def role_of(value: Any, default: str = "user") -> str:
    """A provider's role name in the shared vocabulary; an unknown name is kept (lower-cased)."""
    if not isinstance(value, str) or not value:
        return default
    return _ROLES.get(value.lower(), value.lower())


def arguments_text(value: Any) -> str:
    """Tool arguments as one compact JSON text, however the provider sent them (a string or a value)."""
    if isinstance(value, str):
        if not value.strip():
            return "{}"  # no arguments at all (an empty input streamed as no fragment)
        try:
            return orjson.dumps(orjson.loads(value)).decode()
        except (orjson.JSONDecodeError, TypeError):
            return value  # cut short or not JSON: as sent
    try:
        return orjson.dumps({} if value is None else value).decode()
    except TypeError:
        return str(value)


def text(role: str, value: str) -> Block:
    return Block(role, "text", text=value)


def reasoning(role: str, value: str | None, encrypted: bool = False, signed: bool = False) -> Block:
    return Block(role, "reasoning", text=value or None, encrypted=encrypted and not value, signed=signed)


def tool_call(call_id: Any, name: Any, arguments: Any, role: str = "assistant") -> Block:
    return Block(role, "tool_call", id=as_str(call_id), name=as_str(name), arguments=arguments_text(arguments))


def tool_result(call_id: Any, name: Any, content: Any, is_error: bool = False) -> Block:
    return Block("tool", "tool_result", id=as_str(call_id), name=as_str(name), content=content_text(content), is_error=is_error)


def server_call(role: str, call_id: Any, name: Any, kind: Any, arguments: Any) -> Block:
    return Block(role, "server_tool_call", id=as_str(call_id), name=as_str(name), kind=as_str(kind), arguments=arguments_text(arguments))


def server_result(role: str, call_id: Any, name: Any, kind: Any, content: Any) -> Block:
    return Block(role, "server_tool_result", id=as_str(call_id), name=as_str(name), kind=as_str(kind), content=summary(content))


def media(role: str, media_type: Any = None, data: Any = None, url: Any = None, kind: Any = None) -> Block:
    """A picture, sound or document: its type and size or address, never its data."""
    url = as_str(url)
    if url and url.startswith("data:"):
        header, _, data = url.partition(",")
        media_type = media_type or header[5:].split(";")[0] or None
        url = None
    return Block(role, "media", kind=as_str(kind), media_type=as_str(media_type), size=data_size(data), url=url)


def other(role: str, raw: Any) -> Block:
    kind = as_str(as_dict(raw).get("type"))
    return Block(role, "other", kind=kind, raw=raw)


def data_size(data: Any) -> int | None:
    """Bytes of inline data: base64 text by its length (not decoded: it may be large), raw bytes counted."""
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    if not isinstance(data, str):
        return None
    stripped = data.strip()
    return len(stripped) * 3 // 4 - (stripped.endswith("==") + stripped.endswith("="))


def content_text(content: Any) -> str:
    """A tool result's content as text: a string as is, typed parts' texts joined, anything else as JSON."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        pieces = [_part_text(part) for part in content]
        return "\n".join(p for p in pieces if p)
    if isinstance(content, dict) and ("type" in content or len(content) == 1):
        return _part_text(content)  # a typed part, or a lone `{"text": ...}`-like wrapper
    return compact(content)  # an object of the tool's own: shown whole


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    part = as_dict(part)
    for key in ("text", "output", "content"):
        if isinstance(part.get(key), str):
            return part[key]
    json_value = part.get("json")  # Bedrock's toolResult json block
    if json_value is not None:
        return compact(json_value)
    document = as_dict(part.get("document"))  # Cohere's document parts
    if document:
        data = document.get("data")
        return data if isinstance(data, str) else compact(data)
    return unknown_part_text(part)


# Typed parts that are pictures, sounds or files: shown as a `<type>` placeholder, never their data.
MEDIA_PARTS = frozenset({"image", "image_url", "input_image", "output_image", "audio", "input_audio", "output_audio",
                         "file", "input_file", "document", "video", "image_file"})


def unknown_part_text(part: dict) -> str:
    """A part with no text of its own: a media part by its type, any other shape as its compact JSON
    (never a bare `<key>`: a result llmcat does not know is still shown)."""
    kind = part.get("type")
    if isinstance(kind, str) and kind in MEDIA_PARTS:
        return f"<{kind}>"
    return compact(part)


def summary(content: Any) -> str:
    """A server tool's result in a line or a few: titles and addresses of search results, an error's code."""
    if isinstance(content, list):
        lines = []
        for item in content:
            item = as_dict(item)
            title, url = as_str(item.get("title")), as_str(item.get("url"))
            if title or url:
                lines.append(" ".join(x for x in (title, f"<{url}>" if url else None) if x))
            else:
                lines.append(content_text(item))
        return "\n".join(lines)
    content_dict = as_dict(content)
    if "error_code" in content_dict:
        return f"error: {content_dict['error_code']}"
    return content_text(content)


def compact(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def name_results(blocks: list[Block]) -> list[Block]:
    """Tool results that do not name their tool (OpenAI's tool messages) take the name of the call they answer."""
    names = {b.id: b.name for b in blocks if b.type in ("tool_call", "server_tool_call") and b.id}
    for block in blocks:
        if block.type in ("tool_result", "server_tool_result") and block.name is None and block.id in names:
            block.name = names[block.id]
    return blocks


# --- tools offered ------------------------------------------------------------------------------------


def tool_specs(tools: Any) -> list[ToolSpec]:
    """Tools offered, from every provider's envelope: OpenAI's `function`, Anthropic's `input_schema`,
    Gemini's `functionDeclarations`, Bedrock's `toolSpec`; a built-in tool by its type or key."""
    out: list[ToolSpec] = []
    for tool in as_list(tools) if not isinstance(tools, dict) else [tools]:
        tool = as_dict(tool)
        declarations = tool.get("functionDeclarations", tool.get("function_declarations"))
        if isinstance(declarations, list):
            out += [_spec(as_dict(d)) for d in declarations]
            continue
        spec = as_dict(tool.get("function")) or as_dict(tool.get("toolSpec")) or tool
        if spec.get("name") is not None:
            out.append(_spec(spec))
        elif tool:  # a built-in tool: {"type": "web_search"}, {"googleSearch": {}}
            out.append(ToolSpec(as_str(tool.get("type")) or next(iter(tool))))
    return out


def _spec(spec: dict) -> ToolSpec:
    schema = spec.get("parameters", spec.get("input_schema", spec.get("parameter_definitions")))
    if schema is None:
        schema = as_dict(spec.get("inputSchema")).get("json", spec.get("inputSchema"))
    return ToolSpec(str(spec.get("name")), as_str(spec.get("description")), schema)


# --- a choice's answer from its reassembled fields ------------------------------------------------------


def blocks_of_choice(choice: Choice) -> list[Block]:
    """The answer as blocks when the provider's order is the natural one: reasoning, text, refusal, tool calls."""
    out = []
    if choice.reasoning:
        out.append(reasoning("assistant", choice.reasoning))
    if choice.text:
        out.append(text("assistant", choice.text))
    if choice.refusal:
        out.append(Block("assistant", "refusal", text=choice.refusal))
    for call in choice.tool_calls:
        if call.kind in (None, "function"):
            out.append(tool_call(call.id, call.name, call.arguments))
        else:
            out.append(server_call("assistant", call.id, call.name, call.kind, call.arguments))
    return out


# --- the lookup: each API's registration names its functions (`Api.transcript`, `Api.answer`) -------------


def _declared(api: str):
    from llmcat.apis.registry import registered

    return registered().get(api)


def request_transcript(rec: Recording, api: str) -> Transcript | None:
    """The normalised conversation a chat request carried; None for calls that are not chat."""
    declared = _declared(api)
    body = rec.request.body
    if declared is None or declared.transcript is None or not isinstance(body, dict):
        return None
    found = declared.transcript(body)
    found.blocks = name_results(found.blocks)
    return found


def answer_blocks(rec: Recording, completion: Completion) -> list[list[Block]]:
    """Each choice's answer as blocks, in the order the model produced them."""
    declared = _declared(completion.api)
    found = declared.answer(rec, completion) if declared is not None and declared.answer is not None else None
    if found is None or len(found) != len(completion.choices):
        return [blocks_of_choice(choice) for choice in completion.choices]
    return [name_results(blocks) for blocks in found]
