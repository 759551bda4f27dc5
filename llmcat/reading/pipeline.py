"""The one read pipeline: command-line paths in, each file's reassembled calls (or one failure) out.

Every command reads through `read`: a file is loaded (`formats.load`, told what the
command needs as a `model.Need`), its recordings reassembled into `Call`s, and the
command's `Work` digests them where they were read (in a forked reader, for a suite).
A file that fails at any stage becomes one `Failure` for that file: `attempt` is the
only place that catches a file's trouble, so one bad file never stops the others.

show and join read file after file, each handed on as soon as it is read; ls, stats
and check read in blocks, stage by stage, in several processes when there are many
files (see `parallel`); diff reads its two sides with `read_one`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from msgspec import Struct

# Imported here, not inside the per-file functions: a suite is thousands of calls to them.
from llmcat.apis import reassemble
from llmcat.formats import load
from llmcat.model import CannotOpen, Completion, EmptyRecording, InputError, Need, NotARecording, Recording
from llmcat.reading.walk import Source, expand

T = TypeVar("T")


class Problems(Protocol):
    """Where a file's failure is told (`render.output.Problems`: one `llmcat: FILE: reason` line each)."""

    def report(self, source: str, reason: str) -> None: ...

class Credentials(Protocol):
    """What masks the run's output (`render.mask.KNOWN`): told the credentials of each call as it is read."""

    def look(self, call: Call, printed: list[str] | None) -> frozenset[str]:
        """The credentials of one call (in the process that read it); `printed`: what the command prints of it."""
        ...

    def add(self, values: Iterable[str]) -> None:
        """Known from now on, in this process."""
        ...


# Installed by render.output when output is masked (never with --reveal): every call read is looked at.
CREDENTIALS: Credentials | None = None

# What stops llmcat itself (Ctrl-C, exit, a closed output pipe), not a file's fault: re-raised
# wherever one bad file is caught so that the others are still processed.
STOPS = (KeyboardInterrupt, SystemExit, BrokenPipeError)


class Call(Struct):
    """One recorded call: as recorded, and reassembled."""

    recording: Recording
    completion: Completion


class Failure(NamedTuple):
    """Why one file could not be read (a tuple: cheap to send back from a reader process)."""

    code: str  # check's finding code: the InputError's (unreadable, not-a-recording) or "unreadable"
    reason: str  # one line for `llmcat: FILE: reason`
    input_error: bool  # the input was the trouble (an InputError), not llmcat
    opened: bool = True  # False: the file could not be opened at all (`CannotOpen`), so its content is unknown


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory reading this file"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"cannot read: {type(exc).__name__}: {exc}"


def attempt(step: Callable[..., T], *args: Any) -> T | Failure:
    """`step(*args)`, or the `Failure` it raised. The one place a file's trouble is caught."""
    try:
        return step(*args)
    except STOPS:
        raise
    except BaseException as exc:  # one bad file must never stop the others, nor print a traceback
        return Failure(exc.code if isinstance(exc, InputError) else "unreadable", describe_failure(exc),
                       isinstance(exc, InputError), not isinstance(exc, CannotOpen))


class FileResult(Struct, Generic[T]):
    """One file's outcome: what the command's `Work` made of its calls, or why it could not be read."""

    source: Source
    size: int = 0  # in bytes, as stored (before any gzip)
    value: T | None = None  # the Work's digest; None when the file failed
    failure: Failure | None = None
    empty: str | None = None  # a recording of no call (`model.EmptyRecording`): what it is, for `check`
    secrets: frozenset[str] = frozenset()  # the credentials recorded in its calls, for the output's mask

    @property
    def spec(self) -> str:
        return self.source.spec

    @property
    def explicit(self) -> bool:
        return self.source.explicit

    @property
    def expected(self) -> bool:
        """Is a failure reported? (A file that could not even be opened always is: it may be a recording.)"""
        return self.source.expected or (self.failure is not None and not self.failure.opened)


