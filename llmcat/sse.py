"""Server-sent events, parsed as the WHATWG spec says (enough of it for recordings)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson

DONE = "[DONE]"


def parse_lines(lines: Iterable[str]) -> list[tuple[str | None, str]]:
    """Split SSE lines into (event name, data) pairs; `data:` lines of one event join with newlines."""
    events: list[tuple[str | None, str]] = []
    name: str | None = None
    data: list[str] = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = None, []
            continue
        if line.startswith(":"):
            continue  # comment / keep-alive
        key, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if key == "data":
            data.append(value)
        elif key == "event":
            name = value
    if data:
        events.append((name, "\n".join(data)))
    return events


def parse_text(text: str) -> list[tuple[str | None, str]]:
    return parse_lines(text.replace("\r\n", "\n").split("\n"))


def decode_events(pairs: list[tuple[str | None, str]]) -> tuple[list, list[str | None], bool]:
    """Decode each event's data as JSON where it is JSON; drop and report a `[DONE]` marker."""
    events: list = []
    names: list[str | None] = []
    done = False
    for name, data in pairs:
        if data.strip() == DONE:
            done = True
            continue
        try:
            events.append(orjson.loads(data))
        except orjson.JSONDecodeError:
            events.append(data)
        names.append(name)
    return events, names, done


def looks_like_sse(text: str) -> bool:
    """True when the text starts like an event stream (first non-blank, non-comment line is a field)."""
    for line in text.lstrip("\ufeff").split("\n", 20)[:20]:
        line = line.strip()
        if not line or line.startswith(":"):
            continue
        return line.startswith(("data:", "event:", "id:", "retry:"))
    return False
