"""Container formats: find the recorded calls in a file, whatever it is named.

`load` turns one command-line path into `Recording`s or raises `InputError` with a
one-line reason. Each format is a module of this package that registers itself
(`registry.py`); they are recognised by content, in the order they declare.
"""

from __future__ import annotations

import os
import re
import stat
import sys

from llmcat.formats.registry import Content, read_content, recording_suffixes
from llmcat.model import CannotOpen, EmptyRecording, InputError, Need, Recording
from llmcat.parsing.memory import new_file

_ADDRESS = re.compile(r"^(.*)#([0-9]{1,18})$")  # (a longer number is no call's: a name, read as one)


def anything_at(path: str) -> bool:
    """Is there anything at `path` (a broken link counts)? A path that cannot be looked at (inside
    a directory without search permission) counts too: reading it says why."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):  # (ValueError: a NUL in the name)
        return False
    except OSError:
        return True
    return True


def split_address(spec: str) -> tuple[str, int | None]:
    """`FILE#N` names interaction N of FILE (only when FILE#N itself is not a file). A path as
    `ls` lists it (`x.yaml\\#1`, `a\\\\nb.json`: render/escape.py) names the file it was listed for."""
    if "\\" in spec and not anything_at(spec):
        listed = path_from_label(spec)
        if listed is not None and anything_at(listed[0]):
            return listed
    match = _ADDRESS.match(spec) if "#" in spec else None
    if match and not anything_at(spec):
        return match.group(1), int(match.group(2))
    return spec, None


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


_LISTED_ESCAPES = {"\\": "\\", "#": "#", "n": "\n", "t": "\t"}
_LISTED_HEX = {"x": 2, "u": 4}


def path_from_label(label: str) -> tuple[str, int | None] | None:
    """`render.escape.path_label` read back: the file's path and the call's number (None: the whole
    file), so that a path copied from `ls` names the same file; None when the label holds no escape.
    (Here, where command-line paths are read, not in render/: reading does not depend on drawing.
    tests/test_hostile_small.py holds the two to each other.)"""
    if "\\" not in label:
        return None
    out: list[str] = []
    position = 0
    while position < len(label):
        char = label[position]
        if char == "#" and label[position + 1:].isdigit() and label[position + 1:].isascii() and len(label) - position < 20:
            return "".join(out), int(label[position + 1:])
        following = label[position + 1:position + 2]
        if char != "\\" or not following:
            out.append(char)
            position += 1
        elif following in _LISTED_ESCAPES:
            out.append(_LISTED_ESCAPES[following])
            position += 2
        elif following in _LISTED_HEX and _is_hex(label[position + 2:position + 2 + _LISTED_HEX[following]], _LISTED_HEX[following]):
            out.append(chr(int(label[position + 2:position + 2 + _LISTED_HEX[following]], 16)))
            position += 2 + _LISTED_HEX[following]
        else:
            return None  # not something path_label writes
    return "".join(out), None


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdefABCDEF" for c in text)


def read_bytes(path: str) -> bytes:
    """A regular file's bytes. FIFOs, devices and directories are refused without blocking:
    the file is opened non-blocking and checked on the open descriptor (no stat/open race)."""
    if path == "-":
        return _read_stdin()
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise CannotOpen("no such file") from None
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except OSError as exc:
        raise CannotOpen(_os_reason(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise CannotOpen("not a regular file")
        return _read_all(fd, info.st_size)
    except OSError as exc:
        raise CannotOpen(_os_reason(exc)) from None
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    """Read to the end: one read of the expected size plus one byte (getting exactly the size
    is the end of the file), then on to EOF only if it grew or the read came short. os.read
    spares a buffered file object per file, which shows on suites of thousands."""
    first = os.read(fd, size + 1)
    if len(first) == size:
        return first
    parts = [first]
    while parts[-1]:
        parts.append(os.read(fd, 1 << 20))
    return b"".join(parts)


def _read_stdin() -> bytes:
    """Standard input: a pipe, a file or a terminal. A device (`< /dev/zero`) would never end: refused."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):  # no real descriptor (tests replace stdin)
        mode = None
    if mode is not None and (stat.S_ISBLK(mode) or (stat.S_ISCHR(mode) and not sys.stdin.isatty())):
        if os.path.realpath(f"/proc/self/fd/{sys.stdin.fileno()}") != os.devnull:
            raise InputError("standard input is a device, not a file or pipe")
    try:
        return sys.stdin.buffer.read()
    except OSError as exc:
        raise InputError(_os_reason(exc)) from None


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def load(spec: str, need: Need = Need.EVERYTHING) -> tuple[list[Recording], int]:
    """Every recorded call in the file named by `spec` (a path, `-`, or `FILE#N`), and the
    file's size as stored (before any gzip). Raises `InputError` (one line) when it cannot
    be read. `need` says what the command needs (see `model.Need`)."""
    path, index = split_address(spec)
    data = read_bytes(path)
    on_disk = path if path != "-" else None
    try:
        recordings = parse(data, path, need, name=path, path=on_disk)  # (the path as given, but for its #N or ls's escapes)
    except EmptyRecording as exc:
        if index is not None:
            raise InputError(f"no interaction #{index}: {exc}") from None
        exc.size = len(data)
        raise
    if index is None:
        return recordings, len(data)
    chosen = [rec for rec in recordings if rec.interaction == index]
    if not chosen:
        raise InputError(f"no interaction #{index}")
    return chosen, len(data)


def parse(data: bytes, source: str, need: Need = Need.EVERYTHING, name: str | None = None,
          path: str | None = None) -> list[Recording]:
    """The calls in a file's bytes, read by the first format that recognises them. `path`: where the
    file is on disk, when it is (its companions are read from beside it)."""
    new_file()  # its compressed data gets a fresh budget (formats/_http.py)
    if data.startswith(b"\x1f\x8b"):  # gzip (a .yaml.gz cassette, a .json.gz recording)
        from llmcat.formats._http import decompress_gzip

        data = decompress_gzip(data)
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark (Windows tools write one before HAR JSON)
        data = data[3:]
    if not data or data.isspace():  # (isspace stops at the first other byte; strip would copy the file)
        if (name or source).lower().endswith(recording_suffixes()):
            raise EmptyRecording("an empty file")  # (a recorder that wrote nothing: a test that made no call)
        raise InputError("empty file")
    return read_content(Content(data, source, need, name, path, _companion_reader if path is not None else None))


MAX_COMPANION_BYTES = 256 * 1024 * 1024  # a body file read beside its recording: a WireMock __files/ body


def _companion_reader(directory: str, name: str) -> bytes:
    """`name` inside `directory`, read as a recording's companion: never outside that folder (no
    absolute name, no `..`, no link out), never a FIFO or device, never past its size limit."""
    folder = os.path.basename(os.path.normpath(directory))
    shown = f"{folder}/{name}"
    target = os.path.realpath(os.path.join(directory, name))
    if os.path.isabs(name) or not target.startswith(os.path.join(os.path.realpath(directory), "")):
        raise InputError(f"body file {shown}: outside {folder}/; not read")
    try:
        size = os.stat(target).st_size
    except OSError as exc:
        raise InputError(f"body file {shown}: {'no such file' if isinstance(exc, FileNotFoundError) else _os_reason(exc)}") from None
    if size > MAX_COMPANION_BYTES:
        raise InputError(f"body file {shown}: over {MAX_COMPANION_BYTES >> 20} MB; not read")
    try:
        return read_bytes(target)
    except InputError as exc:  # (a FIFO, a device, a directory: refused without blocking)
        raise InputError(f"body file {shown}: {exc}") from None
