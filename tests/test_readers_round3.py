"""The third round of readers, through the real CLI: gemini-cli `.responses`, bare bodies whatever their
suffix, Claude Agent SDK transcripts, an xAI Voice Agent session, the answer shapes that read as empty or
as a bare `<key>`, and `empty-answer` (fixtures/generate_readers.py writes the fixtures)."""

from __future__ import annotations

import json

import orjson
import pytest

from conftest import FIXTURES, SHARED, run, run_json

CLI = FIXTURES / "gemini-cli"
BODIES = FIXTURES / "body-only"
AGENT = FIXTURES / "agent-sdk" / "tool-round.json"
SHAPES = FIXTURES / "shapes"
NEW = SHARED / "new-recorders"


def rows(*paths) -> list[list[str]]:
    result = run("ls", *paths)
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[1:8] for line in result.stdout.splitlines()[1:]]


# --- gemini-cli .responses ----------------------------------------------------------------------------


def test_gemini_cli_lines_are_calls_with_the_api_their_method_names():
    assert rows(CLI / "list-files.responses") == [["token_count", "-", "no", "1", "-", "37", "-"],
                                                   ["gemini", "-", "yes", "3", "STOP", "40", "12"],
                                                   ["gemini", "-", "no", "1", "STOP", "61", "9"]]
    listed = run("ls", "--json", CLI)
    got = [(r["source"].rsplit("/", 1)[1] + f"#{r['interaction']}", r["api"], r["streaming"], r["finish_reason"],
            r["usage"]["prompt_tokens"] if r["usage"] else None, r["usage"]["completion_tokens"] if r["usage"] else None)
           for r in map(orjson.loads, listed.stdout_bytes.splitlines())]
    assert got == [("list-files.responses#0", "token_count", False, None, 37, None),
                   ("list-files.responses#1", "gemini", True, "STOP", 40, 12),
                   ("list-files.responses#2", "gemini", False, "STOP", 61, 9),
                   ("one-call.responses#0", "gemini", True, "STOP", None, None)]
    assert run("join", f"{CLI / 'list-files.responses'}#2").stdout == "Two files: a.txt and b.txt.\n"
    (call,) = run_json(f"{CLI / 'list-files.responses'}#1")
    assert call["format"] == "gemini-cli" and call["request"]["endpoint"] == "generateContentStream"
    assert call["choices"][0]["text"] == "Listing the files first."
    assert call["choices"][0]["tool_calls"] == [{"id": None, "name": "list_directory", "arguments": '{"dir_path":"."}'}]


def test_a_responses_file_cut_short_is_reported_by_name_and_by_a_walk(tmp_path):
    bad = FIXTURES / "bad" / "cut-short.responses"
    result = run("show", bad)
    assert result.exit_code == 2
    assert result.stderr == f"llmcat: {bad}: line 3 is not JSON (unexpected end of data: line 1 column 24 (char 23))\n"
    (tmp_path / "t.responses").write_bytes(bad.read_bytes())
    walked = run("ls", tmp_path)
    assert walked.exit_code != 0 and f"llmcat: {tmp_path / 't.responses'}: line 3 is not JSON" in walked.stderr


def test_a_responses_file_of_another_shape_is_never_dropped_in_silence(tmp_path):
    (tmp_path / "odd.responses").write_text('{"method": 5, "response": {}}\n{"method": 6, "response": {}}\n')
    walked = run("ls", tmp_path)
    assert walked.exit_code != 0 and f"llmcat: {tmp_path / 'odd.responses'}:" in walked.stderr


def test_a_gemini_cli_line_of_wrong_types_reads_without_a_traceback(tmp_path):
    path = tmp_path / "w.responses"
    path.write_text('{"method": "generateContent", "response": "oops"}\n{"method": "countTokens", "response": [1, 2]}\n')
    result = run("show", path)
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert [c["api"] for c in run_json(path)] == ["gemini", "token_count"]


# --- bare bodies: the content, not the suffix, tells -----------------------------------------------------------


