"""`llmcat show` and `llmcat join`: the calls of the files named, one at a time, as each file is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmcat.model import Need
from llmcat.pipeline import calls, rendered
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.output import Output
    from llmcat.rows import Filters


def run_show(files: list[str], as_json: bool, head: int | None, tail: int | None, output: Output,
             selection: tuple[Filters, str | None, int | None] | None = None, compact: bool = False) -> ExitStatus:
    """`llmcat show`: OK, or TROUBLE when some file could not be read or shown (reported on stderr).
    Directories are walked; `selection` (filters, sort key, limit) picks the calls as `ls` would list them.
    `--json` on a terminal is indented and coloured, unless `compact`; to a pipe it is JSON Lines."""
    # A credential recorded in the call is masked wherever show would print it (URL, parameters,
    # messages, answer...), in both views.
    from llmcat.render.mask import mask_document, mask_tree
    from llmcat.validation.secrets import secret_values

    problems = output.problems
    out = output.stdout
    shown = calls(files, Need.ANSWERS, problems, walk=True)
    if selection is not None:
        from llmcat.rows import selected

        shown = selected(shown, *selection)
    if as_json:
        from llmcat.render.machine import dumps_line
        from llmcat.shape import call_dict

        dump = dumps_line
        if output.terminal and not compact:
            from llmcat.render.json_view import pretty_json

            dump = lambda obj: pretty_json(obj, output.color)  # noqa: E731
        for line in rendered(shown, problems,
                             lambda c: dump(mask_tree(call_dict(c.recording, c.completion), secret_values(c.recording)))):
            out.write(line)
    else:
        from llmcat.render.document import build

        draw = _drawer(output)
        for doc in rendered(shown, problems,
                            lambda c: mask_document(build(c.recording, c.completion, head=head, tail=tail),
                                                    secret_values(c.recording))):
            draw(doc)
    output.close()
    return ExitStatus.of(problems.count)


def _drawer(output: Output):
    if output.color:
        from llmcat.render import rich_view

        console = output.console()
        return lambda doc: rich_view.render(doc, console, wrap_lines=output.terminal)
    from llmcat.render import plain

    def draw(doc) -> None:
        output.stdout.write(plain.render(doc).encode("utf-8", "backslashreplace"))

    return draw


def run_join(files: list[str], no_newline: bool, choice: int, reasoning: bool, output: Output) -> ExitStatus:
    """`llmcat join`: OK; FOUND when a call has no such choice; TROUBLE when some file could not be read."""
    from llmcat.render.escape import inline

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
    return ExitStatus.of(problems.count, found=missing)


def _escaped_bytes(text: str) -> bytes:
    from llmcat.render.escape import visible

    return visible(text).encode("utf-8")


def _exact_bytes(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON \ud800 escape: not representable
        return text.encode("utf-8", "replace")
