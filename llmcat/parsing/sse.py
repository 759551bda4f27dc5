"""Server-sent events, parsed as the WHATWG spec says (enough of it for recordings)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import repeat
from typing import Any

import orjson

from llmcat.parsing.memory import reserve

DONE = "[DONE]"

# The usual event: an optional `event:` line with a name, one `data:` line, a blank line.
_PLAIN_EVENT = re.compile(r"(?:event: ?([^\s][^\n]*)\n)?data: ?([^\n]*)\n\n")


def parse_lines(lines: Iterable[str]) -> list[tuple[str | None, str]]:
    """Split SSE lines into (event name, data) pairs; `data:` lines of one event join with newlines."""
    events = _named_events(lines) if isinstance(lines, list) else None
    return events if events is not None else _parse_each(lines)


def _named_events(lines: list) -> list[tuple[str | None, str]] | None:
    """The events of `event: NAME`, `data: DATA`, blank, repeated (how llama-stack records
    Anthropic's and Google's streams), else None: list operations in C, no step per line."""
    if not lines or len(lines) % 3 or any(lines[2::3]):
        return None
    names, datas = lines[0::3], lines[1::3]
    try:
        if not (all(map(str.startswith, names, repeat("event: "))) and all(map(str.startswith, datas, repeat("data: ")))):
            return None
        joined = "".join(lines)
    except TypeError:  # not all strings
        return None
    if "\n" in joined or "\r" in joined:  # a line break inside a recorded line: the line-by-line parser
        return None
    return list(zip(map(str.removeprefix, names, repeat("event: ")), map(str.removeprefix, datas, repeat("data: ")), strict=True))


def parse_text(text: str) -> list[tuple[str | None, str]]:
    text = text.replace("\r\n", "\n")
    return _plain_events(text) or _parse_each(text.split("\n"))


def _plain_events(text: str) -> list[tuple[str | None, str]] | None:
    """The events of `text` (lines joined by newlines) when every one is a plain event, else None.

    A stream is thousands of lines: one anchored regular-expression match per event costs
    a fraction of a Python step per line. Anything else (comments, ids, several data lines,
    carriage returns, stray blank lines) is left to the line-by-line parser."""
    if "\r" in text:
        return None
    if not text.endswith("\n\n"):
        text += "\n" if text.endswith("\n") else "\n\n"  # the end of the stream ends its last event
    events = []
    match_at = _PLAIN_EVENT.match
    end = 0
    while end < len(text):
        # Anchored at each event's start (a search could rescan a hostile line once per `data:` in it).
        match = match_at(text, end)
        if match is None:
            return None
        name, data = match.groups()
        events.append((name, data))
        end = match.end()
    return events


def _parse_each(lines: Iterable[str]) -> list[tuple[str | None, str]]:
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


def decode_events(pairs: list[tuple[str | None, str]]) -> tuple[list, list[str | None], bool]:
    """Decode each event's data as JSON where it is JSON; drop and report a `[DONE]` marker."""
    if not pairs:
        return [], [], False
    names, datas = map(list, zip(*pairs, strict=True))
    done = DONE in "".join(datas) and any(data.strip() == DONE for data in datas)
    if done:
        names = [name for name, data in pairs if data.strip() != DONE]
        datas = [data for data in datas if data.strip() != DONE]
    return _loads_each(datas), names, done


def _loads_each(datas: list[str]) -> list:
    """Each data as its JSON value, or as text where it is not JSON.

    One parse of `[d1,d2,...]` does it for a whole stream when every data is one JSON
    value (the usual case, and far cheaper than a parse per event). If any is not, the
    joined text is invalid or holds a different number of values, and each is parsed alone."""
    if datas:
        joined = "[" + ",".join(datas) + "]"
        reserve(len(joined))
        try:
            values = orjson.loads(joined)
        except orjson.JSONDecodeError:
            values = None
        if values is not None and len(values) == len(datas):
            return values
    return [_loads_or_text(data) for data in datas]


def _loads_or_text(data: str) -> Any:
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
