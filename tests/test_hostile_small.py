"""Issue #18.12, the smaller findings: each one input that spoiled more than itself, or said too much."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, ROOT


def llmcat(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, cwd=ROOT, timeout=60)


def test_one_bad_base64_har_entry_spoils_only_itself(tmp_path):
    """A HAR entry whose base64 text is not base64 made the whole HAR unreadable."""
    har = json.loads((FIXTURES / "har" / "session.har").read_text())
    content = har["log"]["entries"][1]["response"]["content"]
    content["encoding"], content["text"] = "base64", "not base64 at all!"
    path = tmp_path / "one-bad.har"
    path.write_text(json.dumps(har))
    rows = llmcat("ls", path)
    assert rows.returncode == 0, rows.stderr
    assert [line.split("\t")[0] for line in rows.stdout.decode().splitlines()[1:]] == [f"{path}#{n}" for n in range(3)]
    shown = llmcat("show", "--json", f"{path}#1")
    assert json.loads(shown.stdout)["error"]["message"] == "HAR content.text says base64 but is not"


def test_check_reads_a_1000_deep_file_that_show_reads(tmp_path):
    """`check` called a request 1,000 levels deep unreadable (its duplicate key and name hash
    recursed past Python's stack) while `show` read it; those two checks are skipped for it now."""
    data = json.loads((FIXTURES / "llama-stack" / "chat-tools.json").read_text())
    data["request"]["body"]["deep"] = "@DEEP@"
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(data).replace('"@DEEP@"', "[" * 1000 + "1" + "]" * 1000))
    assert llmcat("show", path).returncode == 0
    proc = llmcat("check", path)
    assert proc.returncode == 0 and proc.stdout == b"" and proc.stderr == b"", (proc.stdout, proc.stderr)


def test_a_regex_python_warns_about_prints_no_warning():
    """`ls --grep '[[:alpha:]]'` printed Python's FutureWarning, with a source path, on stderr."""
    proc = llmcat("ls", "--grep", "[[:alpha:]]", FIXTURES / "llama-stack" / "chat-stream.json")
    assert proc.returncode == 0 and proc.stderr == b""


def test_a_10mb_model_name_is_fitted_at_once(tmp_path):
    """The terminal `ls` table took 25 s (and `stats` 4 s of CPU) to fit a 10 MB model name, a column
    at a time; cells are clipped to the terminal's width first now (within the pty's 60 s here)."""
    from test_hostile_amplify import completion
    from test_terminal import on_terminal

    path = completion(tmp_path / "long.json", "x")
    data = json.loads(path.read_text())
    data["request"]["body"]["model"] = data["request"]["model"] = "m" * 10_000_000
    path.write_text(json.dumps(data))
    for command in ("ls", "stats"):
        status, out = on_terminal([command, str(path)], timeout=60)
        assert status == 0 and b"mmmmmmmmmm\xe2\x80\xa6" in out and len(out) < 20_000, (command, len(out))
