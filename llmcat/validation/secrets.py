"""Credentials recorded in a call, found where recorders leave them.

Each finding names its place in `show --json`'s vocabulary, extended:
`request.headers.authorization`, `response.headers.x-api-key`, `request.url?key`,
`request.body$.api_key` and `response.body$.choices[0]...` (a JSON path into the
decoded body; `response.body[3]$...` for the fourth event of a stream), and
`recording$.…` for anything else in the container's own object (`Recording.stored`).
Bodies are searched after decoding (gzip, `!!binary`, base64), so what a reviewer
cannot read is searched too. The value leaves this module masked (`mask`, which the
renderers' `render.mask` applies to text too);
only `secret_values` hands out whole values, for renderers to mask them in text.

Pure functions, no I/O. Container-agnostic: headers are found in the stored object
by their key (`headers`, `RequestHeaders`, HAR's `[{"name", "value"}]`...), so a
new container's recordings are searched without changes here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import orjson
from msgspec import Struct

from llmcat.model import Completion, Recording
from llmcat.validation import in_text, keyshapes
from llmcat.validation.in_text import field_hits, is_credential_field, text_hits
from llmcat.validation.written import glance_as_written

ELLIPSIS = "…"
# A value this long may keep its first 4 and last 2 characters (enough to tell two keys
# apart, or to find the one to revoke); shorter ones keep less, the shortest nothing.
KEEP_BOTH_FROM = 16
KEEP_PREFIX_FROM = 8


def mask(value: str) -> str:
    """`sk-p…Xq (164 chars)`: at most the first 4 and last 2 characters, and the length."""
    n = len(value)
    if n >= KEEP_BOTH_FROM:
        shown = f"{value[:4]}{ELLIPSIS}{value[-2:]}"
    elif n >= KEEP_PREFIX_FROM:
        shown = f"{value[:2]}{ELLIPSIS}"
    else:
        shown = ELLIPSIS
    return f"{shown} ({n} chars)"



class Leak(Struct, frozen=True):
    place: str  # where in the call: `request.headers.authorization`, `request.url?key`, `response.body$.api_key`
    kind: str  # `openai-api-key`, `aws-access-key-id`, `bearer-token`, `credential`...
    masked: str  # at most the first 4 and last 2 characters, and the length


def leaks(rec: Recording, completion: Completion | None = None) -> list[Leak]:
    """The credentials recorded anywhere in one call, each once per part of the call. With the call's
    `completion`, also those only its reassembled answer holds whole (a key split across chunks)."""
    return [Leak(place, kind, mask(value)) for place, kind, value in _found(rec, completion)]


def secret_values(rec: Recording, completion: Completion | None = None) -> set[str]:
    """The whole values of `leaks(rec, completion)`, for a renderer to mask wherever they appear;
    also as the recording writes them (a query value is found decoded: `%2D`, `%2f`, `+` and all)."""
    values = {value for _, _, value in _found(rec, completion)}
    if not values:
        return values
    text = _call_text(rec)
    forms = in_text.recorded_forms(text.decode("utf-8", "replace"), values) if text is not None else set()
    return values | forms | {quote(v, safe="") for v in values} | {quote_plus(v) for v in values}


# --- the search -------------------------------------------------------------------------------


# The last calls searched: check's finding and the mask of the same run ask about the same call.
_MEMO: dict[tuple[int, int], tuple[Recording, Completion | None, list[tuple[str, str, str]]]] = {}
_MEMO_SIZE = 256


def _found(rec: Recording, completion: Completion | None = None) -> list[tuple[str, str, str]]:
    key = (id(rec), id(completion))
    memo = _MEMO.get(key)
    if memo is not None and memo[0] is rec and memo[1] is completion:
        return memo[2]
    found = _search(rec)
    if completion is not None:
        known = {value for _, _, value in found}
        found = found + [hit for hit in _answer_hits(completion) if hit[2] not in known]
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (rec, completion, found)
    return found


def _search(rec: Recording) -> list[tuple[str, str, str]]:
    seen = glance_as_written(rec)  # (check's llama-stack files: their bytes; else the call dumped)
    text = None if seen is not None else _call_text(rec)
    if seen is None and text is not None:
        seen = keyshapes.glance(text)
    if seen is not None and not seen:
        return []  # most calls, a 100,000-chunk stream included: one C-speed look, nothing more
    if text is None and seen is not None:
        text = _call_text(rec)
    look = _Look(None if text is None or seen is None else _candidates(text.decode("utf-8", "replace"), seen))
    precise: list[tuple[str, str, str]] = []
    for side, name, value in recorded_headers(rec.stored):
        if _is_credential_header(name):
            precise += [(f"{side}.headers.{name}", kind, v) for kind, v in keyshapes.authorization_secrets(value)]
        elif name not in ("cookie", "set-cookie") and look.worth_searching(value):
            precise += [(f"{side}.headers.{name}", kind, v) for kind, v in keyshapes.find_shapes(value)]
    if isinstance(rec.request.url, str):
        precise += in_text.url_hits("request.url", rec.request.url)
    precise += _tree_hits("request.body$", rec.request.body, look)
    events = rec.response.events
    for i, event in enumerate(events):
        precise += _tree_hits("response.body$" if len(events) == 1 else f"response.body[{i}]$", event, look)
    if rec.response.exception:
        precise += _tree_hits("response.error$", rec.response.exception, look)
    out = _once_per_part(precise)
    reported = {value for _, _, value in out}
    for place, kind, value in _tree_hits("recording$", rec.stored, look, skip_headers=True):
        if value not in reported:
            reported.add(value)
            out.append((place, kind, value))
    return out


class _Look(Struct):
    """What the call's whole text holds that a string rule could report (key shapes, bearer
    tokens, header lines, URL query values): only strings containing one of these are searched
    one by one. None when the call could not be dumped: every string is searched."""

    candidates: set[str] | None

    def worth_searching(self, text: str) -> bool:
        if self.candidates is None:
            return keyshapes.suspect(text)
        return any(candidate in text for candidate in self.candidates) or "PRIVATE KEY" in text or "form-data;" in text


def nothing_to_find(rec: Recording) -> bool:
    """Can no credential be recorded in this call, by its file's bytes as written (`Recording.raw`)?"""
    seen = glance_as_written(rec)
    return seen is not None and not seen