def test_bare_bodies_are_read_by_their_content_whatever_their_suffix():
    calls = {c["source"].rsplit("/", 1)[1]: c for c in run_json(BODIES)}
    assert {name: (c["format"], c["api"]) for name, c in calls.items()} == {
        "gemini-thoughts-1.json": ("sse", "gemini"), "ollama-tools-2.sse": ("jsonl", "ollama.chat"),
        "perplexity-answer-1.json": ("json", "openai.chat"), "perplexity-stream-2.sse": ("sse", "openai.chat")}
    assert calls["perplexity-stream-2.sse"]["choices"][0]["text"] == "Mild and showery."  # the deltas, not `message` again
    assert calls["perplexity-answer-1.json"]["choices"][0]["text"] == "Mild and showery, around 18°C[1]."
    assert calls["gemini-thoughts-1.json"]["choices"][0]["reasoning"] == "Checking the forecast."
    assert calls["ollama-tools-2.sse"]["choices"][0]["tool_calls"][0]["arguments"] == '{"city":"Lyon"}'


# --- Claude Agent SDK transcripts ---------------------------------------------------------------------


def test_each_assistant_turn_of_an_agent_transcript_is_a_call():
    calls = run_json(AGENT)
    assert [(c["api"], c["choices"][0]["finish_reason"] if c["choices"] else None) for c in calls] == [
        ("anthropic.agent-sdk", None), ("anthropic.agent-sdk", "end_turn"), ("anthropic.agent-sdk", "tool_use")]
    first, second, third = calls
    assert first["choices"][0]["reasoning"] == "I should run ls."
    assert first["choices"][0]["tool_calls"] == [{"id": "toolu_fx1", "name": "Bash", "arguments": '{"command":"ls"}'}]
    assert second["choices"][0]["text"] == "Two files: a.txt and b.txt."
    assert (second["usage"]["prompt_tokens"], second["usage"]["completion_tokens"]) == (9, 57)  # the result's: the query's
    assert (first["usage"]["prompt_tokens"], first["usage"]["completion_tokens"]) == (3, 0)  # its own message's
    assert [b["type"] for b in second["request"]["transcript"]] == ["text", "reasoning", "tool_call", "tool_result"]
    assert second["request"]["transcript"][3]["content"] == "a.txt\nb.txt"
    assert third["error"] == {"type": "error_during_execution", "status_code": None, "message": None}
    assert third["choices"][0]["tool_calls"][0]["arguments"] == "{}"
    assert run("join", f"{AGENT}#1").stdout == "Two files: a.txt and b.txt.\n"
    shown = run("show", f"{AGENT}#1").stdout
    assert "    [tool] Bash: a.txt\n" in shown and "timing: duration_ms=4200" in shown
    errors = run("ls", "--errors", AGENT).stdout.splitlines()[1:]
    assert [line.split("\t")[0].rsplit("/", 1)[1] for line in errors] == ["tool-round.json#2"]


def test_an_agent_turn_the_cli_marks_as_an_api_failure_is_an_error():
    (call,) = run_json(FIXTURES / "agent-sdk" / "rate-limited.json")
    assert call["error"] == {"type": "rate_limit", "status_code": None, "message": "API Error: Rate limit reached"}
    assert run("check", FIXTURES / "agent-sdk" / "rate-limited.json").stdout.endswith(
        "info: recorded-error: the call failed: rate_limit API Error: Rate limit reached\n")


@pytest.mark.parametrize("messages, reason", [
    ([{"direction": "recv", "message": {"type": "system"}}, {"direction": "sideways", "message": {}}],
     "a Claude Agent SDK transcript with a message that is not {direction, message}"),
])
def test_a_broken_agent_transcript_says_why(tmp_path, messages, reason):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"metadata": {}, "messages": messages}))
    result = run("show", path)
    assert result.exit_code == 2 and result.stderr == f"llmcat: {path}: {reason}\n"


def test_an_agent_transcript_of_wrong_types_reads_without_a_traceback(tmp_path):
    path = tmp_path / "t.json"
    message = {"type": "assistant", "message": {"id": 5, "content": "plain", "usage": [], "model": 3}}
    path.write_text(json.dumps({"metadata": None, "messages": [{"direction": "recv", "message": message},
                                                               {"direction": "recv", "message": {"type": "result", "usage": 7}}]}))
    (call,) = run_json(path)
    assert call["api"] == "anthropic.agent-sdk" and call["usage"] is None


# --- an xAI Voice Agent session ----------------------------------------------------------------------------


def test_an_xai_voice_session_is_read_as_the_openai_realtime_sessions_are():
    path = FIXTURES / "xai-voice" / "tool_round.yaml"
    first, second = run_json(path)
    assert first["api"] == second["api"] == "openai.realtime"
    assert first["request"]["model"] == "grok-voice-fx"
    assert first["choices"][0]["tool_calls"] == [{"id": "call_x1", "name": "get_time", "arguments": '{"city":"Oslo"}'}]
    assert second["choices"][0]["text"] == "It is five past two."
    assert (second["usage"]["prompt_tokens"], second["usage"]["completion_tokens"]) == (60, 22)
    assert run("check", path).stdout == ""


