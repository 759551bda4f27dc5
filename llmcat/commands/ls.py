"""`llmcat ls` and `llmcat stats`: a suite's calls as rows (see `rows`), or their totals (see `totals`).

Files are read by the pipeline in blocks, in several processes when there are many;
what a directory walk finds that is not a recording is passed over without a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from llmcat.commands._rows import Filters, RowsWork, sort_rows
from llmcat.model import Row
from llmcat.reading.pipeline import FileResult, passed_over, read, sources
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.output import Output, Problems


def _reported(results: Iterable[FileResult[list[Row]]], problems: Problems) -> Iterator[FileResult[list[Row]]]:
    """Report unreadable files as `llmcat: FILE: reason`; pass the readable ones on."""
    for result in results:
        if result.failure is not None:
            if not passed_over(result):
                problems.report(result.spec, result.failure.reason)
            continue
        yield result


def run_ls(paths: list[str], filters: Filters, sort: str | None, as_json: bool, output: Output,
           limit: int | None = None) -> ExitStatus:
    """`llmcat ls`: OK, or TROUBLE when some file could not be read (reported on stderr). `limit`: the
    first N rows (after the sort); without a sort, reading stops there."""
    problems, out, terminal = output.problems, output.stdout, output.terminal or output.force_color
    files = sources(paths)
    progress = output.progress(len(files))
    work = RowsWork(filters, want_json=as_json)
    try:
        rows: Iterable[Row] = (row for result in _reported(read(files, work, progress.advance), problems)
                               for row in result.value or ())
        if sort:
            rows = sort_rows(list(rows), sort)
        if limit is not None:
            rows = islice(rows, limit)
        if sort or (terminal and not as_json):
            rows = list(rows)
            progress.close()
        if as_json:
            for row in rows:
                assert row.line is not None  # RowsWork(want_json=True) gives each row its line
                out.write(row.line)
        elif terminal:
            from llmcat.render.suite_view import ls_table

            extra = ("tokens",) * (sort == "tokens") + ("error",) * filters.errors
            output.draw_text(lambda file: ls_table([output.masked(row) for row in rows], file, output.width, output.color, extra))
        else:
            from llmcat.render.suite_view import tsv

            for line in tsv(rows):
                out.write(line)
    finally:
        progress.close()
    out.flush()
    return ExitStatus.of(problems.count)


def run_stats(paths: list[str], as_json: bool, output: Output) -> ExitStatus:
    """`llmcat stats`: OK, or TROUBLE when some file could not be read (reported on stderr)."""
    from llmcat.commands._totals import Totals

    problems, out, terminal = output.problems, output.stdout, output.terminal or output.force_color
    files = sources(paths)
    progress = output.progress(len(files))
    totals = Totals()
    try:
        for result in _reported(read(files, RowsWork(), progress.advance), problems):
            totals.add(result)
    finally:
        progress.close()
    data = output.masked(totals.as_dict())  # (before a table cuts a model's name or a host)
    if as_json:
        from llmcat.render.machine import dumps_line

        out.write(dumps_line(data))
    elif terminal:
        from llmcat.render.stats_view import stats_tables

        output.draw_text(lambda file: stats_tables(data, file, output.width, output.color))
    else:
        from llmcat.render.stats_view import stats_plain

        out.write(stats_plain(data).encode("utf-8", "backslashreplace"))
    out.flush()
    return ExitStatus.of(problems.count)
