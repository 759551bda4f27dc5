"""`llmcat diff`: what was asked and what was answered differently, call by call.

Two recorded calls are compared as the model sees them (the request view `show
--json` prints and the reassembled `Completion`), not as bytes: each side becomes a
plain tree (`call_tree`), the trees are walked together (`tree_differences`) and
every leaf that differs is a `Difference` named by its path in `show --json`'s
vocabulary (`request.params.temperature`, `response.choices[0].text`, ...).
Volatile paths are pruned by `Ignore` patterns; `--strict` prunes nothing and adds
the container's raw JSON (`raw...`). Directories pair files by relative path, and a
file holding several calls pairs them interaction by interaction (`path#N`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from msgspec import Struct, field
from typing import TYPE_CHECKING, Any

import orjson

from llmcat.model import Need
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.output import Output as RenderOutput

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
    trees: tuple[dict, dict] | None = None  # the compared trees, for the renderer
    calls: tuple[Any, Any] = (None, None)  # the calls themselves (one is None for only-a/only-b)
    chunking: str | None = None  # "chunked differently" when that was not compared
    reason: str | None = None  # why `error`
    failed: str | None = None  # which file the error is about
    input_error: bool = False  # the file was the trouble (not a recording, unreadable), not llmcat


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


def _tool_call_tree(t) -> dict:
    """A tool call as compared: its kind too, and its arguments as a JSON value (key order is not a change)."""
    return {"id": t.id, "name": t.name, "kind": t.kind, "arguments": _json_value(t.arguments)}


def _failure_status(status: int | None) -> int | None:
    return None if status is None or 200 <= status < 300 else status


def call_tree(call) -> dict:
    """The compared shape of one call: `show --json`'s request and answer, plus the raw container."""
    from llmcat.apis import request_view
    from llmcat.render.machine import choice_dict

    rec, completion = call.recording, call.completion
    request = request_view(rec)
    request["messages"] = _arguments_as_json(request["messages"])
    usage = completion.usage
    response = {
        "api": completion.api,
        # Only failures are compared: SDK recorders (llama-stack) store no status for a success,
        # so a 2xx and "not recorded" are the same answer.
        "status": _failure_status(rec.response.status),
        "streaming": rec.response.streaming,
        "chunks": completion.chunks,
        "choices": [choice_dict(c, _tool_call_tree) for c in completion.choices],
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


def compare_calls(call_a, call_b, options: Options, pair: Pair) -> Pair:
    tree_a, tree_b = call_tree(call_a), call_tree(call_b)
    if not options.strict:
        tree_a["raw"] = tree_b["raw"] = None  # never compared: do not walk it
    pair.trees = (tree_a, tree_b)
    pair.differences = tree_differences(tree_a, tree_b, ignore_for(options))
    pair.status = "changed" if pair.differences else "same"
    if not (options.chunks or options.strict):
        pair.chunking = _chunking_note(tree_a["response"], tree_b["response"])
    return pair


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
    (r"request\.messages\b", "messages"),
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


# --- pairing inputs -------------------------------------------------------------------------------


def compare_files(label: str, spec_a: str | None, spec_b: str | None, options: Options) -> Iterator[Pair]:
    """Pairs from two files; a file with several calls pairs them interaction by interaction."""
    calls_a, failed = _read_side(label, spec_a, spec_b, "a")
    if failed:
        yield failed
        return
    calls_b, failed = _read_side(label, spec_a, spec_b, "b")
    if failed:
        yield failed
        return
    if len(calls_a) == 1 and len(calls_b) == 1:  # one call each (`FILE#N` included): compare them
        by_a, by_b, single = {0: calls_a[0]}, {0: calls_b[0]}, True
    else:
        by_a = {c.recording.interaction: c for c in calls_a}
        by_b = {c.recording.interaction: c for c in calls_b}
        single = len(by_a) <= 1 and len(by_b) <= 1 and set(by_a) | set(by_b) <= {0}
    for n in sorted(set(by_a) | set(by_b)):
        suffix = "" if single else f"#{n}"
        pair = Pair(label + suffix, spec_a and spec_a + suffix if n in by_a else None,
                    spec_b and spec_b + suffix if n in by_b else None)
        pair.calls = (by_a.get(n), by_b.get(n))
        if n not in by_b:
            pair.status = "only-a"
        elif n not in by_a:
            pair.status = "only-b"
        else:
            compare_calls(by_a[n], by_b[n], options, pair)
        yield pair


def _read_side(label: str, spec_a: str | None, spec_b: str | None, side: str) -> tuple[list, Pair | None]:
    """Every call in one side's file, or the pair's error (`/dev/null`, as git passes for an added
    or deleted file, has none). diff compares the recordings as stored: the general reader."""
    from llmcat.pipeline import read_one

    spec = spec_a if side == "a" else spec_b
    if spec is None or spec == os.devnull:
        return [], None
    result = read_one(spec, Need.EVERYTHING)
    if result.failure is None:
        return result.value or [], None
    failed = Pair(label, spec_a, spec_b, status="error", reason=result.failure.reason, failed=spec)
    failed.input_error = result.failure.input_error
    return [], failed


def compare_dirs(dir_a: str, dir_b: str, options: Options) -> Iterator[Pair]:
    """Pair recordings by path relative to each directory, recursively."""
    from llmcat.walk import expand

    side_a = {s.relative: s for s in expand([dir_a])}
    side_b = {s.relative: s for s in expand([dir_b])}
    for rel in sorted(set(side_a) | set(side_b)):
        src_a, src_b = side_a.get(rel), side_b.get(rel)
        spec_a = src_a.spec if src_a else None
        spec_b = src_b.spec if src_b else None
        expected = any(s is not None and s.expected for s in (src_a, src_b))
        pairs = list(compare_files(rel, spec_a, spec_b, options))
        if not expected and any(p.status == "error" and p.input_error for p in pairs):
            continue  # a README or a script beside the recordings: not ours to compare
        yield from pairs


def compare_paths(path_a: str, path_b: str, options: Options) -> Iterator[Pair]:
    """Two files, two directories, or a file and a directory (compared with the same name in it, as diff(1) does)."""
    dir_a, dir_b = os.path.isdir(path_a), os.path.isdir(path_b)
    if dir_a and dir_b:
        yield from compare_dirs(path_a, path_b, options)
        return
    if dir_a and not dir_b:
        path_a = os.path.join(path_a, os.path.basename(path_b))
    elif dir_b and not dir_a:
        path_b = os.path.join(path_b, os.path.basename(path_a))
    label = path_a if path_a == path_b else f"{path_a} {path_b}"
    yield from compare_files(label, path_a, path_b, options)


# --- the command ---------------------------------------------------------------------------------

_HEX = re.compile(r"[0-9a-f]{7,64}|\.")
_MODE = re.compile(r"[0-7]{6}|\.")


class Report(Struct):
    """What to say about the pairs (where it goes and in what colour is the `Output`'s business)."""

    as_json: bool = False
    stat: bool = False
    verbose: bool = False
    quiet: bool = False
    word_diff: bool = False


def git_arguments(args: list[str]) -> tuple[str, str, str, str] | None:
    """GIT_EXTERNAL_DIFF's `path old-file old-hex old-mode new-file new-hex new-mode [new-path xfrm]`:
    (old label, old file, new label, new file), or None when `args` are not that."""
    if len(args) not in (7, 9) or not (_HEX.fullmatch(args[2]) and _MODE.fullmatch(args[3])
                                        and _HEX.fullmatch(args[5]) and _MODE.fullmatch(args[6])):
        return None
    old_path, new_path = args[0], args[7] if len(args) == 9 else args[0]
    return f"a/{old_path}", args[1], f"b/{new_path}", args[4]


def run(args: list[str], options: Options, report: Report, output: RenderOutput) -> ExitStatus:
    """`llmcat diff`: the exit status (OK same, DIFFERENT, TROUBLE)."""
    problems = output.problems
    git = git_arguments(args)
    if git is None and len(args) != 2:
        problems.report("diff", f"needs two paths to compare, got {len(args)}")
        return ExitStatus.TROUBLE
    if git is not None:
        label_a, path_a, label_b, path_b = git
        label_a, label_b = (os.devnull if p == os.devnull else label for label, p in ((label_a, path_a), (label_b, path_b)))
        pairs = compare_files(args[0], None if path_a == os.devnull else path_a, None if path_b == os.devnull else path_b, options)
    else:
        label_a = label_b = None
        pairs = compare_paths(args[0], args[1], options)
    mode = "git" if git is not None else "directories" if os.path.isdir(args[0]) and os.path.isdir(args[1]) else "files"
    writer = _Writer(report, output)
    seen: list[Pair] = []
    for pair in pairs:
        seen.append(pair)
        if pair.status == "error":
            if git is not None and pair.input_error:
                pair.status = "changed"  # not a recording: compared as text, and git carries on
                writer.fallback(label_a, path_a, label_b, path_b, pair)
                continue
            problems.report(pair.failed or pair.label, pair.reason or "cannot read")
        writer.pair(pair, mode, label_a, label_b)
    if mode == "directories" or report.stat:
        writer.totals(seen)
    writer.flush()
    if problems.count:
        return ExitStatus.TROUBLE
    if git is not None:
        return ExitStatus.OK  # git stops at the first external diff that exits non-zero
    return ExitStatus.of(False, found=any(p.status != "same" for p in seen))


class _Writer:
    """Where each pair's report goes: JSON Lines, status lines, full diffs, or nothing (-q)."""

    def __init__(self, report: Report, output: RenderOutput) -> None:
        self.report = report
        self.out = output.stdout
        self.console = None
        if output.color and not report.quiet and not report.as_json:
            self.console = output.console()

    def pair(self, pair: Pair, mode: str, label_a: str | None, label_b: str | None) -> None:
        report = self.report
        if report.quiet:
            return
        if report.as_json:
            self._json(pair)
            return
        from llmcat.render import diffview

        if report.stat:
            return
        if mode == "directories":
            lines = [diffview.status_line(pair)]
            if report.verbose and pair.status == "changed":
                lines += diffview.pair_lines(pair, report.word_diff)
        elif pair.status == "error" or (mode == "files" and pair.status == "same" and not pair.chunking):
            return  # errors go to stderr; like diff(1), nothing to say about equal files
        else:
            lines = diffview.pair_lines(pair, report.word_diff, label_a, label_b)
        self._draw(lines)

    def totals(self, pairs: list[Pair]) -> None:
        if self.report.quiet or self.report.as_json:
            return
        from llmcat.render import diffview

        self._draw([diffview.totals_line(pairs)])

    def fallback(self, label_a: str, path_a: str, label_b: str, path_b: str, pair: Pair) -> None:
        """git handed over a file that is not a recording: a plain text diff, as git would print."""
        if self.report.quiet:
            return
        if self.report.as_json:
            self._json(pair)
            return
        from llmcat.render import diffview

        a, b = (_text_of(p) for p in (path_a, path_b))
        lines = [[("header", "--- " + diffview.inline(label_a))], [("header", "+++ " + diffview.inline(label_b))],
                 [("muted", f"note: not a recording ({diffview.inline(pair.reason or '?')}); compared as text")]]
        self._draw(lines + diffview.text_diff(a, b, self.report.word_diff, file_text=True))

    def _json(self, pair: Pair) -> None:
        from llmcat.render.machine import dumps_line

        differences = [{"path": d.path, "a": None if d.a is ABSENT else d.a, "b": None if d.b is ABSENT else d.b}
                       for d in pair.differences]
        self.out.write(dumps_line({"a": pair.a, "b": pair.b, "status": pair.status, "differences": differences}))

    def _draw(self, lines: list) -> None:
        from llmcat.render import diffview

        if self.console is not None:
            self.out.flush()
            diffview.draw(lines, self.console)
        else:
            self.out.write(diffview.plain(lines).encode("utf-8", "backslashreplace"))

    def flush(self) -> None:
        self.out.flush()


def _text_of(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
