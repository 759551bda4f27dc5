"""One conversation view for every provider: the same agent test recorded against eight providers
(fixtures/generate_conversations.py) gives one transcript in `show --json`, in `show`, and in `diff`."""

from __future__ import annotations

import orjson
import pytest

from conftest import FIXTURES, run, run_json, subprocess_llmcat

CONVERSATIONS = FIXTURES / "conversations"
PROVIDERS = ["openai-chat", "openai-responses", "anthropic", "gemini", "bedrock", "cohere", "mistral", "ollama"]
API = {"openai-chat": "openai.chat", "openai-responses": "openai.responses", "anthropic": "anthropic.messages", "gemini": "gemini",
       "bedrock": "bedrock.converse", "cohere": "cohere.chat", "mistral": "openai.chat", "ollama": "ollama.chat"}
CALL_IDS = {"openai-chat": "call_Qx81", "openai-responses": "call_R2d2", "anthropic": "toolu_01Ab", "gemini": None,
            "bedrock": "tooluse_Kq3", "cohere": "get_weather_7n2k", "mistral": "D681PevKs", "ollama": None}
# What each provider sends back of its reasoning before the tool call (none for the others).
REASONING = {
    "openai-responses": {"role": "assistant", "type": "reasoning", "text": None, "encrypted": True},
    "anthropic": {"role": "assistant", "type": "reasoning", "text": "The user wants the weather in Paris; I should call get_weather.",
                  "encrypted": False, "signed": True},
    "cohere": {"role": "assistant", "type": "reasoning", "text": "I will look up the weather in Paris.", "encrypted": False},
}
SYSTEM = {"role": "system", "type": "text", "text": "You are a weather assistant. Use the tools you are given."}
QUESTION = {"role": "user", "type": "text", "text": "What is the weather in Paris?"}
ANSWER = "It is sunny in Paris, 22°C."


def call_block(provider: str) -> dict:
    block = {"role": "assistant", "type": "tool_call", "id": CALL_IDS[provider], "name": "get_weather", "arguments": '{"city":"Paris"}'}
    if provider == "gemini":
        block["signed"] = True  # the thought signature rides on the call
    return block


def result_block(provider: str) -> dict:
    return {"role": "tool", "type": "tool_result", "id": CALL_IDS[provider], "name": "get_weather", "content": "Sunny, 22C in Paris",
            "is_error": False}


def calls(provider: str) -> list[dict]:
    return run_json(str(CONVERSATIONS / f"{provider}.yaml"))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_one_transcript_for_every_provider(provider):
    first, second = calls(provider)
    assert first["api"] == second["api"] == API[provider]
    assert first["request"]["transcript"] == [SYSTEM, QUESTION]
    reasoning = [REASONING[provider]] if provider in REASONING else []
    assert second["request"]["transcript"] == [SYSTEM, QUESTION, *reasoning, call_block(provider), result_block(provider)]
    # The keys show --json had stay as they were: the raw messages, the reassembled fields.
    assert second["request"]["messages"] is not None or provider == "openai-responses"
    assert first["choices"][0]["tool_calls"][0]["name"] == "get_weather"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_answers_as_blocks_in_order(provider):
    first, second = calls(provider)
    call = call_block(provider)
    expected = {"openai-responses": [REASONING["openai-responses"], call],
                "anthropic": [REASONING["anthropic"], call],
                "cohere": [REASONING["cohere"], call]}.get(provider, [call])
    assert first["choices"][0]["blocks"] == expected
    assert second["choices"][0]["blocks"] == [{"role": "assistant", "type": "text", "text": ANSWER}]
    assert second["choices"][0]["text"] == ANSWER


