"""Property-based fuzzing (hypothesis) of the reader, the reassemblers and the renderers.

Whatever the bytes or JSON values, reading either yields recordings or raises `InputError`
(one line for stderr), and every recording reassembles and renders without an exception,
with no raw control character in the human view. Fixed seed (derandomize) in CI; the long
run is `make fuzz` (HYPOTHESIS_PROFILE=long).
"""

from __future__ import annotations

import json
import os
import re

import orjson
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz import mutate, syntax
from llmcat.apis import reassemble
from llmcat.apis.registry import registered as registered_apis
from llmcat.formats import load, parse
from llmcat.model import InputError, Recording, Request, Response
from llmcat.reading.shape import call_dict
from llmcat.render import plain
from llmcat.render.document import build
from llmcat.render.escape import inline, visible
from llmcat.render.machine import dumps_line

settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

RAW_IN_VIEW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Not controls, but escaped too (render/escape.py): bidi marks and overrides, zero-width characters, U+2028/2029.
SPOOFING = re.compile("[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
HOSTILE_TEXT = st.sampled_from(["\x1b]0;t\x07", "\x1b]52;c;eA==\x07", "\x1b[2J", "\x9b2J", "\b\r\x7f", "[bold]x[/bold]",
                                ":skull:", "\ud800", "\x00", "data: [DONE]", "event: error", "\n\n", ""])
TEXT = st.one_of(st.text(max_size=20), HOSTILE_TEXT)
# Keys the reassemblers look for, so generated objects reach deep into their code paths.
KEYS = st.sampled_from([
    "choices", "delta", "message", "content", "text", "index", "finish_reason", "tool_calls", "function", "arguments",
    "name", "id", "type", "usage", "prompt_tokens", "completion_tokens", "total_tokens", "reasoning", "reasoning_content",
    "refusal", "candidates", "parts", "usageMetadata", "finishReason", "done", "response", "thinking", "eval_count",
    "message_start", "content_block", "content_block_delta", "event_type", "error", "status", "code", "model", "prompt",
    "messages", "input", "object", "data", "embedding", "__type__", "__data__", "is_streaming", "body", "url", "endpoint",
    "status_code", "is_exception", "exception_data", "time_info", "functionCall", "args", "partial_json", "stop_reason",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**64 - 1),
                    st.floats(allow_nan=False, allow_infinity=False), TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                      st.dictionaries(st.one_of(KEYS, TEXT), inner, max_size=6)),
                    max_leaves=30)
OBJECTS = st.dictionaries(st.one_of(KEYS, TEXT), JSON, max_size=8)
EVENT_TYPES = st.sampled_from([None, "openai.types.chat.chat_completion_chunk.ChatCompletionChunk",
                               "openai.types.completion.Completion", "ollama._types.ChatResponse",
                               "ollama._types.GenerateResponse", "message_start", "content_block_delta", "error"])
ENDPOINTS = st.sampled_from([None, "/v1/chat/completions", "/v1/completions", "/api/chat", "/api/generate", "/v1/messages",
                             "/v1beta/interactions", "/v1beta/models/m:streamGenerateContent", "/v1/embeddings", "/v1/models"])


def render_everything(recordings: list[Recording]) -> None:
    """Reassemble and render each recording every way; the human view must carry no raw control."""
    for rec in recordings:
        completion = reassemble(rec)
        text = plain.render(build(rec, completion))
        assert not RAW_IN_VIEW.search(text), repr(text[:300])
        line = dumps_line(call_dict(rec, completion))
        assert line.endswith(b"\n") and b"\n" not in line[:-1]
        orjson.loads(line) if b"\\ud" not in line else None


def to_json(value) -> bytes:
    """JSON text that may escape lone surrogates (orjson refuses to write them; the reader must cope)."""
    return json.dumps(value).encode()


def read_or_refuse(data: bytes, name: str = "fuzz.json") -> list[Recording]:
    try:
        return parse(data, name, name=name)
    except InputError as exc:
        assert "\n" not in str(exc)
        return []


