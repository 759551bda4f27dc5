"""Writer's text completions (`api.writer.com/v1/completions`): `choices[].text` when whole; a
stream of `data: {"value": "..."}` events, one piece of text each, with no end event.
Writer's chat is OpenAI-shaped and read as `openai.chat`.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, as_dict, as_list, as_str, seal, stream_error
from llmcat.apis.registry import Api, host_of, register
from llmcat.model import Completion, Recording


def url_rule(rec: Recording, path: str) -> str | None:
    host = host_of(rec)
    return "writer.completions" if host.endswith("writer.com") and path.endswith("/completions") and "/chat" not in path else None


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    return len(event) == 1 and isinstance(event.get("value"), str)


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="writer.completions")
    choices = Choices()
    for event in rec.response.events:
        event = as_dict(event)
        if isinstance(event.get("value"), str):
            choices.get(0).text.append(event["value"])
        for position, choice in enumerate(as_list(event.get("choices"))):
            choice = as_dict(choice)
            builder = choices.get(choice.get("index", position))
            builder.text.append(as_str(choice.get("text")) or "")
            builder.finish_reason = as_str(choice.get("finish_reason"))
        if event.get("error") is not None:
            out.error = stream_error(event)
    out.choices = choices.build()
    out.finished = True  # the stream has no end event to miss
    return seal(out, rec)


register(Api(name="writer.completions", summary="Writer text completions (its own stream of values)",
             reassemble=reassemble, url_rule=url_rule, body=looks_like, order=60, streams=True))
