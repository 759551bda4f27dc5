"""The few facts `ls` and `stats` need of a call: API, chunks, finish reason, usage, error, tool calls.

`of_completion` takes them from a full reassembly. `quick` gets the same facts from a
llama-stack OpenAI stream (most of a real suite, and the bulk of its chunks) without
building the answer text or the `Recording`'s event list: one pass over the raw chunks.
It answers only when the stream is plain (every chunk of the one pydantic type, no
error, no recorded failure, nothing that would make the reassembler look twice) and
returns None otherwise, so the caller falls back to the full reassembly. A test checks
that both ways agree on every fixture and on the shared corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from llmcat.apis._common import as_dict, as_int
from llmcat.apis.openai import usage_of
from llmcat.model import Completion, Usage

_CHAT_CHUNK = "openai.types.chat.chat_completion_chunk.ChatCompletionChunk"
_COMPLETION = "openai.types.completion.Completion"


@dataclass(slots=True)
class Summary:
    api: str
    chunks: int
    finish_reason: str | None  # of choice 0 (the lowest index)
    usage: Usage | None
    error: dict | None
    tools: bool  # some choice returned tool calls
    finished: bool = True


def of_completion(completion: Completion) -> Summary:
    first = completion.choices[0] if completion.choices else None
    return Summary(
        api=completion.api,
        chunks=completion.chunks,
        finish_reason=first.finish_reason if first else None,
        usage=completion.usage,
        error=completion.error,
        tools=any(choice.tool_calls for choice in completion.choices),
        finished=completion.finished,
    )


def quick(raw: dict) -> Summary | None:
    """The summary of a plain llama-stack OpenAI stream, or None to ask for the full reassembly."""
    request, response = raw.get("request"), raw.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return None
    if "tool_name" in request or "file_id" in request or response.get("is_exception"):
        return None
    status = response.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and status >= 400:
        return None
    body = response.get("body")
    if type(body) is not list or not body or type(body[0]) is not dict:
        return None
    kind = body[0].get("__type__")
    if kind == _CHAT_CHUNK:
        chat = True
    elif kind == _COMPLETION:
        chat = False
    else:
        return None
    reasons: dict[int, str | None] = {}
    usage = None
    tools = False
    for item in body:
        # The hot loop of `ls`: plain dict lookups only, and a bail-out on anything unusual.
        # (Only the first chunk's type decides the API; the reassembler reads every chunk's data.)
        data = item.get("__data__") if type(item) is dict else None
        if type(data) is not dict or "__type__" not in item or data.get("error") is not None:
            return None
        choices = data.get("choices")
        if choices:
            if type(choices) is not list:
                return None
            for position, choice in enumerate(choices):
                if type(choice) is not dict:
                    continue
                if chat:
                    if "text" in choice and isinstance(choice["text"], str):
                        return None  # the reassembler would call this a completions stream
                    if not tools:
                        delta = choice.get("delta")
                        if type(delta) is not dict:
                            delta = choice.get("message")
                        if type(delta) is dict and (delta.get("tool_calls") or delta.get("function_call")):
                            tools = _has_tool_call(delta)
                elif "delta" in choice or "message" in choice:
                    return None  # ... or a chat stream
                index = choice.get("index", position)
                if type(index) is not int:
                    index = as_int(index) or 0
                reason = choice.get("finish_reason")
                if reason and isinstance(reason, str):
                    reasons[index] = reason
                elif index not in reasons:
                    reasons[index] = None
        found = data.get("usage")
        if found or "x_groq" in data:  # as openai._chunk_extras: the standard field, else Groq's extension
            found = usage_of(found) or usage_of(as_dict(data.get("x_groq")).get("usage"))
            if found is not None:
                usage = found
    finished = any(reasons.values())
    first = reasons[min(reasons)] if reasons else None
    api = "openai.chat" if chat else "openai.completions"
    return Summary(api, len(body), first, usage, None, tools, finished if response.get("is_streaming") is True else True)


def _has_tool_call(delta: dict) -> bool:
    calls = delta.get("tool_calls")
    if isinstance(calls, list) and any(isinstance(call, dict) for call in calls):
        return True
    legacy = delta.get("function_call")
    return isinstance(legacy, dict) and bool(legacy)
