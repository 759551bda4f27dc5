"""Recorded text is untrusted: make control characters, and characters that reorder or hide
text, visible before they reach a terminal or pager."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and lone surrogates (not encodable).
# Then what spoofs what a reader sees without being a control to the terminal (Trojan Source):
# bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) and marks (U+061C,
# U+200E-200F), zero-width characters (U+200B-200D, U+2060-2064, U+FEFF), and the line and
# paragraph separators U+2028/2029 (a line break to some viewers, none to others). And what hides
# text: every format character (Unicode category Cf: the soft hyphen, Arabic and Syriac marks, the
# Mongolian vowel separator, deprecated format controls U+206A-206F, interlinear annotation
# U+FFF9-FFFB, Egyptian and shorthand format controls, musical symbols' beams), the whole tag
# block U+E0000-E007F (invisible ASCII: hidden instructions in a prompt), variation selectors
# (U+FE00-FE0F, U+E0100-E01EF, Mongolian U+180B-180F), the combining grapheme joiner U+034F,
# Khmer's invisible vowels U+17B4-17B5, and the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0).
_SPOOFING = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_SPOOFING}]")
_UNSAFE_INLINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_SPOOFING}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    """Escape controls but keep newlines and tabs (for multi-line text)."""
    return _UNSAFE.sub(_escape, text)


def inline(text: str) -> str:
    """Escape controls including newlines and tabs (for one-line fields: names, URLs, ids)."""
    return _UNSAFE_INLINE.sub(_escape, text)


_OWN_CALL_NUMBER = re.compile(r"#(\d+)$")


def path_label(source: str, interaction: int | None = None) -> str:
    """A file's path for a one-line listing (`ls`), told apart from every other path: a literal
    backslash is doubled (so a name with a newline, shown `\\n`, differs from one with a backslash
    and an n), and a name that itself ends in `#N` has that `#` escaped (`x.yaml\\#1` is a file
    so named, `x.yaml#1` call 1 of x.yaml). `interaction`: the call's `#N` in a multi-call file."""
    shown = _OWN_CALL_NUMBER.sub(r"\\#\1", inline(source.replace("\\", "\\\\")))
    return shown if interaction is None else f"{shown}#{interaction}"
