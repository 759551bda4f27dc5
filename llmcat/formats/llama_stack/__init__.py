"""llama-stack's JSON recordings: `{"request": ..., "response": {"body": ..., "is_streaming": ...}}`.

Chunks are pydantic dumps wrapped as `{"__type__": "module.Class", "__data__": {...}}`,
plain dicts (Gemini), or raw SSE lines as strings (Anthropic Messages, Google Interactions).
"""

from __future__ import annotations

from llmcat.formats.llama_stack.general import FORMAT, looks_like, read
from llmcat.formats.registry import Content, Format, register
from llmcat.model import Recording

FAST_MIN_BYTES = 256 * 1024  # for show and join the fast reader pays from here; below, the general reader is as quick


def read_content(content: Content) -> list[Recording] | None:
    """Big streams through the fast reader when the command allows (same answers, no stored
    response body), everything else through the general reader."""
    need = content.need
    if need.fast and len(content.data) >= (FAST_MIN_BYTES if need.only_big else 0):
        from llmcat.formats.llama_stack import fast

        found = fast.parse(content.data, content.source, need.text)
        if found is not None:
            return found
    obj = content.json
    return read(obj, content.source) if looks_like(obj) else None


register(Format(
    name=FORMAT, read=read_content, order=10, suffixes=(".json", ".json.gz"),
    summary="llama-stack's recordings (JSON, legacy and current layouts)",
))
