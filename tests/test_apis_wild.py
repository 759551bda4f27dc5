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
    assert answer(whole) == ("Let me look.", "The user wants the weather.", [("fc_q1", "get_weather", '{"city":"Quito"}')],
                             "requires_action")
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


def result(name: str, position: int) -> dict:
    """The `result` section `show` prints for an answer that is not chat (a JSON object)."""
    text = run("show", f"{APIS / name}#{position}").stdout
    section = text.split("--- result\n", 1)[1].split("\n---", 1)[0]
    return orjson.loads(section)


# --- Bedrock InvokeModel, agents -----------------------------------------------------------------


def test_bedrock_invoke_bodies_are_read_by_the_models_own_shape():
    assert apis("bedrock-invoke.yaml") == [
        "anthropic.messages", "anthropic.messages", "anthropic.complete", "anthropic.complete", "bedrock.invoke", "bedrock.invoke",
        "bedrock.invoke", "bedrock.invoke", "cohere.generate", "cohere.generate", "cohere.chat", "bedrock.invoke",
        "bedrock.invoke", "bedrock.invoke", "bedrock.invoke", "bedrock.converse"]


def test_claude_messages_on_bedrock_whole_and_streamed():
    whole = call("bedrock-invoke.yaml", 0)
    assert answer(whole) == ("I'll check.", None, [("toolu_bdrk_1", "get_weather", '{"city":"Lima"}')], "tool_use")
    assert tokens(whole) == (25, 19, 44)
    stream = call("bedrock-invoke.yaml", 1)
    assert stream["streaming"] is True and answer(stream) == ("Sunny, 24 °C.", None, [], "end_turn") and tokens(stream) == (25, 8, 33)


def test_claude_v2_legacy_completion_on_bedrock_counts_from_headers_and_metrics():
    assert answer(call("bedrock-invoke.yaml", 2)) == (" Hi there!", None, [], "stop_sequence")
    assert tokens(call("bedrock-invoke.yaml", 2)) == (14, 4, 18)
    stream = call("bedrock-invoke.yaml", 3)
    assert answer(stream) == (" Hi there!", None, [], "stop_sequence") and tokens(stream) == (14, 4, 18)


def test_titan_llama_ai21_mistral_native_bodies():
    expected = {
        4: ("\nThe Nile.", "FINISH", (4, 3, 7)), 5: ("\nThe Amazon.", "FINISH", (4, 4, 8)),
        6: ("Hello!", "stop", (11, 3, 14)), 7: ("Hello!", "length", (11, 3, 14)),
        11: ("\nHello!", "endoftext", (2, 2, 4)), 12: (" Bonjour!", "stop", (12, 4, 16)),
        13: (" Bonjour!", "stop", (12, 4, 16)), 14: ("Salut!", "stop", (9, 3, 12)),
    }
    for position, (text, reason, counted) in expected.items():
        found = call("bedrock-invoke.yaml", position)
        assert found["api"] == "bedrock.invoke", position
        assert answer(found) == (text, None, [], reason), position
        assert tokens(found) == counted, position


def test_cohere_on_bedrock():
    assert answer(call("bedrock-invoke.yaml", 8)) == (" Hi!", None, [], "COMPLETE") and tokens(call("bedrock-invoke.yaml", 8)) == (3, 2, 5)
    stream = call("bedrock-invoke.yaml", 9)
    assert answer(stream) == (" Hi again!", None, [], "COMPLETE") and tokens(stream) == (3, 3, 6)
    command_r = call("bedrock-invoke.yaml", 10)
    assert answer(command_r) == ("Hi, friend.", None, [], "COMPLETE") and tokens(command_r) == (50, 3, 53)


def test_bedrock_agent_text_hand_back_and_retrieve_and_generate():
    answered = call("bedrock-agent.yaml", 0)
    assert answered["api"] == "bedrock.agent" and answered["streaming"] is True
    assert answer(answered) == ("Your table for two is booked for 8 pm.", None, [], None) and tokens(answered) == (310, 42, 352)
    handed = call("bedrock-agent.yaml", 1)
    assert answer(handed) == ("", None, [("inv-1", "book_table", '{"people":"2","time":"20:00"}')], "return_control")
    rag = call("bedrock-agent.yaml", 2)
    assert answer(rag) == ("Refunds are accepted within 30 days.", None, [], None)
    assert result("bedrock-agent.yaml", 2) == {"citations": 1, "session": "rag-1"}
    assert run("check", APIS / "bedrock-agent.yaml").exit_code == 0  # no end event to miss


# --- OpenAI Assistants, images; rerank; tokens; MCP ---------------------------------------------


