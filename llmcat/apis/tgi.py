"""Hugging Face Text Generation Inference (`/generate`, `/generate_stream`), Inference
Endpoints, and the serverless Inference API's text generation (`/models/{id}`).

A whole body: `{"generated_text", "details": {"finish_reason", "generated_tokens"}}`, or a
list of `{"generated_text"}` (one per returned sequence). A stream (SSE): one event per
token (`token.text`; `special` tokens such as `</s>` are not text), the last with
`generated_text` and `details`; an `error` event on failure.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, Choices, as_dict, as_int, as_list, as_str, make_usage, seal
from llmcat.apis.registry import Api, host_of, register
from llmcat.model import Completion, Recording

PATHS = ("/generate", "/generate_stream")


def url_rule(rec: Recording, path: str) -> str | None:
    """The serverless Inference API names the model in the path (`/models/gpt2`)."""
    host = host_of(rec)
    if host.startswith("api-inference.huggingface") and "/models/" in path:
        return "huggingface.tgi" if any(looks_like(e) for e in rec.response.events) else None
    return None


def looks_like(event: Any) -> bool:
    if isinstance(event, list):
        return bool(event) and all(isinstance(item, dict) and "generated_text" in item for item in event)
    event = as_dict(event)
    streamed_token = as_dict(event.get("token")).get("text")
    return ("generated_text" in event and ("details" in event or "token" in event)) or isinstance(streamed_token, str)


def reassemble(rec: Recording, api: str = "huggingface.tgi") -> Completion:
    out = Completion(api=api)
    choices = Choices()
    finished = False
    for event in rec.response.events:
        if isinstance(event, list):  # the Inference API: one item per returned sequence
            for position, item in enumerate(event):
                choices.get(position).text.append(_generated(as_dict(item)) or "")
            finished = True
            continue
        event = as_dict(event)
        if event.get("error") is not None:
            out.error = {"type": as_str(event.get("error_type")), "status_code": None, "message": as_str(event.get("error"))}
        finished = apply(out, choices.get(0), event) or finished
    out.choices = choices.build() if choices.by_index else []
    out.finished = finished or not rec.response.streaming
    return seal(out, rec)


def apply(out: Completion, choice: ChoiceBuilder, event: dict) -> bool:
    """One body or stream event into the choice; True when it ends the answer (it has `details`)."""
    token = as_dict(event.get("token"))
    if isinstance(token.get("text"), str):
        if not token.get("special") and token["text"]:
            choice.text.append(token["text"])
            if choice.finish_reason:
                out.content_after_finish += 1
    elif _generated(event) is not None:  # a whole body (a stream's last event repeats the text: not again)
        choice.text.append(_generated(event) or "")
    details = as_dict(event.get("details"))
    if details:
        choice.finish_reason = as_str(details.get("finish_reason"))
        prefill = len(as_list(details.get("prefill"))) or None
        out.usage = make_usage(prefill, as_int(details.get("generated_tokens")), None, details) or out.usage
        return True
    return False


def _generated(body: dict) -> str | None:
    """The text of a whole body: TGI's `generated_text`, or a JumpStart container's `generation`."""
    text = body.get("generated_text", body.get("generation"))
    if isinstance(text, dict):  # JumpStart chat: {"generation": {"role", "content"}}
        text = text.get("content")
    return text if isinstance(text, str) else None


register(Api(name="huggingface.tgi", summary="Hugging Face TGI, Inference Endpoints and the Inference API's text generation",
             reassemble=reassemble, paths=PATHS, url_rule=url_rule, body=looks_like, order=58, streams=True))
