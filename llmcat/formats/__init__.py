"""Container formats: find the recorded calls in a file, whatever it is named.

`read_source` turns one command-line argument into `Recording`s or raises
`InputError` with a one-line reason. Formats are recognised by content.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from typing import Any

import orjson

from llmcat.model import InputError, NotARecording, Recording

_ADDRESS = re.compile(r"^(.*)#(\d+)$")


def split_address(spec: str) -> tuple[str, int | None]:
    """`FILE#N` names interaction N of FILE (only when FILE#N itself is not a file)."""
    match = _ADDRESS.match(spec)
    if match and not os.path.lexists(spec):
        return match.group(1), int(match.group(2))
    return spec, None


def read_bytes(path: str) -> bytes:
    """A regular file's bytes. FIFOs, devices and directories are refused without blocking:
    the file is opened non-blocking and checked on the open descriptor (no stat/open race)."""
    if path == "-":
        return _read_stdin()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("no such file") from None
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except OSError as exc:
        raise InputError(_os_reason(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(_os_reason(exc)) from None
    finally:
        os.close(fd)


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


def read_source(spec: str) -> list[Recording]:
    """All recorded calls in the file named by `spec` (`-` for stdin, `FILE#N` for one)."""
    path, index = split_address(spec)
    recordings = parse(read_bytes(path), spec if index is None else path)
    if index is None:
        return recordings
    chosen = [rec for rec in recordings if rec.interaction == index]
    if not chosen:
        raise InputError(f"no interaction #{index}")
    return chosen


def parse(data: bytes, source: str) -> list[Recording]:
    if not data.strip():
        raise InputError("empty file")
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "surrogate" in str(exc) and "UTF-8" not in str(exc):
            obj = _loads_with_lone_surrogates(data)
        else:
            return _parse_text(data, source, exc)
    return _parse_json(obj, source)


def _loads_with_lone_surrogates(data: bytes) -> Any:
    """JSON may escape a lone surrogate (`"\\ud800"`); orjson refuses it, the stdlib keeps it."""
    import json

    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not JSON: {exc}") from None


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})") from None


def _parse_json(obj: Any, source: str) -> list[Recording]:
    from llmcat.formats import llama_stack

    if llama_stack.looks_like(obj):
        return llama_stack.read(obj, source)
    raise NotARecording("not a recording (JSON, but no request/response)")


def _parse_text(data: bytes, source: str, exc: orjson.JSONDecodeError) -> list[Recording]:
    decode_utf8(data)
    raise InputError(f"not JSON: {exc}")