def test_assistants_are_not_anthropic_messages():
    assert apis("assistants.yaml") == ["openai.assistants"] * 7


def test_assistants_message_list_and_created_user_message():
    assert answer(call("assistants.yaml", 0)) == ("Paris is the capital of France.", None, [], None)
    created = call("assistants.yaml", 1)
    assert created["choices"] == []
    assert result("assistants.yaml", 1) == {"message": "msg_fx0", "role": "user", "text": "Capital of France?"}


def test_assistants_run_streams():
    text = call("assistants.yaml", 2)
    assert text["streaming"] is True and answer(text) == ("Paris is the capital.", None, [], "completed")
    assert tokens(text) == (120, 9, 129)
    tool = call("assistants.yaml", 3)
    assert answer(tool) == ("", None, [("call_fx", "get_weather", '{"city": "Paris"}')], "requires_action")


def test_assistants_run_objects_and_steps():
    assert answer(call("assistants.yaml", 4)) == ("", None, [("call_fx", "get_weather", '{"city": "Paris"}')], "requires_action")
    steps = call("assistants.yaml", 5)
    assert answer(steps)[2] == [("call_fx", "get_weather", '{"city": "Paris"}')]
    assert [s["type"] for s in result("assistants.yaml", 5)["steps"]] == ["message_creation", "tool_calls"]
    assert answer(call("assistants.yaml", 6))[3] == "completed" and tokens(call("assistants.yaml", 6)) == (120, 9, 129)


def test_images_generations():
    assert apis("images.yaml") == ["openai.images"] * 3
    dalle = result("images.yaml", 0)
    assert dalle["images"] == 2 and [i["revised_prompt"] for i in dalle["each"]] == ["A red fox in snow.", "A red fox at dusk."]
    assert call("images.yaml", 0)["choices"] == [] and tokens(call("images.yaml", 1)) == (12, 272, 284)
    streamed = result("images.yaml", 2)
    assert streamed["images"] == 1 and streamed["partial_images"] == 1 and streamed["each"][0]["size"] == "1024x1024"


def test_rerank_ranking_best_first():
    assert apis("rerank.yaml") == ["rerank"] * 3
    assert [r["index"] for r in result("rerank.yaml", 0)["ranked"]] == [0, 2, 1] and tokens(call("rerank.yaml", 0)) == (None, None, 26)
    cohere = result("rerank.yaml", 1)
    assert cohere["ranked"][0] == {"index": 1, "relevance_score": 0.97} and cohere["billed_units"] == {"search_units": 1}
    assert tokens(call("rerank.yaml", 2)) == (15, None, 15)


def test_token_counts_and_compaction():
    assert apis("token-count.yaml") == ["token_count"] * 4 + ["openai.responses.compact"]
    assert [tokens(call("token-count.yaml", n))[0] for n in range(4)] == [14, 31, 11, 12]
    assert result("token-count.yaml", 1) == {"input_tokens": 31}
    assert result("token-count.yaml", 4) == {"items": 2, "types": {"message": 1, "compaction": 1}}
    assert tokens(call("token-count.yaml", 4)) == (5000, 700, 5700)


def test_mcp_over_http():
    assert apis("mcp.yaml") == ["mcp"] * 4
    assert result("mcp.yaml", 0) == {"method": "initialize", "server": "calc-server", "version": "0.3", "protocol": "2025-06-18"}
    assert result("mcp.yaml", 1) == {"method": "tools/list", "tools": ["add", "weather"]}
    called = call("mcp.yaml", 2)
    assert called["streaming"] is True and answer(called) == ("5", None, [(None, "add", '{"a":2,"b":3}')], None)
    failed = call("mcp.yaml", 3)
    assert failed["error"] == {"type": "-32602", "status_code": None, "message": "Unknown tool: nope"}


# --- text generation APIs of their own ---------------------------------------------------------


def test_anthropic_legacy_complete():
    assert answer(call("anthropic-complete.yaml", 0)) == (" One, two, three.", None, [], "stop_sequence")
    stream = call("anthropic-complete.yaml", 1)
    assert stream["api"] == "anthropic.complete" and answer(stream) == (" One, two, three.", None, [], "max_tokens")
    assert stream["usage"] is None  # the API reports no token counts


