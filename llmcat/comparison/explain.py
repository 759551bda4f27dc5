"""Why a replay found no recording: the recorded calls nearest to each request, and how each differs.

Two passes over a suite. The first reads every file where it is read (in forked readers for a
suite, as `ls` does) and keeps, for each request, the few calls of the file nearest to it
(`nearness.similarity`): only numbers travel back. The second reads again the few files that hold
the nearest calls, and says of each: which of its recorder's rules the request passes
(`matchers.verdict`), and what differs, as `diff` names it — `request.messages[3].content`,
`request.params.temperature`, `request.query.api-version`, `request.tools[+get_time]`
(a = the recording, b = the request), the volatile ids `diff` ignores left out unless nothing else differs.

Nothing here draws (that is render/explain_view.py's).
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any

import orjson
from msgspec import Struct, field

from llmcat.apis import request_view
from llmcat.comparison.asked import Asked
from llmcat.comparison.matchers import Verdict, compared_headers, copies, verdict
from llmcat.comparison.nearness import Fingerprint, canonical, fingerprint, query_pairs, similarity, tools_by_name, url_parts
from llmcat.comparison.trees import ABSENT, VOLATILE, Difference, Ignore, tree_differences
from llmcat.model import Need, Recording
from llmcat.reading.pipeline import Call, FileResult, Work, read, read_one
from llmcat.reading.walk import Source


class Candidate(Struct):
    """One recorded call near a request, judged."""

    source: str
    interaction: int
    label: str  # `path#N` for one call of several
    format: str
    score: float
    verdict: Verdict | None  # None: no replay rules are known for its recorder
    differences: list[Difference] = field(default_factory=list)
    volatile_only: bool = False  # the differences are only what `diff` ignores (ids)
    copies: int | None = None  # recordings of the request in the file, where its recorder replays each once
    recording: Recording | None = None

    @property
    def exact(self) -> bool:
        return not self.differences and (self.verdict is None or self.verdict.replayed)


class Explained(Struct):
    asked: Asked
    candidates: list[Candidate]
    searched: int = 0  # calls compared with the request
    occurrence: int = 1  # a recording REQUEST asking the same thing again: which time this is
    used_up: bool = False  # matched exactly, but by fewer recordings than the times it is asked (replayed once each)

    @property
    def exact(self) -> bool:
        return not self.used_up and any(c.exact for c in self.candidates)


# --- the first pass: scores, where each file is read -------------------------------------------------


Pick = tuple[float, int]  # (score, interaction)


class NearestWork(Work[tuple[int, list[list[Pick]]]]):
    """Each file's calls scored against every request: how many calls, and the `keep` best of the file for each."""

    in_blocks = True
    need = Need.COUNTS  # the request is all that is compared: the fast reader's answers will do

    def __init__(self, prints: list[Fingerprint], keep: int) -> None:
        self.prints = prints
        self.keep = keep

    def digest(self, source: Source, calls: list[Call]) -> tuple[int, list[list[Pick]]]:
        mine = [fingerprint(call.recording) for call in calls]
        negated = [-call.recording.interaction for call in calls]  # ties: the earlier call
        return len(calls), [[(score, -n) for score, n in
                             heapq.nlargest(self.keep, zip(map(similarity, repeat(wanted), mine), negated, strict=True))]
                            for wanted in self.prints]


def asked_print(asked: Asked) -> Fingerprint:
    return fingerprint(asked.recording, asked.missing)


class Nearest(Struct):
    """The first pass's answer: for each request, its nearest calls as (score, file, interaction), best first."""

    picks: list[list[tuple[float, Source, int]]]
    searched: int


def nearest(asked: list[Asked], files: list[Source], keep: int, failed: Callable[[FileResult], None],
            progress: Callable[[int], None] | None = None) -> Nearest:
    """Read every file once; `failed` is told of each that could not be read."""
    work = NearestWork([asked_print(a) for a in asked], keep)
    best: list[list[tuple[float, bool, int, int, Source]]] = [[] for _ in asked]
    names = [os.path.basename(a.recording.source) if a.origin == "recording" else None for a in asked]
    searched = 0
    for order, result in enumerate(read(files, work, progress)):
        if result.failure is not None or result.value is None:
            if result.failure is not None:
                failed(result)
            continue
        count, per_request = result.value
        searched += count
        name = os.path.basename(result.source.spec)
        for n, picks in enumerate(per_request):
            for score, interaction in picks:
                # ties (the same request recorded twice): a file named as the REQUEST's (the cassette the test
                # re-recorded), then the earlier file, then the earlier call (negated: the heap drops the least)
                heapq.heappush(best[n], (score, name == names[n], -order, -interaction, result.source))
                if len(best[n]) > keep:
                    heapq.heappop(best[n])
    ranked = [[(score, source, -interaction) for score, _, _, interaction, source in sorted(found, reverse=True)]
              for found in best]
    return Nearest(ranked, searched)