def test_server_tool_answer_keeps_its_order_and_the_result():
    (call,) = run_json(str(CONVERSATIONS / "anthropic-server-tools.yaml"))
    assert call["choices"][0]["blocks"] == [
        {"role": "assistant", "type": "text", "text": "I'll look up the exchange rate information."},
        {"role": "assistant", "type": "server_tool_call", "id": "srvtoolu_01Ws", "name": "web_search", "kind": "server_tool_use",
         "arguments": '{"query":"EUR USD rate"}'},
        {"role": "assistant", "type": "server_tool_result", "id": "srvtoolu_01Ws", "name": "web_search", "kind": "web_search_tool_result",
         "content": "EUR/USD today <https://example.com/eur-usd>"},
        {"role": "assistant", "type": "text", "text": "I found the right tool!"},
        {"role": "assistant", "type": "tool_call", "id": "toolu_01Cv", "name": "convert", "arguments": '{"amount":100,"to":"USD"}'},
    ]
    # The reassembled fields are unchanged: the text is still the whole text.
    assert call["choices"][0]["text"] == "I'll look up the exchange rate information.I found the right tool!"


def test_server_tool_answer_in_the_text_view():
    out = run("show", CONVERSATIONS / "anthropic-server-tools.yaml").stdout
    answer = out[out.index("--- answer"): out.index("--- summary")]
    assert answer == (
        "--- answer\n"
        "    I'll look up the exchange rate information.\n"
        "--- tool call 0: web_search (srvtoolu_01Ws, server_tool_use)\n"
        "    {\n"
        '      "query": "EUR USD rate"\n'
        "    }\n"
        "--- tool result: web_search (srvtoolu_01Ws, web_search_tool_result)\n"
        "    EUR/USD today <https://example.com/eur-usd>\n"
        "--- answer\n"
        "    I found the right tool!\n"
        "--- tool call 1: convert (toolu_01Cv)\n"
        "    {\n"
        '      "amount": 100,\n'
        '      "to": "USD"\n'
        "    }\n")


MESSAGES = ("--- messages\n"
            "    [system] You are a weather assistant. Use the tools you are given.\n"
            "    [user] What is the weather in Paris?\n"
            "{reasoning}"
            "    [assistant] get_weather({{\n"
            '                  "city": "Paris"\n'
            "                }})\n"
            "    [tool] get_weather: Sunny, 22C in Paris\n"
            "--- tools offered\n"
            "tool: get_weather\n")
REASONING_LINE = {"openai-responses": "(encrypted)", "anthropic": "The user wants the weather in Paris; I should call get_weather.",
                  "cohere": "I will look up the weather in Paris."}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_text_view_draws_every_provider_the_same_way(provider):
    proc = subprocess_llmcat("show", CONVERSATIONS / f"{provider}.yaml#1")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    line = f"    [assistant] (reasoning) {REASONING_LINE[provider]}\n" if provider in REASONING_LINE else ""
    assert MESSAGES.format(reasoning=line) in out
    assert "--- answer\n    It is sunny in Paris, 22°C.\n" in out
    # What the transcript shows is not repeated as raw parameters (system, systemInstruction, toolConfig...).
    request = out[out.find("--- request"): out.index("--- messages")] if "--- request" in out else ""
    for raw in ("system", "instructions", "messages", "contents", "tools", "toolConfig", "input"):
        assert f"\n{raw}:" not in request


def test_usage_shows_reasoning_and_cached_tokens_when_reported():
    out = run("show", CONVERSATIONS / "openai-responses.yaml#0").stdout
    assert "usage:  80 prompt + 90 completion (64 reasoning) = 170 tokens\n" in out
    out = run("show", CONVERSATIONS / "cohere.yaml#1").stdout
    assert "usage:  1,010 prompt + 12 completion = 1,022 tokens\n" in out  # nothing to add: not reported


def _differences(a, b, *options) -> list[dict]:
    result = run("diff", "--json", *options, a, b)
    assert result.exit_code in (0, 1), result.stderr
    return [d for line in result.stdout_bytes.splitlines() for d in orjson.loads(line)["differences"]]


CONVERSATION_PATHS = ("request.transcript", "request.messages", "request.prompt", "request.params.system", "request.params.tools")


@pytest.mark.parametrize("provider", PROVIDERS[1:])
def test_diff_finds_no_difference_in_the_conversation_between_providers(provider):
    a, b = CONVERSATIONS / "openai-chat.yaml", CONVERSATIONS / f"{provider}.yaml"
    paths = [d["path"] for d in _differences(a, b)]
    assert paths, "two providers: the call itself differs (URL, model, usage)"
    assert not [p for p in paths if p.startswith(CONVERSATION_PATHS)]
    text = run("diff", a, b).stdout
    assert "== messages" not in text and "== tools offered" not in text


