"""Rerankers (`/rerank`): Voyage (`data[]`), Cohere and Jina (`results[]`), each a document's
`index` and `relevance_score`. No text comes back: the ranking, best first, and the tokens
(or Cohere's search units) billed.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import as_dict, as_int, as_list, make_usage, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def _ranked(body: dict) -> list:
    return as_list(body.get("results")) or as_list(body.get("data"))


def looks_like(event: Any) -> bool:
    ranked = _ranked(as_dict(event))
    return bool(ranked) and all(isinstance(r, dict) and "relevance_score" in r and "index" in r for r in ranked)


def url_rule(rec: Recording, path: str) -> str | None:
    """`/rerank` is many servers' path (llama-stack's own answers differently): the ranking's shape decides."""
    return "rerank" if path.endswith("/rerank") and any(isinstance(e, dict) and looks_like(e) for e in rec.response.events) else None


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="rerank")
    body = as_dict(rec.response.events[0]) if len(rec.response.events) == 1 else {}
    ranked = [as_dict(r) for r in _ranked(body)]
    if ranked:
        order = sorted(ranked, key=lambda r: -r["relevance_score"] if isinstance(r.get("relevance_score"), (int, float)) else 0)
        out.details = {"ranked": [{"index": as_int(r.get("index")), "relevance_score": r.get("relevance_score")} for r in order]}
    usage = as_dict(body.get("usage"))
    if usage:
        out.usage = make_usage(usage.get("prompt_tokens"), None, usage.get("total_tokens"), usage)
    billed = as_dict(as_dict(body.get("meta")).get("billed_units"))
    if billed and out.details is not None:
        out.details["billed_units"] = billed  # Cohere bills search units, not tokens
    return seal(out, rec)


register(Api(name="rerank", summary="Rerankers (Voyage, Cohere, Jina): the ranking",
             reassemble=reassemble, url_rule=url_rule, body=looks_like, order=105))
