"""Whole suites: one row per recorded call (`ls`), filters, sort order and totals (`stats`).

Files are read in forked processes when there are many, which take blocks of files from
a shared queue (results come back in input order). llama-stack streams go through the
fast reader, which decodes only the fields reassembly reads (and, for ls and stats, no
answer text); rows keep only what `ls` and `stats` show, a JSON line only for `--json`.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from msgspec import Struct, field
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit


# Imported here, not inside the per-file functions: a suite is thousands of calls to them.
from llmcat.apis import reassemble, request_view
from llmcat.core import STOPS, describe_failure
from llmcat.formats import read_sized
from llmcat.render.machine import dumps_line, usage_dict
from llmcat.model import Completion, InputError, NotARecording, Recording
from llmcat.status import ExitStatus
from llmcat.walk import Source

if TYPE_CHECKING:
    from llmcat.render.output import Output

SORT_KEYS = ("path", "model", "tokens", "chunks")


class Row(NamedTuple):
    """One recorded call as `ls` and `stats` see it (a tuple: cheap to send back from a worker process)."""

    source: str
    interaction: int
    label: str  # the path, with `#N` for a call inside a multi-call file
    format: str
    api: str
    model: str | None
    streaming: bool
    chunks: int
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    failed: bool
    test_id: str | None
    host: str | None
    tools: bool
    line: bytes | None = None  # the `--json` line, when asked for


class FileResult(Struct):
    spec: str
    explicit: bool
    expected: bool  # should a failure be reported (see walk.Source.expected)
    size: int = 0
    rows: list[Row] = field(default_factory=list)
    failure: tuple[str, str] | None = None  # (check code, reason)
    extra: Any = None  # what a command's own per-file work returned (check: findings)

    # A worker sends its results back as plain tuples: they pickle ~3x faster than objects.
    def packed(self) -> tuple:
        return self.spec, self.explicit, self.expected, self.size, [tuple(row) for row in self.rows], self.failure, self.extra

    @classmethod
    def unpacked(cls, fields: tuple) -> FileResult:
        spec, explicit, expected, size, rows, failure, extra = fields
        return cls(spec, explicit, expected, size, [Row._make(row) for row in rows], failure, extra)


class Filters(Struct):
    api: str | None = None
    model: str | None = None  # glob
    test: str | None = None  # glob
    finish: str | None = None
    errors: bool = False
    tools: bool = False
    grep: re.Pattern | None = None

    def keep(self, row: Row) -> bool:
        if self.api and not (row.api == self.api or row.api.startswith(self.api + ".")):
            return False
        if self.model is not None and (row.model is None or not fnmatch.fnmatchcase(row.model, self.model)):
            return False
        if self.test is not None and (row.test_id is None or not fnmatch.fnmatchcase(row.test_id, self.test)):
            return False
        if self.finish is not None and row.finish_reason != self.finish:
            return False
        if self.errors and not row.failed:
            return False
        return not (self.tools and not row.tools)

    def keep_text(self, rec: Recording, completion: Completion) -> bool:
        return self.grep is None or any(self.grep.search(text) for text in searchable_texts(rec, completion))


class Job(Struct):
    """What a worker does with each file: build rows (ls, stats) or findings (check)."""

    filters: Filters = field(default_factory=Filters)
    want_json: bool = False
    per_file: Callable[[str, list], Any] | None = None  # check: (spec, [(rec, completion)]) -> findings


# --- reading ---------------------------------------------------------------------------------------


def read_file(source: Source, job: Job) -> FileResult:
    """One file's rows (or findings); a file that cannot be read becomes a failure, never an exception."""
    return read_files([source], job)[0]


STAGED_MAX_BYTES = 1 << 20  # a bigger file goes through every stage at once: a block must not hold many


def read_files(sources: list[Source], job: Job) -> list[FileResult]:
    """Several files' results, each stage done for all of them before the next: read and
    decode, then reassemble, then rows. The interpreter keeps one stage's code and data
    hot: ~10% faster on a suite than file by file. A file failing at any stage becomes a
    failure (never an exception) and the others go on."""
    results = [FileResult(source.spec, source.explicit, source.expected) for source in sources]
    loaded: list[tuple[FileResult, list[Recording]]] = []
    for result in results:
        recordings = _attempt(result, _load, result, job)
        if recordings is not None:
            loaded.append((result, recordings))
            if result.size > STAGED_MAX_BYTES:  # not held while the others load
                _finish(loaded, job)
                loaded = []
    _finish(loaded, job)
    return results


