"""pydantic-ai's WebSocket cassettes: `{version, interactions: [{kind: message, direction, data}]}`.

VCR.py cannot record WebSocket traffic, so pydantic-ai's realtime tests keep every JSON
frame of the session in order, `direction` `sent` or `received` (older cassettes have no
`kind`). The URL is not recorded: the protocol is told by the frames, and the format
names the API on each call. Each model response in the session is one call, numbered in
order (`FILE#N`): what was sent before it (session instructions, tools, the user's text,
audio or its transcription, tool outputs) is its request; its frames are its events.

- OpenAI Realtime (and Azure's and xAI's, which follow it): a response runs from
  `response.created` to `response.done`; `openai.realtime`.
- Gemini Live: a response runs to `turnComplete`, or to a `toolCall` (the tool's answer,
  sent next, is the following call's request); `gemini.live`.
- Any other protocol: the whole session is one call, its received frames the events.
"""

from __future__ import annotations

import re
from typing import Any

from llmcat.formats.registry import Content, Format, register
from llmcat.model import NotARecording, Recording, Request, Response

FORMAT = "websocket"
_DIRECTIONS = ("sent", "received")
_OPENAI_PREFIXES = ("session.", "response.", "conversation.", "input_audio_buffer.", "output_audio_buffer.", "rate_limits.")
_GEMINI_KEYS = ("setup", "setupComplete", "setup_complete", "serverContent", "server_content", "clientContent", "client_content",
                "realtimeInput", "realtime_input", "toolCall", "tool_call", "toolResponse", "tool_response")


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if obj is Content.NOT_JSON:
        head = content.data[:65536]
        if b"interactions:" not in head or b"direction:" not in head:
            return None
        obj = content.yaml
    frames = _frames(obj)
    if frames is None:
        return None
    if any(_is_openai(data) for _, data in frames):
        calls = _openai_calls(frames)
        api = "openai.realtime"
    elif any(_is_gemini(data) for _, data in frames):
        calls = _gemini_calls(frames)
        api = "gemini.live"
    else:  # a protocol llmcat does not know: the session is one call, its frames kept (payloads measured)
        calls = [(Request(body={"sent": [_without_audio(data) for direction, data in frames if direction == "sent"]}),
                  [_without_audio(data) for direction, data in frames if direction == "received"])]
        api = None
    if not calls:
        raise NotARecording("a WebSocket cassette with no model response in it")
    out = []
    for position, (request, events) in enumerate(calls):
        response = Response(streaming=True, events=events, event_types=[_event_type(e) for e in events])
        out.append(Recording(content.source, position, FORMAT, request, response, stored={"request": request.body, "events": events},
                             api=api))
    return out


def _frames(obj: Any) -> list[tuple[str, Any]] | None:
    """(direction, data) per frame, or None when this is not a WebSocket cassette."""
    if not isinstance(obj, dict) or not isinstance(obj.get("interactions"), list) or not obj["interactions"]:
        return None
    frames = []
    for entry in obj["interactions"]:
        if not isinstance(entry, dict) or entry.get("direction") not in _DIRECTIONS or "data" not in entry:
            return None
        if entry.get("kind", "message") == "message":
            frames.append((entry["direction"], entry["data"]))
    return frames


def _event_type(event: Any) -> str | None:
    if isinstance(event, dict):
        kind = event.get("type")
        if isinstance(kind, str):
            return kind
        keys = [key for key in event if key != "usageMetadata"]
        return keys[0] if keys else None
    return None


def _is_openai(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("type"), str) and data["type"].startswith(_OPENAI_PREFIXES)


def _is_gemini(data: Any) -> bool:
    return isinstance(data, dict) and any(key in data for key in _GEMINI_KEYS)


# --- OpenAI Realtime -------------------------------------------------------------------------


