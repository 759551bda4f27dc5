"""Replacing recorded credentials in a file's bytes, keeping the file its recorder's own.

`redact` finds the credentials with `check`'s search (`secrets.credentials`, every call of the
file) and hands their whole values here; each becomes `REDACTED-<kind>` wherever the file
writes it:

- as written (a YAML or JSON string, a header, a URL): the value, its URL-encoded forms (also as
  the file wrote them), and its JSON escapes, replaced in place; nothing else of the file changes,
  byte for byte;
- written in pieces by a stream's chunks (`_pieced`): the first piece becomes the placeholder;
- inside a body the recorder encoded: a run of base64 (vcrpy's `!!binary`, HAR's
  `"encoding": "base64"`, Bedrock's event-stream chunks) is decoded — and its gzip, zlib
  or AWS event stream undone —, the credentials replaced inside, and encoded again the same
  way, base64 lines wrapped and indented as they were (an event stream's lengths and CRCs
  recomputed);
- a whole file gzip-compressed (`.yaml.gz`, `.json.gz`): undone, replaced, compressed again;
- Go's httprr traces: each exchange's lengths, and a body's `Content-Length`, written anew.

Pure functions on bytes, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import struct
import zlib
from urllib.parse import quote, quote_plus

PLACEHOLDER = "REDACTED-{kind}"
_MAX_DEPTH = 4  # base64 inside an event stream inside base64 inside gzip: deeper is not a recording's
# A run of base64 of 16 characters or more, over lines as YAML's `!!binary |` block writes it
# (each line indented alike), or on one line (a JSON string).
# (The last line may be as short as one character and its padding: `AAA=`.)
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{16,}={0,2}(?:\r?\n[ \t]*[A-Za-z0-9+/]+={0,2}(?=\r?\n|\Z))*")


def placeholder(kind: str) -> str:
    return PLACEHOLDER.format(kind=kind)


def replacements(found: list[tuple[str, str]], written: dict[str, set[str]] | None = None) -> dict[bytes, bytes]:
    """(kind, value) pairs -> every form a file may write each value in, and its placeholder: as is,
    URL-encoded, JSON-escaped (a `"` or `\\` in a password, JSON's `\\/`), and `written[value]`: the
    forms the file was seen to write it in (a needless `%2D`, a lower-case `%2f`).
    Longer values first, so that one value inside another is not half replaced."""
    out: dict[bytes, bytes] = {}
    for kind, value in sorted(set(found), key=lambda kv: -len(kv[1])):
        if not value:
            continue
        new = placeholder(kind)
        escaped = json.dumps(value)[1:-1]
        forms = [value, quote(value, safe=""), quote_plus(value), value.replace("/", "\\/"), escaped, escaped.replace("/", "\\/"),
                 json.dumps(value, ensure_ascii=False)[1:-1], *sorted((written or {}).get(value, ()), key=len, reverse=True)]
        for form in forms:
            out.setdefault(form.encode("utf-8", "surrogatepass"), new.encode())
    return out


# Between two pieces of a value split across a stream's chunks: the end of one JSON string (`"`, or `\\"`
# inside another string), the chunk's framing, the start of the next string; a chunk's framing is short.
_PIECE_GAP = rb'(\\?"[\s\S]{0,2048}?\\?")?'


def _pieced(data: bytes, value: bytes, new: bytes) -> bytes:
    """`data` with `value` replaced where a stream's chunks write it in pieces (an answer, or a tool call's
    arguments, split across chunks: no piece holds it whole): the first piece becomes `new`, the others
    lose their part of it, the chunks' framing is kept. Only where every cut falls at the end of one JSON
    string and the start of the next, as a stream's chunks cut a text."""
    if len(value) < 8 or not value.isascii() or value[:1] not in data:
        return data
    pattern = re.compile(_PIECE_GAP.join(re.escape(value[i:i + 1]) for i in range(len(value))))

    def pieces(match: re.Match[bytes]) -> bytes:
        gaps = [gap for gap in match.groups() if gap is not None]
        return new + b"".join(gaps) if gaps else match.group()

    return pattern.sub(pieces, data)


