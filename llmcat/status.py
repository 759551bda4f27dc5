"""Exit statuses: the one place they are defined, used by every command.

0 all went well and there is nothing to report; 1 the answer is "yes": two recordings
differ (diff), something is wrong with a recording (check), a requested choice is
missing (join); 2 trouble: an input could not be read, bad usage, an internal error.
"""

import os
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import NoReturn


class ExitStatus(IntEnum):
    OK = 0
    FOUND = 1  # diff: the inputs differ; check: a finding that fails; join: no such choice
    DIFFERENT = 1  # (the same status, as diff says it)
    TROUBLE = 2
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as the shell reports it

    @classmethod
    def of(cls, trouble: int, found: bool = False) -> "ExitStatus":
        """Trouble (a count of problems, or a flag) outranks a finding: a run that could not read
        everything did not answer."""
        return cls.TROUBLE if trouble else cls.FOUND if found else cls.OK


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the run ends as Ctrl-C ends it (forked readers ended, what was written flushed,
    a pager finished), with status 128 + the signal, as the shell reports a process it ended."""

    def __init__(self, signum: int) -> None:
        super().__init__()
        self.signum = signum


def _stop_on_signals() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C: KeyboardInterrupt from here on

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name) and signal.getsignal(getattr(signal, name)) == signal.SIG_DFL:
            signal.signal(getattr(signal, name), stop)


def guarded(run: Callable[[], int | None]) -> NoReturn:
    """Run a command to the end of the process: never a traceback. A closed output pipe ends
    llmcat as it ends cat and jq; Ctrl-C is INTERRUPTED; a bug is one line and TROUBLE."""
    _die_quietly_on_closed_pipe()
    _stop_on_signals()
    if sys.stderr is None:  # started with standard error closed: reports are lost, but still counted
        sys.stderr = open(os.devnull, "w")
    if sys.stdout is None:  # started with standard output closed: nowhere to answer
        _say("standard output is closed")
        sys.exit(ExitStatus.TROUBLE)
    try:
        status = run()
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(ExitStatus.OK)
    except KeyboardInterrupt as exc:
        if isinstance(exc, Stopped):
            sys.exit(128 + exc.signum)  # (a pager is not waited for: whoever ended llmcat is not reading it)
        _finish_pager()
        sys.exit(ExitStatus.INTERRUPTED)
    except SystemExit:  # the command's status (or the pager was quit early: status 0)
        _finish_pager()
        raise
    except OSError as exc:  # writing the output failed (a full disk, a device error): not one file's fault
        _silence_stdout()
        _say(f"cannot write the output: {(exc.strerror or type(exc).__name__).lower()}")
        sys.exit(ExitStatus.TROUBLE)
    except MemoryError:  # outside any one file's reading (those are reported per file)
        _say("out of memory")
        sys.exit(ExitStatus.TROUBLE)
    except BaseException as exc:  # a bug: one line, not a traceback
        _say(f"internal error: {type(exc).__name__}: {exc}")
        sys.exit(ExitStatus.TROUBLE)
    sys.exit(status)


def _say(message: str) -> None:
    """One line on standard error, if it can still take one (masked, as every line llmcat writes)."""
    mask = sys.modules.get("llmcat.render.mask")  # imported whenever a command has read a recording
    if mask is not None:
        message = mask.KNOWN.text(message)
    try:
        sys.stderr.write(f"llmcat: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _die_quietly_on_closed_pipe() -> None:
    """`llmcat show dir | head`: the reader left. Python turns SIGPIPE into an exception that click
    reports as status 1 ("found a difference" for diff and check); the default action is the Unix
    convention instead: end silently, status 128+SIGPIPE, as cat, git and jq do. Run by git as its
    external diff (`git log -p --ext-diff | head`), status 0: git stops with "fatal: external diff died"
    at any other, where its own diff would have ended quietly."""
    import signal

    if not hasattr(signal, "SIGPIPE"):
        return
    if "GIT_DIFF_PATH_COUNTER" in os.environ:  # set by git for GIT_EXTERNAL_DIFF and diff drivers' commands
        signal.signal(signal.SIGPIPE, lambda *_: os._exit(ExitStatus.OK))
    else:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _finish_pager() -> None:
    """Wait for the reader to quit the pager, if one was started, so the prompt comes back after it."""
    pager = sys.modules.get("llmcat.render.pager")  # imported (by render.output) only when paging
    if pager is not None:
        pager.finish()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
