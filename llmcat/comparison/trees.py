"""Comparing two recorded calls as the model sees them: what `diff` reports, without drawing it.

Each side becomes a plain tree (`call_tree`: the request view `show --json` prints and
the reassembled `Completion`), the trees are walked together (`tree_differences`) and
every leaf that differs is a `Difference` named by its path in `show --json`'s
vocabulary (`request.params.temperature`, `response.choices[0].text`, ...).
Volatile paths are pruned by `Ignore` patterns; `--strict` prunes nothing and adds
the container's raw JSON (`raw...`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import orjson
from msgspec import Struct, field

if TYPE_CHECKING:
    from llmcat.model import ToolCall
    from llmcat.reading.pipeline import Call

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT", "__bool__": lambda self: False})()

# What a re-recording changes without changing the call. Matched against difference paths:
# `[*]` is any index, `*` any part of one key, `**` any depth. `--strict` drops them all.
VOLATILE = (
    "response.timing",  # time_info, Ollama durations: never the same twice
    "response.usage.raw",  # the provider's own usage object; the three counts are compared
    "response.choices[*].tool_calls[*].id",  # call_… ids are random per recording
    "request.messages[*].tool_calls[*].id",  # ...and come back in the next turn's messages
    "request.messages[*].tool_call_id",
    "request.messages[*].call_id",
    "request.transcript[*].id",  # tool calls and the results that answer them, in the normalised transcript
    "request.transcript[*].signed",  # Gemini's thought signatures ride on blocks: an attribute, no content
    "response.details.**.id",  # bodies shown raw (tool results, unknown APIs): ids and stamps
    "response.details.**.created",
    "response.details.**.created_at",
    "response.details.**.*_duration",
    "response.details.**.system_fingerprint",
    "raw",  # the container's JSON (response ids, `created`, `system_fingerprint`, `obfuscation`, `rec-…`)
)
# Chunking: compared with `--chunks` (and `--strict`), otherwise only mentioned.
CHUNKING = ("response.streaming", "response.chunks", "request.params.stream", "request.params.stream_options")

# Values compared whole, never walked into (a tool call's arguments are one JSON value).
_ATOMIC = re.compile(r"\.arguments$")


class Difference(Struct):
    path: str
    a: Any  # ABSENT when the path exists only in b
    b: Any


class Options(Struct):
    strict: bool = False
    chunks: bool = False
    ignore: tuple[str, ...] = ()


class Pair(Struct):
    """One compared pair: two calls, or a path present on one side only, or one that failed."""

    label: str  # relative path (directories) or the paths as given; `#N` for one call of several
    a: str | None  # the path on side a, as the user can open it (`FILE#N` for one call of several)
    b: str | None
    status: str = "same"  # same | changed | only-a | only-b | error
    differences: list[Difference] = field(default_factory=list)
    trees: tuple[dict | None, dict | None] | None = None  # the compared trees (one None for only-a/only-b), for the renderer
    calls: tuple[Any, Any] = (None, None)  # the calls themselves (one is None for only-a/only-b)
    chunking: str | None = None  # "chunked differently" when that was not compared
    reason: str | None = None  # why `error`
    failed: str | None = None  # which file the error is about
    input_error: bool = False  # the file was the trouble (not a recording, unreadable), not llmcat
    renamed_to: str | None = None  # b's relative path when the pair was found by identity under another name
    secrets: tuple[str, ...] = ()  # credentials recorded in either call (found where read): never printed whole
    unsearched: tuple[str, ...] = ()  # the calls (`FILE#N`) whose credentials are still to be looked for


class Ignore:
    """Path patterns; a pattern also covers everything below the path it names."""

    def __init__(self, patterns: tuple[str, ...] | list[str]) -> None:
        self.patterns = tuple(patterns)
        self._regex = re.compile("|".join(f"(?:{_pattern_regex(p)})" for p in self.patterns)) if self.patterns else None

    def __call__(self, path: str) -> bool:
        return self._regex is not None and self._regex.match(path) is not None


def _pattern_regex(pattern: str) -> str:
    regex = re.escape(pattern)
    regex = regex.replace(r"\.\*\*", "\x00")  # `.**` : any depth, including none
    regex = regex.replace(r"\[\*\]", r"\[\d+\]").replace(r"\*", r"[^.\[\]]*")
    regex = regex.replace("\x00", r"(?:[.\[].*)?")
    return regex + r"(?=$|[.\[])"


def ignore_for(options: Options) -> Ignore:
    patterns: list[str] = []
    if not options.strict:
        patterns += VOLATILE
        if not options.chunks:
            patterns += CHUNKING
    return Ignore(patterns + list(options.ignore))


# --- one call as a tree -------------------------------------------------------------------------


def _tool_call_tree(t: ToolCall) -> dict:
    """A tool call as compared: its kind too, and its arguments as a JSON value (key order is not a change)."""
    return {"id": t.id, "name": t.name, "kind": t.kind, "arguments": _json_value(t.arguments)}


def _failure_status(status: int | None) -> int | None:
    return None if status is None or 200 <= status < 300 else status


def call_tree(call: Call, strict: bool = False) -> dict:
    """The compared shape of one call: `show --json`'s request (a chat's conversation normalised, see
    `shape.compared_request`) and answer, plus the raw container."""
    from llmcat.reading.shape import choice_dict, compared_request

    rec, completion = call.recording, call.completion
    request = compared_request(rec, completion.api, strict)
    request["messages"] = _arguments_as_json(request["messages"])
    if request.get("transcript") is not None:
        request["transcript"] = _arguments_as_json(request["transcript"])
    usage = completion.usage
    choices = [choice_dict(c, _tool_call_tree) for c in completion.choices]
    response = {
        "api": completion.api,
        # Only failures are compared: SDK recorders (llama-stack) store no status for a success,
        # so a 2xx and "not recorded" are the same answer.
        "status": _failure_status(rec.response.status),
        "streaming": rec.response.streaming,
        "chunks": completion.chunks,
        "choices": choices,
        "usage": None if usage is None else {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
            "raw": usage.reported,
        },
        "error": completion.error,
        "details": completion.details,
        "timing": completion.timing,
    }
    if strict:  # the answers' blocks in order (server tools' results included): compared only under --strict
        from llmcat.apis._conversation import answer_blocks
        from llmcat.reading.shape import block_dict

        for choice, blocks in zip(choices, answer_blocks(rec, completion), strict=True):
            choice["blocks"] = _arguments_as_json([block_dict(b) for b in blocks])
    return {"request": request, "response": response, "raw": rec.stored}


def _json_value(text: str) -> Any:
    """Tool arguments are JSON text: compared as the value they denote (key order, spacing irrelevant)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text  # cut short or not JSON: compared as sent


