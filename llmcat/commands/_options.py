"""`check`'s and `redact`'s options as typer declares them (and the checks of their values), kept
apart from `app.py` so that the command line's module stays one page a command."""

import typer


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
