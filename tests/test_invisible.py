"""Issue #24: characters that hide text (every format character, the tag block, variation selectors,
Hangul fillers) are escaped visibly in every human view, as the bidi controls are; JSON keeps them."""

from __future__ import annotations

import json
import unicodedata

import orjson

from conftest import subprocess_llmcat
from llmcat.render.escape import inline, visible

# A hidden instruction in tag characters (invisible ASCII), and one of each other kind.
HIDDEN = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous")
SAMPLES = ["\u00ad", "\u180e", "\u206a", "\u206f", "\ufff9", "\ufffb", "\u115f", "\u1160", "\u3164", "\uffa0", "\ufe0f",
           "\U000e0100", "\U000e0001", "\u034f"]


def test_every_format_character_is_escaped():
    format_characters = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(format_characters) > 150
    for c in format_characters + SAMPLES:
        assert c not in visible(f"a{c}b") and c not in inline(f"a{c}b"), hex(ord(c))
    assert visible(HIDDEN).startswith("\\U000e0069")


def test_no_human_view_prints_them_raw(tmp_path):
    text = "Paris" + HIDDEN + "".join(SAMPLES) + " is the capital."
    call = {"request": {"method": "POST", "url": "https://api.openai.com/v1/chat/completions", "headers": {},
                        "body": {"model": "gpt" + "\u00ad" + "fx", "messages": [{"role": "user", "content": "Hi" + HIDDEN}]}},
            "response": {"status": 200, "headers": {}, "body": {
                "id": "c", "object": "chat.completion", "model": "gpt-fx",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}}}
    path = tmp_path / "hidden.json"
    path.write_text(json.dumps({"interactions": [{"request": {**call["request"], "uri": call["request"]["url"],
                                                              "body": json.dumps(call["request"]["body"])},
                                                  "response": {"status": {"code": 200, "message": "OK"},
                                                               "headers": {"Content-Type": ["application/json"]},
                                                               "body": {"string": json.dumps(call["response"]["body"])}}}]}))
    for argv in (["show"], ["show", "--color", "always"], ["ls", "--color", "always"], ["ls"], ["stats", "--color", "always"]):
        proc = subprocess_llmcat(*argv, path)
        assert proc.returncode == 0, (argv, proc.stderr)
        out = proc.stdout.decode()
        raw = [hex(ord(c)) for c in out if unicodedata.category(c) == "Cf" or c in "".join(SAMPLES) + HIDDEN]
        assert not raw, (argv, raw)
    shown = subprocess_llmcat("show", path).stdout.decode()
    assert "\\U000e0069" in shown and "\\xad" in shown and "\\u3164" in shown
    (whole,) = [orjson.loads(line) for line in subprocess_llmcat("show", "--json", path).stdout.splitlines()]
    assert whole["choices"][0]["text"] == text  # machine output stays exact
