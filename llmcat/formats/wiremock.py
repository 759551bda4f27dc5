"""WireMock stub mappings: `mappings/*.json`, each stub one call, its body often in `__files/`.

A stub is `{request: {method, url | urlPath | urlPattern | urlPathPattern | urlPathTemplate,
bodyPatterns: [{equalToJson | equalTo | binaryEqualTo}]}, response: {status, headers, body |
jsonBody | base64Body | bodyFileName}}`; WireMock's recorder writes one per file (the
`wiremock` format), an export holds several as `{"mappings": [...]}` (`wiremock-mappings`,
one call per stub, `FILE#N`). The request is the body pattern's JSON and the URL, relative
(`/v1/messages`), which with the body tells the API. A `bodyFileName` is read from the
`__files/` folder beside the nearest `mappings/` folder above the stub: the stub and its
body are one call, named by the stub; a directory walk does not list the body file again
(`claims`); a body file that cannot be read is the stub's one-line error. WireMock keeps
bodies as served to the client, decoded: a `Content-Encoding` header is not applied again.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

import orjson

from llmcat.formats import _http
from llmcat.formats.registry import Content, Format, register
from llmcat.model import EmptyRecording, InputError, Recording, Request, Response

FORMAT = "wiremock"
MANY = "wiremock-mappings"
MAPPINGS, FILES = "mappings", "__files"
_URL_KEYS = ("url", "urlPath", "urlPathTemplate", "urlPattern", "urlPathPattern")
_RESPONSE_KEYS = frozenset(("body", "jsonBody", "base64Body", "bodyFileName", "fault", "proxyBaseUrl"))


def is_stub(obj: Any) -> bool:
    if not (isinstance(obj, dict) and isinstance(obj.get("request"), dict) and isinstance(obj.get("response"), dict)):
        return False
    request, response = obj["request"], obj["response"]
    return any(key in request for key in (*_URL_KEYS, "bodyPatterns")) and ("status" in response or not _RESPONSE_KEYS.isdisjoint(response))


def read_one(content: Content) -> list[Recording] | None:
    obj = content.json
    return [_recording(obj, 0, content, FORMAT)] if is_stub(obj) else None


def read_many(content: Content) -> list[Recording] | None:
    obj = content.json
    if not (isinstance(obj, dict) and isinstance(obj.get("mappings"), list)):
        return None
    if not obj["mappings"] and set(obj) <= {"mappings", "meta"}:
        raise EmptyRecording("a WireMock mapping export with no stubs")
    if not any(map(is_stub, obj["mappings"])):
        return None
    return [_recording(stub, n, content, MANY) for n, stub in enumerate(obj["mappings"]) if is_stub(stub)]


def _recording(stub: dict, position: int, content: Content, name: str) -> Recording:
    request = _request(stub["request"])
    return Recording(content.source, position, name, request, _response(stub["response"], request, content), stored=stub)


def _request(req: dict) -> Request:
    key = next((key for key in _URL_KEYS if isinstance(req.get(key), str)), None)
    url = None if key is None else literal_part(req[key]) if key.endswith("Pattern") else req[key]
    out = _http.http_request(req.get("method"), url, _body_pattern(req.get("bodyPatterns")))
    if out.model and ("*" in out.model or "{" in out.model):  # (a pattern's or a template's wildcard, not a model)
        out.model = None
    return out


def _body_pattern(patterns: Any) -> Any:
    """The request body a stub matches: the JSON of `equalToJson`, else `equalTo`'s text or `binaryEqualTo`'s bytes."""
    if not isinstance(patterns, list):
        return None
    for pattern in patterns:
        if not isinstance(pattern, dict):
            continue
        if "equalToJson" in pattern:
            value = pattern["equalToJson"]
            return _http.json_or_text(value) if isinstance(value, str) else value
        if isinstance(pattern.get("equalTo"), str):
            return _http.json_or_text(pattern["equalTo"])
        if isinstance(pattern.get("binaryEqualTo"), str):
            return _http.json_or_text(_base64(pattern["binaryEqualTo"], "binaryEqualTo"))
    return None


def literal_part(pattern: str) -> str:
    """A URL regex as a path the API rules can read: literal text kept, each wildcard part a `*`
    (`^/model/.*/converse-stream$` -> `/model/*/converse-stream`), the query and alternatives dropped."""
    out, position = [], 0
    while position < len(pattern):
        char, following = pattern[position], pattern[position + 1:position + 2]
        if char == "\\" and following:
            out.append(following)
            position += 2
            continue
        if char in "|?" or (char == "$" and position == len(pattern) - 1):
            break  # (an alternative, an optional part or a query: what came before is the path)
        if char in "[(":
            position = _skip_group(pattern, position)
            out.append("*")
        elif char == "." and following in ("*", "+"):
            out.append("*")
            position += 1
        elif char in "*+{":
            position = pattern.find("}", position) if char == "{" and "}" in pattern[position:] else position
        elif not (char == "^" and position == 0):
            out.append(char)
        position += 1
    return "".join(out).replace("**", "*")


def _skip_group(pattern: str, position: int) -> int:
    """The position of the bracket closing the group or class that opens at `position`."""
    closing, depth = {"[": "]", "(": ")"}[pattern[position]], 0
    for at in range(position, len(pattern)):
        if pattern[at] == "\\":
            continue
        depth += pattern[at] == pattern[position]
        depth -= pattern[at] == closing
        if depth == 0:
            return at
    return len(pattern)


def _response(resp: dict, request: Request, content: Content) -> Response:
    out = Response(headers=_http.header_map(resp.get("headers")))
    status = resp.get("status", 200)
    out.status = status if isinstance(status, int) and not isinstance(status, bool) else None
    out.content_type = out.headers.get("content-type") or None
    streamed = _http.request_streams(request.body, request.url)
    if isinstance(resp.get("fault"), str):
        out.exception = {"type": "fault", "message": f"WireMock answers with the fault {resp['fault']}"}
    elif isinstance(resp.get("bodyFileName"), str):
        data = content.companion(files_folder(content.path or content.source), resp["bodyFileName"])
        _http.fill_decoded(out, data, streamed, encoding=None)
    elif "jsonBody" in resp:
        _http.fill_json(out, resp["jsonBody"], streamed)
        out.size = _http.json_size(resp["jsonBody"])
    elif isinstance(resp.get("base64Body"), str):
        _http.fill_decoded(out, _base64(resp["base64Body"], "base64Body"), streamed, encoding=None)
    elif isinstance(resp.get("body"), str):
        _http.fill_body(out, resp["body"], streamed)
    else:
        out.streaming = streamed
    return out


def _base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"a WireMock stub whose {what} is not base64") from None


def files_folder(path: str) -> str:
    """The `__files/` of a stub's WireMock root: beside the nearest `mappings/` above it, else
    beside the stub's own folder."""
    folder = os.path.dirname(os.path.abspath(path))
    probe = folder
    while True:
        if os.path.basename(probe) == MAPPINGS:
            return os.path.join(os.path.dirname(probe), FILES)
        parent = os.path.dirname(probe)
        if parent == probe:
            return os.path.join(os.path.dirname(folder), FILES)
        probe = parent


