"""IBM watsonx.ai text generation (`/ml/v1/text/generation`, and `generation_stream` as SSE).

Each body or event: `results[]` with `generated_text` (a stream's pieces), `stop_reason`
(`not_finished` until the last; `eos_token`, `max_tokens`, `stop_sequence`...),
`generated_token_count` (a running total) and `input_token_count`. watsonx chat
(`/ml/v1/text/chat`) is OpenAI-shaped and read as `openai.chat`.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, as_dict, as_int, as_list, as_str, make_usage, seal, stream_error
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

PATHS = ("/text/generation", "/text/generation_stream")


def looks_like(event: Any) -> bool:
    results = as_list(as_dict(event).get("results"))
    return bool(results) and "generated_text" in as_dict(results[0]) and "stop_reason" in as_dict(results[0])


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="watsonx")
    choices = Choices()
    prompt = completion = None
    finished = False
    for event in rec.response.events:
        event = as_dict(event)
        if event.get("errors") is not None or event.get("error") is not None:
            out.error = stream_error({"error": (as_list(event.get("errors")) or [event.get("error")])[0]})
        for position, result in enumerate(as_list(event.get("results"))):
            result = as_dict(result)
            choice = choices.get(position)
            text = as_str(result.get("generated_text"))
            if text:
                choice.text.append(text)
                if finished:
                    out.content_after_finish += 1
            reason = as_str(result.get("stop_reason"))
            if reason and reason != "not_finished":
                choice.finish_reason = reason
                finished = True
            prompt = as_int(result.get("input_token_count")) or prompt  # (0 in a stream's later events)
            completion = as_int(result.get("generated_token_count")) or completion
    out.choices = choices.build()
    out.usage = make_usage(prompt, completion, None, {"input_token_count": prompt, "generated_token_count": completion})
    out.finished = finished
    return seal(out, rec)


register(Api(name="watsonx", summary="IBM watsonx.ai text generation",
             reassemble=reassemble, paths=PATHS, body=looks_like, order=56, streams=True))
