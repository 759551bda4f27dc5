"""The Claude Agent SDK's assistant turns (formats/claude_agent_sdk.py): Anthropic messages, split.

The agent CLI sends a model message as several `assistant` messages, one content block each, all
with the message's id and the usage as it stood when the message started (output tokens 0 or 1);
the `result` message that closes a query gives its finish (`stop_reason`), its error (`is_error`,
an `error_*` subtype) and the usage of the whole query. A turn is read as the one Anthropic message
its blocks make: the last turn of a query takes the `result`'s finish and usage, the others keep
their own.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import as_dict, as_list, as_str
from llmcat.apis.anthropic import content_blocks, transcript, whole_message
from llmcat.apis.registry import Api, register
from llmcat.model import Block, Completion, Recording

API = "anthropic.agent-sdk"


def merged(events: list) -> tuple[dict, dict | None]:
    """The turn as one Anthropic message, and its `result` message (None: not a query's last turn)."""
    messages = [as_dict(e.get("message")) for e in events if isinstance(e, dict) and e.get("type") == "assistant"]
    result = next((e for e in events if isinstance(e, dict) and e.get("type") == "result"), None)
    last = messages[-1] if messages else {}
    body: dict[str, Any] = {**last, "type": "message", "content": [b for m in messages for b in as_list(m.get("content"))]}
    if result is not None:
        body["stop_reason"] = result.get("stop_reason", last.get("stop_reason"))
        if isinstance(result.get("usage"), dict):
            body["usage"] = result["usage"]
    return body, result


def reassemble(rec: Recording) -> Completion:
    body, result = merged(rec.response.events)
    out = whole_message(rec, body, API)
    result = as_dict(result)
    subtype = as_str(result.get("subtype")) or ""
    if result.get("is_error") is True or subtype.startswith("error"):
        errors = [e for e in as_list(result.get("errors")) if isinstance(e, str)]
        message = as_str(result.get("result")) or "; ".join(errors) or None
        out.error = {"type": subtype if subtype.startswith("error") else "error", "status_code": None, "message": message}
    refused = next((e for e in rec.response.events if isinstance(e, dict) and isinstance(e.get("error"), str)), None)
    if refused is not None:  # the CLI marks an assistant message that is an API failure (`rate_limit`, ...): the cause
        text = " ".join(as_str(b.get("text")) or "" for b in as_list(body.get("content")) if isinstance(b, dict)).strip()
        out.error = {"type": refused["error"], "status_code": None, "message": text or None}
    if isinstance(result.get("total_cost_usd"), (int, float)) or isinstance(result.get("duration_ms"), (int, float)):
        out.timing = {k: result[k] for k in ("duration_ms", "duration_api_ms", "num_turns", "total_cost_usd") if k in result}
    return out


def answer_blocks(rec: Recording, completion: Completion) -> list[list[Block]] | None:
    from llmcat.apis import _conversation as cv

    if len(completion.choices) != 1:
        return None
    return [content_blocks(cv, "assistant", merged(rec.response.events)[0].get("content"))]


register(Api(name=API, summary="Claude Agent SDK assistant turns (the agent CLI's stdio protocol)",
             reassemble=reassemble, order=21, transcript=transcript, answer=answer_blocks))
