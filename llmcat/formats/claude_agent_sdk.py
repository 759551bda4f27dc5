"""Claude Agent SDK transcripts: what the SDK and the agent CLI said over its stdio protocol.

`{"metadata": {...}, "messages": [{"direction": "send" | "recv", "message": {...}}, ...]}`. The
messages are the protocol's: control requests and responses (hooks, permissions), the `user`
messages sent (prompts) and received (tool results), `system` messages, the `assistant` messages
(one content block each, several sharing the model's message id) and a `result` closing each query.
Each assistant turn — the messages of one model message id — is one call (`FILE#N`): its events are
those `assistant` messages as the protocol sent them, and, for a query's last turn, the `result` message (the finish, the
query's usage and cost, an error); its request is the conversation that came before it.
"""

from __future__ import annotations

from typing import Any

from llmcat.formats.registry import Content, Format, register
from llmcat.model import InputError, Recording, Request, Response

FORMAT = "claude-agent-sdk"
API = "anthropic.agent-sdk"


def read(content: Content) -> list[Recording] | None:
    obj = content.json
    if not (isinstance(obj, dict) and "messages" in obj and "metadata" in obj and set(obj) <= {"metadata", "messages", "version"}):
        return None
    messages = obj["messages"]
    if not isinstance(messages, list) or not all(_is_protocol(m) for m in messages):
        if isinstance(messages, list) and messages and _is_protocol(messages[0]):
            raise InputError("a Claude Agent SDK transcript with a message that is not {direction, message}")
        return None
    return _turns(content.source, messages)


def _is_protocol(item: Any) -> bool:
    return isinstance(item, dict) and item.get("direction") in ("send", "recv") and isinstance(item.get("message"), dict)


class _Turn:
    def __init__(self, message_id: Any, conversation: list[dict], model: Any) -> None:
        self.message_id = message_id
        self.conversation = list(conversation)  # what was said before this turn
        self.model = model
        self.events: list[dict] = []
        self.stored: list[dict] = []


def _turns(source: str, messages: list[dict]) -> list[Recording]:
    conversation: list[dict] = []  # Anthropic-shaped messages: the prompts, the answers, the tool results
    turns: list[_Turn] = []
    current: _Turn | None = None
    model = None
    for item in messages:
        message = item["message"]
        kind = message.get("type")
        if kind == "system" and message.get("subtype") == "init":
            model = message.get("model")
        elif kind == "assistant" and isinstance(message.get("message"), dict):
            inner = message["message"]
            if current is None or inner.get("id") != current.message_id:
                current = _Turn(inner.get("id"), conversation, model)
                turns.append(current)
                conversation.append({"role": "assistant", "content": []})
            current.events.append(message)  # the protocol's message (an `error` rides on it), not only the model's
            current.stored.append(item)
            blocks = inner.get("content")
            conversation[-1]["content"] += blocks if isinstance(blocks, list) else [{"type": "text", "text": blocks}]
        elif kind == "user" and isinstance(message.get("message"), dict):
            current = None
            conversation.append(message["message"])
        elif kind == "result" and turns:
            if current is None:  # a query that ended with no assistant message after its last prompt
                continue
            current.events.append(message)
            current.stored.append(item)
            current = None
    return [_recording(source, n, turn) for n, turn in enumerate(turns)]


def _recording(source: str, n: int, turn: _Turn) -> Recording:
    events = turn.events
    out = Response(events=events, event_types=["result" if e.get("type") == "result" else "assistant" for e in events])
    body: dict[str, Any] = {"messages": turn.conversation}
    if isinstance(turn.model, str):
        body = {"model": turn.model, **body}
    request = Request(body=body, model=None)
    return Recording(source, n, FORMAT, request, out, stored=turn.stored, api=API)


register(Format(
    name=FORMAT,
    summary="Claude Agent SDK transcripts (`metadata`, `messages[]` of `{direction, message}`): each assistant turn one call",
    read=read,
    order=46,
    suffixes=(".json",),
    multi_call=True,
))
