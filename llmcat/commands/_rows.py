"""`ls` and `stats` rows: one per recorded call, the facts they show, filters and sort order.

`RowsWork` makes a file's rows where it is read (a forked reader, for a suite): rows are
small tuples, cheap to send back; the calls they come from are not sent.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import orjson
from msgspec import Struct

# Imported here, not inside the per-call functions: a suite is thousands of calls to them.
from llmcat.apis import request_view
from llmcat.finish import matches as finish_matches
from llmcat.model import Completion, Need, Recording, Row
from llmcat.reading.pipeline import Call, Work
from llmcat.reading.shape import usage_dict
from llmcat.reading.walk import Source
from llmcat.render.machine import dumps_line

SORT_KEYS = ("path", "model", "tokens", "chunks")


class Filters(Struct):
    api: str | None = None
    model: str | None = None  # glob
    test: str | None = None  # glob
    finish: str | None = None  # the provider's value or its category (llmcat.finish)
    errors: bool = False
    tools: bool = False
    grep: re.Pattern | None = None

    def keep(self, row: Row) -> bool:
        if self.api and not (row.api == self.api or row.api.startswith(self.api + ".")):
            return False
        if self.model is not None and (row.model is None or not fnmatch.fnmatchcase(row.model, self.model)):
            return False
        if self.test is not None and (row.test_id is None or not fnmatch.fnmatchcase(row.test_id, self.test)):
            return False
        if self.finish is not None and not finish_matches(row.finish_reason, self.finish):
            return False
        if self.errors and not row.failed:
            return False
        return not (self.tools and not row.tools)

    def keep_text(self, rec: Recording, completion: Completion) -> bool:
        return self.grep is None or any(self.grep.search(text) for text in searchable_texts(rec, completion))


class RowsWork(Work[list[Row]]):
    """A file's calls as rows, those the filters keep; with `want_json`, each with its `--json` line."""

    in_blocks = True

    def __init__(self, filters: Filters | None = None, want_json: bool = False) -> None:
        self.filters = filters or Filters()
        self.want_json = want_json
        if want_json:  # its key shapes compiled once here, before a suite's readers fork, not in each of them
            import llmcat.validation.keyshapes  # noqa: F401
        # ls and stats read streams through the fast reader, without the answers' text unless --grep looks in it.
        self.need = Need.COUNTS if self.filters.grep is None else Need.COUNTS_AND_TEXT

    def digest(self, source: Source, calls: list[Call]) -> list[Row]:
        filters = self.filters
        rows = []
        for call in calls:
            rec, completion = call.recording, call.completion
            if filters.grep is not None and not filters.keep_text(rec, completion):
                continue
            row = row_of(rec, completion)
            if filters.keep(row):
                rows.append(row._replace(line=json_line(rec, row, completion)) if self.want_json else row)
        return rows

    def printed(self, call: Call) -> list[str]:
        """What a row prints of a call: the call is searched for credentials when these could hold one (or
        the call failed: its error is printed). (--json's parameters are masked by `json_line` itself.)"""
        request = call.recording.request
        texts = [request.url, request.model, request.test_id, host_of(call.recording) if request.url is None else None]
        return [t for t in texts if isinstance(t, str)]

    # A reader process sends rows back as plain tuples: they pickle ~3x faster than named ones.
    def pack(self, value: list[Row]) -> Any:
        return [tuple(row) for row in value]

    def unpack(self, packed: Any) -> list[Row]:
        return [Row._make(row) for row in packed]


# --- rows ------------------------------------------------------------------------------------------


def host_of(rec: Recording) -> str | None:
    url = rec.request.url
    if url:
        try:
            parts = urlsplit(url)
        except ValueError:
            return url
        return parts.netloc or parts.scheme or parts.path.lstrip("/").split("/")[0] or None
    raw_request = rec.stored.get("request") if isinstance(rec.stored, dict) else None
    provider = raw_request.get("provider") if isinstance(raw_request, dict) else None
    return provider if isinstance(provider, str) else None


