"""The shared real-world corpus (../shared, outside the repository): read every file, skip when absent."""

from __future__ import annotations

import pytest

from conftest import SEED, SHARED, run, run_json

CORPUS = SHARED / "corpus" / "llama-stack"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present (third-party data kept outside the repo)")
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds not present")


@needs_seed
def test_seed_join_is_the_exact_completion():
    result = run("join", "-n", SEED)
    assert result.exit_code == 0
    text = result.stdout_bytes.decode()
    assert text.startswith(" _______________.") and text.endswith("The traditional rhyme states,")


@needs_seed
def test_seed_show_json():
    (call,) = run_json(SEED)
    assert call["api"] == "openai.completions" and call["chunks"] == 52
    assert call["choices"][0]["finish_reason"] == "length"
    usage = call["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (26, 50, 76)
    assert call["timing"] == {"queue_time": 0.000103421, "prompt_time": 0.001700221, "completion_time": 0.050781803,
                              "total_time": 0.05472397804260254, "created": 1758191353}


@needs_corpus
def test_every_llama_stack_recording_reads():
    files = sorted(CORPUS.rglob("*.json"))
    assert len(files) >= 100
    calls = run_json(*files)
    assert len(calls) == len(files)
    apis = {c["api"] for c in calls}
    assert {"openai.chat", "openai.completions", "anthropic.messages", "gemini", "google.interactions", "ollama.chat"} <= apis


@needs_corpus
def test_every_streamed_chat_recording_finishes_with_a_reason_or_error():
    for call in run_json(*sorted(CORPUS.rglob("*.json"))):
        if call["streaming"] and call["api"].startswith(("openai", "anthropic", "ollama", "gemini")) and not call["error"]:
            assert call["choices"] and all(c["finish_reason"] for c in call["choices"]), call["source"]
