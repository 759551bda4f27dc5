"""Issue #24: a refused fork falls back to reading in one process; forked readers end with llmcat on
SIGTERM, SIGHUP and SIGINT; Ctrl-C is never lost, whatever the phase."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run

sys.path.insert(0, str(ROOT / "bench"))
import suite as bench_suite  # noqa: E402


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("suite")
    bench_suite.generate(directory, 1600)  # (check reads it in ~0.4 s: long enough for each phase to see a Ctrl-C)
    return directory


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_refused_fork_reads_in_one_process(suite, monkeypatch):
    expected = run("ls", "--json", suite)
    assert expected.exit_code == 0 and expected.stdout.count("\n") >= 400

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    for command in ("ls", "stats", "check"):
        result = run(command, "--json", suite)
        assert result.exit_code in (0, 1), (command, result.stderr)
        assert "cannot write the output" not in result.stderr and "resource" not in result.stderr.lower()
    assert run("ls", "--json", suite).stdout == expected.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_readers_end_with_llmcat(suite, signum):
    proc = subprocess.Popen([sys.executable, "-m", "llmcat", "check", str(suite)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        readers: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None and not readers:
            readers = children_of(proc.pid)
            time.sleep(0.005)
        if not readers:
            pytest.skip("the run ended before its readers could be seen (one core, or a fast machine)")
        proc.send_signal(signum)
        status = proc.wait(timeout=30)
        assert status in (128 + signum, -signum, 130), status
        assert b"Traceback" not in proc.stderr.read()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(pid) for pid in readers):
            time.sleep(0.05)
        assert not any(alive(pid) for pid in readers), "a reader outlived llmcat"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def ctrl_c_at_a_terminal(argv: list[str], delay: float) -> int | None:
    """Run llmcat on a pty, type Ctrl-C after `delay` seconds; its exit status (None: it had finished)."""
    import pty
    import select

    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40", "LLMCAT_PAGER": ""}
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "-m", "llmcat", *argv], env)
        finally:
            os._exit(127)
    start, typed = time.monotonic(), False
    try:
        while time.monotonic() - start < 60:
            if not typed and time.monotonic() - start >= delay:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    return None
                os.write(fd, b"\x03")  # the terminal sends SIGINT to the foreground process group
                typed = True
            ready, _, _ = select.select([fd], [], [], 0.02)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    break
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) if typed else None
        else:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"Ctrl-C at {delay} s was lost: llmcat {' '.join(argv)} still ran after 60 s")
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)  # (it closed the terminal: it is ending)
    return os.waitstatus_to_exitcode(status) if typed else None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty")
def test_ctrl_c_is_never_lost_whatever_the_phase(suite):
    """Typed at the start, the walk, the reading (forks included) or the drawing: the run ends, 130. (Once a
    pager shows the output, Ctrl-C is the pager's: llmcat waits for it, as git does.)"""
    delays = (0.12, 0.18, 0.24, 0.3, 0.45, 0.6, 0.9, 1.3)
    statuses = [ctrl_c_at_a_terminal(["check", str(suite)], delay) for delay in delays]
    interrupted = [s for s in statuses if s is not None]
    assert interrupted, "every run ended before Ctrl-C"
    # (Only a Ctrl-C inside the interpreter's own start-up, before llmcat runs a line, ends it by SIGINT itself.)
    assert set(interrupted) <= {130, -signal.SIGINT} and 130 in interrupted, list(zip(delays, statuses, strict=True))
