"""pydantic-ai's xAI cassettes (`*.xai.yaml`): the xAI SDK's gRPC messages, since VCR.py cannot record gRPC.

`interactions` holds, per call, either `request_sample` / `response_sample` (one
request, one whole response) or `request_stream` / `response_stream` (one request and
its chunks: `chunks_json` as `{chunk: ...}`), each message kept as `json` (the protobuf
message as JSON) and `raw` (its bytes, `!!binary`). The JSON is what is read; the API is
xAI chat (`xai.chat`), named here since no URL is recorded.
"""

from __future__ import annotations

from typing import Any

from llmcat.formats.registry import Content, Format, register
from llmcat.model import NotARecording, Recording, Request, Response

FORMAT = "xai-grpc"
API = "xai.chat"
_KEYS = ("request_sample", "response_sample", "request_stream", "response_stream")


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if obj is Content.NOT_JSON:
        head = content.data[:65536]
        if b"interactions:" not in head or not any(key.encode() + b":" in head for key in _KEYS):
            return None
        obj = content.yaml
    if not isinstance(obj, dict) or not isinstance(obj.get("interactions"), list) or not obj["interactions"]:
        return None
    entries = obj["interactions"]
    if not all(isinstance(entry, dict) and any(key in entry for key in _KEYS) for entry in entries):
        return None
    out = []
    for position, entry in enumerate(entries):
        recording = _recording(entry, position, content.source)
        if recording is not None:
            out.append(recording)
    if not out:
        raise NotARecording("an xAI gRPC cassette with no chat call (only uploads or other messages)")
    return out


def _recording(entry: dict, position: int, source: str) -> Recording | None:
    request_json = _json(entry.get("request_sample")) or _json(entry.get("request_stream"))
    if "response_stream" in entry:
        stream = entry["response_stream"] if isinstance(entry["response_stream"], dict) else {}
        chunks = stream.get("chunks_json")
        chunks = chunks if isinstance(chunks, list) else []
        events = [chunk.get("chunk", chunk) if isinstance(chunk, dict) else chunk for chunk in chunks]
        response = Response(streaming=True, events=events, event_types=[None] * len(events))
    elif "response_sample" in entry:
        body = _json(entry.get("response_sample"))
        response = Response(events=[body] if body is not None else [], event_types=[None] if body is not None else [])
    else:
        return None
    model = request_json.get("model") if isinstance(request_json, dict) and isinstance(request_json.get("model"), str) else None
    request = Request(model=model, body=request_json)
    return Recording(source, position, FORMAT, request, response, stored=_without_raw(entry), api=API)


def _json(message: Any) -> Any:
    return message.get("json") if isinstance(message, dict) else None


def _without_raw(entry: dict) -> dict:
    """The entry without the protobuf bytes (kept as JSON's twin; nothing to show or compare)."""
    out = {}
    for key, value in entry.items():
        out[key] = {k: v for k, v in value.items() if k not in ("raw", "chunks_raw")} if isinstance(value, dict) else value
    return out


register(Format(
    name=FORMAT,
    summary="pydantic-ai xAI gRPC cassettes (`*.xai.yaml`: `request_sample`/`response_sample`, streamed chunks)",
    read=read,
    order=16,
    suffixes=(".xai.yaml",),
    multi_call=True,
))