class Work(Generic[T]):
    """What a command needs of each file and makes of its calls, in the process that read them.

    `digest` runs in a reader process for a suite: what it returns comes back (through
    `pack`/`unpack`, which may make it cheaper to send), never the calls themselves."""

    need: Need = Need.EVERYTHING
    in_blocks = False  # read in staged blocks, in parallel when many files (throughput over first answer)
    looks_for_secrets = True  # False: the command finds the credentials of what it prints itself (diff)

    def digest(self, source: Source, calls: list[Call]) -> T:
        raise NotImplementedError

    def pack(self, value: T) -> Any:
        return value

    def unpack(self, packed: Any) -> T:
        return packed

    def printed(self, call: Call) -> list[str] | None:
        """What the command prints of a call, when that is less than the call (ls: its row): the call is
        searched for credentials only when these could hold one. None: it may print anything of it."""
        return None


class KeepCalls(Work[list[Call]]):
    """The calls themselves (show, join, diff)."""

    def __init__(self, need: Need) -> None:
        self.need = need

    def digest(self, source: Source, calls: list[Call]) -> list[Call]:
        return calls


def sources(specs: Iterable[str], walk: bool = True) -> list[Source]:
    """Command-line specs as the files to read: directories walked recursively when `walk`."""
    return list(expand(specs)) if walk else [Source(spec, spec, True) for spec in specs]


def read(files: list[Source], work: Work[T], progress: Callable[[int], None] | None = None) -> Iterator[FileResult[T]]:
    """Each file's result, in input order. `progress(n)` is told as each n more files are done."""
    if not work.in_blocks:
        for source in files:
            result = read_block([source], work)[0]
            if progress:
                progress(1)
            yield result
        return
    from llmcat.reading import parallel

    yield from parallel.read_in_blocks(files, lambda block: read_block(block, work), lambda results: _packed(results, work),
                                       lambda block, packed: _unpacked(block, packed, work), progress)


def _packed(results: list[FileResult[T]], work: Work[T]) -> list[tuple]:
    """A block's results as plain tuples, without their sources (the parent has them): tuples
    pickle ~3x faster than objects."""
    return [(r.size, None if r.value is None else work.pack(r.value), r.failure, r.empty, r.secrets) for r in results]


def _unpacked(block: list[Source], packed: list[tuple], work: Work[T]) -> list[FileResult[T]]:
    results = [FileResult(source, size, None if value is None else work.unpack(value), failure, empty, secrets)
               for source, (size, value, failure, empty, secrets) in zip(block, packed, strict=True)]
    if CREDENTIALS is not None:  # found in a reader process: known here from now on
        for result in results:
            CREDENTIALS.add(result.secrets)
    return results


def read_one(spec: str, need: Need) -> FileResult[list[Call]]:
    """One file's calls, or its failure."""
    return read_block([Source(spec, spec, True)], KeepCalls(need))[0]


def read_data(source: Source, data: bytes, need: Need = Need.EVERYTHING) -> FileResult[list[Call]]:
    """One file's calls from bytes already in hand (a blob `git cat-file` gave), or its failure."""
    result: FileResult[list[Call]] = FileResult(source, size=len(data))
    recordings = _step(result, _parse_blob, result, data, need)
    if recordings is not None:
        result.value = _step(result, _reassemble_all, recordings)
        if result.value is not None:
            _look_for_secrets(result, result.value, KeepCalls(need))
    return result


def calls(paths: Iterable[str], need: Need, problems: Problems, walk: bool = False) -> Iterator[Call]:
    """The calls of the files named (directories walked when `walk`), file after file; a file that
    fails is reported and skipped (in a walk, one that is no recording is passed over quietly; a
    directory with no recording at all is reported, as a directory was before show walked them)."""
    for path in paths:
        found = False
        for result in read(sources([path], walk=walk), KeepCalls(need)):
            if result.failure is not None:
                if not passed_over(result):
                    problems.report(result.spec, result.failure.reason)
            else:  # (a recording of no call counts as found: it is a recording, with nothing to show)
                found = True
                yield from result.value or ()
        if walk and not found and path != "-" and os.path.isdir(path):
            problems.report(path, "is a directory")


