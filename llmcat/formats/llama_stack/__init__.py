"""llama-stack's JSON recordings: `{"request": ..., "response": {"body": ..., "is_streaming": ...}}`.

Chunks are pydantic dumps wrapped as `{"__type__": "module.Class", "__data__": {...}}`,
plain dicts (Gemini), or raw SSE lines as strings (Anthropic Messages, Google Interactions).
"""

from __future__ import annotations

from llmcat.formats.llama_stack.general import FORMAT, looks_like, read
from llmcat.formats.registry import Content, Format, register
from llmcat.model import Need, Recording

FAST_MIN_BYTES = 256 * 1024  # for show and join the fast reader pays from here; below, the general reader is as quick


def read_content(content: Content) -> list[Recording] | None:
    """Big streams through the fast reader when the command allows (same answers, no stored
    response body), everything else through the general reader."""
    need = content.need
    if need.fast and len(content.data) >= (FAST_MIN_BYTES if need.only_big else 0):
        from llmcat.formats.llama_stack import fast

        found = fast.parse(content.data, content.source, need.text, whole_utf8=not need.text or need is Need.CHECK)
        if found is not None:
            return _kept(found, content)
    obj = content.json
    return _kept(read(obj, content.source), content) if looks_like(obj) else None


def _kept(recordings: list[Recording], content: Content) -> list[Recording]:
    if content.need is Need.CHECK:  # check looks at the file's bytes as written (see Need.CHECK)
        recordings[0].raw = content.data
    return recordings


register(Format(
    name=FORMAT, read=read_content, order=10, suffixes=(".json", ".json.gz"),
    summary="llama-stack's recordings (JSON, legacy and current layouts)",
))
