"""Replicate predictions: `POST .../predictions` (a prediction object, often still `starting`),
`GET /v1/predictions/{id}` (its `status`, `output`, `metrics`), and the stream at its
`urls.stream` (SSE `output` events of plain text, then `done`; `error` on failure).

A language model's `output` is a list of tokens, joined; a single string is the text. The
prediction's `status` is the finish reason; `metrics` has the token counts.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, as_dict, as_str, make_usage, seal
from llmcat.apis.registry import Api, host_of, register
from llmcat.model import Completion, Recording

_ENDS = {"succeeded", "failed", "canceled"}


def url_rule(rec: Recording, path: str) -> str | None:
    host = host_of(rec)
    if "replicate" not in host:
        return None
    return "replicate" if "/predictions" in path or "/streams/" in path or "/deployments/" in path else None


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    return isinstance(event.get("urls"), dict) and "status" in event and "output" in event


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="replicate")
    choice = ChoiceBuilder(0)
    types = rec.response.event_types
    ended = False
    for position, event in enumerate(rec.response.events):
        kind = types[position] if position < len(types) else None
        if kind == "output" and isinstance(event, str):  # the stream: plain text per event
            choice.text.append(event)
        elif kind == "done":
            ended = True
            choice.finish_reason = as_str(as_dict(event).get("reason")) or "succeeded"
        elif kind == "error":
            out.error = {"type": "prediction_error", "status_code": None,
                         "message": event if isinstance(event, str) else as_str(as_dict(event).get("detail"))}
        elif isinstance(event, dict) and "status" in event:
            _prediction(out, choice, event)
            ended = True  # a prediction object is whole as recorded, finished or not
    if choice.text or choice.finish_reason:
        out.choices = [choice.build()]
    out.finished = ended or not rec.response.streaming
    return seal(out, rec)


def _prediction(out: Completion, choice: ChoiceBuilder, body: dict) -> None:
    output = body.get("output")
    if isinstance(output, list) and all(isinstance(piece, str) for piece in output):
        choice.text.append("".join(output))
    elif isinstance(output, str):
        choice.text.append(output)
    elif output is not None:
        out.details = {"output": output}
    status = as_str(body.get("status"))
    if status in _ENDS:
        choice.finish_reason = status
    metrics = as_dict(body.get("metrics"))
    out.usage = make_usage(metrics.get("input_token_count"), metrics.get("output_token_count"), None, metrics)
    error = body.get("error")
    if error:
        out.error = {"type": "prediction_error", "status_code": None, "message": error if isinstance(error, str) else str(error)}
    if status not in _ENDS:
        out.notes.append(f"the prediction was {status} when recorded: its output came later")


register(Api(name="replicate", summary="Replicate predictions and their streams",
             reassemble=reassemble, url_rule=url_rule, body=looks_like, order=55, streams=True))
