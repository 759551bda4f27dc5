"""Amazon Bedrock InvokeModel / InvokeModelWithResponseStream: each model's own body.

The models that answer in another family's shape are read by that family (Claude's
Messages body by `anthropic.messages`, Claude v2 by `anthropic.complete`, Cohere by
`cohere.generate`/`cohere.chat`, Jamba and Mistral Large by `openai.chat`, Nova by
`bedrock.converse`); this module reads the shapes of their own (`bedrock.invoke`):

- Amazon Titan Text: `results[].outputText`, `completionReason`, `inputTextTokenCount`,
  `tokenCount`; streamed chunks `outputText`, `totalOutputTextTokenCount`.
- Meta Llama: `generation`, `stop_reason`, `prompt_token_count`, `generation_token_count`.
- Mistral's native completion: `outputs[].text`, `outputs[].stop_reason`.
- AI21 Jurassic: `completions[].data.text`, `finishReason.reason`; tokens as lists.
- Mistral Large's chat and DeepSeek's text completion: OpenAI-like `choices`, but with
  `stop_reason` for the finish.

A stream's last chunk carries `amazon-bedrock-invocationMetrics` (input and output token
counts); a whole body's counts are in the `x-amzn-bedrock-*-token-count` response headers.
A guardrail that stops the answer marks its chunk `amazon-bedrock-guardrailAction: INTERVENED`,
with no completion reason: the answer's finish is `INTERVENED` (a content filter's).
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, as_dict, as_int, as_list, as_str, make_usage, seal, stream_error
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording, Usage

METRICS = "amazon-bedrock-invocationMetrics"
GUARDRAIL_ACTION = "amazon-bedrock-guardrailAction"  # `INTERVENED` when a guardrail stopped the call
PATHS = ("/invoke", "/invoke-with-response-stream")


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    if "outputText" in event or "generation" in event:
        return True
    results = as_list(event.get("results"))
    if results and "outputText" in as_dict(results[0]):
        return True
    outputs = as_list(event.get("outputs"))
    if outputs and isinstance(as_dict(outputs[0]).get("text"), str) and "stop_reason" in as_dict(outputs[0]):
        return True
    completions = as_list(event.get("completions"))
    if completions and isinstance(as_dict(completions[0]).get("data"), dict):
        return True
    choices = as_list(event.get("choices"))  # OpenAI-like, but the finish named `stop_reason`
    return bool(choices) and "stop_reason" in as_dict(choices[0]) and "finish_reason" not in as_dict(choices[0])


def invocation_usage(rec: Recording) -> Usage | None:
    """Bedrock's own count of the call's tokens: the stream's invocation metrics, or the response headers."""
    events = rec.response.events
    found = as_dict(as_dict(events[-1]).get(METRICS)) if events else {}  # (the last chunk carries them)
    if found:
        return make_usage(found.get("inputTokenCount"), found.get("outputTokenCount"), None, found)
    heads = rec.response.headers
    prompt, completion = heads.get("x-amzn-bedrock-input-token-count", ""), heads.get("x-amzn-bedrock-output-token-count", "")
    if prompt.isdigit() or completion.isdigit():
        raw = {"x-amzn-bedrock-input-token-count": prompt, "x-amzn-bedrock-output-token-count": completion}
        return make_usage(int(prompt) if prompt.isdigit() else None, int(completion) if completion.isdigit() else None, None, raw)
    return None


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="bedrock.invoke")
    choices = Choices()
    counts: dict[str, Any] = {}
    finished: set[int] = set()  # the answers that have finished: each of several finishes on its own
    for event in rec.response.events:
        if not isinstance(event, dict):
            continue
        if event.get("error") is not None:  # an exception event of the stream
            out.error = stream_error(event)
        for index, text, reason in _pieces(event, counts):
            choice = choices.get(index)
            if text:
                choice.text.append(text)
                if choice.index in finished:
                    out.content_after_finish += 1
            if reason:
                choice.finish_reason = reason
                finished.add(choice.index)
        if not finished and event.get(GUARDRAIL_ACTION) == "INTERVENED":
            # A guardrail stopped the answer: the stream ends here, with no completion reason of the model's.
            for choice in list(choices.by_index.values()) or [choices.get(0)]:
                choice.finish_reason = choice.finish_reason or "INTERVENED"
            finished.add(-1)
    out.choices = choices.build() if choices.by_index else []
    out.usage = invocation_usage(rec) or make_usage(counts.get("prompt"), counts.get("completion"), None, counts or None)
    out.finished = bool(finished)
    return seal(out, rec)


def _pieces(event: dict, counts: dict):
    """(choice index, text, finish reason) of each answer a body or chunk holds; token counts into `counts`."""
    if "generation" in event:  # Llama
        _count(counts, "prompt", event.get("prompt_token_count"))
        _count(counts, "completion", event.get("generation_token_count"))
        yield 0, as_str(event.get("generation")), as_str(event.get("stop_reason"))
    elif "outputText" in event:  # Titan, streamed
        _count(counts, "prompt", event.get("inputTextTokenCount"))
        _count(counts, "completion", event.get("totalOutputTextTokenCount"))
        yield as_int(event.get("index")) or 0, as_str(event.get("outputText")), as_str(event.get("completionReason"))
    elif "results" in event:  # Titan, whole
        _count(counts, "prompt", event.get("inputTextTokenCount"))
        total = 0
        for index, result in enumerate(as_list(event["results"])):
            result = as_dict(result)
            total += as_int(result.get("tokenCount")) or 0
            yield index, as_str(result.get("outputText")), as_str(result.get("completionReason"))
        _count(counts, "completion", total or None)
    elif "outputs" in event:  # Mistral's native completion
        for index, output in enumerate(as_list(event["outputs"])):
            output = as_dict(output)
            yield index, as_str(output.get("text")), as_str(output.get("stop_reason"))
    elif "choices" in event:  # Mistral Large (chat) and DeepSeek (text), with `stop_reason`
        for position, choice in enumerate(as_list(event["choices"])):
            choice = as_dict(choice)
            message = as_dict(choice.get("message")) or as_dict(choice.get("delta"))
            text = as_str(message.get("content")) if message else as_str(choice.get("text"))
            yield as_int(choice.get("index")) or position, text, as_str(choice.get("stop_reason"))
    elif "completions" in event:  # AI21 Jurassic
        _count(counts, "prompt", len(as_list(as_dict(event.get("prompt")).get("tokens"))) or None)
        generated = 0
        for index, item in enumerate(as_list(event["completions"])):
            data = as_dict(as_dict(item).get("data"))
            generated += len(as_list(data.get("tokens")))
            yield index, as_str(data.get("text")), as_str(as_dict(as_dict(item).get("finishReason")).get("reason"))
        _count(counts, "completion", generated or None)


def _count(counts: dict, key: str, value: Any) -> None:
    """Keep the last count a stream reports (streams repeat running totals, and null after the first)."""
    if as_int(value) is not None:
        counts[key] = value


register(Api(name="bedrock.invoke", summary="Bedrock InvokeModel native bodies (Titan, Llama, Mistral, AI21, DeepSeek)",
             reassemble=reassemble, body=looks_like, order=25, streams=True))
