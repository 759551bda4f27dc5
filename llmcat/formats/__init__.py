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

from llmcat.model import InputError, Need, NotARecording, Recording

_ADDRESS = re.compile(r"^(.*)#(\d+)$")


def split_address(spec: str) -> tuple[str, int | None]:
    """`FILE#N` names interaction N of FILE (only when FILE#N itself is not a file)."""
    match = _ADDRESS.match(spec) if "#" in spec else None
    if match and not os.path.lexists(spec):
        return match.group(1), int(match.group(2))
    return spec, None


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: str) -> bytes:
    """A regular file's bytes. FIFOs, devices and directories are refused without blocking:
    the file is opened non-blocking and checked on the open descriptor (no stat/open race)."""
    if path == "-":
        return _read_stdin()
    try:
        fd = os.open(path, _OPEN_FLAGS)
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
        return _read_all(fd, info.st_size)
    except OSError as exc:
        raise InputError(_os_reason(exc)) from None
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
    file's size as stored. Raises `InputError` (one line) when it cannot be read."""
    return read_sized(spec, fast=need.fast, fast_min_bytes=None if need.only_big else 0, text=need.text)


def read_source(spec: str, fast: bool = False, fast_min_bytes: int | None = None) -> list[Recording]:
    """All recorded calls in the file named by `spec` (`-` for stdin, `FILE#N` for one).

    `fast`: try the fast reader for streams of `fast_min_bytes` or more first (same
    answers; `Recording.stored` then lacks the response body, so only for commands that do
    not show raw data)."""
    return read_sized(spec, fast, fast_min_bytes)[0]


def read_sized(spec: str, fast: bool = False, fast_min_bytes: int | None = None, text: bool = True) -> tuple[list[Recording], int]:
    """`read_source`, and the size of the file in bytes (as stored: before any gzip).

    `text=False` (with `fast`): the fast reader may leave out the answers' text, for
    commands that only count (see `llama_stack_fast.parse`)."""
    path, index = split_address(spec)
    data = read_bytes(path)
    source = spec if index is None else path
    recordings = _parse_fast(data, source, FAST_MIN_BYTES if fast_min_bytes is None else fast_min_bytes, text) if fast else None
    if recordings is None:
        recordings = parse(data, source)
    if index is None:
        return recordings, len(data)
    chosen = [rec for rec in recordings if rec.interaction == index]
    if not chosen:
        raise InputError(f"no interaction #{index}")
    return chosen, len(data)


FAST_MIN_BYTES = 256 * 1024  # below this the general reader is as quick


def _parse_fast(data: bytes, source: str, min_bytes: int, text: bool) -> list[Recording] | None:
    if len(data) < min_bytes:
        return None  # small files: the general reader is quick
    from llmcat.formats import llama_stack_fast

    return llama_stack_fast.parse(data, source, text)


def parse(data: bytes, source: str) -> list[Recording]:
    from llmcat.formats._http import GZIP_MAGIC, decompress_gzip

    if data.startswith(GZIP_MAGIC):  # gzip (a .yaml.gz cassette, a .json.gz recording)
        data = decompress_gzip(data)
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark (Windows tools write one before HAR JSON)
        data = data[3:]
    if not data or data.isspace():  # (isspace stops at the first other byte; strip would copy the file)
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
    from llmcat.formats import capture, har, vcr

    if vcr.looks_like(obj):  # vcrpy's JSON serializer
        return vcr.read(obj, source)
    if har.looks_like(obj):
        return har.read(obj, source)
    if capture.looks_like_body(obj):
        return capture.read_json(obj, source)
    raise NotARecording("not a recording (JSON, but no request/response)")


_YAML_NAMES = (".yaml", ".yml", ".yaml.gz", ".yml.gz")


def _parse_text(data: bytes, source: str, exc: orjson.JSONDecodeError) -> list[Recording]:
    text = decode_utf8(data)
    from llmcat import sse
    from llmcat.formats import _http, capture, vcr

    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        lines = _http.split_json_lines(text)  # JSON Lines of chunks also start with "{"
        if lines is not None and capture.looks_like_body(lines):
            return capture.read_jsonl(lines, source)
        raise InputError(f"not JSON: {exc}")
    if vcr.sniff_yaml(text) or source.lower().endswith(_YAML_NAMES):
        obj = vcr.load_yaml(data)
        if vcr.looks_like(obj):
            return vcr.read(obj, source)
        raise NotARecording("not a recording (YAML, but no interactions list)")
    if sse.looks_like_sse(text):
        return capture.read_sse(text, source)
    raise InputError(f"not JSON: {exc}")
