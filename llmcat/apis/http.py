"""Any other HTTP exchange (an image download, an OAuth call, a file upload): what it was, not what it said."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

_BODY_PREVIEW = 2000  # a small JSON body is shown as well; a big one is only measured


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="http")
    resp = rec.response
    details: dict[str, Any] = {
        "method": rec.request.method,
        "url": rec.request.url,
        "status": resp.status,
        "content_type": resp.content_type,
        "size": resp.size,
    }
    if len(resp.events) == 1 and isinstance(resp.events[0], (dict, list)):
        import orjson

        try:
            small = len(orjson.dumps(resp.events[0])) <= _BODY_PREVIEW
        except TypeError:  # e.g. an integer past 64 bits from YAML: measure it no further
            small = False
        if small:
            details["body"] = resp.events[0]
    out.details = details
    return seal(out, rec)


register(Api(name="http", summary="Any other HTTP exchange: method, URL, status, content type and size", reassemble=reassemble))
