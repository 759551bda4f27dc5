"""Recorded text is untrusted: make control characters visible before they reach a terminal or pager."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and lone surrogates (not encodable).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_INLINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Escape controls but keep newlines and tabs (for multi-line text)."""
    return _UNSAFE.sub(_escape, text)


def inline(text: str) -> str:
    """Escape controls including newlines and tabs (for one-line fields: names, URLs, ids)."""
    return _UNSAFE_INLINE.sub(_escape, text)
