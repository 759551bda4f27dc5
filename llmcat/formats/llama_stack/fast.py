"""A fast reader for big llama-stack streams: decode only what the reassemblers read.

A 100,000-chunk streamed chat recording is ~70 MB of JSON, nearly all of it
fields nobody reads (ids, models, fingerprints, logprobs). Decoding it into
Python objects costs seconds and hundreds of MB; msgspec decoding into Structs
that declare only the needed fields skips the rest without building objects.

Covered: bodies of OpenAI chat chunks, OpenAI (legacy) completions chunks, or
Ollama generate/chat chunks, one type per body.

This is a reader, not a second reassembler. It hands the ordinary reassemblers
in `llmcat.apis` a `Recording` whose events are plain dicts, with one
compaction: a run of consecutive *plain* text chunks for one choice (text only,
no tool call, reasoning, refusal, finish reason, usage or error; before any
choice has finished or Ollama's `done`) becomes one event carrying the run's joined text. The
reassemblers append such text and nothing else, so the run and its join give
the same answer; `Response.recorded_events` keeps the true chunk count.
Every other chunk is passed on as the dict of the fields the reassemblers read.

Commands that only count (`ls`, `stats`) read chat chunks without their text
(`Counted*` Structs: no `delta.content`): the commonest chunk, text for choice 0
and nothing else, is then one value, found by Struct equality in C; each run of
it becomes one event without text. tests/test_fast.py checks `ls --json` and
`stats --json` against the general reader as well.

Anything this reader does not cover (other formats, SSE lines, other chunk
types, mixed bodies, errors, failed calls, any decode or validation error)
returns None, and the caller reads the file with the general reader instead.
tests/test_fast.py checks both give the same `show --json` and `join` output.
"""

# (No `from __future__ import annotations` here: msgspec would compile and eval every annotation
# string when building the decoders, ~3 ms of start-up.)

from typing import Any

import msgspec
import orjson
from msgspec import UNSET, Struct, UnsetType, field

from llmcat.formats.llama_stack.general import read
from llmcat.model import Recording
from llmcat.parsing.memory import reserve

CHAT_CHUNK = "openai.types.chat.chat_completion_chunk.ChatCompletionChunk"
COMPLETION = "openai.types.completion.Completion"
OLLAMA_GENERATE = "ollama._types.GenerateResponse"
OLLAMA_CHAT = "ollama._types.ChatResponse"


# The fields below are every key the reassemblers in llmcat/apis/openai.py read at
# these levels; a key they start reading must be added here (tests/test_fast.py
# checks openai.py's keys against these classes and `INSIDE_WHOLE_FIELDS`).


class CountedDelta(Struct, gc=False):
    # Absent and null are the same to the chat reassembler (it uses `.get`).
    reasoning_content: Any = None
    reasoning: Any = None
    reasoning_details: Any = None
    refusal: Any = None
    tool_calls: Any = None
    function_call: Any = None
    audio: Any = None  # an answer spoken: its transcript is the text


class Delta(CountedDelta, gc=False):
    content: Any = None  # the answer's text: not decoded when only counting (ls, stats)


class CountedChoice(Struct, gc=False):
    # Absent differs from null here (`index` defaults to the position; `"delta" in choice`).
    index: Any = UNSET
    text: Any = UNSET
    delta: CountedDelta | None | UnsetType = UNSET
    message: Any = UNSET
    finish_reason: Any = UNSET


class Choice(CountedChoice, gc=False):
    delta: Delta | None | UnsetType = UNSET


class CountedChunk(Struct, gc=False):
    choices: list[CountedChoice] | UnsetType = UNSET
    usage: Any = None
    time_info: Any = None
    x_groq: Any = None  # Groq's extension: may carry the usage
    error: Any = None


class Chunk(CountedChunk, gc=False):
    choices: list[Choice] | UnsetType = UNSET  # type: ignore[assignment]  # msgspec decodes each class's own field type


class OllamaMessage(Struct, gc=False):
    content: Any = None
    thinking: Any = None
    tool_calls: Any = None


class OllamaChunk(Struct, gc=False):
    # Absent differs from null here: the final chunk's counts and durations are kept only where present.
    response: Any = UNSET
    thinking: Any = UNSET
    message: OllamaMessage | None | UnsetType = UNSET
    done: Any = UNSET
    done_reason: Any = UNSET
    error: Any = UNSET
    prompt_eval_count: Any = UNSET
    eval_count: Any = UNSET
    total_duration: Any = UNSET
    load_duration: Any = UNSET
    prompt_eval_duration: Any = UNSET
    eval_duration: Any = UNSET


# Keys the reassemblers read inside fields decoded whole (`Any`: usage, tool calls,
# reasoning details), or in bodies this reader never takes (embeddings, models, other Ollama calls).
INSIDE_WHOLE_FIELDS = frozenset({
    "prompt_tokens", "completion_tokens", "total_tokens", "input_tokens", "output_tokens",
    "id", "index", "type", "function", "name", "arguments", "text", "summary", "thinking",
    "data", "embedding", "embeddings", "dimensions", "models", "body", "transcript",  # (and keys of their results)
})


