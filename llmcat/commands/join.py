"""`llmcat join`: only the reassembled text of each call, exact bytes for pipelines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmcat.model import Need
from llmcat.reading.pipeline import calls
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.output import Output


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
