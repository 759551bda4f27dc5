"""The fast reader for big streams must give exactly the general reader's answers.

`llmcat.formats.llama_stack.FAST_MIN_BYTES` decides which files try the fast reader; here it is
set to 0 (every file tries it) or out of reach (none does), and the real CLI's
`show --json` and `join -n` output compared byte for byte.
"""

from __future__ import annotations

import sys

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llmcat.formats.llama_stack
from conftest import FIXTURES, LLAMA, SHARED, run
from llmcat.apis import reassemble
from llmcat.formats import parse
from llmcat.formats.llama_stack import fast as llama_stack_fast
from llmcat.reading.shape import call_dict

sys.path.insert(0, str(FIXTURES))
import generate  # noqa: E402  (the fixture generator: chunk builders and the big stream)

CORPUS = SHARED / "corpus" / "llama-stack"
FIXTURE_FILES = sorted(LLAMA.glob("*.json")) + sorted((FIXTURES / "bad").glob("*.json"))


def outputs(monkeypatch, fast: bool, *files) -> tuple:
    monkeypatch.setattr(llmcat.formats.llama_stack, "FAST_MIN_BYTES", 0 if fast else 1 << 62)
    shown = run("show", "--json", *files)
    joined = run("join", "-n", *files)
    plain = run("show", "--color", "never", *files)
    return (shown.exit_code, shown.stdout_bytes, shown.stderr, joined.exit_code, joined.stdout_bytes, plain.stdout_bytes)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fast_equals_general_on_every_fixture(monkeypatch, path):
    assert outputs(monkeypatch, True, path) == outputs(monkeypatch, False, path)


def suite_outputs(monkeypatch, fast: bool, *files) -> tuple:
    """`ls --json` and `stats --json`, which read streams without their text, or with the general reader only."""
    if not fast:
        monkeypatch.setattr(llama_stack_fast, "parse", lambda data, source, text=True, whole_utf8=None: None)
    listed = run("ls", "--json", *files)
    counted = run("stats", "--json", *files)
    monkeypatch.undo()
    return listed.exit_code, listed.stdout_bytes, listed.stderr, counted.exit_code, counted.stdout_bytes


def test_ls_without_text_equals_the_general_reader_on_every_fixture(monkeypatch):
    fast, general = suite_outputs(monkeypatch, True, *FIXTURE_FILES), suite_outputs(monkeypatch, False, *FIXTURE_FILES)
    for a, b in zip(fast[1].splitlines(), general[1].splitlines(), strict=True):
        assert a == b, orjson.loads(b)["source"]
    assert fast == general
    assert fast[1].count(b"\n") >= 20


def test_a_choice_seen_only_in_plain_chunks_still_counts_when_counting(tmp_path, monkeypatch):
    """Choice 0 never finishes, choice 1 does: ls reports choice 0's finish reason (none)."""
    chunks = [generate.chat_chunk([generate.delta(0, content=" a")]), generate.chat_chunk([generate.delta(1, content=" b")]),
              generate.chat_chunk([generate.delta(0, content=" c")]), generate.chat_chunk([generate.delta(1, finish="stop")])]
    obj = generate.recording(generate.request("http://h/v1/chat/completions", {"model": "m", "stream": True}), chunks, True)
    path = tmp_path / "cut.json"
    path.write_bytes(orjson.dumps(obj))
    fast, general = suite_outputs(monkeypatch, True, path), suite_outputs(monkeypatch, False, path)
    assert fast == general
    assert orjson.loads(fast[1])["finish_reason"] is None


def test_the_counting_reader_covers_the_chat_stream_fixtures():
    """Otherwise the equality above would hold vacuously."""
    joined = set()
    for name in ("chat-stream.json", "chat-stream-tools.json", "chat-stream-n2.json", "chat-stream-reasoning.json"):
        (rec,) = llama_stack_fast.parse((LLAMA / name).read_bytes(), name, text=False)
        assert reassemble(rec).choices[0].text == ""
        if rec.response.recorded_events > len(rec.response.events):
            joined.add(name)
    assert "chat-stream.json" in joined


