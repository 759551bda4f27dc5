"""`llmcat diff` and git: as git's external diff, and reading recordings at a revision.

- GIT_EXTERNAL_DIFF hands over 7 (or 9, for a rename) arguments: `git_arguments`
  recognises them. git pipes an external diff's output into its pager, so a terminal
  test says no colour; `color_under_git` asks git for its own decision instead
  (`git config --get-colorbool color.diff`, which weighs color.diff, color.ui,
  color.pager and the GIT_PAGER_IN_USE git exports), as git's own diff would colour.
- `--git REV [REV2]` reads the recordings of a revision through `git ls-tree` and
  `git cat-file --batch` (no checkout, no temporary clone), and those of the working
  tree through `git ls-files` (tracked and untracked, .gitignore respected).
"""

from __future__ import annotations

import os
import re
import subprocess

from msgspec import Struct

from llmcat.reading.pipeline import FileResult, read_data
from llmcat.reading.walk import Source

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


def color_under_git(terminal: bool) -> bool:
    """Would git colour its own diff here? Asked of git itself, with whether our output is a
    terminal; git adds its pager (GIT_PAGER_IN_USE) and its config. Without git: a terminal or
    git's pager means colour, as git's default (`auto`) does."""
    try:
        proc = subprocess.run(["git", "config", "--get-colorbool", "color.diff", "true" if terminal else "false"],
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        proc = None
    if proc is not None and proc.returncode == 0 and proc.stdout.strip() in (b"true", b"false"):
        return proc.stdout.strip() == b"true"
    pager = os.environ.get("GIT_PAGER_IN_USE", "").lower() in ("1", "true", "yes", "on")
    return (terminal or pager) and os.environ.get("TERM") != "dumb"


# --- recordings at a revision ------------------------------------------------------------------------


class GitError(Exception):
    """git said no (not a repository, an unknown revision): one line for stderr."""


class Revisions(Struct):
    """What `--git REV [REV2] [-- PATH...]` names: the old side, the new side (None: the working tree), where."""

    old: str
    new: str | None
    paths: list[str]


def revisions(first: str, rest: list[str]) -> Revisions:
    """`--git REV` and what follows: a second revision (when it names a commit and no file), then paths."""
    _verify(first)
    if rest and not os.path.exists(rest[0]) and _is_commit(rest[0]):
        return Revisions(first, rest[0], rest[1:])
    return Revisions(first, None, rest)


def _git(*args: str, data: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], input=data, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(lines[-1] if lines else f"git {args[0]} failed")
    return proc.stdout


def _is_commit(name: str) -> bool:
    try:
        _git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
        return True
    except GitError:
        return False


def _verify(name: str) -> None:
    if name.startswith("-") or not _is_commit(name):
        _git("rev-parse", "--show-toplevel")  # not a repository: git says so
        raise GitError(f"{name}: not a revision")


def revision_tree(rev: str, paths: list[str]) -> dict[str, FileResult]:
    """The files of `rev` under `paths` (relative to the current directory), read from git's blobs."""
    # No "--" after the revision: git 2.39's ls-tree takes it for a path (and with no other path then lists
    # nothing); after --end-of-options every word is a revision or a path anyway.
    listing = _git("ls-tree", "-r", "-z", "--end-of-options", rev, *paths)
    blobs: list[tuple[str, str]] = []  # (path, object id)
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, oid = meta.split(b" ")
        if kind == b"blob" and mode != b"120000":  # not submodules, not symbolic links
            blobs.append((os.fsdecode(name), oid.decode()))
    prefix = _git("rev-parse", "--show-prefix").decode().strip()
    out: dict[str, FileResult] = {}
    for (path, _), data in zip(blobs, _blob_contents([oid for _, oid in blobs]), strict=True):
        source = Source(f"{rev}:{os.path.normpath(prefix + path)}", path, False)
        out[path] = read_data(source, data)
    return out


def _blob_contents(oids: list[str]) -> list[bytes]:
    """Each blob's bytes, in order, from one `git cat-file --batch`."""
    if not oids:
        return []
    raw = _git("cat-file", "--batch", data="".join(oid + "\n" for oid in oids).encode())
    out, at = [], 0
    for _ in oids:
        header_end = raw.index(b"\n", at)
        size = int(raw[at:header_end].split(b" ")[2])
        out.append(raw[header_end + 1:header_end + 1 + size])
        at = header_end + 1 + size + 1
    return out


def working_tree(paths: list[str]) -> list[Source]:
    """The files of the working tree under `paths` that git tracks or would (untracked, not ignored)."""
    listing = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths)
    names = sorted({os.fsdecode(n) for n in listing.split(b"\0") if n})
    # deleted in the working tree (only in the revision), or a link: not there to compare
    return [Source(name, name, False) for name in names if not os.path.islink(name) and os.path.isfile(name)]
