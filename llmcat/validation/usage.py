"""Does a call's token total add up, by its provider's own rule? (`check`'s `usage-mismatch`)

Providers do not agree on what their total counts, so a total is checked against the rule of
the provider that wrote it, never against OpenAI's alone:

- OpenAI and the APIs shaped like it: prompt + completion (reasoning is part of the
  completion). xAI's OpenAI-shaped API reports reasoning apart and counts it in the total:
  where `completion_tokens_details.reasoning_tokens` is given, prompt + completion + reasoning
  is accepted too.
- xAI over gRPC (`xai.chat`): prompt + completion + reasoning (1889 + 52 + 161 = 2102).
- Gemini and Google Interactions: prompt + candidates + thoughts + tool-use prompt tokens.
- Gemini Live (`gemini.live`): prompt + response; its thoughts are reported apart and left out
  of the total (accepted with them as well, as the generateContent rule has it).
- Bedrock: input + output + cache reads + cache writes.
- Mistral with audio (`prompt_audio_seconds`): the total counts the audio's tokens, which no
  other field gives; it is only checked to be at least prompt + completion.

Pure functions, no I/O.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from llmcat.model import Usage

# Counts a provider's own total takes in but its prompt and completion counts leave out: Gemini's
# thinking and tool-use prompt tokens, Google Interactions' thought and tool-use tokens, Bedrock's
# cache reads and writes.
_ALSO_IN_TOTAL = ("thoughtsTokenCount", "thoughts_token_count", "toolUsePromptTokenCount", "tool_use_prompt_token_count",
                  "total_thought_tokens", "total_tool_use_tokens", "cacheReadInputTokens", "cacheWriteInputTokens")
_THOUGHTS = ("thoughtsTokenCount", "thoughts_token_count")


def usage_mismatch(api: str, usage: Usage | None) -> str | None:
    """Why the total does not add up by the provider's rule, or None when it does (or cannot be told)."""
    if usage is None or None in (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens):
        return None
    prompt, completion, total = usage.prompt_tokens, usage.completion_tokens, usage.total_tokens
    assert prompt is not None and completion is not None and total is not None
    raw = usage.reported if isinstance(usage.reported, dict) else {}
    counted = prompt + completion
    if _is_count(raw.get("prompt_audio_seconds")) and raw["prompt_audio_seconds"] > 0:
        return None if total >= counted else f"total_tokens {total} is less than prompt {prompt} + completion {completion}"
    if total in accepted_totals(api, counted, raw, usage.reasoning_tokens):
        return None
    return f"total_tokens {total} is not prompt {prompt} + completion {completion}{_rule_named(api, raw)}"


def accepted_totals(api: str, counted: int, raw: dict[str, Any], reasoning: int | None) -> set[int]:
    """The totals the provider's rule allows, for prompt + completion = `counted`."""
    extras = sum(_count(raw.get(k)) for k in _ALSO_IN_TOTAL)
    if api.startswith("xai"):
        apart = reasoning if reasoning is not None and _is_count(reasoning) else _count(raw.get("reasoning_tokens"))
        return {counted + apart}
    if api == "gemini.live":
        thoughts = sum(_count(raw.get(k)) for k in _THOUGHTS)
        return {counted, counted + thoughts, counted + extras}
    out = {counted + extras}
    details = raw.get("completion_tokens_details")
    apart = _count(details.get("reasoning_tokens")) if isinstance(details, dict) else 0
    if apart:  # xAI's OpenAI-shaped API counts reasoning apart from the completion
        out.add(counted + extras + apart)
    return out


def _rule_named(api: str, raw: dict[str, Any]) -> str:
    if api.startswith("xai"):
        return " + reasoning"
    if any(_is_count(raw.get(k)) for k in _ALSO_IN_TOTAL):
        return " (+ the provider's thoughts, tool-use and cache counts)"
    return ""


def _count(value: Any) -> int:
    return value if _is_count(value) else 0


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