class ChatItem(Struct, gc=False, tag_field="__type__", tag=CHAT_CHUNK):
    data: Chunk = field(name="__data__")


class CountedChatItem(Struct, gc=False, tag_field="__type__", tag=CHAT_CHUNK):
    data: CountedChunk = field(name="__data__")


class CompletionItem(Struct, gc=False, tag_field="__type__", tag=COMPLETION):
    data: Chunk = field(name="__data__")


class OllamaGenerateItem(Struct, gc=False, tag_field="__type__", tag=OLLAMA_GENERATE):
    data: OllamaChunk = field(name="__data__")


class OllamaChatItem(Struct, gc=False, tag_field="__type__", tag=OLLAMA_CHAT):
    data: OllamaChunk = field(name="__data__")


class Body(Struct, gc=False):
    body: list[ChatItem | CompletionItem | OllamaGenerateItem | OllamaChatItem]
    is_streaming: Any = UNSET
    status: Any = UNSET
    is_exception: Any = UNSET


class CountedBody(Body, gc=False):
    body: list[CountedChatItem | CompletionItem | OllamaGenerateItem | OllamaChatItem]  # type: ignore[assignment]  # (as Chunk)


class Envelope(Struct):
    # The request is kept as its JSON text and parsed by the general reader's own parser
    # (orjson), so it reads exactly as there (msgspec keeps integers past 64 bits exact, orjson
    # does not); a body this reader does not cover then costs one skipped request, not a parse.
    request: msgspec.Raw
    response: Body
    test_id: Any = UNSET


class CountedEnvelope(Envelope):
    response: CountedBody


_DECODERS: dict[bool, msgspec.json.Decoder[Envelope]] = {True: msgspec.json.Decoder(Envelope), False: msgspec.json.Decoder(CountedEnvelope)}

# The commonest chat chunk when only counting: text for choice 0 and nothing else the
# reassembler reads. Struct equality compares it in C, with no Python step per field.
_PLAIN_COUNTED = CountedChunk(choices=[CountedChoice(index=0, delta=CountedDelta(), finish_reason=None)])


def parse(data: bytes, source: str, text: bool = True, whole_utf8: bool | None = None) -> list[Recording] | None:
    """The recording in `data` if it is a big-stream shape this reader covers, else None.

    `text=False` reads chat streams without their text, for commands that only count
    (`ls`, `stats`): the completion then has the same API, chunk count, finish reasons,
    usage, errors and tool calls as ever, but no answer text (nor content-after-finish
    counts, which need it)."""
    # msgspec does not check the UTF-8 of strings it skips, where the general reader refuses
    # bad UTF-8 anywhere. When counting (a suite: many files, nearly all ASCII, as json.dump
    # writes) a file that is not ASCII is checked whole; show and join on one big stream do
    # not pay that (~0.3 s for 75 MB of mixed text): there a bad byte in a field they skip
    # goes unnoticed (the text they read is checked by msgspec as it decodes it). `whole_utf8`: check
    # it whole anyway (check: a file the general reader refuses must be a finding there too).
    if (not text if whole_utf8 is None else whole_utf8) and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    reserve(len(data))  # msgspec, like orjson, can crash under an address-space limit instead of failing
    try:
        envelope = _DECODERS[text].decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # (MemoryError: the file's failure; the
        # general reader would need more memory, and orjson may crash where msgspec fails cleanly)
        return None  # (msgspec raises UnicodeDecodeError for invalid UTF-8 in a string): the general reader says why
    return recording_of(envelope, source)


def recording_of(envelope: Envelope, source: str) -> list[Recording] | None:
    resp = envelope.response
    items = resp.body
    if not items or resp.is_exception:
        return None
    if not (resp.status is UNSET or resp.status is None or (type(resp.status) is int and resp.status < 400)):
        return None  # a failed call: the general reader keeps its whole body for the error
    kinds = set(map(type, items))
    if len(kinds) != 1:
        return None  # a mixed body: the general reader
    kind: type[Struct] = kinds.pop()
    try:
        request = orjson.loads(memoryview(envelope.request))
    except orjson.JSONDecodeError:
        return None  # (a lone surrogate, a number out of range): the general reader says what it makes of it
    if not isinstance(request, dict):
        return None
    chunks = [item.data for item in items]
    # One kind of item (checked above), so one kind of chunk: mypy cannot follow `kind is` to the list.
    if kind is CountedChatItem:
        events = compact_counted(chunks)  # type: ignore[arg-type]
    elif kind is ChatItem or kind is CompletionItem:
        events = compact(chunks, chat=kind is ChatItem)  # type: ignore[arg-type]
    else:
        events = compact_ollama(chunks, chat=kind is OllamaChatItem)  # type: ignore[arg-type]
    if events is None:
        return None
    light: dict[str, Any] = {"request": request, "response": _envelope_fields(resp)}
    if envelope.test_id is not UNSET:
        light["test_id"] = envelope.test_id
    (rec,) = read(light, source)  # the general reader's own request/response handling
    rec.response.events = events
    tag = kind.__struct_config__.tag
    assert isinstance(tag, str)  # each item class is tagged with the recorded Python type's name
    rec.response.event_types = [tag] * len(events)
    rec.response.recorded_events = len(items)
    return [rec]


