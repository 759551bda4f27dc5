"""Start-up: `show`, `join`, `ls` and `stats` with plain arguments run without building the typer
app, and read their arguments exactly as the typer app does (anything else is left to it)."""

from __future__ import annotations

import sys

import pytest
import typer.main
from typer._click.types import IntRange

from conftest import FIXTURES, LLAMA, ROOT, run, subprocess_llmcat
from llmcat.__main__ import _COUNTS, _FLAGS, _TEXTS, _WORDS, plain_arguments
from llmcat.commands.app import app

STREAM = LLAMA / "chat-stream.json"

DEFAULTS = {"join": {"no_newline": False, "choice": 0, "reasoning": False, "color": "auto", "reveal": False},
            "show": {"as_json": False, "color": "auto", "head": None, "tail": None, "no_pager": False, "compact": False, "full": False,
                     "limit": None, "api": None, "model": None, "test": None, "finish": None, "errors": False, "tools": False, "grep": None,
                     "sort": None, "reveal": False},
            "ls": {"as_json": False, "api": None, "model": None, "test": None, "finish": None, "errors": False, "tools": False,
                   "grep": None, "sort": None, "limit": None, "color": "auto", "no_pager": False, "reveal": False},
            "stats": {"as_json": False, "color": "auto", "no_pager": False, "reveal": False},
            "check": {"as_json": False, "format": "text", "verbose": False, "strict": False, "only": None, "skip": None,
                      "max_size": 1024 * 1024, "baseline": None, "write_baseline": None, "color": "auto", "no_pager": False}}

ARGVS = [
    ["join", "-n", "a.json"], ["join", "a.json", "b.json", "--no-newline"], ["join", "--choice", "1", "a"],
    ["join", "--choice=2", "--reasoning", "a"], ["join", "--choice", "1", "--choice", "3", "a"], ["join", "--", "-n", "--x"],
    ["join", "-", "--choice", "0"], ["show", "--color", "never", "-"], ["show", "--color=always", "--json", "x#2"],
    ["show", "--head", "3", "--tail=4", "a", "b"], ["show", "a", "--head", " 7"], ["show", "--no-pager", "a"], ["show", "--full", "a"],
    ["ls", "d", "--json", "--api", "openai", "--model=gpt-*", "--test", "t", "--finish", "stop", "--errors", "--tools",
     "--grep", "fox|dog", "--sort", "tokens"], ["ls", "--sort=path", "-", "--", "--json"], ["ls", "--model", "", "d"],
    ["stats", "--json", "d", "e"], ["stats", "d"], ["ls", "-n", "3", "d"], ["ls", "--limit=0", "--sort", "tokens"],
    ["ls"], ["stats"], ["show", "--json"],  # no path: the current directory
    ["ls", "--color", "never", "--no-pager", "d"], ["stats", "--color=always", "d"],
    ["check", "d"], ["check"], ["check", "--json", "--strict", "-v", "d", "e"], ["check", "--format", "sarif", "--baseline", "b.json", "d"],
    ["check", "--format=json", "--write-baseline=b.json", "--color", "never", "--no-pager", "--verbose", "d"],
    # not plain: left to the typer app (help, unknown options, bad values, no file, clusters, other commands)
    ["join"], ["join", "-h", "a"], ["join", "--help"], ["join", "--choice", "-1", "a"], ["join", "--choice", "x", "a"],
    ["join", "--choice"], ["join", "-nn", "a"], ["join", "--json", "a"], ["show", "--color", "blue", "a"],
    ["show", "--json=1", "a"], ["show", "--head", "-2", "a"], ["ls", "--grep", "(", "d"], ["ls", "--model", "--json", "d"],
    ["ls", "--sort", "size", "d"], ["ls", "--api"], ["stats", "--strict", "d"], ["check", "--format", "xml", "d"],
    ["check", "--only", "secret", "d"], ["check", "--max-size", "2MB", "d"], ["check", "--baseline", "--json", "d"], ["check", "-vv", "d"],
    ["--version"], [],
]


@pytest.mark.parametrize("argv", ARGVS, ids=lambda argv: " ".join(argv) or "(none)")
def test_plain_arguments_are_read_as_the_typer_app_reads_them(argv):
    parsed = plain_arguments(argv)
    if parsed is None:
        return  # the typer app reads these
    command, files, options = parsed
    click_command = typer.main.get_command(app).commands[command]
    context = click_command.make_context(command, list(argv[1:]))
    params = dict(context.params)
    assert list(params.pop("files" if "files" in params else "paths") or ["."]) == files  # (cli.py's HERE)
    params = {key: getattr(value, "value", value) for key, value in params.items()}  # (typer's enums: their words)
    assert params == {**DEFAULTS[command], **options}


def test_the_quick_paths_options_are_the_typer_apps():
    """Each option the quick path reads is one of commands/app.py's, of the same kind (an option commands/app.py has and the
    quick path does not know is safe: such a command line goes to the typer app)."""
    group = typer.main.get_command(app)
    for command in _FLAGS:
        params = {name: param for param in group.commands[command].params for name in getattr(param, "opts", [])}
        for name in _FLAGS[command]:
            assert params[name].is_flag, name
        for name in _COUNTS[command]:
            assert isinstance(params[name].type, IntRange) and params[name].type.min == 0, name
        for name, (_, allowed) in _WORDS[command].items():
            assert tuple(getattr(c, "value", c) for c in params[name].type.choices) == allowed, name
        for name in _TEXTS[command]:
            assert not params[name].is_flag and params[name].type.name == "str", name


def test_join_and_show_start_without_typer():
    for argv in (["join", "-n", STREAM], ["show", "--color", "never", STREAM], ["ls", "--json", LLAMA], ["stats", LLAMA],
                 ["check", LLAMA]):
        proc = subprocess_llmcat_importtime(*argv)
        assert proc.returncode in (0, 1), argv  # (check: 1 when it finds an error)
        imported = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines() if "|" in line}
        assert "llmcat.reading.pipeline" in imported and "typer" not in imported and "click" not in imported


def subprocess_llmcat_importtime(*args):
    import subprocess

    return subprocess.run([sys.executable, "-X", "importtime", "-m", "llmcat", *map(str, args)], capture_output=True,
                          cwd=ROOT, timeout=60)


@pytest.mark.parametrize("argv", [["join", "-n", STREAM], ["join", "--choice", "1", STREAM], ["show", "--json", STREAM],
                                  ["show", "--color", "never", "--head", "2", STREAM], ["join", "--choice", "-1", STREAM],
                                  ["ls", LLAMA], ["ls", "--json", "--sort", "tokens", "--grep", "fox", LLAMA],
                                  ["ls", "--api", "openai.chat", "--model", "llama*", "--errors", LLAMA], ["stats", LLAMA],
                                  ["stats", "--json", LLAMA, FIXTURES / "bad"], ["ls", "--grep", "(", LLAMA],
                                  ["check", FIXTURES], ["check", "--json", "--strict", LLAMA, FIXTURES / "bad"],
                                  ["check", "--format", "sarif", FIXTURES / "vcr"], ["check", "--format", "xml", LLAMA]])
def test_the_quick_path_answers_as_the_typer_app(argv):
    quick = subprocess_llmcat(*argv)
    typed = run(*argv)
    stderr = quick.stderr.decode().replace("python -m llmcat", "llmcat")  # (click names the program as it was run)
    assert (quick.returncode, quick.stdout, stderr) == (typed.exit_code, typed.stdout_bytes, typed.stderr)
