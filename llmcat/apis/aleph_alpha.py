"""Aleph Alpha completions (`/complete`), streamed and not.

A whole body: `completions[]` (`completion`, `finish_reason`), `num_tokens_prompt_total`,
`num_tokens_generated`. A stream: `stream_chunk` events (`index`, `completion`), a
`stream_summary` per completion (its `finish_reason`), then `completion_summary` (the counts).
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, as_dict, as_list, as_str, make_usage, seal, stream_error
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

PATHS = ("/complete",)
_EVENTS = {"stream_chunk", "stream_summary", "completion_summary"}


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    if isinstance(event.get("type"), str) and event["type"] in _EVENTS:
        return True
    completions = as_list(event.get("completions"))
    return bool(completions) and isinstance(as_dict(completions[0]).get("completion"), str)


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="aleph_alpha")
    choices = Choices()
    finished = False
    counts: dict = {}
    for event in rec.response.events:
        event = as_dict(event)
        kind = event.get("type")
        if kind == "stream_chunk" and isinstance(event.get("completion"), str):
            choices.get(event.get("index")).text.append(event["completion"])
            if finished:
                out.content_after_finish += 1
        elif kind == "stream_summary":
            choices.get(event.get("index")).finish_reason = as_str(event.get("finish_reason"))
        elif "completions" in event:
            for position, item in enumerate(as_list(event["completions"])):
                item = as_dict(item)
                choice = choices.get(position)
                choice.text.append(as_str(item.get("completion")) or "")
                choice.finish_reason = as_str(item.get("finish_reason"))
        elif event.get("error") is not None:
            out.error = stream_error(event)
        if "num_tokens_generated" in event or "num_tokens_prompt_total" in event:
            counts = {k: event.get(k) for k in ("num_tokens_prompt_total", "num_tokens_generated")}
            finished = True
    out.choices = choices.build()
    out.usage = make_usage(counts.get("num_tokens_prompt_total"), counts.get("num_tokens_generated"), None, counts) if counts else None
    out.finished = finished
    return seal(out, rec)


register(Api(name="aleph_alpha", summary="Aleph Alpha completions",
             reassemble=reassemble, paths=PATHS, body=looks_like, order=57, streams=True))
