"""The `llmcat` command line: parse options, decide the output once, run the command. Exit statuses are in
llmcat/status.py. Heavy renderers (rich) are imported only on the paths that draw. (No `from __future__ import
annotations`: typer would eval every annotation of every command at each start, ~5 ms.)"""

import os
from collections.abc import Callable
from typing import Any, NoReturn

import typer

from llmcat import __version__
from llmcat.commands import _options as options
from llmcat.commands._formats import FORMATS  # (written by tools/docs.py from the registry: no format imported)
from llmcat.commands._options import COLOR, NO_PAGER, REVEAL, SELECTION, Color, Selection, selecting
from llmcat.status import guarded

app = typer.Typer(
    name="llmcat",
    help=f"Inspect and reassemble recorded LLM API calls. Formats read: {FORMATS} (man llmcat: FORMATS).",
    add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _output(color: Color = Color.auto, page: bool = False, reveal: bool = False):
    """Where this run's output goes and how it may look, once for every command. `page`: long output on a terminal
    is paged (render/pager.py); `reveal`: recorded credentials are printed as they are (never the default)."""
    from llmcat.render.output import Output

    return Output.of_process(color.value, page, reveal)


def _done(output, status: int) -> NoReturn:
    """The command's output is complete (and paged output shown): end with `status`."""
    output.close()
    raise typer.Exit(status)


def _examples(*lines: str) -> str:
    """The end of a command's --help: a few ways to call it (\b keeps click from rewrapping them)."""
    return "\b\nExamples:\n" + "\n".join("  $ " + line for line in lines)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmcat {__version__}")
        raise typer.Exit()


def _completion(action: str) -> Callable[[typer.Context, Any, Any], Any]:
    """--install-completion / --show-completion as typer offers them, its completion code imported
    only when asked for (it costs start-up time every other run would pay)."""

    def callback(ctx: typer.Context, param: Any, value: Any) -> Any:
        if not value or ctx.resilient_parsing:
            return value
        from typer import completion

        completion.completion_init()  # type: ignore[attr-defined]  # (as in main)
        return getattr(completion, action)(ctx, param, value)

    return callback


@app.callback(epilog=_examples(
    "llmcat show recording.json",
    "llmcat ls --finish length tests/",
    "llmcat --install-completion",
))
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    install_completion: bool = typer.Option(False, "--install-completion", callback=_completion("install_callback"),
                                            is_eager=True, expose_value=False,
                                            help="Install shell completion for the current shell (bash, zsh, fish)."),
    show_completion: bool = typer.Option(False, "--show-completion", callback=_completion("show_callback"), is_eager=True,
                                         expose_value=False,
                                         help="Print the completion script for the current shell, to copy it or install it by hand."),
) -> None:
    """Inspect and reassemble recorded LLM API calls."""


def _complete_address(incomplete: str) -> list[str]:
    from llmcat.commands._complete import addresses  # (only when the shell asks: not at every start)

    return addresses(incomplete)


FILES = typer.Argument(..., metavar="FILE...", autocompletion=lambda incomplete: _complete_address(incomplete),
                       help="Recordings to read; '-' reads standard input; FILE#N picks interaction N.")
PATHS_OR_HERE = typer.Argument(None, metavar="[PATH]...", show_default=False, autocompletion=_complete_address,
                               help="Recordings and directories of recordings (read recursively; default: the current "
                                    "directory); '-' reads standard input; FILE#N picks interaction N.")


@app.command(epilog=_examples(
    "llmcat show recording.json",
    "llmcat show -n 5 --model 'claude*' --grep Paris tests/",
    "llmcat show --json cassette.yaml#2 | jq .usage",
))
@selecting
def show(
    files: list[str] | None = PATHS_OR_HERE,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per recorded call (indented and coloured on a terminal)."),
    compact: bool = typer.Option(False, "--compact", help="With --json on a terminal: one line per call, as in a pipe."),
    color: Color = COLOR,
    no_pager: bool = NO_PAGER,
    head: int | None = typer.Option(None, "--head", min=0, metavar="N",
                                    help="Show only the first N lines of each long text "
                                         "(answer, reasoning, prompt, messages, tool arguments)."),
    tail: int | None = typer.Option(None, "--tail", min=0, metavar="N",
                                    help="Show only the last N lines of each long text; with --head, both ends."),
    full: bool = typer.Option(False, "--full", help="Every conversation whole (by default a call that continues an "
                              "earlier call's conversation, as an agent's do, shows only its new turns)."),
    limit: int | None = typer.Option(None, "-n", "--limit", min=0, metavar="N",
                                     help="Show only the first N calls (after the filters and --sort)."),
    selection: Selection = SELECTION,  # --api ... --sort, the filters of `ls` (_options.selecting)
    reveal: bool = REVEAL,
) -> None:
    """Show what was asked and what was answered, one recorded call at a time; directories are read
    recursively and take the filters of `ls`."""
    from llmcat.commands._rows import Filters
    from llmcat.commands.show import run_show

    picked = None
    if limit is not None or selection.sort is not None or selection.filters != Filters():
        picked = (selection.filters, selection.sort, limit)
    raise typer.Exit(run_show(files or ["."], as_json, head, tail, _output(color, not no_pager, reveal), picked, compact, full))


