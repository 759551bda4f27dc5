"""API families: which API a recorded call spoke, and its reassembly.

Each family module is a pure function from a `Recording`'s raw events to a
`Completion`; `reassemble` picks the family (`detect`) and calls it.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from llmcat.apis._common import as_dict, as_list, as_str, finish
from llmcat.model import Completion, Recording

# api name -> "module:function" (imported on first use, to keep start-up quick)
_REASSEMBLERS = {
    "openai.chat": "openai:reassemble_chat",
    "openai.completions": "openai:reassemble_completions",
    "openai.embeddings": "openai:reassemble_embeddings",
    "openai.models": "openai:reassemble_models",
    "ollama.generate": "ollama:reassemble_generate",
    "ollama.chat": "ollama:reassemble_chat",
    "ollama.embed": "ollama:reassemble_embed",
    "ollama.other": "ollama:reassemble_other",
    "gemini": "gemini:reassemble",
    "anthropic.messages": "anthropic:reassemble",
    "google.interactions": "interactions:reassemble",
    "openai.responses": "responses:reassemble",
    "cohere.chat": "cohere:reassemble_chat",
    "cohere.embed": "embeddings:reassemble_cohere",
    "gemini.embed": "embeddings:reassemble_gemini",
    "bedrock.converse": "bedrock:reassemble_converse",
    "bedrock.embed": "embeddings:reassemble_bedrock",
    "http": "http:reassemble",
}

_PYDANTIC_TYPES = {
    "openai.types.completion.Completion": "openai.completions",
    "openai.types.chat.chat_completion_chunk.ChatCompletionChunk": "openai.chat",
    "openai.types.chat.chat_completion.ChatCompletion": "openai.chat",
    "openai.types.create_embedding_response.CreateEmbeddingResponse": "openai.embeddings",
    "openai.types.model.Model": "openai.models",
    "ollama._types.GenerateResponse": "ollama.generate",
    "ollama._types.ChatResponse": "ollama.chat",
    "ollama._types.EmbedResponse": "ollama.embed",
    "ollama._types.EmbeddingsResponse": "ollama.embed",
}

# URL path endings, most specific first.
_PATHS = (
    ("/chat/completions", "openai.chat"),
    ("/completions", "openai.completions"),
    ("/embeddings", "openai.embeddings"),
    ("/models", "openai.models"),
    ("/api/generate", "ollama.generate"),
    ("/api/chat", "ollama.chat"),
    ("/api/embed", "ollama.embed"),
    ("/api/embeddings", "ollama.embed"),
    ("/messages", "anthropic.messages"),
    ("/interactions", "google.interactions"),
    ("/generate_content", "gemini"),
    ("/generate_content_stream", "gemini"),
    (":generateContent", "gemini"),
    (":streamGenerateContent", "gemini"),
    ("/responses", "openai.responses"),
    ("/v2/chat", "cohere.chat"),
    ("/v2/embed", "cohere.embed"),
    (":embedContent", "gemini.embed"),
    (":batchEmbedContents", "gemini.embed"),
    ("/converse", "bedrock.converse"),
    ("/converse-stream", "bedrock.converse"),
)

# Formats that record the HTTP exchange itself (not an SDK's view of it): a call no
# API family claims is shown as plain HTTP there.
_HTTP_FORMATS = {"vcr", "har"}


def detect(rec: Recording) -> str:
    """The API family of a recorded call, from chunk types, then URL path, then body shape."""
    raw_request = as_dict(as_dict(rec.stored).get("request")) if rec.format == "llama-stack" else {}
    if "tool_name" in raw_request:
        return "tool"
    if "file_id" in raw_request:
        return "other"
    for kind in dict.fromkeys(rec.response.event_types):  # (each name once: a stream repeats a few names)
        if kind in _PYDANTIC_TYPES:
            return _refine(_PYDANTIC_TYPES[kind], rec)
        if kind and kind.startswith("ollama._types."):
            return "ollama.other"
    path = (rec.request.endpoint or rec.request.url or "").split("?")[0].split("#")[0].rstrip("/")
    for suffix, api in _PATHS:
        if path.endswith(suffix):
            return _refine(api, rec)
    if rec.format in _HTTP_FORMATS:
        return _from_http(rec, path)
    if path.startswith("/api/"):
        return "ollama.other"
    return _from_shape(rec)


def _from_http(rec: Recording, path: str) -> str:
    """A recorded HTTP exchange whose path no family claims: by host and path, then by body shape."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(rec.request.url or "").hostname or "").lower()
    except ValueError:
        host = ""
    if "cohere" in host and path.endswith("/chat"):
        return "cohere.chat"
    if "cohere" in host and path.endswith("/embed"):
        return "cohere.embed"
    if path.endswith(("/invoke", "/invoke-with-response-stream")):  # Bedrock InvokeModel: the model's own body
        shape = _from_shape(rec)
        if shape in ("other", "cohere.embed", "gemini.embed") and _embedding_body(rec):
            return "bedrock.embed"
        return "http" if shape == "other" else shape
    if path.endswith(":predict") and _embedding_body(rec):  # Vertex AI text embeddings
        return "gemini.embed"
    if path.startswith("/api/") and ":11434" in (rec.request.url or ""):  # Ollama's native API
        return "ollama.other"
    shape = _from_shape(rec)
    return "http" if shape == "other" else shape


