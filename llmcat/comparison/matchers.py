"""Each recorder's rules for finding a recording for a request, as named in its own documentation.

`verdict(asked, recorded)` says which of the recording's recorder's rules the request passes:

- vcrpy and pytest-recording: `method`, `scheme`, `host`, `port`, `path`, `query` by default;
  `body` where `match_on` adds it (the query compared as sorted pairs, as vcrpy does);
- Ruby's VCR: `method` and `uri` (the whole URL as text) by default; `body` where configured;
- go-vcr: `method` and `url` (the whole URL as text), its default before v4; v4's default matcher
  (cassettes with interaction ids) compares the `body` and `headers` too;
- llama-stack: the request `hash` its recorder names the file after, recomputed for the request
  with the scheme that reproduces the recording's own name (`formats.llama_stack.hashing`);
- the test proxy (Azure SDK, Microsoft.ClientModel): `method`, `uri`, `headers` (less the ones it
  ignores), `body`;
- nock: `method`, `scope` (scheme, host, port), `path` (with the query), `body` where recorded;
- WireMock: `method`, `url` (as the stub's URL key says), its `headers` matchers where it has any, and its
  body patterns (`equalToJson`, `equalTo`).

A rule the request cannot be judged on (a miss message that gives no body) is None: unknown,
never a pass. Pure functions over `Recording`s; nothing here reads files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from msgspec import Struct, field

from llmcat.comparison.asked import Asked
from llmcat.comparison.nearness import canonical, query_pairs, url_parts
from llmcat.model import Recording


class Verdict(Struct):
    recorder: str  # vcrpy, ruby-vcr, go-vcr, llama-stack, test-proxy, nock
    rules: dict[str, bool | None]  # each rule: passes, fails, or cannot be told (None)
    defaults: tuple[str, ...]  # the rules the recorder applies unless configured otherwise
    replays_once: bool = False  # each recording answers one request (a second identical one misses)
    hashes: dict[str, str | None] | None = None  # llama-stack: {"request", "recording", "scheme", "given"}
    notes: list[str] = field(default_factory=list)

    @property
    def replayed(self) -> bool:
        """Would the recorder, as configured by default, answer the request with this recording?"""
        return bool(self.defaults) and all(self.rules.get(rule) is True for rule in self.defaults)


def recorder_of(rec: Recording) -> str | None:
    """The recorder that wrote a recording, where its rules are known."""
    if rec.format == "vcr":
        request = rec.stored.get("request") if isinstance(rec.stored, dict) else None
        if isinstance(request, dict) and "uri" not in request and "url" in request:
            return "go-vcr"
        return "vcrpy"
    if rec.format in ("wiremock", "wiremock-mappings"):  # one stub a file, or an export of several
        return "wiremock"
    if rec.format in _RULES:
        return rec.format
    return None


def verdict(asked: Asked, recorded: Recording) -> Verdict | None:
    """The rules of `recorded`'s recorder, each judged for the request; None where no rules are known."""
    recorder = recorder_of(recorded)
    if recorder is None:
        return None
    return _RULES[recorder](asked, recorded)


# --- the parts rules compare -------------------------------------------------------------------------


def _known(asked: Asked, part: str, judge: Callable[[], bool | None]) -> bool | None:
    return None if part in asked.missing else judge()


def _method(asked: Asked, recorded: Recording) -> bool | None:
    mine, theirs = asked.recording.request.method, recorded.request.method
    return _known(asked, "method", lambda: (mine or "").upper() == (theirs or "").upper())


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _host_port(url: str | None) -> tuple[str | None, int | None]:
    """The host name and port a URL reaches (the scheme's port where none is written)."""
    if not isinstance(url, str) or not url:
        return None, None
    try:
        parts = urlsplit(url)
        return parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:  # (an invalid port or IPv6 host)
        return None, None


