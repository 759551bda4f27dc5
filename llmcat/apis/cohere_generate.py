"""Cohere v1 Generate (`/v1/generate`), and Cohere Command on Bedrock.

A whole body: `generations[]` (`text`, `finish_reason`), `meta.billed_units`. A stream
(JSON lines): `{"text", "is_finished": false}` per piece (`index` when several
generations), then `{"is_finished": true, "finish_reason", "response"}` with the whole
body; on Bedrock the last chunk carries the invocation metrics instead.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, as_dict, as_int, as_list, as_str, make_usage, seal, stream_error
from llmcat.apis.bedrock_invoke import invocation_usage
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    if "event_type" in event:
        return False  # v1 chat's stream events
    generations = as_list(event.get("generations"))
    if generations and "text" in as_dict(generations[0]):
        return True
    return isinstance(event.get("is_finished"), bool) and ("text" in event or "finish_reason" in event)


def usage_of(meta: Any):
    meta = as_dict(meta)
    counts = as_dict(meta.get("billed_units")) or as_dict(meta.get("tokens"))
    return make_usage(counts.get("input_tokens"), counts.get("output_tokens"), None, meta) if counts else None


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="cohere.generate")
    choices = Choices()
    ended = False
    streamed = False
    for event in rec.response.events:
        if not isinstance(event, dict):
            continue
        if isinstance(event.get("is_finished"), bool):
            streamed = True
            if event["is_finished"]:
                ended = True
                _finish_stream(out, choices, event)
            elif isinstance(event.get("text"), str):
                choices.get(event.get("index")).text.append(event["text"])
                if ended:
                    out.content_after_finish += 1
        elif "generations" in event:
            for position, generation in enumerate(as_list(event["generations"])):
                generation = as_dict(generation)
                choice = choices.get(generation.get("index", position))
                choice.text.append(as_str(generation.get("text")) or "")
                choice.finish_reason = as_str(generation.get("finish_reason"))
            out.usage = usage_of(event.get("meta"))
            ended = True
        elif event.get("message") is not None and rec.response.status and rec.response.status >= 400:
            out.error = stream_error(event, rec.response.status)
    out.choices = choices.build()
    out.usage = invocation_usage(rec) or out.usage
    out.finished = ended or not streamed
    return seal(out, rec)


def _finish_stream(out: Completion, choices: Choices, event: dict) -> None:
    reason = as_str(event.get("finish_reason"))
    response = as_dict(event.get("response"))
    generations = as_list(response.get("generations"))
    for position, generation in enumerate(generations or [{}]):
        generation = as_dict(generation)
        index = as_int(generation.get("index"))
        choices.get(index if index is not None else position).finish_reason = as_str(generation.get("finish_reason")) or reason
    out.usage = usage_of(response.get("meta")) or out.usage


register(Api(name="cohere.generate", summary="Cohere v1 Generate (also Cohere Command on Bedrock)",
             reassemble=reassemble, paths=("/v1/generate",), body=looks_like, order=51, streams=True))
