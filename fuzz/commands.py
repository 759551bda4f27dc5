"""Every llmcat command, how to call it on hostile inputs, and which exit statuses are allowed.

The list of commands to exercise comes from `llmcat --help`, so a command merged later
is covered automatically; a command in the help but not in this table is an error
(`uncovered`), a table entry whose command does not exist yet is skipped with a reason.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Command:
    name: str  # the subcommand as `llmcat --help` lists it
    label: str  # a test id
    build: Callable[[list[str], str], list[str]]  # (inputs, a good recording) -> argv
    exits: frozenset[int]  # allowed exit statuses on any input
    # Output for a good file alone appears unchanged when a bad file comes first
    # (per-file views); False for aggregates and two-file comparisons.
    keeps_others: bool = False
    human: bool = True  # a view for people: no raw control sequence may reach the output, pipe or not
    bad_exits: frozenset[int] = frozenset({2})  # the status when an input cannot be read
    # A bad input is reported as one `llmcat: <file>: <reason>` line on stderr (check
    # reports its findings on stdout instead; then at most one stderr line).
    reports_on_stderr: bool = True
    many: bool = True  # takes any number of inputs (diff takes two)
    # Another way to call a command already in the table: the costly exhaustive named tests
    # skip variants (the fuzzer and the other named tests still run them).
    variant: bool = False
    # Prints recorded text (an answer, a message): redact prints only places, kinds and masked values.
    shows_recorded_text: bool = True


def _many(*head: str) -> Callable[[list[str], str], list[str]]:
    return lambda files, good: [*head, *files]


def _pair(reverse: bool) -> Callable[[list[str], str], list[str]]:
    # diff takes exactly two inputs: the hostile one against a good recording.
    return lambda files, good: ["diff", good, files[0]] if reverse else ["diff", files[0], good]


TABLE: tuple[Command, ...] = (
    Command("show", "show", _many("show"), frozenset({0, 2}), keeps_others=True),
    Command("show", "show-json", _many("show", "--json"), frozenset({0, 2}), keeps_others=True, human=False),
    # show with ls's filters: the calls are selected (sorted, limited) before they are drawn.
    Command("show", "show-filtered", _many("show", "--sort", "tokens", "-n", "5", "--finish", "stop", "--grep", "."),
            frozenset({0, 2}), variant=True),
    Command("join", "join", _many("join"), frozenset({0, 1, 2}), keeps_others=True, human=False),
    Command("join", "join-reasoning", _many("join", "--reasoning", "--choice", "1"), frozenset({0, 1, 2}), human=False, variant=True),
    Command("diff", "diff", _pair(False), frozenset({0, 1, 2}), many=False),
    Command("diff", "diff-reversed", _pair(True), frozenset({0, 1, 2}), many=False, variant=True),
    Command("diff", "diff-json", lambda files, good: ["diff", "--json", files[0], good], frozenset({0, 1, 2}), many=False, human=False,
            variant=True),
    # explain: the hostile file as the request (the good recording searched), then as a recording searched.
    Command("explain", "explain", lambda files, good: ["explain", files[0], good], frozenset({0, 1, 2}), many=False),
    Command("explain", "explain-suite", lambda files, good: ["explain", "--json", good, *files], frozenset({0, 1, 2}), human=False,
            variant=True),
    Command("ls", "ls", _many("ls"), frozenset({0, 2})),
    Command("ls", "ls-json", _many("ls", "--json"), frozenset({0, 2}), human=False, variant=True),
    # --color always: the terminal's table (and check's coloured levels and totals) into a pipe.
    Command("ls", "ls-color", _many("ls", "--color", "always"), frozenset({0, 2}), variant=True),
    Command("stats", "stats", _many("stats"), frozenset({0, 2})),
    Command("stats", "stats-json", _many("stats", "--json"), frozenset({0, 2}), human=False, variant=True),
    Command("stats", "stats-color", _many("stats", "--color", "always"), frozenset({0, 2}), variant=True),
    Command("check", "check", _many("check"), frozenset({0, 1, 2}), bad_exits=frozenset({1, 2}), reports_on_stderr=False),
    Command("check", "check-color", _many("check", "--color", "always"), frozenset({0, 1, 2}), bad_exits=frozenset({1, 2}),
            reports_on_stderr=False, variant=True),
    Command("check", "check-strict-json", _many("check", "--strict", "--json"), frozenset({0, 1, 2}),
            bad_exits=frozenset({1, 2}), reports_on_stderr=False, human=False, variant=True),
    # redact lists what it would replace (a dry run: hostile inputs are never written to).
    Command("redact", "redact", _many("redact"), frozenset({0, 1, 2}), shows_recorded_text=False),  # (a good input: no line)
)


@functools.cache
def available() -> tuple[str, ...]:
    """The subcommands `llmcat --help` lists, in order."""
    proc = subprocess.run([sys.executable, "-m", "llmcat", "--help"], capture_output=True, text=True, cwd=ROOT,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}, timeout=60)
    section = proc.stdout.split("Commands:", 1)[-1] if "Commands:" in proc.stdout else ""
    return tuple(re.findall(r"^\s{2}([a-z][\w-]*)(?:\s{2,}|$)", section, re.M))


def uncovered() -> list[str]:
    """Commands llmcat has that this table does not say how to exercise."""
    known = {c.name for c in TABLE}
    return [name for name in available() if name not in known]


def skip_reason(command: Command) -> str | None:
    if command.name in available():
        return None
    return f"`llmcat {command.name}` does not exist on this branch yet (not in `llmcat --help`)"


def present() -> list[Command]:
    return [c for c in TABLE if skip_reason(c) is None]
