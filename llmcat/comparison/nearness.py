"""How near a recorded call is to a request that found no recording: one number from 0 to 1.

A request and a recording are each boiled down to a `Fingerprint` of what the call asks
(method, host, path, query, model, the conversation's texts in order, the tools offered
and the other parameters); `similarity` weighs how alike each part is. Texts are compared
by their common beginning and end (a prompt edited in one place keeps nearly all of both),
never by an alignment: a suite of thousands of calls is scored in the time it takes to read it.

Pure functions over `Recording`s; nothing here reads files.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import orjson

from llmcat.apis import request_view
from llmcat.model import Recording

# How much each part counts: what the call asks (conversation, model) over where it goes.
WEIGHTS = {"method": 1.0, "host": 1.0, "path": 2.0, "query": 1.0, "model": 3.0, "texts": 5.0, "tools": 2.0,
           "params": 2.0, "test": 0.25}
_TOTAL = sum(WEIGHTS.values())
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


class Fingerprint(NamedTuple):
    method: str
    host: str
    path: str
    query: frozenset[tuple[str, str]]
    model: str
    texts: tuple[str, ...]  # the conversation (or prompt), one canonical text per message, in order
    tools: frozenset[str]  # the names of the tools offered
    params: dict[str, bytes]  # every other body key, as canonical JSON
    test_id: str | None
    unknown: frozenset[str] = frozenset()  # parts not known (a miss message gives no body): not weighed


def canonical(value: Any) -> bytes:
    """A value as JSON text with sorted keys (what cannot be JSON, as its repr)."""
    try:
        return orjson.dumps(value, option=_OPTIONS, default=repr)
    except (TypeError, orjson.JSONEncodeError, RecursionError):
        try:
            return repr(value).encode("utf-8", "backslashreplace")
        except RecursionError:  # nested past what can be written: alike only to itself
            return b"<nested too deeply:%d>" % id(value)


_DEFAULT_PORT = {"http": ":80", "https": ":443", "ws": ":80", "wss": ":443"}


def url_parts(url: str | None) -> tuple[str, str, str, str]:
    """(scheme, host with port, path, query) of a URL; empty strings where there is none."""
    if not isinstance(url, str) or not url:
        return "", "", "", ""
    try:
        parts = urlsplit(url)
        scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
        if netloc.endswith(_DEFAULT_PORT.get(scheme, "\0")):  # `host:443` is `host` to https
            netloc = netloc[: -len(_DEFAULT_PORT[scheme])]
        return scheme, netloc, parts.path, parts.query
    except ValueError:  # (an invalid IPv6 host): the whole text as the path
        return "", "", url, ""


def query_pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def tool_name(tool: Any, position: int) -> str:
    """What names a tool offered in a request body, whatever the provider's envelope."""
    if isinstance(tool, dict):
        for holder in (tool, tool.get("function"), tool.get("toolSpec")):
            if isinstance(holder, dict) and isinstance(holder.get("name"), str):
                return holder["name"]
        if isinstance(tool.get("type"), str):
            return tool["type"]  # a provider's server tool (web_search, code_interpreter)
    return f"#{position}"


def tools_by_name(tools: Any) -> dict[str, Any]:
    """The tools of a request body by name, in order (Gemini's function declarations one by one)."""
    if not isinstance(tools, list):
        return {}
    flat: list[Any] = []
    for tool in tools:
        declared = None
        if isinstance(tool, dict):
            declared = tool.get("functionDeclarations", tool.get("function_declarations"))
        flat += declared if isinstance(declared, list) else [tool]
    out: dict[str, Any] = {}
    for n, tool in enumerate(flat):
        name = tool_name(tool, n)
        while name in out:  # the same name twice: both kept
            name += "'"
        out[name] = tool
    return out


# What each part of a request leaves unknown when a form does not give it.
_UNKNOWN = {"method": ("method",), "url": ("host", "path", "query"), "body": ("texts", "tools", "params")}


