"""Rich writer for a `Document`, for terminals. Text reaches rich only as `Text` objects,
so recorded `[markup]` and `:emoji:` codes print literally; escaping happened in `document`."""

from __future__ import annotations

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from llmcat.render.document import Document

_STYLES = {
    "body": "",
    "answer": "bold",
    "reasoning": "italic dim",
    "code": "green",
    "error": "red",
    "muted": "dim",
}


def make_console(file, force_terminal: bool, width: int | None = None) -> Console:
    return Console(file=file, force_terminal=force_terminal or None, width=width, highlight=False, emoji=False, markup=False,
                   soft_wrap=True)


def render(doc: Document, console: Console) -> None:
    console.print(Rule(Text(doc.heading, style="bold cyan"), align="left", style="cyan"))
    for section in doc.sections:
        if not section.fields and section.text is None:
            continue
        title_style = "bold red" if section.style == "error" else "bold magenta"
        console.print(Text(section.title, style=title_style))
        width = max((len(f.label) for f in section.fields), default=0)
        for f in section.fields:
            line = Text("  ")
            line.append(f"{f.label + ':':<{width + 1}} ", style="cyan")
            line.append(f.value)
            console.print(line)
        if section.text is not None:
            _print_text(console, section.text, _STYLES.get(section.style, ""))
    console.print()


BATCH_LINES = 200  # a long text is drawn a batch at a time: the first screen appears before the rest is laid out


def _print_text(console: Console, text: str, style: str) -> None:
    # Indent by hand: a Padding would crop long lines to the width; soft wrap leaves wrapping to the terminal.
    lines = text.split("\n")
    for start in range(0, len(lines), BATCH_LINES):
        body = Text()
        for n, line in enumerate(lines[start : start + BATCH_LINES]):
            body.append(("\n  " if n else "  ") + line, style=style)
        console.print(body)
        if start == 0:
            console.file.flush()