def _url_rules(asked: Asked, recorded: Recording) -> dict[str, bool | None]:
    """vcrpy's URL matchers, each one part of the URL."""
    mine, theirs = asked.recording.request.url, recorded.request.url
    a, b = url_parts(mine), url_parts(theirs)
    return {
        "scheme": _known(asked, "url", lambda: a[0] == b[0]),
        "host": _known(asked, "url", lambda: _host_port(mine)[0] == _host_port(theirs)[0]),
        "port": _known(asked, "url", lambda: _host_port(mine)[1] == _host_port(theirs)[1]),
        "path": _known(asked, "url", lambda: a[2] == b[2]),
        "query": _known(asked, "url", lambda: sorted(query_pairs(a[3])) == sorted(query_pairs(b[3]))),
    }


def _whole_url(asked: Asked, recorded: Recording) -> bool | None:
    return _known(asked, "url", lambda: asked.recording.request.url == recorded.request.url)


def same_body(a: Any, b: Any) -> bool:
    """Two decoded bodies alike: JSON compared as values (key order is not a change), text as text."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return canonical(a) == canonical(b)


def _body(asked: Asked, recorded: Recording) -> bool | None:
    return _known(asked, "body", lambda: same_body(asked.recording.request.body, recorded.request.body))


# Headers a replay never compares: they change with every run, or are credentials the recording hides.
_VOLATILE_HEADERS = frozenset({
    "authorization", "api-key", "x-api-key", "cookie", "date", "user-agent", "content-length", "traceparent",
    "request-id", "x-ms-client-request-id", "x-ms-date", "x-request-id", "accept-encoding", "connection", "host",
})


def request_headers(rec: Recording) -> dict[str, str]:
    """A recording's request headers, lower-cased, as its container stores them."""
    from llmcat.validation.secrets import recorded_headers

    return {name: value for side, name, value in recorded_headers(rec.stored) if side in ("request", "headers")}


def compared_headers(asked: Asked, recorded: Recording) -> tuple[dict[str, str], dict[str, str]] | None:
    """(the recording's, the request's) headers as a recorder that compares headers does: the volatile
    ones left out; None when the request gives none."""
    if asked.headers is None:
        return None

    def kept(headers: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in headers.items() if k not in _VOLATILE_HEADERS and not k.startswith("x-stainless")}

    return kept(request_headers(recorded)), kept(asked.headers)


def _headers(asked: Asked, recorded: Recording) -> bool | None:
    both = compared_headers(asked, recorded)
    return None if both is None else both[0] == both[1]


# --- each recorder ---------------------------------------------------------------------------------------


def _vcrpy(asked: Asked, recorded: Recording) -> Verdict:
    rules = {"method": _method(asked, recorded), **_url_rules(asked, recorded), "body": _body(asked, recorded)}
    return Verdict("vcrpy", rules, ("method", "scheme", "host", "port", "path", "query"), replays_once=True)


def _ruby_vcr(asked: Asked, recorded: Recording) -> Verdict:
    rules = {"method": _method(asked, recorded), "uri": _whole_url(asked, recorded), "body": _body(asked, recorded)}
    return Verdict("ruby-vcr", rules, ("method", "uri"), replays_once=True)


def _go_vcr(asked: Asked, recorded: Recording) -> Verdict:
    rules = {"method": _method(asked, recorded), "url": _whole_url(asked, recorded)}
    defaults: tuple[str, ...] = ("method", "url")
    if isinstance(recorded.stored, dict) and "id" in recorded.stored:  # v4 numbers its interactions
        rules |= {"body": _body(asked, recorded), "headers": _headers(asked, recorded)}
        defaults += ("body", "headers")
    return Verdict("go-vcr", rules, defaults, replays_once=True)


def _test_proxy(asked: Asked, recorded: Recording) -> Verdict:
    rules = {"method": _method(asked, recorded), "uri": _whole_url(asked, recorded),
             "headers": _headers(asked, recorded), "body": _body(asked, recorded)}
    return Verdict("test-proxy", rules, ("method", "uri", "headers", "body"), replays_once=True)


