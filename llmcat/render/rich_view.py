"""Rich writer for a `Document`, for terminals. Text reaches rich only as `Text` objects,
so recorded `[markup]` and `:emoji:` codes print literally; escaping happened in `document`.

Long lines are wrapped here, at word boundaries, each under its own first column (a field's
value under the values, a transcript entry's text under the text, not under its label)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO

from rich.cells import cell_len
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


def make_console(file: IO[str], force_terminal: bool, width: int | None = None, color: bool = True) -> Console:
    """A console that prints recorded text literally; `color=False` draws the same layout without colour codes."""
    return Console(file=file, force_terminal=force_terminal or None, width=width, highlight=False, emoji=False, markup=False,
                   soft_wrap=True, color_system="auto" if color else None)


def render(doc: Document, console: Console, wrap_lines: bool = False, highlight: re.Pattern | None = None) -> None:
    """`wrap_lines` on a terminal; into a pipe (`--color always | less -R`) lines stay whole, as in the plain view.
    `highlight`: what `--grep` looked for, marked where it is found in the texts."""
    width = console.width if wrap_lines else UNWRAPPED
    console.print(heading(doc.heading, console.width))
    for section in doc.sections:
        if not section.fields and section.text is None and not section.entries:
            continue
        title_style = "bold red" if section.style == "error" else "bold magenta"
        console.print(Text(section.title, style=title_style))
        label_width = max((len(f.label) for f in section.fields), default=0)
        for f in section.fields:
            line = Text("  ")
            line.append(f"{f.label + ':':<{label_width + 1}} ", style="cyan")
            hang = 2 + label_width + 2
            line.append("\n".join(_hung(wrap(f.value, width - hang), hang)))
            console.print(line)
        if section.text is not None:
            _print_lines(console, _hung(_wrapped_lines(section.text, width - 2), 2, first="  "), _STYLES.get(section.style, ""),
                         highlight)
        for item in section.entries or ():
            hang = 2 + cell_len(item.label) + 1
            line = Text("  ")
            line.append(item.label + " ", style="cyan")
            line.append("\n".join(_hung(_wrapped_lines(item.text, width - hang), hang)), style=_STYLES.get(item.style, ""))
            console.print(_marked(line, highlight))
    console.print()


BATCH_LINES = 200  # a long text is drawn a batch at a time: the first screen appears before the rest is laid out
MIN_WIDTH = 20  # narrower than this, wrapping would only make a column of letters
UNWRAPPED = 1 << 62


def heading(label: str, width: int) -> Rule | Text:
    """The call's name as a rule across the screen; when it is too long, its directory is shortened,
    never its file name or `#N` (which are printed whole even when they alone are too wide)."""
    room = width - 6
    if cell_len(label) > room:
        head, sep, name = label.rpartition("/")
        keep = room - cell_len(name) - 2
        label = ("…" + head[-keep:] if keep > 0 else "…") + sep + name if sep else label
    title = Text(label, style="bold cyan")
    return Rule(title, align="left", style="cyan") if cell_len(label) <= room else title


def wrap(line: str, width: int) -> list[str]:
    """One line cut at spaces to `width` cells (a word longer than that is cut where it must be).
    Linear in the line: each piece is measured in a window of at most `width` characters (a 2 MB
    word, measured whole at every cut, stalled a terminal's `show` for minutes)."""
    width = max(width, MIN_WIDTH)
    if len(line) <= width // 2 or width >= UNWRAPPED // 2:
        return [line]
    out = []
    start, end = 0, len(line)
    while end - start > width or cell_len(line[start:start + width + 1]) > width:
        window = line[start:start + width]
        cut = _fitting(window, width)
        space = window.rfind(" ", 0, cut + 1)
        if space > 0:
            out.append(window[:space].rstrip())
            start += space + 1
        else:
            out.append(window[:cut])
            start += cut
    out.append(line[start:])
    return out


def _fitting(line: str, width: int) -> int:
    """How many characters of `line` fit in `width` cells (wide characters take two)."""
    cut = min(len(line), width)
    while cut > 1 and cell_len(line[:cut]) > width:
        cut -= max(1, (cell_len(line[:cut]) - width) // 2)
    return cut


def _wrapped_lines(text: str, width: int) -> Iterator[str]:
    for line in text.split("\n"):
        yield from wrap(line, width)


def _hung(lines: Iterable[str], hang: int, first: str = "") -> Iterator[str]:
    """Lines indented by `hang` spaces, the first by `first` (the label, or the indent, already printed)."""
    pad = " " * hang
    for n, line in enumerate(lines):
        yield (pad if n else first) + line if line else ""


def _print_lines(console: Console, lines: Iterator[str], style: str, highlight: re.Pattern | None = None) -> None:
    batch: list[str] = []
    first = True
    for line in lines:
        batch.append(line)
        if len(batch) == BATCH_LINES:
            console.print(_marked(Text("\n".join(batch), style=style), highlight))
            batch = []
            if first:
                console.file.flush()
                first = False
    if batch:
        console.print(_marked(Text("\n".join(batch), style=style), highlight))


def _marked(text: Text, pattern: re.Pattern | None) -> Text:
    """Each match of `pattern` in `text` reversed (not rich's highlight_regex: a named group would be read as a style)."""
    if pattern is not None:
        for match in pattern.finditer(text.plain):
            if match.end() > match.start():
                text.stylize("reverse", match.start(), match.end())
    return text
