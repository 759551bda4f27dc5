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
    bad = FIXTURES / "bad" / "bad-binary.yml"
    assert proc.stderr.decode().splitlines() == [f"llmcat: {bad}: not valid YAML: a !binary value that is not base64"]


# --- Azure / Microsoft.ClientModel test proxy ---------------------------------------------------


def test_test_proxy_json_body_sse_lines_and_responses():
    assert calls_of(FIXTURES / "test-proxy" / "ChatSession.json") == [
        ("test-proxy", "openai.chat", False, "Mjøsa.", None, [], "stop", (12, 3, 15)),
        ("test-proxy", "openai.chat", True, "C-A-T", None, [], "stop", (10, 3, 13)),
        ("test-proxy", "openai.responses", False, "ok", None, [], "completed", (8, 2, 10)),
    ]


def test_test_proxy_base64_binary_body_error_and_text():
    speech, refused, text = run_json(FIXTURES / "test-proxy" / "SpeechAndErrors.json")
    assert speech["api"] == "http" and speech["request"]["model"] == "tts-1"
    details = run("show", f"{FIXTURES / 'test-proxy' / 'SpeechAndErrors.json'}#0").stdout
    assert "audio/mpeg" in details and "56" in details  # the decoded mp3's type and size, not its bytes
    assert refused["error"] == {"type": "invalid_request_error", "status_code": 400,
                                "message": "'messages' must contain at least one non-empty message."}
    assert text["api"] == "http" and text["request"]["method"] == "GET"


def test_test_proxy_session_with_no_entries_is_no_call_and_a_walk_passes_it_over():
    path = FIXTURES / "test-proxy" / "NothingRecorded.json"
    shown = subprocess_llmcat("show", path)
    assert (shown.returncode, shown.stdout, shown.stderr) == (0, b"", b"")  # a recording of no call: nothing to show
    listed = subprocess_llmcat("ls", FIXTURES / "test-proxy")
    assert listed.returncode == 0 and listed.stderr == b""
    assert len(listed.stdout.decode().splitlines()) == 1 + 6  # header + the two sessions' calls


def test_test_proxy_entries_that_are_not_exchanges_are_reported(tmp_path):
    path = tmp_path / "Broken.json"
    path.write_text('{"Entries": [{"RequestMethod": "GET"}], "Variables": {}}')
    proc = subprocess_llmcat("ls", path)
    assert proc.returncode == 2 and proc.stderr.decode().strip().endswith("a test-proxy record whose entries are not HTTP exchanges")


# --- httprr ------------------------------------------------------------------------------------


def test_httprr_chunked_ndjson_stream():
    assert calls_of(FIXTURES / "httprr" / "TestOllamaStream.httprr") == [
        ("httprr", "ollama.chat", True, "A nautical mile is 6076 feet.", None, [], "stop", (18, 6, 24))]


def test_httprr_several_exchanges_http2_status_line_and_error():
    calls = run_json(FIXTURES / "httprr" / "TestChatAndGemini.httprr")
    assert [c["request"]["url"] for c in calls] == [
        "https://api.openai.com/v1/chat/completions",
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
        "https://api.openai.com/v1/chat/completions"]
    assert [summary(c) for c in calls[:2]] == [
        ("httprr", "openai.chat", False, "Oslo.", None, [], "stop", (13, 2, 15)),
        ("httprr", "gemini", False, "", None, [(None, "getWeather", '{"city":"Tromsø"}')], "STOP", (30, 5, 35)),
    ]
    assert calls[2]["error"] == {"type": "invalid_request_error", "status_code": 401, "message": "Incorrect API key provided."}


def test_httprr_gzipped_trace_with_gzip_chunked_body():
    assert calls_of(FIXTURES / "httprr" / "TestGzipStream.httprr.gz") == [
        ("httprr", "openai.chat", True, "Fjords are deep.", None, [], "stop", (9, 3, 12))]


def test_httprr_cut_short_is_reported():
    proc = subprocess_llmcat("ls", FIXTURES / "bad" / "cut-short.httprr")
    assert proc.returncode == 2 and "httprr trace is cut short" in proc.stderr.decode()


# --- nock --------------------------------------------------------------------------------------