def test_diff_strict_still_compares_the_raw_messages():
    paths = {d["path"] for d in _differences(CONVERSATIONS / "openai-chat.yaml", CONVERSATIONS / "anthropic.yaml", "--strict")}
    assert any(p.startswith("request.messages") for p in paths)
    assert any(p.startswith("request.transcript") for p in paths)  # ids and reasoning count there


def test_diff_shows_a_changed_tool_result_in_the_transcript(tmp_path):
    import yaml

    cassette = yaml.safe_load((CONVERSATIONS / "anthropic.yaml").read_text())
    body = cassette["interactions"][1]["request"]["body"]
    assert body.count("Sunny, 22C in Paris") == 1
    cassette["interactions"][1]["request"]["body"] = body.replace("Sunny, 22C in Paris", "Rainy, 12C in Paris")
    changed = tmp_path / "anthropic.yaml"
    changed.write_text(yaml.safe_dump(cassette))
    differences = _differences(CONVERSATIONS / "openai-chat.yaml", changed)
    assert [d for d in differences if d["path"].startswith("request.transcript")] == [
        {"path": "request.transcript[2].content", "a": "Sunny, 22C in Paris", "b": "Rainy, 12C in Paris"}]
    text = run("diff", CONVERSATIONS / "openai-chat.yaml", changed).stdout
    # the second call continues the first: compared from its new turns (the question was compared with #0)
    assert ("== messages\n… 1 earlier turn, as in #0\n@@ -1,4 +1,4 @@\n"
            " [assistant] get_weather({\n               \"city\": \"Paris\"\n             })\n"
            "-[tool] get_weather: Sunny, 22C in Paris\n+[tool] get_weather: Rainy, 12C in Paris\n== choice 0") in text


def test_on_a_terminal_long_lines_wrap_under_their_column_and_the_heading_keeps_the_file_name(tmp_path):
    import re

    import yaml
    from test_terminal import on_terminal

    cassette = yaml.safe_load((CONVERSATIONS / "openai-chat.yaml").read_text())
    long_question = "Is it " + " ".join(["really"] * 40) + " sunny?"
    body = cassette["interactions"][1]["request"]["body"]
    cassette["interactions"][1]["request"]["body"] = body.replace("What is the weather in Paris?", long_question)
    deep = tmp_path / ("a-very-long-directory-name-" * 4) / "and-another-level-of-it"
    deep.mkdir(parents=True)
    path = deep / "weather-agent-conversation.yaml"
    path.write_text(yaml.safe_dump(cassette))
    status, out = on_terminal(["show", f"{path}#1"])  # 120 columns
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.decode())
    assert status == 0
    heading = text.splitlines()[0]
    assert heading.startswith("…") and "/weather-agent-conversation.yaml#1 " in heading and len(heading) <= 120
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("  [user] Is it really"))
    hang = " " * len("  [user] ")
    assert lines[start + 1].startswith(hang + "really") and len(lines[start]) <= 120
    assert " ".join(line.strip() for line in lines[start:start + 3]).startswith("[user] " + long_question)
    # A pipe gets the same line whole.
    piped = run("show", f"{path}#1").stdout
    assert f"    [user] {long_question}\n" in piped


def test_a_streamed_cohere_answer_keeps_its_tool_plan_as_a_whole_one_does():
    """Cohere states a plan before calling tools (`tool_plan`): a whole response's message shows it as a
    reasoning block; a stream's `tool-plan-delta`s were dropped. Now both show it, after the thinking."""
    (streamed,) = run_json(f"{FIXTURES / 'vcr' / 'cohere.yaml'}#0")
    blocks = [(b["type"], b.get("text")) for b in streamed["choices"][0]["blocks"]]
    assert blocks[:2] == [("reasoning", "Use the adder."), ("reasoning", "I will add.")] and blocks[2][0] == "tool_call"
    assert streamed["choices"][0]["reasoning"] == "Use the adder."  # reassembly's reasoning is the thinking alone
    assert "--- reasoning\n    I will add.\n--- tool call 0: add" in run("show", f"{FIXTURES / 'vcr' / 'cohere.yaml'}#0").stdout
