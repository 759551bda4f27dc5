"""`llmcat diff`: which call is compared with which, then the command.

Two files: call by call (a file holding several pairs them interaction by interaction,
`path#N`). Two trees (directories, or a git revision and another or the working tree):
files of the same relative path first, as above; the calls left over are then paired
by what they record (`identity`), which finds a re-recorded suite's calls under their
new names. Comparing one pair is `compare`'s; git is `diffgit`'s; what is said about
each pair, and how, is `render/diff_report`'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from llmcat.compare import Options, Pair, compare_calls
from llmcat.model import Need
from llmcat.pipeline import FileResult, KeepCalls, read, read_one, sources
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.diff_report import DiffWriter, Report
    from llmcat.render.output import Output

def pair_calls(label: str, spec_a: str | None, calls_a: list, spec_b: str | None, calls_b: list, options: Options) -> Iterator[Pair]:
    """The pairs of two files' calls; a file with several calls pairs them interaction by interaction."""
    if len(calls_a) == 1 and len(calls_b) == 1:  # one call each (`FILE#N` included): compare them
        by_a, by_b, single = {0: calls_a[0]}, {0: calls_b[0]}, True
    else:
        by_a = {c.recording.interaction: c for c in calls_a}
        by_b = {c.recording.interaction: c for c in calls_b}
        single = len(by_a) <= 1 and len(by_b) <= 1 and set(by_a) | set(by_b) <= {0}
    for n in sorted(set(by_a) | set(by_b)):
        suffix = "" if single else f"#{n}"
        pair = Pair(label + suffix, spec_a and spec_a + suffix if n in by_a else None,
                    spec_b and spec_b + suffix if n in by_b else None)
        pair.calls = (by_a.get(n), by_b.get(n))
        if n not in by_b:
            pair.status = "only-a"
        elif n not in by_a:
            pair.status = "only-b"
        else:
            compare_calls(by_a[n], by_b[n], options, pair)
        yield pair


def compare_files(label: str, spec_a: str | None, spec_b: str | None, options: Options) -> Iterator[Pair]:
    """Pairs from two files (`None` or /dev/null: no file on that side, as git says of an added one)."""
    calls_a, failed = _read_side(label, spec_a, spec_b, "a")
    if failed:
        yield failed
        return
    calls_b, failed = _read_side(label, spec_a, spec_b, "b")
    if failed:
        yield failed
        return
    yield from pair_calls(label, spec_a, calls_a, spec_b, calls_b, options)


def _read_side(label: str, spec_a: str | None, spec_b: str | None, side: str) -> tuple[list, Pair | None]:
    """Every call in one side's file, or the pair's error. diff compares the recordings as stored: the general reader."""
    spec = spec_a if side == "a" else spec_b
    if spec is None or spec == os.devnull:
        return [], None
    result = read_one(spec, Need.EVERYTHING)
    if result.failure is None:
        return result.value or [], None
    return [], error_pair(label, spec_a, spec_b, result)


def error_pair(label: str, spec_a: str | None, spec_b: str | None, failed: FileResult) -> Pair:
    assert failed.failure is not None
    pair = Pair(label, spec_a, spec_b, status="error", reason=failed.failure.reason, failed=failed.spec)
    pair.input_error = failed.failure.input_error
    return pair


# --- two trees --------------------------------------------------------------------------------------------


def read_tree(top: str) -> dict[str, FileResult]:
    """Every file under `top` by its relative path, read (or failed)."""
    return {result.source.relative: result for result in read(sources([top]), KeepCalls(Need.EVERYTHING))}


def compare_trees(side_a: dict[str, FileResult], side_b: dict[str, FileResult], options: Options) -> list[Pair]:
    """Files of the same relative path first; the calls left over by what they record. In path order."""
    pairs: list[Pair] = []
    left: tuple[list[Leftover], list[Leftover]] = ([], [])
    for rel in sorted(set(side_a) | set(side_b)):
        result_a, result_b = side_a.get(rel), side_b.get(rel)
        failed = next((r for r in (result_a, result_b) if r is not None and r.failure is not None), None)
        if failed is not None:
            assert failed.failure is not None
            if failed.failure.input_error and not any(r is not None and r.expected for r in (result_a, result_b)):
                continue  # a README or a script beside the recordings: not ours to compare
            pairs.append(error_pair(rel, _spec(result_a), _spec(result_b), failed))
            continue
        calls_a, calls_b = _calls(result_a), _calls(result_b)
        for pair in pair_calls(rel, _spec(result_a), calls_a, _spec(result_b), calls_b, options):
            if pair.status == "only-a":
                left[0].append((pair, calls_a))
            elif pair.status == "only-b":
                left[1].append((pair, calls_b))
            else:
                pairs.append(pair)
    pairs += pair_by_identity(left[0], left[1], options)
    return sorted(pairs, key=_order)


