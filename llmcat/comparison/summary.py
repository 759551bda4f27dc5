"""What one compared pair is, in a few words: which call (test id, model) and what changed.

A directory diff's row and `--stat` line say this instead of a hash-named path and
a list of parts: `text +12 −3 words`, `tokens 120 → 96`, `tool calls`,
`finish length → stop`. Pure functions over a `Pair`; rendering is render/'s.
"""

from __future__ import annotations

import re
from typing import Any

from llmcat.comparison.trees import ABSENT, Difference, Pair, parts
from llmcat.comparison.words import word_counts

_TEXT = re.compile(r"^response\.choices\[\d+\]\.text$")
_FINISH = re.compile(r"^response\.choices\[\d+\]\.finish_reason$")
_TOKENS = ("total_tokens", "completion_tokens", "prompt_tokens")


def request_of(pair: Pair) -> dict:
    """The compared request a row names the call by: b's (the new recording) when there is one."""
    trees = pair.trees or (None, None)
    tree = trees[1] or trees[0]
    return tree["request"] if tree else {}


def test_id(pair: Pair) -> str | None:
    found = request_of(pair).get("test_id")
    return found if isinstance(found, str) else None


def model(pair: Pair) -> str | None:
    found = request_of(pair).get("model")
    return found if isinstance(found, str) else None


def name(pair: Pair) -> str:
    """How a row names the call: its test id, else its path (`path#N` for one call of several)."""
    return test_id(pair) or pair.label


_ASKED_MAX = 50


def asked(pair: Pair) -> str | None:
    """What was asked, in a few words (the last user message, or the prompt): names a call that has no test id."""
    line = _asked_line(pair)
    return line if line is None or len(line) <= _ASKED_MAX else line[:_ASKED_MAX - 1] + "…"


def _asked_line(pair: Pair) -> str | None:
    request = request_of(pair)
    text = _last_user_text(request.get("transcript"), request.get("messages")) or request.get("prompt")
    if isinstance(text, list):
        text = next((t for t in text if isinstance(t, str)), None)
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip().splitlines()[0]


def row_texts(pair: Pair) -> list[str]:
    """What a row may print of a pair's calls, uncut: its test id, model and what was asked."""
    return [t for t in (test_id(pair), model(pair), _asked_line(pair)) if t]


def _last_user_text(transcript: Any, messages: Any) -> str | None:
    """The normalised transcript's last user text block, else the raw messages' last user content."""
    for block in reversed(transcript if isinstance(transcript, list) else []):
        if isinstance(block, dict) and block.get("role") == "user" and block.get("type") == "text":
            return block.get("text") if isinstance(block.get("text"), str) else None
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts: the first text one
                content = next((p.get("text") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)), None)
            return content if isinstance(content, str) else None
    return None


def what_changed(pair: Pair) -> list[str]:
    """The changed parts of a pair, each with its numbers where one says more than the name."""
    out = []
    for part in parts(pair.differences):
        of_part = [d for d in pair.differences if _part(d) == part]
        if part == "text":
            out.append(_text(of_part) or part)
        elif part == "usage":
            out.append(_tokens(of_part) or part)
        elif part == "finish":
            out.append(_finish(of_part) or part)
        elif part == "model":
            out.append(_arrow("model", of_part[0]) if len(of_part) == 1 else part)
        else:
            out.append(part)
    return out


def _part(difference: Difference) -> str:
    from llmcat.comparison.trees import part_of

    return part_of(difference.path)


def _text(differences: list[Difference]) -> str | None:
    added = removed = 0
    for d in differences:
        if not _TEXT.match(d.path):
            continue
        a, b = (v if isinstance(v, str) else "" for v in (d.a, d.b))
        plus, minus = word_counts(a, b)
        added, removed = added + plus, removed + minus
    if not (added or removed):
        return None  # whitespace only, or a whole choice added: the part's name says it
    return f"text +{added} −{removed} word{'s' if added + removed != 1 else ''}"


def _tokens(differences: list[Difference]) -> str | None:
    by_key = {d.path.rsplit(".", 1)[-1]: d for d in differences}
    for key in _TOKENS:
        if key in by_key:
            d = by_key[key]
            label = "tokens" if key == "total_tokens" else key.replace("_tokens", " tokens")
            return _arrow(label, d)
    return None


def _finish(differences: list[Difference]) -> str | None:
    found = [d for d in differences if _FINISH.match(d.path)]
    return _arrow("finish", found[0]) if found else None


def _arrow(label: str, d: Difference) -> str:
    return f"{label} {_short(d.a)} → {_short(d.b)}"


def _short(value: Any) -> str:
    if value is ABSENT or value is None:
        return "none"
    return str(value)
