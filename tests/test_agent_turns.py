"""An agent's calls each send the whole conversation again: `show` and `diff` draw each call after the
first from its new turns (#26). Cassettes of fixtures/generate_agent.py, written here at run time."""

from __future__ import annotations

import re
import sys

import pytest
from test_terminal import SGR, on_terminal

from conftest import FIXTURES, run, subprocess_llmcat

sys.path.insert(0, str(FIXTURES))
import generate_agent as agent  # noqa: E402

QUESTION = agent.QUESTION


@pytest.fixture(params=["openai", "anthropic"])
def cassette(request, tmp_path):
    path = tmp_path / f"{request.param}-agent.yaml"
    path.write_text(agent.agent_cassette(12, request.param), encoding="utf-8")
    return path


def _pipe(*args) -> str:
    proc = subprocess_llmcat("show", *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


def _each_turn_once(out: str) -> None:
    assert out.count(QUESTION) == 1 and out.count(agent.SYSTEM) == 1
    for step in range(11):  # each tool result is new once: in the call after the one that asked for it
        assert out.count(agent.step_result(step)) == 1, step
        assert out.count(agent.step_text(step)) == 1, step  # the answer, not again as the next call's turn
    assert out.count(agent.FINAL) == 1


def test_a_12_call_agent_cassette_shows_each_earlier_turn_once_in_a_pipe(cassette):
    out = _pipe(cassette)
    _each_turn_once(out)
    assert out.count("=== ") == 12
    folded = re.findall(r"… (\d+) earlier turns, as in #(\d+)", out)
    # call N repeats system, question, then two turns (answer, tool result) per step: 3 + 2(N-1) turns
    assert [(int(t), int(n)) for t, n in folded] == [(3 + 2 * (n - 1), n - 1) for n in range(1, 12)]
    assert out.count("tools: the same as in #") == 11 and out.count("tool: search") == 1
    whole = _pipe("--full", cassette)
    assert whole.count(QUESTION) == 12 and "earlier turn" not in whole
    assert whole.count(agent.step_result(0)) == 11  # sent again by every call after the first


@pytest.mark.parametrize("columns", ["80", "200"])
def test_on_a_terminal_too(cassette, columns):
    status, out = on_terminal(["show", str(cassette)], env={"COLUMNS": columns})
    assert status == 0
    text = SGR.sub(b"", out).decode().replace("\r\n", "\n")
    _each_turn_once(re.sub(r"\n +", " ", text))  # wrapped lines joined back
    assert text.count("earlier turns, as in #") == 11


def test_a_rewritten_history_is_shown_whole_with_a_note(tmp_path):
    path = tmp_path / "compacted.yaml"
    path.write_text(agent.agent_cassette(12, "openai", rewrite_at=6), encoding="utf-8")
    out = _pipe(path)
    calls = out.split("=== ")[1:]
    assert "starts as #5's but does not continue it (history rewritten or summarised): shown whole" in calls[6]
    assert "earlier turn" not in calls[6] and QUESTION in calls[6] and agent.SUMMARY.format(n=6) in calls[6]
    assert "… 3 earlier turns, as in #6" in calls[7]  # then the new conversation is followed from its start
    assert out.count(QUESTION) == 2 and sum("does not continue" in c for c in calls) == 1


def test_a_tests_calls_in_files_of_their_own_are_one_conversation(tmp_path):
    """llama-stack: one file per call, named by hash (so listed out of order), one test id."""
    for name, data in agent.llama_stack_calls(12, "tests/test_agent.py::test_rivers").items():
        (tmp_path / name).write_bytes(data)
    out = _pipe(tmp_path)
    assert out.count("=== ") == 12 and out.count("earlier turn") == 11 and out.count(QUESTION) == 1
    assert "does not continue" not in out
    other = tmp_path / "other"  # another test asking the same: its own conversation, shown whole
    other.mkdir()
    for name, data in list(agent.llama_stack_calls(2, "tests/test_agent.py::test_other").items())[:1]:
        (other / name).write_bytes(data)
    assert _pipe(tmp_path).count(QUESTION) == 2


def test_calls_that_share_nothing_are_shown_whole_without_a_note():
    out = _pipe(FIXTURES / "vcr" / "multi.yaml")
    assert "earlier turn" not in out and "does not continue" not in out


def test_diff_of_two_agent_runs_shows_a_changed_turn_once(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    text = agent.agent_cassette(12, "openai")
    (a / "run.yaml").write_text(text, encoding="utf-8")
    (b / "run.yaml").write_text(text.replace("Page 3: the Danube", "Page 3: the Rhine"), encoding="utf-8")
    for args in ([a / "run.yaml", b / "run.yaml"], ["-v", a, b]):
        result = run("diff", *args)
        assert result.exit_code == 1
        out = result.stdout
        assert out.count("-[tool] search: Page 3: the Danube") == 1 and out.count("+[tool] search: Page 3: the Rhine") == 1
        assert out.count("; the new turns are the same") == 7  # calls 5 to 11 differ only in what call 4 sent
        assert "… 7 earlier turns, as in #3\n" in out
