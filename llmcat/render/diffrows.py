"""A tree diff's short forms: one row per pair, `--stat`, `--name-status`, the totals.

Rows name the call (its test id, else its path, `path#N` for one call of several, and
the start of what was asked) and its model, and say what changed in numbers (`diffsummary`); a pair found under
another name (`renamed`) shows both paths. Lines are lists of (style, text) as in
`diffview`, recorded text escaped.
"""

from __future__ import annotations

from llmcat.comparison.summary import asked, model, name, test_id, what_changed
from llmcat.comparison.trees import Pair
from llmcat.render.escape import inline

Line = list  # [(style, text), ...]

STATUSES = ("same", "changed", "only-a", "only-b", "error")


def shown(pair: Pair) -> bool:
    """Is the pair worth a row without --all: anything but the same call (renamed or not)?"""
    return pair.status != "same"


def row_status(pair: Pair) -> str:
    return "renamed" if pair.renamed_to is not None and pair.status in ("same", "changed") else pair.status


def paths(pair: Pair) -> str:
    """The pair's path, or both of its paths when it was found under another name."""
    return pair.label if pair.renamed_to is None else f"{pair.label} → {pair.renamed_to}"


def row(pair: Pair) -> Line:
    status = row_status(pair)
    line: Line = [(status, f"{status:<9}"), ("", inline(test_id(pair) or paths(pair)))]
    if pair.status == "error":
        return line + [("muted", f": {inline(pair.reason or '?')}")]
    called = model(pair)
    if called:
        line.append(("model", "  " + inline(called)))
    if pair.status == "changed":
        line.append(("muted", f"  ({inline(', '.join(what_changed(pair)))})"))
    elif pair.chunking:
        line.append(("muted", "  (chunked differently)"))
    elif status == "renamed":
        line.append(("muted", "  (same)"))
    if test_id(pair):
        line.append(("muted", "  " + inline(paths(pair))))
    elif asked(pair):  # no test id: the path may be a hash; what was asked says which call it is
        line.append(("muted", f"  “{inline(asked(pair) or '')}”"))
    return line


def fitted(line: Line, width: int, least: int = 8) -> Line:
    """A row in `width` columns, never wrapped: its longest parts lose their middles (each keeps `least`)."""
    from llmcat.render.suite_view import ELLIPSIS, clip_middle

    parts = [[style, text] for style, text in line]
    excess = sum(len(text) for _, text in parts) - width
    while excess > 0:
        longest = max(parts[1:], key=lambda part: len(part[1].strip()), default=None)
        if longest is None or len(longest[1].strip()) <= least:
            break
        lead = longest[1][: len(longest[1]) - len(longest[1].lstrip())]
        body = longest[1][len(lead):]
        keep = max(least, len(body) - excess, len(body) // 2)
        longest[1] = lead + clip_middle(body, keep, ELLIPSIS)
        excess -= len(body) - keep
    return [(style, text) for style, text in parts]


def stat_lines(pairs: list[Pair]) -> list[Line]:
    """One line per pair that is not the same call, as `git diff --stat`: name | what changed."""
    listed = [p for p in pairs if shown(p)]
    names = [inline(name(p) if p.renamed_to is None or test_id(p) else paths(p)) for p in listed]
    width = max((len(n) for n in names), default=0)
    out: list[Line] = []
    for pair, shown_name in zip(listed, names, strict=True):
        out.append([("", f" {shown_name:<{width}} | "), (row_status(pair), _stat_what(pair))])
    return out


def _stat_what(pair: Pair) -> str:
    if pair.status == "error":
        return "error: " + inline(pair.reason or "?")
    if pair.status in ("only-a", "only-b"):
        return f"only in {pair.status[-1]}"
    what = inline(", ".join(what_changed(pair)))
    return f"renamed, {what}" if pair.renamed_to is not None else what


_LETTERS = {"changed": "M", "only-a": "D", "only-b": "A"}


def name_status_lines(pairs: list[Pair], everything: bool = False) -> list[Line]:
    """`M path`, `R old new`, `A path`, `D path`, tab-separated as git prints them (errors go to stderr)."""
    out: list[Line] = []
    for pair in pairs:
        if pair.status == "error" or (pair.status == "same" and not everything):
            continue
        if pair.renamed_to is not None:
            out.append([("renamed", "R"), ("", f"\t{inline(pair.label)}\t{inline(pair.renamed_to)}")])
        elif pair.status in _LETTERS:
            out.append([(pair.status, _LETTERS[pair.status]), ("", "\t" + inline(pair.label))])
        else:
            out.append([("same", " "), ("", "\t" + inline(pair.label))])
    return out


def totals_line(pairs: list[Pair]) -> Line:
    counts = {status: 0 for status in STATUSES}
    for pair in pairs:
        counts[pair.status] += 1
    text = ", ".join(f"{n} {status}" for status, n in counts.items())
    renamed = sum(1 for p in pairs if p.renamed_to is not None)
    if renamed:
        text += f" ({renamed} renamed)"
    return [("header", text)]
