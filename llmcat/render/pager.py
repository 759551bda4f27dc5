"""Paging long output on a terminal, the way git, bat and gh do.

The pager is `$LLMCAT_PAGER`, else `$PAGER`, else `less -FRX` (quit if one screen,
colours kept, screen left as it was). An empty value or `cat` means no pager. Output
is held back until it is longer than the screen: a short answer is written straight
to the terminal and no pager is started. A pager that cannot be started falls back to
plain output; a pager quit early (`q` in less) ends llmcat quietly (`main` in commands/app.py
waits for the pager with `finish` and exits, see `PagerQuit`).

Imported only when standard output is a terminal and paging is not turned off.
"""

from __future__ import annotations

import io
import os
import shlex
import signal
import subprocess
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

DEFAULT = "less -FRX"
_open: list[BinaryIO] = []  # this run's paged output, for `finish` at exit


def command_line() -> list[str] | None:
    """The pager to run, as an argument list, or None for none (LLMCAT_PAGER= or PAGER=cat)."""
    command = os.environ.get("LLMCAT_PAGER")
    if command is None:
        command = os.environ.get("PAGER")
    if command is None:
        command = DEFAULT
    try:
        argv = shlex.split(command)
    except ValueError:  # unbalanced quotes: not a command we can run
        return None
    if not argv or argv == ["cat"]:
        return None
    return argv


def screen_rows(descriptor: int) -> int:
    lines = os.environ.get("LINES", "")
    if lines.isdigit() and int(lines) > 0:
        return int(lines)
    try:
        return os.get_terminal_size(descriptor).lines or 24
    except OSError:
        return 24


class PagerQuit(SystemExit):
    """The reader quit the pager before the end: llmcat ends quietly, status 0. Not a BrokenPipeError,
    which click and rich each turn into status 1; `cli.main` waits for the pager before exiting."""

    def __init__(self) -> None:
        super().__init__(0)


class PagedStream(io.RawIOBase):
    """Standard output that turns into a pager's input once more than a screenful was written.

    Until then, what is written is held; if the output ends within one screen it goes
    straight to the terminal (`close`). Row counting is rough (bytes, not cells, so colour
    codes and wide characters count more than they show): it may start the pager a little
    early, and `less -F` still quits at once when everything fits."""

    def __init__(self, terminal: BinaryIO, argv: list[str], width: int, rows: int) -> None:
        super().__init__()
        self.terminal = terminal
        self.argv = argv
        self.width = max(width, 1)
        self.room = max(rows - 1, 1)  # the shell's prompt takes the last row
        self.held: list[bytes] = []
        self.rows = 0
        self.process: subprocess.Popen | None = None
        self.direct = False  # the pager could not be started: plain output

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        data = bytes(data)
        if self.process is not None:
            self._to_pager(self._pager_input().write, data)
        elif self.direct:
            self.terminal.write(data)
        else:
            self.held.append(data)
            self.rows += self._rows_in(data)
            if self.rows > self.room:
                self._start()
        return len(data)

    def _to_pager(self, step: Callable[..., object], *args: object) -> None:
        try:
            step(*args)
        except BrokenPipeError:
            raise PagerQuit() from None

    def _rows_in(self, data: bytes) -> int:
        lines = data.split(b"\n")
        return len(lines) - 1 + sum(len(line) // self.width for line in lines)

    def _start(self) -> None:
        env = dict(os.environ)
        env.setdefault("LESS", "FRX")  # as git does: a bare `less` in PAGER still keeps colours and quits on one screen
        env.setdefault("LV", "-c")
        try:
            self.process = subprocess.Popen(self.argv, stdin=subprocess.PIPE, env=env)
        except OSError:  # no such pager, not executable: show the output without one
            self.direct = True
            self._release(self.terminal)
            return
        # A pager quit early closes the pipe: a write then raises BrokenPipeError (made a PagerQuit)
        # instead of the default SIGPIPE death, so that llmcat can wait for the pager and end quietly.
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        self._to_pager(self._release, self._pager_input())

    def _release(self, stream: IO[bytes]) -> None:
        for data in self.held:
            stream.write(data)
        self.held = []

    def flush(self) -> None:
        if self.process is not None:
            self._to_pager(self._pager_input().flush)
        else:
            self.terminal.flush()

    def close(self) -> None:
        """The output is complete: write what was held to the terminal, or let the pager finish."""
        if self.closed:
            return
        try:
            if self.process is None:
                self._release(self.terminal)
                self.terminal.flush()
            else:
                self._wait_for_pager()
        finally:
            super().close()

    def _pager_input(self) -> IO[bytes]:
        assert self.process is not None and self.process.stdin is not None  # started with stdin=PIPE
        return self.process.stdin

    def _wait_for_pager(self) -> None:
        assert self.process is not None
        try:
            self._pager_input().close()
        except OSError:  # the pager already quit: what was left unwritten is dropped, as git drops it
            pass
        while True:
            try:
                self.process.wait()
                return
            except KeyboardInterrupt as exc:  # Ctrl-C reaches the pager too; it decides when to quit
                if type(exc) is not KeyboardInterrupt:  # SIGTERM, SIGHUP (status.Stopped): not waited for
                    raise
                continue


def paged(terminal: BinaryIO, width: int, descriptor: int = 1) -> BinaryIO | None:
    """A buffered stream over `terminal` that pages long output, or None when no pager is wanted."""
    argv = command_line()
    if argv is None:
        return None
    stream = io.BufferedWriter(PagedStream(terminal, argv, width, screen_rows(descriptor)))
    _open.append(stream)
    return stream


def finish() -> None:
    """At the end of the run, however it ends (a pager quit early included): what was held is
    written, and llmcat waits for the reader to quit the pager, so the shell's prompt comes after it."""
    while _open:
        stream = _open.pop()
        try:
            stream.close()  # closes the PagedStream under it even when the last flush fails
        except (OSError, ValueError):  # the pager quit early: the rest is dropped
            pass