def passed_over(result: FileResult) -> bool:
    """A directory walk passes over files that turn out not to be recordings, or to record no call,
    without a word (`check` names them)."""
    if result.failure is None or result.explicit:
        return False
    return not result.expected or result.failure.code == NotARecording.code



STAGED_MAX_BYTES = 1 << 20  # a bigger file goes through every stage at once: a block must not hold many


def read_block(files: list[Source], work: Work[T]) -> list[FileResult[T]]:
    """Several files' results, each stage done for all of them before the next: load and
    decode, then reassemble, then digest. The interpreter keeps one stage's code and data
    hot: ~10% faster on a suite than file by file. A file failing at any stage becomes a
    failure (never an exception) and the others go on."""
    results: list[FileResult[T]] = [FileResult(source) for source in files]
    loaded: list[tuple[FileResult[T], list[Recording]]] = []
    for result in results:
        recordings = _step(result, _load, result, work.need)
        if recordings is not None:
            loaded.append((result, recordings))
            if result.size > STAGED_MAX_BYTES:  # not held while the others load
                _finish(loaded, work)
                loaded = []
    _finish(loaded, work)
    return results


def _step(result: FileResult, step: Callable[..., Any], *args: Any) -> Any:
    """`step(*args)`, or None with `result` marked failed."""
    value = attempt(step, *args)
    if isinstance(value, Failure):
        result.failure = value
        result.value = None
        return None
    return value


def _load(result: FileResult, need: Need) -> list[Recording]:
    if result.source.problem is not None:  # the walk already knows it cannot be read
        raise CannotOpen(result.source.problem)
    try:
        recordings, result.size = load(result.source.spec, need)
    except EmptyRecording as exc:  # a recording of no call: read as none (not a failure); `check` names it
        result.empty, result.size = str(exc), exc.size
        return []
    return recordings


def _parse_blob(result: FileResult, data: bytes, need: Need) -> list[Recording]:
    from llmcat.formats import parse

    try:
        return parse(data, result.source.spec, need, result.source.relative)
    except EmptyRecording as exc:  # (as `_load`)
        result.empty = str(exc)
        return []


def _reassemble_all(recordings: list[Recording]) -> list[Call]:
    return [Call(rec, reassemble(rec)) for rec in recordings]


def _finish(loaded: list[tuple[FileResult[T], list[Recording]]], work: Work[T]) -> None:
    """The last two stages for the files loaded: reassemble all of them, then digest each."""
    reassembled = [(result, _step(result, _reassemble_all, recordings)) for result, recordings in loaded]
    for result, file_calls in reassembled:
        if file_calls is not None:
            result.value = _step(result, work.digest, result.source, file_calls)
            if result.failure is None:
                _look_for_secrets(result, file_calls, work)


def _look_for_secrets(result: FileResult, file_calls: list[Call], work: Work) -> None:
    """The file's credentials, for the output's mask: known here, and sent back with the result from a reader."""
    credentials = CREDENTIALS
    if credentials is None or not work.looks_for_secrets:
        return
    found = attempt(lambda: frozenset().union(*(credentials.look(call, work.printed(call)) for call in file_calls)))
    if isinstance(found, Failure):  # (a call too deep to search: it is too deep to print as well)
        return
    result.secrets = found
    credentials.add(found)


def rendered(items: Iterable[Call], problems: Problems, render: Callable[[Call], T]) -> Iterator[T]:
    """Each call rendered; one that cannot be (pathological nesting, memory) is reported for its file and skipped."""
    for call in items:
        out = attempt(render, call)
        if isinstance(out, Failure):
            problems.report(call.recording.source, out.reason)
            continue
        yield out