# --- shapes -------------------------------------------------------------------------------------------


def test_content_as_an_object_or_unknown_parts_is_kept_as_compact_json_and_a_message_beside_an_empty_delta_read():
    assert run("join", SHAPES / "object-content.yaml").stdout == (
        '{"title":"Apples","author":"H. W."}\n{"type":"summary","summary":"Short."}\nMild and showery, around 18°C[1].\n')


def test_a_tool_result_of_the_tools_own_shape_is_shown_whole():
    (call,) = run_json(SHAPES / "gemini-tool-results.yaml")
    results = [(b["name"], b["content"]) for b in call["request"]["transcript"] if b["type"] == "tool_result"]
    assert results == [("get_weather", '{"return_value":"Sunny, 22C in Paris"}'), ("get_time", "14:05"),
                       ("get_tz", '{"zone":"CET","offset":1}')]
    # a JSON result pretty-printed as tool arguments are (#26)
    shown = run("show", SHAPES / "gemini-tool-results.yaml").stdout
    assert '    [tool] get_weather: {\n             "return_value": "Sunny, 22C in Paris"\n           }\n' in shown


def test_an_anthropic_tool_use_with_no_input_has_arguments_of_an_empty_object():
    calls = run_json(SHAPES / "anthropic-empty-input.yaml")
    assert [c["choices"][0]["tool_calls"][0]["arguments"] for c in calls] == ["{}", "{}"]
    assert [[b["arguments"] for b in c["choices"][0]["blocks"]] for c in calls] == [["{}"], ["{}"]]


def test_an_error_in_the_middle_of_a_stream_is_the_calls_error():
    first, second = run_json(SHAPES / "stream-errors.yaml")
    assert first["error"] == {"type": "529", "status_code": None, "message": "upstream overloaded"}
    assert first["choices"][0]["text"] == "The answer is"
    assert second["error"] == {"type": None, "status_code": None, "message": "model runner has unexpectedly stopped"}
    assert "--- error\ntype: 529\n    upstream overloaded\n" in run("show", f"{SHAPES / 'stream-errors.yaml'}#0").stdout
    assert len(run("ls", "--errors", SHAPES / "stream-errors.yaml").stdout.splitlines()) == 3  # a header and both calls
    checked = run("check", SHAPES / "stream-errors.yaml").stdout
    assert checked.count("recorded-error") == 2 and "truncated-stream" not in checked


def test_a_body_of_another_apis_shape_behind_a_url_is_read_by_its_shape_and_said_so():
    (call,) = run_json(SHAPES / "proxy-body.yaml")
    assert (call["api"], call["choices"][0]["text"], call["empty_answer"]) == ("openai.chat", "Hello from the gateway.", None)
    assert "--- note\n    read as openai.chat: the body has its shape, though the URL names gemini\n" in run(
        "show", SHAPES / "proxy-body.yaml").stdout


# --- never empty without a reason ---------------------------------------------------------------------------


def test_an_answer_that_reads_as_empty_is_reported_and_nothing_else_is():
    path = SHAPES / "empty-answers.yaml"
    result = run("check", path)
    assert result.stdout == (
        f"{path}#0: warning: empty-answer: the answer reads as empty, but the provider counts 7 output tokens\n"
        f"{path}#1: warning: empty-answer: the answer reads as empty, but the response carries text llmcat did not read\n")
    shown = run("show", f"{path}#0").stdout
    assert "--- summary\nnote:   the answer reads as empty, but the provider counts 7 output tokens\nfinish: stop\n" in shown
    assert [c["empty_answer"] for c in run_json(path)] == [
        {"output_tokens": 7, "note": "the answer reads as empty, but the provider counts 7 output tokens"},
        {"output_tokens": None, "note": "the answer reads as empty, but the response carries text llmcat did not read"},
        None, None, None, None, None]  # (#6: a picture, no words, is an answer)
    assert run("join", SHAPES / "audio-answers.yaml").stdout == "Hello there.\nHello there.\n"  # a spoken answer's transcript


