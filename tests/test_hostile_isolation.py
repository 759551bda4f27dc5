"""Issue #18, whole-run aborts and numbers read two ways: one bad pair or address must not end a
whole `diff` or `check`, and every command reads a count by the same rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_hostile_amplify import completion

from conftest import LLAMA, ROOT

BASE = json.loads((LLAMA / "chat-tools.json").read_text())


def llmcat(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmcat", *map(str, args)], capture_output=True, cwd=ROOT, timeout=60)


def _variant(path: Path, change=None, raw_replace: tuple[str, str] | None = None) -> Path:
    data = json.loads(json.dumps(BASE))
    if change:
        change(data)
    text = json.dumps(data)
    if raw_replace:
        text = text.replace(*raw_replace)
    path.write_text(text)
    return path


def _deep(data):
    data["request"]["body"]["deep"] = "@DEEP@"


def _mistyped(data):
    data["request"]["body"]["messages"][0]["tool_calls"] = 5


def _trees(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for name in ("deep", "mistyped", "same"):
        _variant(a / f"{name}.json")
    _variant(b / "deep.json", _deep, ('"@DEEP@"', "[" * 1000 + "1" + "]" * 1000))
    _variant(b / "mistyped.json", _mistyped)
    _variant(b / "same.json")
    completion(a / "zchanged.json", "one")
    completion(b / "zchanged.json", "two")
    return a, b


def test_directory_diff_compares_the_other_pairs(tmp_path):
    """#18.7: a request 1,000 levels deep (RecursionError) ended the whole directory diff with
    "llmcat: internal error"; `"tool_calls": 5` in a message (TypeError) too. Now the deep pair is
    that pair's error and everything else is compared."""
    a, b = _trees(tmp_path)
    proc = llmcat("diff", a, b)
    assert proc.returncode == 2
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("changed  ") and lines[0].endswith("  zchanged.json")  # compared (what changed first, #26)
    assert lines[1] == "error    deep.json: nested too deeply"
    assert lines[-1] == "2 same, 1 changed, 0 only-a, 0 only-b, 1 error"  # mistyped.json and same.json compared
    assert proc.stderr.decode() == f"llmcat: {b / 'deep.json'}: nested too deeply\n"


def test_mistyped_tool_calls_in_a_message_are_shown(tmp_path):
    """#18.7: `show` called a file with `"tool_calls": 5` in a message unreadable (TypeError)."""
    path = _variant(tmp_path / "m.json", _mistyped)
    proc = llmcat("show", "--color", "never", path)
    assert proc.returncode == 0, proc.stderr
    assert "Find llamas" in proc.stdout.decode()


def test_an_address_of_5000_digits_is_one_bad_input(tmp_path):
    """#18.7: `check FILE#<5000 digits> ok.json` ended in "internal error" (int() refuses 4,300+ digits)."""
    ok = completion(tmp_path / "ok.json", "fine")
    address = f"{ok}#{'9' * 5000}"
    proc = llmcat("check", address, ok)
    assert proc.returncode == 1 and b"internal error" not in proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].endswith(": error: unreadable: file name too long")
    for command in ("show", "ls", "stats"):
        proc = llmcat(command, address, ok)
        assert proc.returncode == 2 and proc.stderr.decode().endswith(": file name too long\n"), (command, proc.stderr)
def _big_counts_cassette(path: Path, digits: int, calls: int) -> Path:
    """pydantic-ai's `parsed_body` cassettes keep numbers as YAML integers: exact, of any length."""
    big = "9" * digits
    lines = ["interactions:"]
    for _ in range(calls):
        lines += ["- request: {method: POST, uri: 'https://api.openai.com/v1/chat/completions', headers: {},"
                  " parsed_body: {model: m, messages: [{role: user, content: hi}]}}",
                  "  response:",
                  "    status: {code: 200, message: OK}",
                  "    headers: {content-type: [application/json]}",
                  "    parsed_body: {id: x, object: chat.completion, model: m, choices: [{index: 0, message:"
                  f" {{role: assistant, content: hello}}, finish_reason: stop}}], usage: {{prompt_tokens: {big},"
                  " completion_tokens: 7, total_tokens: 8}}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_stats_on_counts_of_thousands_of_digits(tmp_path):
    """#18.8: `stats` died when a token total passed 4,300 digits (Python will not print it). A count
    past 2**53 is not read as a count, by any command: totals stay exact and printable."""
    cassette = _big_counts_cassette(tmp_path / "big.yaml", 4299, 11)
    proc = llmcat("stats", "--json", cassette)
    assert proc.returncode == 0, proc.stderr
    totals = json.loads(proc.stdout)
    assert totals["calls"] == 11 and totals["prompt_tokens"] == 0 and totals["completion_tokens"] == 77


def test_ls_and_show_read_a_31_digit_count_alike(tmp_path):
    """#18.8: `ls` (msgspec, exact) and `show` (orjson, rounded to a float) printed a 31-digit count
    differently. Neither reads it as a count now; both agree on the others."""
    path = completion(tmp_path / "c.json", "x", usage={"prompt_tokens": "@P", "completion_tokens": 5})
    path.write_text(path.read_text().replace('"@P"', "1" * 31))
    stream = tmp_path / "s.json"
    data = json.loads((LLAMA / "chat-stream.json").read_text())
    data["response"]["body"][-1]["__data__"]["usage"] = {"prompt_tokens": "@P", "completion_tokens": 5}
    stream.write_text(json.dumps(data).replace('"@P"', "1" * 31))
    for recording in (path, stream):
        row = llmcat("ls", recording).stdout.decode().splitlines()[1].split("\t")
        shown = json.loads(llmcat("show", "--json", recording).stdout)["usage"]
        assert (row[6], row[7]) == ("-", "5") and (shown["prompt_tokens"], shown["completion_tokens"]) == (None, 5)