Leftover = tuple[Pair, list]  # a call found on one side only, and all the calls of its file


def _spec(result: FileResult | None) -> str | None:
    return None if result is None else result.spec


def _calls(result: FileResult | None) -> list:
    return [] if result is None else result.value or []


def pair_by_identity(only_a: list[Leftover], only_b: list[Leftover], options: Options) -> list[Pair]:
    """Calls found on one side only, paired where what they record says they are the same call (`identity`)."""
    from llmcat import identity

    if not only_a or not only_b:
        return [pair for pair, _ in only_a + only_b]
    matched = identity.match(_identities(only_a, 0), _identities(only_b, 1))
    paired_a, paired_b = {n for n, _ in matched}, {n for _, n in matched}
    out = [renamed(only_a[i][0], only_b[j][0], options) for i, j in matched]
    out += [pair for n, (pair, _) in enumerate(only_a) if n not in paired_a]
    out += [pair for n, (pair, _) in enumerate(only_b) if n not in paired_b]
    return out


def _identities(left: list[Leftover], which: int) -> list[Any]:
    """Each left-over call's identity, its repeats numbered within its own file."""
    from llmcat import identity

    per_file: dict[int, dict[int, Any]] = {}  # id(file's call list) -> id(call) -> identity
    out = []
    for pair, file_calls in left:
        known = per_file.get(id(file_calls))
        if known is None:
            found = identity.identities([c.recording for c in file_calls])
            known = per_file[id(file_calls)] = {id(c): i for c, i in zip(file_calls, found, strict=True)}
        out.append(known[id(pair.calls[which])])
    return out


def renamed(only_a: Pair, only_b: Pair, options: Options) -> Pair:
    """One call under two names: compared as any pair, and said to be renamed."""
    pair = Pair(only_a.label, only_a.a, only_b.b, renamed_to=only_b.label)
    pair.calls = (only_a.calls[0], only_b.calls[1])
    return compare_calls(pair.calls[0], pair.calls[1], options, pair)


def _order(pair: Pair) -> tuple[str, int]:
    head, sep, tail = pair.label.rpartition("#")
    if sep and tail.isdigit():
        return head, int(tail)
    return pair.label, -1


# --- what the command line names -----------------------------------------------------------------------------


def compare_dirs(dir_a: str, dir_b: str, options: Options) -> list[Pair]:
    return compare_trees(read_tree(dir_a), read_tree(dir_b), options)


def compare_paths(path_a: str, path_b: str, options: Options) -> Iterable[Pair]:
    """Two files, two directories, or a file and a directory (compared with the same name in it, as diff(1) does)."""
    dir_a, dir_b = os.path.isdir(path_a), os.path.isdir(path_b)
    if dir_a and dir_b:
        return compare_dirs(path_a, path_b, options)
    if dir_a and not dir_b:
        path_a = os.path.join(path_a, os.path.basename(path_b))
    elif dir_b and not dir_a:
        path_b = os.path.join(path_b, os.path.basename(path_a))
    label = path_a if path_a == path_b else f"{path_a} {path_b}"
    return compare_files(label, path_a, path_b, options)


# --- the command ---------------------------------------------------------------------------------


def run(args: list[str], options: Options, report: Report, output: Output, revision: str | None = None) -> ExitStatus:
    """`llmcat diff`: the exit status (OK same, DIFFERENT, TROUBLE)."""
    from llmcat.diffgit import git_arguments
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
    writer.tree(pairs)
    writer.flush()
    return ExitStatus.TROUBLE if output.problems.count else ExitStatus.of(False, found=any(p.status != "same" for p in pairs))


def _revisions(revision: str, args: list[str], options: Options, writer: DiffWriter, output: Output) -> ExitStatus:
    """`--git REV [REV2] [-- PATH...]`: the recordings at a revision against the working tree or another revision."""
    from llmcat import diffgit

    try:
        side_a, side_b = diffgit.trees(diffgit.revisions(revision, args))
    except diffgit.GitError as exc:
        output.problems.report("git", str(exc))
        return ExitStatus.TROUBLE
    return _tree(compare_trees(side_a, side_b, options), writer, output)


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
