"""`llmcat show`: the calls of the files named, one at a time, as each file is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmcat.model import Need
from llmcat.reading.pipeline import calls, rendered
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    import re
    from collections.abc import Callable

    from llmcat.commands._rows import Filters
    from llmcat.render.document import Document
    from llmcat.render.output import Output


def run_show(files: list[str], as_json: bool, head: int | None, tail: int | None, output: Output,
             selection: tuple[Filters, str | None, int | None] | None = None, compact: bool = False,
             full: bool = False) -> ExitStatus:
    """`llmcat show`: OK, or TROUBLE when some file could not be read or shown (reported on stderr).
    Directories are walked; `selection` (filters, sort key, limit) picks the calls as `ls` would list them.
    `--json` on a terminal is indented and coloured, unless `compact`; to a pipe it is JSON Lines.
    A call that continues the conversation of a call shown before is shown from its new turns, unless `full`."""
    # A credential recorded in the call is masked wherever show would print it (URL, parameters,
    # messages, answer...), in both views.
    from llmcat.render.mask import mask_document, mask_tree
    from llmcat.validation.secrets import secret_values

    problems = output.problems
    out = output.stdout
    shown = calls(files, Need.ANSWERS, problems, walk=True)
    if selection is not None:
        from llmcat.commands._rows import selected

        shown = selected(shown, *selection)
    if as_json:
        from llmcat.reading.shape import call_dict
        from llmcat.render.machine import dumps_line

        dump = dumps_line
        if output.terminal and not compact:
            from llmcat.render.json_view import pretty_json

            dump = lambda obj: pretty_json(obj, output.color)  # noqa: E731
        for line in rendered(shown, problems,
                             lambda c: dump(mask_tree(call_dict(c.recording, c.completion), secret_values(c.recording, c.completion)))):
            out.write(line)
    else:
        from llmcat.render.document import build
        from llmcat.render.turns import Turns

        draw = _drawer(output, selection[0].grep if selection is not None else None)
        turns = None if full else Turns()
        for doc in rendered(shown, problems,
                            lambda c: mask_document(build(c.recording, c.completion, head=head, tail=tail, turns=turns),
                                                    secret_values(c.recording, c.completion))):
            draw(doc)
    output.close()
    return ExitStatus.of(problems.count)


def _drawer(output: Output, grep: re.Pattern[str] | None = None) -> Callable[[Document], None]:
    """How each call is drawn: in colour (what --grep found marked), or plain."""
    if output.color:
        from llmcat.render import rich_view

        console = output.console()
        return lambda doc: rich_view.render(doc, console, wrap_lines=output.terminal, highlight=grep)
    from llmcat.render import plain

    def draw(doc: Document) -> None:
        output.stdout.write(plain.render(doc).encode("utf-8", "backslashreplace"))

    return draw