def searchable(files: list[Source], asked_specs: list[str]) -> list[Source]:
    """The suite's files less the REQUEST files themselves (a fresh cassette under PATH would match itself)."""
    own = {os.path.realpath(spec) for spec in asked_specs if spec != "-" and os.path.exists(spec)}
    if not own:
        return files
    return [source for source in files if source.spec == "-" or os.path.realpath(source.spec) not in own]


# --- the second pass: each candidate judged -------------------------------------------------------------


class Reread:
    """The files holding candidates, read once more, whole (the first pass kept no calls); the last
    `KEEP` of them kept, for the next request's candidates are often the same files."""

    KEEP = 32

    def __init__(self) -> None:
        self._files: dict[str, list[Call] | str] = {}

    def calls(self, spec: str) -> list[Call] | str:
        """The file's calls, or why it cannot be read now."""
        found = self._files.pop(spec, None)
        if found is None:
            result = read_one(spec, Need.EVERYTHING)
            found = result.failure.reason if result.failure is not None else result.value or []
        self._files[spec] = found  # (last used last: the first is the one to forget)
        if len(self._files) > self.KEEP:
            del self._files[next(iter(self._files))]
        return found


def explain(asked: Asked, picks: list[tuple[float, Source, int]], reread: Reread, searched: int = 0) -> Explained:
    out = Explained(asked, [], searched)
    for score, source, interaction in picks:
        calls = reread.calls(source.spec)
        if isinstance(calls, str):
            continue  # (changed since the first pass: passed over, as a file gone from a walk)
        call = next((c for c in calls if c.recording.interaction == interaction), None)
        if call is not None:
            out.candidates.append(judged(asked, call.recording, score, [c.recording for c in calls]))
    out.candidates.sort(key=lambda c: (not c.exact, -c.score))
    return out


def judged(asked: Asked, recorded: Recording, score: float, neighbours: list[Recording]) -> Candidate:
    """One candidate: its recorder's rules, and what differs."""
    found = verdict(asked, recorded)
    differences = _differences(recorded, asked.recording, asked.missing)
    volatile_only = False
    if not differences:
        differences = _differences(recorded, asked.recording, asked.missing, strict=True)
        volatile_only = bool(differences)
    if found is not None and found.rules.get("headers") is False and found.recorder != "wiremock":  # (say which)
        differences = differences + _header_differences(asked, recorded)
    candidate = Candidate(recorded.source, recorded.interaction, recorded.label, recorded.format, score, found,
                          differences, volatile_only, recording=recorded)
    if found is not None and found.replays_once and found.replayed:
        candidate.copies = copies(asked, neighbours)
    return candidate


def _header_differences(asked: Asked, recorded: Recording) -> list[Difference]:
    both = compared_headers(asked, recorded)
    if both is None:
        return []
    a, b = both
    return [Difference(f"request.headers.{name}", a.get(name, ABSENT), b.get(name, ABSENT))
            for name in sorted(a.keys() | b.keys()) if a.get(name) != b.get(name)]


# --- what differs ------------------------------------------------------------------------------------------


def request_tree(rec: Recording) -> dict[str, Any]:
    """A request as explain compares it: `show --json`'s request, the URL in its parts, the tools by name."""
    from llmcat.comparison.trees import _arguments_as_json

    view = request_view(rec)
    params = dict(view["params"])
    tools = params.pop("tools", None)
    scheme, host, path, query = url_parts(rec.request.url)
    by_key: dict[str, Any] = {}
    for key, value in query_pairs(query):
        by_key[key] = [*by_key[key], value] if isinstance(by_key.get(key), list) else \
            [by_key[key], value] if key in by_key else value
    return {
        "method": (rec.request.method or "").upper() or None,
        "scheme": scheme or None,
        "host": host or None,
        "path": path or rec.request.endpoint,
        "query": by_key,
        "model": rec.request.model,
        "prompt": view["prompt"],
        "messages": _arguments_as_json(view["messages"]),
        "params": params,
        "tools": None if tools is None else tools_by_name(tools),
    }


