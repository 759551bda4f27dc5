"""The small ones of #26: --grep marked on a terminal, --head/--tail bound a long line, tool results
pretty-printed, --tail's label, a diff note said once, git's external diff under `| head`, --help's formats,
`man llmcat` after an editable install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from test_terminal import SGR, on_terminal

from conftest import FIXTURES, ROOT, run, subprocess_llmcat

CONVERSATION = FIXTURES / "conversations" / "openai-chat.yaml"


def _cassette(tmp_path: Path, result: str) -> Path:
    """One OpenAI chat call whose request carries a tool call and its `result`."""
    messages = [{"role": "user", "content": "Look it up."},
                {"role": "assistant", "content": None,
                 "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"q":1}'}}]},
                {"role": "tool", "tool_call_id": "c1", "content": result}]
    answer = {"id": "x", "object": "chat.completion", "model": "gpt-4o",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "Done."}, "finish_reason": "stop"}]}
    cassette = {"interactions": [{
        "request": {"method": "POST", "uri": "https://api.openai.com/v1/chat/completions", "headers": {},
                    "body": orjson.dumps({"model": "gpt-4o", "messages": messages}).decode()},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {"Content-Type": ["application/json"]},
                     "body": {"string": orjson.dumps(answer).decode()}}}], "version": 1}
    path = tmp_path / "call.json"
    path.write_bytes(orjson.dumps(cassette))
    return path


def test_grep_matches_are_marked_on_a_terminal_and_nowhere_else():
    status, out = on_terminal(["show", "--grep", "Paris", str(CONVERSATION)])
    assert status == 0
    assert out.count(b"\x1b[7mParis") >= 2  # the question and the tool's result, in reverse video
    piped = subprocess_llmcat("show", "--grep", "Paris", CONVERSATION).stdout
    assert b"\x1b" not in piped and b"Paris" in piped


def test_a_tool_result_is_pretty_printed_like_tool_arguments(tmp_path):
    path = _cassette(tmp_path, orjson.dumps({"results": [{"title": "A"}, {"title": "B"}]}).decode())
    out = subprocess_llmcat("show", path).stdout.decode()
    assert ('    [tool] lookup: {\n             "results": [\n               {\n                 "title": "A"\n'
            in out)
    prose = subprocess_llmcat("show", _cassette(tmp_path, "42 degrees")).stdout.decode()
    assert "    [tool] lookup: 42 degrees\n" in prose  # not JSON: as sent


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_head_and_tail_bound_a_one_line_result_by_characters(tmp_path, terminal):
    result = "row " * 1200  # 4.8 KB on one line
    path = _cassette(tmp_path, result)
    args = ["show", "--head", "2", str(path)]
    if terminal:
        status, raw = on_terminal(args, env={"COLUMNS": "200"})
        out = SGR.sub(b"", raw).decode().replace("\r\n", "\n")
    else:
        out = subprocess_llmcat(*args).stdout.decode()
    # the entry is `lookup: ` and the result: 4,808 characters, 400 of them shown
    assert "[4,408 more characters of this line not shown]" in out
    assert out.count("row") < 120
    tail = subprocess_llmcat("show", "--tail", "1", path).stdout.decode()
    assert "[4,608 earlier characters of this line not shown]" in tail


def test_tail_says_the_lines_it_leaves_out_came_earlier(tmp_path):
    path = _cassette(tmp_path, "one\ntwo\nthree\nfour")
    out = subprocess_llmcat("show", "--tail", "1", path).stdout.decode()
    assert "    [tool] [3 earlier lines not shown]\n" in out and "more line" not in out and "four" in out
    head = subprocess_llmcat("show", "--head", "1", path).stdout.decode()
    assert "    [tool] lookup: one\n           [3 more lines not shown]\n" in head


def test_a_file_that_is_no_recording_is_said_to_be_one_once(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text('{"name": "a"}\n')
    new.write_text('{"name": "b"}\n')
    result = run("diff", "package.json", old, "a" * 40, "100644", new, "b" * 40, "100644")
    assert result.exit_code == 0
    notes = [line for line in result.stdout.splitlines() if line.startswith("note:")]
    assert notes == ["note: not a recording (JSON, but no request/response); compared as text"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_log_ext_diff_into_head_ends_quietly(tmp_path):
    """`git log -p --ext-diff | head`: the reader leaves; git's external diff must end with status 0, or git
    says "fatal: external diff died" (its own diff ends quietly there)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "HOME": str(tmp_path),
           "GIT_CONFIG_NOSYSTEM": "1", "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, env=env, check=True,
                       capture_output=True)

    git("init", "-q")
    for n in range(40):
        shutil.copy(FIXTURES / "diff" / "base.json", repo / f"r{n:02d}.json")
    git("add", ".")
    git("commit", "-qm", "recorded")
    for n in range(40):
        shutil.copy(FIXTURES / "diff" / "word-changed.json", repo / f"r{n:02d}.json")
    git("commit", "-qam", "re-recorded")
    log = subprocess.Popen(["git", "--no-pager", "log", "-p", "--ext-diff"], cwd=repo, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env={**env, "GIT_EXTERNAL_DIFF": "llmcat diff"})
    assert log.stdout is not None and log.stderr is not None
    first = log.stdout.read(300)  # as `head -c 300` does, then leaves
    log.stdout.close()
    errors = log.stderr.read()
    log.wait(timeout=60)
    assert b"commit " in first and b"external diff died" not in errors and b"Traceback" not in errors, errors


def test_help_names_every_format_without_importing_one():
    from llmcat.formats.registry import registered

    out = subprocess_llmcat("--help").stdout.decode()
    said = " ".join(out.split())  # (rewrapped by click)
    for fmt in registered():
        assert fmt.name in said.replace("- ", "-"), fmt.name
    loaded = subprocess.run([sys.executable, "-c", "import sys, llmcat.commands.app; "
                             "print(sorted(m for m in sys.modules if m.startswith('llmcat.formats')))"],
                            capture_output=True, cwd=ROOT, timeout=60)
    assert loaded.stdout.decode().strip() == "[]", loaded.stdout  # the list is a constant tools/docs.py writes


@pytest.mark.skipif(shutil.which("man") is None, reason="man not installed")
def test_man_finds_the_page_linked_as_the_readme_says(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = 'mkdir -p .venv/share/man/man1 && ln -sf "$PWD/man/llmcat.1" .venv/share/man/man1/llmcat.1 && man llmcat'
    assert line in readme
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "share" / "man" / "man1").mkdir(parents=True)
    (venv / "share" / "man" / "man1" / "llmcat.1").symlink_to(ROOT / "man" / "llmcat.1")
    env = {k: v for k, v in os.environ.items() if k != "MANPATH"}
    env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    found = subprocess.run(["man", "-w", "llmcat"], capture_output=True, env=env, timeout=60)
    assert found.returncode == 0 and found.stdout.decode().strip().endswith("llmcat.1"), found.stderr
