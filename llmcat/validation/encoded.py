"""Bodies stored so that nobody reviewing the file can read them, though llmcat can: compressed
bytes or base64 (vcrpy's `!!binary` without `decode_compressed_response`, HAR's
`"encoding": "base64"`). Binary bodies (an image, audio) are binary by nature: not reported.

Pure functions on a `Recording`, no I/O.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, TypeGuard

from msgspec import Struct

from llmcat.model import Recording


class EncodedBody(Struct, frozen=True):
    place: str  # `request.body` or `response.body`
    how: str  # `gzip-compressed, stored as !!binary`, `text stored as base64 (HAR content.encoding)`


def encoded_bodies(rec: Recording) -> list[EncodedBody]:
    stored = rec.stored
    if not isinstance(stored, dict):
        return []
    if rec.format == "har":
        return _har(stored, rec)
    if rec.format == "vcr":
        return _vcr(stored, rec)
    return []


def _vcr(entry: dict, rec: Recording) -> list[EncodedBody]:
    out = []
    for side, readable in (("request", _readable_request(rec)), ("response", _readable_response(rec))):
        part = entry.get(side)
        if not isinstance(part, dict):
            continue
        body = _body_bytes(part.get("body"))
        if not isinstance(body, bytes):
            continue
        coding = _coding(part.get("headers"))
        if _compressed(coding):  # even one llmcat cannot decode (brotli without the package)
            out.append(EncodedBody(f"{side}.body", f"{coding.strip()}-compressed, stored as !!binary"))
        elif readable and _is_text(body):
            out.append(EncodedBody(f"{side}.body", "text stored as !!binary (base64)"))
    return out


def _har(entry: dict, rec: Recording) -> list[EncodedBody]:
    response = entry.get("response")
    content = response.get("content") if isinstance(response, dict) else None
    if not (isinstance(content, dict) and str(content.get("encoding", "")).lower() == "base64" and _readable_response(rec)):
        return []
    try:
        body = base64.b64decode(str(content.get("text", "")))
    except (binascii.Error, ValueError):
        return []
    return [EncodedBody("response.body", "text stored as base64 (HAR content.encoding)")] if _is_text(body) else []


def _compressed(coding: str | None) -> TypeGuard[str]:
    return coding is not None and coding.strip().lower() not in ("identity", "")


def _is_text(data: bytes) -> bool:
    """Text a reviewer could have read, had it been stored as text (an event stream's binary
    frames, an image, are not)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r" for c in text[:4096])


def _body_bytes(body: Any) -> Any:
    return body.get("string") if isinstance(body, dict) else body


def _coding(headers: Any) -> str | None:
    if isinstance(headers, dict):
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() == "content-encoding":
                values = value if isinstance(value, list) else [value]
                return ", ".join(str(v) for v in values if v is not None) or None
    return None


def _readable_request(rec: Recording) -> bool:
    body = rec.request.body
    return body is not None and not (isinstance(body, str) and body.startswith("<") and body.endswith("bytes of binary data>"))


def _readable_response(rec: Recording) -> bool:
    """Decoded to text: events were read from it (a binary body leaves none)."""
    return bool(rec.response.events) and rec.response.exception is None
