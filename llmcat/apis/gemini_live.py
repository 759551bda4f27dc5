"""Gemini Live sessions (`BidiGenerateContent` over a WebSocket): one model turn's server messages.

A turn's answer is in `serverContent.modelTurn.parts` (text; `thought` parts are its
reasoning; `inlineData` audio is measured, never kept), the spoken answer's transcript in
`serverContent.outputTranscription`, function calls in `toolCall.functionCalls`; the turn
ends at `turnComplete` (or `interrupted`, or a `toolCall` awaiting its answer), and
`usageMetadata` counts it. Field names come camelCase or snake_case.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import ChoiceBuilder, ToolCallBuilder, as_dict, as_list, as_str, json_text, make_usage, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


def _get(obj: Any, camel: str) -> Any:
    obj = as_dict(obj)
    if camel in obj:
        return obj[camel]
    return obj.get("".join(f"_{c.lower()}" if c.isupper() else c for c in camel))


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="gemini.live")
    choice = ChoiceBuilder(0)
    transcript: list[str] = []
    audio_bytes = 0
    for event in rec.response.events:
        server = as_dict(_get(event, "serverContent"))
        for part in as_list(_get(_get(server, "modelTurn"), "parts")):
            audio_bytes += _add_part(choice, as_dict(part))
        spoken = as_str(_get(_get(server, "outputTranscription"), "text"))
        if spoken:
            transcript.append(spoken)
        for call in as_list(_get(_get(event, "toolCall"), "functionCalls")):
            call = as_dict(call)
            tool = ToolCallBuilder(as_str(call.get("id")), as_str(call.get("name")), "function")
            tool.parts.append(json_text(call.get("args", {})))
            choice.tools.append(tool)
            choice.finish_reason = "toolCall"
        if _get(server, "interrupted"):
            choice.finish_reason = "interrupted"
        elif _get(server, "turnComplete") and choice.finish_reason is None:
            choice.finish_reason = "turnComplete"
        meta = as_dict(_get(event, "usageMetadata"))
        if meta:
            completion_tokens = _get(meta, "responseTokenCount")
            out.usage = make_usage(_get(meta, "promptTokenCount"),
                                   completion_tokens if completion_tokens is not None else _get(meta, "candidatesTokenCount"),
                                   _get(meta, "totalTokenCount"), meta)
    if not choice.text and transcript:
        choice.text = transcript  # a spoken answer: its words are the answer
    if audio_bytes:
        out.notes.append(f"answered in audio: {audio_bytes} bytes (shown: its transcript)")
    out.choices = [choice.build()]
    out.finished = choice.finish_reason is not None
    return seal(out, rec)


def _add_part(choice: ChoiceBuilder, part: dict) -> int:
    """Add one part of the model's turn; returns the bytes of audio it carried."""
    text = part.get("text")
    if isinstance(text, str):
        (choice.reasoning if part.get("thought") is True else choice.text).append(text)
    inline = as_dict(_get(part, "inlineData"))
    data = inline.get("data")
    if isinstance(data, str):
        return len(data.rstrip("=")) * 3 // 4
    return 0


register(Api(
    name="gemini.live",
    reassemble=reassemble,
    summary="Gemini Live: one model turn of a WebSocket session, named by the container",
))
