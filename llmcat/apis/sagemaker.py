"""Amazon SageMaker endpoints (`/endpoints/{name}/invocations`, `invocations-response-stream`).

The body is the serving container's own: Hugging Face TGI (`generated_text`, token
events), JumpStart (`generation`), or OpenAI-shaped chat from the LMI/vLLM containers. A
streamed answer comes as `PayloadPart` events of the AWS event stream whose bytes, joined,
are the container's stream (TGI's SSE, or JSON lines); a part may end anywhere.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from llmcat.apis import tgi
from llmcat.apis._common import as_dict, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording, Response
from llmcat.parsing import sse

_ENDPOINT = re.compile(r"/endpoints/[^/]+/(invocations|invocations-response-stream|async-invocations)$")


def url_rule(rec: Recording, path: str) -> str | None:
    return "sagemaker" if _ENDPOINT.search(path) else None


def reassemble(rec: Recording) -> Completion:
    parts = [as_dict(e).get("PayloadPart") for e in rec.response.events if isinstance(e, dict) and "PayloadPart" in e]
    events = _container_events(parts) if parts else rec.response.events
    inner = Recording(rec.source, rec.interaction, rec.format, rec.request,
                      Response(rec.response.status, rec.response.streaming, events, [None] * len(events),
                               headers=rec.response.headers, content_type=rec.response.content_type,
                               exception=rec.response.exception))
    if any(isinstance(e, dict) and "choices" in e for e in events):
        from llmcat.apis.openai import reassemble_chat

        out = reassemble_chat(inner)
        out.api = "sagemaker"
    else:
        out = tgi.reassemble(inner, api="sagemaker")
    out.chunks = len(rec.response.events)
    for event in rec.response.events:  # an exception event of the AWS stream itself
        if isinstance(event, dict) and event.get("error") is not None:
            out.error = {"type": as_dict(event["error"]).get("type"), "status_code": None,
                         "message": as_dict(event["error"]).get("message")}
    return seal(out, rec)


def _container_events(parts: list[Any]) -> list[Any]:
    """The container's stream, from the payload parts joined: SSE events, else JSON lines."""
    text = "".join(p if isinstance(p, str) else orjson.dumps(p).decode() + "\n" for p in parts)
    if sse.looks_like_sse(text):
        events, _, _ = sse.decode_events(sse.parse_text(text))
        return events
    values = []
    for line in text.splitlines():
        if line.strip():
            try:
                values.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                values.append(line)
    return values


register(Api(name="sagemaker", summary="Amazon SageMaker endpoint invocations (the serving container's body)",
             reassemble=reassemble, url_rule=url_rule, order=59, streams=True))