def _arguments_as_json(value: Any) -> Any:
    """Earlier turns' tool calls in the messages carry JSON-text arguments too."""
    if isinstance(value, list):
        return [_arguments_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) if k == "arguments" and isinstance(v, str) else _arguments_as_json(v) for k, v in value.items()}
    return value


# --- comparing trees ------------------------------------------------------------------------------


def tree_differences(a: Any, b: Any, ignore: Ignore, path: str = "") -> list[Difference]:
    out: list[Difference] = []
    _walk(a, b, path, ignore, out)
    return out


def _walk(a: Any, b: Any, path: str, ignore: Ignore, out: list[Difference]) -> None:
    if path and ignore(path):
        return
    if isinstance(a, dict) and isinstance(b, dict) and not _ATOMIC.search(path):
        for key in list(a) + [k for k in b if k not in a]:
            _walk(a.get(key, ABSENT), b.get(key, ABSENT), f"{path}.{key}" if path else str(key), ignore, out)
    elif isinstance(a, list) and isinstance(b, list) and not _ATOMIC.search(path):
        for n in range(max(len(a), len(b))):
            _walk(a[n] if n < len(a) else ABSENT, b[n] if n < len(b) else ABSENT, f"{path}[{n}]", ignore, out)
    elif not _same(a, b):
        out.append(Difference(path, _prune(a, path, ignore), _prune(b, path, ignore)))


def _prune(value: Any, path: str, ignore: Ignore) -> Any:
    """A whole object added or removed, without its ignored parts (a new choice's usage.reported, tool-call ids)."""
    if _ATOMIC.search(path):
        return value
    if isinstance(value, dict):
        return {k: _prune(v, f"{path}.{k}", ignore) for k, v in value.items() if not ignore(f"{path}.{k}")}
    if isinstance(value, list):
        return [_prune(v, f"{path}[{n}]", ignore) for n, v in enumerate(value) if not ignore(f"{path}[{n}]")]
    return value


