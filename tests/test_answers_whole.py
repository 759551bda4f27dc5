"""`show` draws an answer as the provider returned it (#26): the pieces of one text joined, citations as
numbered marks with their sources below, every step of a multi-step answer in order. The recordings are
fixtures/generate_answers.py's, written here at run time."""

from __future__ import annotations

import re
import sys

import pytest
from test_terminal import SGR, on_terminal

from conftest import FIXTURES, SHARED, subprocess_llmcat

sys.path.insert(0, str(FIXTURES))
import generate_answers as answers  # noqa: E402

MARKED = ("Based on the search results, the Danube flows through four capitals[1] (Vienna, Bratislava, Budapest and"
          " Belgrade)[1]. The Rhine flows through none[2], though it passes Basel[2].\n\nSo the Danube leads.")
SOURCES = ["[1] The Danube <https://example.org/danube>", "[2] The Rhine <https://example.org/rhine>"]


def _sections(out: str) -> list[tuple[str, str]]:
    """(title, body) of each `--- title` section of a plain view, bodies unindented."""
    found = []
    for chunk in re.split(r"^--- ", out, flags=re.M)[1:]:
        title, _, body = chunk.partition("\n")
        found.append((title, "\n".join(line[4:] for line in body.rstrip("\n").split("\n"))))
    return found


@pytest.fixture(params=[False, True], ids=["whole", "streamed"])
def web_search(request, tmp_path):
    path = tmp_path / "web-search.yaml"
    path.write_text(answers.anthropic_web_search(request.param), encoding="utf-8")
    return path


def test_a_web_search_answer_is_one_answer_with_its_citations(web_search):
    proc = subprocess_llmcat("show", web_search)
    assert proc.returncode == 0, proc.stderr
    sections = _sections(proc.stdout.decode())
    titles = [title for title, _ in sections]
    assert titles[titles.index("tools offered") + 1:] == [
        "tool call 0: web_search (srvtoolu_01, server_tool_use)", "tool result: web_search (srvtoolu_01, web_search_tool_result)",
        "answer", "sources", "summary"]
    assert dict(sections)["answer"] == MARKED and dict(sections)["sources"].split("\n") == SOURCES
    joined = subprocess_llmcat("join", web_search)  # join's text is the provider's, without marks
    assert joined.stdout.decode() == answers.WHOLE_TEXT + "\n"


@pytest.mark.parametrize("columns", ["80", "200"])
def test_on_a_terminal_too(web_search, columns):
    status, out = on_terminal(["show", str(web_search)], env={"COLUMNS": columns})
    assert status == 0
    lines = SGR.sub(b"", out).decode().replace("\r\n", "\n").split("\n")
    assert [line for line in lines if line in ("answer", "sources", "other")] == ["answer", "sources"]
    text = " ".join(line.strip() for line in lines)
    assert "capitals[1] (Vienna" in text and "though it passes Basel[2]." in text
    assert all(source in text for source in SOURCES)


@pytest.mark.parametrize("split", [False, True], ids=["final-lists-the-last-message", "two-responses"])
def test_a_multi_step_responses_stream_shows_every_step_in_order(tmp_path, split):
    path = tmp_path / "steps.yaml"
    path.write_text(answers.responses_steps(split), encoding="utf-8")
    proc = subprocess_llmcat("show", path)
    assert proc.returncode == 0, proc.stderr
    sections = _sections(proc.stdout.decode())
    titles = [title for title, _ in sections]
    steps = titles[titles.index("tools offered") + 1: titles.index("summary")]
    assert steps[:5] == ["reasoning", "tool call 0: get_weather (call_0)", "tool call 1: get_weather (call_1)",
                         "tool call 2: get_time (call_2)", "answer"]
    assert dict(sections)["reasoning"] == answers.REASONING and dict(sections)["answer"] == answers.FINAL
    assert dict(sections)["tool call 1: get_weather (call_1)"] == '{\n  "city": "Rome"\n}'
    # what the final event left out is said, not taken for a difference of arguments
    assert steps[5:] == ([] if split else ["note"])
    if not split:
        assert dict(sections)["note"] == "response.completed lists 0 of the 3 streamed function calls"


CITATIONS = SHARED / "corpus" / "wild" / "ruby-vcr" / "chat_citations_with_anthropic_claude-haiku-4-5_streams_citations.yml"


@pytest.mark.skipif(not CITATIONS.is_file(), reason="the shared corpus is absent")
def test_a_real_streamed_document_citation_is_kept():
    sections = dict(_sections(subprocess_llmcat("show", CITATIONS).stdout.decode()))
    assert sections["answer"] == "The Ruby programming language was created by Yukihiro Matsumoto in 1993.[1]"
    assert sections["sources"] == ("[1] facts.txt: \u201cThe Ruby programming language was created by Yukihiro Matsumoto"
                                   " in 1993.\u201d")
