"""Which call is compared with which.

Two files: call by call (a file holding several pairs them interaction by interaction,
`path#N`). Two trees (directories, or a git revision and another or the working tree):
files of the same relative path first, as above; the calls left over are then paired
by what they record (`identity`), which finds a re-recorded suite's calls under their
new names. Comparing one pair is `trees`'s; what is said about each pair, and how, is
`render/diff_report`'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import orjson

from llmcat.comparison.identity import Identity, answer_digest, identities, match
from llmcat.comparison.trees import Options, Pair, compare_shapes, compared_tree
from llmcat.model import Need
from llmcat.reading.pipeline import Call, Failure, FileResult, Work, attempt, read, read_one, sources
from llmcat.reading.walk import Source


class Shaped(NamedTuple):
    """One call as a diff compares it, made where its file was read (in a reader process, for a suite):
    its `compared_tree` and `identity`, not the call itself (cheap to send back)."""

    interaction: int
    tree: dict
    identity: Identity
    # Credentials recorded in the call, for the renderer to mask; None: not looked for where the file was
    # read (a suite's reader), looked for later by reading the file again if its pair is to be printed.
    secrets: tuple[str, ...] | None
    call: Any = None  # the call itself, when read here (two files: an added one is shown whole)


class ShapeWork(Work[list[Shaped]]):
    """A suite's files read in blocks, in parallel when many: each file's calls as `Shaped`."""

    in_blocks = True
    # The pipeline's look at every call for the output's mask cost diff of two trees 0.9 s more CPU on
    # 3,000 files a side (ratio to ls 1.97x -> 2.8x): diff finds the credentials of what it prints itself
    # (`with_secrets`, then render.diff_report's masks, which tell render.mask.KNOWN before any byte is written).
    looks_for_secrets = False

    def __init__(self, options: Options) -> None:
        self.options = options
        # Without --strict only the answers are compared, and the fast reader gives the same ones (with
        # the text) for half the time; --strict compares the container's raw JSON: the general reader.
        self.need = Need.EVERYTHING if options.strict else Need.COUNTS_AND_TEXT

    def digest(self, source: Source, calls: list[Call]) -> list[Shaped]:
        # Most pairs of a suite are the same call and print nothing of it: looking for credentials
        # in every call cost a fifth of a tree diff. `with_secrets` looks in those that print.
        return shaped(calls, self.options, keep=False, look_for_secrets=False)


def shaped(calls: list[Call], options: Options, keep: bool = True, look_for_secrets: bool = True) -> list[Shaped]:
    """`keep`: the calls go with their shapes (the renderer finds their credentials itself)."""
    found = identities([c.recording for c in calls])
    out = []
    for call, identity in zip(calls, found, strict=True):
        tree = compared_tree(call, options)
        identity = identity._replace(answer=answer_digest(tree))
        secrets = () if keep else _secrets(call, tree) if look_for_secrets else None
        out.append(Shaped(call.recording.interaction, tree, identity, secrets, call if keep else None))
    return out


def _secrets(call: Call, tree: dict) -> tuple[str, ...]:
    """The credentials recorded in a call, looked for only when what diff may print of it could hold one
    (a glance: ~10 us a call; false only where no finding is possible)."""
    from llmcat.validation import keyshapes
    from llmcat.validation.secrets import secret_values

    try:
        printed = orjson.dumps(tree, option=orjson.OPT_NON_STR_KEYS, default=repr)
    except (TypeError, orjson.JSONEncodeError):
        printed = None
    if printed is not None and not keyshapes.suspect(printed):
        return ()
    return tuple(sorted(secret_values(call.recording)))


def pair_calls(label: str, spec_a: str | None, calls_a: list[Shaped], spec_b: str | None, calls_b: list[Shaped],
               options: Options) -> Iterator[Pair]:
    """The pairs of two files' calls; a file with several calls pairs them interaction by interaction."""
    for pair, _ in _paired(label, spec_a, calls_a, spec_b, calls_b, options):
        yield pair


