"""Quick paths give what the long way gives (issue #25's speed work).

`openai._text_piece` reads the usual stream chunk (one choice, its delta only text) without
the general delta merge: on any chunk stream, with and without it, the reassembled answer
must be the same, field for field. `check` reads llama-stack streams with the fast reader
(Need.CHECK) and a file in full only where its bytes could hold a credential: its findings
must be the general reader's.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, LLAMA, SHARED, generated_secrets
from llmcat.apis import openai
from llmcat.formats import load
from llmcat.model import Need, Recording, Request, Response
from llmcat.reading.pipeline import read_block
from llmcat.reading.shape import choice_dict, usage_dict
from llmcat.reading.walk import Source
from llmcat.validation.secrets import nothing_to_find
from llmcat.validation.written import glance_as_written

# A key-shaped value made at run time (a committed one would trip secret scanners and push protection).
_RNG = random.Random(29)
KEY = "sk-proj-" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(40))

NULLISH = st.sampled_from([None, "", [], {}, 0, False])
TEXTS = st.one_of(st.text(max_size=6), st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2))
DELTAS = st.fixed_dictionaries({}, optional={
    "content": TEXTS, "role": st.sampled_from(["assistant", None]),
    "refusal": st.one_of(NULLISH, st.text(max_size=4)),
    "tool_calls": st.one_of(NULLISH, st.just([{"index": 0, "function": {"arguments": "{"}}])),
    "function_call": st.one_of(NULLISH, st.just({"name": "f"})), "reasoning_content": st.one_of(NULLISH, st.text(max_size=4)),
    "reasoning": st.one_of(NULLISH, st.text(max_size=4)), "audio": st.one_of(st.none(), st.just({"transcript": "hi"})),
    "extra": st.integers()})
CHOICES = st.fixed_dictionaries({"delta": st.one_of(DELTAS, st.none(), st.text(max_size=2))}, optional={
    "index": st.one_of(st.integers(min_value=0, max_value=2), st.none(), st.text(max_size=1)),
    "finish_reason": st.one_of(st.none(), st.sampled_from(["stop", "length", ""])),
    "message": st.just({"content": "whole"})})
CHUNKS = st.one_of(
    st.fixed_dictionaries({"choices": st.lists(CHOICES, max_size=2)}, optional={
        "usage": st.one_of(st.none(), st.just({"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5})),
        "error": st.one_of(st.none(), st.just({"message": "boom"})),
        "x_groq": st.one_of(st.none(), st.just({"usage": {"prompt_tokens": 1}})),
        "time_info": st.one_of(st.none(), st.just({"queue": 0.1}))}),
    st.none(), st.text(max_size=3))


def reassembled(events: list) -> tuple:
    request = Request("POST", "http://h.test/v1/chat/completions", "/v1/chat/completions", None, None, {})
    rec = Recording("t.json", 0, "llama-stack", request,
                    Response(status=200, streaming=True, events=events, event_types=[None] * len(events)), None)
    c = openai.reassemble_chat(rec)
    return ([choice_dict(choice) for choice in c.choices], usage_dict(c.usage), c.error, c.timing, c.finished, c.content_after_finish,
            c.chunks)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHUNKS, min_size=2, max_size=8))
def test_the_quick_chunk_reads_as_the_long_way(events):
    quick = reassembled(events)
    original = openai._text_piece
    openai._text_piece = lambda chunk: None
    try:
        assert reassembled(events) == quick
    finally:
        openai._text_piece = original


def test_the_quick_chunk_is_taken_for_the_usual_chunk():
    usual = {"choices": [{"index": 0, "delta": {"content": "hi", "role": "assistant", "refusal": None, "tool_calls": None},
                          "finish_reason": None, "logprobs": None}], "usage": None, "id": "c"}
    assert openai._text_piece(usual) == (0, "hi")
    for unusual in ({**usual, "usage": {"prompt_tokens": 1}},
                    {**usual, "choices": [{**usual["choices"][0], "finish_reason": "stop"}]},
                    {**usual, "choices": [{**usual["choices"][0], "delta": {"content": "hi", "refusal": "no"}}]},
                    {**usual, "choices": usual["choices"] * 2}):
        assert openai._text_piece(unusual) is None


def _check_findings(path: Path, need: Need) -> list:
    """check's findings for one file, every code, read as `need` says (the general reader for EVERYTHING)."""
    from llmcat.validation.findings import FindingsWork

    work = FindingsWork()
    work.need = need
    (result,) = read_block([Source(str(path), str(path), True)], work)
    if result.failure is not None:
        return [("failure", result.failure.code, result.failure.reason)]
    return [(f.label, f.level, f.code, f.message) for f in result.value.findings] + [tuple(r) for r in result.value.requests]


