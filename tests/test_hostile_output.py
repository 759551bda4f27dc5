"""Issue #18, output: any output encoding, and standard streams that are closed or full."""

from __future__ import annotations

import subprocess
import sys

from test_terminal import on_terminal

from conftest import FIXTURES, LLAMA, ROOT

GOOD = LLAMA / "chat-stream.json"
BAD = FIXTURES / "bad" / "truncated.json"


def llmcat(*args, env: dict | None = None, **streams) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], cwd=ROOT, timeout=60,
                          env={**os.environ, **(env or {})}, **streams)


def test_colour_views_survive_an_ascii_output_encoding(monkeypatch):
    """#18.9: with PYTHONIOENCODING=ascii every colour view died mid-output (UnicodeEncodeError, even
    for ASCII recordings: llmcat's own `…` and `→`). What the encoding cannot take is escaped."""
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    shown = llmcat("show", "--color", "always", LLAMA / "hostile.json", env=ascii_only, capture_output=True)
    assert shown.returncode == 0 and shown.stderr == b"", shown.stderr
    shown.stdout.decode("ascii")
    changed = llmcat("diff", "--color", "always", FIXTURES / "diff" / "base.json", FIXTURES / "diff" / "param-changed.json",
                     env=ascii_only, capture_output=True)
    assert changed.returncode == 1 and changed.stderr == b"", changed.stderr
    assert b" \\u2192 " in changed.stdout  # the arrow, escaped
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")
    for argv in (["ls", str(LLAMA)], ["stats", str(LLAMA)]):
        status, out = on_terminal(argv)
        assert status == 0 and b"internal error" not in out and b"UnicodeEncodeError" not in out, out[-500:]
        out.decode("ascii")
def test_closed_or_full_standard_error_still_gives_status_2():
    """#18.10: with standard error closed or full, a bad input exited 1 and the later inputs were
    dropped. Now the report is lost but counted: status 2, and the good input still answered."""
    for stderr in (subprocess.DEVNULL, None):
        if stderr is None:
            full = open("/dev/full", "w")
            proc = llmcat("join", BAD, GOOD, stdout=subprocess.PIPE, stderr=full)
            full.close()
        else:
            proc = subprocess.run(f'"{sys.executable}" -m llmcat join "{BAD}" "{GOOD}" 2>&-', shell=True, cwd=ROOT,
                                  stdout=subprocess.PIPE, timeout=60)
        assert proc.returncode == 2
        assert proc.stdout == b"Paris is the capital of France.\n"


def test_closed_or_full_standard_output_is_status_2_with_one_line():
    """#18.10: standard output closed gave "internal error: AttributeError"; a full disk
    "internal error: OSError". Now one line each, status 2."""
    closed = subprocess.run(f'"{sys.executable}" -m llmcat show "{GOOD}" >&-', shell=True, cwd=ROOT,
                            stderr=subprocess.PIPE, timeout=60)
    assert closed.returncode == 2 and closed.stderr == b"llmcat: standard output is closed\n"
    with open("/dev/full", "wb") as full:
        for argv in (["show", GOOD], ["ls", LLAMA], ["show", "--json", GOOD]):
            proc = llmcat(*argv, stdout=full, stderr=subprocess.PIPE)
            assert proc.returncode == 2 and proc.stderr == b"llmcat: cannot write the output: no space left on device\n", \
                (argv, proc.stderr)
