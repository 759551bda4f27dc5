"""OpenAI Responses compaction (`/v1/responses/compact`): a conversation made shorter.

The answer is not text: a `response.compaction` object whose `output` is the compacted
list of items (kept messages, and a `compaction` item of encrypted content), with usage.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from llmcat.apis._common import as_dict, as_list, as_str, seal, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

PATHS = ("/responses/compact",)


def looks_like(event: Any) -> bool:
    return as_dict(event).get("object") == "response.compaction"


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="openai.responses.compact")
    body = as_dict(rec.response.events[0]) if len(rec.response.events) == 1 else {}
    items = [as_dict(item) for item in as_list(body.get("output"))]
    if items:
        out.details = {"items": len(items), "types": dict(Counter(as_str(item.get("type")) or "?" for item in items))}
    out.usage = usage_from(body.get("usage"), "input_tokens", "output_tokens", "total_tokens")
    return seal(out, rec)


register(Api(name="openai.responses.compact", summary="OpenAI Responses compaction",
             reassemble=reassemble, paths=PATHS, body=looks_like, order=41))
