"""On a real pseudo-terminal, recorded text is shown, not obeyed.

Each command `llmcat --help` lists runs with its stdout and stderr a tty (pty.fork),
on recordings whose every shown field carries OSC 0/8/52, CSI clear-screen, C1 CSI
(U+009B), BEL, backspace, CR, DEL, rich markup and emoji codes, and on a file whose
*name* carries them. The only escape sequences that may reach the terminal are
llmcat's own SGR colour codes (ESC [ ... m).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import sys
import time
import tty

import pytest

from conftest import FIXTURES, LLAMA, ROOT
from fuzz.commands import TABLE, skip_reason

HOSTILE = [LLAMA / "hostile.json", FIXTURES / "hostile" / "fields.json", FIXTURES / "hostile" / "error.json"]
# Anything but SGR: ESC not followed by `[params m`, C0 except newline and tab, DEL, C1 (as UTF-8).
RAW = re.compile(rb"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]|\xc2[\x80-\x9f]")
SGR = re.compile(rb"\x1b\[[0-9;]*m")
COMMANDS = [pytest.param(c, id=c.label, marks=pytest.mark.skipif(bool(skip_reason(c)), reason=skip_reason(c) or ""))
            for c in TABLE]


def on_terminal(argv: list[str], timeout: float = 30.0, env: dict | None = None) -> tuple[int, bytes]:
    """Run llmcat with stdout and stderr on a pty (raw mode: no \\n -> \\r\\n translation); all it wrote.
    No pager unless `env` names one (LLMCAT_PAGER): a real one would wait for a key. In `env`, None unsets."""
    extra = env or {}
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40", "LLMCAT_PAGER": "", **extra}
    if "NO_COLOR" not in extra:
        env.pop("NO_COLOR", None)
    env = {k: v for k, v in env.items() if v is not None}  # None: unset
    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
        try:
            tty.setraw(1)
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "llmcat", *argv], env)
        finally:
            os._exit(127)
    out = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif os.waitpid(pid, os.WNOHANG)[0]:
            try:
                while chunk := os.read(fd, 65536):
                    out += chunk
            except OSError:
                pass
            break
    else:
        os.kill(pid, 9)
        pytest.fail(f"llmcat {' '.join(argv)} did not finish on a terminal within {timeout} s")
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), bytes(out)


def assert_nothing_raw(out: bytes) -> None:
    match = RAW.search(out)
    assert match is None, f"raw control sequence reached the terminal: {out[max(0, match.start() - 40):match.end() + 40]!r}"


def _inputs_for(command, tmp_path) -> list[str]:
    if not command.many:  # diff: a hostile recording against an edited copy, so the hostile text is in the diff
        edited = tmp_path / "edited.json"
        edited.write_bytes(HOSTILE[1].read_bytes().replace(b"answer ", b"changed answer "))
        return command.build([str(HOSTILE[1])], str(edited))
    return command.build([str(p) for p in HOSTILE], str(HOSTILE[0]))


@pytest.mark.parametrize("command", COMMANDS)
def test_recorded_text_never_drives_the_terminal(command, tmp_path):
    status, out = on_terminal(_inputs_for(command, tmp_path))
    assert status in command.exits, out[-500:]
    assert b"Traceback" not in out
    assert_nothing_raw(out)
    text = SGR.sub(b"", out).decode("utf-8", "replace")
    if command.shows_recorded_text:
        assert "\\x1b]0;" in text or "\\u001b]0;" in text, "the hostile text is shown (escaped), not dropped"
    assert "💀" not in text


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.values[0].label in ("show", "join")])
def test_markup_and_emoji_codes_print_literally_and_controls_are_visible(command):
    status, out = on_terminal(command.build([str(LLAMA / "hostile.json")], ""))
    text = SGR.sub(b"", out).decode()
    assert status == 0
    assert "[bold red]x[/bold red] :skull:" in text
    for shown in ("\\x1b]0;pwned title\\x07", "\\x1b]8;;http://evil.tes", "\\x1b]52;c;ZXZpbA==\\x07", "\\x1b[2J\\x1b[H",
                  "\\x9b31m", "\\x08\\x08 back\\x0d", "\\x7f end"):
        assert shown in text, shown


def test_show_on_a_terminal_uses_colour_and_only_sgr():
    status, out = on_terminal(["show", str(HOSTILE[1])])
    assert status == 0 and SGR.search(out), "a terminal gets colour"
    assert_nothing_raw(out)


def test_join_writes_exact_bytes_to_a_pipe_but_escapes_on_a_terminal():
    from conftest import subprocess_llmcat

    piped = subprocess_llmcat("join", "-n", LLAMA / "hostile.json").stdout
    assert b"\x1b]52;c;ZXZpbA==\x07" in piped and "\x9b".encode() in piped  # its job, for pipelines
    status, shown = on_terminal(["join", "-n", str(LLAMA / "hostile.json")])
    assert status == 0 and b"\x1b" not in shown and "\x9b".encode() not in shown
    assert b"\\x1b]52;c;ZXZpbA==\\x07" in shown and b"\\x9b31m" in shown and b"[bold red]x[/bold red] :skull:" in shown


@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_file_name_on_a_terminal(command, tmp_path):
    evil = tmp_path / "x\x1b]0;owned\x07\x1b[2J\x9b2J.json"
    shutil.copy(LLAMA / "chat-stream.json", evil)
    missing = tmp_path / "gone\x1b]52;c;ZXZpbA==\x07.json"
    argv = command.build([str(evil), str(missing)], str(evil)) if command.many else command.build([str(missing)], str(evil))
    status, out = on_terminal(argv)
    assert status in command.exits and b"Traceback" not in out
    assert_nothing_raw(out)
    assert b"\\x1b]52;c;ZXZpbA==\\x07" in out  # the missing file is named, escaped
