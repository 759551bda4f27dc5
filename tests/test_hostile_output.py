"""Issue #18, output: any output encoding, and standard streams that are closed or full."""

from __future__ import annotations

import subprocess
import sys

from conftest import FIXTURES, LLAMA, ROOT
from test_terminal import on_terminal

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