def fingerprint(rec: Recording, missing: tuple[str, ...] = ()) -> Fingerprint:
    """What a call asks, as `similarity` compares it: `show --json`'s view of the request, in parts.
    `missing`: what the request's form did not give (`asked.Asked.missing`)."""
    view = request_view(rec)
    params = dict(view["params"])
    tools = tools_by_name(params.pop("tools", None))
    params.pop("stream_options", None)  # (how a stream is delivered: never what is asked)
    scheme, host, path, query = url_parts(rec.request.url)
    return Fingerprint(
        method=(rec.request.method or "").upper(),
        host=host,
        path=path or rec.request.endpoint or "",
        query=frozenset(query_pairs(query)),
        model=rec.request.model or "",
        texts=_texts(view),
        tools=frozenset(tools),
        params={key: canonical(value) for key, value in params.items()},
        test_id=rec.request.test_id,
        unknown=frozenset(part for given in missing for part in _UNKNOWN.get(given, ()))
        | ({"model"} if "body" in missing and not rec.request.model else set())
        | ({"path"} if "url" in missing and not rec.request.endpoint else set()),
    )


def _texts(view: dict) -> tuple[str, ...]:
    """The conversation: each message (or the prompt) as canonical JSON, in order. The same on both
    sides whatever API each is taken for (a request sent to a mistyped path is still a chat)."""
    messages = view["messages"]
    if isinstance(messages, list):
        return tuple(canonical(m).decode("utf-8", "replace") for m in messages)
    prompt = view["prompt"]
    if prompt is None:
        return ()
    return (prompt,) if isinstance(prompt, str) else (canonical(prompt).decode("utf-8", "replace"),)


# --- how alike ----------------------------------------------------------------------------------------


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """0 (nothing alike) to 1 (the same call, as far as a fingerprint tells); the parts `a` does not
    know are left out of the weighing."""
    if not a.unknown:  # (nearly always: one expression, no closures)
        return (WEIGHTS["method"] * (a.method == b.method)
                + WEIGHTS["host"] * (a.host == b.host)
                + WEIGHTS["path"] * text_similarity(a.path, b.path)
                + WEIGHTS["query"] * _set_similarity(a.query, b.query)
                + WEIGHTS["model"] * text_similarity(a.model, b.model)
                + WEIGHTS["texts"] * sequence_similarity(a.texts, b.texts)
                + WEIGHTS["tools"] * _set_similarity(a.tools, b.tools)
                + WEIGHTS["params"] * _params_similarity(a.params, b.params)
                + WEIGHTS["test"] * _test_similarity(a.test_id, b.test_id)) / _TOTAL
    parts = {
        "method": lambda: a.method == b.method,
        "host": lambda: a.host == b.host,
        "path": lambda: text_similarity(a.path, b.path),
        "query": lambda: _set_similarity(a.query, b.query),
        "model": lambda: text_similarity(a.model, b.model),
        "texts": lambda: sequence_similarity(a.texts, b.texts),
        "tools": lambda: _set_similarity(a.tools, b.tools),
        "params": lambda: _params_similarity(a.params, b.params),
        "test": lambda: _test_similarity(a.test_id, b.test_id),
    }
    known = [name for name in parts if name not in a.unknown]
    return sum(WEIGHTS[name] * parts[name]() for name in known) / (sum(WEIGHTS[name] for name in known) or 1.0)


def text_similarity(a: str, b: str) -> float:
    """The share of the longer text that the two have in common at their beginning and end."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    shorter = min(len(a), len(b))
    common = _common_prefix(a, b)
    common += _common_suffix(a[common:], b[common:]) if common < shorter else 0
    return min(common, shorter) / max(len(a), len(b))


def _common_prefix(a: str, b: str) -> int:
    """Length of the common beginning, by halving: each comparison is one slice compared in C."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[-middle:] == b[-middle:]:
            low = middle
        else:
            high = middle - 1
    return low


def sequence_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Messages compared position by position, from the start and from the end (a turn added at
    either end shifts nothing else); the better of the two alignments."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    longest = max(len(a), len(b))
    forward = sum(text_similarity(x, y) for x, y in zip(a, b, strict=False))  # (the shorter ends the alignment)
    backward = sum(text_similarity(x, y) for x, y in zip(reversed(a), reversed(b), strict=False))
    return max(forward, backward) / longest


def _test_similarity(a: str | None, b: str | None) -> float:
    """The same test (or neither names one) 1, one names none ½, two tests 0: between a request recorded
    under two layouts (llama-stack's legacy has no test id), the one alike in this too comes first."""
    return 1.0 if a == b else 0.5 if a is None or b is None else 0.0


def _set_similarity(a: frozenset, b: frozenset) -> float:
    if a == b:
        return 1.0
    return len(a & b) / len(a | b)


def _params_similarity(a: dict[str, bytes], b: dict[str, bytes]) -> float:
    if a == b:
        return 1.0
    keys = a.keys() | b.keys()
    return sum(a.get(k) == b.get(k) for k in keys) / len(keys)
