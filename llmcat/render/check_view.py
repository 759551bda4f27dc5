"""`check`'s findings for people: one line each, the level coloured on a terminal."""

from __future__ import annotations

from llmcat.render.escape import inline

_LEVEL_COLOURS = {"error": "1;31", "warning": "33", "info": "36"}  # bold red, yellow, cyan (SGR)


def finding_line(label: str, level: str, code: str, message: str, color: bool) -> bytes:
    """`path: level: code: message`, every recorded part escaped; with `color`, the level in its colour."""
    shown = f"\x1b[{_LEVEL_COLOURS[level]}m{level}\x1b[0m" if color and level in _LEVEL_COLOURS else level
    return f"{inline(label)}: {shown}: {code}: {inline(message)}\n".encode("utf-8", "backslashreplace")
