"""Helpers shared by the API reassemblers: choice accumulation, usage, errors."""

from __future__ import annotations

from typing import Any

import orjson

from llmcat.model import Choice, Completion, Recording, Response, ToolCall, Usage

# Counts and indexes are exact integers up to 2**53; past that JSON readers part ways (orjson
# rounds an integer past 64 bits to a float, msgspec and YAML keep it exact, and Python refuses
# to print one of more than 4,300 digits), so a bigger number is not read as a count at all:
# ls, show and stats agree, and totals stay printable. (The provider's raw object keeps it.)
MAX_EXACT = 2**53


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -MAX_EXACT <= value <= MAX_EXACT else None
    if isinstance(value, float) and value.is_integer() and -MAX_EXACT <= value <= MAX_EXACT:
        return int(value)
    return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def json_text(value: Any) -> str:
    """Tool arguments as one JSON text: strings as sent, anything else serialised."""
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


# Where each provider's usage object reports reasoning and cached prompt tokens: (nested object, key).
_REASONING_AT = (("completion_tokens_details", "reasoning_tokens"), ("output_tokens_details", "reasoning_tokens"),
                 (None, "thoughtsTokenCount"), (None, "thoughts_token_count"), (None, "total_thought_tokens"),
                 (None, "reasoning_tokens"))
_CACHED_AT = (("prompt_tokens_details", "cached_tokens"), ("input_tokens_details", "cached_tokens"),
              (None, "cache_read_input_tokens"), (None, "cachedContentTokenCount"), (None, "cached_content_token_count"),
              (None, "cacheReadInputTokens"), (None, "prompt_cache_hit_tokens"), (None, "total_cached_tokens"))


# The top-level keys under which those counts may be: most usage objects have none of them,
# which one C-level set test tells (ls reads thousands of usage objects).
_REASONING_KEYS = frozenset(outer or key for outer, key in _REASONING_AT)
_CACHED_KEYS = frozenset(outer or key for outer, key in _CACHED_AT)


def reported_count(raw: Any, where: tuple, keys: frozenset = frozenset()) -> int | None:
    """The first count found at one of these places of a provider's usage object."""
    if not isinstance(raw, dict) or (keys and raw.keys().isdisjoint(keys)):
        return None
    for outer, key in where:
        holder = raw.get(outer) if outer else raw
        value = as_int(holder.get(key)) if isinstance(holder, dict) else None
        if value is not None:
            return value
    return None


def make_usage(prompt: Any, completion: Any, total: Any, raw: Any) -> Usage | None:
    prompt, completion, total = as_int(prompt), as_int(completion), as_int(total)
    if prompt is None and completion is None and total is None:
        return None
    if total is None and prompt is not None and completion is not None:
        total = prompt + completion
    return Usage(prompt, completion, total, raw, reported_count(raw, _REASONING_AT, _REASONING_KEYS),
                 reported_count(raw, _CACHED_AT, _CACHED_KEYS))


def usage_from(raw: Any, prompt_key: str, completion_key: str, total_key: str | None = None) -> Usage | None:
    """Usage from a provider's object whose three counts have these names (the object kept as raw)."""
    usage = as_dict(raw)
    if not usage:
        return None
    return make_usage(usage.get(prompt_key), usage.get(completion_key), usage.get(total_key) if total_key else None, raw)


class ToolCallBuilder:
    __slots__ = ("id", "name", "parts", "kind")

    def __init__(self, id: str | None = None, name: str | None = None, kind: str | None = None):
        self.id, self.name, self.kind = id, name, kind
        self.parts: list[str] = []

    def build(self) -> ToolCall:
        return ToolCall(self.id, self.name, "".join(self.parts), self.kind)


class ChoiceBuilder:
    """Accumulates one choice's fragments; joins them once at the end."""

    __slots__ = ("index", "text", "reasoning", "refusal", "tools", "finish_reason")

    def __init__(self, index: int):
        self.index = index
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.tools: list[ToolCallBuilder] = []
        self.finish_reason: str | None = None

    def build(self) -> Choice:
        return Choice(
            index=self.index,
            text="".join(self.text),
            reasoning="".join(self.reasoning) if self.reasoning else None,
            refusal="".join(self.refusal) if self.refusal else None,
            tool_calls=[tool.build() for tool in self.tools],
            finish_reason=self.finish_reason,
        )


