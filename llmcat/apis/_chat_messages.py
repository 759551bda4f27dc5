"""The request's conversation for chat APIs whose messages are OpenAI's: Chat Completions on every
OpenAI-compatible host (Mistral's typed content chunks included) and Ollama's /api/chat.

Kept apart from the reassemblers: those read only the keys the fast reader declares."""

from __future__ import annotations

from typing import Any

from llmcat.apis import _conversation as cv
from llmcat.apis._common import as_dict, as_list, as_str
from llmcat.model import Transcript

# --- the request's conversation (OpenAI-compatible hosts, Mistral's typed content included) -------------


def transcript_chat(body: dict) -> Transcript:
    """OpenAI Chat Completions' messages (legacy `function_call` and `function` messages included)."""
    blocks = []
    for message in as_list(body.get("messages")):
        blocks += _message_blocks(cv, message)
    tools = body.get("tools") if body.get("tools") is not None else body.get("functions")
    return Transcript(blocks, cv.tool_specs(tools), ("messages", "tools", "functions"))


def _message_blocks(cv, message: Any) -> list:
    if not isinstance(message, dict):
        return [cv.other("user", message)]
    role = cv.role_of(message.get("role"))
    if role == "tool":  # `tool` messages answer a call by id; legacy `function` ones by name
        return [cv.tool_result(message.get("tool_call_id"), message.get("name"), message.get("content"))]
    out = []
    thinking = _reasoning(message)
    if thinking:
        out.append(cv.reasoning(role, thinking))
    out += _content_blocks(cv, role, message.get("content"))
    if isinstance(message.get("refusal"), str) and message["refusal"]:
        out.append(cv.Block(role, "refusal", text=message["refusal"]))
    for call in as_list(message.get("tool_calls")):
        call = as_dict(call)
        function = as_dict(call.get("function"))
        out.append(cv.tool_call(call.get("id"), function.get("name"), function.get("arguments"), role))
    legacy = as_dict(message.get("function_call"))
    if legacy:
        out.append(cv.tool_call(None, legacy.get("name"), legacy.get("arguments"), role))
    return out


def _reasoning(message: dict) -> str | None:
    """Reasoning a host put back on an assistant message: `reasoning_content`, `reasoning`, or `reasoning_details` parts."""
    for key in ("reasoning_content", "reasoning"):
        if isinstance(message.get(key), str) and message[key]:
            return message[key]
    parts = [as_dict(d).get("text", as_dict(d).get("summary")) for d in as_list(message.get("reasoning_details"))]
    return "".join(p for p in parts if isinstance(p, str)) or None


def _content_blocks(cv, role: str, content: Any) -> list:
    if isinstance(content, str):
        return [cv.text(role, content)] if content else []
    out = []
    for part in as_list(content) if content is not None else []:
        part = part if isinstance(part, dict) else {"type": "text", "text": part}
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str):
            out.append(cv.text(role, part["text"]))
        elif kind == "refusal":
            out.append(cv.Block(role, "refusal", text=as_str(part.get("refusal"))))
        elif kind == "thinking":  # Mistral's reasoning chunks: {"thinking": [{"type": "text", "text": ...}]}
            out.append(cv.reasoning(role, cv.content_text(part.get("thinking"))))
        elif kind in ("image_url", "input_audio", "file", "document_url", "input_image"):
            out.append(_media_part(cv, role, part))
        else:
            out.append(cv.other(role, part))
    return out


def _media_part(cv, role: str, part: dict):
    kind = part.get("type")
    inner = part.get(kind)
    if isinstance(inner, str):
        return cv.media(role, url=inner, kind=kind)
    inner = as_dict(inner)
    if kind == "input_audio":
        return cv.media(role, f"audio/{inner.get('format')}" if inner.get("format") else None, data=inner.get("data"), kind=kind)
    if kind == "file":
        return cv.media(role, url=inner.get("file_data") or inner.get("file_id"), kind=kind)
    return cv.media(role, url=inner.get("url") or part.get("document_url"), kind=kind)


# --- Ollama's /api/chat -----------------------------------------------------------


def transcript_ollama(body: dict) -> Transcript:
    """Ollama's /api/chat messages: arguments as objects, no call ids, `tool_name` on results, images as base64."""
    blocks = []
    for message in as_list(body.get("messages")):
        message = as_dict(message)
        role = cv.role_of(message.get("role"))
        if role == "tool":
            blocks.append(cv.tool_result(message.get("tool_call_id"), message.get("tool_name") or message.get("name"),
                                         message.get("content")))
            continue
        if isinstance(message.get("thinking"), str) and message["thinking"]:
            blocks.append(cv.reasoning(role, message["thinking"]))
        if isinstance(message.get("content"), str) and message["content"]:
            blocks.append(cv.text(role, message["content"]))
        blocks += [cv.media(role, data=image) for image in as_list(message.get("images"))]
        for call in as_list(message.get("tool_calls")):
            function = as_dict(as_dict(call).get("function"))
            blocks.append(cv.tool_call(as_dict(call).get("id"), function.get("name"), function.get("arguments"), role))
    return Transcript(blocks, cv.tool_specs(body.get("tools")), ("messages", "tools"))