def test_nock_json_response_and_hex_event_stream():
    assert calls_of(FIXTURES / "nock" / "bedrock-converse.json") == [
        ("nock", "bedrock.converse", False, "Hello from Bedrock.", None, [], "end_turn", (10, 5, 15)),
        ("nock", "bedrock.converse", True, "Rain in Bergen.", None, [], "end_turn", (17, 5, 22)),
    ]


def test_nock_gzip_hex_chunks_sse_text_and_server_error():
    calls = run_json(FIXTURES / "nock" / "openai-and-anthropic.json")
    assert calls[0]["request"]["url"] == "https://api.openai.com:443/v1/chat/completions"
    assert [summary(c) for c in calls[:2]] == [
        ("nock", "openai.chat", False, "Compressed hello.", None, [], "stop", (7, 3, 10)),
        ("nock", "anthropic.messages", True, "Hello!", "Short answer.", [], "end_turn", (5, 3, 8)),
    ]
    assert calls[2]["error"] == {"type": "server_error", "status_code": 500, "message": "The server had an error."}


# --- Datadog test agent ------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("openai_chat_completions_post_1a2b3c4d.json", ("dd-test-agent", "openai.chat", True, "Dovregubben.", None, [], "stop", (12, 4, 16))),
    ("anthropic_v1_messages_post_5e6f7a8b.json",
     ("dd-test-agent", "anthropic.messages", False, "Adding.", None, [("toolu_rec", "add", '{"a":2,"b":3}')], "tool_use", (300, 40, 340))),
    ("bedrock-runtime_model_amazon.nova-lite-v1_0_converse-stream_post_9c0d1e2f.json",
     ("dd-test-agent", "bedrock.converse", True, "Rain in Bergen.", None, [], "end_turn", (17, 5, 22))),
])
def test_dd_test_agent_cassette_is_not_taken_for_llama_stack(name, expected):
    assert calls_of(FIXTURES / "dd-test-agent" / name) == [expected]


def test_dd_test_agent_ls_counts_agree_with_show():
    rows = run("ls", FIXTURES / "dd-test-agent").stdout.splitlines()[1:]
    by_name = {row.split("\t")[0].rsplit("/", 1)[1]: row.split("\t") for row in rows}
    assert by_name["anthropic_v1_messages_post_5e6f7a8b.json"][1:8] == ["anthropic.messages", "claude-sonnet-rec", "no", "1", "tool_use",
                                                                        "300", "40"]
    assert by_name["openai_chat_completions_post_3a4b5c6d.json"][1] == "openai.chat"
    (refused,) = run_json(FIXTURES / "dd-test-agent" / "openai_chat_completions_post_3a4b5c6d.json")
    assert refused["error"] == {"type": "invalid_request_error", "status_code": 400, "message": "Empty message."}


# --- saved {status, headers, body} -------------------------------------------------------------


def test_saved_response_text_and_json_bodies():
    assert calls_of(FIXTURES / "saved-response" / "anthropic-stream.json") == [
        ("saved-response", "anthropic.messages", True, "Tusen takk.", "Short answer.", [], "end_turn", (30, 4, 34))]
    assert calls_of(FIXTURES / "saved-response" / "openai-json.json") == [
        ("saved-response", "openai.chat", False, "Skål!", None, [], "stop", (6, 2, 8))]
    (overloaded,) = run_json(FIXTURES / "saved-response" / "overloaded.json")
    assert overloaded["error"] == {"type": "overloaded_error", "status_code": 529, "message": "Overloaded"}


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


# --- WebSocket cassettes -----------------------------------------------------------------------


def test_openai_realtime_tool_round_is_two_calls():
    first, second = run_json(FIXTURES / "websocket" / "openai_realtime_tool_round.yaml")
    assert summary(first) == ("websocket", "openai.realtime", True, "", None, [("call_tide1", "get_tide", '{"harbour": "Bodø"}')],
                              "completed", (120, 18, 138))
    assert first["request"]["model"] == "gpt-realtime"
    assert first["request"]["params"]["instructions"] == "Answer tide questions with the tool."
    assert first["request"]["messages"] == [{"type": "message", "role": "user", "content": [{"type": "input_text",
        "text": "When is high tide in Bodø?"}]}]
    assert second["request"]["messages"] == [{"type": "function_call_output", "call_id": "call_tide1", "output": "14:05"}]
    assert summary(second) == ("websocket", "openai.realtime", True, "High tide is at 14:05.", None, [], "completed", (150, 9, 159))