def test_the_fast_reader_covers_the_chunked_fixtures():
    """Otherwise the equality above would hold vacuously."""
    covered = {p.name for p in LLAMA.glob("*.json") if llama_stack_fast.parse(p.read_bytes(), str(p)) is not None}
    assert {"chat-stream.json", "chat-stream-tools.json", "chat-stream-n2.json", "chat-stream-reasoning.json",
            "completions-stream.json", "chat-on-completions-endpoint.json",
            "ollama-generate-stream.json", "ollama-chat-stream.json"} <= covered
    assert not covered & {"anthropic-stream.json", "gemini-stream.json", "chat-exception.json", "embeddings.json"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present (third-party data kept outside the repo)")
def test_fast_equals_general_on_every_corpus_file(monkeypatch):
    files = sorted(CORPUS.rglob("*.json"))
    assert len(files) >= 100
    fast, general = outputs(monkeypatch, True, *files), outputs(monkeypatch, False, *files)
    assert fast[0] == general[0] == 0
    for a, b in zip(fast[1].splitlines(), general[1].splitlines(), strict=True):
        assert a == b, orjson.loads(b)["source"]
    assert fast == general
    fast, general = suite_outputs(monkeypatch, True, *files), suite_outputs(monkeypatch, False, *files)
    for a, b in zip(fast[1].splitlines(), general[1].splitlines(), strict=True):
        assert a == b, orjson.loads(b)["source"]
    assert fast == general
    covered = sum(llama_stack_fast.parse(p.read_bytes(), str(p)) is not None for p in files)
    assert covered >= 20


def test_a_big_stream_joins_runs_but_counts_every_chunk(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_bytes(orjson.dumps(generate.big_chat_stream(3000), option=orjson.OPT_INDENT_2))
    (rec,) = llama_stack_fast.parse(path.read_bytes(), str(path))
    assert len(rec.response.events) < 10 and rec.response.recorded_events == 3000
    assert outputs(monkeypatch, True, path) == outputs(monkeypatch, False, path)
    (call,) = [orjson.loads(line) for line in outputs(monkeypatch, True, path)[1].splitlines()]
    assert call["chunks"] == 3000 and call["choices"][0]["finish_reason"] == "stop"


def _keys_read_by(module) -> set[str]:
    import ast
    import re

    tree = ast.parse(open(module.__file__, encoding="utf-8").read())
    # Shape detectors (`looks_like*`, registered as `body=`) judge responses that carry no
    # chunk types; the fast reader's recordings always do, so they never reach them.
    tree.body = [n for n in tree.body if not (isinstance(n, ast.FunctionDef) and n.name.startswith("looks_like"))]
    docstrings = {ast.get_docstring(n, clean=False) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))}
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and re.fullmatch(r"[a-z_][a-zA-Z0-9_]*", n.value) and n.value not in docstrings}


def _declared(*structs) -> set[str]:
    declared = set(llama_stack_fast.INSIDE_WHOLE_FIELDS)
    for struct in structs:
        declared |= set(struct.__struct_encode_fields__)
    return declared


def test_the_fast_reader_declares_every_key_the_reassemblers_read():
    """A key the reassemblers start reading, unknown to the fast reader, would be skipped by it."""
    from llmcat.apis import ollama, openai

    fast = llama_stack_fast
    keys = _keys_read_by(openai)
    assert "reasoning_details" in keys  # the scan sees the reassembler's keys
    assert keys - _declared(fast.Chunk, fast.Choice, fast.Delta) == set()
    keys = _keys_read_by(ollama)
    assert "eval_duration" in keys
    assert keys - _declared(fast.OllamaChunk, fast.OllamaMessage) == set()


# --- Fallback: shapes the fast reader does not cover still get the right answer ------------------


def _chat_stream_with(extra_chunk: dict) -> bytes:
    obj = generate.chat_stream()
    obj["response"]["body"].insert(3, extra_chunk)
    return orjson.dumps(obj)


FALLBACKS = {
    "an error chunk": generate.chat_chunk([], error={"message": "overloaded", "type": "server_error"}),
    "a null delta list": generate.wrap(generate.CHUNK, {"choices": None}),
    "a delta that is a list": generate.wrap(generate.CHUNK, {"choices": [{"index": 0, "delta": ["x"]}]}),
    "another chunk type in the body": generate.wrap("openai.types.chat.chat_completion.ChatCompletion",
                                                    {"choices": [{"index": 0, "message": {"content": "odd"}}]}),
    "a chunk without __type__": {"choices": [{"index": 0, "delta": {"content": " bare"}}]},
}


@pytest.mark.parametrize("label", FALLBACKS)
def test_uncovered_shapes_fall_back_to_the_general_reader(tmp_path, monkeypatch, label):
    data = _chat_stream_with(FALLBACKS[label])
    assert llama_stack_fast.parse(data, "x") is None
    path = tmp_path / "odd.json"
    path.write_bytes(data)
    fast = outputs(monkeypatch, True, path)
    assert fast == outputs(monkeypatch, False, path)
    assert fast[4].startswith(b"Paris is")  # the general reader's answer, not a failure


