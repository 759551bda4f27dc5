"""New turns only: an agent's calls each send the whole conversation again, so each call after the
first is drawn from where the call before it ended.

Calls belong to one conversation when they share a file of several calls, else a test id. A call
whose conversation starts with an earlier call's (and, usually, that call's answer) is drawn from
the first new turn; one that starts as the call before it but then says something else where that
one went on (history rewritten, or summarised) is drawn whole, with a note saying so. Works on the normalised
transcript (`model.Transcript`), so it is the same for every provider.
"""

from __future__ import annotations

from msgspec import Struct

from llmcat.model import MULTI_CALL_FORMATS, Block, Recording, ToolSpec, Transcript


class Earlier(Struct):
    """What of a call's conversation was already drawn with an earlier call."""

    blocks: int = 0  # leading blocks not drawn again
    turns: int = 0  # the turns they make (a run of blocks of one role is one turn)
    label: str = ""  # the call they were drawn with
    tools_same: bool = False  # the same tools were offered to it
    departs: str | None = None  # the call this one starts as but does not continue (drawn whole)


class _Seen(Struct):
    label: str
    blocks: list[Block]  # its conversation, then its answer (choice 0)
    asked: int  # how many of `blocks` the request carried
    tools: list[ToolSpec]


class Turns:
    """The calls drawn so far, by conversation; `earlier(...)` for each call as it is drawn."""

    def __init__(self) -> None:
        self._seen: dict[str, list[_Seen]] = {}

    def earlier(self, key: str | None, label: str, transcript: Transcript | None, answer: list[Block]) -> Earlier | None:
        """What of this call's conversation (`key`: see `conversation_key`) was drawn with an earlier call."""
        if key is None or transcript is None or not transcript.blocks:
            return None
        blocks = transcript.blocks
        seen = self._seen.pop(key, [])
        self._seen[key] = seen  # the latest conversations last; the oldest forgotten past _CONVERSATIONS
        if len(self._seen) > _CONVERSATIONS:
            del self._seen[next(iter(self._seen))]
        last = seen[-1] if seen else None
        if last is not None and _departs(last.blocks[: last.asked], blocks):
            found: Earlier | None = Earlier(departs=last.label)  # rewritten: not to be drawn from an older call either
        else:
            found = _continued(seen, transcript)
        if len(seen) >= _LOOK_BACK:
            del seen[0]
        seen.append(_Seen(label, [*blocks, *answer], len(blocks), transcript.tools))
        return found


def conversation_key(rec: Recording) -> str | None:
    """The conversation a call may belong to: its file, for a file of several calls; else its test."""
    if rec.format in MULTI_CALL_FORMATS:
        return "file:" + rec.source
    test_id = rec.request.test_id
    return "test:" + test_id if test_id else None


def _continued(seen: list[_Seen], transcript: Transcript) -> Earlier | None:
    """The latest earlier call whose conversation (and as much of its answer as was sent back) this
    one repeats at its start; None when none does. The latest, not every one: an agent of hundreds of
    calls costs one comparison per call, not hundreds."""
    blocks = transcript.blocks
    for before in reversed(seen[-_LOOK_BACK:]):
        asked = before.blocks[: before.asked]
        if len(asked) >= len(blocks) or any(not same(a, b) for a, b in zip(asked, blocks, strict=False)):
            continue
        count = len(asked) + _answer_sent_back(before.blocks[before.asked:], blocks[len(asked):])
        if count < len(blocks):
            return Earlier(count, count_turns(blocks[:count]), before.label,
                           _tools_key(before.tools) == _tools_key(transcript.tools))
    return None


_CONVERSATIONS = 64  # a suite's calls are drawn file after file: its conversations do not come back after long
_LOOK_BACK = 8  # calls of a conversation drawn out of order (a suite's files named by hash) are found among the last few


def _tools_key(tools: list[ToolSpec]) -> list:
    return [(t.name, t.description, t.parameters) for t in tools]


def _answer_sent_back(answer: list[Block], new: list[Block]) -> int:
    """How many of `new`'s leading blocks are the earlier call's answer as the client sent it back
    (reasoning may be left out: it is passed over)."""
    taken = 0
    for block in answer:
        if taken < len(new) and same(block, new[taken]):
            taken += 1
        elif block.type != "reasoning":
            break
    return taken


def _departs(before: list[Block], blocks: list[Block]) -> bool:
    """Does this conversation start as the one before (beyond a shared system prompt) and then say
    something else where that one went on? (Not when one of them is the start of the other: calls
    drawn out of their order, as a suite's files named by hash are.)"""
    shared = 0
    for a, b in zip(before, blocks, strict=False):  # the shorter one's length
        if not same(a, b):
            return shared > 0
        shared += a.role != "system"
    return False


def same(a: Block, b: Block) -> bool:
    """The same turn, as sent and as sent again: ids, signatures and surrounding spaces aside."""
    if a.role != b.role or a.type != b.type:
        return False
    if a.type == "reasoning" and (a.encrypted or b.encrypted or not a.text or not b.text):
        return True  # sent back as a signature, or shown by one side only
    return (_strip(a.text), a.name, a.arguments, _strip(a.content), a.kind, a.raw) == \
        (_strip(b.text), b.name, b.arguments, _strip(b.content), b.kind, b.raw)


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def count_turns(blocks: list[Block]) -> int:
    return sum(1 for n, block in enumerate(blocks) if n == 0 or blocks[n - 1].role != block.role)