def _nock(asked: Asked, recorded: Recording) -> Verdict:
    mine, theirs = url_parts(asked.recording.request.url), url_parts(recorded.request.url)
    rules = {"method": _method(asked, recorded),
             "scope": _known(asked, "url", lambda: (mine[0], *_host_port(asked.recording.request.url))
                             == (theirs[0], *_host_port(recorded.request.url))),
             "path": _known(asked, "url", lambda: (mine[2], mine[3]) == (theirs[2], theirs[3]))}
    defaults: tuple[str, ...] = ("method", "scope", "path")
    if recorded.request.body is not None:  # a recorded body is matched; none matches any
        rules["body"] = _body(asked, recorded)
        defaults += ("body",)
    return Verdict("nock", rules, defaults, replays_once=True)


def _llama_stack(asked: Asked, recorded: Recording) -> Verdict:
    from llmcat.formats.llama_stack import hashing

    name = os.path.basename(recorded.source)
    own = hashing.name_hash(name)
    out = Verdict("llama-stack", {"hash": None}, ("hash",))
    try:
        scheme = hashing.matching_scheme(name, recorded.stored) if own else None
    except ValueError:
        scheme = None
    mine = dict(_hashes(asked, recorded))
    if own is not None and scheme is None:
        out.notes.append("the recording's file name matches no known llama-stack hash scheme")
    chosen = scheme if scheme in mine else ("legacy" if own is not None and len(own) == 12 else "current-normalised")
    recomputed = mine.get(chosen)
    out.hashes = {"request": recomputed, "recording": own, "scheme": chosen, "given": asked.given_hash}
    if asked.given_hash is not None and own is not None:
        out.rules["hash"] = own.startswith(asked.given_hash) or asked.given_hash.startswith(own)
    elif recomputed is not None and own is not None:
        out.rules["hash"] = recomputed == own
    if recomputed is not None and not _has_test_id(asked) and "test_id" not in _scheme_free(chosen):
        out.notes.append("hash computed with the recording's test id: the request names none")
    return out


def _scheme_free(scheme: str) -> str:
    """What a scheme leaves out: legacy and shared model lists hash no test id."""
    return "test_id" if scheme == "legacy" or scheme.endswith("-shared") else ""


def _has_test_id(asked: Asked) -> bool:
    return asked.recording.request.test_id is not None


def _hashes(asked: Asked, recorded: Recording) -> Iterable[tuple[str, str]]:
    """The hashes the request would be filed under, scheme by scheme (empty when it lacks the parts hashed)."""
    from llmcat.formats.llama_stack import hashing

    raw = asked.recording.stored
    if not (asked.recording.format == "llama-stack" and hashing.has_scheme(raw)):
        if "body" in asked.missing or "url" in asked.missing:
            return []
        request = asked.recording.request
        test_id = request.test_id if request.test_id is not None else recorded.request.test_id
        raw = {"test_id": test_id, "request": {"method": request.method, "url": request.url, "body": request.body}}
    try:
        return list(hashing.candidate_hashes(raw))
    except (TypeError, ValueError, RecursionError):  # a body JSON cannot encode: no hash to compare
        return []


