"""VCR.py cassettes, HAR files and raw captures through the real CLI, with exact expected values."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, run, run_json, subprocess_llmcat

VCR = FIXTURES / "vcr"
HAR = FIXTURES / "har"
RAW = FIXTURES / "raw"
SHOW_KEYS = {"source", "interaction", "format", "api", "request", "streaming", "chunks", "choices", "usage", "timing", "error",
             "empty_answer"}


def tokens(call) -> tuple:
    usage = call["usage"] or {}
    return usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens")


def tools(choice) -> list[tuple]:
    return [(t["id"], t["name"], t["arguments"]) for t in choice["tool_calls"]]


# --- VCR.py ------------------------------------------------------------------------------------


def test_cassette_with_several_interactions_keeps_positions_past_a_non_http_entry():
    calls = run_json(VCR / "multi.yaml")
    assert [c["interaction"] for c in calls] == [0, 2, 3, 4, 5]
    assert {c["format"] for c in calls} == {"vcr"}
    assert all(set(c) == SHOW_KEYS for c in calls)
    assert [c["api"] for c in calls] == ["openai.chat", "anthropic.messages", "http", "openai.chat", "anthropic.messages"]


def test_openai_compatible_stream_ends_at_done():
    call = run_json(f"{VCR / 'multi.yaml'}#0")[0]
    assert call["request"]["method"] == "POST" and call["request"]["url"] == "https://api.groq.com/openai/v1/chat/completions"
    assert call["request"]["model"] == "llama-fx"
    assert call["streaming"] is True and call["chunks"] == 8  # the chunk after `data: [DONE]` is not counted
    (choice,) = call["choices"]
    assert choice["text"] == "Bonjour, le monde." and choice["finish_reason"] == "stop"
    assert tokens(call) == (12, 5, 17)


def test_anthropic_stream_shows_server_tools_with_their_block_type():
    call = run_json(f"{VCR / 'multi.yaml'}#2")[0]
    (choice,) = call["choices"]
    assert choice["text"] == "Let me search."
    assert tools(choice) == [("srvtoolu_fx", "web_search", '{"query": "llmcat"}'), ("toolu_fx", "lookup", '{"id": 7}')]
    assert choice["finish_reason"] == "tool_use" and tokens(call) == (40, 25, 65)
    text = run("show", f"{VCR / 'multi.yaml'}#2").stdout
    assert "--- tool call 0: web_search (srvtoolu_fx, server_tool_use)" in text


def test_mid_stream_error_event_is_the_error():
    call = run_json(f"{VCR / 'multi.yaml'}#5")[0]
    assert call["error"] == {"type": "overloaded_error", "status_code": None, "message": "Overloaded"}


def test_http_status_400_and_above_is_a_failed_call_with_the_providers_message():
    call = run_json(f"{VCR / 'multi.yaml'}#4")[0]
    assert call["error"] == {"type": "requests", "status_code": 429, "message": "Rate limit reached for gpt-fx"}
    assert call["choices"] == []
    gemini = run_json(f"{VCR / 'gemini.yml'}#3")[0]
    assert gemini["error"] == {"type": "INVALID_ARGUMENT", "status_code": 400, "message": "API key not valid."}


def test_anything_else_is_http_with_method_url_status_type_and_size():
    call = run_json(f"{VCR / 'multi.yaml'}#3")[0]
    assert call["api"] == "http" and call["choices"] == [] and call["error"] is None
    text = run("show", f"{VCR / 'multi.yaml'}#3").stdout
    for expected in ['"method": "GET"', '"url": "https://images.example.test/cat.png"', '"status": 200',
                     '"content_type": "image/png"', '"size": 70']:
        assert expected in text


def test_gzip_and_deflate_binary_bodies_are_decoded():
    first, second = run_json(VCR / "gzip-binary.yaml")
    assert first["choices"][0]["text"] == "Compressed, but readable."
    assert second["choices"][0]["text"] == "Deflated, and readable."
    assert tokens(first) == (9, 4, 13)
    assert b"!!binary" in (VCR / "gzip-binary.yaml").read_bytes()


def test_brotli_body_decodes_or_says_what_to_install():
    (call,) = run_json(VCR / "brotli.yaml")
    if importlib.util.find_spec("brotli") is None:
        assert call["error"] == {"type": "unreadable-body", "status_code": None,
                                 "message": "body is brotli-compressed; install the optional 'brotli' package to read it"}
    else:
        assert call["error"] is None and call["choices"][0]["text"] == "Brotli."


def test_an_undecodable_body_spoils_only_its_own_interaction(tmp_path):
    text = (VCR / "gzip-binary.yaml").read_text().replace("- deflate", "- zstd")
    path = tmp_path / "zstd.yaml"
    path.write_text(text)
    first, second = run_json(path)
    assert first["choices"][0]["text"] == "Compressed, but readable." and first["error"] is None
    assert second["error"] == {"type": "unreadable-body", "status_code": None,
                               "message": "body uses content-encoding 'zstd', which llmcat cannot decode"}


def test_gzip_compressed_cassette_reads_like_the_plain_one():
    compressed = run_json(VCR / "gemini.yaml.gz")
    plain = run_json(VCR / "gemini.yml")
    assert gzip.decompress((VCR / "gemini.yaml.gz").read_bytes()) == (VCR / "gemini.yml").read_bytes()
    assert [{**c, "source": None} for c in compressed] == [{**c, "source": None} for c in plain]


def test_gemini_json_array_stream_sse_stream_and_vertex_path():
    array, sse, vertex, _ = run_json(VCR / "gemini.yml")
    for call in (array, sse):
        assert call["api"] == "gemini" and call["streaming"] is True and call["chunks"] == 2
        (choice,) = call["choices"]
        assert choice["text"] == "Let me check." and choice["reasoning"] == "Checking the tool."
        assert tools(choice) == [(None, "weather", '{"city":"Oslo"}')] and choice["finish_reason"] == "STOP"
        assert tokens(call) == (8, 6, 20)
        assert call["request"]["model"] == "gemini-fx"  # from the URL: the body does not say
    assert vertex["api"] == "gemini" and vertex["streaming"] is False
    assert vertex["choices"][0]["text"] == "Cold, 2 °C." and tokens(vertex) == (8, 5, 13)


def test_responses_stream():
    call = run_json(f"{VCR / 'responses.yaml'}#0")[0]
    assert call["api"] == "openai.responses" and call["streaming"] is True and call["chunks"] == 12
    (choice,) = call["choices"]
    assert choice["text"] == "It is noon."
    assert choice["reasoning"] == "Need the time.\n\nCall the tool."
    assert tools(choice) == [("call_fx", "get_time", '{"tz": "UTC"}')]
    assert choice["finish_reason"] == "completed" and tokens(call) == (30, 12, 42)
    assert call["request"]["messages"] == [{"role": "user", "content": "What time is it?"}]
    assert "--- note" not in run("show", f"{VCR / 'responses.yaml'}#0").stdout


def test_responses_stream_that_disagrees_with_its_final_output_says_so():
    result = run("show", f"{VCR / 'responses.yaml'}#1")
    assert "--- note\n    the streamed output_text deltas differ from the text in response.completed\n" in result.stdout


def test_responses_whole_body_refusal_server_tool_and_incomplete():
    call = run_json(f"{VCR / 'responses.yaml'}#2")[0]
    (choice,) = call["choices"]
    assert choice["refusal"] == "I can't help with that." and choice["text"] == ""
    assert tools(choice) == [("ws_3", "web_search", '{"type":"search","query":"noon"}')]
    assert choice["finish_reason"] == "incomplete" and tokens(call) == (5, 7, 12)


def test_responses_failed_stream():
    call = run_json(f"{VCR / 'responses.yaml'}#3")[0]
    assert call["error"] == {"type": "server_error", "status_code": None, "message": "The model failed."}
    assert call["choices"][0]["text"] == "Partial" and call["choices"][0]["finish_reason"] == "failed"


def test_cohere_stream_and_whole():
    stream, whole = run_json(VCR / "cohere.yaml")
    assert stream["api"] == whole["api"] == "cohere.chat"
    (choice,) = stream["choices"]
    assert choice["reasoning"] == "Use the adder." and choice["text"] == ""
    assert tools(choice) == [("add_fx", "add", '{"a": 2, "b": 3}')] and choice["finish_reason"] == "TOOL_CALL"
    assert tokens(stream) == (120, 30, 150)
    (choice,) = whole["choices"]
    assert (choice["text"], choice["reasoning"], choice["finish_reason"]) == ("5", "Easy.", "COMPLETE")
    assert tokens(whole) == (100, 3, 103)


def test_bedrock_converse_whole_and_event_stream():
    whole, stream, titan = run_json(VCR / "bedrock.yaml")
    assert whole["api"] == stream["api"] == "bedrock.converse"
    assert whole["request"]["model"] == "us.anthropic.claude-fx-v1:0"
    (choice,) = whole["choices"]
    assert (choice["text"], choice["reasoning"]) == ("Checking.", "Need the tool.")
    assert tools(choice) == [("tooluse_fx", "weather", '{"city":"Lima"}')] and choice["finish_reason"] == "tool_use"
    assert tokens(whole) == (50, 20, 70) and whole["timing"] == {"latencyMs": 321}
    assert stream["streaming"] is True and stream["chunks"] == 10
    (choice,) = stream["choices"]
    assert choice["text"] == "Sunny in Lima." and tools(choice) == [("tooluse_s", "log", '{"ok": true}')]
    assert tokens(stream) == (30, 9, 39)
    assert titan["api"] == "bedrock.embed" and tokens(titan) == (2, None, None)


@pytest.mark.parametrize("spec, api, count, dims", [
    (f"{VCR / 'embeddings.yaml'}#0", "openai.embeddings", 2, 3),
    (f"{VCR / 'embeddings.yaml'}#1", "cohere.embed", 3, 2),
    (f"{VCR / 'embeddings.yaml'}#2", "gemini.embed", 1, 5),
    (f"{VCR / 'bedrock.yaml'}#2", "bedrock.embed", 1, 4),
])
def test_embeddings_of_each_provider_show_count_and_dimensions(spec, api, count, dims):
    assert run_json(spec)[0]["api"] == api
    text = run("show", spec).stdout
    assert f'"embeddings": {count},\n      "dimensions": {dims}\n' in text


def test_vcrpy_json_serializer():
    call = run_json(VCR / "vcrpy.json")[0]
    assert call["format"] == "vcr" and call["choices"][0]["text"] == "From a JSON cassette."


def test_alias_bomb_is_refused_quickly_with_one_line():
    proc = subprocess_llmcat("show", "--json", VCR / "alias-bomb.yaml", timeout=20)
    assert proc.returncode == 2 and proc.stdout == b""
    bomb = VCR / "alias-bomb.yaml"
    assert proc.stderr == f"llmcat: {bomb}: YAML aliases expand to millions of nodes (an alias bomb?); refused\n".encode()


def test_recursive_yaml_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("interactions:\n- request: &a {method: GET, uri: 'x', body: [*a]}\n  response: {}\n")
    result = run("show", path)
    assert result.exit_code == 2
    assert result.stderr == f"llmcat: {path}: YAML aliases refer to themselves (a recursive structure); refused\n"


def test_unsafe_yaml_tags_are_not_constructed(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("interactions:\n- !!python/object/apply:os.system ['echo pwned']\n")
    proc = subprocess_llmcat("show", path)
    assert proc.returncode == 2 and b"pwned" not in proc.stdout
    assert proc.stderr.decode().startswith(f"llmcat: {path}: not valid YAML: could not determine a constructor")
    assert len(proc.stderr.splitlines()) == 1


def test_address_selects_one_interaction_in_show_and_join():
    assert run("join", f"{VCR / 'multi.yaml'}#0", f"{HAR / 'session.har'}#1").stdout_bytes == b"Bonjour, le monde.\nHello from a HAR.\n"
    result = run("join", f"{VCR / 'multi.yaml'}#1")
    assert result.exit_code == 2 and result.stderr == f"llmcat: {VCR / 'multi.yaml'}#1: no interaction #1\n"
    assert "=== " + f"{VCR / 'multi.yaml'}#2" in run("show", f"{VCR / 'multi.yaml'}#2").stdout


def test_yaml_cassette_from_stdin():
    data = (VCR / "cohere.yaml").read_bytes()
    result = run("join", "-", input=data)
    assert result.exit_code == 0 and result.stdout_bytes == b"\n5\n"


# --- HAR ---------------------------------------------------------------------------------------


def test_har_entries_stream_base64_body_and_timings():
    stream, message, image = run_json(HAR / "session.har")
    assert [c["format"] for c in (stream, message, image)] == ["har"] * 3
    assert stream["choices"][0]["text"] == "Bonjour, le monde." and stream["streaming"] is True
    assert stream["timing"] == {"connect": 12.5, "send": 0.5, "wait": 180.0, "receive": 40.0, "time": 233.0,
                                "started": "2026-01-02T03:04:05.000Z"}
    (choice,) = message["choices"]
    assert (choice["text"], choice["reasoning"], choice["finish_reason"]) == ("Hello from a HAR.", "Short answer.", "end_turn")
    assert tokens(message) == (11, 6, 17)
    assert image["api"] == "http" and image["request"]["method"] == "GET"


def test_har_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.har"
    path.write_bytes(b"\xef\xbb\xbf" + (HAR / "session.har").read_bytes())
    assert [c["api"] for c in run_json(path)] == ["openai.chat", "anthropic.messages", "http"]


# --- raw captures ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, fmt, api, text", [
    ("openai-chat.sse", "sse", "openai.chat", "Bonjour, le monde."),
    ("anthropic.sse", "sse", "anthropic.messages", "Let me search."),
    ("responses.sse", "sse", "openai.responses", "It is noon."),
    ("ollama-chat.jsonl", "jsonl", "ollama.chat", "Hi there"),
    ("anthropic-message.json", "json", "anthropic.messages", "Saved as is."),
    ("gemini-stream.json", "json", "gemini", "Let me check."),
])
def test_raw_captures_detect_the_api_from_the_events(name, fmt, api, text):
    (call,) = run_json(RAW / name)
    assert (call["format"], call["api"], call["choices"][0]["text"]) == (fmt, api, text)
    assert call["request"]["url"] is None


def test_raw_sse_streaming_details():
    (call,) = run_json(RAW / "openai-chat.sse")
    assert call["streaming"] is True and call["chunks"] == 8 and tokens(call) == (12, 5, 17)
    (call,) = run_json(RAW / "ollama-chat.jsonl")
    assert call["choices"][0]["finish_reason"] == "stop" and tokens(call) == (4, 2, 6)


def test_truncated_gzip_cassette_says_so(tmp_path):
    path = tmp_path / "cut.yaml.gz"
    path.write_bytes((VCR / "gemini.yaml.gz").read_bytes()[:300])
    result = run("show", "--json", path)
    assert result.exit_code == 2 and result.stderr == f"llmcat: {path}: gzip data is cut short\n"


def _responses_sse(events: list[dict]) -> str:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)


def test_responses_with_two_messages_joins_as_the_sdk_and_shows_them_apart(tmp_path):
    """A model may say something, call a tool, then answer, all in one response: two message items.
    The answer's text is the SDKs' `output_text`: every message's parts joined with no separator (what
    a test asserted on), streamed and whole alike; `show` draws the two messages as two blocks."""
    first = {"type": "message", "id": "msg_1", "role": "assistant",
             "content": [{"type": "output_text", "text": "Rolling "}, {"type": "output_text", "text": "2d4+1."}]}
    call = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "roll", "arguments": '{"dice":"2d4+1"}'}
    second = {"type": "message", "id": "msg_2", "role": "assistant", "content": [{"type": "output_text", "text": "I rolled 6."}]}
    final = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-fx", "output": [first, call, second],
             "usage": {"input_tokens": 10, "output_tokens": 8, "total_tokens": 18}}
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(final))
    deltas = [("msg_1", 0, "Rolling "), ("msg_1", 0, "2d4"), ("msg_1", 1, "+1."), ("msg_2", 2, "I rolled "), ("msg_2", 2, "6.")]
    events = [{"type": "response.created", "response": {**final, "status": "in_progress", "output": []}}]
    events += [{"type": "response.output_text.delta", "item_id": item, "output_index": index, "content_index": 0, "delta": d}
               for item, index, d in deltas]
    events[4:4] = [{"type": "response.output_item.added", "output_index": 1, "item": {**call, "arguments": ""}},
                   {"type": "response.output_item.done", "output_index": 1, "item": call}]
    events += [{"type": "response.completed", "response": final}]
    streamed = tmp_path / "streamed.sse"
    streamed.write_text(_responses_sse(events))
    expected = "Rolling 2d4+1.I rolled 6."
    for path in (whole, streamed):
        (got,) = run_json(path)
        assert got["api"] == "openai.responses" and got["choices"][0]["text"] == expected, path.name
        assert [b.get("text") for b in got["choices"][0]["blocks"] if b["type"] == "text"] == ["Rolling ", "2d4+1.", "I rolled 6."]
        assert run("join", path).stdout == expected + "\n"
    shown = run("show", streamed).stdout
    # one answer per message: a message's two text parts are one text (#26), the two messages two
    assert "--- note" not in shown and shown.count("--- answer") == 2 and "--- answer\n    Rolling 2d4+1.\n" in shown


def test_a_bare_capture_is_listed_under_the_model_its_answer_names(tmp_path):
    """A capture holds no request: ls and show used to say no model ('-'); the answer names one
    (OpenAI chunks' `model`, Anthropic's `message_start`, Gemini's `modelVersion`). The request
    as show --json prints it still has none: nothing was recorded of it."""
    listed = run("ls", "--json", FIXTURES / "raw")
    assert listed.exit_code == 0, listed.stderr
    rows = {Path(row["source"]).name: row for row in map(json.loads, listed.stdout.splitlines())}
    table = run("ls", FIXTURES / "raw").stdout
    for name, row in rows.items():
        assert row["request"]["model"] is None, name
    models = {line.split("\t")[0].rsplit("/", 1)[-1]: line.split("\t")[2] for line in table.splitlines()[1:]}
    assert models == {"anthropic-message.json": "claude-fx", "anthropic.sse": "claude-fx", "ollama-chat.jsonl": "llama-fx",
                      "openai-chat.sse": "llama-fx", "responses.sse": "gpt-fx",
                      "gemini-stream.json": "-"}  # (this fixture's chunks name no modelVersion)
    gemini = json.loads((FIXTURES / "raw" / "gemini-stream.json").read_text())
    gemini[0]["modelVersion"] = "gemini-fx-001"
    (tmp_path / "gemini.json").write_text(json.dumps(gemini))
    assert run("ls", tmp_path / "gemini.json").stdout.splitlines()[1].split("\t")[2] == "gemini-fx-001"
    picked = run("ls", "--model", "claude*", FIXTURES / "raw").stdout.splitlines()[1:]
    assert picked and all("anthropic" in line for line in picked)
    shown = run("show", FIXTURES / "raw" / "anthropic.sse").stdout
    assert re.search(r"^model: +\S+ \(as the answer names it\)$", shown, re.M), shown