def _paired(label: str, spec_a: str | None, calls_a: list[Shaped], spec_b: str | None, calls_b: list[Shaped],
            options: Options) -> Iterator[tuple[Pair, Shaped]]:
    """Each pair, with its call (the one of a pair found on one side only)."""
    if len(calls_a) == 1 and len(calls_b) == 1:  # one call each (`FILE#N` included): compare them
        by_a, by_b, single = {0: calls_a[0]}, {0: calls_b[0]}, True
    else:
        by_a = {c.interaction: c for c in calls_a}
        by_b = {c.interaction: c for c in calls_b}
        single = len(by_a) <= 1 and len(by_b) <= 1 and set(by_a) | set(by_b) <= {0}
    for n in sorted(set(by_a) | set(by_b)):
        suffix = "" if single else f"#{n}"
        pair = Pair(label + suffix, spec_a and spec_a + suffix if n in by_a else None,
                    spec_b and spec_b + suffix if n in by_b else None)
        yield _compared(pair, by_a.get(n), by_b.get(n), options), by_b[n] if n in by_b else by_a[n]


def _compared(pair: Pair, a: Shaped | None, b: Shaped | None, options: Options) -> Pair:
    pair.calls = (a and a.call, b and b.call)
    pair.secrets = tuple(sorted({s for side in (a, b) if side is not None and side.secrets for s in side.secrets}))
    pair.unsearched = tuple(spec for side, spec in ((a, pair.a), (b, pair.b))
                            if side is not None and side.secrets is None and spec is not None)
    if a is not None and b is not None:  # one pair that cannot be compared (nesting past Python's stack) is
        compared = attempt(compare_shapes, a.tree, b.tree, options, pair)  # that pair's error; the others go on
        if isinstance(compared, Failure):
            pair.status, pair.reason, pair.failed = "error", compared.reason, pair.b or pair.a or pair.label
            pair.differences, pair.trees = [], None
            return pair
        return compared
    pair.trees = (a and a.tree, b and b.tree)
    pair.status = "only-b" if a is None else "only-a"
    return pair


def compare_files(label: str, spec_a: str | None, spec_b: str | None, options: Options) -> Iterator[Pair]:
    """Pairs from two files (`None` or /dev/null: no file on that side, as git says of an added one)."""
    calls_a, failed = _read_side(label, spec_a, spec_b, "a", options)
    if failed:
        yield failed
        return
    calls_b, failed = _read_side(label, spec_a, spec_b, "b", options)
    if failed:
        yield failed
        return
    yield from pair_calls(label, spec_a, calls_a, spec_b, calls_b, options)


def _read_side(label: str, spec_a: str | None, spec_b: str | None, side: str, options: Options) -> tuple[list, Pair | None]:
    """Every call in one side's file, or the pair's error. diff compares the recordings as stored: the general reader."""
    spec = spec_a if side == "a" else spec_b
    if spec is None or spec == os.devnull:
        return [], None
    result = read_one(spec, Need.EVERYTHING)
    if result.failure is None:
        made = attempt(shaped, result.value or [], options)
        if not isinstance(made, Failure):
            return made, None
        result.failure, result.value = made, None
    return [], error_pair(label, spec_a, spec_b, result)


def error_pair(label: str, spec_a: str | None, spec_b: str | None, failed: FileResult) -> Pair:
    assert failed.failure is not None
    pair = Pair(label, spec_a, spec_b, status="error", reason=failed.failure.reason, failed=failed.spec)
    pair.input_error = failed.failure.input_error and failed.failure.opened  # (never opened: reported in a walk)
    return pair


# --- two trees --------------------------------------------------------------------------------------------


def read_trees(side_a: list[Source], side_b: list[Source], options: Options) -> tuple[dict[str, FileResult], dict[str, FileResult]]:
    """Two sides' files by relative path, each read (or failed), in one parallel read."""
    results = list(read(side_a + side_b, ShapeWork(options)))
    return ({r.source.relative: r for r in results[:len(side_a)]},
            {r.source.relative: r for r in results[len(side_a):]})


