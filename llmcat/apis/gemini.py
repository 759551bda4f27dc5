"""Google Gemini generateContent / streamGenerateContent (REST camelCase and SDK snake_case dumps)."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_int, as_list, as_str, seal, json_text, make_usage, stream_error
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


# The FinishReason enum's numbers, for bodies dumped with enums as integers (proto's
# MessageToDict(use_integers_for_enums=True), SDK objects dumped as ints). 0 is "unspecified":
# no finish. The two APIs agree up to 5 and number the rest differently.
_FINISH_NAMES = ("", "STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "OTHER")
_DEVELOPER_API_MORE = ("LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL",
                       "IMAGE_SAFETY", "UNEXPECTED_TOOL_CALL")
_VERTEX_MORE = ("BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MALFORMED_FUNCTION_CALL")


def finish_name(value: Any, url: str | None) -> str | None:
    """The finish reason as Google names it, whether recorded as its name or its enum number."""
    if isinstance(value, str):
        return value or None
    number = as_int(value)
    if number is None or number < 0:
        return None
    if number < len(_FINISH_NAMES):
        return _FINISH_NAMES[number] or None
    more = _VERTEX_MORE if "aiplatform" in (url or "") else _DEVELOPER_API_MORE
    return more[number - 6] if number - 6 < len(more) else str(number)


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
            reason = finish_name(_get(candidate, "finishReason", "finish_reason"), rec.request.url)
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
