"""`llmcat diff`: what was asked and what was answered differently, call by call.

The comparison of two calls is `compare`'s; this pairs the inputs: two files, two
directories (files paired by relative path, recursively), or git's external-diff
arguments; a file holding several calls pairs them interaction by interaction (`path#N`).
What is said about each pair, and how, is `render/diff_report`'s.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from llmcat.compare import Options, Pair, compare_calls
from llmcat.model import Need
from llmcat.status import ExitStatus

if TYPE_CHECKING:
    from llmcat.render.diff_report import Report
    from llmcat.render.output import Output

# --- pairing inputs -------------------------------------------------------------------------------


def compare_files(label: str, spec_a: str | None, spec_b: str | None, options: Options) -> Iterator[Pair]:
    """Pairs from two files; a file with several calls pairs them interaction by interaction."""
    calls_a, failed = _read_side(label, spec_a, spec_b, "a")
    if failed:
        yield failed
        return
    calls_b, failed = _read_side(label, spec_a, spec_b, "b")
    if failed:
        yield failed
        return
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


def _read_side(label: str, spec_a: str | None, spec_b: str | None, side: str) -> tuple[list, Pair | None]:
    """Every call in one side's file, or the pair's error (`/dev/null`, as git passes for an added
    or deleted file, has none). diff compares the recordings as stored: the general reader."""
    from llmcat.pipeline import read_one

    spec = spec_a if side == "a" else spec_b
    if spec is None or spec == os.devnull:
        return [], None
    result = read_one(spec, Need.EVERYTHING)
    if result.failure is None:
        return result.value or [], None
    failed = Pair(label, spec_a, spec_b, status="error", reason=result.failure.reason, failed=spec)
    failed.input_error = result.failure.input_error
    return [], failed


def compare_dirs(dir_a: str, dir_b: str, options: Options) -> Iterator[Pair]:
    """Pair recordings by path relative to each directory, recursively."""
    from llmcat.walk import expand

    side_a = {s.relative: s for s in expand([dir_a])}
    side_b = {s.relative: s for s in expand([dir_b])}
    for rel in sorted(set(side_a) | set(side_b)):
        src_a, src_b = side_a.get(rel), side_b.get(rel)
        spec_a = src_a.spec if src_a else None
        spec_b = src_b.spec if src_b else None
        expected = any(s is not None and s.expected for s in (src_a, src_b))
        pairs = list(compare_files(rel, spec_a, spec_b, options))
        if not expected and any(p.status == "error" and p.input_error for p in pairs):
            continue  # a README or a script beside the recordings: not ours to compare
        yield from pairs


def compare_paths(path_a: str, path_b: str, options: Options) -> Iterator[Pair]:
    """Two files, two directories, or a file and a directory (compared with the same name in it, as diff(1) does)."""
    dir_a, dir_b = os.path.isdir(path_a), os.path.isdir(path_b)
    if dir_a and dir_b:
        yield from compare_dirs(path_a, path_b, options)
        return
    if dir_a and not dir_b:
        path_a = os.path.join(path_a, os.path.basename(path_b))
    elif dir_b and not dir_a:
        path_b = os.path.join(path_b, os.path.basename(path_a))
    label = path_a if path_a == path_b else f"{path_a} {path_b}"
    yield from compare_files(label, path_a, path_b, options)


# --- the command ---------------------------------------------------------------------------------

_HEX = re.compile(r"[0-9a-f]{7,64}|\.")
_MODE = re.compile(r"[0-7]{6}|\.")


def git_arguments(args: list[str]) -> tuple[str, str, str, str] | None:
    """GIT_EXTERNAL_DIFF's `path old-file old-hex old-mode new-file new-hex new-mode [new-path xfrm]`:
    (old label, old file, new label, new file), or None when `args` are not that."""
    if len(args) not in (7, 9) or not (_HEX.fullmatch(args[2]) and _MODE.fullmatch(args[3])
                                        and _HEX.fullmatch(args[5]) and _MODE.fullmatch(args[6])):
        return None
    old_path, new_path = args[0], args[7] if len(args) == 9 else args[0]
    return f"a/{old_path}", args[1], f"b/{new_path}", args[4]


def run(args: list[str], options: Options, report: Report, output: Output) -> ExitStatus:
    """`llmcat diff`: the exit status (OK same, DIFFERENT, TROUBLE)."""
    from llmcat.render.diff_report import DiffWriter

    problems = output.problems
    git = git_arguments(args)
    if git is None and len(args) != 2:
        problems.report("diff", f"needs two paths to compare, got {len(args)}")
        return ExitStatus.TROUBLE
    if git is not None:
        label_a, path_a, label_b, path_b = git
        label_a, label_b = (os.devnull if p == os.devnull else label for label, p in ((label_a, path_a), (label_b, path_b)))
        pairs = compare_files(args[0], None if path_a == os.devnull else path_a, None if path_b == os.devnull else path_b, options)
    else:
        label_a = label_b = None
        pairs = compare_paths(args[0], args[1], options)
    mode = "git" if git is not None else "directories" if os.path.isdir(args[0]) and os.path.isdir(args[1]) else "files"
    writer = DiffWriter(report, output)
    seen: list[Pair] = []
    for pair in pairs:
        seen.append(pair)
        if pair.status == "error":
            if git is not None and pair.input_error:
                pair.status = "changed"  # not a recording: compared as text, and git carries on
                writer.fallback(label_a, path_a, label_b, path_b, pair)
                continue
            problems.report(pair.failed or pair.label, pair.reason or "cannot read")
        writer.pair(pair, mode, label_a, label_b)
    if mode == "directories" or report.stat:
        writer.totals(seen)
    writer.flush()
    if problems.count:
        return ExitStatus.TROUBLE
    if git is not None:
        return ExitStatus.OK  # git stops at the first external diff that exits non-zero
    return ExitStatus.of(False, found=any(p.status != "same" for p in seen))
