"""A llama-stack file's bytes as written, looked at for the words a credential is recorded with.

check reads llama-stack streams with the fast reader (`model.Need.CHECK`), which keeps no response
as stored; it keeps the file's bytes instead (`Recording.raw`). Where those bytes hold none of the
words `keyshapes.glance` looks for, no credential can be recorded in the call, and the file is not
read again in full (nearly every file). The bytes are JSON as llama-stack's recorder writes it:
the same strings the call's own dump (`secrets._call_text`) holds, but for JSON's escapes, which
are undone here where they could hide a word, or make the look decline.
"""

from __future__ import annotations

import re
from typing import Any

from llmcat.model import Recording
from llmcat.validation import keyshapes


def glance_as_written(rec: Recording) -> frozenset[bytes] | None:
    """`glance` at the file's bytes as read, where they hold the call's text as `_call_text` would write
    it: a call that is the whole file (`Recording.raw`), its `\\uXXXX` escapes of characters past ASCII
    written as the characters (JSON's other escapes are orjson's own; layout is white space outside
    strings, where no looked-for word can begin or end). None where the bytes escape `/`, an ASCII
    character or a lone surrogate: then the call is dumped and looked at. Saves dumping every file."""
    raw = rec.raw
    if raw is None or rec.format != "llama-stack":
        return None
    if _LAST_GLANCE[0] is not raw:  # (check asks twice of each file: whether to read it in full, then what it holds)
        text = _unescaped(raw) if _ESCAPE.search(raw) else raw
        _LAST_GLANCE[:] = [raw, None if text is None else keyshapes.glance(text)]
    return _LAST_GLANCE[1]


_LAST_GLANCE: list[Any] = [None, None]
_ESCAPE = re.compile(rb"\\[u/]")  # (one regex pass: `in` twice took 2.5x as long)
# What `_unescaped` does not undo: `\/`, an escaped ASCII character, `\\` before a `u` (is the next `\u` escaped?)
_HIDING_A_WORD = re.compile(rb"\\/|\\u00[0-7][0-9a-fA-F]|\\\\u")
_UNICODE_ESCAPE = re.compile(rb"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def _unescaped(raw: bytes) -> bytes | None:
    """The bytes with each `\\uXXXX` escape (and surrogate pair) of a character past ASCII as that
    character in UTF-8, as orjson writes it; None where they hold an escape this does not undo."""
    if _HIDING_A_WORD.search(raw):
        return None
    lone = False

    def character(match: re.Match[bytes]) -> bytes:
        nonlocal lone
        high, low, single = match.groups()
        code = int(single, 16) if single else 0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00
        if 0xD800 <= code < 0xE000:
            lone = True
        return chr(code).encode("utf-8", "surrogatepass")

    text = _UNICODE_ESCAPE.sub(character, raw)
    return None if lone else text
