"""What `explain` is asked about: the requests a REQUEST argument holds, in the forms people have at hand.

- a recording of any format llmcat reads (a cassette the failing test wrote): each call is a request;
- a JSON object `{"method", "url", "headers"?, "body"?}` (the body as JSON or as text), a list of
  them, or JSON Lines of them, one request a line;
- the text of a recorder's miss message, pasted (pytest's `E   ` margins are taken off):
  vcrpy's CannotOverwriteExistingCassetteException (`No match for the request (<Request (POST)
  https://…>)`, and the cassette it names), llama-stack's "No recorded response found for request
  hash: …" (the hash; newer versions add `Request: METHOD URL BODY`, older ones `Endpoint:`), go-vcr's
  `Post "https://…": requested interaction not found`.

Each request says what its form did not give (`Asked.missing`): a rule that needs it is not judged.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import orjson
from msgspec import Struct

from llmcat.formats import _http
from llmcat.model import InputError, Need, Recording, Request, Response


class Asked(Struct):
    """One request to explain: as a `Recording` (with no response), and what its form did not give."""

    label: str
    recording: Recording
    origin: str = "request"  # recording, json, vcrpy message, llama-stack message, go-vcr message
    missing: tuple[str, ...] = ()  # parts the form does not carry: method, url, body, headers
    headers: dict[str, str] | None = None  # lower-cased names; None: not given
    given_hash: str | None = None  # llama-stack's message: the hash its recorder looked up
    cassette: str | None = None  # the cassette the recorder's message names


def request_headers(rec: Recording) -> dict[str, str]:
    """A recording's request headers, lower-cased, as its container stores them."""
    from llmcat.validation.secrets import recorded_headers

    return {name: value for side, name, value in recorded_headers(rec.stored) if side in ("request", "headers")}


def asked_in(spec: str) -> list[Asked]:
    """The requests the file (or `-`, or `FILE#N`) named by `spec` holds. Raises `InputError`."""
    from llmcat.formats import load, parse, read_bytes, split_address

    path, index = split_address(spec)
    data = read_bytes(path)
    if index is None:
        found = _requests(path, data)
        if found is not None:
            return found
    if not data or data.isspace():
        raise InputError("empty file")
    try:  # a file is loaded again as any command loads it (a format may read a companion beside it)
        recordings = parse(data, path, Need.EVERYTHING, name=path) if path == "-" else load(spec, Need.EVERYTHING)[0]
    except InputError as exc:
        if index is not None:
            raise
        raise InputError(f"not a request, a recorder's miss message nor a recording ({exc})") from None
    return [Asked(rec.label, rec, "recording", headers=request_headers(rec)) for rec in recordings]


def _requests(path: str, data: bytes) -> list[Asked] | None:
    """The requests of a JSON request, JSON Lines of them, or a miss message; None when it is none of those."""
    if data.startswith(b"\x1f\x8b") or b"\x00" in data[:4096]:
        return None
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            obj = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            obj = None
        if _is_request(obj):
            return [_from_json(path, obj)]
        if isinstance(obj, list) and obj and all(_is_request(o) for o in obj):
            return [_from_json(f"{path}#{n}", o) for n, o in enumerate(obj)]
        lines = _json_lines(path, stripped)
        if lines is not None:
            return lines
    return _from_message(path, text)


def _is_request(obj: Any) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("method"), str) and isinstance(obj.get("url", obj.get("uri")), str)
            and "response" not in obj)


def _json_lines(path: str, text: str) -> list[Asked] | None:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        if not _is_request(obj):
            return None
        out.append(_from_json(f"{path}:{number}", obj))
    return out or None


_BODILESS = ("GET", "HEAD", "DELETE", "OPTIONS")


