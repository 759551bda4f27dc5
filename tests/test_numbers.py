"""Issue #24: integers of any YAML base or JSON length are read in linear time or refused with one
line for their file; a run never ends on Python's 4,300-digit limit."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, subprocess_llmcat

CASSETTE = """interactions:
- request:
    method: POST
    uri: https://api.openai.com/v1/chat/completions
    body: '{{"model": "gpt-fx", "messages": [{{"role": "user", "content": "Hi"}}]}}'
    headers: {{}}
  response:
    status: {{code: 200, message: OK}}
    headers: {{}}
    body: {{string: '{{"id": "c", "object": "chat.completion", "created": 1, "model": "gpt-fx", "choices": [{{"index": 0,
      "message": {{"role": "assistant", "content": "Hello."}}, "finish_reason": "stop"}}]}}'}}
    recorded_at: {number}
"""


def test_a_huge_base_60_integer_is_refused_in_one_line(tmp_path):
    path = tmp_path / "sexagesimal.yaml"
    path.write_text(CASSETTE.format(number="1:" + ":".join(["59"] * 330_000)))  # 1 MB: 76 s, quadratic, before
    proc = subprocess_llmcat("show", path, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"llmcat: {path}: a YAML integer 990,001 characters long (line 12); refused\n"


def test_one_long_integer_does_not_end_a_diff_of_two_trees(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for side in (a, b):
        side.mkdir()
        (side / "fine.yaml").write_text(CASSETTE.format(number="1:59:59"))
    (a / "long.yaml").write_text(CASSETTE.format(number="1:" + ":".join(["59"] * 3000)))  # past 4,300 digits
    (b / "long.yaml").write_text(CASSETTE.format(number="2:" + ":".join(["59"] * 3000)))
    (b / "fine.yaml").write_text(CASSETTE.format(number="1:59:58"))
    proc = subprocess_llmcat("diff", "--strict", "--json", a, b, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert b"internal error" not in proc.stderr and b"set_int_max_str_digits" not in proc.stderr
    assert b"a YAML integer 9,001 characters long (line 12); refused" in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    fine = [r for r in rows if r["a"] and r["a"].endswith("fine.yaml")]
    assert fine and fine[0]["status"] == "changed" and fine[0]["differences"][0]["a"] == 7199


def test_integers_within_the_bound_are_read_as_numbers(tmp_path):
    path = tmp_path / "fine.yaml"
    for number in ("0x" + "f" * 200, "1:" + ":".join(["59"] * 300)):
        path.write_text(CASSETTE.format(number=number))
        (call,) = [json.loads(line) for line in subprocess_llmcat("show", "--json", path).stdout.splitlines()]
        assert call["source"] == str(path)
    path.write_text(CASSETTE.format(number="0x" + "f" * 4000))  # 4,000 characters, some 4,800 digits: unprintable
    proc = subprocess_llmcat("show", path)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"llmcat: {path}: a YAML integer of more than 4,300 digits (line 12); refused\n"


def test_a_huge_json_integer_is_one_line_for_its_file(tmp_path):
    path = tmp_path / "huge.json"
    shutil.copy(FIXTURES / "llama-stack" / "chat-stream.json", path)
    data = json.loads(path.read_text())
    text = path.read_text().replace('"test_id"', '"n": ' + "9" * 100_000 + ', "test_id"', 1)
    assert data and text != path.read_text()
    path.write_text(text)
    proc = subprocess_llmcat("ls", path, tmp_path, timeout=60)
    assert b"internal error" not in proc.stderr and proc.stderr.count(b"\n") <= 2
