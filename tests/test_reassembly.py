"""Every llama-stack shape in fixtures/, reassembled through the real CLI (`show --json`)."""

from __future__ import annotations

import pytest

from conftest import LLAMA, one

KEYS = ["source", "interaction", "format", "api", "request", "streaming", "chunks", "choices", "usage", "timing", "error", "empty_answer"]
REQUEST_KEYS = ["method", "url", "endpoint", "model", "test_id", "params", "prompt", "messages", "transcript"]
CHOICE_KEYS = ["index", "text", "reasoning", "refusal", "tool_calls", "finish_reason", "blocks"]


@pytest.mark.parametrize("path", sorted(LLAMA.glob("*.json")), ids=lambda p: p.name)
def test_schema_is_exact_for_every_fixture(path):
    call = one(path)
    assert list(call) == KEYS
    assert list(call["request"]) == REQUEST_KEYS
    assert call["format"] == "llama-stack" and call["interaction"] == 0
    for choice in call["choices"]:
        assert list(choice) == CHOICE_KEYS
        for tool in choice["tool_calls"]:
            assert list(tool) == ["id", "name", "arguments"]
    if call["usage"] is not None:
        assert list(call["usage"]) == ["prompt_tokens", "completion_tokens", "total_tokens", "reasoning_tokens", "cached_tokens", "raw"]


def test_completions_stream_concatenates_text_and_keeps_time_info():
    call = one(LLAMA / "completions-stream.json")
    assert call["api"] == "openai.completions" and call["streaming"] is True and call["chunks"] == 13
    assert call["choices"][0]["text"] == " blue, like the sea.\n\nThe rhyme ends here"
    assert call["choices"][0]["finish_reason"] == "length"
    assert call["usage"]["prompt_tokens"] == 9 and call["usage"]["total_tokens"] == 20
    assert call["timing"]["completion_time"] == 0.011
    assert call["request"]["prompt"] == "Roses are red, violets are"
    assert call["request"]["params"] == {"max_tokens": 11, "stream": True, "extra_body": {}}


def test_completions_plain():
    call = one(LLAMA / "completions.json")
    assert (call["streaming"], call["chunks"], call["choices"][0]["text"]) == (False, 1, " blue.")
    assert call["request"]["test_id"].endswith("test_completion[txt=vllm]")


def test_chat_stream_skips_choiceless_chunks_and_repeated_roles():
    call = one(LLAMA / "chat-stream.json")
    choice = call["choices"][0]
    assert call["api"] == "openai.chat" and len(call["choices"]) == 1
    assert choice["text"] == "Paris is the capital of France." and choice["finish_reason"] == "stop"
    assert call["usage"] == {"prompt_tokens": 21, "completion_tokens": 7, "total_tokens": 28,
                             "reasoning_tokens": None, "cached_tokens": None,
                             "raw": {"completion_tokens": 7, "prompt_tokens": 21, "total_tokens": 28}}
    assert call["request"]["messages"][1] == {"role": "user", "content": "What is the capital of France?"}
    assert call["request"]["params"]["temperature"] == 0.7


def test_chat_stream_tool_calls_merge_by_index_with_same_index_twice_in_one_chunk():
    tools = one(LLAMA / "chat-stream-tools.json")["choices"][0]["tool_calls"]
    assert tools == [
        {"id": "call_A", "name": "get_weather", "arguments": '{"city": "Paris"}'},
        {"id": "call_B", "name": "get_weather", "arguments": '{"city": "Rome"}'},
    ]


def test_chat_stream_interleaved_choices():
    choices = one(LLAMA / "chat-stream-n2.json")["choices"]
    assert [(c["index"], c["text"], c["finish_reason"]) for c in choices] == [
        (0, "Red and blue.", "length"), (1, "Green and gold.", "stop")]


def test_chat_stream_reasoning_both_spellings_counted_once():
    choice = one(LLAMA / "chat-stream-reasoning.json")["choices"][0]
    assert choice["reasoning"] == "The user wants a sum. 2+2=4. Done."
    assert choice["text"] == "4"


def test_usage_total_is_the_sum_when_not_sent():
    usage = one(LLAMA / "chat-stream-reasoning.json")["usage"]
    assert usage["total_tokens"] == 22 and "total_tokens" not in usage["raw"]


def test_chat_plain_tool_calls_and_reasoning():
    choice = one(LLAMA / "chat-tools.json")["choices"][0]
    assert choice["tool_calls"] == [{"id": "call_Z", "name": "lookup", "arguments": '{"q": "llamas", "n": 3}'}]
    assert choice["reasoning"] == "Need the tool." and choice["finish_reason"] == "tool_calls"


def test_refusal():
    choice = one(LLAMA / "chat-refusal.json")["choices"][0]
    assert choice["refusal"] == "I can't help with that." and choice["text"] == ""


def test_chunks_decide_over_endpoint_label():
    call = one(LLAMA / "chat-on-completions-endpoint.json")
    assert call["api"] == "openai.chat" and call["choices"][0]["text"] == "Hello there"


def test_exception_recording_is_an_error_not_a_failure():
    call = one(LLAMA / "chat-exception.json")
    assert call["choices"] == [] and call["chunks"] == 0
    assert call["error"]["type"] == "BadRequestError" and call["error"]["status_code"] == 400
    assert "maximum context length" in call["error"]["message"]


