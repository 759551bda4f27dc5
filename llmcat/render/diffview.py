"""`llmcat diff`'s human output as renderer-neutral lines of styled segments.

A `Line` is a list of (style, text) segments, text already escaped. The plain
writer joins them (word changes marked `[-old-]{+new+}` as git does); the rich
writer colours them. Both draw the same lines, so a pipe and a terminal agree.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llmcat.comparison.trees import ABSENT, Difference, Pair
from llmcat.render.document import transcript
from llmcat.render.escape import inline, visible
from llmcat.render.jsontext import compact_json, pretty_json

if TYPE_CHECKING:  # rich is imported only when drawing in colour; turns only when a pair has them
    from typing import BinaryIO

    from rich.console import Console

    from llmcat.render.turns import Earlier

Line = list  # [(style, text), ...]

# Strings under these keys are prose: always shown as a text diff, however short.
_PROSE = re.compile(r"(^|\.)(text|reasoning|refusal|prompt|message|content)$")
_LONG = 80
_CONTEXT = 2  # unchanged lines kept around a word-diff change


def pair_lines(pair: Pair, word_diff: bool, label_a: str | None = None, label_b: str | None = None,
               earlier: Earlier2 | None = None) -> list[Line]:
    """The full diff of one pair: headers, the chunking note, then each changed part (an agent's messages
    from the turns new since its call before, `earlier`)."""
    out: list[Line] = [[("header", "--- " + inline(label_a or pair.a or "/dev/null"))],
                       [("header", "+++ " + inline(label_b or pair.b or "/dev/null"))]]
    if pair.status in ("only-a", "only-b"):
        out.append([("muted", f"only in {pair.status[-1]}")])
        return out + _whole_call(pair)
    if pair.chunking:
        out.append([("muted", "note: " + pair.chunking)])
    if pair.status == "same":
        out.append([("muted", "same call")])
        return out
    for title, diffs in _sections(pair.differences).items():
        out.append([("section", "== " + inline(title))])
        out += _section_lines(title, diffs, pair, word_diff, earlier)
    return out


def _whole_call(pair: Pair) -> list[Line]:
    """A call present on one side only: its `show` view, every line marked removed or added."""
    from llmcat.render import plain as plain_view
    from llmcat.render.document import build

    call = pair.calls[0] or pair.calls[1]
    if call is None:
        return []
    sign, style = ("-", "del") if pair.calls[0] else ("+", "add")
    text = plain_view.render(build(call.recording, call.completion))  # already escaped
    return [[(style, sign + line)] for line in text.splitlines()]


# --- grouping differences into sections ---------------------------------------------------------------

_CHOICE = re.compile(r"^response\.choices\[(\d+)\](?:\.(.*))?$")


def _place(path: str) -> tuple[str, str]:
    """(section title, label within the section) of a difference path."""
    head, _, rest = path.partition(".")
    if head == "request":
        key, _, below = rest.partition(".")
        if key == "params":
            if below == "tools" or below.startswith(("tools.", "tools[")):
                return "tools offered", below
            return "params", below
        if key.startswith("transcript"):
            return "messages", rest
        if key.startswith(("messages", "prompt")):
            return key.split("[")[0], rest
        return "call", rest
    if head.startswith("response"):
        match = _CHOICE.match(path)
        if match:
            return f"choice {match.group(1)}", match.group(2) or "choice"
        key, _, below = rest.partition(".")
        if key in ("api", "status"):
            return "call", key
        if key in ("streaming", "chunks"):
            return "chunking", key
        title = {"details": "result"}.get(key.split("[")[0], key.split("[")[0])
        return title, below or key
    return "raw JSON" if head.startswith("raw") else head, path


_SECTION_ORDER = ("call", "params", "tools offered", "prompt", "messages", "choice", "usage", "error", "result", "timing", "chunking")


def _sections(differences: list[Difference]) -> dict[str, list[tuple[str, Difference]]]:
    """Differences by section, sections in reading order: what was asked, then what was answered."""
    sections: dict[str, list[tuple[str, Difference]]] = {}
    for diff in differences:
        title, label = _place(diff.path)
        sections.setdefault(title, []).append((label, diff))

    def rank(title: str) -> tuple[int, int]:
        head, _, number = title.partition(" ")
        key = "choice" if head == "choice" else title
        order = _SECTION_ORDER.index(key) if key in _SECTION_ORDER else len(_SECTION_ORDER)
        return order, int(number) if key == "choice" and number.isdigit() else 0

    return {title: sections[title] for title in sorted(sections, key=rank)}


def _section_lines(title: str, diffs: list[tuple[str, Difference]], pair: Pair, word_diff: bool,
                   earlier: Earlier2 | None = None) -> list[Line]:
    tree_a, tree_b = pair.trees or (None, None)  # both only for a changed pair; one alone is a pair on one side only
    if tree_a is not None and tree_b is not None and title == "messages":
        skip_a, skip_b = (earlier[0].blocks, earlier[1].blocks) if earlier else (0, 0)
        a, b = _messages_text(tree_a["request"], skip_a), _messages_text(tree_b["request"], skip_b)
        lead = _earlier_lines(earlier, pair, a == b) if earlier else []
        if a != b or lead:
            return lead + (text_diff(a, b, word_diff) if a != b else [])
    if tree_a is not None and tree_b is not None and title == "tools offered":
        a, b = _tool_names(tree_a["request"]["params"].get("tools")), _tool_names(tree_b["request"]["params"].get("tools"))
        if a != b:
            return text_diff(a, b, word_diff=False)
    out: list[Line] = []
    for label, diff in diffs:
        out += _difference_lines(label, diff, word_diff)
    return out


def _messages_text(request: dict, skip: int = 0) -> str:
    """The role-labelled transcript (the normalised one for chat calls), as `show` draws it; from block `skip` on."""
    if isinstance(request.get("transcript"), list) and request.get("messages") is None:
        from llmcat.reading.shape import block_from_dict
        from llmcat.render.conversation import transcript_text

        return transcript_text([block_from_dict(b) for b in request["transcript"][skip:]])
    messages = request.get("messages")
    if isinstance(messages, list):
        return transcript(messages)
    return "" if messages is None else pretty_json(messages)


Earlier2 = tuple  # (Earlier, Earlier): what each side's call repeats of its call before


class PairTurns:
    """Each side's calls seen so far, by file: a pair of calls that both continue their file's call
    before is compared from the turns new since then (the earlier ones were compared with it)."""

    def __init__(self) -> None:
        from llmcat.render.turns import Turns

        self.sides = (Turns(), Turns())

    def of(self, pair: Pair) -> Earlier2 | None:
        if pair.trees is None or pair.trees[0] is None or pair.trees[1] is None:
            return None
        found = [self._side(n, label, tree) for n, (label, tree) in enumerate(zip((pair.a, pair.b), pair.trees, strict=True))]
        if any(e is None or e.departs is not None for e in found):
            return None
        return tuple(found)

    def of_all(self, pairs: list[Pair]) -> dict[int, Earlier2]:
        """Every pair's, seen in the order of the calls in their files (a tree's report lists them otherwise)."""
        ordered = sorted(pairs, key=lambda p: _call_order(p.a or p.b or ""))
        return {id(pair): found for pair in ordered if (found := self.of(pair)) is not None}

    def _side(self, n: int, label: str | None, tree: dict | None) -> Earlier | None:
        from llmcat.model import Transcript
        from llmcat.reading.shape import block_from_dict

        request = tree.get("request") if isinstance(tree, dict) else None
        blocks = request.get("transcript") if isinstance(request, dict) else None
        if not label or not isinstance(blocks, list):
            return None
        source, _, number = label.rpartition("#")
        key = "file:" + source if source and number.isdigit() else None
        return self.sides[n].earlier(key, label, Transcript([block_from_dict(b) for b in blocks]), [])


def _call_order(label: str) -> tuple[str, int]:
    source, _, number = label.rpartition("#")
    return (source, int(number)) if source and number.isdigit() else (label, 0)


def _earlier_lines(earlier: Earlier2, pair: Pair, same_new: bool) -> list[Line]:
    """`… 9 earlier turns, as in #4` (each side's, when they differ); where the new turns are the same,
    the difference is in the earlier ones, shown with the call that sent them first."""

    def said(found: Earlier, label: str | None) -> str:
        source = (label or "").rpartition("#")[0]
        name = found.label[len(source):] if source and found.label.startswith(source + "#") else found.label
        return f"{found.turns} earlier turn{'s' if found.turns != 1 else ''}, as in {inline(name)}"

    a, b = said(earlier[0], pair.a), said(earlier[1], pair.b)
    return [[("muted", "… " + (a if a == b else f"{a} | {b}") + ("; the new turns are the same" if same_new else ""))]]


def _tool_names(tools: Any) -> str:
    from llmcat.render.document import tool_names as names

    return "\n".join(names(tools)) if tools else ""


# --- one difference -----------------------------------------------------------------------------------------


def difference_lines(label: str, diff: Difference, word_diff: bool) -> list[Line]:
    """One difference under its label: a value and its replacement, or a text diff of prose and blocks."""
    return _difference_lines(label, diff, word_diff)


def _difference_lines(label: str, diff: Difference, word_diff: bool) -> list[Line]:
    a, b = diff.a, diff.b
    label = inline(label)
    if _is_block(label, a) or _is_block(label, b):
        lines: list[Line] = [[("label", label + ":")]]
        if isinstance(a, str) and isinstance(b, str):
            return lines + text_diff(a, b, word_diff)
        return lines + text_diff(_block_text(a), _block_text(b), word_diff=False)
    if a is ABSENT:
        return [[("label", label + ": "), ("add", "added " + _scalar(b))]]
    if b is ABSENT:
        return [[("label", label + ": "), ("del", "removed " + _scalar(a))]]
    return [[("label", label + ": "), ("del", _scalar(a)), ("", " → "), ("add", _scalar(b))]]


def _is_block(label: str, value: Any) -> bool:
    if isinstance(value, (dict, list)):
        return True
    if isinstance(value, str):
        return bool(_PROSE.search(label)) or "\n" in value or len(value) > _LONG
    return False


def _block_text(value: Any) -> str:
    if value is ABSENT or value is None:
        return ""
    return value if isinstance(value, str) else pretty_json(value)


def _scalar(value: Any) -> str:
    try:
        return inline(compact_json(value) if not isinstance(value, str) else compact_json([value])[1:-1])
    except (TypeError, ValueError):
        return inline(repr(value))


# --- text diffs ---------------------------------------------------------------------------------------------


def text_diff(a: str, b: str, word_diff: bool, file_text: bool = False) -> list[Line]:
    """A unified diff of two texts (or a word diff). A file's final newline ends its last line;
    a model's final newline is part of what it said, so it shows as an empty line."""
    if word_diff:
        return _word_diff(a, b)
    out: list[Line] = []
    split = (lambda t: visible(t).splitlines()) if file_text else (lambda t: visible(t).split("\n") if t else [])
    lines_a, lines_b = split(a), split(b)
    for line in list(difflib.unified_diff(lines_a, lines_b, lineterm="", n=3))[2:]:
        style = {"@": "hunk", "-": "del", "+": "add"}.get(line[:1], "")
        out.append([(style, line)])
    return out


def _word_diff(a: str, b: str) -> list[Line]:
    """Changed words inline, like `git diff --word-diff`: each run of changed words one removed/added
    pair (textdiff); unchanged lines far from a change are left out."""
    from llmcat.comparison.words import word_segments

    styles = {"del": "del-word", "add": "add-word"}
    segments = [(styles.get(style, ""), text) for style, text in word_segments(visible(a), visible(b))]
    if a != b and not any(style for style, _ in segments):
        return [[("muted", "(only whitespace changed)")]]
    return _keep_near_changes(_split_lines(segments))


def _split_lines(segments: Iterable[tuple[str, str]]) -> list[Line]:
    lines: list[Line] = [[]]
    for style, text in segments:
        for n, piece in enumerate(text.split("\n")):
            if n:
                lines.append([])
            if piece:
                lines[-1].append((style, piece))
    return lines


def _keep_near_changes(lines: list[Line]) -> list[Line]:
    changed = [n for n, line in enumerate(lines) if any(style for style, _ in line)]
    keep = {k for n in changed for k in range(n - _CONTEXT, n + _CONTEXT + 1)}
    out: list[Line] = []
    skipped = False
    for n, line in enumerate(lines):
        if n in keep:
            if skipped and out:
                out.append([("hunk", "…")])
            out.append(line)
            skipped = False
        else:
            skipped = True
    return out


# --- writers ----------------------------------------------------------------------------------------------------

_MARKERS = {"del-word": ("[-", "-]"), "add-word": ("{+", "+}")}


def plain(lines: Iterable[Line]) -> str:
    out = []
    for line in lines:
        text = ""
        for style, piece in line:
            before, after = _MARKERS.get(style, ("", ""))
            text += before + piece + after
        out.append(text + "\n")
    return "".join(out)


_STYLES = {
    "header": "bold", "section": "bold magenta", "label": "cyan", "hunk": "cyan", "muted": "dim",
    "del": "red", "add": "green",
    # background, as git's word diff in colour: a removed run and the added one after it never run together
    "del-word": "bright_white on red", "add-word": "black on green",
    "same": "dim", "changed": "yellow", "renamed": "blue", "only-a": "red", "only-b": "green", "error": "bold red",
    "model": "cyan",
}


def draw(lines: Iterable[Line], console: Console) -> None:
    """Colour for a terminal; recorded text reaches rich only inside `Text` (no markup, no emoji codes)."""
    from rich.text import Text

    for line in lines:
        text = Text()
        for style, piece in line:
            text.append(piece, style=_STYLES.get(style, ""))
        console.print(text)


def write(lines: list[Line], out: BinaryIO, console: Console | None) -> None:
    """`lines` drawn in colour on `console` (after what `out` holds so far), or without one as plain text to `out`."""
    if console is not None:
        out.flush()
        draw(lines, console)
    else:
        out.write(plain(lines).encode("utf-8", "backslashreplace"))
