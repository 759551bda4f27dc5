"""Reading a suite in blocks, in forked reader processes when that pays; results in input order.

The files are cut into blocks of `BLOCK`, whose numbers wait in a pipe: this process
and one forked reader per other core each take the next number until none is left
(a read of a few bytes from a pipe is atomic, so every block goes to one reader), so
a reader slowed by a busy machine simply takes fewer blocks. A child sends all its
results back in one piece at the end; this process yields results in input order as
soon as it has them (no pool, no threads, no shared memory, one pickle per child).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from llmcat.reading.walk import Source
from llmcat.status import ExitStatus

R = TypeVar("R")  # one file's result

PARALLEL_MIN = 64  # below this many files a second process costs more than it saves
BLOCK = 16  # files handed out at a time: small enough that readers finish together
MAX_READERS = 4

def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def read_in_blocks(files: list[Source], read_block: Callable[[list[Source]], list[R]],
                   pack: Callable[[list[R]], Any], unpack: Callable[[list[Source], Any], list[R]],
                   progress: Callable[[int], None] | None = None) -> Iterator[R]:
    """Each file's result (`read_block` on blocks of them), in input order, in parallel when that pays.

    A reader process sends a block's results back as `pack(results)`; `unpack(block, packed)`
    makes them again here, given the block's files (so they need not travel)."""
    readers = min(workers(), MAX_READERS)
    if len(files) < PARALLEL_MIN or readers < 2 or any(s.spec == "-" for s in files) or not hasattr(os, "fork"):
        yield from _serial(files, read_block, progress)
        return
    _preload()
    blocks = _blocks(files, max(BLOCK, -(-len(files) // _MAX_BLOCKS)))
    queue = _block_queue(len(blocks))
    children: list[tuple[int, int]] = []
    done: dict[int, list[R]] = {}
    try:
        next_block = 0
        with _gc_paused():  # (the children inherit the pause)
            _fork_readers(children, readers - 1, queue, blocks, read_block, pack)
            for number in _take_blocks(queue):
                done[number] = read_block(blocks[number])
                if progress:
                    progress(len(blocks[number]))
                while next_block in done:  # what can be passed on in order already
                    yield from done.pop(next_block)
                    next_block += 1
        while children:
            pid, fd = children.pop(0)
            for number, results in _collect(pid, fd, blocks, unpack):
                done[number] = results
                if progress:
                    progress(len(results))
        for number in range(next_block, len(blocks)):
            yield from done.pop(number)
    finally:
        os.close(queue)
        for pid, fd in children:  # stopped early (a closed pipe, Ctrl-C): end the readers still running
            _end(pid, fd)


def _blocks(files: list[Source], size: int = BLOCK) -> list[list[Source]]:
    return [files[i:i + size] for i in range(0, len(files), size)]


def _serial(files: list[Source], read_block: Callable[[list[Source]], list[R]],
            progress: Callable[[int], None] | None) -> Iterator[R]:
    with _gc_paused():
        for block in _blocks(files):
            results = read_block(block)
            if progress:
                progress(len(results))
            yield from results


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


_STOPPING = ("SIGINT", "SIGTERM", "SIGHUP")


def _fork_readers(children: list[tuple[int, int]], count: int, queue: int, blocks: list[list[Source]],
                  read_block: Callable[[list[Source]], list[R]], pack: Callable[[list[R]], Any]) -> None:
    """Up to `count` reader processes, each in `children` as soon as it exists (so that it is ended whatever
    happens next). The signals that stop llmcat wait while forking: Ctrl-C then reaches this process, never a
    reader in the moment before it ignores it. A fork the process limit refuses (a container's pids limit)
    leaves the blocks to the readers there are: this process reads all of them if need be."""
    import signal

    stopping = {getattr(signal, name) for name in _STOPPING if hasattr(signal, name)}
    held = signal.pthread_sigmask(signal.SIG_BLOCK, stopping) if hasattr(signal, "pthread_sigmask") else None
    try:
        for _ in range(count):
            try:
                children.append(_fork_reader(queue, blocks, read_block, pack, held))
            except OSError:  # EAGAIN (no more processes), EMFILE (no more pipes)
                break
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _fork_reader(queue: int, blocks: list[list[Source]], read_block: Callable[[list[Source]], list[R]],
                 pack: Callable[[list[R]], Any], mask: Any = None) -> tuple[int, int]:
    import pickle
    import signal

    parent = os.getpid()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child: read, send everything back at once, and leave without running any cleanup
        code = ExitStatus.TROUBLE
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            for name in ("SIGTERM", "SIGHUP"):  # (the parent's handlers raise in the parent's code, not here)
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
            _end_with(parent)
            if mask is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(read_end)
            results = []
            for number in _take_blocks(queue):
                if os.getppid() != parent:  # llmcat is gone (killed): nobody will read the results
                    break
                results.append((number, pack(read_block(blocks[number]))))
            data = pickle.dumps(results, pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = ExitStatus.OK
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _end_with(parent: int) -> None:
    """A reader whose llmcat is already gone ends at once. (llmcat ended by a signal ends its readers
    itself, see status.guarded; killed outright, it leaves each to stop before its next block.)"""
    if os.getppid() != parent:
        os._exit(ExitStatus.TROUBLE)


def _collect(pid: int, fd: int, blocks: list[list[Source]],
             unpack: Callable[[list[Source], Any], list[R]]) -> list[tuple[int, list[R]]]:
    import pickle

    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != ExitStatus.OK or not data:
        raise RuntimeError("a reader process failed")
    with _gc_paused():
        return [(number, unpack(blocks[number], packed)) for number, packed in pickle.loads(data)]


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
    import llmcat.formats.llama_stack.fast  # noqa: F401
    from llmcat.apis.registry import registered as apis
    from llmcat.formats.registry import registered as formats

    apis(), formats()


class _gc_paused:
    """Reading builds and drops many small acyclic objects: cycle collection there is pure cost."""

    def __enter__(self) -> None:
        import gc

        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: Any) -> None:
        import gc

        if self.was:
            gc.enable()
