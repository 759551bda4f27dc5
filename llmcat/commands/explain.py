"""`llmcat explain REQUEST [PATH...]`: why a replay found no recording.

The requests come from REQUEST (`comparison.asked`); the nearest recorded calls under PATH and
each one's rules and differences from `comparison.explain`; what is said of them from
`render/explain_view`. 0: every request has an exact match; 1: one has none; 2: trouble.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from llmcat.comparison.asked import asked_in
from llmcat.comparison.explain import explained_all, searchable
from llmcat.reading.pipeline import Failure, FileResult, attempt, passed_over, sources
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.output import Output


def run_explain(request: str, paths: list[str], keep: int, as_json: bool, output: Output) -> ExitStatus:
    from llmcat.formats import split_address
    from llmcat.render.explain_view import ExplainWriter

    problems = output.problems
    asked = attempt(asked_in, request)
    if isinstance(asked, Failure):
        problems.report(request, asked.reason)
        return ExitStatus.TROUBLE
    if "-" in paths and request == "-":
        problems.report("-", "standard input cannot be both the request and the recordings")
        return ExitStatus.TROUBLE
    files = searchable(sources(paths), [split_address(request)[0]])

    def failed(result: FileResult) -> None:
        if not passed_over(result):
            problems.report(result.spec, result.failure.reason if result.failure else "cannot read")

    writer = ExplainWriter(output, as_json)
    progress = output.progress(len(files))
    every_exact = True
    searched = 0
    try:
        for explained in explained_all(asked, files, keep, failed, progress.advance):
            progress.close()
            searched = explained.searched
            written = attempt(writer.write, explained)
            if isinstance(written, Failure):  # (a request nested past what can be written): said, and the others go on
                problems.report(explained.asked.label, written.reason)
                continue
            every_exact = every_exact and explained.exact
    finally:
        progress.close()
    writer.flush()
    if not searched and not problems.count:  # (a file that could not be read was said already)
        where = " ".join(paths)
        problems.report(where, "no recorded call here to compare with" if any(os.path.exists(p) for p in paths)
                        else "no such file")
    return ExitStatus.of(problems.count > 0, found=not every_exact)
