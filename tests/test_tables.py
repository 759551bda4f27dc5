"""Tables keep what a reader needs (#26): `ls`, `stats` and `diff`'s directory view at 80 and 200 columns on a
terminal (a real pty) and in a pipe; `ls -n`; `.` as the default path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import orjson
import pytest
from test_terminal import SGR, on_terminal

from conftest import FIXTURES, LLAMA, ROOT, SHARED

SUITES = [FIXTURES / "vcr", LLAMA, SHARED / "corpus" / "vcr", SHARED / "corpus" / "llama-stack"]


def _table(argv: list[str], columns: int, cwd=None) -> list[str]:
    """The lines a command drew on a terminal `columns` wide (the progress bar, when there was one, left out)."""
    if cwd is not None:
        argv = [*argv]
    status, out = on_terminal(argv, env={"COLUMNS": str(columns)}) if cwd is None else _on_terminal_in(argv, columns, cwd)
    assert status in (0, 1, 2), out
    text = SGR.sub(b"", out).decode()
    text = text[text.rfind("\x1b[2K") + 4:] if "\x1b[2K" in text else text  # after the progress bar's last erase
    return [line for line in text.replace("\r\n", "\n").split("\n")
            if line.strip() and "\x1b" not in line and not line.startswith("llmcat: ")]  # (stderr: a file that is no recording)


def _on_terminal_in(argv, columns, cwd):
    here = os.getcwd()
    os.chdir(cwd)
    try:  # on_terminal runs llmcat from the repository; as a module it is found from anywhere by its path
        return on_terminal(argv, env={"COLUMNS": str(columns), "PYTHONPATH": str(ROOT)})
    finally:
        os.chdir(here)


def _pipe(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("suite", SUITES, ids=["vcr", "llama-stack", "corpus-vcr", "corpus-llama-stack"])
@pytest.mark.parametrize("columns", [80, 200])
def test_ls_keeps_the_model_column_and_says_the_shared_directory_once(suite, columns):
    if not suite.is_dir():
        pytest.skip("the shared corpus is absent")
    lines = _table(["ls", str(suite)], columns)
    header = lines[0].split()
    assert "model" in header and all(len(line) <= columns for line in lines)
    assert header[0].endswith(f"{suite.name}/") and not any(line.startswith(str(suite)) for line in lines[1:])
    piped = _pipe("ls", suite).stdout.decode().splitlines()  # a pipe: every column, whole, at any width
    assert piped[0].split("\t") == ["path", "api", "model", "streamed", "chunks", "finish", "prompt_tokens",
                                    "completion_tokens", "test_id", "error"]
    assert len(piped) - 1 == len(lines) - 1 and all(row.startswith(str(suite)) for row in piped[1:])


def test_columns_that_say_nothing_go_first_and_the_error_and_test_name_stay(tmp_path):
    """--errors --sort tokens at 200 columns: the failed calls record no finish or tokens (every cell `-`):
    those columns give way to the error and the test id, whole."""
    lines = _table(["ls", "--errors", "--sort", "tokens", str(LLAMA)], 200)
    header = lines[0].split()
    assert "error" in header and "tokens" in header and "test_id" in header  # asked for, or the model's and test's
    assert "finish" not in header and "completion" not in header  # every failed call's is `-`
    rows = [orjson.loads(line) for line in _pipe("ls", "--json", "--errors", LLAMA).stdout.splitlines()]
    for row in rows:  # the error as whole as the room left allows (the longest is 110 characters)
        message = row["error"]["message"]
        assert any(message[:40] in line for line in lines), message
    assert any("400 invalid_request_error messages: field required" in line for line in lines)
    assert any("::test_too_long[txt=vllm]" in line for line in lines)


def test_stats_never_wraps_a_cell(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    long_names = ["publishers/google/models/gemini-2.0-flash-001-preview-of-a-long-name",
                  "accounts/fireworks/models/llama-v3p1-8b-instruct-with-a-long-suffix"]
    for n, model in enumerate(long_names * 2):
        doc = orjson.loads((LLAMA / "chat-stream.json").read_bytes())
        doc["request"]["model"] = doc["request"]["body"]["model"] = model
        (suite / f"{n}.json").write_bytes(orjson.dumps(doc))
    for columns in (80, 200):
        lines = _table(["stats", str(suite)], columns)
        assert all(len(line) <= columns for line in lines)
        rows = [line for line in lines if line.startswith("│")]
        assert rows and all(line[1:].split("│")[0].strip() for line in rows), "a row of a table is never a cell's next line"
        if columns == 80:
            assert any("publishers/go…" in line and "-long-name │" in line for line in rows)  # its middle gone
    plain = _pipe("stats", suite).stdout.decode()
    assert all(name in plain for name in long_names)  # a pipe: whole


def test_diff_directory_view_lists_changes_first_and_never_wraps():
    legacy, current = FIXTURES / "diff" / "suite-legacy", FIXTURES / "diff" / "suite-current"
    for columns in (80, 200):
        lines = _table(["diff", "--all", str(legacy), str(current)], columns)
        assert all(len(line) <= columns for line in lines)
        statuses = [line.split()[0] for line in lines[:-1]]
        changed = [n for n, line in enumerate(lines[:-1]) if "(same)" not in line and line.startswith("renamed")]
        assert changed == list(range(len(changed))) and len(changed) == 3  # the changed pairs first
        assert statuses[3:6] == ["only-b"] * 3 and statuses[6:8] == ["only-a"] * 2  # then what came or went
        assert all("(same)" in line for line in lines[8:-1]) and len(lines) == 16  # then, with --all, the same
        assert lines[-1] == "7 same, 3 changed, 2 only-a, 3 only-b, 0 error (10 renamed)"
    piped = _pipe("diff", legacy, current).stdout.decode().splitlines()
    assert piped[0].startswith("renamed  cassettes/test_weather.yaml#1") and max(map(len, piped)) > 200  # a pipe: whole


def test_ls_n_lists_the_first_calls():
    every = _pipe("ls", LLAMA).stdout.decode().splitlines()
    assert _pipe("ls", "-n", "3", LLAMA).stdout.decode().splitlines() == every[:4]
    biggest = _pipe("ls", "--sort", "tokens", "--limit", "1", LLAMA).stdout.decode().splitlines()
    assert biggest == _pipe("ls", "--sort", "tokens", LLAMA).stdout.decode().splitlines()[:2]
    assert len(_table(["ls", "-n", "2", str(LLAMA)], 120)) == 3  # the header and two rows


def test_with_no_path_the_current_directory_is_read(tmp_path):
    suite = tmp_path / "suite"
    shutil.copytree(FIXTURES / "diff" / "tree-a", suite)
    listed = _pipe("ls", cwd=suite)
    assert listed.returncode == 0, listed.stderr
    assert [line.split("\t")[0] for line in listed.stdout.decode().splitlines()[1:]] == [
        "./changed.json", "./removed.json", "./same.json", "./sub/rechunked.json"]
    assert any("changed.json" in line for line in _table(["ls"], 80, cwd=suite))
    assert _pipe("stats", cwd=suite).stdout.decode().startswith("recordings:        4\ncalls:             4\n")
    assert _pipe("show", cwd=suite).stdout.decode().count("=== ./") == 4
    assert _pipe("check", cwd=suite).returncode == 0
    for command in ("ls", "stats", "show", "check"):  # through the typer app too (an option the quick path leaves to it)
        assert _pipe(command, "--color", "never", "--no-pager", cwd=suite).returncode == 0, command