def redact_bytes(data: bytes, table: dict[bytes, bytes], depth: int = 0) -> bytes:
    """`data` with every value of `table` replaced by its placeholder, as written or encoded."""
    if depth > _MAX_DEPTH or not table:
        return data
    if data[:2] == b"\x1f\x8b":
        inner = _gunzip(data)
        if inner is not None:
            redacted = redact_bytes(inner, table, depth + 1)
            return data if redacted == inner else _gzip_like(data, redacted)
    if depth and _is_event_stream(data):
        return _event_stream(data, table, depth)
    if data.startswith(_HTTPRR):
        return _httprr(data, table, depth)
    out = _replace(data, table)
    return _BASE64_RUN.sub(lambda match: _inside_base64(match.group(), table, depth), out)


def _replace(data: bytes, table: dict[bytes, bytes]) -> bytes:
    for old, new in table.items():
        if old in data:
            data = data.replace(old, new)
    for old, new in table.items():  # (then what a stream writes in pieces: at any depth, a gzip body's too)
        data = _pieced(data, old, new)
    return data


def _inside_base64(run: bytes, table: dict[bytes, bytes], depth: int) -> bytes:
    """A base64 run, its credentials replaced inside; the run as it was when it holds none."""
    compact = re.sub(rb"\s+", b"", run)
    if len(compact) % 4:
        return run
    try:
        decoded = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return run
    redacted = _redact_decoded(decoded, table, depth + 1)
    if redacted == decoded:
        return run
    return _wrapped_like(run, base64.b64encode(redacted))


def _redact_decoded(decoded: bytes, table: dict[bytes, bytes], depth: int) -> bytes:
    if decoded[:2] == b"\x1f\x8b" or _is_event_stream(decoded):
        return redact_bytes(decoded, table, depth)
    inflated = _inflate(decoded)
    if inflated is not None:
        redacted = redact_bytes(inflated, table, depth)
        return decoded if redacted == inflated else zlib.compress(redacted)
    if not _looks_like_text(decoded):
        return decoded  # an image, audio: no credential is written in it
    return redact_bytes(decoded, table, depth)


def _wrapped_like(run: bytes, encoded: bytes) -> bytes:
    """`encoded` laid out as `run` was: the same line length, line break and indentation."""
    lines = run.splitlines(keepends=True)
    if len(lines) == 1:
        return encoded
    first = lines[0].rstrip(b"\r\n")
    width = len(first)
    newline = lines[0][len(first):]
    indent = lines[1][:len(lines[1]) - len(lines[1].lstrip(b" \t"))]
    pieces = [encoded[i:i + width] for i in range(0, len(encoded), width)]
    return (newline + indent).join(pieces)


def _gunzip(data: bytes) -> bytes | None:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        return None


def _gzip_like(original: bytes, data: bytes) -> bytes:
    """gzip `data` with the original's modification time (its header's bytes 4 to 8)."""
    mtime = struct.unpack_from("<I", original, 4)[0] if len(original) >= 8 else 0
    return gzip.compress(data, mtime=mtime)


def _inflate(data: bytes) -> bytes | None:
    if len(data) < 2 or data[0] & 0x0F != 8 or (data[0] << 8 | data[1]) % 31:
        return None  # not a zlib header
    try:
        return zlib.decompress(data)
    except zlib.error:
        return None


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r" for c in text)


# --- Go's httprr traces: lengths before each exchange ------------------------------------------

_HTTPRR = b"httprr trace v1\n"