@app.command(epilog=_examples(
    "llmcat join recording.json",
    "llmcat join -n recording.json | wc -c",
    "llmcat join --reasoning cassette.yaml#1",
))
def join(
    files: list[str] = FILES,
    no_newline: bool = typer.Option(False, "-n", "--no-newline", help="Write no newline after each text (exact bytes)."),
    choice: int = typer.Option(0, "--choice", min=0, help="Which choice to print (default 0)."),
    reasoning: bool = typer.Option(False, "--reasoning", help="Print the reasoning text instead of the answer."),
    color: Color = typer.Option(Color.auto, "--color", help="Accepted as by every command; the text is never coloured."),
    reveal: bool = REVEAL,
) -> None:
    """Print the reassembled answer text of each recorded call, exactly, for pipelines."""
    from llmcat.commands.join import run_join

    raise typer.Exit(run_join(files, no_newline, choice, reasoning, _output(color, reveal=reveal)))


@app.command("ls", epilog=_examples(
    "llmcat ls tests/integration",
    "llmcat ls --finish length --sort tokens tests/",
    "llmcat ls --json --grep 'capital of France' tests/ | jq -r .source",
))
@selecting
def ls(
    paths: list[str] | None = PATHS_OR_HERE,
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per recorded call, without the long texts."),
    selection: Selection = SELECTION,  # --api ... --sort (_options.selecting): the filters `show` takes too
    limit: int | None = typer.Option(None, "-n", "--limit", min=0, metavar="N", help="The first N calls only (after filters, --sort)."),
    color: Color = COLOR,
    no_pager: bool = NO_PAGER,
    reveal: bool = REVEAL,
) -> None:
    """List recorded calls, one row each: a table on a terminal, tab-separated in a pipe."""
    from llmcat.commands.ls import run_ls

    output = _output(color, page=not no_pager, reveal=reveal)
    _done(output, run_ls(paths or ["."], selection.filters, selection.sort, as_json, output, limit))


@app.command(epilog=_examples(
    "llmcat stats tests/integration",
    "llmcat stats --json tests/ | jq .by_model",
))
def stats(
    paths: list[str] | None = PATHS_OR_HERE,
    as_json: bool = typer.Option(False, "--json", help="One JSON object: recordings, calls, then the breakdowns."),
    color: Color = COLOR,
    no_pager: bool = NO_PAGER,
    reveal: bool = REVEAL,
) -> None:
    """Totals for a suite: calls by API, model and host, tokens, finish reasons, failures, bytes."""
    from llmcat.commands.ls import run_stats

    output = _output(color, page=not no_pager, reveal=reveal)
    _done(output, run_stats(paths or ["."], as_json, output))


@app.command(epilog=_examples(
    "llmcat check tests/integration",
    "llmcat check --strict --json tests/ | jq -r .code",
    "llmcat check --write-baseline .llmcat-baseline.json tests/   # accept what is there today",
    "llmcat check --baseline .llmcat-baseline.json tests/         # CI: fail on new findings only",
    "llmcat check --format sarif tests/ > llmcat.sarif           # for GitHub code scanning",
))
def check(
    paths: list[str] | None = PATHS_OR_HERE,
    as_json: bool = options.JSON, format: str = options.FORMAT, verbose: bool = options.VERBOSE,
    strict: bool = options.STRICT, only: list[str] | None = options.ONLY, skip: list[str] | None = options.SKIP,
    max_size: int = options.MAX_SIZE, baseline: str | None = options.BASELINE,
    write_baseline: str | None = options.WRITE_BASELINE,
    color: Color = COLOR,
    no_pager: bool = NO_PAGER,
) -> None:
    """Find what is wrong with recordings: leaked credentials, cut-short streams, orphans, stale names, duplicates."""
    from llmcat.commands.check import CODES, Report, run_check

    codes = frozenset(only or CODES) - frozenset(skip or ())
    output = _output(color, page=not no_pager)
    report = Report("json" if as_json else format, strict, verbose, baseline, write_baseline)
    _done(output, run_check(paths or ["."], report, output, codes, max_size))


@app.command(epilog=_examples(
    "llmcat redact tests/cassettes                 # list what would be replaced",
    "llmcat redact --in-place tests/cassettes",
    "llmcat redact -o /tmp/scrubbed tests/cassettes",
))
def redact(paths: list[str] = options.PATHS, in_place: bool = options.IN_PLACE, out_dir: str | None = options.OUT_DIR,
           dry_run: bool = options.DRY_RUN, color: Color = COLOR) -> None:
    """Replace every credential check finds with REDACTED-<kind>, keeping each file its recorder's own: 0 none, 1 replaced, 2 trouble."""
    from llmcat.commands.redact import Target, run_redact

    if in_place and out_dir is not None:
        raise typer.BadParameter("--in-place or -o DIR, not both")
    output = _output(color)
    _done(output, run_redact(paths, Target() if dry_run else Target(in_place, out_dir), output))


