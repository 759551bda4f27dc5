"""Where a command's output goes and how it may look, decided once per run (in commands/app.py).

Commands write bytes to `Output.stdout`, let rich draw on `Output.text`, and report
unreadable files through `Output.problems`; they never ask a stream whether it is a
terminal, nor read NO_COLOR or the width themselves. This is also the one place a
pager takes over standard output (see `pager`): commands write as to the terminal.

And the one place output is masked, as its last step: standard output and error are
`Masked` streams, through which every byte passes `render.mask.KNOWN` (the credentials of
every call read so far), whatever wrote it: JSON, TSV, rich, diff, error lines.
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


class MaskedBytes(io.BufferedIOBase):
    """A byte stream whose writes pass the mask. A credential may straddle two writes: the last bytes
    of a write wait for the next one (or a flush) while they could be the start of one."""

    def __init__(self, raw: BinaryIO) -> None:
        from llmcat.render.mask import KNOWN

        self.raw = raw
        self.known = KNOWN
        self.held = b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        if not self.known.active:
            self.raw.write(self.held + data if self.held else data)
            self.held = b""
            return len(data)
        ready, self.held = self.known.bytes(self.held + data, self.known.longest - 1)
        if ready:
            self.raw.write(ready)
        return len(data)

    def flush(self) -> None:
        if self.held:
            ready, self.held = self.known.bytes(self.held)
            self.raw.write(ready)
        self.raw.flush()

    def fileno(self) -> int:
        return self.raw.fileno()

    def isatty(self) -> bool:
        return self.raw.isatty()


class MaskedText:
    """A text stream (standard error: problem lines, progress) whose writes pass the mask; one write is one
    line or one redraw, so nothing waits."""

    def __init__(self, raw: TextIO) -> None:
        from llmcat.render.mask import KNOWN

        self.raw = raw
        self.known = KNOWN

    def write(self, text: str) -> int:
        self.raw.write(self.known.text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding...: the stream's own
        return getattr(self.raw, name)


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
                 color: bool = False, force_color: bool = False, text_encoding: str = "utf-8") -> None:
        self.stdout: BinaryIO = MaskedBytes(stdout)  # type: ignore[assignment]  # bytes: JSON Lines, TSV, exact answers
        self._text: TextIO | None = None  # the same destination as text, for rich (made on first use)
        self._encoding = text_encoding
        self.stderr: TextIO = MaskedText(stderr)  # type: ignore[assignment]
        self.terminal = terminal  # is standard output a terminal
        self.error_terminal = error_terminal  # is standard error (progress bars go there)
        self.color = color  # draw in colour (--color, NO_COLOR, TERM=dumb already weighed)
        self.force_color = force_color  # --color=always: colour codes even into a pipe
        self.problems = Problems(self.stderr)
        from llmcat.reading import pipeline
        from llmcat.render.mask import KNOWN

        pipeline.CREDENTIALS = None if KNOWN.revealed else KNOWN  # each call read is looked at for the mask
        self._width: int | None = None

    @classmethod
    def of_process(cls, color_choice: str = "auto", page: bool = False, reveal: bool = False) -> Output:
        """This process's standard streams, each asked once whether it is a terminal. With `page`,
        output longer than the screen goes through a pager, when standard output is a terminal.
        `reveal`: recorded credentials are printed as they are (--reveal), not masked."""
        from llmcat.render.mask import KNOWN

        KNOWN.revealed = reveal
        terminal = is_terminal(sys.stdout)
        color = color_wanted(color_choice, terminal)
        error_terminal = is_terminal(sys.stderr)
        if page and terminal and os.environ.get("TERM") != "dumb":
            from llmcat.render import pager

            paged = pager.paged(sys.stdout.buffer, _columns(True), sys.stdout.fileno())
            if paged is not None:  # the pager reads a pipe: colour must be forced to reach it
                return cls(paged, sys.stderr, terminal=True, error_terminal=error_terminal, color=color, force_color=color)
        return cls(sys.stdout.buffer, sys.stderr, text_encoding=_encoding(sys.stdout), terminal=terminal,
                   error_terminal=error_terminal, color=color, force_color=color_choice == "always")

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
        if self._text is None:  # text goes through to the bytes at once, in order with them, and is masked with them
            self._text = io.TextIOWrapper(self.stdout, encoding=self._encoding, errors="backslashreplace", write_through=True)
        return self._text

    def draw_text(self, draw: Callable[[TextIO], None]) -> None:
        """Let a renderer that writes text (rich) draw on standard output, after the bytes already written."""
        self.stdout.flush()
        if self._text is not None:
            draw(self._text)
            self._text.flush()
            return
        text = io.TextIOWrapper(self.stdout, encoding=self._encoding, errors="backslashreplace", write_through=True)
        try:
            draw(text)
        finally:
            text.flush()
            text.detach()  # leave the byte buffer open

    def masked(self, value: Any) -> Any:
        """A JSON-shaped value (or a row) with every credential known so far masked in its strings: for what
        a table lays out, before a cell is wrapped or cut (the last step could not find a key split in two)."""
        from llmcat.render.mask import KNOWN

        if not KNOWN.active:
            return value
        if isinstance(value, str):
            return KNOWN.text(value)
        if isinstance(value, dict):
            return {self.masked(k): self.masked(v) for k, v in value.items()}
        if isinstance(value, tuple) and hasattr(value, "_replace"):  # a row
            return type(value)(*(self.masked(v) for v in value))
        if isinstance(value, (list, tuple)):
            return [self.masked(v) for v in value]
        return value

    def progress(self, total: int) -> Any:
        from llmcat.render.progress import LazyProgress

        return LazyProgress(total, self.stderr, terminal=self.error_terminal)

    def close(self) -> None:
        """Flush what was written; a text layer made over a byte buffer is detached, leaving the buffer open.
        Paged output is complete: it is shown (or the pager's input closed and the pager waited for)."""
        if self._text is not None:
            self._text.flush()
            if isinstance(self._text, io.TextIOWrapper) and self._text.buffer is self.stdout:
                self._text.detach()
            self._text = None
        self.stdout.flush()
        if "llmcat.render.pager" in sys.modules:  # imported only when paging
            sys.modules["llmcat.render.pager"].finish()


def _encoding(stream: TextIO) -> str:
    """The encoding text is written to standard output in: what it cannot take (PYTHONIOENCODING=ascii,
    a latin-1 locale, some CI shells) is written as a backslash escape, not a UnicodeEncodeError."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return "utf-8" if encoding.lower().replace("-", "").replace("_", "") == "utf8sig" else encoding


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
