"""Never empty without a reason: a successful call whose answer reads as empty, though the provider says
(or sent) otherwise. `check` reports it as `empty-answer`, `show` as a note under the answer.

What is not a chat answer is never asked: a failed call, a body llmcat shows as its details (embeddings,
images, token counts, model lists, an HTTP body of no known API), a HEAD or OPTIONS request, a 204, the
status of an asynchronous job (an Assistants run: its words are in the thread's messages).
A call counts as answered when a choice has text, reasoning, a refusal or a tool call, its answer
blocks hold anything (media, a server tool's result, a part of a shape llmcat does not know), or its
events carry a picture or a sound.
It is reported when the provider's usage counts output tokens, or when a response event carries
text under a key that holds a model's words (`text`, `content`, `delta`...) that no part accounts for.
"""

from __future__ import annotations

from typing import Any

from llmcat.apis._common import as_int
from llmcat.model import Choice, Completion, Recording

# Keys under which a provider puts what the model wrote (text, reasoning, arguments, a transcript).
_WORDS = frozenset({"text", "content", "delta", "output_text", "generated_text", "completion", "thinking", "reasoning",
                    "reasoning_content", "arguments", "partial_json", "transcript", "refusal"})
_LOOK_EVENTS = 500  # events and nesting looked through for unread words (a stream's tail is rarely the first)
_LOOK_DEPTH = 12


def empty_answer(rec: Recording, completion: Completion) -> tuple[int | None, str] | None:
    """(output tokens reported, why it is worth saying) for a successful call that reads as empty; else None."""
    if completion.error is not None or completion.details is not None or any(map(_said, completion.choices)):
        return None
    status = rec.response.status
    if status is not None and (status == 204 or not 200 <= status < 300):
        return None
    if (rec.request.method or "").upper() in ("HEAD", "OPTIONS") or _job_status(rec.response.events):
        return None
    usage = completion.usage
    tokens = as_int(usage.completion_tokens) if usage is not None else None
    unread = None if tokens else unread_words(rec.response.events)
    if not tokens and unread is None:
        return None
    if _has_blocks(rec, completion) or _carries_media(rec.response.events):
        return None
    if tokens:
        return tokens, f"the answer reads as empty, but the provider counts {tokens:,} output tokens"
    # (The key is not named: the fast llama-stack reader keeps fewer of a chunk's keys, and both readers must agree.)
    return None, "the answer reads as empty, but the response carries text llmcat did not read"


# Objects that report how an asynchronous job stands, not what the model wrote: an Assistants run counts
# the run's tokens, and its words are in the thread's messages, fetched by another call.
_STATUS_OBJECTS = frozenset({"thread.run", "thread.run.step"})


def _job_status(events: list) -> bool:
    return bool(events) and all(isinstance(e, dict) and e.get("object") in _STATUS_OBJECTS for e in events)


def _said(choice: Choice) -> bool:
    return bool(choice.text or choice.reasoning or choice.refusal or choice.tool_calls)


def _has_blocks(rec: Recording, completion: Completion) -> bool:
    """Anything in the answer as blocks: media, a server tool's result, a part of an unknown shape."""
    from llmcat.apis._conversation import answer_blocks

    try:
        return any(answer_blocks(rec, completion))
    except (TypeError, ValueError, AttributeError, RecursionError):  # an answer builder tripped on a hostile shape
        return False


# Keys under which an answer carries a picture or a sound (OpenRouter's `images`, OpenAI's `b64_json` and
# audio `data`, Gemini's `inlineData`): an answer of media is an answer, though it has no words.
_MEDIA = frozenset({"images", "image_url", "b64_json", "inlineData", "inline_data", "audio", "image", "video"})


def _carries_media(events: list) -> bool:
    return any(_media_in(event, 0) for event in events[:_LOOK_EVENTS])


def _media_in(value: Any, depth: int) -> bool:
    if depth >= _LOOK_DEPTH:
        return False
    if isinstance(value, dict):
        return any((k in _MEDIA and v not in (None, "", [], {})) or (isinstance(v, (dict, list)) and _media_in(v, depth + 1))
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_media_in(item, depth + 1) for item in value[:_LOOK_EVENTS])
    return False


def unread_words(events: list) -> str | None:
    """The first key under which a response event carries non-blank text a model would write, or None."""
    for event in events[:_LOOK_EVENTS]:
        found = _words_in(event, None, 0)
        if found is not None:
            return found
    return None


def _words_in(value: Any, key: str | None, depth: int) -> str | None:
    if isinstance(value, str):
        return key if key in _WORDS and value.strip() else None
    if depth >= _LOOK_DEPTH:
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (str, dict, list)):
                found = _words_in(v, k if isinstance(k, str) else None, depth + 1)
                if found is not None:
                    return found
    elif isinstance(value, list):
        for item in value[:_LOOK_EVENTS]:
            found = _words_in(item, key, depth + 1)
            if found is not None:
                return found
    return None
