"""OpenAI Images (`/images/generations`, `/images/edits`, `/images/variations`), streamed and not.

No text comes back: the images (as URLs or base64), each with the prompt the model
rewrote it from (`revised_prompt`, DALL-E 3). gpt-image models report token usage
(`input_tokens`, `output_tokens`) and may stream `image_generation.partial_image` events
before `image_generation.completed` (`image_edit.*` for edits).
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import as_dict, as_list, as_str, seal, stream_error, usage_from
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording

PATHS = ("/images/generations", "/images/edits", "/images/variations")


def looks_like(event: Any) -> bool:
    event = as_dict(event)
    kind = as_str(event.get("type")) or ""
    if kind.startswith(("image_generation.", "image_edit.")):
        return True
    data = as_list(event.get("data"))
    return "created" in event and bool(data) and all(isinstance(d, dict) and ("url" in d or "b64_json" in d) for d in data)


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="openai.images")
    images: list[dict] = []
    partial = 0
    completed = False
    for event in rec.response.events:
        event = as_dict(event)
        kind = as_str(event.get("type")) or ""
        if kind.endswith(".partial_image"):
            partial += 1
        elif kind.endswith(".completed"):
            images.append(_image(event))
            out.usage = usage_from(event.get("usage"), "input_tokens", "output_tokens", "total_tokens") or out.usage
            completed = True
        elif isinstance(event.get("data"), list):
            images.extend(_image(as_dict(d)) for d in event["data"])
            out.usage = usage_from(event.get("usage"), "input_tokens", "output_tokens", "total_tokens")
        elif kind == "error" or event.get("error") is not None:
            out.error = stream_error(event)
    details: dict[str, Any] = {"images": len(images), "each": images}
    if partial:
        details["partial_images"] = partial
    out.details = details if images or partial else None
    out.finished = completed or not rec.response.streaming
    return seal(out, rec)


def _image(item: dict) -> dict:
    """What is worth showing of one image: where it is (or how big its base64 is), and its prompt."""
    shown: dict[str, Any] = {}
    if isinstance(item.get("url"), str):
        shown["url"] = item["url"]
    if isinstance(item.get("b64_json"), str):
        shown["b64_json_chars"] = len(item["b64_json"])
    for key in ("revised_prompt", "size", "quality", "output_format"):
        if isinstance(item.get(key), str):
            shown[key] = item[key]
    return shown


register(Api(name="openai.images", summary="OpenAI image generation, edits and variations",
             reassemble=reassemble, paths=PATHS, body=looks_like, order=100, streams=True))
