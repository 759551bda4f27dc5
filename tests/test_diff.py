"""`llmcat diff` through the real CLI, on the pairs in fixtures/diff (each differs in one way)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from conftest import FIXTURES, LLAMA, SHARED, run, subprocess_llmcat

DIFF = FIXTURES / "diff"
BASE = DIFF / "base.json"
ANSI = re.compile(rb"\x1b\[")


def diff(*args):
    return run("diff", *args)


def differences(*args) -> list[dict]:
    result = diff("--json", *args)
    (pair,) = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    return pair["differences"]


def verdict(a, b, *options: str) -> tuple[int, str, list[str]]:
    """What one pair's diff decided: the exit status, the pair's status and the paths it found different."""
    result = diff("--json", *options, a, b)
    (pair,) = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert (pair["a"], pair["b"]) == (str(a), str(b))
    return result.exit_code, pair["status"], [d["path"] for d in pair["differences"]]


# --- the same call ---------------------------------------------------------------------------------


@pytest.fixture
def identical(tmp_path) -> Path:
    """A byte-for-byte copy of base.json (made here: the repository keeps no duplicate files)."""
    copy = tmp_path / "identical.json"
    shutil.copyfile(BASE, copy)
    return copy


def test_identical_files_are_same_silently(identical):
    assert BASE.read_bytes() == identical.read_bytes()
    result = diff(BASE, identical)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""


@pytest.mark.parametrize("other, chunks", [("rechunked.json", "13 chunks, streamed vs 5 chunks, streamed"),
                                           ("plain.json", "13 chunks, streamed vs 1 chunk, not streamed")])
def test_same_text_chunked_or_streamed_differently_is_same_and_said_in_one_line(other, chunks):
    assert BASE.read_bytes() != (DIFF / other).read_bytes()
    result = diff(BASE, DIFF / other)
    assert result.exit_code == 0
    notes = [line for line in result.stdout.splitlines() if line.startswith("note:")]
    assert notes == [f"note: chunked differently ({chunks}); not a difference without --chunks"]
    assert "== " not in result.stdout  # no section of differences


def test_chunks_option_makes_chunking_a_difference():
    result = diff("--chunks", BASE, DIFF / "rechunked.json")
    assert result.exit_code == 1
    assert differences("--chunks", BASE, DIFF / "rechunked.json") == [{"path": "response.chunks", "a": 13, "b": 5}]
    paths = {d["path"] for d in differences("--chunks", BASE, DIFF / "plain.json")}
    assert paths == {"request.params.stream", "request.params.stream_options", "response.streaming", "response.chunks"}


def test_only_volatile_fields_changed_is_same_and_strict_finds_them():
    assert verdict(BASE, DIFF / "volatile.json") == (0, "same", [])
    strict = diff("--strict", BASE, DIFF / "volatile.json")
    assert strict.exit_code == 1
    found = differences("--strict", BASE, DIFF / "volatile.json")
    paths = {d["path"] for d in found}
    for name in ("id", "created", "system_fingerprint", "obfuscation", "time_info"):
        assert f"raw.response.body[0].__data__.{name}" in paths, name
    assert "response.timing" in paths
    assert {"path": "raw.response.body[0].__data__.id", "a": "chatcmpl-aaa", "b": "rec-0123456789ab"} in found
    assert not any(p.startswith(("request.", "response.choices")) for p in paths)
    assert "raw.response.body[0].__data__.created: 1760000001 → 1770000000" in strict.stdout


# --- what was asked, what was answered --------------------------------------------------------------


def test_one_parameter_changed_is_reported_by_name():
    result = diff(BASE, DIFF / "param-changed.json")
    assert result.exit_code == 1
    assert "== params\ntemperature: 0.7 → 0.25\n" in result.stdout
    assert differences(BASE, DIFF / "param-changed.json") == [{"path": "request.params.temperature", "a": 0.7, "b": 0.25}]


def test_one_word_of_the_answer_changed_is_shown():
    result = diff(BASE, DIFF / "word-changed.json")
    assert result.exit_code == 1
    assert ("== choice 0\ntext:\n@@ -1,2 +1,2 @@\n"
            " The Eiffel Tower is in Paris,\n-the capital of France.\n+the biggest city of France.\n") in result.stdout
    assert differences(BASE, DIFF / "word-changed.json") == [{
        "path": "response.choices[0].text",
        "a": "The Eiffel Tower is in Paris,\nthe capital of France.",
        "b": "The Eiffel Tower is in Paris,\nthe biggest city of France.",
    }]


def test_word_diff_marks_changed_words_inline():
    result = diff("--word-diff", BASE, DIFF / "word-changed.json")
    assert result.exit_code == 1
    assert "\nthe [-capital-]{+biggest city+} of France.\n" in result.stdout


def test_tool_call_arguments_compare_as_json_values():
    # other key order, spacing, chunking and call id: same call
    assert verdict(DIFF / "tools-base.json", DIFF / "tools-reordered.json") == (0, "same", [])
    changed = diff(DIFF / "tools-base.json", DIFF / "tools-changed.json")
    assert changed.exit_code == 1
    assert '-  "unit": "C"\n+  "unit": "F"\n' in changed.stdout
    assert differences(DIFF / "tools-base.json", DIFF / "tools-changed.json") == [{
        "path": "response.choices[0].tool_calls[0].arguments",
        "a": {"city": "Paris", "unit": "C"}, "b": {"city": "Paris", "unit": "F"}}]


def test_strict_compares_tool_call_ids():
    paths = {d["path"] for d in differences("--strict", DIFF / "tools-base.json", DIFF / "tools-reordered.json")}
    assert "response.choices[0].tool_calls[0].id" in paths


def test_request_and_answer_parts_of_two_different_calls():
    result = diff(LLAMA / "anthropic.json", LLAMA / "anthropic-stream.json")
    assert result.exit_code == 1
    out = result.stdout
    for expected in ["max_tokens: 64 → 256", 'system: removed "Answer in one word."', "== tools offered\n@@ -0,0 +1 @@\n+calc",
                     "== messages\n@@ -1 +1 @@\n-[user] 2+2?\n+[user] 15*7?", "-Four.\n+Let me compute.", "reasoning:",
                     'finish_reason: "end_turn" → "tool_use"', "== usage\nprompt_tokens: 12 → 30"]:
        assert expected in out, expected
    assert out.index("== params") < out.index("== messages") < out.index("== choice 0") < out.index("== usage")


def test_error_message_and_refusal_are_compared():
    paths = {d["path"] for d in differences(LLAMA / "chat-exception.json", LLAMA / "chat-refusal.json")}
    assert "response.error" in paths and "response.choices[0]" in paths
    paths = {d["path"] for d in differences(LLAMA / "interactions-error.json", LLAMA / "anthropic-error.json")}
    assert "response.error.message" in paths and "response.error.type" in paths


def test_ignore_removes_a_path_and_everything_below():
    word, param, volatile = DIFF / "word-changed.json", DIFF / "param-changed.json", DIFF / "volatile.json"
    assert verdict(BASE, word) == (1, "changed", ["response.choices[0].text"])
    assert verdict(BASE, word, "--ignore", "response.choices[*].text") == (0, "same", [])
    assert verdict(BASE, param) == (1, "changed", ["request.params.temperature"])
    assert verdict(BASE, param, "--ignore", "request.params") == (0, "same", [])
    assert verdict(BASE, param, "--ignore", "request.params.top_p") == (1, "changed", ["request.params.temperature"])
    strict = verdict(BASE, volatile, "--strict", "--ignore", "raw")
    assert strict[:2] == (1, "changed") and "response.timing" in strict[2] and not any(p.startswith("raw") for p in strict[2])
    assert verdict(BASE, volatile, "--strict", "--ignore", "raw", "--ignore", "response.timing") == (0, "same", [])


def test_quiet_prints_nothing_and_sets_the_status(identical):
    cases = [(identical, 0, (0, "same", [])), (DIFF / "word-changed.json", 1, (1, "changed", ["response.choices[0].text"]))]
    for other, status, verdicts in cases:
        result = diff("-q", BASE, other)
        assert (result.exit_code, result.stdout) == (status, "")
        assert verdict(BASE, other) == verdicts  # the status -q gives is the one of what was compared


def test_interaction_address_and_file_against_directory():
    addressed = diff(f"{BASE}#0", f"{DIFF / 'word-changed.json'}#0")
    assert addressed.exit_code == 1 and addressed.stdout.startswith(f"--- {BASE}#0\n+++ {DIFF / 'word-changed.json'}#0\n")
    result = diff(DIFF / "tree-a" / "changed.json", DIFF / "tree-b")  # compared with tree-b/changed.json
    assert result.exit_code == 1 and f"+++ {DIFF / 'tree-b' / 'changed.json'}" in result.stdout
    missing = diff(f"{BASE}#3", BASE)
    assert missing.exit_code == 2 and missing.stderr == f"llmcat: {BASE}#3: no interaction #3\n"


# --- directories ------------------------------------------------------------------------------------------


def test_directory_pair_reports_each_path_then_totals():
    # Rows name the call (test id, model), say what changed in numbers, then the path; --all lists the unchanged too.
    result = diff("--all", DIFF / "tree-a", DIFF / "tree-b")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [  # what changed first (#26), then what came or went, then the same
        "changed  tests/test_tree.py::test_changed  fixture-gpt  (text +2 −1 words)  changed.json",
        "only-b   tests/test_tree.py::test_added  fixture-gpt  added.json",
        "only-a   tests/test_tree.py::test_removed  fixture-gpt  removed.json",
        "same     tests/test_tree.py::test_same  fixture-gpt  same.json",
        "same     tests/test_tree.py::test_rechunked  fixture-gpt  (chunked differently)  sub/rechunked.json",
        "2 same, 1 changed, 1 only-a, 1 only-b, 0 error",
    ]
    # without --all only what changed is listed; the totals count the rest
    assert diff(DIFF / "tree-a", DIFF / "tree-b").stdout.splitlines() == [
        line for n, line in enumerate(result.stdout.splitlines()) if n not in (3, 4)]


def test_directory_stat_verbose_and_json():
    a, b = DIFF / "tree-a", DIFF / "tree-b"
    assert diff("--stat", a, b).stdout == (" tests/test_tree.py::test_added   | only in b\n"
                                           " tests/test_tree.py::test_changed | text +2 −1 words\n"
                                           " tests/test_tree.py::test_removed | only in a\n"
                                           "2 same, 1 changed, 1 only-a, 1 only-b, 0 error\n")
    verbose = diff("-v", a, b).stdout
    assert (f"changed  tests/test_tree.py::test_changed  fixture-gpt  (text +2 −1 words)  changed.json\n"
            f"--- {a / 'changed.json'}\n+++ {b / 'changed.json'}\n") in verbose
    assert "+the biggest city of France." in verbose
    rows = [orjson.loads(line) for line in diff("--json", a, b).stdout_bytes.splitlines()]
    assert [(r["status"], r["a"], r["b"]) for r in rows] == [
        ("only-b", None, str(b / "added.json")),
        ("changed", str(a / "changed.json"), str(b / "changed.json")),
        ("only-a", str(a / "removed.json"), None),
        ("same", str(a / "same.json"), str(b / "same.json")),
        ("same", str(a / "sub" / "rechunked.json"), str(b / "sub" / "rechunked.json")),
    ]
    assert rows[1]["differences"][0]["path"] == "response.choices[0].text"
    assert diff("-q", a, b).stdout == "" and diff("-q", a, a).exit_code == 0
    itself = [orjson.loads(line) for line in diff("--json", a, a).stdout_bytes.splitlines()]
    assert [(r["status"], r["a"], r["b"]) for r in itself] == [
        ("same", str(a / name), str(a / name)) for name in ("changed.json", "removed.json", "same.json", "sub/rechunked.json")]


def test_directory_with_an_unreadable_recording_and_a_stray_file(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(DIFF / "tree-a", a)
    shutil.copytree(DIFF / "tree-a", b)
    (a / "notes.txt").write_text("not a recording\n")  # not named like a recording: skipped
    (b / "notes.txt").write_text("changed notes\n")
    (b / "same.json").write_bytes(b'{"request": ')
    proc = subprocess_llmcat("diff", a, b)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.decode().startswith(f"llmcat: {b / 'same.json'}: not JSON")
    out = proc.stdout.decode()
    assert "error    same.json: not JSON" in out and "notes.txt" not in out
    assert out.endswith("3 same, 0 changed, 0 only-a, 0 only-b, 1 error\n")


# --- trouble ----------------------------------------------------------------------------------------------


def test_missing_file_is_exit_2_with_one_line():
    proc = subprocess_llmcat("diff", BASE, DIFF / "nope.json")
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == f"llmcat: {DIFF / 'nope.json'}: no such file\n"
    quiet = subprocess_llmcat("diff", "-q", DIFF / "nope.json", BASE)
    assert (quiet.returncode, quiet.stdout, quiet.stderr.decode()) == (2, b"", f"llmcat: {DIFF / 'nope.json'}: no such file\n")
    alone = subprocess_llmcat("diff", BASE)
    assert (alone.returncode, alone.stdout, alone.stderr) == (2, b"", b"llmcat: diff: needs two paths to compare, got 1\n")
    bad = subprocess_llmcat("diff", FIXTURES / "bad" / "not-a-recording.json", BASE)
    assert bad.returncode == 2 and bad.stderr.startswith(f"llmcat: {FIXTURES / 'bad' / 'not-a-recording.json'}: not a recording".encode())


def test_recorded_text_never_drives_the_terminal():
    plain = subprocess_llmcat("diff", LLAMA / "chat-stream.json", LLAMA / "hostile.json").stdout
    assert b"\x1b" not in plain and b"\x07" not in plain and b"\r" not in plain and "\x9b".encode() not in plain
    assert b"\\x1b]0;pwned title\\x07" in plain
    coloured = subprocess_llmcat("diff", "--color", "always", "--word-diff", LLAMA / "chat-stream.json", LLAMA / "hostile.json").stdout
    assert ANSI.search(coloured) and not re.search(rb"\x1b[^\[]", coloured) and b"[bold red]x[/bold red]" in coloured
    assert not ANSI.search(subprocess_llmcat("diff", "--color", "never", BASE, DIFF / "word-changed.json").stdout)


# --- several calls in one file (VCR cassettes, once they are read) ---------------------------------------------


def _multi_call_cassette() -> Path | None:
    from llmcat.formats import load

    for path in sorted((SHARED / "corpus" / "vcr").glob("*.yaml")) if (SHARED / "corpus" / "vcr").is_dir() else []:
        try:
            if len(load(str(path))[0]) > 1:
                return path
        except Exception:  # noqa: BLE001 — not readable (yet): try the next, or skip
            continue
    return None


def test_multi_call_files_pair_interaction_by_interaction(tmp_path):
    cassette = _multi_call_cassette()
    if cassette is None:
        pytest.skip("no multi-call cassette readable here (corpus absent, or VCR reader not merged)")
    import yaml  # the VCR reader's dependency

    data = yaml.safe_load(cassette.read_text(encoding="utf-8"))
    count = len(data["interactions"])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(cassette, tmp_path / "a" / "c.yaml")
    data["interactions"] = data["interactions"][:-1]  # b lost its last call
    (tmp_path / "b" / "c.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    result = diff(tmp_path / "a", tmp_path / "b")
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    listed = diff("--all", tmp_path / "a", tmp_path / "b").stdout.splitlines()
    # each row: status, then the call (`c.yaml#N`: a cassette has no test id), then its model; what b lost first
    assert [line.split()[:2] for line in listed[:-1]] == [["only-a", f"c.yaml#{count - 1}"]] + [
        ["same", f"c.yaml#{n}"] for n in range(count - 1)]
    assert lines[:-1] == listed[:1]  # without --all: only the call b lost
    one = diff(f"{cassette}#0", f"{cassette}#1")  # one call of each: compared directly
    assert one.exit_code == 1 and one.stdout.startswith(f"--- {cassette}#0\n+++ {cassette}#1\n")


# --- git ------------------------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git_repo(tmp_path) -> tuple[Path, dict]:
    """A repository where rec.json was committed as base.json and now holds word-changed.json."""
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1", "GIT_PAGER": "cat",
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    env.pop("GIT_EXTERNAL_DIFF", None)
    assert shutil.which("llmcat", path=env["PATH"]), "the llmcat entry point is in the venv's bin directory"

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q")
    shutil.copy(BASE, repo / "rec.json")
    (repo / "notes.txt").write_text("one\n")
    git("add", ".")
    git("commit", "-qm", "recorded")
    shutil.copy(DIFF / "word-changed.json", repo / "rec.json")
    (repo / "notes.txt").write_text("two\n")
    shutil.copy(DIFF / "tools-base.json", repo / "new.json")
    git("add", ".")
    git("commit", "-qm", "re-recorded")
    return repo, env


def _git(repo, env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "--no-pager", *args], cwd=repo, env=env, capture_output=True, timeout=120)


@needs_git
@pytest.mark.parametrize("textconv", ["llmcat show --color never - <", "llmcat show --color never"])
def test_git_textconv_driver(tmp_path, textconv):
    repo, env = _git_repo(tmp_path)
    (repo / ".gitattributes").write_text("*.json diff=llmcat\n")
    proc = _git(repo, env, "-c", f"diff.llmcat.textconv={textconv}", "show", "HEAD", "--", "rec.json")
    assert proc.returncode == 0, proc.stderr
    changed = [line for line in proc.stdout.decode().splitlines() if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")]
    answer = ["-    the capital of France.", "+    the biggest city of France.", "-chunks: 13", "+chunks: 14"]
    if textconv.endswith("<"):  # standard input: the heading does not name git's temporary file
        assert changed == answer
    else:
        assert sorted(changed[2:]) == sorted(answer) and changed[0].startswith("-=== /") and changed[1].startswith("+=== /")


@needs_git
def test_git_external_diff(tmp_path):
    repo, env = _git_repo(tmp_path)
    proc = _git(repo, {**env, "GIT_EXTERNAL_DIFF": "llmcat diff"}, "log", "-p", "--ext-diff", "-1", "--format=")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "--- /dev/null\n+++ b/new.json\nonly in b\n+=== " in out  # an added recording, shown whole
    assert "+--- tool call 0: get_weather (call_A)" in out
    assert "--- a/notes.txt\n+++ b/notes.txt\nnote: not a recording" in out and "-one\n+two\n" in out
    assert "--- a/rec.json\n+++ b/rec.json\n" in out and "-the capital of France.\n+the biggest city of France.\n" in out


@needs_git
def test_git_diff_driver_command_only_for_recordings(tmp_path):
    repo, env = _git_repo(tmp_path)
    (repo / ".gitattributes").write_text("*.json diff=llmcat\n")
    shutil.copy(DIFF / "volatile.json", repo / "rec.json")  # re-recorded: only ids and timings change
    proc = _git(repo, env, "-c", "diff.llmcat.command=llmcat diff --word-diff", "diff", "HEAD~1", "--", "rec.json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "--- a/rec.json\n+++ b/rec.json\nsame call\n"


def test_seven_argument_convention_directly():
    old, new = BASE, DIFF / "word-changed.json"
    hex_a, hex_b = "a" * 40, "b" * 40
    result = diff("rec.json", old, hex_a, "100644", new, hex_b, "100644")
    assert result.exit_code == 0  # git stops at an external diff that exits non-zero
    assert result.stdout.startswith("--- a/rec.json\n+++ b/rec.json\n") and "+the biggest city of France." in result.stdout
    gone = diff("rec.json", old, hex_a, "100644", os.devnull, ".", ".")
    assert gone.exit_code == 0 and gone.stdout.startswith("--- a/rec.json\n+++ /dev/null\nonly in a\n-=== ")
    renamed = diff("old.json", old, hex_a, "100644", new, hex_b, "100644", "new.json", "similarity index 90%\n")
    assert renamed.stdout.startswith("--- a/old.json\n+++ b/new.json\n")


def test_a_cassette_interaction_and_a_llama_stack_recording_of_the_same_call_are_the_same(tmp_path):
    cassette = f"{FIXTURES / 'vcr' / 'multi.yaml'}#0"
    recording = LLAMA / "groq-same-call.json"
    same = run("diff", cassette, recording)
    assert same.exit_code == 0, same.stdout
    assert "chunked differently" in same.stdout
    assert verdict(cassette, recording) == (0, "same", [])
    changed = tmp_path / "changed.json"
    changed.write_text(recording.read_text().replace("le monde.", "la terre."))
    result = run("diff", "--json", cassette, changed)
    assert result.exit_code == 1
    (pair,) = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert pair["differences"] == [{"path": "response.choices[0].text", "a": "Bonjour, le monde.", "b": "Bonjour, la terre."}]