def _call_text(rec: Recording) -> bytes | None:
    """All of a call's text as JSON, to be looked at whole: the stored object, and the decoded
    bodies where the stored one differs (bytes, or text a reader parsed). llama-stack stores
    decoded JSON: its events are in it already (a 75 MB stream is dumped once, not twice).
    None when the call is too deep for orjson: then every string is looked at."""
    saw_bytes: list[bool] = []

    def text_of(value: Any) -> str:
        if isinstance(value, (bytes, bytearray)):
            saw_bytes.append(True)
            return bytes(value).decode("utf-8", "replace")
        return str(value)

    try:
        stored = orjson.dumps(rec.stored, default=text_of, option=orjson.OPT_NON_STR_KEYS)
        request = rec.stored.get("request") if isinstance(rec.stored, dict) else None
        same_body = isinstance(request, dict) and request.get("body") is rec.request.body  # in the stored text already
        decoded = [rec.request.url, None if same_body and not saw_bytes else rec.request.body]
        if rec.format != "llama-stack" or saw_bytes or rec.stored is None:
            decoded += [rec.response.events, rec.response.exception]
        return stored + orjson.dumps(decoded, default=text_of, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # too deep for orjson
        return None


_TEXT_HEADER_WORDS = frozenset({b"authorization", b"api-key", b"x-amz-security"})  # in_text.TEXT_HEADER_NAMES, as `glance` sees them
# Header lines inside the call's JSON text, where a line break is written `\\n`.
_DUMPED_HEADER_LINE = re.compile(
    r"(?:^|\\[rn]|[\r\n])[ \t]*(authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key|x-amz-security-token)"
    r"[ \t]*:[ \t]*([^\\\r\n\"]+)",
    re.IGNORECASE,
)
# `name=value` for a credential's name inside the call's JSON text (a form body, a query, a fragment).
_DUMPED_PAIR = re.compile(r"(?<![\w\-])(" + "|".join(sorted(in_text.QUERY_CREDENTIALS, key=len, reverse=True)) + r")=([^&;#\s\"\\]+)",
                          re.IGNORECASE)


def _candidates(text: str, seen: frozenset[bytes]) -> set[str]:
    """The values string rules could report, found in the call's JSON text (JSON escapes none
    of a token's characters, so each appears there as recorded); `seen`: what `glance` saw."""
    values = {value for _, value in keyshapes.find_shapes(text, seen)}
    if b"bearer" in seen:
        values.update(m.group(1) for m in in_text.BEARER.finditer(text))
    if seen & _TEXT_HEADER_WORDS:
        for match in _DUMPED_HEADER_LINE.finditer(text):
            values.update(v for _, v in keyshapes.authorization_secrets(match.group(2)))
    if "://" in text:
        for match in in_text.URL_WITH_PARTS.finditer(text):
            url = match.group()
            values.update(v for _, _, v in in_text.url_hits("", url))
            values.update(raw for _, value, raw in in_text.pairs(url) if value in values)  # as written: `%2D` and all
    if seen & {b"key=", b"token", b"secret", b"passw", b"sig=", b"code="}:
        values.update(m.group(2) for m in _DUMPED_PAIR.finditer(text) if keyshapes.looks_like_credential(m.group(2)))
    return values


def _once_per_part(hits: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """One finding per value per part of the call (`request.headers`, `response.body`...):
    a key echoed in every chunk of a stream is one finding, not a thousand."""
    seen: set[tuple[str, str]] = set()
    out = []
    for place, kind, value in hits:
        part = re.split(r"[$?\[]", place, maxsplit=1)[0].split(".")[:2]
        key = (".".join(part), value)
        if key not in seen:
            seen.add(key)
            out.append((place, kind, value))
    return out


# --- headers ----------------------------------------------------------------------------------

_CREDENTIAL_HEADER = re.compile(
    r"(?:^|-)(?:authorization|auth|api-?key|apikey|access-?key|secret(?:-key)?|token|password|credentials?"
    r"|subscription-key|functions-key)$"
)
_NOT_CREDENTIAL_HEADERS = frozenset({"idempotency-key", "x-ratelimit-limit-token", "x-csrf-token", "x-xsrf-token"})


def _is_credential_header(name: str) -> bool:
    return name not in _NOT_CREDENTIAL_HEADERS and _CREDENTIAL_HEADER.search(name.replace("_", "-")) is not None


def recorded_headers(stored: Any) -> Iterator[tuple[str, str, str]]:
    """(side, lower-cased name, value) for every header value in a call's stored object, in
    whatever container: side is `request`, `response`, or `headers` when nothing says."""
    for path, holder in _header_holders(stored):
        side = _side(path)
        for name, value in _header_pairs(holder):
            yield side, name.lower(), value


# Headers sit near the top of a call's object (`request.headers`, HAR's `request.headers`,
# `RequestHeaders`); bodies below them may be large and are not searched for headers.
_HEADERS_DEPTH = 3


def _header_holders(stored: Any) -> Iterator[tuple[tuple, Any]]:
    stack: list[tuple[Any, tuple]] = [(stored, ())]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, dict):
            continue
        below = []
        for key, value in node.items():
            if isinstance(key, str) and key.lower().endswith("headers"):
                yield path + (key,), value
            elif isinstance(value, dict) and len(path) < _HEADERS_DEPTH:
                below.append((value, path + (key,)))
        stack.extend(reversed(below))  # request before response, as recorded


def _side(path: tuple) -> str:
    """`request` or `response`, from the headers' own key (`RequestHeaders`, nock's `reqheaders`)
    or the nearest ancestor naming one; `headers` when nothing does."""
    for key in reversed(path):
        low = str(key).lower()
        if "req" in low:
            return "request"
        if "res" in low or low == "rawheaders":
            return "response"
    return "headers"


def _header_pairs(holder: Any) -> Iterator[tuple[str, str]]:
    if isinstance(holder, dict):  # {name: value} or {name: [values]} (vcrpy)
        for name, value in holder.items():
            for item in value if isinstance(value, list) else [value]:
                text = _as_text(item)
                if isinstance(name, (str, bytes)) and text is not None:
                    yield _as_text(name) or "", text
    elif isinstance(holder, list):
        if all(isinstance(h, dict) for h in holder):  # HAR: [{"name", "value"}]
            for h in holder:
                name, value = _as_text(h.get("name")), _as_text(h.get("value"))
                if name is not None and value is not None:
                    yield name, value
        elif len(holder) % 2 == 0 and all(isinstance(h, str) for h in holder):  # nock: [name, value, ...]
            yield from zip(holder[0::2], holder[1::2], strict=True)


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


# --- bodies and the stored object ------------------------------------------------------------


def _tree_hits(root: str, tree: Any, look: _Look, skip_headers: bool = False) -> list[tuple[str, str, str]]:
    """Credentials in a decoded body (or the stored object): values under credential names
    (`api_key`, `token`, `password`...), and in the strings `look` points at: key shapes,
    header lines and bearer tokens in text, credentials in URLs' queries."""
    hits: list[tuple[str, str, str]] = []
    stack: list[tuple[Any, tuple]] = [(tree, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if skip_headers and isinstance(key, str) and key.lower().endswith("headers"):
                    continue
                if isinstance(key, str) and isinstance(value, str) and is_credential_field(key):
                    hits += field_hits(_place(root, path + (key,)), key, value)
                elif isinstance(value, (dict, list, str, bytes, bytearray)):
                    stack.append((value, path + (key,)))
        elif isinstance(node, list):
            stack.extend((item, path + (i,)) for i, item in enumerate(node) if isinstance(item, (dict, list, str, bytes, bytearray)))
        elif isinstance(node, (str, bytes, bytearray)):
            text = node if isinstance(node, str) else _utf8(node)
            if not text:
                continue
            inner = in_text.embedded_json(text)  # JSON inside a string: a tool call's arguments, a body kept as text
            if inner is not None:
                stack.append((inner, path + (_IN_STRING,)))
            elif look.worth_searching(text):
                hits += text_hits(_place(root, path), text)
    hits.reverse()  # the stack visits the last items first; report in document order
    return hits


def _utf8(value: Any) -> str | None:
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return None  # binary (compressed, an image): its decoded form is searched instead


_IN_STRING = ("JSON inside a string",)  # a path step: the string's own JSON follows (`arguments$.password`)


def _answer_hits(completion: Completion) -> list[tuple[str, str, str]]:
    """Credentials in the reassembled answers: text, reasoning and tool arguments are whole only here
    (a key split across the chunks of a stream is in no one event)."""
    answers = [{"text": c.text, "reasoning": c.reasoning, "refusal": c.refusal,
                "tool_calls": [{"arguments": t.arguments} for t in c.tool_calls]} for c in completion.choices]
    if not any(keyshapes.suspect(text) for a in answers for text in _strings(a)):
        return []
    return [(place.lstrip("."), kind, value) for place, kind, value in _tree_hits("", {"choices": answers}, _Look(None))]


def _strings(answer: dict) -> list[str]:
    return [t for t in (answer["text"], answer["reasoning"], answer["refusal"]) if t] + \
        [t["arguments"] for t in answer["tool_calls"] if t["arguments"]]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _place(root: str, path: tuple) -> str:
    out = [root]
    for key in path:
        if key is _IN_STRING:
            out.append("$")
        elif isinstance(key, int):
            out.append(f"[{key}]")
        elif isinstance(key, str) and _IDENTIFIER.fullmatch(key):
            out.append(f".{key}")
        else:
            out.append("[" + orjson.dumps(str(key)).decode() + "]")
    return "".join(out)


def credentials(rec: Recording, completion: Completion | None = None) -> list[tuple[str, str, str]]:
    """(place, kind, whole value) of each credential `leaks` reports: for `redact`, which replaces
    them, and for `check` to find the line a value is written on. Never to be printed."""
    return _found(rec, completion)
