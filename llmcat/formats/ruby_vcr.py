"""VCR cassettes of Ruby's VCR gem and of R's vcr package (`http_interactions:`, YAML or JSON).

Ruby: each interaction is `{request: {method, uri, body: {encoding, string}, headers},
response: {status: {code, message}, headers, body: {encoding, string}}, recorded_at}`.
A body that is not UTF-8 is written as `!binary` (base64) with encoding ASCII-8BIT, or
as `base64_string` when the cassette preserves exact body bytes; a compressed body keeps
its `Content-Encoding` and is undone here. VCR 1.x wrote a top-level list of
`!ruby/struct:VCR::HTTPInteraction` with plain-string bodies: read the same way. Tags are
read as data (formats/_yaml.py), never as Ruby objects.

R's vcr (the `r-vcr` format) writes the same layout with `status: 200` a bare number (older
versions `{status_code: '200', message, explanation}`), header values as plain strings,
and bodies as the HTTP client handed them over: already decoded, while the
`content-encoding` header stays. So an R body is not decompressed again by its header
(a gzip magic number is still undone). It is told by `recorded_with` (`VCR-vcr/2.0.0`,
`vcr/1.2.0, webmockr/0.9.0`), else by its status field.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, InputError, NotARecording, Recording, Request, Response

FORMAT = "ruby-vcr"
R_FORMAT = "r-vcr"


def read_ruby(content: Content) -> list[Recording] | None:
    obj = _cassette(content)
    return None if obj is None else _recordings(obj, content.source, FORMAT)


def read_r(content: Content) -> list[Recording] | None:
    obj = _cassette(content)
    return None if obj is None or not _written_by_r(obj) else _recordings(obj, content.source, R_FORMAT)


def _cassette(content: Content) -> Any:
    obj = content.json
    if obj is Content.NOT_JSON:
        if not _sniff(content.data):
            return None
        obj = content.yaml
    return obj if _interactions(obj) is not None else None


def _recordings(obj: Any, source: str, dialect: str) -> list[Recording]:
    out = []
    decoded = dialect == R_FORMAT
    interactions = _interactions(obj) or []
    if not interactions:
        raise EmptyRecording(f"{'an R vcr' if decoded else 'a Ruby VCR'} cassette with no interactions (the test made no call)")
    for position, entry in enumerate(interactions):
        if _is_exchange(entry):
            request = _request(entry["request"])
            out.append(Recording(source, position, dialect, request, _response(entry["response"], request, decoded), stored=entry))
    if not out:
        raise NotARecording(f"{'an R vcr' if decoded else 'a Ruby VCR'} cassette with no HTTP interactions")
    return out


_R_RECORDERS = re.compile(r"^(VCR-vcr/|vcr/\d)|webmockr")


def _written_by_r(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False  # (VCR 1.x's list: Ruby)
    recorded_with = obj.get("recorded_with")
    if isinstance(recorded_with, str):
        return _R_RECORDERS.search(recorded_with) is not None
    for entry in _interactions(obj) or ():
        if _is_exchange(entry):
            status = entry["response"].get("status")
            return isinstance(status, int) or (isinstance(status, dict) and "status_code" in status)
    return False


def _sniff(data: bytes) -> bool:
    head = data[:65536]
    return b"http_interactions:" in head or b"!ruby/struct:VCR::HTTPInteraction" in head


def _interactions(obj: Any) -> list | None:
    if isinstance(obj, dict) and isinstance(obj.get("http_interactions"), list):
        return obj["http_interactions"]
    if isinstance(obj, dict) and "http_interactions" in obj and obj["http_interactions"] in ({}, None):
        return []  # (nothing recorded, as an empty map or nothing at all)
    if isinstance(obj, list) and obj and all(_is_exchange(entry) for entry in obj):  # VCR 1.x
        return obj
    return None


def _is_exchange(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("request"), dict) and isinstance(entry.get("response"), dict)
            and isinstance(entry["request"].get("uri"), str))


def _request(req: dict) -> Request:
    headers = _http.header_map(req.get("headers"))
    body = _body_bytes_or_text(req.get("body"))
    if isinstance(body, bytes):
        try:
            body = _http.decode_content(body, headers.get("content-encoding"))
        except InputError:
            pass  # an undecodable request body still leaves the response readable
    method = req.get("method")
    method = method.lstrip(":") if isinstance(method, str) else None  # VCR 1.x wrote Ruby symbols (`:post`)
    return _http.http_request(method, req["uri"], _http.json_or_text(body) if body is not None else None)


def _response(resp: dict, request: Request, decoded: bool = False) -> Response:
    out = Response()
    status = resp.get("status")
    code = status.get("code", status.get("status_code")) if isinstance(status, dict) else status
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    out.status = code if isinstance(code, int) and not isinstance(code, bool) else None
    out.headers = _http.header_map(resp.get("headers"))
    out.content_type = out.headers.get("content-type") or None
    try:
        body = _body_bytes_or_text(resp.get("body"))
    except InputError as exc:
        out.exception = {"type": "unreadable-body", "message": str(exc)}
        return out
    streamed = _http.request_streams(request.body, request.url)
    stored = resp.get("body")
    if decoded and isinstance(stored, dict) and stored.get("file") is True and isinstance(body, str):
        out.streaming = streamed  # R's write_disk_path: the body went to a file the cassette only names
        out.exception = {"type": "unreadable-body", "message": f"the body was written to a file ({body}), not to the cassette"}
    elif decoded:  # R: stored as the client decoded it, whatever content-encoding says
        _http.fill_decoded(out, body, streamed, encoding=None)
    else:
        _http.fill_decoded(out, body, streamed)
    return out


def _body_bytes_or_text(body: Any) -> bytes | str | None:
    """`{encoding, string}` or `{encoding, base64_string}` (or a bare string, VCR 1.x) -> the body."""
    if isinstance(body, dict):
        if isinstance(body.get("base64_string"), str):
            try:
                return base64.b64decode("".join(body["base64_string"].split()), validate=True)
            except (binascii.Error, ValueError):
                raise InputError("a base64_string body that is not base64") from None
        body = body.get("string")
    if isinstance(body, (str, bytes)):
        return body
    return None


register(Format(
    name=R_FORMAT,
    summary="R's vcr package cassettes (`http_interactions:`, `status: 200`, bodies stored decoded; YAML or JSON)",
    read=read_r,
    order=24,  # before Ruby's: the same layout, told by `recorded_with` or the status field
    suffixes=(".yml", ".yaml", ".json"),
    multi_call=True,
    http_exchanges=True,
))

register(Format(
    name=FORMAT,
    summary="Ruby's VCR gem cassettes (`http_interactions:`; `!binary` and base64 bodies, YAML or JSON)",
    read=read_ruby,
    order=25,
    suffixes=(".yml", ".yaml", ".json"),
    multi_call=True,
    http_exchanges=True,
))
