"""Google Gemini generateContent / streamGenerateContent (REST camelCase and SDK snake_case dumps)."""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import Choices, ToolCallBuilder, as_dict, as_int, as_list, as_str, json_text, make_usage, seal, stream_error
from llmcat.apis.registry import Api, register
from llmcat.model import Completion, Recording


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


# --- the conversation: contents' parts of the request and of the answer, one vocabulary ------------------


def transcript(body: dict):
    from llmcat.apis import _conversation as cv
    from llmcat.model import Transcript

    config = as_dict(body.get("config")) or as_dict(body.get("generation_config"))  # SDK dumps keep these in a config
    system = _get(body, "systemInstruction", "system_instruction") or _get(config, "systemInstruction", "system_instruction")
    blocks = _turn_blocks(cv, "system", system) if system is not None else []
    contents = body.get("contents")
    for turn in contents if isinstance(contents, list) else [contents] if contents is not None else []:
        if isinstance(turn, dict) and "parts" in turn:
            blocks += _turn_blocks(cv, cv.role_of(turn.get("role")), turn)
        else:  # the SDK accepts bare strings and parts
            blocks += _turn_blocks(cv, "user", turn)
    tools = body.get("tools") if body.get("tools") is not None else config.get("tools")
    return Transcript(blocks, cv.tool_specs(tools), ("contents", "systemInstruction", "system_instruction", "tools"))


def _turn_blocks(cv, role: str, turn) -> list:
    if isinstance(turn, str):
        return [cv.text(role, turn)]
    parts = as_list(turn.get("parts")) if isinstance(turn, dict) and "parts" in turn else as_list(turn) or [turn]
    return [block for part in parts for block in part_blocks(cv, role, part)]


def part_blocks(cv, role: str, part) -> list:
    """One part; a thought signature marks the block it rides on (`signed`), it is no block of its own."""
    if isinstance(part, str):
        return [cv.text(role, part)]
    part = as_dict(part)
    signed = bool(_get(part, "thoughtSignature", "thought_signature"))
    call, response = _get(part, "functionCall", "function_call"), _get(part, "functionResponse", "function_response")
    inline, file = _get(part, "inlineData", "inline_data"), _get(part, "fileData", "file_data")
    code, outcome = _get(part, "executableCode", "executable_code"), _get(part, "codeExecutionResult", "code_execution_result")
    if isinstance(part.get("text"), str):
        block = cv.reasoning(role, part["text"]) if part.get("thought") is True else cv.text(role, part["text"])
    elif isinstance(call, dict):
        block = cv.tool_call(call.get("id"), call.get("name"), call.get("args", {}), role)
    elif isinstance(response, dict):
        block = cv.tool_result(response.get("id"), response.get("name"), _response_content(response.get("response")))
    elif isinstance(inline, dict):
        block = cv.media(role, _get(inline, "mimeType", "mime_type"), data=inline.get("data"))
    elif isinstance(file, dict):
        block = cv.media(role, _get(file, "mimeType", "mime_type"), url=_get(file, "fileUri", "file_uri"))
    elif isinstance(code, dict):
        block = cv.server_call(role, None, "code_execution", "executable_code", code)
    elif isinstance(outcome, dict):
        block = cv.server_result(role, None, "code_execution", "code_execution_result", outcome.get("output", outcome))
    elif signed and len(part) == 1:
        return []  # a bare signature closing a stream
    else:
        block = cv.other(role, part)
    block.signed = signed
    return [block]


def _response_content(response):
    """A function response is an object, shown whole; only the SDKs' own wrappings of a plain return value,
    `{"result": text}` (google-genai's automatic function calling) and `{"output": text}` (the API's
    documented key for a function's output), are that text."""
    if isinstance(response, dict) and len(response) == 1:
        (key, value), = response.items()
        if key in ("result", "output") and isinstance(value, str):
            return value
    return response


def answer_blocks(rec: Recording, completion: Completion):
    """Each candidate's parts in order, consecutive text (or thought) fragments of a stream joined."""
    from llmcat.apis import _conversation as cv

    merged: dict[int, list] = {}
    for event in rec.response.events:
        for position, candidate in enumerate(as_list(as_dict(event).get("candidates"))):
            candidate = as_dict(candidate)
            index = candidate.get("index", position)
            parts = merged.setdefault(index if isinstance(index, int) else position, [])
            for part in as_list(as_dict(candidate.get("content")).get("parts")):
                _merge_part(parts, as_dict(part))
    if sorted(merged) != [c.index for c in completion.choices]:
        return None
    return [[b for part in merged[index] for b in part_blocks(cv, "assistant", part)] for index in sorted(merged)]


def _merge_part(parts: list, part: dict) -> None:
    text = part.get("text")
    if isinstance(text, str) and not text and len(part) == 1:
        return  # an empty closing fragment
    last = parts[-1] if parts else None
    if (isinstance(text, str) and last is not None and isinstance(last.get("text"), str)
            and bool(last.get("thought")) == bool(part.get("thought"))):
        parts[-1] = {**last, **part, "text": last["text"] + text}
        return
    parts.append(part)


def looks_like(event: dict) -> bool:
    return "candidates" in event or "usageMetadata" in event or "usage_metadata" in event


register(Api(
    name="gemini", summary="Gemini generateContent and streamGenerateContent (Google AI and Vertex AI)", reassemble=reassemble,
    paths=("/generate_content", "/generate_content_stream", ":generateContent", ":streamGenerateContent"),
    body=looks_like, order=10, streams=True,
    transcript=transcript, answer=answer_blocks,
))
