"""`show --json` on a terminal: each call's object indented and coloured, as jq and gh draw JSON.

Only the layout changes: the text is the same JSON (recorded strings stay JSON-escaped, so
no recorded control character reaches the terminal); a pipe keeps one line per call.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from llmcat.parsing.memory import reserve_to_write
from llmcat.render.machine import escape_controls

# A JSON token: a string (a key when a colon follows), a number, a literal.
_TOKEN = re.compile(rb'("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b')
_KEY, _STRING, _NUMBER, _LITERAL = b"\x1b[1;34m", b"\x1b[32m", b"\x1b[36m", b"\x1b[33m"
_RESET = b"\x1b[0m"


def pretty_json(obj: Any, color: bool) -> bytes:
    """`obj` indented by two spaces, keys blue, strings green, numbers cyan, literals yellow (with `color`)."""
    reserve_to_write(obj)
    try:
        text = orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # lone surrogates, or nesting deeper than orjson writes
        import json

        text = (json.dumps(obj, ensure_ascii=True, default=str, indent=2) + "\n").encode()
    text = escape_controls(text)
    return _TOKEN.sub(_colour, text) if color else text


def _colour(match: re.Match[bytes]) -> bytes:
    string, colon, number, literal = match.groups()
    if string is not None:
        return (_KEY + string + _RESET + colon) if colon else (_STRING + string + _RESET)
    if number is not None:
        return _NUMBER + number + _RESET
    return _LITERAL + literal + _RESET
