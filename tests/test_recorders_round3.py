"""The third round of recorders (fixtures/generate_round3.py) through the real CLI, with exact expected values.

Elixir ReqLLM fixtures, R's vcr cassettes, WireMock stub mappings, Polly.JS HAR; then the
same recorders' real files in ../shared/new-recorders, each call compared with a reading of
its raw bytes written here (skipped when absent).
"""

from __future__ import annotations

import base64
import json

import orjson
import pytest

from conftest import FIXTURES, SHARED, run, run_json, subprocess_llmcat

NEW = SHARED / "new-recorders"
REQ_LLM = FIXTURES / "req-llm"


def summary(call) -> tuple:
    """(format, api, streamed, text, reasoning, tool calls, finish, tokens) of one call of `show --json`."""
    choice = call["choices"][0] if call["choices"] else {}
    usage = call["usage"] or {}
    tools = [(t["id"], t["name"], t["arguments"]) for t in choice.get("tool_calls", [])]
    return (call["format"], call["api"], call["streaming"], choice.get("text"), choice.get("reasoning"), tools,
            choice.get("finish_reason"), (usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens")))


def calls_of(path) -> list[tuple]:
    return [summary(call) for call in run_json(path)]


def one_line_error(path, reason: str) -> None:
    """Every command that reads says the same one line, exit 2, and no traceback."""
    for command in ("show", "ls", "join"):
        proc = subprocess_llmcat(command, path)
        assert proc.returncode == 2, (command, proc.stderr)
        assert proc.stderr.decode() == f"llmcat: {path}: {reason}\n", command


# --- ReqLLM ------------------------------------------------------------------------------------


def test_req_llm_whole_answers_and_streams_of_every_framing():
    assert [calls_of(REQ_LLM / name)[0] for name in (
        "anthropic_whole.json", "anthropic_stream.json", "openai_chat_stream.json", "bedrock_converse_stream.json",
        "ollama_chat_ndjson.json", "openai_events_transcript.json")] == [
        ("req-llm", "anthropic.messages", False, "Hello, Elixir.", "Short answer.", [], "end_turn", (21, 9, 30)),
        ("req-llm", "anthropic.messages", True, "Let me search.", None,
         [("srvtoolu_fx", "web_search", '{"query": "llmcat"}'), ("toolu_fx", "lookup", '{"id": 7}')], "tool_use", (40, 25, 65)),
        ("req-llm", "openai.chat", True, "One, two, three.", None, [], "stop", (8, 4, 12)),
        ("req-llm", "bedrock.converse", True, "Sunny and warm.", None, [], "end_turn", (12, 4, 16)),
        ("req-llm", "ollama.chat", True, "Hi there!", None, [], "stop", (10, 3, 13)),
        ("req-llm", "openai.chat", False, "Hi!", None, [], "stop", (5, 2, 7)),
    ]


def test_req_llm_request_model_and_a_refusal_kept_as_text():
    (call,) = run_json(REQ_LLM / "bedrock_converse_stream.json")
    assert call["request"]["model"] == "us.anthropic.claude-fx-v1:0" and call["request"]["method"] == "POST"
    (refused,) = run_json(REQ_LLM / "anthropic_overloaded_text.json")
    assert refused["error"] == {"type": None, "status_code": 529, "message": "Overloaded, retry later"}
    listed = run("ls", REQ_LLM).stdout.splitlines()
    assert [line.split("\t")[:3] for line in listed[1:3]] == [
        [str(REQ_LLM / "anthropic_overloaded_text.json"), "anthropic.messages", "claude-fx"],
        [str(REQ_LLM / "anthropic_stream.json"), "anthropic.messages", "claude-fx"]]


def test_req_llm_is_not_taken_for_llama_stack():
    shown = run("show", REQ_LLM / "anthropic_stream.json").stdout
    assert "(req-llm, streamed)" in shown and "llama-stack" not in shown


@pytest.mark.parametrize(("change", "reason"), [
    (lambda f: f.update(chunks={"b64": "eA=="}), "a ReqLLM fixture whose chunks are not a list"),
    (lambda f: f["chunks"].__setitem__(1, "text"), "ReqLLM chunk 1 is not an object"),
    (lambda f: f["chunks"].__setitem__(2, {"b64": "%%%"}), "ReqLLM chunk 2: b64 is not base64"),
    (lambda f: f["chunks"].__setitem__(0, {"b64": 7}), "ReqLLM chunk 0: b64 is not a string"),
    (lambda f: f["chunks"].__setitem__(3, {}), "ReqLLM chunk 3 has no b64 bytes"),
])
def test_req_llm_hostile_variants_say_one_line(tmp_path, change, reason):
    fixture = json.loads((REQ_LLM / "anthropic_stream.json").read_text())
    change(fixture)
    path = tmp_path / "broken.json"
    path.write_bytes(orjson.dumps(fixture))
    one_line_error(path, reason)


def test_req_llm_truncated_and_wrongly_typed_fields(tmp_path):
    data = (REQ_LLM / "anthropic_whole.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: len(data) // 2])
    proc = subprocess_llmcat("show", cut)
    assert proc.returncode == 2 and proc.stderr.startswith(f"llmcat: {cut}: not JSON".encode()) and proc.stderr.count(b"\n") == 1
    fixture = json.loads(data)
    fixture["response"].update(status="200", headers=["x"], body=[1, 2])
    fixture["request"].update(url=5, method=None)
    odd = tmp_path / "odd.json"
    odd.write_bytes(orjson.dumps(fixture))
    (call,) = run_json(odd)  # read, not refused: what is there is shown
    assert (call["format"], call["request"]["url"], call["request"]["method"]) == ("req-llm", None, None)
    assert call["choices"] == [] and call["error"] is None


# --- ../shared/new-recorders: each call against a reading of its raw bytes -----------------------


def _sse_data(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            out.append(json.loads(line[5:]))
    return out


def _answer_of_events(events: list[dict]) -> str:
    """Text of a stream read independently: Anthropic's text deltas, the Responses API's output_text deltas,
    OpenAI chat's content deltas."""
    text = []
    for event in events:
        kind = event.get("type")
        if kind == "content_block_delta" and event["delta"].get("type") == "text_delta":
            text.append(event["delta"]["text"])
        elif kind == "response.output_text.delta":
            text.append(event["delta"])
        elif event.get("object") == "chat.completion.chunk":
            text += [c["delta"].get("content") or "" for c in event["choices"]]
    return "".join(text)


def _answer_of_body(body: dict) -> str:
    if body.get("type") == "message":
        return "".join(block["text"] for block in body["content"] if block["type"] == "text")
    if "choices" in body:
        return body["choices"][0]["message"]["content"] or ""
    raise AssertionError(f"a body this test cannot read: {sorted(body)}")


req_llm_files = sorted((NEW / "req-llm").glob("*.json")) if (NEW / "req-llm").is_dir() else []


@pytest.mark.skipif(not req_llm_files, reason="../shared/new-recorders/req-llm is not here")
@pytest.mark.parametrize("path", req_llm_files, ids=lambda p: p.name)
def test_new_recorders_req_llm_answer_is_the_providers(path):
    raw = json.loads(path.read_bytes())
    if raw.get("chunks") is not None:
        joined = b"".join(base64.b64decode(chunk["b64"]) for chunk in raw["chunks"]).decode()
        expected, streamed = _answer_of_events(_sse_data(joined)), True
    else:
        expected, streamed = _answer_of_body(raw["response"]["body"]), False
    (call,) = run_json(path)
    assert (call["format"], call["streaming"]) == ("req-llm", streamed)
    assert expected and call["choices"][0]["text"] == expected
