"""AWS event-stream framing (`application/vnd.amazon.eventstream`), as Bedrock streams it.

Each message: total length, headers length, prelude CRC, headers, payload, message CRC.
ConverseStream payloads are the event's fields (named by the `:event-type` header);
InvokeModelWithResponseStream wraps the model's own JSON chunk base64-encoded in `bytes`.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from typing import Any

import orjson

from llmcat.model import InputError

_FIXED = {0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}


def looks_like(data: bytes) -> bool:
    """The first message's prelude: its length fits the data and its CRC checks (1 in 2^32 by chance)."""
    if len(data) < 16:
        return False
    total, headers_len, crc = struct.unpack_from(">III", data, 0)
    return 16 <= total <= len(data) and headers_len <= total - 16 and zlib.crc32(data[:8]) == crc


def decode(data: bytes) -> tuple[list[Any], list[str | None]]:
    events: list[Any] = []
    names: list[str | None] = []
    offset = 0
    while offset + 16 <= len(data):
        total, headers_len = struct.unpack_from(">II", data, offset)
        if total < 16 or headers_len > total - 16 or offset + total > len(data):
            raise InputError(f"AWS event stream is malformed at byte {offset}")
        headers = _headers(data[offset + 12 : offset + 12 + headers_len])
        payload = data[offset + 12 + headers_len : offset + total - 4]
        offset += total
        event, name = _event(headers, payload)
        events.append(event)
        names.append(name)
    if offset != len(data):
        raise InputError(f"AWS event stream is cut short at byte {offset}")
    return events, names


def _headers(raw: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pos = 0
    try:
        while pos < len(raw):
            name_len = raw[pos]
            name = raw[pos + 1 : pos + 1 + name_len].decode("utf-8", "replace")
            pos += 1 + name_len
            kind = raw[pos]
            pos += 1
            if kind in (6, 7):  # bytes, string
                (size,) = struct.unpack_from(">H", raw, pos)
                value = raw[pos + 2 : pos + 2 + size]
                out[name] = value.decode("utf-8", "replace") if kind == 7 else value
                pos += 2 + size
            elif kind in _FIXED:
                out[name] = {0: True, 1: False}.get(kind)
                pos += _FIXED[kind]
            else:
                raise InputError(f"AWS event stream header {name!r} has unknown type {kind}")
    except (IndexError, struct.error):
        raise InputError("AWS event stream headers are cut short") from None
    return out


def _event(headers: dict[str, Any], payload: bytes) -> tuple[Any, str | None]:
    try:
        body = orjson.loads(payload) if payload else {}
    except orjson.JSONDecodeError:
        body = payload.decode("utf-8", "replace")
    kind = headers.get(":event-type") or headers.get(":exception-type")
    if headers.get(":message-type") in ("exception", "error"):
        message = body.get("message") if isinstance(body, dict) else body
        code = headers.get(":exception-type") or headers.get(":error-code")
        return {"error": {"type": code, "message": message or headers.get(":error-message")}}, kind
    if kind == "chunk" and isinstance(body, dict) and isinstance(body.get("bytes"), str):
        try:  # InvokeModelWithResponseStream: the model's own chunk, base64 JSON
            chunk = orjson.loads(base64.b64decode(body["bytes"]))
        except (binascii.Error, ValueError):
            return body, kind  # (a Bedrock agent's chunk: its answer's text, base64)
        return (chunk, None) if isinstance(chunk, dict) else (body, kind)
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "p"}  # "p" is length padding
    return ({kind: body} if isinstance(kind, str) else body), kind
