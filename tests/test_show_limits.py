"""`show --head/--tail` on long texts, and long texts drawn in batches by the rich writer."""

from __future__ import annotations

import re
import sys

import orjson
import pytest

from conftest import FIXTURES, run
from llmcat.render import rich_view

sys.path.insert(0, str(FIXTURES))
import generate  # noqa: E402


@pytest.fixture
def long_answer(tmp_path):
    path = tmp_path / "long.json"
    path.write_bytes(orjson.dumps(generate.big_chat_stream(600)))
    return path


def answer_lines(output: str) -> list[str]:
    section = output.split("--- answer\n", 1)[1].split("\n--- ", 1)[0]
    return section.split("\n")


def test_head_and_tail_keep_the_ends_and_say_what_is_left_out(long_answer):
    full = answer_lines(run("show", long_answer).stdout)
    assert len(full) > 20
    head = answer_lines(run("show", "--head", "3", long_answer).stdout)
    assert head == full[:3] + [f"    [{len(full) - 3} more lines not shown]"]
    tail = answer_lines(run("show", "--tail", "2", long_answer).stdout)
    assert tail == [f"    [{len(full) - 2} earlier lines not shown]"] + full[-2:]  # (#26: they come before)
    both = answer_lines(run("show", "--head", "1", "--tail", "1", long_answer).stdout)
    assert both == [full[0], f"    [{len(full) - 2} more lines not shown]", full[-1]]


def test_limits_wider_than_the_text_change_nothing(long_answer):
    full = run("show", long_answer)
    assert run("show", "--head", "100000", long_answer).stdout == full.stdout
    assert run("show", "--head", "10", "--tail", "100000", long_answer).stdout == full.stdout


def test_limits_do_not_touch_json(long_answer):
    assert run("show", "--json", "--head", "1", long_answer).stdout == run("show", "--json", long_answer).stdout


def test_a_negative_limit_is_a_usage_error(long_answer):
    result = run("show", "--head", "-1", long_answer)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_rich_draws_every_line_of_a_long_text_in_batches(long_answer, monkeypatch):
    monkeypatch.setattr(rich_view, "BATCH_LINES", 7)  # several batches, a partial one last
    plain = answer_lines(run("show", "--color", "never", long_answer).stdout)
    coloured = run("show", "--color", "always", long_answer).stdout
    text = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    lines = text.split("\n")
    start = lines.index("answer")
    drawn = [line.rstrip() for line in lines[start + 1 : start + 1 + len(plain)]]
    assert drawn == [line.replace("    ", "  ", 1).rstrip() for line in plain]  # rich indents by 2, plain by 4
