"""Expand command-line paths into the files to read: directories recursively, in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from msgspec import Struct

from llmcat.formats.registry import recording_suffixes


class Source(Struct, frozen=True):
    spec: str  # what to open: a path, `-`, or `FILE#N`
    relative: str  # path relative to the directory it was found in (the spec itself for a named file)
    explicit: bool  # named on the command line (always reported when unreadable)

    @property
    def expected(self) -> bool:
        """Should a failure to read this be reported (rather than skipped as a non-recording)?

        In a directory walk, files with the endings formats declare are expected to be
        recordings. Other files are read too (recordings are recognised by content) but
        skipped quietly when they turn out not to be recordings."""
        return self.explicit or self.spec.lower().endswith(recording_suffixes())


def expand(paths: Iterable[str]) -> Iterator[Source]:
    for path in paths:
        if path != "-" and os.path.isdir(path):
            yield from _walk(path)
        else:
            yield Source(path, path, True)


def _walk(top: str) -> Iterator[Source]:
    seen: set[tuple[int, int]] = set()  # (device, inode) of directories: symlink loops end here
    stack = [top]
    found: list[str] = []
    while stack:
        current = stack.pop()
        try:
            info = os.stat(current)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = list(os.scandir(current))
        except OSError:
            found.append(current)  # unreadable directory: let the reader report it
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue  # .git, .venv, editor droppings
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                elif entry.is_file():
                    found.append(entry.path)
            except OSError:
                continue
    # Every path found starts with `top` and a separator: slicing is the relative path
    # (os.path.relpath costs more than the whole walk on a suite of thousands).
    prefix = len(os.path.join(top, ""))
    for path in sorted(found):
        yield Source(path, path[prefix:] if path != top else os.path.basename(path), False)
