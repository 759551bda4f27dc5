"""Which call on one side is which call on the other, when their files were renamed.

A re-recorded suite often renames every file: llama-stack names a recording after a
hash of its request, and changed the scheme (and its folder layout) over time; a VCR
cassette is renamed with its test. What stays is the call itself: the test that made
it and the request it sent. Calls left over after pairing by path are paired by:

1. the same test id and the same request (method, endpoint, model, body normalised as
   llama-stack's recorder normalises it, volatile ids left out);
2. else the same request alone;
3. else the same test id and endpoint.

Each stage pairs only keys that are one-to-one among the calls still unpaired: a
request recorded under several test ids (common in llama-stack suites) is never
guessed at. A multi-call file's repeats of one request are told apart by their
order in the file (the 2nd identical request of a cassette pairs with the 2nd).
Where a stage's key is shared by several calls, the server's host (the same model
list asked of two providers) and then an identical answer (the same call recorded
twice) may still tell them apart, one-to-one as ever.

Pure functions over `Recording`s and a digest of each answer; nothing here reads files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlparse

import orjson

from llmcat.formats.llama_stack.hashing import normalize_body

# Ids a recorder makes up for each run: they differ between two recordings of one request.
_VOLATILE_KEYS = frozenset({"tool_call_id", "call_id", "previous_response_id"})


class Identity(NamedTuple):
    """What names one call, whatever its file is called."""

    test_id: str | None
    request: bytes | None  # the normalised request as canonical JSON; None when it cannot be written
    endpoint: str | None
    occurrence: int  # how many earlier calls of the same file sent the same request
    host: str | None = None  # the server asked (a URL's host), where recorded
    answer: bytes | None = None  # a digest of what was answered, to tell apart calls that share a key


def host_of(request: Any) -> str | None:
    if isinstance(request.url, str) and request.url:
        try:
            return urlparse(request.url).netloc.lower() or None
        except ValueError:
            return None
    return None


def endpoint_of(request: Any) -> str | None:
    if request.endpoint:
        return request.endpoint
    if isinstance(request.url, str) and request.url:
        return urlparse(request.url).path or None
    return None


def request_key(request: Any) -> bytes | None:
    """The request as canonical JSON: method, endpoint, model and the normalised body."""
    try:
        body = _without_volatile_ids(normalize_body(request.body))
        return orjson.dumps([str(request.method or "POST").upper(), endpoint_of(request), request.model, body],
                            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=repr)
    except (TypeError, ValueError, RecursionError):  # a body JSON cannot hold: not pairable by request
        return None


def _without_volatile_ids(value: Any, in_tool_calls: bool = False) -> Any:
    if isinstance(value, dict):
        return {k: _without_volatile_ids(v, k == "tool_calls") for k, v in value.items()
                if k not in _VOLATILE_KEYS and not (in_tool_calls and k == "id")}
    if isinstance(value, list):
        return [_without_volatile_ids(v, in_tool_calls) for v in value]
    return value


def answer_digest(tree: dict) -> bytes | None:
    """What was answered (texts, tools called and with what, finish, error, an answer's details), as a
    digest: two calls that share every other key are told apart by it. Ids and timing are left out."""
    response = tree["response"]
    answer = [response["api"], response["error"], response["details"],
              [[c["text"], c["reasoning"], c["refusal"], c["finish_reason"],
                [[t["name"], t["arguments"]] for t in c["tool_calls"]]] for c in response["choices"]]]
    try:
        return hashlib.blake2b(orjson.dumps(answer, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                                            default=repr), digest_size=16).digest()
    except (TypeError, orjson.JSONEncodeError):  # (nesting past what orjson writes): not told apart this way
        return None


def identities(recordings: Sequence[Any]) -> list[Identity]:
    """The identity of each call of one file, in order (repeats of a request numbered)."""
    seen: dict[bytes | None, int] = {}
    out = []
    for rec in recordings:
        key = request_key(rec.request)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out.append(Identity(rec.request.test_id, key, endpoint_of(rec.request), occurrence, host_of(rec.request)))
    return out


def _refined(stage: Callable[[Identity], Hashable | None]) -> tuple[Callable[[Identity], Hashable | None], ...]:
    """A stage, then the same key with the host, then with the answer too: each pairs what the coarser left."""
    def with_host(i: Identity) -> Hashable | None:
        key = stage(i)
        return None if key is None or i.host is None else (key, i.host)

    def with_answer(i: Identity) -> Hashable | None:
        key = with_host(i) if i.host is not None else stage(i)
        return None if key is None or i.answer is None else (key, i.answer)

    return stage, with_host, with_answer


# Each stage's key, or None when the call cannot be paired that way.
STAGES: tuple[Callable[[Identity], Hashable | None], ...] = (
    *_refined(lambda i: None if i.request is None else (i.test_id, i.request, i.occurrence)),
    *_refined(lambda i: None if i.request is None else (i.request, i.occurrence)),
    *_refined(lambda i: None if i.test_id is None or i.endpoint is None else (i.test_id, i.endpoint)),
)


def match(side_a: Sequence[Identity], side_b: Sequence[Identity]) -> list[tuple[int, int]]:
    """(index in a, index in b) of the calls paired by identity, stage after stage, one-to-one only."""
    left_a, left_b = set(range(len(side_a))), set(range(len(side_b)))
    pairs: list[tuple[int, int]] = []
    for stage in STAGES:
        by_key_a = _by_key(stage, side_a, left_a)
        by_key_b = _by_key(stage, side_b, left_b)
        for key, found_a in by_key_a.items():
            found_b = by_key_b.get(key)
            if len(found_a) == 1 and found_b is not None and len(found_b) == 1:
                pairs.append((found_a[0], found_b[0]))
                left_a.discard(found_a[0])
                left_b.discard(found_b[0])
    return sorted(pairs)


def _by_key(stage: Callable[[Identity], Hashable | None], side: Sequence[Identity], left: set[int]) -> dict[Hashable, list[int]]:
    grouped: dict[Hashable, list[int]] = {}
    for n in sorted(left):
        key = stage(side[n])
        if key is not None:
            grouped.setdefault(key, []).append(n)
    return grouped
