"""The shared VCR.py corpus (../shared/corpus/vcr, pydantic-ai's cassettes): read every file, skip when absent.

Beyond "it reads", a few cassettes are checked against values read by hand from their
raw bodies, and every OpenAI chat / Responses stream is cross-checked against a
deliberately naive reading of the same SSE text.
"""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import SHARED, run_json
from llmcat.parsing import sse

CORPUS = SHARED / "corpus" / "vcr"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/vcr not present (third-party data kept outside the repo)")


@pytest.fixture(scope="module")
def calls() -> list[dict]:
    return run_json(*sorted(CORPUS.glob("*.yaml")))


def by_name(calls: list[dict], name: str, interaction: int = 0) -> dict:
    (call,) = [c for c in calls if c["source"].endswith("/" + name) and c["interaction"] == interaction]
    return call


def tokens(call) -> tuple:
    usage = call["usage"] or {}
    return usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens")


@needs_corpus
def test_every_cassette_reads_one_object_per_interaction(calls):
    files = sorted(CORPUS.glob("*.yaml"))
    assert len(files) >= 30
    expected = []
    for path in files:
        interactions = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["interactions"]
        expected += [(str(path), n) for n in range(len(interactions))]
    assert [(c["source"], c["interaction"]) for c in calls] == expected
    assert {c["format"] for c in calls} == {"vcr"}
    assert {"openai.chat", "openai.responses", "anthropic.messages", "gemini", "cohere.chat", "bedrock.converse",
            "openai.embeddings", "http"} <= {c["api"] for c in calls}


@needs_corpus
def test_hand_checked_cassettes(calls):
    call = by_name(calls, "anthropic__test_anthropic_task_budget_coexists_with_effort.yaml")
    assert call["choices"][0]["text"] == "2 + 2 = 4" and call["choices"][0]["finish_reason"] == "end_turn"
    assert tokens(call) == (54, 14, 68)

    call = by_name(calls, "bedrock__test_bedrock_model_other_parameters.yaml")
    assert call["api"] == "bedrock.converse" and call["request"]["model"] == "us.amazon.nova-micro-v1:0"
    assert call["choices"][0]["text"].startswith("The capital of France is Paris.")
    assert call["choices"][0]["finish_reason"] == "max_tokens" and tokens(call) == (13, 5, 18)

    call = by_name(calls, "openrouter__test_openrouter_stream_error.yaml")
    assert call["error"]["message"] == "Token limit reached"
    assert call["choices"][0]["reasoning"] == "We need to respond to a greeting. The user"

    call = by_name(calls, "groq__test_tool_use_failed_error_streaming.yaml")
    assert call["error"]["type"] == "invalid_request_error"
    assert call["error"]["message"].startswith("Tool call validation failed")

    call = by_name(calls, "deepseek_responses__test_deepseek_responses[function_tool_stream].yaml")
    (choice,) = call["choices"]
    assert choice["reasoning"] == "The user asks about temperature in Tokyo. I'll call the tool."
    assert [(t["id"], t["name"], t["arguments"]) for t in choice["tool_calls"]] == [
        ("call_00_xjY8Z2BvSlzgEmmw0DtH0464", "get_temperature", '{"city": "Tokyo"}')]
    assert choice["finish_reason"] == "completed" and tokens(call) == (366, 59, 425)

    call = by_name(calls, "temporal__test_complex_agent_run.yaml", 0)
    assert [t["name"] for t in call["choices"][0]["tool_calls"]] == ["get_country", "get_product_name"]
    assert call["choices"][0]["finish_reason"] == "tool_calls" and tokens(call) == (364, 40, 404)

    call = by_name(calls, "cohere__test_cohere_model_thinking_part.yaml", 1)
    assert call["api"] == "cohere.chat" and call["choices"][0]["finish_reason"] == "COMPLETE"
    assert call["choices"][0]["reasoning"].startswith("Okay, the user is asking how to cross a river")
    assert tokens(call) == (2190, 1257, 3447)

    call = by_name(calls, "huggingface__test_hf_model_thinking_part_iter.yaml")
    assert call["api"] == "openai.chat"  # Together's chunks carry a completions-style `text` as well
    assert call["choices"][0]["text"].startswith("<think>\nOkay")

    call = by_name(calls, "google__test_google_model_file_search_tool_stream.yaml", 1)
    assert call["api"] == "http" and call["chunks"] == 0


def _naive_chat_text(body: str) -> str:
    text = []
    for line in body.split("\n"):
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices") or []:
                if choice.get("index", 0) == 0 and isinstance((choice.get("delta") or {}).get("content"), str):
                    text.append(choice["delta"]["content"])
    return "".join(text)


@needs_corpus
def test_streams_agree_with_a_naive_reading_of_the_raw_sse(calls):
    checked = 0
    for path in sorted(CORPUS.glob("*.yaml")):
        cassette = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for n, interaction in enumerate(cassette["interactions"]):
            body = (interaction["response"].get("body") or {}).get("string")
            if not isinstance(body, str) or not sse.looks_like_sse(body):
                continue
            call = by_name(calls, path.name, n)
            if call["api"] == "openai.chat":
                assert call["choices"][0]["text"] == _naive_chat_text(body), (path.name, n)
                checked += 1
            elif call["api"] == "openai.responses":
                events = [e for e in sse.decode_events(sse.parse_text(body))[0] if isinstance(e, dict)]
                deltas = "".join(e["delta"] for e in events if e.get("type") == "response.output_text.delta")
                assert call["choices"][0]["text"] == deltas, (path.name, n)
                final = [e["response"] for e in events if e.get("type") == "response.completed"]
                if final:
                    texts = [part.get("text", "") for item in final[0]["output"] if item.get("type") == "message"
                             for part in item.get("content", []) if part.get("type") == "output_text"]
                    assert deltas == "".join(texts), (path.name, n)
                checked += 1
    assert checked >= 25
