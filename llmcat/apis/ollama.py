"""Ollama's native API: /api/generate, /api/chat, /api/embed(dings) and the rest."""

from __future__ import annotations

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_list, as_str, json_text, make_usage, seal, stream_error
from llmcat.apis.embeddings import embedding_details, vectors_of
from llmcat.apis.registry import Api, register
from llmcat.model import HTTP_EXCHANGE_FORMATS, Completion, Recording

_DURATIONS = ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")


def _reassemble(rec: Recording, api: str) -> Completion:
    out = Completion(api=api)
    choices = Choices()
    choice = choices.get(0)
    done = False
    for chunk in rec.response.events:
        if not isinstance(chunk, dict):
            continue
        if chunk.get("error") is not None:
            out.error = stream_error(chunk)
        message = as_dict(chunk.get("message"))
        source = message if api == "ollama.chat" else chunk
        text = source.get("content") if api == "ollama.chat" else chunk.get("response")
        carried = False
        if isinstance(text, str) and text:
            choice.text.append(text)
            carried = True
        thinking = source.get("thinking")
        if isinstance(thinking, str) and thinking:
            choice.reasoning.append(thinking)
            carried = True
        for call in as_list(message.get("tool_calls")):
            function = as_dict(as_dict(call).get("function"))
            tool = ToolCallBuilder(as_str(as_dict(call).get("id")), as_str(function.get("name")), "function")
            tool.parts.append(json_text(function.get("arguments", {})))
            choice.tools.append(tool)
            carried = True
        if carried and done:
            out.content_after_finish += 1
        if chunk.get("done") is True:
            done = True
            choice.finish_reason = as_str(chunk.get("done_reason")) or choice.finish_reason
            out.usage = make_usage(chunk.get("prompt_eval_count"), chunk.get("eval_count"), None, _reported_usage(chunk))
            timing = {key: chunk[key] for key in _DURATIONS if key in chunk}
            out.timing = timing or None
    out.choices = choices.build()
    out.finished = done
    return seal(out, rec)


def _reported_usage(chunk: dict) -> dict:
    return {key: chunk[key] for key in ("prompt_eval_count", "eval_count") if key in chunk}


def reassemble_generate(rec: Recording) -> Completion:
    return _reassemble(rec, "ollama.generate")


def reassemble_chat(rec: Recording) -> Completion:
    return _reassemble(rec, "ollama.chat")


def reassemble_embed(rec: Recording) -> Completion:
    out = Completion(api="ollama.embed")
    body = as_dict(rec.response.events[0]) if rec.response.events else {}
    out.details = embedding_details(vectors_of(body))  # `embeddings`, or the older /api/embeddings' `embedding`
    out.usage = make_usage(body.get("prompt_eval_count"), None, None, _reported_usage(body) or None)
    return seal(out, rec)


def reassemble_other(rec: Recording) -> Completion:
    out = Completion(api="ollama.other")
    events = rec.response.events
    out.details = {"body": events[0] if len(events) == 1 else events}
    return seal(out, rec)


def looks_like_chat(event: dict) -> bool:
    return "done" in event and "model" in event and isinstance(event.get("message"), dict)


def looks_like_generate(event: dict) -> bool:
    return "done" in event and "model" in event and "response" in event and not isinstance(event.get("message"), dict)


def looks_like_embed(event: dict) -> bool:
    return "total_duration" in event and "embeddings" in event


def native_path(rec: Recording, path: str) -> str | None:
    """Ollama's native API lives under /api/ (any other /api/ path of an HTTP recording only on Ollama's port)."""
    if not path.startswith("/api/"):
        return None
    if rec.format not in HTTP_EXCHANGE_FORMATS or ":11434" in (rec.request.url or ""):
        return "ollama.other"
    return None


def transcript_ollama(body: dict):
    """The request's conversation (apis/_chat_messages.py, imported only when a transcript is shown or compared)."""
    from llmcat.apis._chat_messages import transcript_ollama as build

    return build(body)


register(Api(name="ollama.generate", summary="Ollama generate (native NDJSON)", reassemble=reassemble_generate,
             paths=("/api/generate",), body=looks_like_generate, order=80,
             event_types=("ollama._types.GenerateResponse",), streams=True))
register(Api(name="ollama.chat", summary="Ollama chat (native NDJSON)", reassemble=reassemble_chat,
             paths=("/api/chat",), body=looks_like_chat, order=80,
             event_types=("ollama._types.ChatResponse",), streams=True, transcript=transcript_ollama))
register(Api(name="ollama.embed", summary="Ollama embed and embeddings", reassemble=reassemble_embed,
             paths=("/api/embed", "/api/embeddings"), body=looks_like_embed, order=85,
             event_types=("ollama._types.EmbedResponse", "ollama._types.EmbeddingsResponse")))
register(Api(name="ollama.other", summary="Ollama's other native calls (ps, tags, pull, show...)", reassemble=reassemble_other,
             event_type_prefix="ollama._types.", url_rule=native_path, order=90))
