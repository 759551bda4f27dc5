"""`python -m llmcat` and the `llmcat` executable: start-up kept to what the command needs.

git runs `llmcat show` (as a textconv driver) and `llmcat join` once per file version,
so their start-up is paid many times over, and `ls`, `stats` and `check` have speed targets:
given plain arguments these run from here, without building the typer app (typer and
click are about half of llmcat's start-up). Anything else (another command, --help, an
option or value this does not know) goes to the typer app in commands/app.py, which answers or
complains as it always does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from llmcat.status import ExitStatus, guarded

if TYPE_CHECKING:  # for annotations only: start-up imports what the command needs, when it needs it
    import re

    from llmcat.render.output import Output

# The options of these commands (commands/app.py has their help): on/off, a count of at least 0, one word of a
# set, any text (a value starting with "-" is left to the typer app).
_Table = dict[str, dict[str, str]]  # command -> option -> the name it is read as
_COLOR = ("color", ("auto", "always", "never"))
_FLAGS: _Table = {"join": {"-n": "no_newline", "--no-newline": "no_newline", "--reasoning": "reasoning", "--reveal": "reveal"},
                  "show": {"--json": "as_json", "--no-pager": "no_pager", "--compact": "compact", "--full": "full", "--reveal": "reveal"},
                  "ls": {"--json": "as_json", "--errors": "errors", "--tools": "tools", "--no-pager": "no_pager", "--reveal": "reveal"},
                  "stats": {"--json": "as_json", "--no-pager": "no_pager", "--reveal": "reveal"},
                  "check": {"--json": "as_json", "--strict": "strict", "-v": "verbose", "--verbose": "verbose", "--no-pager": "no_pager"}}
_COUNTS: _Table = {"join": {"--choice": "choice"}, "show": {"--head": "head", "--tail": "tail"},
                   "ls": {"-n": "limit", "--limit": "limit"}, "stats": {}, "check": {}}
_WORDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "join": {}, "show": {"--color": _COLOR},
    "ls": {"--sort": ("sort", ("path", "model", "tokens", "chunks")), "--color": _COLOR}, "stats": {"--color": _COLOR},
    "check": {"--color": _COLOR}}
_TEXTS: _Table = {"join": {}, "show": {},
                  "ls": {"--api": "api", "--model": "model", "--test": "test", "--finish": "finish", "--grep": "grep"},
                  "stats": {}, "check": {"--format": "format", "--baseline": "baseline", "--write-baseline": "write_baseline"}}
_CHECK_FORMATS = ("text", "json", "sarif")  # (commands/check.py's FORMATS: --format is text there, checked by a callback)


# The options read: name -> value, typed by the tables above (flags bool, counts int, words and texts str).
Options = dict[str, Any]


def plain_arguments(argv: list[str]) -> tuple[str, list[str], Options] | None:
    """(command, files, options) when `argv` is `show`, `join`, `ls`, `stats` or `check` with options as commands/app.py reads them
    (`--opt value` or `--opt=value`, the last one wins, `--` ends them); None for anything else."""
    if not argv or argv[0] not in _FLAGS:
        return None
    command = argv[0]
    flags, counts, words, texts = _FLAGS[command], _COUNTS[command], _WORDS[command], _TEXTS[command]
    files: list[str] = []
    options: Options = {}
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--":
            files += rest
            break
        if arg == "-" or not arg.startswith("-"):
            files.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if not equals and arg in flags:
            options[flags[arg]] = True
            continue
        if name not in counts and name not in words and name not in texts:
            return None  # --help, a mistake, or an option added in commands/app.py only: the typer app decides
        if not equals:
            following = next(rest, None)
            if following is None:
                return None
            value = following
        if name in texts:
            if value.startswith("-") or (name == "--grep" and not _is_regex(value)) or (name == "--format" and value not in _CHECK_FORMATS):
                return None
            options[texts[name]] = value
        elif name in counts:
            try:
                count = int(value)
            except ValueError:
                return None
            if count < 0:
                return None
            options[counts[name]] = count
        else:
            key, allowed = words[name]
            if value not in allowed:
                return None
            options[key] = value
    if not files and command != "join":
        files = ["."]  # show, ls, stats and check read the current directory (as commands/app.py's PATHS_OR_HERE)
    return (command, files, options) if files else None


def _known_api(api: object) -> bool:
    if api is None:
        return True
    from llmcat.apis.registry import filter_names

    return api in filter_names()


def _is_regex(pattern: str) -> bool:
    import re

    try:
        _compiled(pattern)
    except re.error:
        return False
    return True


def _compiled(pattern: str) -> re.Pattern[str]:
    """The regex, without the warnings Python's parser prints about it (`[[:alpha:]]`: "possible
    nested set", with a source path): not for the user to debug."""
    import re
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return re.compile(pattern)


