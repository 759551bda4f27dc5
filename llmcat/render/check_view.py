"""`check`'s findings for people: one line each in a pipe, grouped on a terminal; the level
coloured on a terminal."""

from __future__ import annotations

from collections.abc import Iterable

from llmcat.render.escape import inline

_LEVEL_COLOURS = {"error": "1;31", "warning": "33", "info": "36"}  # bold red, yellow, cyan (SGR)
_ORDER = {"error": 0, "warning": 1, "info": 2}  # the groups of errors first

# (group, source, label, level, code, message): the group is the test file the recording
# (`source`, the file; `label`, with `#N` for one call of several) belongs to.
Row = tuple[str, str, str, str, str, str]


def finding_line(label: str, level: str, code: str, message: str, color: bool) -> bytes:
    """`path: level: code: message`, every recorded part escaped; with `color`, the level in its colour."""
    return f"{inline(label)}: {_level(level, color)}: {code}: {inline(message)}\n".encode("utf-8", "backslashreplace")


def redaction_line(label: str, place: str, kind: str, masked: str, replacement: str, color: bool) -> bytes:
    """`path#N: place: kind masked -> REDACTED-kind`, for `redact` (the value masked, never whole)."""
    arrow = "\x1b[1m→\x1b[0m" if color else "→"
    return f"{inline(label)}: {inline(place)}: {kind} {inline(masked)} {arrow} {replacement}\n".encode("utf-8", "backslashreplace")


def grouped_view(rows: Iterable[Row], color: bool, verbose: bool) -> bytes:
    """Findings by code (in the order given), then by test file, with counts; one line per test file
    unless `verbose`, which lists each finding under its group:

        error: secret: 18 in 2 test files
          tests/test_chat.py: 16 in 9 recordings, e.g. tests/cassettes/test_chat/test_a.yaml#0: request.headers…
          tests/cassettes/test_b.yaml#1: request.url?key: google-api-key recorded: AIza…5s (39 chars)
    """
    by_code: dict[tuple[str, str], dict[str, list[tuple[str, str, str]]]] = {}
    for group, source, label, level, code, message in rows:
        by_code.setdefault((level, code), {}).setdefault(group, []).append((source, label, message))
    out = []
    for (level, code), groups in sorted(by_code.items(), key=lambda item: _ORDER.get(item[0][0], len(_ORDER))):
        n = sum(len(found) for found in groups.values())
        where = f"{len(groups)} test file{'s' if len(groups) != 1 else ''}"
        out.append(f"{_level(level, color)}: {code}: {n} in {where}\n")
        for group, found in groups.items():
            out.append(_group_line(group, found))
            if verbose and len(found) > 1:
                out.extend(f"    {inline(label)}: {inline(message)}\n" for _, label, message in found)
    return "".join(out).encode("utf-8", "backslashreplace")


def _group_line(group: str, found: list[tuple[str, str, str]]) -> str:
    _, label, message = found[0]
    if len(found) == 1:
        return f"  {inline(label)}: {inline(message)}\n"
    files = len({source for source, _, _ in found})
    recordings = f"{files} recording{'s' if files != 1 else ''}"
    if len({m for _, _, m in found}) == 1:  # the same finding for each (an orphaned test's recordings): said once
        return f"  {inline(group)}: {len(found)} in {recordings}: {inline(message)}\n"
    return f"  {inline(group)}: {len(found)} in {recordings}, e.g. {inline(label)}: {inline(message)}\n"


def _level(level: str, color: bool) -> str:
    return f"\x1b[{_LEVEL_COLOURS[level]}m{level}\x1b[0m" if color and level in _LEVEL_COLOURS else level