class Choices:
    """Choice builders keyed by index, built in index order."""

    def __init__(self) -> None:
        self.by_index: dict[int, ChoiceBuilder] = {}

    def get(self, index: Any) -> ChoiceBuilder:
        key = as_int(index) or 0
        builder = self.by_index.get(key)
        if builder is None:
            builder = self.by_index[key] = ChoiceBuilder(key)
        return builder

    def build(self) -> list[Choice]:
        return [self.by_index[key].build() for key in sorted(self.by_index)]


def error_message(body: Any) -> tuple[str | None, str | None]:
    """(type, message) from the many shapes of a provider's error body."""
    if isinstance(body, str):
        return None, body or None
    if not isinstance(body, dict):
        return None, None
    inner = body.get("error")
    if isinstance(inner, dict):
        kind = as_str(inner.get("type")) or as_str(inner.get("status")) or _code(inner.get("code"))
        return kind, as_str(inner.get("message")) or _compact(inner)
    if isinstance(inner, str):
        return as_str(body.get("type")), inner
    message = as_str(body.get("message")) or as_str(body.get("detail")) or as_str(body.get("Message"))
    kind = as_str(body.get("type")) or as_str(body.get("__type")) or _code(body.get("code"))
    if kind == "error":
        kind = None
    return kind, message or (_compact(body) if body else None)


def _code(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    return None


def _compact(value: Any) -> str:
    return json_text(value)


def recorded_error(rec: Recording) -> dict | None:
    """The failure recorded for the call: a client exception, or an HTTP status >= 400."""
    resp = rec.response
    if resp.exception is not None:
        exc = resp.exception
        status = as_int(exc.get("status_code"))
        kind = as_str(exc.get("type"))
        message = as_str(exc.get("message"))
        if message is None:
            message = error_message(exc.get("body"))[1]
        return {"type": kind, "status_code": status, "message": message}
    if resp.status is not None and resp.status >= 400:
        body = resp.events[0] if len(resp.events) == 1 else (resp.events or None)
        kind, message = error_message(body)
        return {"type": kind, "status_code": resp.status, "message": message}
    return None


def event_error(resp: Response) -> dict | None:
    """An error the provider sent in the body of a successful response, whatever the API: an SSE
    `event: error`, or an event (a stream's chunk, a whole body) with an `error` object or text.
    Every API reads its own error events; this catches those sent in another API's envelope (a
    proxy's, a host's), so that no failed call reads as a quiet empty answer."""
    types = resp.event_types
    if "error" in types:
        event = resp.events[types.index("error")]
        return stream_error(event if isinstance(event, dict) else {"message": event})
    for event in resp.events:
        if isinstance(event, dict) and "error" in event:
            inner = event["error"]
            if isinstance(inner, dict) and inner or isinstance(inner, str) and inner:
                return stream_error(event)
    return None


def stream_error(event: dict, status: int | None = None) -> dict:
    kind, message = error_message(event)
    return {"type": kind, "status_code": status, "message": message}


def seal(completion: Completion, rec: Recording) -> Completion:
    """Fill what every API shares: chunk count and the recorded error."""
    recorded = rec.response.recorded_events
    completion.chunks = len(rec.response.events) if recorded is None else recorded
    if completion.timing is None and rec.response.timing:
        completion.timing = rec.response.timing  # the container's own timings (HAR)
    error = recorded_error(rec)
    if error is None and completion.error is None:
        error = event_error(rec.response)
    if error is not None and completion.error is None:
        completion.error = error
    status = rec.response.status
    if completion.error is not None and completion.error.get("status_code") is None and status and status >= 400:
        completion.error["status_code"] = status
    if completion.error is not None and not any(map(_has_content, completion.choices)):
        completion.choices = []  # a failed call answered nothing; no empty choice to pretend otherwise
    if not rec.response.streaming or completion.error is not None:
        completion.finished = True
    if rec.request.model is None:
        completion.answered_by = answered_model(rec.response.events)
    return completion


def answered_model(events: list) -> str | None:
    """The model an answer names (OpenAI and Ollama `model`, Anthropic's message, the Responses
    API's response, Gemini's `modelVersion`), from its first events."""
    for event in events[:3]:
        if not isinstance(event, dict):
            continue
        for holder in (event, event.get("message"), event.get("response")):
            if isinstance(holder, dict):
                for key in ("model", "modelVersion"):
                    if isinstance(holder.get(key), str) and holder[key]:
                        return holder[key]
    return None


def _has_content(choice: Choice) -> bool:
    return bool(choice.text or choice.reasoning or choice.refusal or choice.tool_calls or choice.finish_reason)
