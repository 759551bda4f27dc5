"""A progress bar on standard error, only on a terminal and only once the work has taken a while."""

from __future__ import annotations

import sys
import time
from typing import IO, TYPE_CHECKING

from llmcat.render import is_terminal

if TYPE_CHECKING:  # rich is imported only when a bar is drawn
    from rich.progress import Progress, TaskID

DELAY = 0.5  # seconds of work before a bar is worth drawing


class LazyProgress:
    def __init__(self, total: int, stream: IO[str] | None = None, terminal: bool | None = None) -> None:
        """`terminal`: is `stream` a terminal, as the caller's `Output` already knows (asked here when not told)."""
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.enabled = total > 1 and (is_terminal(self.stream) if terminal is None else terminal)
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def advance(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self.start < DELAY or self.done >= self.total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            console = Console(file=self.stream, highlight=False, emoji=False, markup=False)
            self._bar = Progress(BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True,
                                 redirect_stdout=False, redirect_stderr=False)
            self._task = self._bar.add_task("reading", total=self.total)
            self._bar.start()
        assert self._task is not None  # added with the bar
        self._bar.update(self._task, completed=self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