def test_covered_but_unusual_chunks_pass_through_whole(tmp_path, monkeypatch):
    """Content as typed parts, an index-less choice, a refusal: not joined, handed on as recorded."""
    odd = [
        generate.chat_chunk([{"delta": {"content": [{"type": "text", "text": " in parts"}]}, "index": 0}]),
        generate.chat_chunk([{"delta": {"content": " no index"}}]),
        generate.chat_chunk([generate.delta(refusal="no")]),
    ]
    obj = generate.chat_stream()
    obj["response"]["body"][4:4] = odd
    path = tmp_path / "odd.json"
    path.write_bytes(orjson.dumps(obj))
    assert llama_stack_fast.parse(path.read_bytes(), "x") is not None
    fast = outputs(monkeypatch, True, path)
    assert fast == outputs(monkeypatch, False, path)
    assert b" in parts no index" in fast[4]


def test_a_failed_call_falls_back(tmp_path):
    obj = generate.chat_stream()
    obj["response"]["status"] = 500
    assert llama_stack_fast.parse(orjson.dumps(obj), "x") is None


# --- Property: any mix of chunk shapes gives the general reader's answer -------------------------

_text = st.sampled_from(["", "a", " b", "é", "\n", "日本"])
_maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
_finish = st.sampled_from([None] * 9 + ["stop", "length"])  # rare: joining stops at the first finish
_tool = st.fixed_dictionaries({"index": st.integers(0, 1)}, optional={
    "id": _maybe(st.sampled_from(["c1", "c2"])), "type": st.just("function"),
    "function": st.fixed_dictionaries({}, optional={"name": _maybe(st.sampled_from(["f", "g"])), "arguments": _maybe(_text)})})
_plain_delta = st.builds(lambda t: {"content": t, "role": "assistant", "refusal": None, "tool_calls": None}, _text)
_extra_delta = st.fixed_dictionaries({"content": _maybe(_text)}, optional={
    "role": st.just("assistant"), "reasoning_content": _maybe(_text), "reasoning": _maybe(_text),
    "refusal": _maybe(_text), "tool_calls": _maybe(st.lists(_tool, max_size=2)), "function_call": _maybe(st.just({"arguments": "{"})),
    "reasoning_details": _maybe(st.lists(st.builds(lambda t: {"type": "reasoning.text", "text": t}, _text), max_size=2))})
_one_extra = st.sampled_from([  # text and exactly one more field the reassembler reads
    {"reasoning_content": "r"}, {"reasoning": "r"}, {"refusal": "no"}, {"function_call": {"name": "f", "arguments": "{}"}},
    {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}}]},
    {"reasoning_details": [{"type": "reasoning.text", "text": "r"}]}, {"reasoning_details": [{"type": "reasoning.summary",
        "summary": "s"}]},
])
_one_extra_delta = st.builds(lambda t, extra: {"content": t, "role": "assistant", **extra}, _text, _one_extra)
_delta = st.one_of(_plain_delta, _plain_delta, _one_extra_delta, _extra_delta)  # mostly plain, so runs form and extras land inside them
_indexed_chat_choice = st.fixed_dictionaries({"delta": _delta, "index": st.sampled_from([0, 0, 0, 1]), "finish_reason": _finish,
                                              "logprobs": st.none()})
_chat_choice = st.one_of(
    _indexed_chat_choice, _indexed_chat_choice, _indexed_chat_choice,
    st.fixed_dictionaries({"delta": _delta}, optional={"finish_reason": _finish}),  # no index: the position counts
)
_indexed_completion_choice = st.fixed_dictionaries({"text": _text, "index": st.sampled_from([0, 0, 0, 1]), "finish_reason": _finish})
_completion_choice = st.one_of(
    _indexed_completion_choice, _indexed_completion_choice, _indexed_completion_choice,
    st.fixed_dictionaries({"text": _maybe(_text)}, optional={"finish_reason": _finish, "delta": _extra_delta}),
)
_usage = _maybe(st.fixed_dictionaries({"prompt_tokens": st.integers(0, 9), "completion_tokens": st.integers(0, 9)}))


def _chunks(choice):
    # Mostly plain one-choice chunks (so runs form), sometimes several choices, usage or none.
    one = st.builds(lambda c: {"choices": [c]}, choice)
    return st.lists(st.one_of(
        one, one, one,
        st.builds(lambda cs, u: {"choices": cs, "usage": u}, st.lists(choice, max_size=2), _usage),
        st.builds(lambda c, u: {"choices": [c], "x_groq": {"id": "g", "usage": u}}, choice, _usage),
    ), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chat=st.booleans(), data=st.data())