def _wiremock(asked: Asked, recorded: Recording) -> Verdict:
    """WireMock matches a stub's method (ANY: any), its URL as the stub's key says (`url`: path and query
    exactly, `urlPath`: the path, `urlPattern`/`urlPathPattern`: a regex over them, `urlPathTemplate`:
    `{name}` parts), and its body patterns (`equalToJson`, with the recorder's `ignoreArrayOrder` and
    `ignoreExtraElements`; `equalTo`). A stub answers as often as asked."""
    stub = recorded.stored.get("request") if isinstance(recorded.stored, dict) else None
    stub = stub if isinstance(stub, dict) else {}
    method = stub.get("method")
    rules: dict[str, bool | None] = {
        "method": _known(asked, "method", lambda: method == "ANY" or str(method).upper() == (asked.recording.request.method or ""))}
    _, _, path, query = url_parts(asked.recording.request.url)
    key = next((k for k in ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate") if isinstance(stub.get(k), str)), None)
    if key is not None:
        rules["url"] = _known(asked, "url", lambda: _url_matches(key, stub[key], path, query))
    if isinstance(stub.get("headers"), dict) and stub["headers"]:
        rules["headers"] = _stub_headers(stub["headers"], asked.headers)
    for pattern in stub.get("bodyPatterns") or []:
        if isinstance(pattern, dict) and ("equalToJson" in pattern or "equalTo" in pattern):
            name = "equalToJson" if "equalToJson" in pattern else "equalTo"
            rules[name] = _known(asked, "body", partial(_body_matches, name, pattern, asked.recording.request.body))
    return Verdict("wiremock", rules, tuple(rules))


def _url_matches(key: str, expected: str, path: str, query: str) -> bool | None:
    whole = path + ("?" + query if query else "")
    if key == "url":
        return expected == whole
    if key == "urlPath":
        return expected == path
    if key == "urlPathTemplate":
        parts, wanted = path.split("/"), expected.split("/")
        return len(parts) == len(wanted) and all(w == p or (w.startswith("{") and w.endswith("}"))
                                                 for w, p in zip(wanted, parts, strict=True))
    import re

    if len(expected) > 2000 or len(whole) > 10000:  # (a stranger's regex over a long text: not risked)
        return None
    try:
        return re.fullmatch(expected, whole if key == "urlPattern" else path) is not None
    except re.error:
        return None  # (Java's regex syntax where Python's differs: not judged)


def _stub_headers(wanted: dict, given: dict[str, str] | None) -> bool | None:
    """A stub's header matchers (`equalTo`, `contains`, `absent`), each judged; one of another kind is not judged."""
    if given is None:
        return None
    for name, matcher in wanted.items():
        value = given.get(str(name).lower())
        if not isinstance(matcher, dict):
            return None
        if "equalTo" in matcher:
            passed = value == matcher["equalTo"]
        elif "contains" in matcher:
            passed = value is not None and str(matcher["contains"]) in value
        elif "absent" in matcher:
            passed = (value is None) == bool(matcher["absent"])
        else:
            return None
        if not passed:
            return False
    return True


def _body_matches(name: str, pattern: dict, body: Any) -> bool:
    from llmcat.formats._http import json_or_text

    expected = pattern[name]
    if name == "equalTo":
        return isinstance(body, str) and body == expected or canonical(json_or_text(expected)) == canonical(body)
    expected = json_or_text(expected) if isinstance(expected, str) else expected
    return _json_matches(expected, body, bool(pattern.get("ignoreExtraElements")), bool(pattern.get("ignoreArrayOrder")))


_ANY = {"${json-unit.ignore}": lambda v: True, "${json-unit.any-string}": lambda v: isinstance(v, str),
        "${json-unit.any-number}": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "${json-unit.any-boolean}": lambda v: isinstance(v, bool)}


def _json_matches(expected: Any, actual: Any, extra: bool, any_order: bool) -> bool:
    """WireMock's equalToJson: the same JSON, placeholders (`${json-unit.any-string}`) standing for any value
    of their kind; with `extra`, keys and items the stub does not name are allowed; with `any_order`, arrays in any order."""
    if isinstance(expected, str) and expected in _ANY:
        return _ANY[expected](actual)
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or not (extra or set(actual) <= set(expected)):
            return False
        return all(k in actual and _json_matches(v, actual[k], extra, any_order) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) < len(expected) or (len(actual) > len(expected) and not extra):
            return False
        if not any_order:
            return all(_json_matches(e, a, extra, any_order) for e, a in zip(expected, actual, strict=False))
        left = list(actual)
        for item in expected:
            found = next((n for n, a in enumerate(left) if _json_matches(item, a, extra, any_order)), None)
            if found is None:
                return False
            left.pop(found)
        return True
    return expected == actual and isinstance(expected, bool) == isinstance(actual, bool)


_RULES: dict[str, Callable[[Asked, Recording], Verdict]] = {
    "vcrpy": _vcrpy, "ruby-vcr": _ruby_vcr, "go-vcr": _go_vcr, "llama-stack": _llama_stack,
    "test-proxy": _test_proxy, "nock": _nock, "wiremock": _wiremock,
}


def copies(asked: Asked, recordings: Iterable[Recording]) -> int:
    """How many recordings of one file the recorder would answer the request with (its default rules)."""
    found = 0
    for rec in recordings:
        judged = verdict(asked, rec)
        found += judged is not None and judged.replayed
    return found