def _httprr(data: bytes, table: dict[bytes, bytes], depth: int) -> bytes:
    """Each exchange's request and response redacted as HTTP messages, its `REQLEN RESPLEN` line
    written anew. A trace that does not parse whole is treated as text."""
    out = [_HTTPRR]
    pos = len(_HTTPRR)
    while pos < len(data):
        end = data.find(b"\n", pos)
        sizes = data[pos:end].split() if end >= 0 else []
        if len(sizes) != 2 or not all(n.isdigit() for n in sizes):
            return _replace(data, table)
        request_len, response_len = int(sizes[0]), int(sizes[1])
        start = end + 1
        if start + request_len + response_len > len(data):
            return _replace(data, table)
        request = _http_message(data[start:start + request_len], table, depth)
        response = _http_message(data[start + request_len:start + request_len + response_len], table, depth)
        out.append(b"%d %d\n" % (len(request), len(response)) + request + response)
        pos = start + request_len + response_len
    return b"".join(out)


_CONTENT_LENGTH = re.compile(rb"(?im)^(content-length:[ \t]*)(\d+)")


def _http_message(message: bytes, table: dict[bytes, bytes], depth: int) -> bytes:
    """An HTTP/1.1 message: its head replaced as text, its body as a body (compressed, base64...),
    `Content-Length` set to the body's new length; a chunked body written again as one chunk."""
    split = message.find(b"\r\n\r\n")
    gap = 4
    if split < 0:
        split, gap = message.find(b"\n\n"), 2
    if split < 0:
        return _replace(message, table)
    head, body = _replace(message[:split], table), message[split + gap:]
    if re.search(rb"(?im)^transfer-encoding:[ \t]*chunked", head):
        joined = _unchunked(body)
        if joined is None:
            return head + message[split:split + gap] + body  # (a broken chunking: left alone, the read-back tells)
        redacted = redact_bytes(joined, table, depth + 1)
        if redacted == joined:
            return head + message[split:split + gap] + body
        return head + message[split:split + gap] + b"%x\r\n" % len(redacted) + redacted + b"\r\n0\r\n\r\n"
    new_body = redact_bytes(body, table, depth + 1)
    if new_body != body:
        head = _CONTENT_LENGTH.sub(lambda m: m.group(1) + str(len(new_body)).encode(), head)
    return head + message[split:split + gap] + new_body


def _unchunked(body: bytes) -> bytes | None:
    parts: list[bytes] = []
    pos = 0
    while True:
        end = body.find(b"\r\n", pos)
        try:
            size = int(body[pos:end].split(b";")[0], 16) if end >= 0 else -1
        except ValueError:
            return None
        if size < 0:
            return None
        if size == 0:
            return b"".join(parts)
        parts.append(body[end + 2:end + 2 + size])
        pos = end + 2 + size + 2


# --- AWS event streams -------------------------------------------------------------------------


def _is_event_stream(data: bytes) -> bool:
    from llmcat.formats._aws_eventstream import looks_like

    return looks_like(data)


def _event_stream(data: bytes, table: dict[bytes, bytes], depth: int) -> bytes:
    """Each message's payload redacted (its JSON, and the base64 chunk inside it), the message
    framed again: total length, prelude CRC, message CRC. A stream that does not frame whole is
    treated as text."""
    out = []
    offset = 0
    while offset + 16 <= len(data):
        total, headers_len = struct.unpack_from(">II", data, offset)
        if total < 16 or headers_len > total - 16 or offset + total > len(data):
            return _replace(data, table)
        headers = data[offset + 12:offset + 12 + headers_len]
        payload = data[offset + 12 + headers_len:offset + total - 4]
        new_payload = redact_bytes(payload, table, depth + 1)
        out.append(data[offset:offset + total] if new_payload == payload else _frame(headers, new_payload))
        offset += total
    if offset != len(data):
        return _replace(data, table)
    return b"".join(out)


def _frame(headers: bytes, payload: bytes) -> bytes:
    prelude = struct.pack(">II", 16 + len(headers) + len(payload), len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + payload
    return message + struct.pack(">I", zlib.crc32(message))