def test_embeddings_and_models():
    emb = one(LLAMA / "embeddings.json")
    assert emb["api"] == "openai.embeddings" and emb["usage"]["prompt_tokens"] == 6 and emb["request"]["prompt"] == ["one", "two"]
    models = one(LLAMA / "models.json")
    assert models["api"] == "openai.models" and models["chunks"] == 3


def test_ollama_generate_stream():
    call = one(LLAMA / "ollama-generate-stream.json")
    assert call["api"] == "ollama.generate" and call["choices"][0]["text"] == "The sky is blue."
    assert call["choices"][0]["finish_reason"] == "stop"
    assert (call["usage"]["prompt_tokens"], call["usage"]["completion_tokens"], call["usage"]["total_tokens"]) == (11, 5, 16)
    assert call["timing"]["eval_duration"] == 500000000


def test_ollama_chat_stream_thinking_and_tools():
    choice = one(LLAMA / "ollama-chat-stream.json")["choices"][0]
    assert choice["reasoning"] == "Use the tool." and choice["text"] == "Calling add."
    assert choice["tool_calls"] == [{"id": None, "name": "add", "arguments": '{"a":2,"b":3}'}]


def test_ollama_embed_and_other():
    assert one(LLAMA / "ollama-embed.json")["api"] == "ollama.embed"
    assert one(LLAMA / "ollama-ps.json")["api"] == "ollama.other"


def test_gemini_stream_thoughts_function_calls_usage():
    call = one(LLAMA / "gemini-stream.json")
    choice = call["choices"][0]
    assert call["api"] == "gemini"
    assert (choice["text"], choice["reasoning"], choice["finish_reason"]) == ("It was finished in 1889.", "Thinking about towers.", "STOP")
    assert choice["tool_calls"] == [{"id": None, "name": "cite", "arguments": '{"year":1889}'}]
    assert (call["usage"]["prompt_tokens"], call["usage"]["completion_tokens"], call["usage"]["total_tokens"]) == (12, 9, 25)


def test_gemini_plain_total_is_sum():
    call = one(LLAMA / "gemini.json")
    assert call["choices"][0]["text"] == "Bonjour." and call["usage"]["total_tokens"] == 7


def test_anthropic_stream():
    call = one(LLAMA / "anthropic-stream.json")
    choice = call["choices"][0]
    assert call["api"] == "anthropic.messages" and call["chunks"] == 17
    assert (choice["text"], choice["reasoning"], choice["finish_reason"]) == ("Let me compute.", "Add them", "tool_use")
    assert choice["tool_calls"] == [{"id": "toolu_1", "name": "calc", "arguments": '{"expr": "15*7"}'}]
    assert (call["usage"]["prompt_tokens"], call["usage"]["completion_tokens"], call["usage"]["total_tokens"]) == (30, 42, 72)


def test_anthropic_plain_and_error():
    call = one(LLAMA / "anthropic.json")
    assert call["choices"][0]["text"] == "Four." and call["usage"]["raw"]["cache_read_input_tokens"] == 0
    error = one(LLAMA / "anthropic-error.json")
    assert error["choices"] == []
    assert error["error"] == {"type": "invalid_request_error", "status_code": 400, "message": "messages: field required"}


def test_interactions_stream_plain_and_error():
    call = one(LLAMA / "interactions-stream.json")
    assert call["api"] == "google.interactions"
    assert (call["choices"][0]["text"], call["choices"][0]["reasoning"], call["choices"][0]["finish_reason"]) == ("1, 2, 3", "Counting.",
        "completed")
    assert call["usage"]["total_tokens"] == 20 and call["request"]["prompt"] == "Count to 3."
    assert one(LLAMA / "interactions.json")["choices"][0]["text"] == "Arr, a parrot."
    assert one(LLAMA / "interactions-error.json")["error"]["status_code"] == 400


def test_tool_runtime_file_processor_and_unknown_types():
    assert one(LLAMA / "tool-runtime.json")["api"] == "tool"
    assert one(LLAMA / "tool-runtime.json")["request"]["params"] == {"query": "llama facts"}
    assert one(LLAMA / "file-processor.json")["api"] == "other"
    assert one(LLAMA / "unknown-type.json")["api"] == "other"


def test_reasoning_details_only_and_done_marker_without_finish_reason():
    """Snowflake-style: reasoning only as `reasoning_details` parts, no finish_reason, then [DONE]."""
    import orjson

    from conftest import run

    def event(delta):
        return b"data: " + orjson.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}) + b"\n\n"

    sse = (event({"content": "", "reasoning_details": [{"type": "reasoning.text", "text": "15*27"}]})
           + event({"reasoning_details": [{"type": "reasoning.encrypted", "data": "xx"}, {"type": "reasoning.text", "text": "=405"}]})
           + event({"content": "405"}) + b"data: [DONE]\n\n")
    result = run("show", "--json", "-", input=sse)
    call = orjson.loads(result.stdout_bytes)
    assert call["api"] == "openai.chat" and call["format"] == "sse"
    assert call["choices"][0]["reasoning"] == "15*27=405" and call["choices"][0]["text"] == "405"
    assert call["choices"][0]["finish_reason"] is None
