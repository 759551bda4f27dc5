"""API families: which API a recorded call spoke, and what it said.

Each family is one module here that registers itself (`registry.register`): its name,
how a call is recognised as it, and a pure function from a `Recording`'s events to a
`Completion`. `detect` and `reassemble` are the registry's; `request_view` is what was
asked, the same for every API.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis.registry import body_api, detect, reassemble
from llmcat.model import Recording

__all__ = ["body_api", "detect", "reassemble", "request_view"]

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
