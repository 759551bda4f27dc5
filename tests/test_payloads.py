"""Issue #24: binary payloads in human views are one line (`<image/png, base64, 2.1 MB>`), and a view
at a terminal finishes on a multi-megabyte one (it stalled 15 minutes in rich's wrapping of one word)."""

from __future__ import annotations

import base64
import json
import os

import orjson
import yaml
from test_terminal import on_terminal

from conftest import subprocess_llmcat
from llmcat.render.payloads import summarized
from llmcat.render.rich_view import wrap


def image_generation(tmp_path, megabytes: float = 3.0) -> tuple[str, str]:
    """A Responses API call whose image-generation result is a fresh PNG of `megabytes` in base64."""
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + os.urandom(int(megabytes * 3 / 4 * 1e6))).decode()
    response = {"id": "resp_fx", "object": "response", "created_at": 1760000000, "status": "completed", "model": "gpt-fx",
                "output": [{"id": "ig_fx", "type": "image_generation_call", "status": "completed", "result": png,
                            "revised_prompt": "A cat on a mat"},
                           {"id": "msg_fx", "type": "message", "status": "completed", "role": "assistant",
                            "content": [{"type": "output_text", "text": "Here is your cat.", "annotations": []}]}],
                "usage": {"input_tokens": 10, "output_tokens": 20, "total_tokens": 30}}
    request = {"model": "gpt-fx", "input": "Draw a cat", "tools": [{"type": "image_generation"}]}
    cassette = {"interactions": [{
        "request": {"body": json.dumps(request), "headers": {"Content-Type": ["application/json"]}, "method": "POST",
                    "uri": "https://api.openai.com/v1/responses"},
        "response": {"body": {"string": json.dumps(response)}, "headers": {"Content-Type": ["application/json"]},
                     "status": {"code": 200, "message": "OK"}}}], "version": 1}
    path = tmp_path / "image_generation.yaml"
    path.write_text(yaml.safe_dump(cassette, width=200))
    return str(path), png


def test_show_at_a_terminal_finishes_on_a_multi_megabyte_image_and_shows_one_line(tmp_path):
    path, png = image_generation(tmp_path)
    status, out = on_terminal(["show", "--no-pager", path], timeout=180)
    assert status == 0, out[-2000:]
    assert b"<image/png, base64, " in out and b" MB>" in out
    assert png[1000:1100].encode() not in out and b"Here is your cat." in out
    piped = subprocess_llmcat("show", path, timeout=180)
    assert b"<image/png, base64, " in piped.stdout and png[1000:1100].encode() not in piped.stdout
    (call,) = [orjson.loads(line) for line in subprocess_llmcat("show", "--json", path, timeout=180).stdout.splitlines()]
    assert png in orjson.dumps(call).decode()  # the machine view keeps every byte


def test_payload_kinds_and_what_is_not_one():
    def b64(data: bytes) -> str:
        return base64.b64encode(data + os.urandom(3000)).decode()

    assert summarized("data:audio/wav;base64," + b64(b"RIFF\0\0\0\0WAVEfmt ")).startswith("<audio/wav, base64, 2.9 KB>")
    assert summarized(b64(b"\xff\xd8\xff\xe0")) == "<image/jpeg, base64, 2.9 KB>"
    assert summarized("enc: " + b64(b"")) == "enc: <data, base64, 2.9 KB>"  # encrypted reasoning: no magic
    wrapped = base64.encodebytes(b"%PDF-1.7" + os.urandom(4000)).decode()
    assert summarized(wrapped).startswith("<application/pdf, base64, ")
    for prose in ("a" * 5000, "deadbeef" * 1000, "word " * 2000, "A" * 3000):
        assert summarized(prose) == prose


def test_wrapping_a_huge_word_is_linear_and_keeps_every_character():
    word = "x" * 300_000
    lines = wrap(word, 80)
    assert "".join(lines) == word and {len(line) for line in lines} == {80}
    assert wrap("hello world " * 10, 25)[0] == "hello world hello world"
    assert "".join(wrap("日本語" * 200, 41)) == "日本語" * 200


def test_diff_shows_two_images_as_two_lines_told_apart(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path_a, png_a = image_generation(tmp_path / "a", 1.5)
    path_b, png_b = image_generation(tmp_path / "b", 1.5)
    for argv in (["diff"], ["diff", "--word-diff"], ["diff", "--strict", "--color", "always"]):
        proc = subprocess_llmcat(*argv, path_a, path_b, timeout=180)
        assert proc.returncode == 1, proc.stderr
        assert png_a[2000:2100].encode() not in proc.stdout and png_b[2000:2100].encode() not in proc.stdout
        assert f"ending {png_a.rstrip('=')[-8:]}>".encode() in proc.stdout and f"ending {png_b.rstrip('=')[-8:]}>".encode() in proc.stdout
    whole = subprocess_llmcat("diff", "--json", path_a, path_b, timeout=180).stdout
    assert png_a.encode() in whole  # the machine view keeps every byte
