"""Expand command-line paths into the files to read: directories recursively, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from msgspec import Struct

from llmcat.formats.registry import claimed_in, recording_suffixes


class Source(Struct, frozen=True):
    spec: str  # what to open: a path, `-`, or `FILE#N`
    relative: str  # path relative to the directory it was found in (the spec itself for a named file)
    explicit: bool  # named on the command line (always reported when unreadable)
    problem: str | None = None  # why a walk could not read this entry (reported as the file's failure)

    @property
    def expected(self) -> bool:
        """Should a failure to read this be reported (rather than skipped as a non-recording)?

        In a directory walk, files with the endings formats declare are expected to be
        recordings. Other files are read too (recordings are recognised by content) but
        skipped quietly when they turn out not to be recordings. An entry the walk could
        not read at all (a broken link, a FIFO, an unreadable directory) may hide
        recordings: it is always reported."""
        return self.explicit or self.problem is not None or self.spec.lower().endswith(recording_suffixes())


def expand(specs: Iterable[str]) -> Iterator[Source]:
    for spec in specs:
        if spec != "-" and os.path.isdir(spec):
            yield from _walk(spec)
        else:
            yield Source(spec, spec, True)


def _walk(top: str) -> Iterator[Source]:
    """Every file under `top`, and every entry that cannot be read, with why."""
    found: list[str] = []
    problems: dict[str, str] = {}  # entries that cannot be read, and why (rare: kept apart from `found`)
    claimed: set[str] = set()  # files a format reads with another one (a WireMock stub's body): not listed again
    for directory, entries in directories(top, problems=problems):
        claimed |= claimed_in(directory, frozenset(entry.name for entry in entries))
        for entry in entries:
            try:
                if entry.is_file():
                    found.append(entry.path)
                elif not entry.is_dir():
                    problems[entry.path] = _unreadable_entry(entry)
            except OSError as exc:
                problems[entry.path] = _reason(exc)
    # Every path found starts with `top` and a separator: slicing is the relative path
    # (os.path.relpath costs more than the whole walk on a suite of thousands).
    prefix = len(os.path.join(top, ""))
    if claimed:
        found = [path for path in found if os.path.normpath(path) not in claimed]
    for path in sorted([*found, *problems]):
        yield Source(path, path[prefix:] if path != top else os.path.basename(path), False, problems.get(path))


def directories(top: str, enter: Callable[[os.DirEntry], bool] | None = None,
                problems: dict[str, str] | None = None) -> Iterator[tuple[str, list[os.DirEntry]]]:
    """Each directory under `top`, `top` first, with its entries but the hidden ones (.git, .venv, editor
    droppings). A sub-directory is entered once (a link loop ends) when `enter(entry)` says so, and never
    through a link out of the tree (a link to `/` or `/proc` must not walk the machine). What cannot be
    read, and why, goes into `problems` (a directory, a link out, an entry that cannot be looked at)."""
    inside = _tree_of(top)
    seen: set[tuple[int, int]] = set()  # (device, inode) of directories: symlink loops end here
    trouble = problems if problems is not None else {}
    stack = [top]
    while stack:
        current = stack.pop()
        try:
            info = os.stat(current)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = [entry for entry in os.scandir(current) if not entry.name.startswith(".")]
        except OSError as exc:
            trouble[current] = f"directory cannot be read: {_reason(exc)}"
            continue
        yield current, entries
        for entry in entries:
            try:
                if not entry.is_dir() or (enter is not None and not enter(entry)):
                    continue
                if _links_out(entry, inside):
                    trouble[entry.path] = "a link to a directory outside the tree; not followed"
                else:
                    stack.append(entry.path)
            except OSError as exc:
                trouble[entry.path] = _reason(exc)


def _tree_of(top: str) -> str:
    """`top` as `_links_out` compares with it: its real path, ending with a separator."""
    return os.path.join(os.path.realpath(top), "")


def _links_out(entry: os.DirEntry, inside: str) -> bool:
    """Is `entry` a link to a directory outside the tree `inside` (`_tree_of`)? Walks do not follow
    those: a link to `/` or `/proc` must not walk the machine."""
    return entry.is_symlink() and not os.path.join(os.path.realpath(entry.path), "").startswith(inside)


def _unreadable_entry(entry: os.DirEntry) -> str:
    """Why an entry that is neither a file nor a directory cannot be read."""
    if entry.is_symlink():
        try:
            os.stat(entry.path)
        except OSError as exc:
            return "no such file (a broken symbolic link)" if isinstance(exc, FileNotFoundError) else _reason(exc)
    return "not a regular file"


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()