def test_cohere_v1_generate_and_chat():
    assert answer(call("cohere-v1.yaml", 0)) == (" Hi there.", None, [], "COMPLETE") and tokens(call("cohere-v1.yaml", 0)) == (3, 3, 6)
    stream = call("cohere-v1.yaml", 1)
    assert stream["api"] == "cohere.generate" and answer(stream) == (" Hi there.", None, [], "MAX_TOKENS")
    chat = call("cohere-v1.yaml", 2)
    assert answer(chat) == ("I will look up the weather in Oslo.", None, [(None, "get_weather", '{"city":"Oslo"}')], "COMPLETE")
    chat_stream = call("cohere-v1.yaml", 3)
    assert answer(chat_stream) == ("I will look up the weather.", None, [(None, "get_weather", '{"city":"Oslo"}')], "COMPLETE")
    assert tokens(chat_stream) == (900, 12, 912)


def test_writer_completions():
    assert apis("writer.yaml") == ["writer.completions"] * 2
    assert answer(call("writer.yaml", 0))[0] == answer(call("writer.yaml", 1))[0] == "Words that work."


def test_replicate_predictions():
    started = call("replicate.yaml", 0)
    assert started["choices"] == [] and "starting when recorded" in run("show", f"{APIS / 'replicate.yaml'}#0").stdout
    polled = call("replicate.yaml", 1)
    assert answer(polled) == ("Hi there!\nBye.", None, [], "succeeded") and tokens(polled) == (6, 5, 11)
    assert answer(call("replicate.yaml", 2)) == ("Hi there!\nBye.", None, [], "succeeded")
    assert call("replicate.yaml", 3)["error"]["message"] == "CUDA out of memory"


def test_watsonx_aleph_alpha():
    assert answer(call("watsonx.yaml", 0)) == ("Hi there!", None, [], "eos_token") and tokens(call("watsonx.yaml", 0)) == (5, 4, 9)
    stream = call("watsonx.yaml", 1)
    assert answer(stream) == ("Hi there!", None, [], "max_tokens") and tokens(stream) == (5, 3, 8)
    assert answer(call("aleph-alpha.yaml", 0)) == (" Hallo!", None, [], "end_of_text")
    stream = call("aleph-alpha.yaml", 1)
    assert answer(stream) == (" Hallo!", None, [], "maximum_tokens") and tokens(stream) == (4, 8, 12)


def test_huggingface_tgi_and_sagemaker():
    assert answer(call("huggingface.yaml", 0)) == (" Hi!", None, [], "eos_token")
    stream = call("huggingface.yaml", 1)
    assert answer(stream) == (" Hi!", None, [], "eos_token") and tokens(stream) == (None, 3, None)  # `</s>` is no text
    assert answer(call("huggingface.yaml", 2)) == ("Once upon a time, a fox.", None, [], None)
    assert apis("sagemaker.yaml") == ["sagemaker"] * 2
    assert answer(call("sagemaker.yaml", 0))[0] == "Hello from SageMaker."
    # The payload parts split a token's JSON in two: joined, they are TGI's stream again.
    assert answer(call("sagemaker.yaml", 1)) == ("Hello again.", None, [], "length")


def test_no_new_family_claims_the_old_fixtures():
    """The new shapes are narrow: every fixture of before keeps its API."""
    result_ = run("ls", "--json", FIXTURES / "vcr", FIXTURES / "har", FIXTURES / "raw")
    found = {orjson.loads(line)["api"] for line in result_.stdout_bytes.splitlines()}
    assert found <= {"openai.chat", "anthropic.messages", "http", "gemini", "openai.responses", "cohere.chat", "bedrock.converse",
                     "bedrock.embed", "openai.embeddings", "cohere.embed", "gemini.embed", "ollama.chat"}


# --- usage normalised per provider -------------------------------------------------------------


def test_reasoning_and_cached_tokens_in_show_json():
    xai = call("usage.yaml", 0)["usage"]
    assert (xai["reasoning_tokens"], xai["cached_tokens"]) == (320, 8)
    converse = call("usage.yaml", 1)["usage"]
    assert (converse["reasoning_tokens"], converse["cached_tokens"]) == (None, 1500)
    interactions = call("interactions.yaml", 0)["usage"]
    assert interactions["reasoning_tokens"] == 14 and interactions["cached_tokens"] is None
    assert "(320 reasoning) = 333 tokens; 8 cached" in run("show", f"{APIS / 'usage.yaml'}#0").stdout


def test_usage_mismatch_only_where_the_providers_own_total_does_not_add_up():
    result_ = run("check", APIS / "usage.yaml", APIS / "interactions.yaml", APIS / "interaction.json")
    mismatches = [line for line in result_.stdout.splitlines() if "usage-mismatch" in line]
    assert mismatches == [f"{APIS / 'usage.yaml'}#2: warning: usage-mismatch: total_tokens 99 is not prompt 12 + completion 1"]
