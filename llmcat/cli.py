"""The `llmcat` command line: parse options, decide the output once, run the command.

Exit statuses are in llmcat/status.py. Heavy renderers (rich) are imported only on the
paths that draw.
"""

# (No `from __future__ import annotations`: typer would compile and eval every annotation
# string of every command at each start, ~5 ms.)

from enum import Enum
from typing import List, Optional

import typer

from llmcat import __version__
from llmcat.status import guarded

app = typer.Typer(
    name="llmcat",
    help="Inspect and reassemble recorded LLM API calls (llama-stack, VCR.py, HAR, SSE).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _output(color: Color = Color.auto):
    """Where this run's output goes and how it may look: decided here, once, for every command."""
    from llmcat.render.output import Output

    return Output.of_process(color.value)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmcat {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Inspect and reassemble recorded LLM API calls."""


FILES = typer.Argument(..., metavar="FILE...", help="Recordings to read; '-' reads standard input; FILE#N picks interaction N.")


@app.command()
def show(
    files: List[str] = FILES,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per recorded call."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour: auto (on a terminal), always, never."),
    head: Optional[int] = typer.Option(None, "--head", min=0, metavar="N", help="Show only the first N lines of each long text (answer, reasoning, prompt, messages, tool arguments)."),
    tail: Optional[int] = typer.Option(None, "--tail", min=0, metavar="N", help="Show only the last N lines of each long text; with --head, both ends."),
) -> None:
    """Show what was asked and what was answered, one recorded call at a time."""
    from llmcat.show import run_show

    raise typer.Exit(run_show(files, as_json, head, tail, _output(color)))


@app.command()
def join(
    files: List[str] = FILES,
    no_newline: bool = typer.Option(False, "-n", "--no-newline", help="Write no newline after each text (exact bytes)."),
    choice: int = typer.Option(0, "--choice", min=0, help="Which choice to print (default 0)."),
    reasoning: bool = typer.Option(False, "--reasoning", help="Print the reasoning text instead of the answer."),
) -> None:
    """Print the reassembled answer text of each recorded call, exactly, for pipelines."""
    from llmcat.show import run_join

    raise typer.Exit(run_join(files, no_newline, choice, reasoning, _output()))


PATHS = typer.Argument(..., metavar="PATH...", help="Recordings and directories of recordings (read recursively).")


class SortKey(str, Enum):
    path = "path"
    model = "model"
    tokens = "tokens"
    chunks = "chunks"


@app.command("ls")
def ls(
    paths: List[str] = PATHS,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per recorded call, without the long texts."),
    api: Optional[str] = typer.Option(None, "--api", metavar="API", help="Only calls of this API (openai.chat) or family (openai)."),
    model: Optional[str] = typer.Option(None, "--model", metavar="GLOB", help="Only calls whose model matches GLOB."),
    test: Optional[str] = typer.Option(None, "--test", metavar="GLOB", help="Only calls whose test id matches GLOB."),
    finish: Optional[str] = typer.Option(None, "--finish", metavar="REASON", help="Only calls whose choice 0 finished with REASON."),
    errors: bool = typer.Option(False, "--errors", help="Only failed calls."),
    tools: bool = typer.Option(False, "--tools", help="Only calls that returned tool calls."),
    grep: Optional[str] = typer.Option(None, "--grep", metavar="REGEX", help="Only calls whose answer, reasoning, prompt or messages match REGEX."),
    sort: Optional[SortKey] = typer.Option(None, "--sort", help="Order: path, model (ascending), tokens, chunks (largest first)."),
) -> None:
    """List recorded calls, one row each: a table on a terminal, tab-separated in a pipe."""
    from llmcat.rows import Filters
    from llmcat.suite import run_ls

    filters = Filters(api=api, model=model, test=test, finish=finish, errors=errors, tools=tools, grep=_regex(grep))
    raise typer.Exit(run_ls(paths, filters, sort.value if sort else None, as_json, _output()))


def _regex(pattern: Optional[str]):
    if pattern is None:
        return None
    import re
    import warnings

    try:
        with warnings.catch_warnings():  # ("possible nested set" for `[[:alpha:]]`: not for the user to debug)
            warnings.simplefilter("ignore")
            return re.compile(pattern)
    except re.error as exc:
        raise typer.BadParameter(f"not a regular expression: {exc}", param_hint="--grep") from None


@app.command()
def stats(
    paths: List[str] = PATHS,
    as_json: bool = typer.Option(False, "--json", help="One JSON object: recordings, calls, then the breakdowns."),
) -> None:
    """Totals for a suite: calls by API, model and host, tokens, finish reasons, failures, bytes."""
    from llmcat.suite import run_stats

    raise typer.Exit(run_stats(paths, as_json, _output()))


def _codes(values: Optional[List[str]]) -> Optional[List[str]]:
    from llmcat.check import CODES

    for value in values or []:
        if value not in CODES:
            raise typer.BadParameter(f"unknown code {value!r} (codes: {', '.join(CODES)})")
    return values


def _max_size(value: str) -> int:
    from llmcat.check import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def check(
    paths: List[str] = PATHS,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per finding."),
    strict: bool = typer.Option(False, "--strict", help="Count warnings as errors for the exit status."),
    only: Optional[List[str]] = typer.Option(None, "--only", metavar="CODE", callback=_codes, help="Look only for this finding code (repeatable)."),
    skip: Optional[List[str]] = typer.Option(None, "--skip", metavar="CODE", callback=_codes, help="Do not look for this finding code (repeatable)."),
    max_size: int = typer.Option("1MB", "--max-size", metavar="SIZE", parser=_max_size, help="Report recordings over this size as large (1MB, 500K, bytes)."),
) -> None:
    """Find what is wrong with recordings: leaked credentials, cut-short streams, orphans, stale names, duplicates."""
    from llmcat.check import CODES, run_check

    codes = frozenset(only or CODES) - frozenset(skip or ())
    raise typer.Exit(run_check(paths, as_json, strict, _output(), codes, max_size))
@app.command()
def diff(
    paths: List[str] = typer.Argument(None, metavar="A B", help="Two recordings, or two directories of them (or git's 7 external-diff arguments); with --git: [REV2] [-- PATH...]."),
    git: Optional[str] = typer.Option(None, "--git", metavar="REV", help="Compare the recordings at git revision REV with the working tree (or with REV2), read through git."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per compared pair, with each difference."),
    stat: bool = typer.Option(False, "--stat", help="One line per changed pair (name | what changed), then the totals."),
    name_status: bool = typer.Option(False, "--name-status", help="M, R, A or D and the path(s) of each changed pair, as git prints them."),
    every: bool = typer.Option(False, "--all", help="Directories: list the unchanged pairs too."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Directories: the full diff of each changed pair too."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print nothing; only the exit status tells."),
    strict: bool = typer.Option(False, "--strict", help="Compare everything, volatile fields and raw JSON included."),
    chunks: bool = typer.Option(False, "--chunks", help="Count different chunking (or streamed vs not) as a difference."),
    ignore: List[str] = typer.Option([], "--ignore", metavar="PATH", help="Ignore a difference path (and all below it); repeatable."),
    word_diff: bool = typer.Option(False, "--word-diff", help="Mark runs of changed words inline instead of changed lines."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour: auto (on a terminal; under git, as git colours its diff), always, never."),
) -> None:
    """Compare what was asked and answered in two recordings (or directories): 0 same, 1 different, 2 trouble."""
    from llmcat.compare import Options
    from llmcat.diff import run
    from llmcat.render.diff_report import Report

    paths = list(paths or [])
    options = Options(strict=strict, chunks=chunks, ignore=tuple(ignore))
    report = Report(as_json=as_json, stat=stat, name_status=name_status, all=every, verbose=verbose, quiet=quiet,
                    word_diff=word_diff)
    raise typer.Exit(run(paths, options, report, _diff_output(color, paths, git), revision=git))


def _diff_output(color, paths, revision):
    """As git's external diff, colour is git's decision (git pipes our output into its pager)."""
    if color is Color.auto and revision is None:
        import sys

        from llmcat.diffgit import color_under_git, git_arguments
        from llmcat.render import is_terminal

        if git_arguments(paths) is not None:
            return _output(Color.always if color_under_git(is_terminal(sys.stdout)) else Color.never)
    return _output(color)


def main() -> None:
    """The typer app, run as a command: never a traceback; a closed pipe ends llmcat as it ends cat and jq."""
    guarded(app)
