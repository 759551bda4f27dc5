"""Finish reasons in six categories, whatever the provider's spelling.

Providers say the same thing many ways: a cut at the token limit is OpenAI's `length`,
Anthropic's and Cohere's `max_tokens` / `MAX_TOKENS`, Gemini's `MAX_TOKENS`. `ls` and
`stats` show the category and `--finish` matches it (or the provider's own value, kept in
`finish_reason`), so a filter cannot silently miss a provider. Pure: no I/O.
"""

from __future__ import annotations

from typing import overload

CATEGORIES = ("stop", "length", "tool_calls", "content_filter", "error", "other")

_SPELLINGS = {
    "stop": (
        "stop", "end_turn", "stop_sequence", "completed", "complete", "eos", "eos_token", "end", "finished",
        "finish_reason_stop", "stop_token",
    ),
    "length": (
        "length", "max_tokens", "max_output_tokens", "max_completion_tokens", "model_length",
        "model_context_window_exceeded", "token_limit", "max_tokens_reached", "context_length_exceeded",
    ),
    "tool_calls": ("tool_calls", "tool_use", "tool_call", "function_call", "requires_action", "tool_calls_required"),
    "content_filter": (
        "content_filter", "content_filtered", "safety", "recitation", "blocklist", "prohibited_content", "spii",
        "image_safety", "refusal", "guardrail_intervened", "intervened", "error_toxic", "language",
    ),
    "error": ("error", "failed", "malformed_function_call", "unexpected_tool_call", "error_limit", "cancelled", "canceled"),
}
_CATEGORY_OF = {spelling: category for category, spellings in _SPELLINGS.items() for spelling in spellings}


@overload
def category(reason: str) -> str: ...
@overload
def category(reason: None) -> None: ...
@overload
def category(reason: str | None) -> str | None: ...


def category(reason: str | None) -> str | None:
    """The category of a provider's finish reason (case does not matter); None when none was recorded."""
    if reason is None:
        return None
    return _CATEGORY_OF.get(reason.lower(), "other")


def matches(reason: str | None, wanted: str) -> bool:
    """`--finish wanted`: the provider's own value, or its category."""
    return reason is not None and (reason == wanted or category(reason) == wanted)
