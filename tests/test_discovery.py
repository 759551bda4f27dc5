"""Finding calls and finding one's way: show over directories with ls's filters, filters that
complain instead of silently missing, finish categories, VCR test ids, completion, help, man."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile

import orjson
import pytest

from conftest import FIXTURES, LLAMA, ROOT, run, subprocess_llmcat
from llmcat.finish import CATEGORIES, category

TERMINAL = FIXTURES / "terminal"


def lines(result) -> list[dict]:
    return [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def test_show_over_a_directory_with_filters_and_a_limit():
    result = run("show", "-n", "2", "--api", "anthropic", FIXTURES, "--json")
    calls = lines(result)
    assert len(calls) == 2 and all(c["api"].startswith("anthropic.") for c in calls)
    every = lines(run("show", "--json", "--api", "anthropic", FIXTURES))
    assert len(every) > 2 and calls == every[:2], "-n keeps the first N, in ls's order"


def test_show_selects_what_ls_lists():
    listed = [(r["source"], r["interaction"]) for r in lines(run("ls", "--json", "--grep", "Paris", "--model", "fixture-*", LLAMA))]
    shown = [(c["source"], c["interaction"]) for c in lines(run("show", "--json", "--grep", "Paris", "--model", "fixture-*", LLAMA))]
    assert listed and shown == listed
    text = run("show", "--grep", "Paris", "--model", "fixture-*", LLAMA).stdout
    assert text.count("\n=== ") + text.startswith("=== ") == len(listed), "one call drawn per row listed"


def test_show_sorted_by_tokens_then_limited():
    calls = lines(run("show", "--json", "--sort", "tokens", "-n", "3", LLAMA))
    totals = [(c["usage"] or {}).get("total_tokens") or 0 for c in calls]
    every = sorted(((c["usage"] or {}).get("total_tokens") or 0 for c in lines(run("show", "--json", LLAMA))), reverse=True)
    assert totals == every[:3]


def test_show_of_files_alone_is_unchanged_and_a_walk_passes_over_non_recordings(tmp_path):
    (tmp_path / "notes.txt").write_text("not a recording")
    shutil.copy(LLAMA / "chat-stream.json", tmp_path / "a.json")
    result = run("show", "--json", tmp_path)
    assert result.exit_code == 0 and result.stderr == "" and len(lines(result)) == 1
    named = run("show", "--json", tmp_path / "notes.txt")
    assert named.exit_code == 2 and "notes.txt" in named.stderr


@pytest.mark.parametrize("command", ["ls", "show"])
def test_an_unknown_api_is_an_error_with_the_list(command):
    proc = subprocess_llmcat(command, "--api", "opnai", LLAMA)
    assert proc.returncode == 2 and proc.stdout == b""
    error = proc.stderr.decode()
    assert "opnai" in error and "did you mean openai?" in error and "anthropic.messages" in error
    assert "Traceback" not in error


def test_finish_length_finds_every_providers_spelling():
    rows = lines(run("ls", "--json", "--finish", "length", FIXTURES))
    found = {r["finish_reason"] for r in rows}
    assert {"length", "max_tokens", "MAX_TOKENS"} <= found
    assert all(category(reason) == "length" for reason in found)
    exact = lines(run("ls", "--json", "--finish", "max_tokens", FIXTURES))
    assert {r["finish_reason"] for r in exact} == {"max_tokens"}, "the provider's own word still matches exactly"


@pytest.mark.parametrize("reason, expected", [
    ("stop", "stop"), ("end_turn", "stop"), ("STOP", "stop"), ("COMPLETE", "stop"), ("completed", "stop"),
    ("length", "length"), ("max_tokens", "length"), ("MAX_TOKENS", "length"),
    ("tool_calls", "tool_calls"), ("tool_use", "tool_calls"), ("TOOL_CALL", "tool_calls"), ("requires_action", "tool_calls"),
    ("content_filter", "content_filter"), ("SAFETY", "content_filter"), ("refusal", "content_filter"),
    ("MALFORMED_FUNCTION_CALL", "error"), ("failed", "error"),
    ("incomplete", "other"), ("something new", "other"), (None, None),
])
def test_finish_categories(reason, expected):
    assert category(reason) == expected
    assert expected is None or expected in CATEGORIES


# --- completion, help, man ---------------------------------------------------------------------------


def complete(*words: str) -> list[str]:
    env = {"_LLMCAT_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(["llmcat", *words]), "COMP_CWORD": str(len(words))}
    proc = subprocess_llmcat(env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode().split()


def test_bash_completion_script_is_printed():
    proc = subprocess.run(["bash", "-c", f"'{sys.executable}' -m llmcat --show-completion"], capture_output=True, cwd=ROOT,
                          env={**os.environ, "SHELL": "/bin/bash"}, timeout=60)
    script = proc.stdout.decode()
    assert proc.returncode == 0 and "complete -o default -F _llmcat_completion llmcat" in script
    assert "_LLMCAT_COMPLETE=complete_bash" in script


def test_completion_of_commands_options_values_and_addresses():
    assert {"show", "stats"} <= set(complete("s"))
    assert "--finish" in complete("ls", "--fi")
    assert set(complete("ls", "--api", "open")) >= {"openai", "openai.chat", "openai.responses"}
    multi = str(FIXTURES / "vcr" / "multi.yaml")
    addresses = complete("show", multi + "#")
    assert addresses and all(re.fullmatch(re.escape(multi) + r"#\d+", a) for a in addresses)
    assert complete("show", str(FIXTURES / "vc")) == [], "paths are left to the shell's own file completion"


@pytest.mark.parametrize("command", ["show", "join", "ls", "stats", "check", "diff"])
def test_every_help_ends_with_examples(command):
    text = subprocess_llmcat(command, "--help").stdout.decode()
    examples = text.split("Examples:", 1)[1]
    assert len(re.findall(rf"^\s+\$ llmcat {command}\b", examples, re.M)) >= 2


def test_the_wheel_installs_the_man_page(tmp_path):
    """`pip install llmcat` puts the man page where man looks: <prefix>/share/man/man1/llmcat.1.
    (An editable install does not: setuptools leaves data files out of editable wheels.)"""
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no build backend to fetch?): {build.stderr.strip()[-200:]}")
    (wheel,) = tmp_path.glob("llmcat-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = [n for n in archive.namelist() if n.endswith("/data/share/man/man1/llmcat.1")]
        assert len(shipped) == 1
        assert archive.read(shipped[0]) == (ROOT / "man" / "llmcat.1").read_bytes()
    prefix = tmp_path / "prefix"
    # --ignore-installed: else pip uninstalls the llmcat installed in this environment (the dev install) first.
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q",
                              "--prefix", str(prefix), str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    page = prefix / "share" / "man" / "man1" / "llmcat.1"
    assert page.read_bytes() == (ROOT / "man" / "llmcat.1").read_bytes()
    if shutil.which("man"):
        found = subprocess.run(["man", "-M", str(prefix / "share" / "man"), "-w", "llmcat"], capture_output=True, text=True)
        assert found.stdout.strip() == str(page)


# --- tables and JSON on a terminal --------------------------------------------------------------------


def test_ls_table_shows_the_total_it_sorts_by_and_the_errors_it_lists():
    from test_terminal import SGR, assert_nothing_raw, on_terminal

    status, shown = on_terminal(["ls", "--sort", "tokens", str(LLAMA)])
    text = SGR.sub(b"", shown).decode()
    header, first = text.splitlines()[:2]
    assert status == 0 and "tokens" in header.split()
    biggest = max((r["usage"] or {}).get("total_tokens") or 0 for r in lines(run("ls", "--json", LLAMA)))
    assert f"{biggest:,}" in first.split()
    status, shown = on_terminal(["ls", "--errors", str(LLAMA)])
    text = SGR.sub(b"", shown).decode()
    assert status == 0 and "error" in text.splitlines()[0].split() and "400 BadRequ" in text  # as much of it as fits
    assert_nothing_raw(shown)


def test_ls_table_shows_finish_categories_and_keeps_test_names():
    from test_terminal import SGR, on_terminal

    status, shown = on_terminal(["ls", str(TERMINAL)], env={"COLUMNS": "170"})
    text = SGR.sub(b"", shown).decode()
    assert status == 0 and "length (max" in text
    assert "messages/test_limits.py::test_cut_at_max_tokens" in text
    status, shown = on_terminal(["ls", str(TERMINAL)], env={"COLUMNS": "120"})
    header = SGR.sub(b"", shown).decode().splitlines()[0].split()
    assert header[1:3] == ["api", "model"] and header[-1] == "test_id", "the counts give way before the names"
    status, shown = on_terminal(["ls", str(TERMINAL)], env={"COLUMNS": "50"})
    header = SGR.sub(b"", shown).decode().splitlines()[0].split()
    assert "test_id" in header and "model" not in header, "the test id outlasts the model column"


def test_long_test_ids_lose_the_middle_of_their_parameters():
    from llmcat.render.suite_view import short_test_id

    long_id = "tests/integration/inference/test_chat.py::test_stream[txt=ollama/llama3.2:3b-instruct-fp16-inference:chat:01]"
    short = short_test_id(long_id, 48)
    # the test's name whole, the parameters' ends, the module's name (#26: the test name is what tells rows apart)
    assert len(short) == 48 and "/test_chat.py::test_stream[txt=" in short and short.endswith(":01]")


def test_stats_on_a_terminal_human_sizes_separators_and_shares():
    from test_terminal import SGR, on_terminal

    status, shown = on_terminal(["stats", str(FIXTURES)])
    text = SGR.sub(b"", shown).decode()
    assert status == 2  # fixtures/bad is reported
    assert re.search(r"bytes on disk\s+\d+\.\d KiB", text) and re.search(r"prompt tokens\s+\d{1,3}(,\d{3})+", text)
    assert "share" in text and "█" in text and "length" in text and "max_tokens" in text
    piped = subprocess_llmcat("stats", LLAMA).stdout.decode()
    assert re.search(r"^bytes on disk:\s+\d+\.\d KiB \(\d+\)$", piped, re.M)


def test_show_json_is_pretty_and_coloured_on_a_terminal_and_json_lines_in_a_pipe():
    from test_terminal import SGR, assert_nothing_raw, on_terminal

    files = [str(LLAMA / "chat-stream.json"), str(LLAMA / "hostile.json")]
    status, shown = on_terminal(["show", "--json", *files])
    assert status == 0 and SGR.search(shown) and b'\n  \x1b[1;34m"source"' in shown
    assert_nothing_raw(shown)
    piped = subprocess_llmcat("show", "--json", *files).stdout
    objects = [orjson.loads(line) for line in piped.splitlines()]
    decoder = __import__("json").JSONDecoder()
    plain, at, pretty = SGR.sub(b"", shown).decode(), 0, []
    while at < len(plain.rstrip()):
        obj, at = decoder.raw_decode(plain, at)
        pretty.append(obj)
        at = len(plain) - len(plain[at:].lstrip())
    assert pretty == objects, "the same JSON, only laid out for people"
    status, compact = on_terminal(["show", "--json", "--compact", *files])
    assert status == 0 and [orjson.loads(line) for line in compact.splitlines()] == objects
