"""Two texts word by word, as `git diff --word-diff` sees them: runs of changed words.

Words are runs of non-space characters; the spaces between them are not compared
(as git's default word regex), so consecutive changed words form one run with the
spaces inside it: `[-The Japan-]{+Spring (March-May):+}`, not one pair per word.

The alignment is bounded: the common beginning and end of a stretch are taken off,
a small middle is aligned by `difflib`, a big one is split at the words that occur
once on each side, in the same order (patience diff: O(n log n)), and each piece
is aligned the same way, a few levels deep; a big piece with no such anchor is shown
removed and added whole. A long or hostile answer costs time in proportion to its
length (times a log), never to its square.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

_WORD = re.compile(r"\S+")

Segment = tuple[str, str]  # ("", unchanged text) | ("del", removed text) | ("add", added text)


def word_segments(a: str, b: str) -> list[Segment]:
    """`a` becoming `b` as unchanged, removed and added runs of text (whitespace changes alone not marked)."""
    spans_a = [m.span() for m in _WORD.finditer(a)]
    spans_b = [m.span() for m in _WORD.finditer(b)]
    words_a = [a[i:j] for i, j in spans_a]
    words_b = [b[i:j] for i, j in spans_b]
    out: list[Segment] = []
    ops = opcodes(words_a, words_b)
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if n == 0:
            out.append(("", _gap(a, spans_a, 0, b, spans_b, 0)))
        if op == "equal":
            out.append(("", a[spans_a[i1][0]:spans_a[i2 - 1][1]]))
        else:
            if i2 > i1:
                out.append(("del", a[spans_a[i1][0]:spans_a[i2 - 1][1]]))
            if j2 > j1:
                out.append(("add", b[spans_b[j1][0]:spans_b[j2 - 1][1]]))
        out.append(("", _gap(a, spans_a, i2, b, spans_b, j2)))
    if not ops:
        out.append(("", b))
    return [(style, text) for style, text in out if text]


def _gap(a: str, spans_a: Sequence[tuple[int, int]], i: int, b: str, spans_b: Sequence[tuple[int, int]], j: int) -> str:
    """The whitespace before word i of a and word j of b: between two words of the new text where
    it has two there, else between two of the old, else the new text's own leading or trailing space."""
    if 0 < j < len(spans_b):
        return _space_before(b, spans_b, j)
    if 0 < i < len(spans_a) or not spans_b:
        return _space_before(a, spans_a, i) if spans_a else ""
    return _space_before(b, spans_b, j)


def _space_before(text: str, spans: Sequence[tuple[int, int]], n: int) -> str:
    start = spans[n - 1][1] if n > 0 else 0
    end = spans[n][0] if n < len(spans) else len(text)
    return text[start:end]


def word_counts(a: str, b: str) -> tuple[int, int]:
    """(words added, words removed) going from `a` to `b`."""
    words_a, words_b = _WORD.findall(a), _WORD.findall(b)
    added = removed = 0
    for _op, i1, i2, j1, j2 in opcodes(words_a, words_b):
        if _op != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


# --- bounded alignment -----------------------------------------------------------------------------------------

Opcode = tuple[str, int, int, int, int]  # as difflib's: (op, i1, i2, j1, j2)


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """difflib-style opcodes over two word lists, in bounded time (see the module docstring);
    adjacent changes are merged, so a run of changed words is one `replace`."""
    raw: list[Opcode] = []
    stack = [(0, len(a), 0, len(b), 0)]
    while stack:  # stretches to align, leftmost on top
        i1, i2, j1, j2, depth = stack.pop()
        if depth < 0:  # already known equal (an anchor, or a stretch's common end)
            raw.append(("equal", i1, i2, j1, j2))
        elif i1 < i2 or j1 < j2:
            raw += _stretch(a, b, i1, i2, j1, j2, depth, stack)
    return _merged(raw)


