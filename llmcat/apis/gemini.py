"""Google Gemini generateContent / streamGenerateContent (REST camelCase and SDK snake_case dumps)."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_list, as_str, seal, json_text, make_usage, stream_error
from llmcat.model import Completion, Recording
from llmcat.apis.registry import Api, register


def _get(obj: dict, camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def usage_of(raw: Any):
    meta = as_dict(raw)
    return make_usage(
        _get(meta, "promptTokenCount", "prompt_token_count"),
        _get(meta, "candidatesTokenCount", "candidates_token_count"),
        _get(meta, "totalTokenCount", "total_token_count"),
        raw,
    )


def reassemble(rec: Recording) -> Completion:
    out = Completion(api="gemini")
    choices = Choices()
    finished = False
    for event in rec.response.events:
        if not isinstance(event, dict):
            continue
        if event.get("error") is not None:
            out.error = stream_error(event)
        for position, candidate in enumerate(as_list(event.get("candidates"))):
            if not isinstance(candidate, dict):
                continue
            choice = choices.get(candidate.get("index", position))
            carried = False
            for part in as_list(as_dict(candidate.get("content")).get("parts")):
                carried |= _add_part(choice, as_dict(part))
            if carried and finished:
                out.content_after_finish += 1
            reason = as_str(_get(candidate, "finishReason", "finish_reason"))
            if reason:
                choice.finish_reason = reason
                finished = True
        meta = _get(event, "usageMetadata", "usage_metadata")
        usage = usage_of(meta)
        if usage is not None:
            out.usage = usage
    out.choices = choices.build()
    out.finished = finished
    return seal(out, rec)


def _add_part(choice, part: dict) -> bool:
    text = part.get("text")
    if isinstance(text, str) and text:
        (choice.reasoning if part.get("thought") is True else choice.text).append(text)
        return True
    call = _get(part, "functionCall", "function_call")
    if isinstance(call, dict):
        tool = ToolCallBuilder(as_str(call.get("id")), as_str(call.get("name")), "function")
        tool.parts.append(json_text(call.get("args", {})))
        choice.tools.append(tool)
        return True
    code = _get(part, "executableCode", "executable_code")
    if isinstance(code, dict):  # built-in code execution, a server-side tool
        tool = ToolCallBuilder(None, "code_execution", "executable_code")
        tool.parts.append(json_text(code))
        choice.tools.append(tool)
        return True
    return False


def looks_like(event: dict) -> bool:
    return "candidates" in event or "usageMetadata" in event or "usage_metadata" in event


register(Api(
    name="gemini", summary="Gemini generateContent and streamGenerateContent (Google AI and Vertex AI)", reassemble=reassemble,
    paths=("/generate_content", "/generate_content_stream", ":generateContent", ":streamGenerateContent"),
    body=looks_like, order=10, streams=True,
))