def row_of(rec: Recording, completion: Completion) -> Row:
    """The facts `ls` and `stats` keep of a call (finish reason: of choice 0, the lowest index)."""
    usage = completion.usage
    choices = completion.choices
    request = rec.request
    return Row(
        rec.source,
        rec.interaction,
        rec.label,
        rec.format,
        completion.api,
        request.model or completion.answered_by,
        rec.response.streaming,
        completion.chunks,
        choices[0].finish_reason if choices else None,
        usage.prompt_tokens if usage else None,
        usage.completion_tokens if usage else None,
        usage.total_tokens if usage else None,
        completion.error is not None,
        request.test_id,
        host_of(rec),
        any(choice.tool_calls for choice in choices),
        None if completion.error is None else error_line(completion.error),
    )


def error_line(error: Any) -> str:
    """A recorded failure in one line: status, type, message (cut at 200 characters)."""
    if not isinstance(error, dict):
        return str(error)
    parts = [str(error[key]) for key in ("status_code", "type") if error.get(key) is not None]
    message = error.get("message")
    if isinstance(message, str) and message:
        parts.append(message if len(message) <= 200 else message[:199] + "…")
    return " ".join(parts) or "failed (no details recorded)"


def json_line(rec: Recording, row: Row, completion: Completion) -> bytes:
    """`show --json`'s keys without the long texts: no choices, timing, prompt or messages."""
    view = request_view(rec)
    del view["prompt"], view["messages"]
    if _may_hold_a_credential(view):  # never printed whole; the look costs ~10 us a call
        from llmcat.render.mask import mask_tree
        from llmcat.validation.secrets import secret_values

        view = mask_tree(view, secret_values(rec, completion))
    return dumps_line({
        "source": row.source,
        "interaction": row.interaction,
        "format": row.format,
        "api": row.api,
        "request": view,
        "streaming": row.streaming,
        "chunks": row.chunks,
        "finish_reason": row.finish_reason,
        "usage": usage_dict(completion.usage),
        "error": completion.error,
        "test_id": row.test_id,
    })


def _may_hold_a_credential(view: dict) -> bool:
    from llmcat.validation import keyshapes

    try:
        data = orjson.dumps([view["url"], view["params"]], option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return True
    return keyshapes.suspect(data)


def searchable_texts(rec: Recording, completion: Completion) -> Iterator[str]:
    """What `--grep` looks in: each choice's answer and reasoning, the prompt, the messages."""
    from llmcat.render.document import transcript
    from llmcat.render.jsontext import compact_json

    for choice in completion.choices:
        yield choice.text
        if choice.reasoning:
            yield choice.reasoning
    view = request_view(rec)
    if view["prompt"] is not None:
        yield view["prompt"] if isinstance(view["prompt"], str) else compact_json(view["prompt"])
    if isinstance(view["messages"], list):
        yield transcript(view["messages"])
    elif view["messages"] is not None:
        yield compact_json(view["messages"])


_SORT_KEYS = {  # path and model ascending; tokens and chunks largest first
    "path": lambda r: (r.source, r.interaction),
    "model": lambda r: (r.model is None, r.model or ""),
    "tokens": lambda r: -(r.total_tokens or 0),
    "chunks": lambda r: -r.chunks,
}


def sort_rows(rows: list[Row], key: str) -> list[Row]:
    """path and model ascending; tokens and chunks largest first. Ties keep input order."""
    return sorted(rows, key=_SORT_KEYS[key])


def selected(calls: Iterable[Call], filters: Filters, sort: str | None, limit: int | None) -> Iterator[Call]:
    """`show`'s calls as `ls` would list them: those the filters keep, in `sort` order, the first `limit`.
    Without a sort, calls are handed on as they are read (and reading stops at the limit)."""
    from itertools import islice

    kept: Iterator[tuple[Row, Call]] = ((row_of(c.recording, c.completion), c) for c in calls
                                        if filters.grep is None or filters.keep_text(c.recording, c.completion))
    kept = (pair for pair in kept if filters.keep(pair[0]))
    if sort:
        order = _SORT_KEYS[sort]
        kept = iter(sorted(kept, key=lambda pair: order(pair[0])))
    return (call for _, call in islice(kept, limit))