def main() -> None:
    _quiet_early_interrupt()
    parsed = plain_arguments(sys.argv[1:])
    if parsed is not None and not _known_api(parsed[2].get("api")):
        parsed = None  # the typer app says so, with the names it knows
    if parsed is None:
        from llmcat.commands.app import main as run_typer_app

        run_typer_app()
    guarded(lambda: _run(*parsed))


def _quiet_early_interrupt() -> None:
    """Ctrl-C while llmcat is still starting (importing typer takes a while) ends it at once, status 130,
    without a traceback: nothing has been read or written yet. `status.guarded` takes over from there."""
    import os
    import signal

    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(130))
    # Imported now, under that handler: a KeyboardInterrupt raised while orjson's module initialises
    # crashes the interpreter (SIGSEGV, seen 1 time in 4 with Ctrl-C 0.24 s into `check`); msgspec is a
    # compiled module too. Every command imports both anyway (llmcat.model is made of msgspec Structs).
    import msgspec  # noqa: F401
    import orjson  # noqa: F401


def _run(command: str, files: list[str], options: Options) -> ExitStatus:
    from llmcat.render.output import Output

    if command in ("ls", "stats"):
        output = Output.of_process(options.get("color", "auto"), page=not options.get("no_pager"), reveal=bool(options.get("reveal")))
        status = _run_suite(command, files, options, output)
        output.close()  # paged output is complete: shown, or the pager waited for
        return status
    if command == "check":
        return _run_check(files, options)
    if command == "join":
        from llmcat.commands.join import run_join

        return run_join(files, bool(options.get("no_newline")), options.get("choice", 0), bool(options.get("reasoning")),
                        Output.of_process(reveal=bool(options.get("reveal"))))
    from llmcat.commands.show import run_show

    return run_show(files, bool(options.get("as_json")), options.get("head"), options.get("tail"),
                    Output.of_process(options.get("color", "auto"), page=not options.get("no_pager"), reveal=bool(options.get("reveal"))),
                    compact=bool(options.get("compact")), full=bool(options.get("full")))


def _run_check(paths: list[str], options: Options) -> ExitStatus:
    from llmcat.commands.check import Report, run_check
    from llmcat.render.output import Output

    output = Output.of_process(options.get("color", "auto"), page=not options.get("no_pager"))
    report = Report("json" if options.get("as_json") else options.get("format", "text"), bool(options.get("strict")),
                    bool(options.get("verbose")), options.get("baseline"), options.get("write_baseline"))
    status = run_check(paths, report, output)
    output.close()
    return status


def _run_suite(command: str, paths: list[str], options: Options, output: Output) -> ExitStatus:
    from llmcat.commands.ls import run_ls, run_stats

    if command == "stats":
        return run_stats(paths, bool(options.get("as_json")), output)
    from llmcat.commands._rows import Filters

    grep = options.get("grep")
    filters = Filters(api=options.get("api"), model=options.get("model"), test=options.get("test"),
                      finish=options.get("finish"), errors=bool(options.get("errors")), tools=bool(options.get("tools")),
                      grep=None if grep is None else _compiled(grep))
    return run_ls(paths, filters, options.get("sort"), bool(options.get("as_json")), output, options.get("limit"))


if __name__ == "__main__":
    main()