def test_fast_equals_general_on_generated_streams(chat, data):
    kind = generate.CHUNK if chat else generate.COMPLETION
    chunks = data.draw(_chunks(_chat_choice if chat else _completion_choice))
    obj = generate.recording(generate.request("http://h/v1/chat/completions", {"model": "m", "stream": True}),
                             [generate.wrap(kind, c) for c in chunks], True)
    raw = orjson.dumps(obj)
    fast = llama_stack_fast.parse(raw, "s")
    assert fast is not None
    (general,) = parse(raw, "s")
    fast_completion, general_completion = reassemble(fast[0]), reassemble(general)
    assert fast_completion == general_completion  # every field, stream health for `check` included
    assert call_dict(fast[0], fast_completion) == call_dict(general, general_completion)
    assert ls_line(llama_stack_fast.parse(raw, "s", text=False)[0]) == ls_line(general)


def ls_line(rec) -> tuple:
    from llmcat.commands._rows import json_line, row_of

    completion = reassemble(rec)
    row = row_of(rec, completion)
    return row, json_line(rec, row, completion)


@pytest.mark.parametrize("old, new", [
    (b'"content":" quick"', b'"content":"\\ud800x"'),  # a lone surrogate escape: msgspec refuses it, the general reader keeps it
    (b'"content":" brown"', b'"content":" brown","content":"DUP"'),  # duplicate keys: the last wins in both
    (b'"role":"assistant"', b'"role":"assistant","reasoning":"R","reasoning":null'),
    (b'"content":" fox"', b'"content":" fox\\u0000\\u001b[31m"'),  # controls pass through to the renderers' escaping
    (b'"stream":true', b'"stream":true,"seed":123456789012345678901234567890'),  # past 64 bits: orjson makes it a float
    (b'"stream":true', b'"stream":true,"x":"\\udfff"'),  # a lone surrogate in the request
], ids=["lone-surrogate", "duplicate-key", "duplicate-extra-key", "controls", "big-int-in-request", "surrogate-in-request"])
def test_awkward_json_gives_the_same_answer(tmp_path, monkeypatch, old, new):
    raw = orjson.dumps(generate.big_chat_stream(50))
    assert old in raw
    path = tmp_path / "awkward.json"
    path.write_bytes(raw.replace(old, new, 1))
    assert outputs(monkeypatch, True, path) == outputs(monkeypatch, False, path)


_ollama_message = st.one_of(
    st.builds(lambda t: {"role": "assistant", "content": t, "thinking": None, "images": None, "tool_calls": None}, _text),
    st.fixed_dictionaries({"content": _maybe(_text)}, optional={
        "thinking": _maybe(_text), "tool_calls": _maybe(st.just([{"function": {"name": "f", "arguments": {"a": 1}}}]))}),
)
_ollama_done = st.fixed_dictionaries({"done": st.just(True)}, optional={
    "done_reason": _maybe(st.sampled_from(["stop", "length"])), "prompt_eval_count": st.integers(0, 9),
    "eval_count": st.integers(0, 9), "eval_duration": st.integers(1, 10**9), "total_duration": st.integers(1, 10**9)})


def _ollama_chunks(chat: bool):
    if chat:
        plain = st.builds(lambda m: {"model": "m", "done": False, "message": m}, _ollama_message)
    else:
        plain = st.builds(lambda t: {"model": "m", "done": False, "done_reason": None, "response": t, "thinking": None}, _text)
        extra = st.sampled_from([{"thinking": "r"}, {"message": {"tool_calls": [{"function": {"name": "f", "arguments": {}}}]}}])
        plain = st.one_of(plain, plain, st.builds(lambda c, e: {**c, **e}, plain, extra))
    odd = st.fixed_dictionaries({}, optional={"response": _maybe(_text), "thinking": _maybe(_text), "message": _maybe(_ollama_message),
                                              "done": st.sampled_from([False, None])})
    done = st.builds(lambda d, extra: {**extra, **d}, _ollama_done, odd)
    return st.lists(st.one_of(plain, plain, plain, odd, done), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chat=st.booleans(), data=st.data())
def test_fast_equals_general_on_generated_ollama_streams(chat, data):
    kind = "ollama._types.ChatResponse" if chat else "ollama._types.GenerateResponse"
    chunks = data.draw(_ollama_chunks(chat))
    url = "http://localhost:11434/api/" + ("chat" if chat else "generate")
    obj = generate.recording(generate.request(url, {"model": "m", "stream": True}), [generate.wrap(kind, c) for c in chunks], True)
    raw = orjson.dumps(obj)
    fast = llama_stack_fast.parse(raw, "s")
    assert fast is not None
    (general,) = parse(raw, "s")
    fast_completion, general_completion = reassemble(fast[0]), reassemble(general)
    assert fast_completion == general_completion
    assert call_dict(fast[0], fast_completion) == call_dict(general, general_completion)