_UNKNOWN_PARTS = {"method": ("method",), "url": ("scheme", "host", "path", "query"),
                  "body": ("model", "prompt", "messages", "params", "tools")}


def request_differences(recorded: Recording, asked: Recording, missing: tuple[str, ...] = (), strict: bool = False) -> list[Difference]:
    """What differs from the recording (a) to the request (b); parts the request's form did not give are not compared."""
    a, b = request_tree(recorded), request_tree(asked)
    if a["host"] is None or b["host"] is None:  # a relative URL (WireMock's) says nothing of the host
        a["scheme"] = a["host"] = b["scheme"] = b["host"] = None
    for part in missing:
        for key in _UNKNOWN_PARTS.get(part, ()):
            if part != "body" or key != "model" or b.get("model") is None:  # (a message may name the model alone)
                a[key] = b[key] = None
    ignore = Ignore(() if strict else VOLATILE)
    tools_a, tools_b = a.pop("tools"), b.pop("tools")
    out = tree_differences({"request": a}, {"request": b}, ignore)
    return out + _tool_differences(tools_a, tools_b, ignore)


def _differences(recorded: Recording, asked: Recording, missing: tuple[str, ...], strict: bool = False) -> list[Difference]:
    """`request_differences`, or, for a request nested past what can be walked, the parts that differ, whole."""
    try:
        return request_differences(recorded, asked, missing, strict)
    except RecursionError:
        a, b = request_tree(recorded), request_tree(asked)
        a = {**a, **{f"params.{k}": v for k, v in a.pop("params").items()}}
        b = {**b, **{f"params.{k}": v for k, v in b.pop("params").items()}}
        return [Difference(f"request.{key}", _writable(a.get(key, ABSENT)), _writable(b.get(key, ABSENT)))
                for key in list(a) + [k for k in b if k not in a] if canonical(a.get(key)) != canonical(b.get(key))]


def _writable(value: Any) -> Any:
    """A value as it can be printed: one nested too deeply to write is said to be."""
    if value is ABSENT:
        return value
    try:
        orjson.dumps(value, default=repr)
        return value
    except (TypeError, orjson.JSONEncodeError, RecursionError):
        return "<nested too deeply to show>"


def _tool_differences(a: dict | None, b: dict | None, ignore: Ignore) -> list[Difference]:
    """Tools by name: one added is `request.tools[+name]`, one removed `request.tools[-name]`."""
    if a == b:
        return []
    a, b = a or {}, b or {}
    out = [Difference(f"request.tools[-{name}]", tool, ABSENT) for name, tool in a.items() if name not in b]
    out += [Difference(f"request.tools[+{name}]", ABSENT, tool) for name, tool in b.items() if name not in a]
    for name in (n for n in a if n in b):
        out += tree_differences(a[name], b[name], ignore, f"request.tools[{name}]")
    common_a, common_b = [n for n in a if n in b], [n for n in b if n in a]
    if common_a != common_b:
        out.append(Difference("request.tools", common_a, common_b))
    return out


def explained_all(asked: list[Asked], files: list[Source], keep: int, failed: Callable[[FileResult], None],
                  progress: Callable[[int], None] | None = None) -> Iterator[Explained]:
    """Each request explained against the files, in the order given."""
    found = nearest(asked, files, keep, failed, progress)
    reread = Reread()
    for one, picks, occurrence in zip(asked, found.picks, occurrences(asked), strict=True):
        explained = explain(one, picks, reread, found.searched)
        explained.occurrence = occurrence
        best = next((c for c in explained.candidates if c.exact), None)
        explained.used_up = best is not None and best.copies is not None and occurrence > best.copies
        yield explained


def occurrences(asked: list[Asked]) -> list[int]:
    """For each request of a recording, the how-many-th time its file asks the same thing (1 for other forms):
    a recorder that replays each recording once answers the second time only from a second recording."""
    from llmcat.comparison.identity import request_key

    seen: dict[tuple[str, bytes], int] = {}
    out = []
    for one in asked:
        key = request_key(one.recording.request) if one.origin == "recording" else None
        if key is None:
            out.append(1)
            continue
        seen[one.recording.source, key] = seen.get((one.recording.source, key), 0) + 1
        out.append(seen[one.recording.source, key])
    return out