def _envelope_fields(resp: Body) -> dict:
    out: dict[str, Any] = {"body": []}
    for name in ("is_streaming", "status", "is_exception"):
        value = getattr(resp, name)
        if value is not UNSET:
            out[name] = value
    return out


def compact(chunks: list[Chunk], chat: bool) -> list[dict] | None:
    """The chunks as event dicts, each run of plain text chunks for one choice joined into one event.

    The hot loop: one pass, inline checks (a function call per chunk costs as much as the rest)."""
    events: list[dict] = []
    run: list[str] = []
    run_index: int | None = None
    joining = True  # until a choice finishes: text after a finish is counted chunk by chunk
    for chunk in chunks:
        if chunk.error is not None:
            return None  # the stream error reads fields of the chunk this reader skipped
        choices = chunk.choices
        if (joining and chunk.usage is None and chunk.time_info is None and chunk.x_groq is None
                and choices is not UNSET and len(choices) == 1):
            choice = choices[0]
            index = choice.index
            reason = choice.finish_reason
            if type(index) is int and (reason is None or reason is UNSET) and choice.message is UNSET:
                if chat:  # a delta with text and nothing else the reassembler reads (inlined: the hot path)
                    delta = choice.delta
                    text = None
                    if (choice.text is UNSET and isinstance(delta, Delta)
                            and delta.reasoning_content is None and delta.reasoning is None
                            and delta.reasoning_details is None and delta.refusal is None
                            and delta.tool_calls is None and delta.function_call is None and delta.audio is None):
                        text = delta.content
                        if type(text) is not str:
                            text = None
                else:
                    text = choice.text if choice.delta is UNSET and type(choice.text) is str else None
                if text is not None:
                    if index != run_index and run:
                        events.append(_joined(run, run_index, chat))
                        run = []
                    run_index = index
                    run.append(text)
                    continue
        if run:
            events.append(_joined(run, run_index, chat))
            run = []
        events.append(msgspec.to_builtins(chunk))
        if joining and choices is not UNSET and any(c.finish_reason is not UNSET and c.finish_reason is not None for c in choices):
            joining = False
    if run:
        events.append(_joined(run, run_index, chat))
    return events


def compact_counted(chunks: list[CountedChunk]) -> list[dict] | None:
    """Chat chunks read without text: each run of plain chunks for choice 0 becomes one event
    with no text (it still makes the choice); every other chunk passes whole."""
    events: list[dict] = []
    plain = _PLAIN_COUNTED
    in_run = False
    for chunk in chunks:
        if chunk == plain:
            if not in_run:
                events.append(_joined([], 0, chat=True))  # a run's event, with no text to join
                in_run = True
            continue
        if chunk.error is not None:
            return None  # the stream error reads fields of the chunk this reader skipped
        in_run = False
        events.append(msgspec.to_builtins(chunk))
    return events


def _joined(run: list[str], index: int | None, chat: bool) -> dict:
    text = "".join(run)
    choice = {"index": index, "delta": {"content": text}} if chat else {"index": index, "text": text}
    return {"choices": [choice]}


def compact_ollama(chunks: list[OllamaChunk], chat: bool) -> list[dict] | None:
    """Ollama's chunks as event dicts, each run of plain text chunks joined into one event (as `compact`)."""
    events: list[dict] = []
    run: list[str] = []
    joining = True  # until the `done` chunk: text after it is counted chunk by chunk
    for chunk in chunks:
        if chunk.error is not UNSET and chunk.error is not None:
            return None  # the stream error reads fields of the chunk this reader skipped
        if joining and chunk.done is not True:
            text = _plain_ollama_text(chunk, chat)
            if text is not None:
                run.append(text)
                continue
        if run:
            events.append(_joined_ollama(run, chat))
            run = []
        events.append(msgspec.to_builtins(chunk))
        if chunk.done is True:
            joining = False
    if run:
        events.append(_joined_ollama(run, chat))
    return events


def _plain_ollama_text(chunk: OllamaChunk, chat: bool) -> str | None:
    """The chunk's text when it carries text and nothing else the reassembler reads, else None."""
    if chunk.thinking is not UNSET and chunk.thinking is not None:
        return None
    message = chunk.message
    if not chat:
        text = chunk.response
        return text if type(text) is str and (message is UNSET or message is None) else None
    if chunk.response is not UNSET and chunk.response is not None or message is UNSET or message is None:
        return None
    text = message.content
    if type(text) is not str or message.thinking is not None or message.tool_calls is not None:
        return None
    return text


def _joined_ollama(run: list[str], chat: bool) -> dict:
    text = "".join(run)
    return {"message": {"content": text}} if chat else {"response": text}
