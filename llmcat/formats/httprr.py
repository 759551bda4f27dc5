"""Go's httprr traces (rsc.io/httprr, langchaingo's internal/httprr): `.httprr`, also gzipped.

The file is the line `httprr trace v1`, then per exchange a line `REQLEN RESPLEN` and
that many bytes of the request and of the response, each in HTTP/1.1 wire form as Go
writes them (`req.WriteProxy`, `resp.Write`): a start line, header lines, a blank line,
the body, chunked when `Transfer-Encoding: chunked`, compressed per `Content-Encoding`.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, InputError, Recording, Response

FORMAT = "httprr"
MAGIC = b"httprr trace v1\n"


def read(content: Content) -> list[Recording] | None:
    data = content.data
    if not data.startswith(MAGIC):
        if data.startswith(MAGIC[:-1] + b"\r\n"):
            data = MAGIC + data[len(MAGIC) + 1:]
        else:
            return None
    out = []
    for position, (request_bytes, response_bytes) in enumerate(_exchanges(data)):
        out.append(_recording(request_bytes, response_bytes, position, content.source))
    if not out:
        raise EmptyRecording("an httprr trace with no exchanges (the test made no call)")
    return out


def _exchanges(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(request bytes, response bytes) per record; a length past the end is a corrupt trace."""
    pos = len(MAGIC)
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            raise InputError(f"httprr trace is corrupt: no length line at byte {pos}")
        lengths = data[pos:end].split()
        if len(lengths) != 2 or not all(part.isdigit() for part in lengths):
            raise InputError(f"httprr trace is corrupt: bad length line at byte {pos}")
        request_len, response_len = int(lengths[0]), int(lengths[1])
        start = end + 1
        if start + request_len + response_len > len(data):
            raise InputError(f"httprr trace is cut short: an exchange at byte {pos} runs past the end of the file")
        yield data[start:start + request_len], data[start + request_len:start + request_len + response_len]
        pos = start + request_len + response_len


def _recording(request_bytes: bytes, response_bytes: bytes, position: int, source: str) -> Recording:
    start, headers, body = _message(request_bytes)
    parts = start.split(" ")
    method, url = (parts[0], parts[1]) if len(parts) >= 2 else (None, None)
    if url and url.startswith("/") and headers.get("host"):  # a request written without its scheme and host
        url = f"https://{headers['host']}{url}"
    body = _dechunk(body) if "chunked" in headers.get("transfer-encoding", "").lower() else body
    try:
        body = _http.decode_content(body, headers.get("content-encoding"))
    except InputError:
        pass  # an undecodable request body still leaves the response readable
    request = _http.http_request(method, url, _http.json_or_text(body))
    status_line, response_headers, response_body = _message(response_bytes)
    out = Response(headers=response_headers, content_type=response_headers.get("content-type") or None)
    status = status_line.split(" ")
    out.status = int(status[1]) if len(status) > 1 and status[1].isdigit() else None
    stored = {"request": _text(request_bytes), "response": _text(response_bytes)}
    if "chunked" in response_headers.get("transfer-encoding", "").lower():
        try:
            response_body = _dechunk(response_body)
        except InputError as exc:
            out.exception = {"type": "unreadable-body", "message": str(exc)}
            return Recording(source, position, FORMAT, request, out, stored=stored)
    _http.fill_decoded(out, response_body, _http.request_streams(request.body, request.url))
    return Recording(source, position, FORMAT, request, out, stored=stored)


def _message(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    """Start line, headers (lower-cased names) and body of one HTTP message; line ends \\r\\n or \\n."""
    pos, lines = 0, []
    while True:
        end = raw.find(b"\n", pos)
        if end < 0:  # no blank line: all header, no body
            lines.append(raw[pos:])
            pos = len(raw)
            break
        line = raw[pos:end].rstrip(b"\r")
        pos = end + 1
        if not line:
            break
        lines.append(line)
    start = lines[0].decode("latin-1") if lines else ""
    pairs = []
    for line in lines[1:]:
        raw_name, sep, raw_value = line.partition(b":")
        if sep:
            pairs.append((raw_name.decode("latin-1").strip(), raw_value.decode("utf-8", "replace").strip()))
    headers: dict[str, str] = {}
    for name, value in pairs:  # repeated names (Vary, Set-Cookie) join as one
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return start, headers, raw[pos:]


def _dechunk(body: bytes) -> bytes:
    out, pos = bytearray(), 0
    while pos < len(body):
        end = body.find(b"\n", pos)
        if end < 0:
            raise InputError("chunked body is cut short")
        size_text = body[pos:end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise InputError("chunked body has a bad chunk size") from None
        if size == 0:
            break
        start = end + 1
        if start + size > len(body):
            raise InputError("chunked body is cut short")
        out += body[start:start + size]
        pos = start + size
        pos += 2 if body[pos:pos + 2] == b"\r\n" else 1 if body[pos:pos + 1] == b"\n" else 0
    return bytes(out)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


register(Format(
    name=FORMAT,
    summary="Go httprr traces (`httprr trace v1`, raw HTTP/1.1 exchanges; `.httprr` and `.httprr.gz`)",
    read=read,
    order=4,
    suffixes=(".httprr", ".httprr.gz"),
    multi_call=True,
    http_exchanges=True,
))