def _attempt(result: FileResult, step: Callable, *args) -> Any:
    """`step(*args)`, or None with the file marked failed when it raises."""
    try:
        return step(*args)
    except STOPS:
        raise
    except BaseException as exc:  # one bad file must never stop the others
        code = exc.code if isinstance(exc, InputError) else "unreadable"
        result.failure = (code, describe_failure(exc))
        result.rows = []
        return None


def _load(result: FileResult, job: Job) -> list[Recording]:
    # ls and stats read every stream through the fast reader, without the answers' text
    # unless --grep looks in it; check keeps the general reader, as it looks at the raw recording.
    recordings, result.size = read_sized(result.spec, fast=job.per_file is None, fast_min_bytes=0, text=job.filters.grep is not None)
    return recordings


def _reassemble_all(recordings: list[Recording]) -> list[tuple[Recording, Completion]]:
    return [(rec, reassemble(rec)) for rec in recordings]


def _finish(loaded: list[tuple[FileResult, list[Recording]]], job: Job) -> None:
    """The last two stages for files read: reassemble all of them, then their rows."""
    reassembled = [(result, _attempt(result, _reassemble_all, recordings)) for result, recordings in loaded]
    for result, calls in reassembled:
        if calls is not None:
            _attempt(result, _add_rows, result, calls, job)


def _add_rows(result: FileResult, calls: list[tuple[Recording, Completion]], job: Job) -> None:
    if job.per_file is not None:
        result.extra = job.per_file(result.spec, calls)
    filters = job.filters
    for rec, completion in calls:
        if filters.grep is not None and not filters.keep_text(rec, completion):
            continue
        row = row_of(rec, completion)
        if filters.keep(row):
            result.rows.append(row._replace(line=json_line(rec, row, completion)) if job.want_json else row)


# --- rows ------------------------------------------------------------------------------------------


def host_of(rec: Recording) -> str | None:
    url = rec.request.url
    if url:
        try:
            parts = urlsplit(url)
        except ValueError:
            return url
        return parts.netloc or parts.scheme or parts.path.lstrip("/").split("/")[0] or None
    raw_request = rec.stored.get("request") if isinstance(rec.stored, dict) else None
    provider = raw_request.get("provider") if isinstance(raw_request, dict) else None
    return provider if isinstance(provider, str) else None


def row_of(rec: Recording, completion: Completion) -> Row:
    """The facts `ls` and `stats` keep of a call (finish reason: of choice 0, the lowest index)."""
    usage = completion.usage
    choices = completion.choices
    request = rec.request
    return Row(
        rec.source,
        rec.interaction,
        rec.label,
        rec.format,
        completion.api,
        request.model,
        rec.response.streaming,
        completion.chunks,
        choices[0].finish_reason if choices else None,
        usage.prompt_tokens if usage else None,
        usage.completion_tokens if usage else None,
        usage.total_tokens if usage else None,
        completion.error is not None,
        request.test_id,
        host_of(rec),
        any(choice.tool_calls for choice in choices),
    )


def json_line(rec: Recording, row: Row, completion: Completion) -> bytes:
    """`show --json`'s keys without the long texts: no choices, timing, prompt or messages."""
    view = request_view(rec)
    del view["prompt"], view["messages"]
    return dumps_line({
        "source": row.source,
        "interaction": row.interaction,
        "format": row.format,
        "api": row.api,
        "request": view,
        "streaming": row.streaming,
        "chunks": row.chunks,
        "finish_reason": row.finish_reason,
        "usage": usage_dict(completion.usage),
        "error": completion.error,
        "test_id": row.test_id,
    })


def searchable_texts(rec: Recording, completion: Completion) -> Iterator[str]:
    """What `--grep` looks in: each choice's answer and reasoning, the prompt, the messages."""
    from llmcat.apis import request_view
    from llmcat.render.document import compact_json, transcript

    for choice in completion.choices:
        yield choice.text
        if choice.reasoning:
            yield choice.reasoning
    view = request_view(rec)
    if view["prompt"] is not None:
        yield view["prompt"] if isinstance(view["prompt"], str) else compact_json(view["prompt"])
    if isinstance(view["messages"], list):
        yield transcript(view["messages"])
    elif view["messages"] is not None:
        yield compact_json(view["messages"])


def sort_rows(rows: list[Row], key: str) -> list[Row]:
    """path and model ascending; tokens and chunks largest first. Ties keep input order."""
    if key == "model":
        return sorted(rows, key=lambda r: (r.model is None, r.model or ""))
    if key == "tokens":
        return sorted(rows, key=lambda r: -(r.total_tokens or 0))
    if key == "chunks":
        return sorted(rows, key=lambda r: -r.chunks)
    return sorted(rows, key=lambda r: (r.source, r.interaction))


