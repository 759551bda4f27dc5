"""Options as typer declares them (and the checks of their values): those several commands share, and
`check`'s and `redact`'s; kept apart from `app.py` so that the command line's module stays one page a command.
(No `from __future__ import annotations`: `selecting` hands typer real types.)"""

import functools
import inspect
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

import typer

if TYPE_CHECKING:
    import re

    from llmcat.commands._rows import Filters


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


COLOR = typer.Option(Color.auto, "--color", help="Colour: auto (on a terminal, unless NO_COLOR is set), always, never.")
NO_PAGER = typer.Option(False, "--no-pager", help="Never page: write straight to the terminal (pipes are never paged).")
REVEAL = typer.Option(False, "--reveal", help="Print recorded credentials as they are (by default every one is masked, in every output).")


class SortKey(str, Enum):
    path = "path"
    model = "model"
    tokens = "tokens"
    chunks = "chunks"


# The filters `ls` and `show` share: the calls `ls` lists are the calls `show` shows.
API = typer.Option(None, "--api", metavar="API", autocompletion=lambda incomplete: _complete_api(incomplete),
                   help="Only calls of this API (openai.chat) or family (openai); a name llmcat does not know is an error.")
MODEL = typer.Option(None, "--model", metavar="GLOB", help="Only calls whose model matches GLOB.")
TEST = typer.Option(None, "--test", metavar="GLOB", help="Only calls whose test id matches GLOB.")
FINISH = typer.Option(None, "--finish", metavar="REASON",
                      help="Only calls whose choice 0 finished with REASON: the provider's word, or a category (stop, length, "
                           "tool_calls, content_filter, error, other).")
ERRORS = typer.Option(False, "--errors", help="Only failed calls.")
TOOLS = typer.Option(False, "--tools", help="Only calls that returned tool calls.")
GREP = typer.Option(None, "--grep", metavar="REGEX", help="Only calls whose answer, reasoning, prompt or messages match REGEX.")
SORT = typer.Option(None, "--sort", help="Order: path, model (ascending), tokens, chunks (largest first).")
_SELECTING = (("api", str | None, API), ("model", str | None, MODEL), ("test", str | None, TEST), ("finish", str | None, FINISH),
              ("errors", bool, ERRORS), ("tools", bool, TOOLS), ("grep", str | None, GREP), ("sort", SortKey | None, SORT))


class Selection(NamedTuple):
    """The calls asked for by the options above: which (`filters`), in what order (`sort`; None: as read)."""

    filters: "Filters"
    sort: str | None


SELECTION: Any = None  # a command's parameter `selection: Selection = SELECTION` stands for those options (`selecting`)


def selecting(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with the options from --api to --sort where its `selection` parameter stands, handed to it
    as one `Selection`. typer reads a command's options from its signature: it is shown the options, the
    command gets them checked and bundled (a misspelt API or a bad regex is typer's usage error, as before)."""
    signature = inspect.signature(command)
    spread = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=option, annotation=kind)
              for name, kind, option in _SELECTING]
    parameters = [new for old in signature.parameters.values() for new in (spread if old.name == "selection" else [old])]

    @functools.wraps(command)
    def with_selection(**values: Any) -> None:
        api, model, test, finish, errors, tools, grep, sort = (values.pop(name) for name, _, _ in _SELECTING)
        from llmcat.commands._rows import Filters

        filters = Filters(api=_api_name(api), model=model, test=test, finish=finish, errors=errors, tools=tools, grep=_regex(grep))
        command(**values, selection=Selection(filters, sort.value if sort else None))

    with_selection.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]  # what typer reads
    with_selection.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": signature.return_annotation}
    return with_selection


def _api_name(api: str | None) -> str | None:
    """--api must name an API or a family: a misspelt one is an error with the list, not an empty table."""
    if api is None:
        return None
    from llmcat.apis.registry import filter_names

    known = filter_names()
    if api in known:
        return api
    import difflib

    close = difflib.get_close_matches(api, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise typer.BadParameter(f"no API or family named {api!r}{hint}; known: {', '.join(known)}", param_hint="--api")


def _complete_api(incomplete: str) -> list[str]:
    from llmcat.apis.registry import filter_names

    return [name for name in filter_names() if name.startswith(incomplete)]


def _regex(pattern: str | None) -> "re.Pattern[str] | None":
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


# check


def _codes(values: list[str] | None) -> list[str] | None:
    from llmcat.commands.check import CODES

    for value in values or []:
        if value not in CODES:
            raise typer.BadParameter(f"unknown code {value!r} (codes: {', '.join(CODES)})")
    return values


def _max_size(value: str) -> int:
    from llmcat.commands.check import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _format(value: str) -> str:
    from llmcat.commands.check import FORMATS

    if value not in FORMATS:
        raise typer.BadParameter(f"{value!r}: not one of {', '.join(FORMATS)}")
    return value


JSON = typer.Option(False, "--json", help="JSON Lines: one object per finding (the same as --format json).")
STRICT = typer.Option(False, "--strict", help="Count warnings as errors for the exit status.")
FORMAT = typer.Option("text", "--format", metavar="FORMAT", callback=_format,
                      help="text (one line a finding in a pipe, grouped on a terminal), json (JSON Lines)"
                           " or sarif (SARIF 2.1.0, for code scanning).")
VERBOSE = typer.Option(False, "-v", "--verbose", help="On a terminal: every finding under its group, not one line a group.")
ONLY = typer.Option(None, "--only", metavar="CODE", callback=_codes, help="Look only for this finding code (repeatable).")
SKIP = typer.Option(None, "--skip", metavar="CODE", callback=_codes, help="Do not look for this finding code (repeatable).")
MAX_SIZE = typer.Option("1MB", "--max-size", metavar="SIZE", parser=_max_size,
                        help="Report recordings over this size as large (1MB, 500K, bytes).")
BASELINE = typer.Option(None, "--baseline", metavar="FILE",
                        help="Leave out the findings FILE accepts (written by --write-baseline): fail on new ones only.")
WRITE_BASELINE = typer.Option(None, "--write-baseline", metavar="FILE",
                              help="Write a baseline accepting every finding to FILE (no report; exit 0).")

# redact
IN_PLACE = typer.Option(False, "--in-place", help="Replace in the files themselves (atomically, permissions kept).")
OUT_DIR = typer.Option(None, "-o", "--output", metavar="DIR", help="Write the redacted recordings into DIR, the tree's layout kept.")
DRY_RUN = typer.Option(False, "--dry-run", help="Only list what would be replaced (the default without --in-place or -o).")
PATHS = typer.Argument(..., metavar="PATH...", help="Recordings and directories of recordings (read recursively); a file is"
                                                   " redacted whole (FILE#N too).")
