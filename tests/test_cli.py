"""`show` and `join` through the real CLI: bytes, exit statuses, colour, bad input."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, LLAMA, run, subprocess_llmcat

ANSI = re.compile(rb"\x1b\[")


def test_join_prints_exact_text_with_one_newline_each():
    result = run("join", LLAMA / "completions-stream.json", LLAMA / "chat-stream.json")
    assert result.exit_code == 0
    assert result.stdout_bytes == b" blue, like the sea.\n\nThe rhyme ends here\nParis is the capital of France.\n"


def test_join_no_newline_is_exact_bytes():
    result = run("join", "-n", LLAMA / "completions-stream.json")
    assert result.stdout_bytes == b" blue, like the sea.\n\nThe rhyme ends here"


def test_join_choice_and_reasoning():
    assert run("join", "--choice", "1", LLAMA / "chat-stream-n2.json").stdout_bytes == b"Green and gold.\n"
    assert run("join", "--reasoning", LLAMA / "chat-stream-reasoning.json").stdout_bytes == b"The user wants a sum. 2+2=4. Done.\n"


def test_join_missing_choice_says_so_and_exits_1():
    result = run("join", "--choice", "5", LLAMA / "chat-stream.json")
    assert result.exit_code == 1
    assert result.stdout_bytes == b"\n"
    assert "no choice 5" in result.stderr


def test_join_reads_stdin():
    data = (LLAMA / "chat-stream.json").read_bytes()
    result = run("join", "-", input=data)
    assert result.exit_code == 0 and result.stdout_bytes == b"Paris is the capital of France.\n"


def test_join_keeps_control_bytes_raw_to_a_pipe():
    out = subprocess_llmcat("join", "-n", LLAMA / "hostile.json").stdout
    assert b"\x1b]0;pwned title\x07" in out and "\x9b".encode() in out


@pytest.mark.parametrize("bad", sorted((FIXTURES / "bad").iterdir()), ids=lambda p: p.name)
def test_bad_input_is_one_line_exit_2_and_others_still_processed(bad):
    proc = subprocess_llmcat("join", bad, LLAMA / "chat-stream.json")
    assert proc.returncode == 2
    assert proc.stdout == b"Paris is the capital of France.\n"
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"llmcat: {bad}: ")
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("cmd", [["show"], ["show", "--json"], ["join"]])
def test_missing_and_directory_inputs(cmd, tmp_path):
    proc = subprocess_llmcat(*cmd, tmp_path / "nope.json", tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [f"llmcat: {tmp_path / 'nope.json'}: no such file", f"llmcat: {tmp_path}: is a directory"]


def test_empty_stdin():
    proc = subprocess_llmcat("show", "-", input=b"")
    assert proc.returncode == 2 and proc.stderr == b"llmcat: -: empty file\n"


def test_show_plain_to_a_pipe_has_no_ansi_and_all_parts():
    proc = subprocess_llmcat("show", LLAMA / "anthropic-stream.json")
    assert proc.returncode == 0 and not ANSI.search(proc.stdout)
    text = proc.stdout.decode()
    for expected in ["api:      anthropic.messages (llama-stack, streamed)", "[user] 15*7?", "--- reasoning", "    Add them",
                     "--- answer", "    Let me compute.", "--- tool call 0: calc (toolu_1)", '      "expr": "15*7"',
                     "finish: tool_use", "usage:  30 prompt + 42 completion = 72 tokens", "chunks: 17", "tool: calc"]:
        assert expected in text, expected


def test_show_is_deterministic_and_unwrapped():
    long_line = "word " * 200
    first = subprocess_llmcat("show", LLAMA / "chat-exception.json").stdout
    assert first == subprocess_llmcat("show", LLAMA / "chat-exception.json").stdout
    assert b"maximum context length is 4096 tokens" in first
    assert len(long_line) > 80  # the test inputs hold lines longer than any terminal; none is broken
    assert all(len(line) < 10000 for line in first.splitlines())


def test_show_timing_and_tokens_per_second():
    text = subprocess_llmcat("show", LLAMA / "completions-stream.json").stdout.decode()
    assert "completion_time=0.011" in text and "(1000.0 tokens/s)" in text


def test_show_color_always_draws_ansi_and_no_color_env_is_honoured():
    always = subprocess_llmcat("show", "--color", "always", LLAMA / "chat-stream.json")
    assert ANSI.search(always.stdout)
    never = subprocess_llmcat("show", "--color", "never", LLAMA / "chat-stream.json")
    assert not ANSI.search(never.stdout)
    assert b"Paris is the capital of France." in never.stdout


def test_show_escapes_controls_even_to_a_pipe():
    proc = subprocess_llmcat("show", LLAMA / "hostile.json")
    out = proc.stdout
    assert b"\x1b" not in out and b"\x07" not in out and b"\x08" not in out and b"\r" not in out
    assert "\x9b".encode() not in out and b"\x7f" not in out
    text = out.decode()
    assert "\\x1b]0;pwned title\\x07" in text and "\\x9b31m" in text and "evil\\x1b[31m-model" in text
    assert "[bold red]x[/bold red] :skull:" in text


def test_rich_view_prints_markup_and_emoji_codes_literally_and_escapes_controls():
    out = subprocess_llmcat("show", "--color", "always", LLAMA / "hostile.json").stdout
    assert b"[bold red]x[/bold red]" in out and b":skull:" in out and "💀".encode() not in out
    assert b"[link=http://x]hi[/link]" in out
    # The only ESC bytes are rich's own SGR colour codes; none from the recording.
    assert not re.search(rb"\x1b[^\[]", out)
    assert b"\x1b]" not in out and b"\x07" not in out and b"\x1b[2J" not in out


def test_json_lines_one_object_per_call():
    proc = subprocess_llmcat("show", "--json", LLAMA / "chat-stream.json", LLAMA / "models.json")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2


def test_no_traceback_on_usage_error():
    proc = subprocess_llmcat("show", "--color", "purple", LLAMA / "chat-stream.json")
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr


def test_version_and_help():
    assert subprocess_llmcat("--version").stdout.startswith(b"llmcat ")
    help_text = subprocess_llmcat("show", "--help").stdout.decode()
    assert "--json" in help_text and "--color" in help_text


def test_inputs_are_never_written(tmp_path):
    import hashlib
    import shutil

    copy = tmp_path / "rec.json"
    shutil.copy(LLAMA / "anthropic-stream.json", copy)
    copy.chmod(0o444)
    before = hashlib.sha256(copy.read_bytes()).hexdigest(), copy.stat().st_mtime_ns
    for cmd in (["show"], ["show", "--json"], ["join"]):
        assert subprocess_llmcat(*cmd, copy).returncode == 0
    assert (hashlib.sha256(copy.read_bytes()).hexdigest(), copy.stat().st_mtime_ns) == before


def test_a_closed_output_pipe_ends_quietly_like_cat():
    import signal
    import subprocess
    import sys

    files = [str(p) for p in sorted(LLAMA.glob("*.json"))] * 40
    proc = subprocess.Popen([sys.executable, "-m", "llmcat", "show", *files], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()  # the reader leaves, as `| head -c 100` does
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == -signal.SIGPIPE
    assert stderr == b""