def _same(a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return a is b
    return a == b and isinstance(a, bool) == isinstance(b, bool)  # JSON true is not 1


def compare_calls(call_a: Call, call_b: Call, options: Options, pair: Pair) -> Pair:
    return compare_shapes(compared_tree(call_a, options), compared_tree(call_b, options), options, pair)


def compared_tree(call: Call, options: Options) -> dict:
    """`call_tree` as a comparison under `options` walks it (the raw JSON only with --strict)."""
    tree = call_tree(call, options.strict)
    if not options.strict:
        tree["raw"] = None  # never compared: do not walk it (nor send it between processes)
    return tree


def compare_shapes(tree_a: dict, tree_b: dict, options: Options, pair: Pair) -> Pair:
    """Two calls' `compared_tree`s compared (made where their files were read, for a suite)."""
    pair.trees = (tree_a, tree_b)
    if not options.strict and (tree_a["request"].get("test_id") is None or tree_b["request"].get("test_id") is None):
        # a recorder that stores no test id (llama-stack's legacy layout) says nothing about the test
        tree_a = {**tree_a, "request": {**tree_a["request"], "test_id": None}}
        tree_b = {**tree_b, "request": {**tree_b["request"], "test_id": None}}
    pair.differences = [] if _identical(tree_a, tree_b) else tree_differences(tree_a, tree_b, ignore_for(options))
    pair.status = "changed" if pair.differences else "same"
    if not (options.chunks or options.strict):
        pair.chunking = _chunking_note(tree_a["response"], tree_b["response"])
    return pair


def _identical(a: dict, b: dict) -> bool:
    """The same JSON text, so no difference to look for (most pairs of a renamed suite): serialising
    in C is ~10x quicker than walking. JSON text tells true from 1 and 1 from 1.0, as the walk does;
    what JSON cannot hold (a key that is not a string, bytes) is left to the walk."""
    try:
        return orjson.dumps(a) == orjson.dumps(b)
    except (TypeError, orjson.JSONEncodeError):
        return False


def _chunking_note(a: dict, b: dict) -> str | None:
    if (a["streaming"], a["chunks"]) == (b["streaming"], b["chunks"]):
        return None

    def side(r: dict) -> str:
        return f"{r['chunks']} chunk{'s' if r['chunks'] != 1 else ''}, {'streamed' if r['streaming'] else 'not streamed'}"

    return f"chunked differently ({side(a)} vs {side(b)}); not a difference without --chunks"


# --- which parts changed -----------------------------------------------------------------------

_PARTS = (  # path prefix -> part name, first match wins
    (r"request\.(method|url|endpoint)\b", "call"),
    (r"request\.model\b", "model"),
    (r"request\.test_id\b", "test"),
    (r"request\.params\.tools\b", "tools"),
    (r"request\.params\.(stream|stream_options)\b", "chunks"),
    (r"request\.params\b", "params"),
    (r"request\.prompt\b", "prompt"),
    (r"request\.(messages|transcript)\b", "messages"),
    (r"response\.api\b", "api"),
    (r"response\.status\b", "status"),
    (r"response\.(streaming|chunks)\b", "chunks"),
    (r"response\.choices\[\d+\]\.text\b", "text"),
    (r"response\.choices\[\d+\]\.reasoning\b", "reasoning"),
    (r"response\.choices\[\d+\]\.refusal\b", "refusal"),
    (r"response\.choices\[\d+\]\.tool_calls\b", "tool calls"),
    (r"response\.choices\[\d+\]\.finish_reason\b", "finish"),
    (r"response\.choices\b", "choices"),
    (r"response\.usage\b", "usage"),
    (r"response\.error\b", "error"),
    (r"response\.details\b", "result"),
    (r"response\.timing\b", "timing"),
    (r"raw\b", "raw"),
)
_PART_RES = [(re.compile(p), name) for p, name in _PARTS]
PART_ORDER = [name for _, name in _PARTS]


def part_of(path: str) -> str:
    for regex, name in _PART_RES:
        if regex.match(path):
            return name
    return path.split(".")[0]


def parts(differences: list[Difference]) -> list[str]:
    found = {part_of(d.path) for d in differences}
    return sorted(found, key=lambda p: PART_ORDER.index(p) if p in PART_ORDER else len(PART_ORDER))