def test_openai_realtime_audio_answer_is_its_transcript_and_audio_its_size():
    spoken, cut, refused = run_json(FIXTURES / "websocket" / "openai_realtime_audio.yaml")
    assert spoken["request"]["messages"] == [{"type": "input_audio", "audio": "<768 bytes of audio>"},
                                             {"type": "input_audio_transcription", "transcript": "How is the weather?"}]
    assert summary(spoken)[3:] == ("It is sunny.", None, [], "completed", (40, 25, 65))
    assert summary(cut)[3:] == ("Well, the", None, [], "max_output_tokens", (70, 4, 74))
    assert refused["error"] == {"type": "invalid_request_error", "status_code": None,
                                "message": "Conversation already has an active response"}
    text = run("show", f"{FIXTURES / 'websocket' / 'openai_realtime_audio.yaml'}#0").stdout
    assert "answered in audio: 1536 bytes" in text and "AAECAwQF" not in text


def test_gemini_live_tool_call_then_spoken_answer_then_audio_turn():
    calls = run_json(FIXTURES / "websocket" / "gemini_live.yaml")
    assert [summary(c) for c in calls] == [
        ("websocket", "gemini.live", True, "", None, [("fc_1", "lookup_height", '{"peak":"Galdhøpiggen"}')], "toolCall", NO_USAGE),
        ("websocket", "gemini.live", True, "About 2469 metres.", "Looking it up gave 2469.", [], "turnComplete", (210, 30, 240)),
        ("websocket", "gemini.live", True, "You're welcome.", None, [], "turnComplete", (260, 5, 265)),
    ]
    assert calls[0]["request"]["model"] == "gemini-live-rec"
    assert calls[1]["request"]["messages"] == [
        {"role": "user", "parts": [{"functionResponse": {"id": "fc_1", "name": "lookup_height", "response": {"metres": 2469}}}]}]
    assert calls[2]["request"]["messages"] == [
        {"role": "user", "parts": [{"inlineData": {"mimeType": "audio/pcm", "data": "<768 bytes of audio>"}}]},
        {"role": "user", "parts": [{"text": "Thanks!"}]}]


def test_websocket_session_of_an_unknown_protocol_is_one_call_with_its_audio_measured():
    path = FIXTURES / "websocket" / "voice_agent_other_protocol.yaml"
    (call,) = run_json(path)
    assert (call["format"], call["api"], call["interaction"]) == ("websocket", "other", 0)
    text = run("show", path).stdout
    assert "Hei på deg!" in text and "<768 bytes of base64 data>" in text and "AAECAwQF" not in text


def test_websocket_calls_are_addressed_by_number():
    (call,) = run_json(f"{FIXTURES / 'websocket' / 'gemini_live.yaml'}#2")
    assert call["interaction"] == 2 and call["choices"][0]["text"] == "You're welcome."
    rows = run("ls", FIXTURES / "websocket").stdout.splitlines()
    assert len(rows) == 1 + 9 and rows[1].split("\t")[0].endswith("gemini_live.yaml#0")


# --- xAI gRPC cassettes ------------------------------------------------------------------------


def test_xai_samples_tool_call_then_answer():
    first, second = run_json(FIXTURES / "xai-grpc" / "tool_round.xai.yaml")
    assert summary(first) == ("xai-grpc", "xai.chat", False, "", "Use the tool.", [("call_rec1", "get_location", '{"name":"Bergen"}')],
                              "REASON_TOOL_CALLS", (100, 20, 150))
    assert first["request"]["model"] == "grok-4-fast-rec"
    assert first["request"]["messages"] == [{"content": [{"text": "Coordinates of Bergen?"}], "role": "ROLE_USER"}]
    assert summary(second) == ("xai-grpc", "xai.chat", False, "Bergen lies at 60.39 N, 5.32 E.", None, [], "REASON_STOP", (160, 14, 174))


