"""The `llmcat` command line: parse options, decide the output once, run the command.

Exit statuses are in llmcat/status.py. Heavy renderers (rich) are imported only on the
paths that draw.
"""

# (No `from __future__ import annotations`: typer would compile and eval every annotation
# string of every command at each start, ~5 ms.)

import os
import sys
from enum import Enum
from typing import List, Optional

import typer

from llmcat import __version__
from llmcat.model import Need
from llmcat.pipeline import calls, rendered
from llmcat.status import ExitStatus

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
    output = _output(color)
    problems = output.problems
    out = output.stdout
    if as_json:
        from llmcat.render.machine import dumps_line
        from llmcat.shape import call_dict

        for line in rendered(calls(files, Need.ANSWERS, problems), problems,
                             lambda c: dumps_line(call_dict(c.recording, c.completion))):
            out.write(line)
    else:
        from llmcat.render.document import build

        draw = _drawer(output)
        for doc in rendered(calls(files, Need.ANSWERS, problems), problems,
                            lambda c: build(c.recording, c.completion, head=head, tail=tail)):
            draw(doc)
    output.close()
    raise typer.Exit(ExitStatus.of(problems.count))


def _drawer(output):
    if output.color:
        from llmcat.render import rich_view

        console = output.console()
        return lambda doc: rich_view.render(doc, console)
    from llmcat.render import plain

    def draw(doc) -> None:
        output.stdout.write(plain.render(doc).encode("utf-8", "backslashreplace"))

    return draw


@app.command()
def join(
    files: List[str] = FILES,
    no_newline: bool = typer.Option(False, "-n", "--no-newline", help="Write no newline after each text (exact bytes)."),
    choice: int = typer.Option(0, "--choice", min=0, help="Which choice to print (default 0)."),
    reasoning: bool = typer.Option(False, "--reasoning", help="Print the reasoning text instead of the answer."),
) -> None:
    """Print the reassembled answer text of each recorded call, exactly, for pipelines."""
    from llmcat.render.escape import inline

    output = _output()
    problems = output.problems
    missing = False
    out = output.stdout
    # Exact bytes are for pipes and files; on a terminal recorded text is shown, not obeyed.
    encode = _escaped_bytes if output.terminal else _exact_bytes
    for call in calls(files, Need.ANSWERS, problems):
        chosen = next((c for c in call.completion.choices if c.index == choice), None)
        if chosen is None and (choice != 0 or call.completion.choices):
            output.stderr.write(f"llmcat: {inline(call.recording.label)}: no choice {choice}\n")
            missing = True
        text = (chosen.reasoning or "") if reasoning and chosen else (chosen.text if chosen else "")
        out.write(encode(text))
        if not no_newline:
            out.write(b"\n")
    output.close()
    raise typer.Exit(ExitStatus.of(problems.count, found=missing))


def _escaped_bytes(text: str) -> bytes:
    from llmcat.render.escape import visible

    return visible(text).encode("utf-8")


def _exact_bytes(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON \ud800 escape: not representable
        return text.encode("utf-8", "replace")


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

    try:
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


@app.command()
def check(
    paths: List[str] = PATHS,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per finding."),
    strict: bool = typer.Option(False, "--strict", help="Count warnings as errors for the exit status."),
) -> None:
    """Find what is wrong with recordings: cut-short streams, stale names, duplicates, unreadable files."""
    from llmcat.check import run_check

    raise typer.Exit(run_check(paths, as_json, strict, _output()))
@app.command()
def diff(
    paths: List[str] = typer.Argument(..., metavar="A B", help="Two recordings, or two directories of them (or git's 7 external-diff arguments)."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per compared pair, with each difference."),
    stat: bool = typer.Option(False, "--stat", help="Print only the totals."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Directories: the full diff of each changed pair too."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print nothing; only the exit status tells."),
    strict: bool = typer.Option(False, "--strict", help="Compare everything, volatile fields and raw JSON included."),
    chunks: bool = typer.Option(False, "--chunks", help="Count different chunking (or streamed vs not) as a difference."),
    ignore: List[str] = typer.Option([], "--ignore", metavar="PATH", help="Ignore a difference path (and all below it); repeatable."),
    word_diff: bool = typer.Option(False, "--word-diff", help="Mark changed words inline instead of changed lines."),
    color: Color = typer.Option(Color.auto, "--color", help="Colour: auto (on a terminal), always, never."),
) -> None:
    """Compare what was asked and answered in two recordings (or directories): 0 same, 1 different, 2 trouble."""
    from llmcat import diff as differ
    from llmcat.compare import Options
    from llmcat.render.diff_report import Report

    options = Options(strict=strict, chunks=chunks, ignore=tuple(ignore))
    report = Report(as_json=as_json, stat=stat, verbose=verbose, quiet=quiet, word_diff=word_diff)
    raise typer.Exit(differ.run(paths, options, report, _output(color)))


def main() -> None:
    """Console entry point: never a traceback; a closed pipe ends llmcat as it ends cat and jq."""
    _die_quietly_on_closed_pipe()
    try:
        app()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(ExitStatus.OK)
    except KeyboardInterrupt:
        sys.exit(ExitStatus.INTERRUPTED)
    except SystemExit:
        raise
    except BaseException as exc:  # a bug: one line, not a traceback
        sys.stderr.write(f"llmcat: internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(ExitStatus.TROUBLE)


def _die_quietly_on_closed_pipe() -> None:
    """`llmcat show dir | head`: the reader left. Python turns SIGPIPE into an exception that click
    reports as status 1 ("found a difference" for diff and check); the default action is the Unix
    convention instead: end silently, status 128+SIGPIPE, as cat, git and jq do."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