def compare_trees(side_a: dict[str, FileResult], side_b: dict[str, FileResult], options: Options) -> list[Pair]:
    """Files of the same relative path first; the calls left over by what they record. In path order."""
    pairs: list[Pair] = []
    left: tuple[list[tuple[Pair, Shaped]], list[tuple[Pair, Shaped]]] = ([], [])
    for rel in sorted(set(side_a) | set(side_b)):
        result_a, result_b = side_a.get(rel), side_b.get(rel)
        failed = next((r for r in (result_a, result_b) if r is not None and r.failure is not None), None)
        if failed is not None:
            assert failed.failure is not None
            if failed.failure.input_error and not any(r is not None and r.expected for r in (result_a, result_b)):
                continue  # a README or a script beside the recordings: not ours to compare
            pairs.append(error_pair(rel, _spec(result_a), _spec(result_b), failed))
            continue
        for pair, alone in _paired(rel, _spec(result_a), _calls(result_a), _spec(result_b), _calls(result_b), options):
            if pair.status in ("only-a", "only-b"):
                left[pair.status == "only-b"].append((pair, alone))
            else:
                pairs.append(pair)
    pairs += pair_by_identity(left[0], left[1], options)
    return sorted(pairs, key=_order)


def _spec(result: FileResult | None) -> str | None:
    return None if result is None else result.spec


def _calls(result: FileResult | None) -> list:
    return [] if result is None else result.value or []


def pair_by_identity(only_a: list[tuple[Pair, Shaped]], only_b: list[tuple[Pair, Shaped]], options: Options) -> list[Pair]:
    """Calls found on one side only, paired where what they record says they are the same call (`identity`)."""
    if not only_a or not only_b:
        return [pair for pair, _ in only_a + only_b]
    matched = match([s.identity for _, s in only_a], [s.identity for _, s in only_b])
    paired_a, paired_b = {n for n, _ in matched}, {n for _, n in matched}
    out = [renamed(only_a[i][0], only_b[j][0], options) for i, j in matched]
    out += [pair for n, (pair, _) in enumerate(only_a) if n not in paired_a]
    out += [pair for n, (pair, _) in enumerate(only_b) if n not in paired_b]
    return out


def renamed(only_a: Pair, only_b: Pair, options: Options) -> Pair:
    """One call under two names: compared as any pair, and said to be renamed."""
    pair = Pair(only_a.label, only_a.a, only_b.b, renamed_to=only_b.label)
    pair.calls = (only_a.calls[0], only_b.calls[1])
    pair.secrets = tuple(sorted(set(only_a.secrets) | set(only_b.secrets)))
    pair.unsearched = only_a.unsearched + only_b.unsearched
    tree_a, tree_b = (only_a.trees or (None, None))[0], (only_b.trees or (None, None))[1]
    assert tree_a is not None and tree_b is not None  # a pair on one side only keeps that side's tree
    return compare_shapes(tree_a, tree_b, options, pair)


def with_secrets(pairs: list[Pair], same_printed: bool) -> None:
    """The credentials of the calls whose pair prints something of them, where their reader did not look
    (`ShapeWork`): their files read again. A pair of the same call prints only its row (with `--all`:
    test id, model, what was asked), so it is read again only when a glance at those finds a need."""
    from llmcat.comparison.summary import row_texts
    from llmcat.validation import keyshapes
    from llmcat.validation.secrets import secret_values

    for pair in pairs:
        if not pair.unsearched:
            continue
        if pair.status == "same" and not (same_printed and any(keyshapes.suspect(t) for t in row_texts(pair))):
            continue
        found = set(pair.secrets)
        for spec in pair.unsearched:
            result = read_one(spec, Need.EVERYTHING)
            for call in result.value or []:  # (a file that cannot be read again: its pair was compared already)
                found |= secret_values(call.recording)
        pair.secrets, pair.unsearched = tuple(sorted(found)), ()


def _order(pair: Pair) -> tuple[str, int]:
    head, sep, tail = pair.label.rpartition("#")
    if sep and tail.isdigit():
        return head, int(tail)
    return pair.label, -1


# --- what the command line names -----------------------------------------------------------------------------


def compare_dirs(dir_a: str, dir_b: str, options: Options) -> list[Pair]:
    return compare_trees(*read_trees(sources([dir_a]), sources([dir_b]), options), options)


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