def _stretch(a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int, depth: int,
             stack: list) -> list[Opcode]:
    """The opcodes of one stretch: its common ends, and its middle aligned directly, or split at
    anchors (pushed on `stack`, to come next), or replaced whole."""
    head = _common(a, b, range(i1, i2), range(j1, j2))
    tail = _common(a, b, range(i2 - 1, i1 + head - 1, -1), range(j2 - 1, j1 + head - 1, -1))
    out: list[Opcode] = [("equal", i1, i1 + head, j1, j1 + head)] if head else []
    m1, m2, n1, n2 = i1 + head, i2 - tail, j1 + head, j2 - tail
    after: list[Opcode] = [("equal", m2, i2, n2, j2)] if tail else []
    if m1 == m2 or n1 == n2:
        out.append(("replace", m1, m2, n1, n2))
    elif (m2 - m1) * (n2 - n1) <= SMALL:
        matcher = difflib.SequenceMatcher(None, a[m1:m2], b[n1:n2], autojunk=False)
        out += [(op, x1 + m1, x2 + m1, y1 + n1, y2 + n1) for op, x1, x2, y1, y2 in matcher.get_opcodes()]
    else:
        anchors = _anchors(a, b, m1, m2, n1, n2) if depth < MAX_DEPTH else []
        if not anchors:
            out.append(("replace", m1, m2, n1, n2))
        else:
            # the stretches between anchors come back through the stack, before `after`
            pieces = []
            x, y = m1, n1
            for i, j in anchors:
                pieces.append((x, i, y, j, depth + 1))
                pieces.append((i, i + 1, j, j + 1, -1))  # the anchor itself: one equal word
                x, y = i + 1, j + 1
            pieces.append((x, m2, y, n2, depth + 1))
            if tail:
                stack.append((m2, i2, n2, j2, -1))
            stack += reversed(pieces)
            return out
    return out + after


SMALL = 2_500  # words on one side times the other: under this difflib aligns a stretch directly
MAX_DEPTH = 6  # anchor splits within splits; past this a stretch without common ends is replaced whole


def _common(a: Sequence[str], b: Sequence[str], range_a: range, range_b: range) -> int:
    n = 0
    for i, j in zip(range_a, range_b, strict=False):
        if a[i] != b[j]:
            break
        n += 1
    return n


def _anchors(a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Words found exactly once in each stretch, the longest run of them in the same order on both sides
    (patience diff): O(n log n)."""
    import bisect

    once_a = _unique_positions(a, i1, i2)
    once_b = _unique_positions(b, j1, j2)
    common = sorted((i, once_b[w]) for w, i in once_a.items() if w in once_b)
    # the longest increasing run of b positions, by patience sorting
    tops: list[int] = []  # tops[k]: smallest b position ending an increasing run of length k+1
    top_index: list[int] = []
    back: list[int] = [-1] * len(common)
    for n, (_, j) in enumerate(common):
        k = bisect.bisect_left(tops, j)
        if k == len(tops):
            tops.append(j)
            top_index.append(n)
        else:
            tops[k] = j
            top_index[k] = n
        back[n] = top_index[k - 1] if k else -1
    chain = []
    n = top_index[-1] if top_index else -1
    while n >= 0:
        chain.append(common[n])
        n = back[n]
    return chain[::-1]


def _unique_positions(words: Sequence[str], start: int, end: int) -> dict[str, int]:
    seen: dict[str, int] = {}
    repeated = set()
    for n in range(start, end):
        word = words[n]
        if word in seen:
            repeated.add(word)
        else:
            seen[word] = n
    return {w: n for w, n in seen.items() if w not in repeated}


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Empty opcodes dropped; neighbours of one kind (equal, or any change) joined into one."""
    out: list[Opcode] = []
    for op, i1, i2, j1, j2 in ops:
        if i1 == i2 and j1 == j2:
            continue
        kind = "equal" if op == "equal" else "replace"
        if out and (out[-1][0] == "equal") == (kind == "equal"):
            last = out.pop()
            i1, j1 = last[1], last[3]
        out.append((kind, i1, i2, j1, j2))
    return [(_named(op, i1, i2, j1, j2), i1, i2, j1, j2) for op, i1, i2, j1, j2 in out]


def _named(op: str, i1: int, i2: int, j1: int, j2: int) -> str:
    if op == "equal":
        return op
    return "insert" if i1 == i2 else "delete" if j1 == j2 else "replace"
