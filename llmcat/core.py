"""The read → reassemble pipeline shared by every command, with per-file error isolation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from msgspec import Struct
from typing import TYPE_CHECKING, TypeVar

from llmcat.model import Completion, InputError, Recording

if TYPE_CHECKING:
    from llmcat.render.output import Problems

T = TypeVar("T")

# What stops llmcat itself (Ctrl-C, exit, a closed output pipe), not a file's fault: re-raised
# wherever one bad file is caught so that the others are still processed.
STOPS = (KeyboardInterrupt, SystemExit, BrokenPipeError)


class Call(Struct):
    recording: Recording
    completion: Completion


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "out of memory reading this file"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return f"cannot read: {type(exc).__name__}: {exc}"


def read_calls(spec: str, fast: bool = False) -> list[Call]:
    """Every recorded call in one file, reassembled. Raises on an unreadable file.

    `fast` lets big streams take the fast reader (same answers, no raw response body)."""
    from llmcat.apis import reassemble
    from llmcat.formats import read_source

    return [Call(rec, reassemble(rec)) for rec in read_source(spec, fast=fast)]


def iter_calls(specs: Iterable[str], problems: Problems, fast: bool = False) -> Iterator[Call]:
    """Calls from each file in turn; a file that fails is reported and skipped."""
    for spec in specs:
        try:
            calls = read_calls(spec, fast=fast)
        except STOPS:
            raise
        except BaseException as exc:  # one bad file must never stop the others, nor print a traceback
            problems.report(spec, describe_failure(exc))
            continue
        yield from calls


def rendered(calls: Iterable[Call], problems: Problems, render: Callable[[Call], T]) -> Iterator[T]:
    """Each call rendered; one that cannot be (pathological nesting, memory) is reported for its file and skipped."""
    for call in calls:
        try:
            out = render(call)
        except STOPS:
            raise
        except BaseException as exc:  # never a traceback, and the other calls still print
            problems.report(call.recording.source, describe_failure(exc))
            continue
        yield out
