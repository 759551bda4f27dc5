"""What `explain` says about each request: one JSON line, or a few lines for people.

The engine (llmcat/comparison/explain.py) hands over one `Explained` per request; this decides
what is said of it and draws it, through diffview's lines (plain in a pipe, rich on a terminal).
A credential recorded in the request or a candidate is never printed whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmcat.comparison.trees import ABSENT
from llmcat.render import diffview
from llmcat.render.escape import inline
from llmcat.render.mask import mask_in, mask_tree

if TYPE_CHECKING:
    from llmcat.comparison.asked import Asked
    from llmcat.comparison.explain import Candidate, Explained
    from llmcat.comparison.matchers import Verdict
    from llmcat.render.output import Output

_WHAT_A_FORM_LACKS = {"method": "the method", "url": "the URL", "body": "the body", "headers": "the headers"}


class ExplainWriter:
    def __init__(self, output: Output, as_json: bool) -> None:
        self.out = output.stdout
        self.as_json = as_json
        self.console = output.console() if output.color and not as_json else None

    def write(self, explained: Explained) -> None:
        secrets = _secrets(explained)
        if self.as_json:
            from llmcat.render.machine import dumps_line

            self.out.write(dumps_line(mask_tree(json_record(explained), secrets)))
            return
        lines = [[(style, mask_in(text, secrets)) for style, text in line] for line in explained_lines(explained)]
        diffview.write(lines, self.out, self.console)

    def flush(self) -> None:
        self.out.flush()


def _secrets(explained: Explained) -> list[str]:
    from llmcat.validation.secrets import secret_values

    found = set(secret_values(explained.asked.recording))
    for candidate in explained.candidates:
        if candidate.recording is not None:
            found |= secret_values(candidate.recording)
    return sorted(found)


# --- JSON -------------------------------------------------------------------------------------------------


def json_record(explained: Explained) -> dict[str, Any]:
    asked = explained.asked
    return {
        "request": asked.label,
        "from": asked.origin,
        "missing": list(asked.missing),
        "exact": explained.exact,
        "occurrence": explained.occurrence,
        "used_up": explained.used_up,
        "searched": explained.searched,
        "candidates": [_json_candidate(c) for c in explained.candidates],
    }


def _json_candidate(candidate: Candidate) -> dict[str, Any]:
    judged = candidate.verdict
    out: dict[str, Any] = {
        "source": candidate.source,
        "interaction": candidate.interaction,
        "format": candidate.format,
        "recorder": judged.recorder if judged else None,
        "score": round(candidate.score, 4),
        "exact": candidate.exact,
        "matches": dict(judged.rules) if judged else {},
        "default_rules": list(judged.defaults) if judged else [],
        "replayed": judged.replayed if judged else None,
        "differences": [{"path": d.path, "a": None if d.a is ABSENT else d.a, "b": None if d.b is ABSENT else d.b}
                        for d in candidate.differences],
        "volatile_only": candidate.volatile_only,
    }
    if judged is not None and judged.hashes is not None:
        out["hash"] = judged.hashes
    if candidate.copies is not None:
        out["copies"] = candidate.copies
    if judged is not None and judged.notes:
        out["notes"] = judged.notes
    return out


# --- for people ---------------------------------------------------------------------------------------------


def explained_lines(explained: Explained) -> list[list[tuple[str, str]]]:
    asked = explained.asked
    out: list[list[tuple[str, str]]] = [[("header", "request " + inline(asked.label))]]
    out.append([("muted", "  " + _what_was_asked(asked))])
    if asked.missing:
        named = [_WHAT_A_FORM_LACKS.get(m, m) for m in asked.missing]
        lacks = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        out.append([("muted", f"  ({asked.origin}: {lacks} not given; rules that need them are not judged)")])
    if asked.cassette:
        out.append([("muted", "  cassette named: " + inline(asked.cassette))])
    if not explained.candidates:
        out.append([("error", f"no recorded call to compare with ({explained.searched} searched)")])
        return out + [[]]
    exact = next((c for c in explained.candidates if c.exact), None)
    if exact is not None and explained.used_up and exact.verdict is not None:
        out.append([("changed", "no recording left: "), ("", inline(exact.label)),
                    ("muted", f" matches exactly, but this is the {_ordinal(explained.occurrence)} time the request is asked,"
                              f" and {exact.copies} recording{'s' if exact.copies != 1 else ''} of the file"
                              f" answer{'s' if exact.copies == 1 else ''} it"
                              f" ({exact.verdict.recorder} replays each once)")])
    elif exact is not None:
        out.append([("same", "exact match: "), ("", inline(exact.label))] + _copies_note(exact))
    else:
        count = len(explained.candidates)
        out.append([("changed", f"no exact match: the {count} nearest of {explained.searched} recorded calls")])
    for n, candidate in enumerate(explained.candidates, 1):
        out += _candidate_lines(n, candidate)
    return out + [[]]


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _what_was_asked(asked: Asked) -> str:
    request = asked.recording.request
    parts = [request.method or "?", request.url or request.endpoint or "?"]
    if request.model:
        parts.append(request.model)
    if asked.given_hash:
        parts.append("hash " + asked.given_hash)
    return inline("  ".join(parts))


def _copies_note(candidate: Candidate) -> list[tuple[str, str]]:
    if candidate.copies is None or candidate.verdict is None:
        return []
    count = f"{candidate.copies} recordings of the file answer" if candidate.copies != 1 else "1 recording of the file answers"
    recorder = candidate.verdict.recorder
    return [("muted", f" ({count} it by {recorder}'s default rules; it replays each once)")]


def _candidate_lines(n: int, candidate: Candidate) -> list[list[tuple[str, str]]]:
    judged = candidate.verdict
    recorder = judged.recorder if judged else candidate.format
    out = [[("label", f"{n}. "), ("", inline(candidate.label)), ("muted", f"  {recorder}  {candidate.score:.0%} alike")]]
    if judged is None:
        out.append([("muted", f"   no replay rules known for {inline(candidate.format)} recordings")])
    else:
        out.append(_rules_line(judged))
        if judged.hashes is not None:
            out.append(_hash_line(judged.hashes))
        out += [[("muted", "   note: " + inline(note))] for note in judged.notes]
        if judged.replayed and candidate.differences:
            out.append([("muted", f"   {judged.recorder}'s default rules pass: it would replay this recording")])
    if candidate.exact:
        return out
    if not candidate.differences:
        out.append([("muted", "   the request is the same as recorded")])
        return out
    if candidate.volatile_only:
        out.append([("muted", "   only ids differ (what diff ignores as volatile):")])
    shown = candidate.differences[:_MOST_DIFFERENCES]
    for difference in shown:
        label = difference.path.removeprefix("request.")
        lines = diffview.difference_lines(label, difference, word_diff=True)
        if len(lines) > _MOST_LINES:
            lines = lines[:_MOST_LINES] + [[("muted", f"… {len(lines) - _MOST_LINES} more lines")]]
        out += [[("", "   ")] + line for line in lines]
    if len(candidate.differences) > len(shown):
        out.append([("muted", f"   … and {len(candidate.differences) - len(shown)} more differences (--json lists them all)")])
    return out


_MOST_DIFFERENCES = 12  # per candidate, for people: the nearest rarely has more; a far one is not read to the end
_MOST_LINES = 24  # per difference (a whole tool or message added)


_MARKS = {True: ("add", "✓"), False: ("error", "✗"), None: ("muted", "?")}


def _rules_line(judged: Verdict) -> list[tuple[str, str]]:
    line: list[tuple[str, str]] = [("muted", "   rules ")]
    for rule, passed in judged.rules.items():
        style, mark = _MARKS[passed]
        optional = "" if rule in judged.defaults else "*"
        line += [("", f" {rule}{optional} "), (style, mark)]
    if any(rule not in judged.defaults for rule in judged.rules):
        line.append(("muted", "   (* only where configured)"))
    return line


def _hash_line(hashes: dict) -> list[tuple[str, str]]:
    request = hashes.get("request") or "?"
    given = f" (the recorder's message: {hashes['given']})" if hashes.get("given") else ""
    return [("muted", f"   request hash {inline(request)}{inline(given)} [{inline(str(hashes.get('scheme')))}]"),
            ("muted", f" · recording {inline(hashes.get('recording') or '?')}")]
