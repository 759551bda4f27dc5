"""Anthropic's legacy Text Completions API (`/v1/complete`), and Claude v2 on Bedrock.

A whole body: `completion`, `stop_reason` (`stop_sequence`, `max_tokens`), `stop`. A stream:
`completion` events each with the next piece of text, `ping`s, and the last one's
`stop_reason`. The API reports no token counts; Bedrock does (invocation metrics, headers).
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, as_dict, as_str, seal, stream_error
from llmcat.apis.bedrock_invoke import invocation_usage
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    return isinstance(event.get("completion"), str) and (event.get("type") == "completion" or "stop_reason" in event)


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="anthropic.complete")
    choice = ChoiceBuilder(0)
    answered = False
    for event in rec.response.events:
        event = as_dict(event)
        if event.get("type") == "error" or event.get("error") is not None:
            out.error = stream_error(event)
        if not isinstance(event.get("completion"), str):
            continue
        answered = True
        if event["completion"]:
            choice.text.append(event["completion"])
            if choice.finish_reason:
                out.content_after_finish += 1
        choice.finish_reason = as_str(event.get("stop_reason")) or choice.finish_reason
    out.choices = [choice.build()] if answered else []
    out.usage = invocation_usage(rec)
    out.finished = choice.finish_reason is not None
    return seal(out, rec)


register(Api(name="anthropic.complete", summary="Anthropic legacy Text Completions (/v1/complete; Claude v2 on Bedrock)",
             reassemble=reassemble, paths=("/v1/complete",), body=looks_like, order=21, streams=True))
