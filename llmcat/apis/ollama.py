"""Ollama's native API: /api/generate, /api/chat, /api/embed(dings) and the rest."""

from __future__ import annotations

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_list, as_str, finish, json_text, make_usage, stream_error
from llmcat.apis.embeddings import embedding_details, vectors_of
from llmcat.model import Completion, Recording

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
    return finish(out, rec)


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
    return finish(out, rec)


def reassemble_other(rec: Recording) -> Completion:
    out = Completion(api="ollama.other")
    events = rec.response.events
    out.details = {"body": events[0] if len(events) == 1 else events}
    return finish(out, rec)
