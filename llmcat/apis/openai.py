"""OpenAI Chat Completions, (legacy) Completions, embeddings and model lists.

Also every OpenAI-compatible host. Streams are merged per choice `index`, and
tool calls per tool-call `index`, tolerating what real providers send:
repeated `role`/`type`/`id`/`name` in every chunk, chunks with no choices
(Azure content-filter results, usage-only tails), interleaved `n > 1` choices,
and several deltas for the same tool call within one chunk.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import (
    ChoiceBuilder,
    Choices,
    ToolCallBuilder,
    as_dict,
    as_int,
    as_list,
    as_str,
    json_text,
    make_usage,
    seal,
    stream_error,
)
from llmcat.apis.embeddings import embedding_details, vectors_of
from llmcat.apis.registry import Api, host_of, register
from llmcat.model import Completion, Recording


def usage_of(raw: Any):
    usage = as_dict(raw)
    if not usage:
        return None
    prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
    completion = usage.get("completion_tokens", usage.get("output_tokens"))
    return make_usage(prompt, completion, usage.get("total_tokens"), raw)


def _content_text(content: Any) -> str | None:
    """`content` is usually a string; some hosts send a list of typed parts, and some an object
    (Cloudflare Workers AI's structured output): what llmcat does not know is kept as compact JSON."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part if isinstance(part, str) else part.get("text") for part in content if isinstance(part, (str, dict))]
        text = "".join(t for t in texts if isinstance(t, str))
        if text:
            return text
        unknown = [part for part in content if _unknown_part(part)]
        return json_text(unknown if len(unknown) > 1 else unknown[0]) if unknown else None
    if isinstance(content, (dict, int, float)) and not isinstance(content, bool):
        return json_text(content)
    return None


def _unknown_part(part: Any) -> bool:
    """A content part that is neither text nor Mistral's reasoning (`_content_thinking`'s)."""
    return part not in (None, "", {}) and not (isinstance(part, dict) and part.get("type") in ("text", "thinking"))


# The keys of a delta (or message) that carry the answer: a choice whose `delta` has none of them
# but whose `message` does is a whole response (Perplexity sends both, the delta empty).
_CARRIERS = ("content", "tool_calls", "function_call", "refusal", "reasoning_content", "reasoning", "reasoning_details", "audio")


def _carries(delta: dict) -> bool:
    return any(delta.get(key) not in (None, "", [], {}) for key in _CARRIERS)


def _content_thinking(content: Any) -> str | None:
    """Mistral's reasoning: a `thinking` part among the typed content parts, itself a list of text parts."""
    if not isinstance(content, list):
        return None
    texts = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "thinking":
            inner = part.get("thinking")
            for piece in inner if isinstance(inner, list) else [inner]:
                text = as_dict(piece).get("text") if isinstance(piece, dict) else piece
                if isinstance(text, str):
                    texts.append(text)
    return "".join(texts) or None


def _reasoning_text(delta: dict) -> str | None:
    # Hosts spell it `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter,
    # Ollama, Groq); a few send both with the same text, which must count once.
    # `reasoning_details` (OpenRouter, Snowflake) repeats that text as typed parts, and is
    # the only carrier when neither string is sent.
    if not (delta.get("reasoning_content") or delta.get("reasoning") or delta.get("reasoning_details")):
        return None  # (nearly every delta: no reasoning at all)
    for key in ("reasoning_content", "reasoning"):
        text = delta.get(key)
        if isinstance(text, str) and text:
            return text
    parts = [_detail_text(d) for d in as_list(delta.get("reasoning_details"))]
    return "".join(p for p in parts if p) or None


def _detail_text(detail: Any) -> str | None:
    detail = as_dict(detail)
    kind = detail.get("type")
    if kind == "reasoning.text":
        return as_str(detail.get("text"))
    if kind == "reasoning.summary":
        return as_str(detail.get("summary"))
    return None  # reasoning.encrypted: nothing readable


def _merge_tool_call(choice: ChoiceBuilder, slots: dict[int, ToolCallBuilder], delta: Any, position: int) -> None:
    if not isinstance(delta, dict):
        return
    function = as_dict(delta.get("function"))
    call_id = as_str(delta.get("id")) or None
    key = as_int(delta.get("index"))
    if key is None:
        key = position
    tool = slots.get(key)
    # A new id at an index already taken means a new call (hosts that number every call 0).
    if tool is None or (call_id and tool.id and call_id != tool.id):
        tool = ToolCallBuilder(kind=as_str(delta.get("type")))
        slots[key] = tool
        choice.tools.append(tool)
    if call_id and not tool.id:
        tool.id = call_id
    name = as_str(function.get("name"))
    if name and not tool.name:
        tool.name = name
    if tool.kind is None:
        tool.kind = as_str(delta.get("type"))
    arguments = function.get("arguments")
    if arguments is not None and arguments != "":
        tool.parts.append(json_text(arguments))


def reassemble_chat(rec: Recording) -> Completion:
    out = Completion(api="openai.chat")
    choices = Choices()
    tool_slots: dict[int, dict[int, ToolCallBuilder]] = {}
    finished_at: set[int] = set()
    # A whole response's choice with `message` beside an empty `delta` (Perplexity) answers in `message`; in a
    # stream, Perplexity's `message` repeats all the text so far: there the delta is the answer's piece.
    whole = len(rec.response.events) == 1
    for chunk in rec.response.events:
        piece = None if whole else _text_piece(chunk)
        if piece is not None:  # (the usual chunk: the same as the long way below, three times quicker)
            choice = choices.get(piece[0])
            if piece[1]:
                choice.text.append(piece[1])
                if choice.index in finished_at:
                    out.content_after_finish += 1
            continue
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error") is not None:
            out.error = stream_error(chunk)
        for position, raw in enumerate(as_list(chunk.get("choices"))):
            if not isinstance(raw, dict):
                continue
            choice = choices.get(raw.get("index", position))
            delta = raw.get("delta")
            if not isinstance(delta, dict) or (whole and not _carries(delta) and isinstance(raw.get("message"), dict)):
                delta = as_dict(raw.get("message"))
            carried = _apply_delta(choice, tool_slots.setdefault(choice.index, {}), delta)
            if carried and choice.index in finished_at:
                out.content_after_finish += 1
            reason = as_str(raw.get("finish_reason"))
            if reason:
                choice.finish_reason = reason
                finished_at.add(choice.index)
        _chunk_extras(out, chunk)
    out.choices = choices.build()
    out.finished = bool(finished_at) or rec.response.done_marker  # some hosts end with [DONE] alone
    return seal(out, rec)


# What a delta may carry besides text (its role carries nothing): a chunk whose delta has none of these
# (or only nulls) is a piece of text alone.
_NOT_TEXT = ("tool_calls", "function_call", "refusal", "audio", "reasoning_content", "reasoning", "reasoning_details")


def _text_piece(chunk: Any) -> tuple[Any, str] | None:
    """(choice index, text) of a stream's usual chunk: one choice whose delta is text alone, no finish, no
    usage, no error, no extension; None for any other chunk, which `reassemble_chat` reads the long way."""
    if type(chunk) is not dict or chunk.get("usage") is not None or chunk.get("error") is not None:
        return None
    raw = chunk.get("choices")
    if type(raw) is not list or len(raw) != 1 or chunk.get("x_groq") is not None or chunk.get("time_info") is not None:
        return None
    choice = raw[0]
    if type(choice) is not dict or choice.get("finish_reason") is not None:
        return None
    delta = choice.get("delta")
    if type(delta) is not dict or type(delta.get("content")) is not str:
        return None
    if len(delta) > 1 and any(delta.get(key) is not None for key in _NOT_TEXT):  # ({"content": ...} alone: at once)
        return None
    return choice.get("index", 0), delta["content"]


def _apply_delta(choice: ChoiceBuilder, slots: dict[int, ToolCallBuilder], delta: dict) -> bool:
    """Add one delta's fragments; True when it carried any content."""
    if not delta:
        return False
    carried = False
    text = _content_text(delta.get("content"))
    if text:
        choice.text.append(text)
        carried = True
    elif isinstance(delta.get("audio"), dict):  # an answer spoken (audio output): its transcript is its words
        transcript = delta["audio"].get("transcript")
        if isinstance(transcript, str) and transcript:
            choice.text.append(transcript)
            carried = True
    reasoning = _reasoning_text(delta) or _content_thinking(delta.get("content"))
    if reasoning:
        choice.reasoning.append(reasoning)
        carried = True
    refusal = delta.get("refusal")
    if isinstance(refusal, str) and refusal:
        choice.refusal.append(refusal)
        carried = True
    for position, call in enumerate(as_list(delta.get("tool_calls"))):
        _merge_tool_call(choice, slots, call, position)
        carried = True
    legacy = as_dict(delta.get("function_call"))  # pre-tools function calling
    # (Snowflake sends an empty one, no name and no arguments, with every answer: no call at all.)
    if legacy and (legacy.get("name") or legacy.get("arguments") not in (None, "", {})):
        _merge_tool_call(choice, slots, {"index": 0, "function": legacy, "type": "function"}, 0)
        carried = True
    return carried


def _chunk_extras(out: Completion, chunk: dict) -> None:
    # Groq sent usage only inside its `x_groq` extension before it adopted the standard field.
    usage = usage_of(chunk.get("usage"))
    if usage is None and chunk.get("x_groq") is not None:
        usage = usage_of(as_dict(chunk["x_groq"]).get("usage"))
    if usage is not None:
        out.usage = usage
    time_info = chunk.get("time_info")  # Cerebras
    if isinstance(time_info, dict):
        out.timing = time_info


def reassemble_completions(rec: Recording) -> Completion:
    out = Completion(api="openai.completions")
    choices = Choices()
    finished_at: set[int] = set()
    for chunk in rec.response.events:
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error") is not None:
            out.error = stream_error(chunk)
        for position, raw in enumerate(as_list(chunk.get("choices"))):
            if not isinstance(raw, dict):
                continue
            choice = choices.get(raw.get("index", position))
            text = raw.get("text")
            if isinstance(text, str) and text:
                choice.text.append(text)
                if choice.index in finished_at:
                    out.content_after_finish += 1
            reason = as_str(raw.get("finish_reason"))
            if reason:
                choice.finish_reason = reason
                finished_at.add(choice.index)
        _chunk_extras(out, chunk)
    out.choices = choices.build()
    out.finished = bool(finished_at) or rec.response.done_marker  # some hosts end with [DONE] alone
    return seal(out, rec)


def reassemble_embeddings(rec: Recording) -> Completion:
    out = Completion(api="openai.embeddings")
    body = as_dict(rec.response.events[0]) if rec.response.events else {}
    out.details = embedding_details(vectors_of(body))
    out.usage = usage_of(body.get("usage"))
    return seal(out, rec)


def reassemble_models(rec: Recording) -> Completion:
    out = Completion(api="openai.models")
    models: list[str] = []
    for event in rec.response.events:
        event = as_dict(event)
        if isinstance(event.get("data"), list):  # the HTTP body `{"object": "list", "data": [...]}`
            models.extend(as_str(as_dict(m).get("id")) or "?" for m in event["data"])
        elif "id" in event:
            models.append(as_str(event.get("id")) or "?")
    out.details = {"models": models}
    return seal(out, rec)


def refine(rec: Recording, api: str) -> str:
    """Trust the chunks over the label: some recorders filed chat chunks under /v1/completions,
    Together adds a completions-style `text` to chat chunks, some hosts a chat-style delta to completions.
    Writer's `/v1/completions` is its own API (a stream of `{"value"}` events)."""
    if api == "openai.completions" and host_of(rec).endswith("writer.com"):
        return "writer.completions"
    for event in rec.response.events:
        for choice in as_list(as_dict(event).get("choices")):
            choice = as_dict(choice)
            if api == "openai.chat" and ("delta" in choice or "message" in choice):
                return "openai.chat"
            if isinstance(choice.get("text"), str):
                return "openai.completions"
            if "delta" in choice or "message" in choice:
                return "openai.chat"
    return api


def _first_choice(event: dict) -> dict | None:
    choices = event.get("choices")
    return as_dict(choices[0]) if isinstance(choices, list) and choices else None


def looks_like_chat(event: dict) -> bool:
    if str(event.get("object", "")).startswith("chat.completion"):
        return True
    first = _first_choice(event)
    return first is not None and ("delta" in first or "message" in first)


def looks_like_completion(event: dict) -> bool:
    if event.get("object") == "text_completion":
        return True
    first = _first_choice(event)
    return first is not None and "text" in first


def looks_like_embeddings(event: dict) -> bool:
    from llmcat.apis.embeddings import looks_like

    return isinstance(event.get("data"), list) and looks_like(event)


def transcript_chat(body: dict):
    """The request's conversation (apis/_chat_messages.py, imported only when a transcript is shown or compared)."""
    from llmcat.apis._chat_messages import transcript_chat as build

    return build(body)


register(Api(
    name="openai.chat", summary="OpenAI Chat Completions, from OpenAI and every OpenAI-compatible host",
    reassemble=reassemble_chat, paths=("/chat/completions",), refine=refine, body=looks_like_chat, order=30,
    event_types=("openai.types.chat.chat_completion_chunk.ChatCompletionChunk", "openai.types.chat.chat_completion.ChatCompletion"),
    streams=True,
    transcript=transcript_chat,
))
register(Api(
    name="openai.completions", summary="OpenAI (legacy) Completions", reassemble=reassemble_completions,
    paths=("/completions",), refine=refine, body=looks_like_completion, order=31,
    event_types=("openai.types.completion.Completion",), streams=True,
))
register(Api(
    name="openai.embeddings", summary="OpenAI-shaped embeddings (OpenAI, Voyage, Mistral...)", reassemble=reassemble_embeddings,
    paths=("/embeddings",), body=looks_like_embeddings, order=110,
    event_types=("openai.types.create_embedding_response.CreateEmbeddingResponse",),
))
register(Api(
    name="openai.models", summary="OpenAI model lists", reassemble=reassemble_models, paths=("/models",),
    event_types=("openai.types.model.Model",),
))
