"""Binary payloads in human views are one line: `<image/png, base64, 1.5 MB>`.

A recorded image (an image-generation result, a vision prompt's data URL), audio, a file
upload or encrypted reasoning is base64 text that nobody reads: printed whole it buries the
call under megabytes of letters (and a terminal's wrapping of one 2 MB word stalled `show`).
Human views show its kind and size instead; `show --json` keeps every byte.
"""

from __future__ import annotations

import base64
import binascii
import re

# A run of base64 (standard or URL-safe, wrapped at 76 columns or not) this long is no prose.
SHORTEST = 1024
# (One repeated class, line breaks in it, as written or as JSON writes them: linear in the text, and fast.)
_RUN = re.compile(r"(data:([\w.+\-]+/[\w.+\-]+)(?:;[\w.+\-]+=[^;,\s]*)*;base64,)?([A-Za-z0-9+/_\-\\\r\n]{"
                  + str(SHORTEST) + r",}={0,2})")
# What the first bytes of a decoded payload say it is.
_MAGIC = (
    (b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"), (b"%PDF", "application/pdf"),
    (b"ID3", "audio/mpeg"), (b"\xff\xfb", "audio/mpeg"), (b"OggS", "audio/ogg"), (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "video/webm"), (b"PK\x03\x04", "application/zip"), (b"\x1f\x8b", "application/gzip"),
)


def summarized(text: str, distinct: bool = False) -> str:
    """`text` with each long base64 payload replaced by one line naming its kind and size; `distinct` (a diff):
    and its last characters, so that two payloads of one kind and size are told apart."""
    if len(text) < SHORTEST:
        return text
    return _RUN.sub(lambda match: _placeholder(match, distinct), text)


def _placeholder(match: re.Match[str], distinct: bool) -> str:
    payload = match.group(3)
    if len(payload) < SHORTEST or not _random_looking(payload[:256]):
        return match.group()
    kind = match.group(2) or _sniff(payload)
    size = len(payload.replace("\\n", "").replace("\n", "").replace("\r", "")) * 3 // 4
    ending = f", ending {payload.rstrip(chr(61))[-8:]}" if distinct else ""
    return f"<{kind}, base64, {_size(size)}{ending}>"


def _random_looking(head: str) -> bool:
    """Base64 of binary data mixes cases and digits at once (a run of one letter, or hex, is something else)."""
    return any(c.islower() for c in head) and any(c.isupper() for c in head) and any(c.isdigit() for c in head)


def _sniff(payload: str) -> str:
    head = payload[:24].replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(head + "=" * (-len(head) % 4))
    except (binascii.Error, ValueError):
        return "data"
    if data[:4] == b"RIFF" and len(data) >= 12:
        return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/avi"}.get(data[8:12], "data")
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), "data")


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
