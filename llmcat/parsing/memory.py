"""Parsing under an address-space limit (`ulimit -v`): run out of memory cleanly, never crash.

orjson reports most failed allocations as a JSONDecodeError ("Not enough memory..."), but
not all: under `ulimit -v`, a big input could end llmcat with SIGSEGV inside the parser.
So before a big input is parsed, `reserve` checks that the address space left can hold
the parse and raises MemoryError when it cannot; the pipeline reports that as the file's
failure (`llmcat: FILE: out of memory ...`) and goes on with the others. Without a limit
(the usual case) the check is one comparison.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

# Address space orjson may take per input byte: its buffers and the values it builds. Measured
# under `ulimit -v`: a 50 MB answer crashed orjson with 700 MB of address space and parsed
# with 900 MB; 16 times the input (plus what is in use) keeps clear of the crash.
PARSE_FACTOR = 16
CHECK_FROM = 256 * 1024  # smaller inputs are not worth a look at /proc


def _address_space_limit() -> int | None:
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError, AttributeError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft


_LIMIT = _address_space_limit()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _in_use() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_file = [0]  # which file is being read (counts up): what is counted per file starts again when it changes


def new_file() -> None:
    """A new file is being read (formats.parse): per-file budgets, such as decompression's, start again."""
    _file[0] += 1


def file_number() -> int:
    return _file[0]


def reserve(size: int, factor: int = PARSE_FACTOR) -> None:
    """MemoryError unless `size * factor` more bytes of address space are left."""
    if _LIMIT is not None and size >= CHECK_FROM and _in_use() + size * factor > _LIMIT:
        raise MemoryError(f"{size * factor} bytes needed to parse, address space limited to {_LIMIT}")


def reserve_to_write(obj: Any, factor: int = 10) -> None:
    """MemoryError unless writing `obj` as JSON fits in the address space left. orjson, like its
    parser, can crash instead of failing when an allocation is refused; measured under `ulimit -v`,
    writing an 8 MB or a 16 MB string needed 7.8 times its size (its growing buffer, the bytes made
    of it), hence 10. Without a limit (the usual case): one comparison."""
    if _LIMIT is None:
        return
    size, stack, seen = 0, [obj], 0
    while stack and seen < 1_000_000:  # an estimate: strings' lengths plus a little per value
        value = stack.pop()
        seen += 1
        if isinstance(value, (str, bytes)):
            size += len(value) + 8
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
        else:
            size += 24
    reserve(size, factor)


def json_loads(data: bytes | str | memoryview) -> Any:
    """`orjson.loads`, with the memory it may need checked first and its own out-of-memory
    error raised as MemoryError (not mistaken for "not JSON")."""
    reserve(len(data))
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("Not enough memory"):
            raise MemoryError(str(exc)) from None
        raise