@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_reason(data):
    render_everything(read_or_refuse(data))


@given(JSON)
def test_any_json_value_is_read_or_refused(value):
    render_everything(read_or_refuse(to_json(value)))


@given(request=OBJECTS, body=st.one_of(JSON, st.lists(JSON, max_size=8), st.lists(TEXT, min_size=1, max_size=8)),
       streaming=st.one_of(st.booleans(), JSON), extra=OBJECTS)
def test_any_llama_stack_shaped_recording_reassembles_and_renders(request, body, streaming, extra):
    response = {**extra, "body": body, "is_streaming": streaming}
    data = to_json({"request": request, "response": response, "test_id": request.get("model")})
    recordings = parse(data, "fuzz.json")  # it has request and response objects: it must be read
    assert len(recordings) == 1
    render_everything(recordings)


@given(api=st.sampled_from(sorted(registered_apis()) + ["tool", "other"]), events=st.lists(JSON, max_size=10),
       types=st.lists(EVENT_TYPES, max_size=10), endpoint=ENDPOINTS, streaming=st.booleans(),
       status=st.one_of(st.none(), st.integers(min_value=100, max_value=599)), body=st.one_of(st.none(), JSON))
def test_every_reassembler_takes_arbitrary_events(api, events, types, endpoint, streaming, status, body):
    response = Response(status=status, streaming=streaming, events=events, event_types=(types + [None] * len(events))[:len(events)])
    rec = Recording("fuzz.json", 0, "llama-stack", Request("POST", None, endpoint, None, None, body), response, None)
    completion = reassemble(rec, api)
    assert completion.chunks == len(events)
    render_everything([rec])
    reassemble(rec)  # and through detection


@given(st.lists(st.one_of(TEXT, st.sampled_from(["data: {\"type\": \"message_start\"}", "data: [DONE]", "event: x", ":", "data:"])),
                min_size=1, max_size=20), ENDPOINTS)
def test_raw_sse_lines_in_a_recording(lines, endpoint):
    data = to_json({"request": {"url": "http://h.test" + (endpoint or "/"), "body": {}}, "response": {"body": lines, "is_streaming": True}})
    render_everything(parse(data, "fuzz.json"))


@given(st.binary(max_size=500), st.sampled_from(["rec.json", "rec.json#0", "rec.json#3"]))
def test_read_source_on_a_real_file(tmp_path_factory, data, spec):
    directory = tmp_path_factory.mktemp("src")
    (directory / "rec.json").write_bytes(data)
    try:
        render_everything(load(str(directory / spec))[0])
    except InputError:
        pass


@given(st.text())
def test_escaping_leaves_no_control_character(text):
    assert not RAW_IN_VIEW.search(visible(text)) and not re.search("[\ud800-\udfff]", visible(text))
    assert "\n" not in inline(text) and "\t" not in inline(text) and not RAW_IN_VIEW.search(inline(text))
    assert visible(text).count("\n") == text.count("\n")
    if not RAW_IN_VIEW.search(text) and not SPOOFING.search(text) and not re.search("[\ud800-\udfff]", text):
        assert visible(text) == text  # ordinary text is shown as it is
    assert not SPOOFING.search(visible(text))


def _fixtures() -> list[tuple[str, object]]:
    from conftest import FIXTURES, LLAMA

    paths = sorted(LLAMA.glob("*.json")) + sorted((FIXTURES / "hostile").glob("*.json"))
    return [(p.name, json.loads(p.read_bytes())) for p in paths]


FIXTURES = _fixtures()


_paths = syntax.value_paths  # every path of a JSON value, as the mutation fuzzer walks them


@given(st.data())
def test_a_real_shaped_recording_with_any_value_at_any_path(data):
    name, original = data.draw(st.sampled_from(FIXTURES), label="fixture")
    obj = json.loads(json.dumps(original))
    paths = list(_paths(obj))[1:]
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(paths), label="path")
        parent = obj
        try:
            for step in path[:-1]:
                parent = parent[step]
            if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = data.draw(JSON, label="value")
        except (KeyError, IndexError, TypeError):  # an earlier change removed this path
            continue
    render_everything(read_or_refuse(to_json(obj)))


