"""What the fuzzers found once they changed values inside every container format, not only
llama-stack JSON (issue #18: "the fuzz and property suites run over every container format").
Each test is the found input, made by hand."""

from __future__ import annotations

import json

from conftest import FIXTURES, run


def test_a_responses_stream_whose_item_id_is_a_list(tmp_path):
    """An SSE capture of the Responses API whose function-call item has a list for its id made
    the reassembler raise TypeError (unhashable: it keyed its tool calls by the raw id), so the
    file was 'cannot read'. The call is read; its tool call keeps its arguments."""
    text = (FIXTURES / "raw" / "responses.sse").read_text()
    assert '"id":"fc_fx"' in text
    path = tmp_path / "responses.sse"
    path.write_text(text.replace('"id":"fc_fx"', '"id":["fc_fx"]'))
    result = run("show", "--json", path)
    assert result.exit_code == 0, result.stderr
    (call,) = [json.loads(line) for line in result.stdout.splitlines()]
    (tool,) = call["choices"][0]["tool_calls"]
    assert tool["name"] == "get_time" and tool["arguments"] == '{"tz": "UTC"}'


def test_a_test_proxy_json_body_with_a_lone_surrogate(tmp_path):
    """A test-proxy record whose JSON response body holds an escaped lone surrogate (`"\\ud800"`,
    legal JSON text, kept by the lenient reader) made orjson's size count raise TypeError: the
    whole record was unreadable. Both entries are read; the body's text is shown escaped."""
    record = json.loads((FIXTURES / "test-proxy" / "SpeechAndErrors.json").read_text())
    entry = next(e for e in record["Entries"] if isinstance(e.get("ResponseBody"), dict))
    entry["ResponseBody"]["note"] = "\ud800"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record))  # (json writes the surrogate as the escape \ud800)
    shown = run("ls", "--json", path)
    assert shown.exit_code == 0, shown.stderr
    assert len(shown.stdout.splitlines()) == len(record["Entries"])
    assert run("show", path).exit_code == 0


def test_a_gemini_live_session_with_mistyped_transcription_and_media(tmp_path):
    """Found by the mutation fuzzer once it changed values inside YAML cassettes: a Gemini Live
    frame whose `inputTranscription` is `true` (AttributeError: 'bool' has no .get), or whose
    realtime input's `mediaChunks` is a number (TypeError: not iterable), made the whole
    WebSocket cassette unreadable. Both frames are read as carrying nothing."""
    import yaml

    cassette = yaml.safe_load((FIXTURES / "websocket" / "gemini_live.yaml").read_text())
    frames = cassette["interactions"]
    at = next(n for n, f in enumerate(frames) if "clientContent" in f["data"])
    frames[at:at] = [{"direction": "sent", "data": {"realtimeInput": {"mediaChunks": 5}}},
                     {"direction": "received", "data": {"serverContent": {"inputTranscription": True}}}]
    path = tmp_path / "gemini_live.yaml"
    path.write_text(yaml.safe_dump(cassette))
    before = run("ls", "--json", FIXTURES / "websocket" / "gemini_live.yaml")
    after = run("ls", "--json", path)
    assert after.exit_code == 0, after.stderr
    assert len(after.stdout.splitlines()) >= len(before.stdout.splitlines())
    assert run("show", path).exit_code == 0


def test_an_xai_tool_call_whose_id_is_a_list(tmp_path):
    """Found by the mutation fuzzer in an xAI gRPC cassette (YAML): a tool call whose `id` is a
    list made the reassembler raise TypeError (it keyed the calls it had seen by the raw id), so
    the call was 'cannot read'. The call is read and its tool call kept."""
    text = (FIXTURES / "xai-grpc" / "tool_round.xai.yaml").read_text()
    assert "- id: call_rec1" in text
    path = tmp_path / "tool_round.xai.yaml"
    path.write_text(text.replace("- id: call_rec1", "- id: [call_rec1]"))
    result = run("show", "--json", path)
    assert result.exit_code == 0, result.stderr
    calls = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(choice["tool_calls"] for call in calls for choice in call["choices"]), calls
