"""APIs found in the wild, through the real CLI, on fixtures/apis (written by fixtures/generate_apis.py)."""

from __future__ import annotations

import orjson

from conftest import FIXTURES, run, run_json

APIS = FIXTURES / "apis"


def call(name: str, position: int | None = None) -> dict:
    (found,) = run_json(f"{APIS / name}#{position}" if position is not None else APIS / name)
    return found


def tokens(found) -> tuple:
    usage = found["usage"] or {}
    return usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens")


def answer(found) -> tuple:
    """(text, reasoning, tool calls as (id, name, arguments), finish reason) of the only choice."""
    (choice,) = found["choices"]
    tools = [(t["id"], t["name"], t["arguments"]) for t in choice["tool_calls"]]
    return choice["text"], choice["reasoning"], tools, choice["finish_reason"]


def apis(name: str) -> list[str]:
    result = run("ls", "--json", APIS / name)
    assert result.exit_code == 0, result.stderr
    return [orjson.loads(line)["api"] for line in result.stdout_bytes.splitlines()]


# --- readers that read these wrong before ------------------------------------------------------


def test_gemini_finish_reason_as_the_enums_number():
    stream = call("gemini-numeric.yaml", 0)
    assert answer(stream) == ("Teal blue.", None, [], "STOP") and tokens(stream) == (5, 3, 8)
    assert answer(call("gemini-numeric.yaml", 1))[3] == "MAX_TOKENS"
    assert answer(call("gemini-numeric.yaml", 2))[3] == "MALFORMED_FUNCTION_CALL"  # Vertex numbers its enum its own way
    result = run("check", APIS / "gemini-numeric.yaml")
    assert result.exit_code == 0 and "truncated" not in result.stdout


def test_mistral_thinking_chunks_are_the_reasoning():
    assert answer(call("mistral-thinking.yaml", 0)) == ("42", "Six sevens are forty-two.", [], "stop")
    stream = call("mistral-thinking.yaml", 1)
    assert answer(stream) == ("The answer is 42.", "Six sevens are 42.", [], "stop") and tokens(stream) == (10, 9, 19)


def test_snowflakes_empty_function_call_is_no_tool_call():
    assert answer(call("snowflake.yaml", 0)) == ("Hello!", None, [], "stop")
    assert answer(call("snowflake.yaml", 1)) == ("Hello!", None, [("toolu_sf", "wave", "{}")], "tool_calls")


def test_interactions_steps_answer_not_streamed():
    whole = call("interactions.yaml", 0)
    assert whole["api"] == "google.interactions"
    # The user_input step is the question: only what follows it is the answer.
    assert answer(whole) == ("Let me look.", "The user wants the weather.", [("fc_q1", "get_weather", '{"city":"Quito"}')], "requires_action")
    assert tokens(whole)[:2] == (21, 9)


def test_interactions_streamed_function_call_step():
    stream = call("interactions.yaml", 1)
    assert answer(stream) == ("", "Call the tool.", [("fc_q2", "get_weather", '{"city": "Quito"}')], "requires_action")
    assert tokens(stream) == (21, 7, 28)
    assert answer(call("interactions.yaml", 2)) == ("Mild, 18 °C.", None, [], "completed")


def test_a_raw_interaction_body_is_recognised():
    raw = call("interaction.json")
    assert raw["api"] == "google.interactions" and raw["format"] == "json"
    assert answer(raw)[0] == "Let me look." and answer(raw)[2] == [("fc_q1", "get_weather", '{"city":"Quito"}')]


def test_jsonl_capture_opening_with_azure_prompt_filter_results():
    capture = call("azure-filter.jsonl")
    assert capture["api"] == "openai.chat" and capture["format"] == "jsonl" and capture["chunks"] == 4
    assert answer(capture) == ("Azure says hi.", None, [], "stop")


def test_anthropic_stream_restarted_by_a_second_message_start_drops_the_abandoned_message():
    stream = call("anthropic-restart.sse")
    assert answer(stream) == ("Looking it up.", None, [("toolu_new", "lookup", '{"id": 9}')], "tool_use")
    assert tokens(stream) == (30, 14, 44)
    assert "the stream restarted" in run("show", APIS / "anthropic-restart.sse").stdout


def test_converse_stream_without_response_headers_is_told_by_its_prelude():
    stream = call("bedrock-invoke.yaml", 15)
    assert stream["api"] == "bedrock.converse" and stream["streaming"] is True
    assert answer(stream) == ("Hello without headers.", None, [], "end_turn") and tokens(stream) == (5, 4, 9)


def test_lists_of_other_things_are_not_embeddings():
    assert apis("firecrawl.yaml") == ["http", "http"]
    assert "openai.embeddings" not in apis("images.yaml") + apis("rerank.yaml")