def _embedding_body(rec: Recording) -> bool:
    from llmcat.apis.embeddings import looks_like

    return len(rec.response.events) == 1 and looks_like(rec.response.events[0])


def _refine(api: str, rec: Recording) -> str:
    """Trust the chunks over the label: some recorders filed chat chunks under /v1/completions."""
    if api in ("openai.completions", "openai.chat"):
        for event in rec.response.events:
            for choice in as_list(as_dict(event).get("choices")):
                choice = as_dict(choice)
                if api == "openai.chat" and ("delta" in choice or "message" in choice):
                    return "openai.chat"  # Together adds a completions-style `text` to chat chunks
                if isinstance(choice.get("text"), str):  # some hosts add a chat-style delta too
                    return "openai.completions"
                if "delta" in choice or "message" in choice:
                    return "openai.chat"
    return api


def _from_shape(rec: Recording) -> str:
    for event in rec.response.events:
        api = detect_body(event)
        if api != "other":
            return api
    return "other"


_COHERE_EVENTS = {"message-start", "content-start", "content-delta", "content-end", "tool-plan-delta", "tool-call-start",
                  "tool-call-delta", "tool-call-end", "message-end", "citation-start", "citation-end",
                  "stream-start", "text-generation", "stream-end", "tool-calls-generation", "tool-calls-chunk"}
_ANTHROPIC_EVENTS = {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"}
_BEDROCK_EVENTS = ("messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop")


def detect_body(event: Any) -> str:
    """The API family of one response body or stream event, by its shape alone."""
    event = as_dict(event)
    if not event:
        return "other"
    if "candidates" in event or "usageMetadata" in event or "usage_metadata" in event:
        return "gemini"
    kind = as_str(event.get("type"))
    if kind in _ANTHROPIC_EVENTS or (kind == "message" and "content" in event):
        return "anthropic.messages"
    if str(event.get("object", "")).startswith("chat.completion"):
        return "openai.chat"
    if event.get("object") == "text_completion":
        return "openai.completions"
    if (isinstance(kind, str) and kind.startswith("response.")) or event.get("object") == "response":
        return "openai.responses"
    if kind in _COHERE_EVENTS or as_str(event.get("event_type")) in _COHERE_EVENTS:
        return "cohere.chat"
    if "event_type" in event:
        return "google.interactions"
    if any(key in event for key in _BEDROCK_EVENTS) or ("stopReason" in event and "output" in event):
        return "bedrock.converse"
    if "done" in event and "model" in event:  # Ollama's native API (NDJSON)
        if isinstance(event.get("message"), dict):
            return "ollama.chat"
        if "response" in event:
            return "ollama.generate"
    if "total_duration" in event and "embeddings" in event:
        return "ollama.embed"
    if "finish_reason" in event and isinstance(event.get("message"), dict) and "choices" not in event:
        return "cohere.chat"
    if isinstance(event.get("choices"), list) and event["choices"]:
        first = as_dict(event["choices"][0])
        if "delta" in first or "message" in first:
            return "openai.chat"
        if "text" in first:
            return "openai.completions"
    return _embedding_shape(event)


def _embedding_shape(event: dict) -> str:
    from llmcat.apis.embeddings import looks_like

    if not looks_like(event):
        return "other"
    if isinstance(event.get("data"), list):
        return "openai.embeddings"
    if isinstance(event.get("embedding"), dict) or "predictions" in event:
        return "gemini.embed"
    if "inputTextTokenCount" in event or isinstance(event.get("embedding"), list):
        return "bedrock.embed"
    embeddings = event.get("embeddings")
    if isinstance(embeddings, list) and embeddings and isinstance(embeddings[0], dict):
        return "gemini.embed"
    return "cohere.embed"


def reassemble(rec: Recording, api: str | None = None) -> Completion:
    api = api or detect(rec)
    found = _imported.get(api)
    if found is None:
        target = _REASSEMBLERS.get(api)
        if target is None:
            return _opaque(rec, api)
        module_name, func_name = target.split(":")
        found = _imported[api] = (importlib.import_module(f"llmcat.apis.{module_name}"), func_name)
    module, func_name = found
    func: Callable[[Recording], Completion] = getattr(module, func_name)
    return func(rec)


_imported: dict[str, tuple[Any, str]] = {}  # api name -> (its module, once imported; its function's name)


def _opaque(rec: Recording, api: str) -> Completion:
    """A call llmcat has no reassembler for: keep its body to show raw."""
    events = rec.response.events
    out = Completion(api=api)
    out.details = {"body": events[0] if len(events) == 1 else events}
    return finish(out, rec)


_PROMPT_KEYS = ("prompt", "input")
_MESSAGE_KEYS = ("messages", "contents")


def request_view(rec: Recording) -> dict[str, Any]:
    """What was asked, in the shape `show --json` prints under "request"."""
    req = rec.request
    body = req.body
    prompt = messages = None
    params: dict[str, Any] = {}
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "model":
                continue
            if key in _PROMPT_KEYS and prompt is None:
                if key == "input" and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                    messages = value  # Responses/Interactions API turns
                else:
                    prompt = value
            elif key in _MESSAGE_KEYS and messages is None:
                messages = value
            else:
                params[key] = value
    elif body is not None:
        params = {"body": body}
    return {
        "method": req.method,
        "url": req.url,
        "endpoint": req.endpoint,
        "model": req.model,
        "test_id": req.test_id,
        "params": params,
        "prompt": prompt,
        "messages": messages,
    }
