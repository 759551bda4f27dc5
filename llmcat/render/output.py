"""Where a command's output goes and how it may look, decided once per run (in commands/app.py).

Commands write bytes to `Output.stdout`, let rich draw on `Output.text`, and report
unreadable files through `Output.problems`; they never ask a stream whether it is a
terminal, nor read NO_COLOR or the width themselves. This is also the one place a
pager takes over standard output (see `pager`): commands write as to the terminal.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import Any, BinaryIO, TextIO

from llmcat.render import is_terminal

COLOR_CHOICES = ("auto", "always", "never")


def color_wanted(choice: str, terminal: bool) -> bool:
    """--color: always, never, or auto (a terminal, unless NO_COLOR is set or TERM is dumb)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return terminal


class Problems:
    """Per-file failures: each is reported once, as `llmcat: <file>: <reason>`, and counted."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.count = 0
        self.stream = stream

    def report(self, source: str, reason: str) -> None:
        from llmcat.render.escape import inline

        self.count += 1
        stream = self.stream or sys.stderr
        try:
            stream.write(f"llmcat: {inline(source)}: {inline(reason)}\n")
            stream.flush()
        except (OSError, ValueError, AttributeError):  # standard error closed or full: still counted (status 2)
            pass


class Output:
    """Standard output and error of one run, and what they are (terminal, colour, width)."""

    def __init__(self, stdout: BinaryIO, stderr: TextIO, *, terminal: bool = False, error_terminal: bool = False,
                 color: bool = False, force_color: bool = False, text: TextIO | None = None) -> None:
        self.stdout = stdout  # bytes: JSON Lines, TSV, exact answers
        self._text = text  # the same destination as text, for rich (made on first use when not given)
        self.stderr = stderr
        self.terminal = terminal  # is standard output a terminal
        self.error_terminal = error_terminal  # is standard error (progress bars go there)
        self.color = color  # draw in colour (--color, NO_COLOR, TERM=dumb already weighed)
        self.force_color = force_color  # --color=always: colour codes even into a pipe
        self.problems = Problems(stderr)
        self._width: int | None = None

    @classmethod
    def of_process(cls, color_choice: str = "auto", page: bool = False) -> Output:
        """This process's standard streams, each asked once whether it is a terminal. With `page`,
        output longer than the screen goes through a pager, when standard output is a terminal."""
        terminal = is_terminal(sys.stdout)
        color = color_wanted(color_choice, terminal)
        error_terminal = is_terminal(sys.stderr)
        if page and terminal and os.environ.get("TERM") != "dumb":
            from llmcat.render import pager

            paged = pager.paged(sys.stdout.buffer, _columns(True), sys.stdout.fileno())
            if paged is not None:  # the pager reads a pipe: colour must be forced to reach it
                return cls(paged, sys.stderr, terminal=True, error_terminal=error_terminal, color=color, force_color=color)
        return cls(sys.stdout.buffer, sys.stderr, text=_any_encoding(sys.stdout), terminal=terminal, error_terminal=error_terminal,
                   color=color, force_color=color_choice == "always")

    @classmethod
    def of_buffer(cls, stdout: BinaryIO, terminal: bool = False, stderr: TextIO | None = None) -> Output:
        """Output into a byte buffer (in-process callers, tests), drawn as if on a terminal or not."""
        return cls(stdout, stderr or sys.stderr, terminal=terminal)

    @property
    def width(self) -> int:
        """The terminal's width in columns, as rich would find it: COLUMNS, else the first standard
        stream that is a terminal, else 80 (asked once, only by what lays out a table)."""
        if self._width is None:
            self._width = _columns(self.terminal or self.force_color)
        return self._width

    def console(self, force_terminal: bool | None = None) -> Any:
        """A rich console on standard output (rich is imported only here, on paths that draw)."""
        from llmcat.render.rich_view import make_console

        force = self.force_color if force_terminal is None else force_terminal
        return make_console(self.text, force_terminal=force, width=self.width)

    @property
    def text(self) -> TextIO:
        if self._text is None:  # a byte buffer: text goes through to it at once, in order with the bytes
            self._text = io.TextIOWrapper(self.stdout, encoding="utf-8", errors="backslashreplace", write_through=True)
        return self._text

    def draw_text(self, draw: Callable[[TextIO], None]) -> None:
        """Let a renderer that writes text (rich) draw on standard output, after the bytes already written."""
        self.stdout.flush()
        if self._text is not None:
            draw(self._text)
            self._text.flush()
            return
        text = io.TextIOWrapper(self.stdout, encoding="utf-8", errors="backslashreplace", write_through=True)
        try:
            draw(text)
        finally:
            text.flush()
            text.detach()  # leave the byte buffer open

    def progress(self, total: int) -> Any:
        from llmcat.render.progress import LazyProgress

        return LazyProgress(total, self.stderr, terminal=self.error_terminal)

    def close(self) -> None:
        """Flush what was written; a text layer made over a byte buffer is detached, leaving the buffer open.
        Paged output is complete: it is shown (or the pager's input closed and the pager waited for)."""
        if self._text is not None and self._text is not sys.stdout:
            self._text.flush()
            if isinstance(self._text, io.TextIOWrapper) and self._text.buffer is self.stdout:
                self._text.detach()
            self._text = None
        self.stdout.flush()
        if "llmcat.render.pager" in sys.modules:  # imported only when paging
            sys.modules["llmcat.render.pager"].finish()


def _any_encoding(stream: TextIO) -> TextIO:
    """Standard output as text that can take any character: in an encoding that cannot
    (PYTHONIOENCODING=ascii, a latin-1 locale, some CI shells), what it cannot encode is
    written as a backslash escape instead of ending the run with UnicodeEncodeError."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    if encoding in ("utf8", "utf8sig") or getattr(stream, "errors", "strict") != "strict":
        return stream
    try:  # the stream itself, not a second layer over its buffer (which would close it when collected)
        stream.reconfigure(errors="backslashreplace")  # type: ignore[attr-defined]  # TextIO does not declare it: caught below
    except (AttributeError, ValueError, OSError):
        pass
    return stream


def _columns(on_terminal: bool) -> int:
    if on_terminal and os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return 80
    width = None
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor)[0]
        except (AttributeError, ValueError, OSError):  # not a terminal
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit() and int(columns) > 0:  # (COLUMNS=0 says nothing: ignored)
        width = int(columns)
    return width or 80