def test_no_fixture_of_ours_but_the_empty_answers_reads_as_an_empty_answer():
    result = run("check", "--json", FIXTURES)
    found = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    flagged = {f["source"].rsplit("/", 1)[1] for f in found if f["code"] == "empty-answer"}
    assert flagged == {"empty-answers.yaml"}  # (an Assistants run, which counts tokens but holds no words, is not)


# --- the real recordings of ../shared/new-recorders: the answer as an independent reading of the bytes gives it -----


def _new(kind: str):
    if not (NEW / kind).is_dir():
        pytest.skip(f"{NEW / kind} is absent")
    return sorted(p for p in (NEW / kind).iterdir() if p.is_file())


def _gemini_text(chunks: list) -> tuple[str, list]:
    text, calls = "", []
    for chunk in chunks:
        for part in chunk["candidates"][0]["content"]["parts"]:
            if "text" in part and not part.get("thought"):
                text += part["text"]
            if "functionCall" in part:
                calls.append((part["functionCall"]["name"], part["functionCall"]["args"]))
    return text, calls


def test_new_recorders_gemini_cli_answers_are_the_recorded_ones():
    for path in _new("gemini-cli-responses"):
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        calls = run_json(path)
        assert len(calls) == len(lines)
        for line, call in zip(lines, calls, strict=True):
            chunks = line["response"] if isinstance(line["response"], list) else [line["response"]]
            text, tools = _gemini_text(chunks)
            assert call["api"] == "gemini" and call["choices"][0]["text"] == text
            assert [(t["name"], json.loads(t["arguments"])) for t in call["choices"][0]["tool_calls"]] == tools


def test_new_recorders_bare_bodies_answers_are_the_recorded_ones():
    for path in _new("body-only"):
        raw = path.read_text()
        (call,) = run_json(path)
        got = call["choices"][0]["text"] if call["choices"] else ""
        if raw.lstrip().startswith("{") and "\n{" not in raw.strip():  # one JSON body
            body = json.loads(raw)
            expected = body["choices"][0]["message"]["content"] if "choices" in body else None
        elif raw.lstrip().startswith("{"):  # NDJSON
            expected = "".join(json.loads(line)["message"]["content"] for line in raw.splitlines() if line.strip())
        else:  # SSE
            events = [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data:") and line[5:].strip() != "[DONE]"]
            expected = "".join(e["delta"]["text"] for e in events if e.get("type") == "content_block_delta"
                               and e["delta"].get("type") == "text_delta") if "message_start" in raw else _gemini_text(events)[0]
        assert got == expected, path.name
        assert call["empty_answer"] is None


def test_new_recorders_agent_sdk_answers_are_the_recorded_ones():
    for path in _new("claude-agent-sdk"):
        messages = [m["message"] for m in json.loads(path.read_text())["messages"]]
        turns: dict[str, list] = {}
        for m in messages:
            if m.get("type") == "assistant":
                turns.setdefault(m["message"]["id"], []).extend(m["message"]["content"])
        calls = run_json(path)
        assert len(calls) == len(turns)
        for call, blocks in zip(calls, turns.values(), strict=True):
            assert call["choices"][0]["text"] == "".join(b["text"] for b in blocks if b["type"] == "text")
            assert [t["name"] for t in call["choices"][0]["tool_calls"]] == [b["name"] for b in blocks if b["type"] == "tool_use"]
        results = [m for m in messages if m.get("type") == "result"]
        assert calls[-1]["choices"][0]["text"] == results[-1]["result"]


def test_new_recorders_object_content_is_the_recorded_json():
    import yaml

    for path in _new("vcrpy-object-content"):
        cassette = yaml.safe_load(path.read_text())
        calls = run_json(path)
        for interaction, call in zip(cassette["interactions"], calls, strict=True):
            body = interaction["response"]["body"]["string"]
            if isinstance(body, bytes):
                body = body.decode()
            if body.startswith("data:"):
                chunks = [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:") and "[DONE]" not in line]
                expected = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))
            else:
                content = json.loads(body)["choices"][0]["message"]["content"]
                expected = content if isinstance(content, str) else json.dumps(content, separators=(",", ":"), ensure_ascii=False)
            assert call["choices"][0]["text"] == expected


def test_no_new_recording_of_ours_reads_as_an_empty_answer():
    for kind in ("gemini-cli-responses", "body-only", "claude-agent-sdk", "vcrpy-object-content"):
        _new(kind)
        checked = run("check", NEW / kind)
        assert "empty-answer" not in checked.stdout, kind
