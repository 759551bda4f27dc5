"""HTTP bodies as recorders store them (VCR.py, HAR, raw captures) → a `Response`'s events.

Shared by the containers that record the wire: undo `content-encoding`, then split
the body the way its content type (or, failing that, its shape) says: an SSE stream,
a JSON array stream (Gemini without `alt=sse`), NDJSON (Ollama), an AWS event stream
(Bedrock), one JSON body, or opaque bytes/text.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

from llmcat.model import InputError, Request, Response
from llmcat.parsing import sse
from llmcat.parsing.memory import file_number, json_loads, reserve

# What one file may decompress to, all its bodies together (a zip bomb is a few KB on disk,
# and a cassette may alias one compressed body from any number of interactions).
MAX_DECOMPRESSED = 512 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_spent = [0, 0]  # (file, bytes decompressed so far for it): see `_used`


def _used() -> int:
    """Bytes already decompressed for the file being read (a new file starts at 0)."""
    if _spent[0] != file_number():
        _spent[0], _spent[1] = file_number(), 0
    return _spent[1]


def _refused(what: str) -> InputError:
    limit = MAX_DECOMPRESSED // (1024 * 1024)
    if _used():
        return InputError(f"{what} expands past {limit} MB with this file's other compressed data; refused")
    return InputError(f"{what} expands past {limit} MB; refused")


def decompress_gzip(data: bytes, what: str = "gzip data") -> bytes:
    """Gunzip (all members), refusing output past what is left of this file's budget."""
    return _inflate(zlib.decompressobj(16 + zlib.MAX_WBITS), data, what, multi_member=True)


def _inflate(engine: zlib._Decompress, data: bytes, what: str, multi_member: bool = False) -> bytes:
    out = bytearray()
    allowed = max(0, MAX_DECOMPRESSED - _used())
    try:
        while data:
            out += engine.decompress(data, allowed + 1 - len(out))
            if len(out) > allowed:
                raise _refused(what)
            if engine.unconsumed_tail:
                data = engine.unconsumed_tail
                continue
            if multi_member and engine.eof and engine.unused_data.startswith(GZIP_MAGIC):
                data = engine.unused_data
                engine = zlib.decompressobj(16 + zlib.MAX_WBITS)
                continue
            break
        out += engine.flush()
        if not engine.eof:
            raise InputError(f"{what} is cut short")
    except zlib.error as exc:
        raise InputError(f"{what} is corrupt ({exc})") from None
    _spent[1] += len(out)
    return bytes(out)


def _inflate_deflate(data: bytes) -> bytes:
    # HTTP "deflate" is meant to be zlib-wrapped; some servers send raw deflate.
    try:
        return _inflate(zlib.decompressobj(), data, "deflate body")
    except InputError:
        return _inflate(zlib.decompressobj(-zlib.MAX_WBITS), data, "deflate body")


def _unbrotli(data: bytes) -> bytes:
    try:
        import brotli  # optional: pip install brotli
    except ImportError:
        raise InputError("body is brotli-compressed; install the optional 'brotli' package to read it") from None
    try:
        engine = brotli.Decompressor()
        out = engine.process(data)
    except Exception as exc:  # brotli.error
        raise InputError(f"brotli body is corrupt ({exc})") from None
    if len(out) > MAX_DECOMPRESSED - _used():
        raise _refused("brotli body")
    _spent[1] += len(out)
    return out


def decode_content(data: bytes, encoding: str | None) -> bytes:
    """Undo `content-encoding` (possibly a list, applied in order) on a body kept as bytes."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            if data.startswith(GZIP_MAGIC):
                data = decompress_gzip(data, "gzip body")
        elif coding == "deflate":
            data = _inflate_deflate(data)
        elif coding == "br":
            data = _unbrotli(data)
        elif coding in ("identity", ""):
            continue
        else:
            raise InputError(f"body uses content-encoding {coding!r}, which llmcat cannot decode")
    if data.startswith(GZIP_MAGIC):  # recorded compressed with the header already stripped
        data = decompress_gzip(data, "gzip body")
    return data


def header_map(headers: Any) -> dict[str, str]:
    """Headers as one lower-cased name → value map; repeated values join with ", "."""
    out: dict[str, str] = {}
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(headers, dict):
        pairs = headers.items()
    elif isinstance(headers, list):  # HAR: [{"name", "value"}]
        pairs = ((h.get("name"), h.get("value")) for h in headers if isinstance(h, dict))
    else:
        return out
    for name, value in pairs:
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        if not isinstance(name, str):
            continue
        values = value if isinstance(value, list) else [value]
        texts = [_header_text(v) for v in values if v is not None]
        key = name.lower()
        joined = ", ".join(texts)
        out[key] = f"{out[key]}, {joined}" if key in out and joined else (joined or out.get(key, ""))
    return out


def _header_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


def path_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).path or None
    except ValueError:
        return None


_API_VERSION = re.compile(r"/v\d+(?:alpha\d*|beta\d*)?/")


def endpoint_of(url: str | None) -> str | None:
    """The endpoint as SDKs (and llama-stack) name it: the URL path from its last API version
    segment on (`/openai/v1/chat/completions` -> `/v1/chat/completions`), so one call recorded
    through different hosts or recorders has one endpoint. Unversioned paths stay whole."""
    path = path_of(url)
    if not path:
        return None
    versions = list(_API_VERSION.finditer(path))
    return path[versions[-1].start():] if versions else path


def model_from_url(url: str | None) -> str | None:
    """Gemini/Vertex `.../models/NAME:method` and Bedrock `/model/ID/converse` name the model in the path."""
    path = path_of(url) or ""
    if "/models/" in path:
        segment = path.rsplit("/models/", 1)[1]
        if ":" in segment and "/" not in segment:  # NAME:generateContent, NAME:embedContent, ...
            return unquote(segment.split(":", 1)[0]) or None
    if "/model/" in path:
        name, _, action = path.rsplit("/model/", 1)[1].partition("/")
        if action in _BEDROCK_ACTIONS:
            return unquote(name) or None
    return None


_BEDROCK_ACTIONS = {"converse", "converse-stream", "invoke", "invoke-with-response-stream", "count-tokens"}


def http_request(method: Any, url: Any, body: Any) -> Request:
    """A recorded HTTP request as the model has it: method upper-cased, the endpoint as SDKs name it,
    the model from the body or, failing that, the URL path."""
    url = url if isinstance(url, str) else None
    model = body.get("model") if isinstance(body, dict) and isinstance(body.get("model"), str) else None
    return Request(method.upper() if isinstance(method, str) else None, url, endpoint_of(url),
                   model or model_from_url(url), None, body)


def json_or_text(data: bytes | str) -> Any:
    """A request body: JSON where it is JSON, else the text (or None when empty)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(data)} bytes of binary data>"
    if not data.strip():
        return None
    try:
        return json_loads(data)
    except orjson.JSONDecodeError:
        return data


