"""Token counting: what a prompt would cost, asked before sending it.

Anthropic `/v1/messages/count_tokens` (`input_tokens`), Gemini `:countTokens`
(`totalTokens`, `cachedContentTokenCount`), OpenAI `/v1/responses/input_tokens`
(`input_tokens`), Bedrock `/model/{id}/count-tokens` (`inputTokens`). The count is the
call's prompt tokens; nothing was generated.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import as_dict, as_int, make_usage, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

PATHS = ("/messages/count_tokens", ":countTokens", "/responses/input_tokens", "/count-tokens")
_COUNT_KEYS = ("input_tokens", "totalTokens", "total_tokens", "inputTokens")


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    if event.get("object") == "response.input_tokens":
        return True
    return len(event) <= 3 and any(as_int(event.get(key)) is not None for key in ("totalTokens", "inputTokens")) and "usage" not in event


def count_of(body: dict) -> int | None:
    for key in _COUNT_KEYS:
        count = as_int(body.get(key))
        if count is not None:
            return count
    return None


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="token_count")
    body = as_dict(rec.response.events[0]) if len(rec.response.events) == 1 else {}
    count = count_of(body)
    if count is not None:
        out.usage = make_usage(count, None, None, body)
        out.details = {"input_tokens": count}
        cached = as_int(body.get("cachedContentTokenCount"))
        if cached is not None:
            out.details["cached_tokens"] = cached
    return seal(out, rec)


register(Api(name="token_count", summary="Token counting (Anthropic, Gemini, OpenAI Responses, Bedrock)",
             reassemble=reassemble, paths=PATHS, body=looks_like, order=120))
