"""The few facts `ls` and `stats` keep of a call: API, chunks, finish reason, usage, error, tool calls."""

from __future__ import annotations

from dataclasses import dataclass

from llmcat.model import Completion, Usage


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
