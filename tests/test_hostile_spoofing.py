"""Issue #18.11, Trojan Source: bidi overrides and isolates, zero-width characters and the line and
paragraph separators reached every human view raw, so recorded text could reorder or hide what a
reviewer sees. They are escaped visibly now (`\\u202e`); `join` to a pipe stays exact."""

from __future__ import annotations

import json
import subprocess
import sys

from test_hostile_amplify import completion
from test_terminal import on_terminal

from conftest import ROOT

SPOOFS = ["\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u2028", "\u2029", "\u061c", "\u200f"]
ESCAPED = [f"\\u{ord(c):04x}" for c in SPOOFS]


def llmcat(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, cwd=ROOT, timeout=60)


def _spoofing(tmp_path, answer_tail: str = ""):
    text = "access = " + "".join(SPOOFS) + " admin" + answer_tail
    path = completion(tmp_path / "rev\u202eevil.json", text)
    data = json.loads(path.read_text())
    data["request"]["body"]["model"] = data["request"]["model"] = "m\u2066odel\u2069"
    data["test_id"] = "t\u200b::x"
    path.write_text(json.dumps(data))
    return path, text


def _assert_escaped(out: str) -> None:
    for char in SPOOFS:
        assert char not in out, repr(char)


def test_bidi_and_zero_width_are_escaped_in_every_human_view(tmp_path):
    path, text = _spoofing(tmp_path)
    (tmp_path / "b").mkdir()
    other, _ = _spoofing(tmp_path / "b", " and more")
    for argv in (["show", "--color", "never", path], ["show", "--color", "always", path], ["ls", path],
                 ["check", path], ["stats", path], ["diff", "--color", "never", path, other],
                 ["diff", "--word-diff", "--color", "always", path, other]):
        proc = llmcat(*argv)
        out = proc.stdout.decode() + proc.stderr.decode()
        _assert_escaped(out)
        if argv[0] in ("show", "ls", "diff"):
            assert b"\\u202e" in proc.stdout + proc.stderr, argv  # in the file name at least
    shown = llmcat("show", "--color", "never", path).stdout.decode()
    assert "access = " + "".join(ESCAPED) + " admin" in shown
    status, on_tty = on_terminal(["join", str(path)])
    assert status == 0
    _assert_escaped(on_tty.decode())


def test_join_to_a_pipe_stays_exact(tmp_path):
    path, text = _spoofing(tmp_path)
    assert llmcat("join", "-n", path).stdout == text.encode()


def test_a_spoofing_file_name_is_escaped_in_the_error_line(tmp_path):
    bad = tmp_path / "a\u202egnp.json"
    bad.write_text("{")
    proc = llmcat("show", bad)
    assert proc.returncode == 2 and proc.stderr.decode().startswith(f"llmcat: {tmp_path}/a\\u202egnp.json: ")
