"""The small data model shared by readers, reassemblers and renderers.

Data flows one way: a format reader turns a file into `Recording`s (what was
sent, and the raw response events as recorded); an API reassembler turns a
`Recording` into a `Completion` (what the model said); renderers draw either.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple

# msgspec Structs rather than dataclasses: defining one costs ~35 us, not ~0.9 ms (start-up
# of every command), and making one is cheaper (`ls` makes several per recorded call).
from msgspec import Struct, field


class InputError(Exception):
    """A file llmcat cannot read as a recording; the message is one line for stderr."""

    code = "unreadable"  # `check`'s finding code


class CannotOpen(InputError):
    """The file could not be opened or read at all (permission, not a regular file, a broken
    link): whatever its name, a directory walk reports it, for it may be a recording."""


class NotARecording(InputError):
    """Readable, well-formed data that is not a recording (a directory walk skips these quietly)."""

    code = "not-a-recording"


class EmptyRecording(NotARecording):
    """A recording of a session that made no call (`interactions: []`, a test-proxy record with no
    entries, an empty `.yaml`): not an error. The pipeline reads it as a file of no calls (no row,
    exit status unaffected); `check` names it once, as a warning. The message says what it is."""

    code = "empty-recording"
    size = 0  # the file's size as stored (set by `formats.load`)


class Need(Enum):
    """What a command needs of each file it reads: one typed answer instead of reader flags.

    The llama-stack format may answer big streams with its fast reader (msgspec, only the
    fields reassembly reads): the same answers, but no raw response body to show or check."""

    EVERYTHING = "everything"  # the container's own objects kept (diff, check): general reader only
    ANSWERS = "answers"  # show, join: streams of formats.llama_stack.FAST_MIN_BYTES or more may take the fast reader
    COUNTS = "counts"  # ls, stats: every stream through the fast reader, answers' text left out
    COUNTS_AND_TEXT = "counts-and-text"  # ls --grep: as COUNTS, with the text to search
    # check: as COUNTS_AND_TEXT, the file's bytes kept as `Recording.raw`; check reads a file again in
    # full (EVERYTHING) where those bytes could hold a credential (the response as stored is searched)
    CHECK = "check"

    @property
    def fast(self) -> bool:
        """May the fast reader answer (for streams big enough, see `only_big`)?"""
        return self is not Need.EVERYTHING

    @property
    def only_big(self) -> bool:
        """The fast reader only for files of `formats.llama_stack.FAST_MIN_BYTES` or more."""
        return self is Need.ANSWERS

    @property
    def text(self) -> bool:
        return self is not Need.COUNTS


class Request(Struct):
    method: str | None = None
    url: str | None = None
    endpoint: str | None = None  # the URL path, as the recorder saw it
    model: str | None = None
    test_id: str | None = None
    body: Any = None  # the decoded request body (JSON object), raw text, or None


class Response(Struct):
    status: int | None = None
    streaming: bool = False
    # Decoded response payloads in order: one per chunk or SSE event for a
    # stream, exactly one for a plain body. SSE `data:` that is not JSON stays a str.
    events: list[Any] = field(default_factory=list)
    # Parallel to `events` where the container names them: the SSE `event:`
    # field, or llama-stack's pydantic `__type__`. None where unknown.
    event_types: list[str | None] = field(default_factory=list)
    done_marker: bool = False  # the stream ended with `data: [DONE]`
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    size: int | None = None  # body size in bytes, where the container tells
    exception: dict[str, Any] | None = None  # a client-side exception recorded instead of a body
    timing: dict[str, Any] | None = None  # container-level timings (HAR)
    # How many events were recorded, where `events` holds fewer: the fast reader
    # (formats/llama_stack/fast.py) joins runs of plain text chunks. None: len(events).
    recorded_events: int | None = None


# What formats declare of themselves (llmcat/formats/registry.py fills these as each registers;
# kept here so that a Recording can be named without importing the formats).
MULTI_CALL_FORMATS: set[str] = set()  # `FILE#N` names one call of these
HTTP_EXCHANGE_FORMATS: set[str] = set()  # their calls are HTTP exchanges: what no API claims is `http`


class Recording(Struct):
    source: str  # the path as given on the command line, or "-"
    interaction: int  # 0-based position inside a multi-call container
    format: str  # "llama-stack", "vcr", "har", "sse", "jsonl", "json"
    request: Request
    response: Response
    stored: Any = None  # the container's own object for this call, as stored (for --strict and check)
    api: str | None = None  # the API, where the container itself tells (a tool-runtime call, a WebSocket session)
    raw: bytes | None = None  # the file's bytes, when this call is the whole file and check reads it (Need.CHECK)

    @property
    def label(self) -> str:
        """How the call is named to people: its path, with `#N` inside a container of several calls."""
        return f"{self.source}#{self.interaction}" if self.format in MULTI_CALL_FORMATS else self.source


class ToolCall(Struct):
    id: str | None
    name: str | None
    arguments: str  # one JSON text, as the fragments concatenate
    kind: str | None = None  # "function", or a provider's server tool type


class Choice(Struct):
    index: int
    text: str = ""
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None


class Usage(Struct):
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    reported: Any = None  # the provider's own usage object, as recorded
    reasoning_tokens: int | None = None  # where the provider reports them (None: not reported)
    cached_tokens: int | None = None  # prompt tokens read from the provider's cache, where reported


class Completion(Struct):
    api: str
    choices: list[Choice] = field(default_factory=list)
    usage: Usage | None = None
    timing: dict[str, Any] | None = None
    error: dict[str, Any] | None = None  # {"type", "status_code", "message"}
    chunks: int = 0
    # Stream health, for `check`: did the stream reach its terminal event, and
    # how many chunks carried content after it.
    finished: bool = True
    content_after_finish: int = 0
    # What is not a chat answer: embeddings count/dimensions, a model list,
    # an HTTP body's type and size, or an unknown body shown raw.
    details: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)  # things worth saying (e.g. stream/final disagree)
    # The model as the answer names it, where the recording holds no request that does (a bare capture).
    answered_by: str | None = None


# --- the conversation, normalised: the same vocabulary for every provider -----------------------

BLOCK_TYPES = ("text", "reasoning", "tool_call", "tool_result", "server_tool_call", "server_tool_result", "media", "refusal", "other")


class Block(Struct, omit_defaults=True):
    """One piece of a conversation, in order: what the request carried, or what a choice answered.

    `role` is system, user, assistant or tool (a tool's result is `tool` whatever envelope the
    provider wraps it in); `type` one of BLOCK_TYPES. Only the fields of that type are set."""

    role: str
    type: str
    text: str | None = None  # text, reasoning, refusal
    id: str | None = None  # tool_call / server_tool_call: the call's id; tool_result / server_tool_result: the call it answers
    name: str | None = None  # the tool's name
    kind: str | None = None  # the provider's own type (server tools, media, other)
    arguments: str | None = None  # tool_call / server_tool_call: one JSON text
    content: str | None = None  # tool_result / server_tool_result: as text (a summary for server results)
    is_error: bool = False  # tool_result
    encrypted: bool = False  # reasoning sent only as a signature or opaque blob
    signed: bool = False  # carries a provider signature (Gemini's thought signatures): an attribute, not a block
    media_type: str | None = None  # media
    size: int | None = None  # media: bytes of inline data (never the data)
    url: str | None = None  # media by reference
    raw: Any = None  # other: the provider's object


class ToolSpec(Struct):
    """A tool offered to the model, whatever the provider's envelope."""

    name: str
    description: str | None = None
    parameters: Any = None  # its JSON schema, as sent


class Transcript(Struct):
    """What a chat request asked, normalised: the blocks in order and the tools offered.

    `keys` names the request body's keys the transcript stands for (messages, system,
    tools...): views show and compare the transcript in their place."""

    blocks: list[Block] = field(default_factory=list)
    tools: list[ToolSpec] = field(default_factory=list)
    keys: tuple[str, ...] = ()


class Row(NamedTuple):
    """One recorded call as `ls` and `stats` see it (a tuple: cheap to send back from a worker process)."""

    source: str
    interaction: int
    label: str  # the path, with `#N` for a call inside a multi-call file
    format: str
    api: str
    model: str | None
    streaming: bool
    chunks: int
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    failed: bool
    test_id: str | None
    host: str | None
    tools: bool
    error: str | None = None  # one line saying why the call failed
    line: bytes | None = None  # the `--json` line, when asked for