# --- many files ------------------------------------------------------------------------------------

PARALLEL_MIN = 64  # below this many files a second process costs more than it saves
BLOCK = 16  # files handed out at a time: small enough that readers finish together


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def scan(sources: Iterable[Source], job: Job, progress: Callable[[int], None] | None = None) -> Iterator[FileResult]:
    """Each file's result, in input order, reading in parallel when that pays.

    The files are cut into blocks of `BLOCK`, whose numbers wait in a pipe: this process
    and one forked reader per other core each take the next number until none is left
    (a read of a few bytes from a pipe is atomic, so every block goes to one reader), so
    a reader slowed by a busy machine simply takes fewer blocks. A child sends all its
    results back in one piece at the end; this process yields results in input order as
    soon as it has them (no pool, no threads, no shared memory, one pickle per child).
    """
    sources = list(sources)
    workers = min(_workers(), 4)
    if len(sources) < PARALLEL_MIN or workers < 2 or any(s.spec == "-" for s in sources) or not _can_fork():
        yield from _serial(sources, job, progress)
        return
    _preload()
    blocks = _blocks(sources, max(BLOCK, -(-len(sources) // _MAX_BLOCKS)))
    queue = _block_queue(len(blocks))
    children: list[tuple[int, int]] = []
    done: dict[int, list[FileResult]] = {}
    try:
        next_block = 0
        with _gc_paused():  # (the children inherit the pause)
            children = [_fork_reader(queue, blocks, job) for _ in range(workers - 1)]
            for number in _take_blocks(queue):
                done[number] = read_files(blocks[number], job)
                if progress:
                    progress(len(blocks[number]))
                while next_block in done:  # what can be passed on in order already
                    yield from done.pop(next_block)
                    next_block += 1
        while children:
            pid, fd = children.pop(0)
            for number, results in _collect(pid, fd):
                done[number] = results
                if progress:
                    progress(len(results))
        for number in range(next_block, len(blocks)):
            yield from done.pop(number)
    finally:
        os.close(queue)
        for pid, fd in children:  # stopped early (a closed pipe, Ctrl-C): end the readers still running
            _end(pid, fd)


def _blocks(sources: list[Source], size: int = BLOCK) -> list[list[Source]]:
    return [sources[i:i + size] for i in range(0, len(sources), size)]


_NUMBER = 4  # bytes per block number in the queue
_MAX_BLOCKS = 4096  # 16 KB of numbers: the queue must fit in a pipe buffer (64 KB on Linux, 16 KB on macOS)


def _block_queue(count: int) -> int:
    """A pipe holding the numbers 0..count-1; returns its read end (the write end is closed)."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(number.to_bytes(_NUMBER, "little") for number in range(count)))
    finally:
        os.close(write_end)
    return read_end


def _take_blocks(queue: int) -> Iterator[int]:
    while True:
        data = os.read(queue, _NUMBER)
        if len(data) < _NUMBER:
            return
        yield int.from_bytes(data, "little")


def _fork_reader(queue: int, blocks: list[list[Source]], job: Job) -> tuple[int, int]:
    import pickle
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send everything back at once, and leave without running any cleanup
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            os.close(read_end)
            results = [(number, [result.packed() for result in read_files(blocks[number], job)]) for number in _take_blocks(queue)]
            data = pickle.dumps(results, pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> list[tuple[int, list[FileResult]]]:
    import pickle

    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        raise RuntimeError("a reader process failed")
    with _gc_paused():
        return [(number, [FileResult.unpacked(fields) for fields in results]) for number, results in pickle.loads(data)]


def _end(pid: int, fd: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def _preload() -> None:
    """Import the readers once, before forking, rather than once in every worker."""
    import llmcat.apis
    import llmcat.apis.openai
    import llmcat.formats
    import llmcat.formats.llama_stack
    import llmcat.formats.llama_stack_fast
    import llmcat.render.machine  # noqa: F401


def _serial(sources: list[Source], job: Job, progress: Callable[[int], None] | None) -> Iterator[FileResult]:
    with _gc_paused():
        for block in _blocks(sources):
            results = read_files(block, job)
            if progress:
                progress(len(results))
            yield from results


class _gc_paused:
    """Reading builds and drops many small acyclic objects: cycle collection there is pure cost."""

    def __enter__(self) -> None:
        import gc

        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc) -> None:
        import gc

        if self.was:
            gc.enable()


def _can_fork() -> bool:
    return hasattr(__import__("os"), "fork")


# --- stats -----------------------------------------------------------------------------------------

NONE = "(none)"


def _bump(table: dict[str, dict[str, int]], key: str | None, row: Row) -> None:
    entry = table.setdefault(key if key is not None else NONE, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0})
    entry["calls"] += 1
    entry["prompt_tokens"] += row.prompt_tokens or 0
    entry["completion_tokens"] += row.completion_tokens or 0


class Totals:
    """Running totals for `stats`; every breakdown sums to the totals."""

    def __init__(self) -> None:
        self.recordings = 0
        self.calls = 0
        self.bytes = 0
        self.streamed = 0
        self.failed = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.by_api: dict[str, dict[str, int]] = {}
        self.by_model: dict[str, dict[str, int]] = {}
        self.by_host: dict[str, dict[str, int]] = {}
        self.finish_reasons: dict[str, int] = {}

    def add(self, result: FileResult) -> None:
        if result.failure is not None:
            return
        self.recordings += 1
        self.bytes += result.size
        for row in result.rows:
            self.calls += 1
            self.streamed += row.streaming
            self.failed += row.failed
            self.prompt_tokens += row.prompt_tokens or 0
            self.completion_tokens += row.completion_tokens or 0
            _bump(self.by_api, row.api, row)
            _bump(self.by_model, row.model, row)
            _bump(self.by_host, row.host, row)
            reason = row.finish_reason if row.finish_reason is not None else NONE
            self.finish_reasons[reason] = self.finish_reasons.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        def ordered(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
            return dict(sorted(table.items(), key=lambda kv: (-kv[1]["calls"], kv[0])))

        return {
            "recordings": self.recordings,
            "calls": self.calls,
            "bytes": self.bytes,
            "streamed": self.streamed,
            "streamed_share": round(self.streamed / self.calls, 4) if self.calls else 0.0,
            "failed": self.failed,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "by_api": ordered(self.by_api),
            "by_model": ordered(self.by_model),
            "by_host": ordered(self.by_host),
            "finish_reasons": dict(sorted(self.finish_reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def quiet_failure(result: FileResult) -> bool:
    """A directory walk passes over files that turn out not to be recordings without a word."""
    if result.failure is None or result.explicit:
        return False
    return not result.expected or result.failure[0] == NotARecording.code


# --- commands --------------------------------------------------------------------------------------


def _reported(results: Iterable[FileResult], problems) -> Iterator[FileResult]:
    """Report unreadable files as `llmcat: FILE: reason`; pass the readable ones on."""
    for result in results:
        if result.failure is not None:
            if not quiet_failure(result):
                problems.report(result.spec, result.failure[1])
            continue
        yield result


def run_ls(paths: list[str], filters: Filters, sort: str | None, as_json: bool, output: Output) -> ExitStatus:
    """`llmcat ls`: OK, or TROUBLE when some file could not be read (reported on stderr)."""
    from llmcat.walk import expand

    problems, out, terminal = output.problems, output.stdout, output.terminal
    sources = list(expand(paths))
    progress = output.progress(len(sources))
    job = Job(filters=filters, want_json=as_json)
    try:
        rows: Iterable[Row] = (row for result in _reported(scan(sources, job, progress.advance), problems) for row in result.rows)
        if sort or (terminal and not as_json):
            rows = sort_rows(list(rows), sort or "path") if sort else list(rows)
            progress.close()
        if as_json:
            for row in rows:
                out.write(row.line)
        elif terminal:
            from llmcat.render.suite_view import ls_table

            output.draw_text(lambda file: ls_table(list(rows), file, output.width))
        else:
            from llmcat.render.suite_view import tsv

            for line in tsv(rows):
                out.write(line)
    finally:
        progress.close()
    out.flush()
    return ExitStatus.of(problems.count)


def run_stats(paths: list[str], as_json: bool, output: Output) -> ExitStatus:
    """`llmcat stats`: OK, or TROUBLE when some file could not be read (reported on stderr)."""
    from llmcat.walk import expand

    problems, out, terminal = output.problems, output.stdout, output.terminal
    sources = list(expand(paths))
    progress = output.progress(len(sources))
    totals = Totals()
    try:
        for result in _reported(scan(sources, Job(), progress.advance), problems):
            totals.add(result)
    finally:
        progress.close()
    data = totals.as_dict()
    if as_json:
        from llmcat.render.machine import dumps_line

        out.write(dumps_line(data))
    elif terminal:
        from llmcat.render.suite_view import stats_tables

        output.draw_text(lambda file: stats_tables(data, file, output.width))
    else:
        from llmcat.render.suite_view import stats_plain

        out.write(stats_plain(data).encode("utf-8", "backslashreplace"))
    out.flush()
    return ExitStatus.of(problems.count)