@app.command(epilog=_examples(
    "llmcat diff old.json new.json",
    "llmcat diff --stat old/recordings new/recordings",
    "llmcat diff --word-diff --ignore request.params.seed a.json b.json",
))
def diff(
    paths: list[str] = typer.Argument(None, metavar="A B",
                                      help="Two recordings, or two directories of them (or git's 7 external-diff arguments); "
                                           "with --git: [REV2] [-- PATH...]."),
    git: str | None = typer.Option(None, "--git", metavar="REV",
                                   help="Compare the recordings at git revision REV with the working tree (or with REV2), "
                                        "read through git."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per compared pair, with each difference."),
    stat: bool = typer.Option(False, "--stat", help="One line per changed pair (name | what changed), then the totals."),
    name_status: bool = typer.Option(False, "--name-status", help="M, R, A or D and the path(s) of each changed pair, as git prints them."),
    every: bool = typer.Option(False, "--all", help="Directories: list the unchanged pairs too."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Directories: the full diff of each changed pair too."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print nothing; only the exit status tells."),
    strict: bool = typer.Option(False, "--strict", help="Compare everything, volatile fields and raw JSON included."),
    chunks: bool = typer.Option(False, "--chunks", help="Count different chunking (or streamed vs not) as a difference."),
    ignore: list[str] = typer.Option([], "--ignore", metavar="PATH", help="Ignore a difference path (and all below it); repeatable."),
    word_diff: bool = typer.Option(False, "--word-diff", help="Mark runs of changed words inline instead of changed lines."),
    color: Color = typer.Option(Color.auto, "--color",
                                help="Colour: auto (on a terminal, unless NO_COLOR is set; under git, as git colours its diff), "
                                     "always, never."),
    no_pager: bool = NO_PAGER,
    reveal: bool = REVEAL,
) -> None:
    """Compare what was asked and answered in two recordings (or directories): 0 same, 1 different, 2 trouble."""
    from llmcat.commands.diff import run
    from llmcat.comparison.trees import Options
    from llmcat.render.diff_report import Report

    paths = list(paths or [])
    options = Options(strict=strict, chunks=chunks, ignore=tuple(ignore))
    report = Report(as_json=as_json, stat=stat, name_status=name_status, all=every, verbose=verbose, quiet=quiet,
                    word_diff=word_diff)
    output = _diff_output(color, paths, git, page=not no_pager, reveal=reveal)
    _done(output, run(paths, options, report, output, revision=git))


@app.command(epilog=_examples("llmcat explain fresh-cassette.yaml tests/cassettes", "pbpaste | llmcat explain - tests/recordings",
                              "llmcat explain --json -n 1 request.json tests/ | jq .candidates[0].differences"))
def explain(
    request: str = typer.Argument(..., metavar="REQUEST", help="What missed: a recording (each call a request), a JSON request "
                                  "{method, url, headers?, body?} or JSON Lines of them, or a recorder's miss message; '-': stdin."),
    paths: list[str] = typer.Argument(None, metavar="[PATH...]", help="Recordings to search (directories read recursively); default: ."),
    limit: int = typer.Option(3, "-n", "--limit", min=1, metavar="N", help="How many of the nearest recorded calls to show per request."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines: one object per request, its candidates' rules and differences."),
    color: Color = COLOR,
    no_pager: bool = NO_PAGER,
) -> None:
    """Why a replay found no recording: the nearest recorded calls, which of their recorder's matching rules
    the request fails, and what differs. 0 every request has an exact match, 1 one has none, 2 trouble."""
    from llmcat.commands.explain import run_explain

    output = _output(color, page=not no_pager)
    _done(output, run_explain(request, list(paths or ["."]), limit, as_json, output))


def _diff_output(color: Color, paths: list[str], revision: str | None, page: bool, reveal: bool = False):
    """As git's external diff, colour is git's decision (git pipes our output into its pager)."""
    if color is Color.auto and revision is None:
        import sys

        from llmcat.comparison.git import color_under_git, git_arguments
        from llmcat.render import is_terminal

        if git_arguments(paths) is not None:
            return _output(Color.always if color_under_git(is_terminal(sys.stdout)) else Color.never, reveal=reveal)
    return _output(color, page=page, reveal=reveal)


def main() -> NoReturn:
    """The typer app, run as a command: never a traceback; a closed pipe ends llmcat as it ends cat and jq."""
    if "_LLMCAT_COMPLETE" in os.environ:  # the shell asks for completions: typer's scripts speak its own dialect
        from typer.completion import completion_init  # type: ignore[attr-defined]  # typer's own name, not re-exported

        completion_init()
    # prog_name: also under `python -m llmcat`, usage lines and completion scripts name the installed command.
    guarded(lambda: app(prog_name="llmcat"))