MAX_STUB_BYTES = 4 * 1024 * 1024  # a mapping bigger than this is not looked into by a walk (it is still read)


def claims(directory: str, names: frozenset[str]) -> set[str]:
    """In a WireMock root (a folder holding `mappings/` and `__files/`), the body files its stubs name."""
    if MAPPINGS not in names or FILES not in names:
        return set()
    files = os.path.normpath(os.path.join(directory, FILES))  # (as the walk's paths are compared: "./x" is "x")
    found: set[str] = set()
    for root, dirs, stubs in os.walk(os.path.join(directory, MAPPINGS)):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for stub in stubs:
            for name in _body_files(os.path.join(root, stub)):
                path = os.path.normpath(os.path.join(files, name))
                if path.startswith(os.path.join(files, "")):
                    found.add(path)
    return found


def _body_files(path: str) -> list[str]:
    try:
        if not path.endswith(".json") or os.path.getsize(path) > MAX_STUB_BYTES:
            return []
        with open(path, "rb") as handle:
            obj = orjson.loads(handle.read())
    except (OSError, ValueError):
        return []  # (a stub that cannot be read says so when it is read; its body stays listed)
    mappings = obj.get("mappings") if isinstance(obj, dict) else None
    stubs = mappings if isinstance(mappings, list) else [obj]
    return [stub["response"]["bodyFileName"] for stub in stubs
            if is_stub(stub) and isinstance(stub["response"].get("bodyFileName"), str)]


register(Format(
    name=FORMAT,
    summary="WireMock stub mappings (`mappings/*.json`; a `bodyFileName` is read from the sibling `__files/`)",
    read=read_one,
    order=13,  # after llama-stack, which leaves a stub's URL patterns and body files to this reader
    request_marks=frozenset({"bodyPatterns", *_URL_KEYS[1:]}), response_marks=frozenset({"bodyFileName", "jsonBody", "base64Body"}),
    suffixes=(".json",),
    http_exchanges=True,
    claims=claims,
))

register(Format(
    name=MANY,
    summary="WireMock mapping exports (`{\"mappings\": [stub, ...]}`: one call per stub)",
    read=read_many,
    order=13,
    suffixes=(".json",),
    multi_call=True,
    http_exchanges=True,
))
