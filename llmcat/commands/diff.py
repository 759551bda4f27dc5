"""`llmcat diff`: two files, two trees, two revisions, or git's external diff; the exit status.

Which call pairs with which, and what differs, is `comparison`'s; what is said about each
pair, and how, is `render/diff_report`'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from llmcat.comparison.pairing import (
    compare_dirs,
    compare_files,
    compare_paths,
    compare_trees,
    read_trees,
    shaped,
    with_secrets,
)
from llmcat.comparison.trees import Options, Pair
from llmcat.reading.pipeline import Failure, FileResult, attempt
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.diff_report import DiffWriter, Report
    from llmcat.render.output import Output


def run(args: list[str], options: Options, report: Report, output: Output, revision: str | None = None) -> ExitStatus:
    """`llmcat diff`: the exit status (OK same, DIFFERENT, TROUBLE)."""
    from llmcat.comparison.git import git_arguments
    from llmcat.render.diff_report import DiffWriter

    writer = DiffWriter(report, output)
    if revision is not None:
        return _revisions(revision, args, options, writer, output)
    git = git_arguments(args)
    if git is not None:
        return _external(args[0], git, options, writer, output)
    if len(args) != 2:
        output.problems.report("diff", f"needs two paths to compare, got {len(args)}")
        return ExitStatus.TROUBLE
    if os.path.isdir(args[0]) and os.path.isdir(args[1]):
        return _tree(compare_dirs(args[0], args[1], options), writer, output)
    return _files(compare_paths(args[0], args[1], options), writer, output)


def _files(pairs: Iterable[Pair], writer: DiffWriter, output: Output) -> ExitStatus:
    seen = []
    for pair in pairs:
        seen.append(pair)
        if pair.status == "error":
            output.problems.report(pair.failed or pair.label, pair.reason or "cannot read")
        writer.pair(pair)
    if writer.report.stat:
        writer.totals(seen)
    writer.flush()
    return ExitStatus.TROUBLE if output.problems.count else ExitStatus.of(False, found=any(p.status != "same" for p in seen))


def _tree(pairs: list[Pair], writer: DiffWriter, output: Output) -> ExitStatus:
    """Two trees: every unreadable file reported, then the report. A renamed call is not a difference by itself."""
    for pair in pairs:
        if pair.status == "error":
            output.problems.report(pair.failed or pair.label, pair.reason or "cannot read")
    with_secrets(pairs, same_printed=writer.report.all and not writer.report.as_json)
    writer.tree(pairs)
    writer.flush()
    return ExitStatus.TROUBLE if output.problems.count else ExitStatus.of(False, found=any(p.status != "same" for p in pairs))


def _revisions(revision: str, args: list[str], options: Options, writer: DiffWriter, output: Output) -> ExitStatus:
    """`--git REV [REV2] [-- PATH...]`: the recordings at a revision against the working tree or another revision."""
    from llmcat.comparison import git as diffgit

    try:
        revs = diffgit.revisions(revision, args)
        old = _shaped_results(diffgit.revision_tree(revs.old, revs.paths), options)
        if revs.new is not None:
            new = _shaped_results(diffgit.revision_tree(revs.new, revs.paths), options)
        else:
            new = read_trees([], diffgit.working_tree(revs.paths), options)[1]
    except diffgit.GitError as exc:
        output.problems.report("git", str(exc))
        return ExitStatus.TROUBLE
    return _tree(compare_trees(old, new, options), writer, output)


def _shaped_results(results: dict[str, FileResult], options: Options) -> dict[str, FileResult]:
    """Files read here (git's blobs) made `Shaped`, as a suite's reader processes make them."""
    for result in results.values():
        if result.failure is None:
            made = attempt(shaped, result.value or [], options, False)
            result.failure, result.value = (made, None) if isinstance(made, Failure) else (None, made)
    return results


def _external(path: str, git: tuple[str, str, str, str], options: Options, writer: DiffWriter, output: Output) -> ExitStatus:
    """As GIT_EXTERNAL_DIFF: git's labels (`a/path#N` for one call of several), a file that is not a
    recording compared as text, and status 0 whether or not the calls differ (git stops the whole
    diff at the first external diff that exits non-zero)."""
    label_a, path_a, label_b, path_b = git
    old = None if path_a == os.devnull else path_a
    new = None if path_b == os.devnull else path_b
    for pair in compare_files(path, old, new, options):
        suffix = pair.label[len(path):]  # `#N`, for one call of several
        if pair.status == "error" and pair.input_error:
            pair.status = "changed"  # not a recording: compared as text, and git carries on
            writer.fallback(label_a, _text_of(path_a), label_b, _text_of(path_b), pair)
            continue
        if pair.status == "error":
            output.problems.report(pair.failed or pair.label, pair.reason or "cannot read")
            continue
        writer.pair(pair, os.devnull if old is None else label_a + suffix, os.devnull if new is None else label_b + suffix, git=True)
    writer.flush()
    return ExitStatus.TROUBLE if output.problems.count else ExitStatus.OK


def _text_of(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