def _seeds_by_format() -> dict[str, list[tuple[str, bytes]]]:
    """The mutation fuzzer's seeds that some syntax of fuzz/syntax.py reads, by the format llmcat
    reads them as; big ones left out (each example re-reads its seed)."""
    from fuzz import syntax

    groups = {}
    for fmt, paths in mutate.by_format(mutate.seeds()).items():
        readable = [(p.name, p.read_bytes()) for p in paths if p.stat().st_size < 100_000]
        readable = [(name, data) for name, data in readable if syntax.decode(data) is not None]
        if readable:
            groups[fmt] = readable
    return groups


SEEDS_BY_FORMAT = _seeds_by_format()


def test_every_registered_format_has_seeds_in_its_own_syntax():
    """A new format module cannot escape the property suite: each registered format has a seed
    that is read back as that format, with as many calls, after an unchanged round trip through
    its syntax's writer (so changed values reach that format's reader, not a parse error)."""
    from fuzz import syntax
    from llmcat.formats.registry import registered

    missing = sorted({f.name for f in registered()} - set(SEEDS_BY_FORMAT))
    assert not missing, f"formats with no fuzz seed in fixtures/: {missing}"
    for fmt in (f.name for f in registered()):
        name, data = SEEDS_BY_FORMAT[fmt][0]
        again = parse(syntax.decode(data).encode(), name, name=name)
        assert {r.format for r in again} == {fmt} and len(again) == len(parse(data, name, name=name)), name


@given(st.data())
def test_every_format_with_any_value_at_any_path_in_its_own_syntax(data):
    """As above, for a seed of every container format, the value changed in the recording's own
    syntax (YAML with its tags and aliases, httprr with its lengths, SSE lines, JSON Lines)."""
    from fuzz import syntax

    fmt = data.draw(st.sampled_from(sorted(SEEDS_BY_FORMAT)), label="format")
    name, raw = data.draw(st.sampled_from(SEEDS_BY_FORMAT[fmt]), label="seed")
    document = syntax.decode(raw)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(document.paths()[1:] or [()]), label="path")
        try:
            if data.draw(st.booleans(), label="delete") and path:
                document.delete(path)
            else:
                document.set(path, data.draw(JSON, label="value"))
        except (KeyError, IndexError, TypeError):  # an earlier change removed this path
            continue
    try:
        mutant = document.encode()
    except yaml.YAMLError:  # a value YAML cannot write: nothing for llmcat to read
        return
    render_everything(read_or_refuse(mutant, name))


@given(st.data())
def test_the_fast_reader_declines_or_agrees_on_damaged_streams(data):
    """The fast reader (big llama-stack streams) never raises on damaged input, and when it
    accepts a file it gives the general reader's answer."""
    from llmcat.formats.llama_stack import fast as llama_stack_fast

    streams = [(n, o) for n, o in FIXTURES if isinstance(o["response"].get("body"), list)]
    name, original = data.draw(st.sampled_from(streams), label="fixture")
    obj = json.loads(json.dumps(original))
    paths = [p for p in _paths(obj) if len(p) >= 2 and p[0] == "response"]
    path = data.draw(st.sampled_from(paths), label="path")
    parent = obj
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = data.draw(JSON, label="value")
    raw = to_json(obj)
    fast = llama_stack_fast.parse(raw, "fuzz.json")
    if fast is None:
        return
    general = parse(raw, "fuzz.json")
    for quick, slow in zip(fast, general, strict=True):
        a, b = reassemble(quick), reassemble(slow)
        assert [(c.index, c.text, c.reasoning, c.refusal, c.finish_reason) for c in a.choices] == \
               [(c.index, c.text, c.reasoning, c.refusal, c.finish_reason) for c in b.choices]
        assert a.error == b.error
    render_everything(fast)
