"""The other recorders' files (fixtures/generate_recorders.py) through the real CLI, with exact expected values.

Ruby's VCR gem, Azure's test proxy, Go's httprr, nock, the Datadog test agent, saved
`{status, headers, body}` responses, vcrpy's Python-tagged and httpx flavours,
pydantic-ai's WebSocket and xAI gRPC cassettes; then the same recorders' real files in
../shared/corpus/wild (skipped when absent).
"""

from __future__ import annotations

import orjson
import pytest

from conftest import FIXTURES, SHARED, run, run_json, subprocess_llmcat

WILD = SHARED / "corpus" / "wild"


def summary(call) -> tuple:
    """(format, api, streamed, text, reasoning, tool calls, finish, tokens) of one call of `show --json`."""
    choice = call["choices"][0] if call["choices"] else {}
    usage = call["usage"] or {}
    tools = [(t["id"], t["name"], t["arguments"]) for t in choice.get("tool_calls", [])]
    return (call["format"], call["api"], call["streaming"], choice.get("text"), choice.get("reasoning"), tools,
            choice.get("finish_reason"), (usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens")))


def calls_of(path) -> list[tuple]:
    return [summary(call) for call in run_json(path)]


NO_USAGE = (None, None, None)


# --- Ruby VCR gem ------------------------------------------------------------------------------


def test_ruby_vcr_plain_and_streamed_chat_in_one_cassette():
    calls = run_json(FIXTURES / "ruby-vcr" / "chat.yml")
    assert [c["interaction"] for c in calls] == [0, 1]
    assert calls[0]["request"]["method"] == "POST" and calls[0]["request"]["url"] == "https://api.openai.com/v1/chat/completions"
    assert calls[0]["request"]["messages"] == [{"role": "user", "content": "Name a fjord."}]
    assert [summary(c) for c in calls] == [
        ("ruby-vcr", "openai.chat", False, "Geirangerfjord.", None, [], "stop", (11, 6, 17)),
        ("ruby-vcr", "openai.chat", True, "One, two, three.", None, [], "stop", (14, 4, 18)),
    ]


def test_ruby_vcr_binary_bodies_gzip_and_exact_bytes():
    assert calls_of(FIXTURES / "ruby-vcr" / "anthropic_gzip_binary.yml") == [
        ("ruby-vcr", "anthropic.messages", True, "Hi, there.", "Short answer.", [], "end_turn", (21, 7, 28)),
        ("ruby-vcr", "openai.chat", False, "", None, [("call_rec7", "get_weather", '{"city":"Oslo"}')], "tool_calls", (60, 15, 75)),
    ]
    limited, exact = run_json(FIXTURES / "ruby-vcr" / "errors_and_exact_bytes.yml")
    assert limited["error"] == {"type": "requests", "status_code": 429, "message": "Rate limit reached"}
    assert exact["api"] == "openai.embeddings" and exact["usage"]["prompt_tokens"] == 2


def test_ruby_vcr_json_serializer_and_vcr1_structs():
    assert calls_of(FIXTURES / "ruby-vcr" / "json_serializer.json") == [
        ("ruby-vcr", "openai.chat", False, "Jostedalsbreen.", None, [], "stop", (9, 5, 14))]
    (legacy,) = run_json(FIXTURES / "ruby-vcr" / "vcr1_legacy.yml")
    assert legacy["request"]["method"] == "POST"  # the Ruby symbol `:post`
    assert summary(legacy) == ("ruby-vcr", "openai.chat", False, "Nobody knows.", None, [], "stop", (8, 3, 11))


def test_ruby_vcr_bad_binary_is_one_line_never_a_traceback():
    proc = subprocess_llmcat("show", FIXTURES / "bad" / "bad-binary.yml")
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [f"llmcat: {FIXTURES / 'bad' / 'bad-binary.yml'}: not valid YAML: a !binary value that is not base64"]


# --- vcrpy flavours ----------------------------------------------------------------------------


def test_vcrpy_python_tagged_header_names_are_read_as_data():
    calls = run_json(FIXTURES / "vcr" / "python-tags.yaml")
    assert summary(calls[0]) == ("vcr", "anthropic.messages", True, "Goddag!", "Short answer.", [], "end_turn", (9, 3, 12))
    assert calls[1]["error"] == {"type": "authentication_error", "status_code": 401, "message": "invalid x-api-key"}


def test_vcrpy_python_class_tags_are_data_and_function_tags_refused(tmp_path):
    cassette = tmp_path / "classes.yaml"
    cassette.write_text(
        "interactions:\n- request:\n    method: POST\n    uri: https://api.openai.com/v1/chat/completions\n"
        "    headers: !!python/object/new:requests.structures.CaseInsensitiveDict\n"
        "      state: {Content-Type: [application/json]}\n"
        "    body: !!python/unicode '{\"model\": \"gpt-fx\"}'\n"
        "  response:\n    status: {code: 200}\n    headers: {content-type: [application/json]}\n"
        "    body: {string: '{\"object\": \"chat.completion\", \"choices\": [{\"index\": 0, "
        "\"message\": {\"content\": \"Data.\"}}]}'}\nversion: 1\n")
    (call,) = run_json(cassette)
    assert call["choices"][0]["text"] == "Data." and call["request"]["model"] == "gpt-fx"
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"interactions:\n- request: !!python/object/apply:os.system ['touch {marker}']\n")
    proc = subprocess_llmcat("show", "--json", evil)
    assert proc.returncode == 2 and not marker.exists()
    assert proc.stderr.decode().startswith(f"llmcat: {evil}: not valid YAML: could not determine a constructor for the tag")


def test_vcrpy_httpx_stub_content_and_status_code():
    assert calls_of(FIXTURES / "vcr" / "httpx.yaml") == [
        ("vcr", "openai.chat", True, "The Glomma.", None, [], "stop", (11, 3, 14)),
        ("vcr", "openai.chat", False, "Roe River.", None, [], "stop", (10, 3, 13)),
    ]


