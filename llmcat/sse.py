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
        if line[:6] == "data: " and line[-1:] != "\r":  # the usual line: no parsing needed
            data.append(line[6:])
            continue
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
    names: list[str | None] = []
    datas: list[str] = []
    done = False
    for name, data in pairs:
        if data.strip() == DONE:
            done = True
            continue
        names.append(name)
        datas.append(data)
    return _loads_each(datas), names, done


def _loads_each(datas: list[str]) -> list:
    """Each data as its JSON value, or as text where it is not JSON.

    One parse of `[d1,d2,...]` does it for a whole stream when every data is one JSON
    value (the usual case, and far cheaper than a parse per event). If any is not, the
    joined text is invalid or holds a different number of values, and each is parsed alone."""
    if datas:
        try:
            values = orjson.loads("[" + ",".join(datas) + "]")
        except orjson.JSONDecodeError:
            values = None
        if values is not None and len(values) == len(datas):
            return values
    return [_loads_or_text(data) for data in datas]


def _loads_or_text(data: str):
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return data


def looks_like_sse(text: str) -> bool:
    """True when the text starts like an event stream (first non-blank, non-comment line is a field)."""
    for line in text.lstrip("\ufeff").split("\n", 20)[:20]:
        line = line.strip()
        if not line or line.startswith(":"):
            continue
        return line.startswith(("data:", "event:", "id:", "retry:"))
    return False
