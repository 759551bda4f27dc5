"""llama-stack's request-hash naming schemes, against hashes computed here independently and the real corpus."""

from __future__ import annotations

import collections
import hashlib
import json

import pytest

from conftest import SHARED
from llmcat.formats.llama_stack.hashing import matching_scheme, name_hash

CORPUS = SHARED / "corpus" / "llama-stack"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present (third-party data kept outside the repo)")
TEST_ID = "tests/integration/inference/test_x.py::test_y[txt=ollama]"


def sha(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def recording(url="http://0.0.0.0:11434/v1/v1/chat/completions", body=None, test_id=TEST_ID) -> dict:
    body = body if body is not None else {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.7}
    return {"test_id": test_id, "request": {"method": "POST", "url": url, "headers": {}, "body": body, "endpoint": "/v1/chat/completions",
                                            "model": "m"},
            "response": {"body": {}, "is_streaming": False}}


def test_legacy_name():
    rec = recording(test_id=None)
    name = sha({"method": "POST", "endpoint": "/v1/v1/chat/completions", "body": rec["request"]["body"]})[:12] + ".json"
    assert matching_scheme(name, rec) == "legacy"


def test_current_name_includes_the_test_id():
    rec = recording()
    name = sha({"method": "POST", "endpoint": "/v1/v1/chat/completions", "body": rec["request"]["body"], "test_id": TEST_ID})
    assert matching_scheme(name + ".json", rec) == "current"
    assert matching_scheme(name + ".json", recording(test_id="tests/other.py::test_z")) is None


def test_current_normalised_rounds_floats_and_long_decimals_in_strings():
    body = {"model": "m", "temperature": 0.123456789, "messages": [{"role": "user", "content": "score 0.987654321 and 1.5"}],
            "extra_body": {"project_id": "p-123", "keep": 1}}
    rec = recording(body=body)
    normalised = {"model": "m", "temperature": 0.12346, "messages": [{"role": "user", "content": "score 0.98765 and 1.5"}],
                  "extra_body": {"keep": 1}}
    name = sha({"method": "POST", "endpoint": "/v1/v1/chat/completions", "body": normalised, "test_id": TEST_ID}) + ".json"
    assert matching_scheme(name, rec) == "current-normalised"


def test_bedrock_hosts_drop_stream_options():
    url = "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1/v1/chat/completions"
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True}}
    name = sha({"method": "POST", "endpoint": "/openai/v1/v1/chat/completions", "body": {"model": "m", "stream": True}, "test_id": TEST_ID})
    assert matching_scheme(name + ".json", recording(url=url, body=body)) == "current-normalised"
    elsewhere = recording(url="https://api.openai.com/v1/v1/chat/completions", body=body)
    other = sha({"method": "POST", "endpoint": "/v1/v1/chat/completions", "body": {"model": "m", "stream": True}, "test_id": TEST_ID})
    assert matching_scheme(other + ".json", elsewhere) is None  # only Bedrock's stream_options are dropped


def test_model_list_names():
    rec = recording(url="http://localhost:11434/api/tags", body={})
    shared = sha({"method": "POST", "endpoint": "/api/tags", "body": {}})
    assert matching_scheme(f"models-{shared}-0123abcd.json", rec) == "current-shared"
    with_test = sha({"method": "POST", "endpoint": "/api/tags", "body": {}, "test_id": TEST_ID})
    assert matching_scheme(f"models-{with_test}-0123abcd.json", rec) == "current"


def test_tool_and_http_payload_recordings():
    tool = {"test_id": TEST_ID, "request": {"test_id": TEST_ID, "provider": "tavily", "tool_name": "web_search", "kwargs": {"query": "q"}},
            "response": {"body": {}}}
    name = sha({"provider": "tavily", "tool_name": "web_search", "kwargs": {"query": "q"}}) + ".json"
    assert matching_scheme(name, tool) == "tool"
    payload = {"model": "m", "max_tokens": 64, "temperature": 0.3333333}
    http = {"test_id": TEST_ID, "request": {"test_id": TEST_ID, "url": "http://0.0.0.0:11434/v1/messages", "method": "POST",
                                            "payload": payload},
            "response": {"body": {}}}
    name = sha({"test_id": TEST_ID, "url": "http://0.0.0.0:11434/v1/messages", "method": "POST",
                "payload": {"model": "m", "max_tokens": 64, "temperature": 0.33333}}) + ".json"
    assert matching_scheme(name, http) == "http"


def test_names_that_are_not_hashes_and_recordings_without_a_scheme():
    assert name_hash("chat-stream.json") is None and name_hash("0123456789ab.json") == "0123456789ab"
    with pytest.raises(ValueError):
        matching_scheme("chat-stream.json", recording())
    processor = {"request": {"provider": "pypdf", "api": "file_processors", "file_id": "file-1"}, "response": {}}
    with pytest.raises(ValueError):
        matching_scheme("a" * 64 + ".json", processor)
    assert matching_scheme("a" * 64 + ".json", recording()) is None


@needs_corpus
def test_every_corpus_name_is_reproduced_by_some_scheme():
    schemes = collections.Counter()
    for path in sorted(CORPUS.rglob("*.json")):
        raw = json.loads(path.read_text())
        try:
            schemes[matching_scheme(path.name, raw)] += 1
        except ValueError:
            schemes["no scheme"] += 1
            assert "file_id" in raw["request"], path  # only file-processor results have no known scheme
    assert schemes[None] == 0, schemes
    assert schemes["legacy"] >= 50 and schemes["current"] >= 30 and schemes["http"] >= 5 and schemes["tool"] >= 1
    assert schemes["no scheme"] <= 1
