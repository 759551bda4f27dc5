"""JSON Lines output: one record per line, safe to show on a terminal (the shapes are in `llmcat.reading.shape`)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from llmcat.model import InputError
from llmcat.parsing.memory import reserve_to_write

# DEL and C1 controls (U+0080-U+009F): JSON allows them raw, terminals obey them. In
# UTF-8 output their bytes occur only inside strings, so `\u00XX` is the same JSON value.
_RAW_CONTROLS = re.compile(rb"\x7f|\xc2[\x80-\x9f]")


def _escape_control(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % match.group().decode("utf-8").encode("latin-1")[0]


def terminal_safe(data: bytes) -> bytes:
    """JSON text with DEL and C1 controls as `\\u` escapes: the same JSON value, safe on a terminal."""
    return _RAW_CONTROLS.sub(_escape_control, data)


def dumps_line(obj: Any) -> bytes:
    """One JSON Lines record. Lone surrogates (legal in JSON text, not in UTF-8) are escaped, not fatal;
    so are DEL and C1 controls, so that a terminal or pager shown the line cannot be driven by it."""
    reserve_to_write(obj)
    try:
        line = orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # lone surrogates, or nesting deeper than orjson writes
        import json

        try:
            return (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode()
        except RecursionError:
            raise InputError("nested too deeply to write as JSON") from None
    return escape_controls(line)


def escape_controls(text: bytes) -> bytes:
    """DEL and C1 controls in JSON text as `\\u00XX` escapes: the same JSON value, harmless to a terminal."""
    if b"\x7f" in text or b"\xc2" in text:
        text = _RAW_CONTROLS.sub(_escape_control, text)
    return text
