"""Long output on a terminal goes through a pager (LLMCAT_PAGER, else PAGER, else less -FRX);
short output, pipes and --no-pager do not; a missing pager falls back; quitting early is quiet.

The pager is a recorder script: it saves what it read, and LESS as it found it.
"""

from __future__ import annotations

import re

import pytest
from test_terminal import SGR, assert_nothing_raw, on_terminal

from conftest import FIXTURES, LLAMA, subprocess_llmcat

LONG = [str(p) for p in sorted(LLAMA.glob("chat-stream*.json"))] * 3  # well over a 40-row screen
SHORT = [str(LLAMA / "chat-stream.json")]


@pytest.fixture
def recorder(tmp_path):
    script = tmp_path / "pager"
    script.write_text('#!/bin/sh\nprintf "%s|%s" "$LESS" "$*" > "$0.env"\ncat > "$0.got"\n')
    script.chmod(0o755)
    return script


def got(recorder) -> bytes | None:
    path = recorder.parent / "pager.got"
    return path.read_bytes() if path.exists() else None


def test_long_show_on_a_terminal_is_paged_with_its_colours(recorder):
    status, shown = on_terminal(["show", *LONG], env={"LLMCAT_PAGER": str(recorder)})
    paged = got(recorder)
    assert status == 0 and paged is not None
    assert paged.count(b"Paris") >= 3 and SGR.search(paged), "the pager gets all of it, in colour (less -R keeps it)"
    assert b"Paris" not in shown, "nothing but the pager reaches the terminal"
    assert_nothing_raw(paged)
    assert (recorder.parent / "pager.env").read_text() == "FRX|", "LESS=FRX is set when LESS is not, as git does"


def test_pager_from_pager_variable_and_less_options_kept(recorder):
    status, _ = on_terminal(["show", *LONG], env={"LLMCAT_PAGER": None, "PAGER": f"{recorder} --opt", "LESS": "S"})
    assert status == 0 and got(recorder) is not None
    assert (recorder.parent / "pager.env").read_text() == "S|--opt"


@pytest.mark.parametrize("env, argv", [
    ({}, ["show", "--no-pager", *LONG]),
    ({"PAGER": "cat"}, ["show", *LONG]),
    ({}, ["show", *SHORT]),
], ids=["no-pager", "pager-cat", "short"])
def test_not_paged(recorder, env, argv):
    env = {"LLMCAT_PAGER": str(recorder), **env}
    if env.get("PAGER") == "cat":
        env["LLMCAT_PAGER"] = None
    status, shown = on_terminal(argv, env=env)
    assert status == 0 and got(recorder) is None
    assert b"Paris" in shown, "written straight to the terminal"


def test_a_pipe_is_never_paged(recorder):
    proc = subprocess_llmcat("show", *LONG, env={"LLMCAT_PAGER": str(recorder), "PAGER": str(recorder)})
    assert proc.returncode == 0 and proc.stdout.count(b"Paris") >= 3
    assert got(recorder) is None


def test_a_missing_pager_falls_back_to_the_terminal(tmp_path):
    status, shown = on_terminal(["show", *LONG], env={"LLMCAT_PAGER": str(tmp_path / "no-such-pager")})
    assert status == 0
    assert SGR.sub(b"", shown).count(b"Paris is the capital") >= 3 and b"llmcat:" not in shown


def test_quitting_the_pager_early_ends_quietly(tmp_path):
    quitter = tmp_path / "quitter"
    quitter.write_text("#!/bin/sh\nhead -c 200 > /dev/null\n")  # reads a little, then quits like `q` in less
    quitter.chmod(0o755)
    status, shown = on_terminal(["show", *LONG * 20], env={"LLMCAT_PAGER": str(quitter)})
    assert status == 0
    assert shown == b"", "no traceback, no 'Broken pipe', no output past the pager"


@pytest.mark.parametrize("argv", [
    ["ls", str(FIXTURES / "llama-stack")],
    ["stats", str(FIXTURES / "llama-stack")],
    ["check", str(FIXTURES / "llama-stack")],
    ["diff", str(LLAMA / "chat-stream.json"), str(LLAMA / "anthropic-stream.json")],
], ids=lambda argv: argv[0])
def test_every_reading_command_pages(recorder, argv):
    status, shown = on_terminal(argv, env={"LLMCAT_PAGER": str(recorder), "LINES": "4"})
    paged = got(recorder)
    assert status in (0, 1) and paged, shown[-300:]
    assert_nothing_raw(paged)
    assert re.search(rb"llama-stack|chat-stream|recordings", SGR.sub(b"", paged))


COLOR_COMMANDS = [
    ["show", str(LLAMA / "chat-stream.json")],
    ["join", str(LLAMA / "chat-stream.json")],
    ["ls", str(LLAMA)],
    ["stats", str(LLAMA)],
    ["check", str(LLAMA / "chat-stream.json"), str(LLAMA / "chat-exception.json")],
    ["diff", str(LLAMA / "chat-stream.json"), str(LLAMA / "anthropic-stream.json")],
]


@pytest.mark.parametrize("argv", COLOR_COMMANDS, ids=lambda argv: argv[0])
def test_every_command_takes_color(argv):
    status, shown = on_terminal([argv[0], "--color", "never", *argv[1:]])
    assert status in (0, 1) and not SGR.search(shown), shown[:300]
    piped = subprocess_llmcat(argv[0], "--color", "always", *argv[1:])
    assert piped.returncode in (0, 1), piped.stderr
    if argv[0] != "join":  # the answer's exact text: never coloured
        assert SGR.search(piped.stdout), "--color always colours into a pipe too"
    colourless = subprocess_llmcat(argv[0], "--color", "auto", *argv[1:])
    assert not SGR.search(colourless.stdout)


def test_no_color_is_honoured_on_a_terminal():
    status, shown = on_terminal(["ls", str(LLAMA)], env={"NO_COLOR": "1"})
    assert status == 0 and b"chat-stream" in shown and not SGR.search(shown)
