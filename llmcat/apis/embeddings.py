"""Embeddings: the vectors of every provider's body, and the reassembler for those not OpenAI- or Ollama-shaped
(Cohere, Gemini/Vertex, Bedrock).

What matters of an embeddings call is how many vectors came back and their dimension
(in `Completion.details`), and the tokens billed.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import as_dict, as_list, make_usage, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def embedding_details(vectors: list) -> dict:
    dims = sorted({len(v) for v in vectors if isinstance(v, list)})
    # base64-encoded vectors are strings: their dimension is not known without decoding.
    return {"embeddings": len(vectors), "dimensions": dims[0] if len(dims) == 1 else (dims or None)}


def vectors_of(body: Any) -> list:
    """The embedding vectors of a body, whatever the provider's nesting."""
    body = as_dict(body)
    embeddings = body.get("embeddings")
    if isinstance(embeddings, dict):  # Cohere v2 / Bedrock Cohere: {"float": [[...]], "int8": ...}
        for value in embeddings.values():
            if isinstance(value, list):
                return value
        return []
    if isinstance(embeddings, list):
        # Cohere v1: [[...]]; Gemini batch: [{"values": [...]}]; Bedrock Nova: [{"embedding": [...]}]
        return [e.get("values", e.get("embedding")) if isinstance(e, dict) else e for e in embeddings]
    embedding = body.get("embedding")
    if isinstance(embedding, dict):  # Gemini embedContent
        return [embedding.get("values")]
    if isinstance(embedding, list):  # Bedrock Titan
        return [embedding]
    predictions = as_list(body.get("predictions"))  # Vertex AI predict
    if predictions:
        return [as_dict(as_dict(p).get("embeddings")).get("values") for p in predictions]
    if isinstance(body.get("data"), list):  # OpenAI-shaped (Voyage, Mistral, ...)
        return [as_dict(item).get("embedding") for item in body["data"]]
    return []


def looks_like(body: Any) -> bool:
    body = as_dict(body)
    # A vector is a list of numbers (or base64 text): a `data` list of anything else (image URLs,
    # rerank scores, crawled pages) is not embeddings.
    vectors = vectors_of(body)
    return (any(isinstance(v, (list, str)) for v in vectors)
            and not any(k in body for k in ("choices", "candidates", "output", "message")))


def _reassemble(rec: Recording, api: str) -> Completion:
    out = Completion(api=api)
    body = as_dict(rec.response.events[0]) if rec.response.events else {}
    if body and not (rec.response.status or 0) >= 400:
        out.details = embedding_details(vectors_of(body))
    out.usage = _usage(body)
    return seal(out, rec)


def _usage(body: dict):
    meta = as_dict(body.get("meta"))
    billed = as_dict(meta.get("billed_units"))
    if billed:
        return make_usage(billed.get("input_tokens"), None, None, meta)
    if "inputTextTokenCount" in body:  # Bedrock Titan
        return make_usage(body["inputTextTokenCount"], None, None, {"inputTextTokenCount": body["inputTextTokenCount"]})
    usage = as_dict(body.get("usageMetadata")) or as_dict(body.get("usage"))
    if usage:
        prompt = usage.get("promptTokenCount", usage.get("prompt_tokens", usage.get("input_tokens")))
        return make_usage(prompt, None, usage.get("totalTokenCount", usage.get("total_tokens")), usage)
    tokens = [as_dict(as_dict(as_dict(p).get("embeddings")).get("statistics")).get("token_count") for p in as_list(body.get("predictions"))]
    counts = [t for t in tokens if isinstance(t, (int, float))]
    if counts and len(counts) == len(tokens):  # Vertex AI
        return make_usage(int(sum(counts)), None, None, {"token_count": counts})
    return None


def reassemble_cohere(rec: Recording) -> Completion:
    return _reassemble(rec, "cohere.embed")


def reassemble_gemini(rec: Recording) -> Completion:
    return _reassemble(rec, "gemini.embed")


def reassemble_bedrock(rec: Recording) -> Completion:
    out = _reassemble(rec, "bedrock.embed")
    counted = rec.response.headers.get("x-amzn-bedrock-input-token-count", "")
    if out.usage is None and counted.isdigit():  # InvokeModel reports input tokens in a header
        out.usage = make_usage(int(counted), None, None, {"x-amzn-bedrock-input-token-count": counted})
    return out


def _bedrock_shape(event: dict) -> bool:
    embedding = event.get("embedding")
    if isinstance(embedding, dict) or "predictions" in event:
        return False  # Gemini's
    return ("inputTextTokenCount" in event or isinstance(embedding, list)) and looks_like(event)


def _gemini_shape(event: dict) -> bool:
    embeddings = event.get("embeddings")
    listed = isinstance(embeddings, list) and bool(embeddings) and isinstance(embeddings[0], dict)
    return (isinstance(event.get("embedding"), dict) or "predictions" in event or listed) and looks_like(event)


def vertex_predict(rec: Recording, path: str) -> str | None:
    """Vertex AI's text embeddings answer a generic `:predict`."""
    events = rec.response.events
    if path.endswith(":predict") and len(events) == 1 and looks_like(events[0]):
        return "gemini.embed"
    return None


register(Api(name="bedrock.embed", summary="Bedrock embeddings (Titan, Cohere, Nova on InvokeModel)",
             reassemble=reassemble_bedrock, body=_bedrock_shape, order=111))
register(Api(name="gemini.embed", summary="Gemini and Vertex AI embeddings", reassemble=reassemble_gemini,
             paths=(":embedContent", ":batchEmbedContents"), body=_gemini_shape, url_rule=vertex_predict, order=112))
register(Api(name="cohere.embed", summary="Cohere embed", reassemble=reassemble_cohere,
             paths=("/v2/embed",), body=looks_like, order=113))