def _openai_calls(frames: list[tuple[str, Any]]) -> list[tuple[Request, list]]:
    session: dict = {}
    pending: list = []  # what was sent (and transcribed) since the last response began
    calls: list[tuple[Request, list]] = []
    current: list | None = None  # the open response's events
    for direction, data in frames:
        if not isinstance(data, dict):
            continue
        kind = data.get("type")
        kind = kind if isinstance(kind, str) else ""
        if kind in ("session.update", "session.created", "session.updated") and isinstance(data.get("session"), dict):
            session = {**session, **{k: v for k, v in data["session"].items() if v is not None}}
        if direction == "sent":
            if kind != "session.update":
                pending.append(data)
        elif kind == "response.created":
            current = [data]
            calls.append((_openai_request(session, pending), current))
            pending = []
        elif kind == "conversation.item.input_audio_transcription.completed":
            if current is not None:  # heard while the response was already under way: still its input
                calls[-1][0].body["input"].append(_transcription(data))
            else:
                pending.append(data)
        elif current is not None and (kind.startswith(("response.", "conversation.item.")) or kind == "error"):
            current.append(data)
            if kind == "response.done":
                current = None
        elif kind == "error":  # refused outside any response: the answer to what was just sent
            calls.append((_openai_request(session, pending), [data]))
            pending = []
    return calls


def _openai_request(session: dict, sent: list) -> Request:
    body: dict[str, Any] = {key: session[key] for key in ("model", "instructions", "tools", "output_modalities") if key in session}
    items: list = []
    audio_bytes = 0
    for data in sent:
        kind = data.get("type")
        if kind == "conversation.item.create" and isinstance(data.get("item"), dict):
            items.append(_without_audio(data["item"]))
        elif kind == "input_audio_buffer.append":
            audio_bytes += base64_size(data.get("audio"))
        elif kind == "conversation.item.input_audio_transcription.completed":
            items.append(_transcription(data))
        elif kind == "response.create" and isinstance(data.get("response"), dict):
            body["response"] = _without_audio(data["response"])
    if audio_bytes:
        items.insert(0, {"type": "input_audio", "audio": f"<{audio_bytes} bytes of audio>"})
    body["input"] = items
    model = session.get("model") if isinstance(session.get("model"), str) else None
    return Request(model=model, body=body)


def _transcription(data: dict) -> dict:
    return {"type": "input_audio_transcription", "transcript": data.get("transcript")}


# --- Gemini Live -----------------------------------------------------------------------------


def _gemini_calls(frames: list[tuple[str, Any]]) -> list[tuple[Request, list]]:
    setup: dict = {}
    pending: list = []
    calls: list[tuple[Request, list]] = []
    current: list | None = None
    closed_by_tool = False
    for direction, data in frames:
        if not isinstance(data, dict):
            continue
        if direction == "sent":
            if isinstance(_get(data, "setup"), dict):
                setup = _get(data, "setup")
            else:
                pending.append(data)
            continue
        server = _get(data, "serverContent")
        server = server if isinstance(server, dict) else {}
        if _get(data, "setupComplete") is not None or not (server or _get(data, "toolCall") or _get(data, "usageMetadata")):
            continue  # session-level frames (setup done, resumption handles, goAway)
        if set(server) <= {"inputTranscription", "input_transcription"} and not _get(data, "toolCall") and server:
            text = _get(_get(server, "inputTranscription"), "text")  # (None unless a mapping holds it)
            if current is not None:  # heard while the model was already answering: still its input
                calls[-1][0].body["contents"].append(_user_text(text))
            else:
                pending.append({"inputTranscription": {"text": text}})
            continue
        if current is None:
            if closed_by_tool and not pending and not _has_model_content(data) and calls:
                calls[-1][1].append(data)  # the turn's end, after the tool call: still the tool call's response
                continue
            current = []
            calls.append((_gemini_request(setup, pending), current))
            pending = []
        current.append(data)
        closed_by_tool = _get(data, "toolCall") is not None
        if closed_by_tool or _get(server, "turnComplete") or _get(server, "interrupted"):
            current = None
    return calls