def test_xai_stream_reassembled_with_reasoning():
    assert calls_of(FIXTURES / "xai-grpc" / "stream_reasoning.xai.yaml") == [
        ("xai-grpc", "xai.chat", True, "The fourth prime is 7.", "Primes: 2 3 5 7.", [], "REASON_STOP", (40, 3, 55))]


def test_join_prints_each_recorders_answers():
    result = run("join", FIXTURES / "xai-grpc" / "tool_round.xai.yaml", FIXTURES / "httprr" / "TestOllamaStream.httprr")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["", "Bergen lies at 60.39 N, 5.32 E.", "A nautical mile is 6076 feet."]


# --- the wild corpus ---------------------------------------------------------------------------

wild = pytest.mark.skipif(not WILD.is_dir(), reason="../shared/corpus/wild is not here")
WILD_FILES = sorted(p for p in WILD.rglob("*") if p.is_file() and p.name != "README.md") if WILD.is_dir() else []
EMPTY_SESSION = "CompleteChatStreamingClosesNetworkStreamAsync.json"  # a test-proxy record of no entries


@wild
@pytest.mark.parametrize("path", WILD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_wild_file_is_read(path):
    proc = subprocess_llmcat("show", "--json", path)
    if path.name == EMPTY_SESSION:
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")  # a recording of no call
        return
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    assert proc.stdout.count(b"\n") >= 1 and b"Traceback" not in proc.stderr


@wild
def test_wild_directory_lists_every_call_without_error():
    proc = subprocess_llmcat("ls", WILD)
    assert proc.returncode == 0 and proc.stderr == b""
    assert len(proc.stdout.decode().splitlines()) == 1 + 25
    stats = orjson.loads(subprocess_llmcat("stats", "--json", WILD).stdout)
    assert (stats["recordings"], stats["calls"]) == (19, 25)
    checked = subprocess_llmcat("check", "--json", WILD)
    findings = list(map(orjson.loads, checked.stdout.splitlines()))
    assert checked.returncode == 0 and [f for f in findings if f["level"] == "error"] == []
    # The session that made no call is named, as a warning: a recording of nothing, not a broken file.
    assert [(f["level"], f["source"].rsplit("/", 1)[1]) for f in findings if f["code"] == "empty-recording"] == [
        ("warning", EMPTY_SESSION)]


def _wild(relative: str) -> list[dict]:
    return run_json(WILD / relative)


@wild
def test_wild_answers_are_the_providers():
    (dd,) = _wild("datadog-test-agent/anthropic_v1_messages_post_28bbec95.json")
    assert summary(dd)[:2] == ("dd-test-agent", "anthropic.messages") and summary(dd)[5][0][1:] == ("add", '{"a":1,"b":2}')
    realtime = _wild("websocket/test_tool_call_round.yaml")
    assert [c["choices"][0]["text"] for c in realtime] == ["", "It is foggy and 12 degrees in London."]
    assert realtime[0]["choices"][0]["tool_calls"][0]["name"] == "get_weather"
    (live,) = _wild("websocket/test_text_in_audio_out_turn.yaml")
    assert live["choices"][0]["text"] == "Hello there." and live["usage"]["total_tokens"] == 1157
    (stream,) = _wild("xai-grpc/test_xai_stream_events_with_reasoning.xai.yaml")
    assert stream["choices"][0]["text"].endswith("2, 3, 5, 7, 11, 13, 17, 19, 23, 29.")
    rolls = _wild("ruby-vcr/chat_function_calling_openai_gpt-5-nano_can_handle_multiple_tool_calls_in_a_single_response.yml")
    assert len(rolls) == 4 and rolls[-1]["choices"][0]["text"] == "Here are your 3 dice rolls (in order): 1, 2, 3."
    (saved,) = _wild("status-headers-body/reasoning-tool-use-streaming.json")
    assert saved["choices"][0]["tool_calls"][0]["arguments"] == '{"location": "San Francisco"}'
    (httpx,) = _wild("vcrpy-httpx/chat_completion_streamed.yaml")
    assert httpx["choices"][0]["text"] == "The Los Angeles Dodgers won the World Series in 2020."