def request_streams(body: Any, url: str | None) -> bool:
    if isinstance(body, dict) and body.get("stream") is True:
        return True
    lowered = (url or "").lower()
    return "streamgeneratecontent" in lowered or "alt=sse" in lowered or "converse-stream" in lowered or "-with-response-stream" in lowered


_FROM_HEADERS = object()


def fill_decoded(out: Response, body: bytes | str | None, request_streamed: bool, encoding: object = _FROM_HEADERS) -> None:
    """`fill_body` after undoing the content-encoding of a body kept as bytes.

    A body llmcat cannot decode (brotli without the package, a corrupt gzip) spoils only
    its own call: it is recorded as that call's failure, and the cassette's other calls read.
    """
    if isinstance(body, bytes):
        coding = out.headers.get("content-encoding") if encoding is _FROM_HEADERS else encoding
        try:
            body = decode_content(body, coding if isinstance(coding, str) else None)
        except InputError as exc:
            out.streaming = request_streamed
            out.size = len(body)
            out.exception = {"type": "unreadable-body", "message": str(exc)}
            return
    fill_body(out, body, request_streamed)


def fill_body(out: Response, body: bytes | str | None, request_streamed: bool) -> None:
    """Split a decoded body into `out.events` per its content type or shape; set streaming."""
    ctype = (out.content_type or "").split(";")[0].strip().lower()
    out.streaming = request_streamed or ctype == "text/event-stream"
    if body is None:
        return
    if isinstance(body, bytes):
        out.size = len(body)
        from llmcat.formats import _aws_eventstream

        # Recorders that drop response headers leave the AWS event stream to be told by its prelude.
        if ctype == "application/vnd.amazon.eventstream" or (not ctype.startswith("text/") and _aws_eventstream.looks_like(body)):
            out.streaming = True
            try:
                out.events, out.event_types = _aws_eventstream.decode(body)
            except InputError as exc:
                out.exception = {"type": "unreadable-body", "message": str(exc)}
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            out.events = []  # binary (an image, audio): only its type and size are shown
            return
    else:
        text = body
        out.size = len(text.encode("utf-8", "surrogatepass"))
    if ctype == "text/event-stream" or sse.looks_like_sse(text):
        fill_sse(out, text)
        return
    if not text.strip():
        return
    try:
        value = json_loads(text)
    except orjson.JSONDecodeError:
        lines = split_json_lines(text)
        if lines is not None:
            out.events, out.event_types = lines, [None] * len(lines)
            out.streaming = True
            return
        out.events, out.event_types = [text], [None]
        return
    fill_json(out, value, request_streamed)


def fill_json(out: Response, value: Any, request_streamed: bool) -> None:
    """One JSON body: a streamed JSON array (Gemini without `alt=sse`) is one event per element."""
    if isinstance(value, list) and request_streamed and all(isinstance(v, dict) for v in value):
        out.events, out.event_types = list(value), [None] * len(value)
        out.streaming = True
        return
    out.events, out.event_types = [value], [None]


def json_size(value: Any) -> int | None:
    """The bytes of a JSON body a recorder kept as a value; None when orjson cannot write it
    (a lone surrogate the lenient reader kept, an integer past 64 bits)."""
    try:
        return len(orjson.dumps(value))
    except TypeError:  # (orjson.JSONEncodeError is one)
        return None


def fill_sse(out: Response, text: str) -> None:
    pairs = sse.parse_text(text)
    for position, (_, data) in enumerate(pairs):
        if data.strip() == sse.DONE:  # `data: [DONE]` ends an OpenAI stream: nothing after it counts
            pairs = pairs[: position + 1]
            break
    out.events, out.event_types, out.done_marker = sse.decode_events(pairs)
    out.streaming = True


def split_json_lines(text: str) -> list | None:
    """Each non-blank line one JSON value (NDJSON / JSON Lines), or None when it is not that."""
    reserve(len(text))
    values = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            values.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            return None
    return values if len(values) > 1 else None