def _llama_stack_files() -> list[Path]:
    roots = [LLAMA, FIXTURES / "hostile", SHARED / "corpus" / "llama-stack"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.json"))


def test_check_reads_quickly_and_finds_what_the_general_reader_finds():
    """Need.CHECK takes the fast reader for llama-stack streams and reads a file in full only where its
    bytes could hold a credential: every finding (and every duplicate key) must be the general reader's."""
    files = _llama_stack_files() + sorted(generated_secrets().rglob("*.json"))
    differ = [path for path in files if _check_findings(path, Need.CHECK) != _check_findings(path, Need.EVERYTHING)]
    assert not differ, differ[:5]
    assert len(files) > 40
    secrets = [path for path in files if any(f[2] == "secret" for f in _check_findings(path, Need.CHECK) if len(f) == 4)]
    assert secrets  # (the planted credentials are found through the re-read)


def test_a_credential_behind_a_json_escape_is_still_found(tmp_path):
    """Bytes that escape `/` or use `\\u` are not glanced at as written (`sk\\u002d` hides `sk-`): the call is."""
    key = KEY
    for n, escaped in enumerate([key.replace("-", "\\u002d"), "https:\\/\\/u:" + key + "@h.test"]):
        data = (LLAMA / "chat-stream.json").read_text().replace('"id": "chatcmpl-fixture"', f'"id": "{escaped}"', 1)
        path = tmp_path / f"escaped{n}.json"
        path.write_text(data)
        found = _check_findings(path, Need.CHECK)
        assert any(f[2] == "secret" and f[3].startswith("response.body[") for f in found if len(f) == 4), found
        assert found == _check_findings(path, Need.EVERYTHING)


def test_a_credential_the_fast_reader_skips_is_found_by_reading_the_file_in_full(tmp_path):
    """A key recorded in a stream chunk's field no reassembler reads (the fast reader drops it)."""
    key = KEY
    data = (LLAMA / "chat-stream.json").read_text().replace('"id": "chatcmpl-fixture"', f'"id": "{key}"', 1)
    path = tmp_path / "chunk-id.json"
    path.write_text(data)
    found = _check_findings(path, Need.CHECK)
    assert any(f[2] == "secret" and f[3].startswith("response.body[") for f in found if len(f) == 4), found
    assert found == _check_findings(path, Need.EVERYTHING)


def test_a_stream_with_a_bad_utf8_byte_where_the_fast_reader_skips_is_unreadable_as_ever(tmp_path):
    data = (LLAMA / "chat-stream.json").read_bytes().replace(b'"id": "chatcmpl-fixture"', b'"id": "chat\xff"', 1)
    path = tmp_path / "bad-utf8.json"
    path.write_bytes(data.replace(b"\\xff", b"\xff"))
    assert b"\xff" in path.read_bytes()
    found = _check_findings(path, Need.CHECK)
    assert found == _check_findings(path, Need.EVERYTHING)
    assert found[0][0] == "failure", found


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30))
def test_bytes_as_json_dump_writes_them_unescape_to_what_orjson_writes(text):
    """llama-stack's recorder writes non-ASCII text as `\\uXXXX` escapes (json.dump's default); check's look
    at the bytes undoes them to orjson's UTF-8, or declines (None) where an escape could hide a word."""
    import json

    import orjson

    from llmcat.validation.written import _unescaped

    written = json.dumps({"text": text}).encode()
    undone = _unescaped(written)
    assert undone is None or undone.replace(b'": "', b'":"') == orjson.dumps({"text": text})
    if all(ord(c) >= 0x80 or (c.isalnum() and c.isascii()) or c == " " for c in text):
        assert undone is not None  # (only `\\/`, ASCII and surrogate escapes make it decline)


def test_a_credential_beside_non_ascii_text_is_found_through_the_unescaped_bytes(tmp_path):
    import json

    obj = json.loads((LLAMA / "chat-stream.json").read_text())
    chunk = next(c for c in obj["response"]["body"] if c["__data__"].get("id") == "chatcmpl-fixture")
    chunk["__data__"]["id"] = f"it\u2019s {KEY} \U0001F600"
    path = tmp_path / "unicode.json"
    path.write_text(json.dumps(obj, indent=2))  # (ensure_ascii: \\u2019 and a surrogate pair)
    assert "\\u2019" in path.read_text() and "\\ud83d" in path.read_text()
    found = _check_findings(path, Need.CHECK)
    assert any(f[2] == "secret" and f[3].startswith("response.body[") for f in found if len(f) == 4), found
    assert found == _check_findings(path, Need.EVERYTHING)
    (rec,), _ = load(str(path), Need.CHECK)
    assert b"sk-proj-" in glance_as_written(rec)  # seen in the bytes unescaped, not through a dump
    path.write_text(path.read_text().replace("sk-proj-", "sk_proj_"))
    (rec,), _ = load(str(path), Need.CHECK)
    assert nothing_to_find(rec)  # (and a file with nothing to find is read once, quickly)