def _has_model_content(data: dict) -> bool:
    server = _get(data, "serverContent") or {}
    return any(_get(server, key) for key in ("modelTurn", "outputTranscription")) or _get(data, "toolCall") is not None


def _gemini_request(setup: dict, sent: list) -> Request:
    body: dict[str, Any] = {}
    for key in ("model", "systemInstruction", "tools", "generationConfig"):
        value = _get(setup, key)
        if value is not None:
            body[key] = value
    contents: list = []
    for data in sent:
        client = _get(data, "clientContent")
        realtime = _get(data, "realtimeInput")
        tool = _get(data, "toolResponse")
        transcription = data.get("inputTranscription")
        if isinstance(client, dict):
            contents.extend(_without_audio(turn) for turn in client.get("turns") or [] if isinstance(turn, dict))
        elif isinstance(realtime, dict):
            contents.append(_realtime_turn(realtime))
        elif isinstance(tool, dict):
            responses = _get(tool, "functionResponses") or []
            contents.append({"role": "user", "parts": [{"functionResponse": r} for r in responses]})
        elif isinstance(transcription, dict):
            contents.append(_user_text(transcription.get("text")))
    body["contents"] = _merge_audio(contents)
    model = body.get("model")
    return Request(model=model.removeprefix("models/") if isinstance(model, str) else None, body=body)


def _realtime_turn(realtime: dict) -> dict:
    if isinstance(realtime.get("text"), str):
        return _user_text(realtime["text"])
    size = 0
    chunks = _get(realtime, "mediaChunks")
    for media in [realtime.get("audio"), realtime.get("video"), *(chunks if isinstance(chunks, list) else [])]:
        if isinstance(media, dict):
            size += base64_size(media.get("data"))
    return {"role": "user", "parts": [{"inlineData": {"mimeType": "audio/pcm", "data": f"<{size} bytes of audio>"}}], "audio_bytes": size}


def _merge_audio(contents: list) -> list:
    """Many small realtime audio frames are one spoken turn."""
    out: list = []
    for turn in contents:
        if "audio_bytes" in turn and out and "audio_bytes" in out[-1]:
            size = out[-1]["audio_bytes"] + turn["audio_bytes"]
            out[-1] = {"role": "user", "parts": [{"inlineData": {"mimeType": "audio/pcm", "data": f"<{size} bytes of audio>"}}],
                       "audio_bytes": size}
        else:
            out.append(turn)
    return [{k: v for k, v in turn.items() if k != "audio_bytes"} for turn in out]


def _user_text(text: Any) -> dict:
    return {"role": "user", "parts": [{"text": text if isinstance(text, str) else ""}]}


def _get(obj: Any, camel: str) -> Any:
    """A field by its camelCase name or its snake_case twin (Gemini Live accepts both)."""
    if not isinstance(obj, dict):
        return None
    if camel in obj:
        return obj[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return obj.get(snake)


# --- audio -----------------------------------------------------------------------------------


def base64_size(text: Any) -> int:
    """Bytes a base64 text decodes to (without decoding it)."""
    if not isinstance(text, str):
        return 0
    stripped = text.rstrip("=")
    return len(stripped) * 3 // 4


def _without_audio(value: Any) -> Any:
    """Frames with their base64 payloads (audio, images) replaced by their size: never printed."""
    if isinstance(value, dict):
        return {key: _without_audio(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_audio(item) for item in value]
    if isinstance(value, str) and len(value) > 256 and _BASE64.fullmatch(value):
        return f"<{base64_size(value)} bytes of base64 data>"
    return value


_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}")


register(Format(
    name=FORMAT,
    summary="pydantic-ai WebSocket cassettes (OpenAI Realtime, Gemini Live sessions; one call per model response)",
    read=read,
    order=15,
    suffixes=(".yaml", ".yml"),
    multi_call=True,
))