def _from_json(label: str, obj: dict) -> Asked:
    method = obj["method"].upper()
    body = obj.get("body")
    if isinstance(body, (str, bytes)):
        body = _http.json_or_text(body)
    request = _http.http_request(method, obj.get("url", obj.get("uri")), body)
    if isinstance(obj.get("test_id"), str):
        request.test_id = obj["test_id"]
    missing: tuple[str, ...] = ("headers",) if "headers" not in obj else ()
    if "body" not in obj and method not in _BODILESS:
        missing = ("body",) + missing
    headers = _http.header_map(obj["headers"]) if "headers" in obj else None
    rec = Recording(label, 0, "request", request, Response(), stored=obj)
    return Asked(label, rec, "json", missing, {k.lower(): v for k, v in headers.items()} if headers is not None else None)


# --- recorders' miss messages -------------------------------------------------------------------------

_MARGIN = re.compile(r"^[ \t]*E[ \t]+", re.MULTILINE)  # pytest's failure lines
_VCRPY_FAILED = re.compile(r"No match for the request \(<Request \((\w+)\) (\S+?)>\)")
_VCRPY_ANY = re.compile(r"<Request \((\w+)\) (\S+?)>")
_VCRPY_CASSETTE = re.compile(r"Can't overwrite existing cassette \('?(.+?)'?\) in your current record mode")
_LLAMA_HASH = re.compile(r"No recorded response found for request hash: ([0-9a-fA-F]+)")
_LLAMA_REQUEST = re.compile(r"^\s*Request: (\w+) (\S+)(?: (.*))?$", re.MULTILINE)
_LLAMA_ENDPOINT = re.compile(r"^\s*Endpoint: (\S+)", re.MULTILINE)
_LLAMA_MODEL = re.compile(r"^\s*Model: (.+?)\s*$", re.MULTILINE)
_GO_VCR = re.compile(r"\b(Get|Post|Put|Patch|Delete|Head|Options) \"([^\"]+)\": requested interaction not found")


def _from_message(path: str, text: str) -> list[Asked] | None:
    text = _MARGIN.sub("", text)
    llama = _LLAMA_HASH.search(text)
    if llama:
        return [_llama_message(path, text, llama.group(1).lower())]
    vcrpy = _VCRPY_FAILED.search(text) or _VCRPY_ANY.search(text)
    if vcrpy:
        cassette = _VCRPY_CASSETTE.search(text)
        return [_message(path, "vcrpy message", vcrpy.group(1), vcrpy.group(2), cassette.group(1) if cassette else None)]
    go_vcr = _GO_VCR.search(text)
    if go_vcr:
        return [_message(path, "go-vcr message", go_vcr.group(1), go_vcr.group(2))]
    return None


def _message(path: str, origin: str, method: str, url: str, cassette: str | None = None) -> Asked:
    """A message that names only the method and URL."""
    request = _http.http_request(method.upper(), url, None)
    rec = Recording(path, 0, "request", request, Response())
    return Asked(path, rec, origin, ("body", "headers"), cassette=cassette)


def _llama_message(path: str, text: str, given: str) -> Asked:
    request = Request()
    missing = ["headers"]
    found = _LLAMA_REQUEST.search(text)
    if found:
        body = _python_literal(found.group(3))
        request = _http.http_request(found.group(1).upper(), found.group(2), body)
        if body is None:
            missing.append("body")
    else:
        endpoint = _LLAMA_ENDPOINT.search(text)
        request.endpoint = endpoint.group(1) if endpoint else None
        missing += ["method", "url", "body"]
    model = _LLAMA_MODEL.search(text)
    if model and model.group(1) != "unknown":
        request.model = request.model or model.group(1)
    rec = Recording(path, 0, "request", request, Response())
    return Asked(path, rec, "llama-stack message", tuple(missing), given_hash=given)


def _python_literal(text: str | None) -> Any:
    """The body as llama-stack prints it (a Python dict's repr), read as data: literals only, never code."""
    if not text:
        return None
    text = text.strip()
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    if len(text) > 10_000_000:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)
