"""What `diff` says about each compared pair: JSON Lines, status lines, full diffs, or nothing (-q)."""

from __future__ import annotations

from msgspec import Struct
from typing import TYPE_CHECKING

from llmcat.compare import ABSENT, Pair
from llmcat.render import diffview
from llmcat.render.mask import mask_in, mask_tree

if TYPE_CHECKING:
    from llmcat.render.output import Output


class Report(Struct):
    """What to say about the pairs (where it goes and in what colour is the `Output`'s business)."""

    as_json: bool = False
    stat: bool = False
    verbose: bool = False
    quiet: bool = False
    word_diff: bool = False


class DiffWriter:
    """Where each pair's report goes: JSON Lines, status lines, full diffs, or nothing (-q)."""

    def __init__(self, report: Report, output: Output) -> None:
        self.report = report
        self.out = output.stdout
        self.console = None
        if output.color and not report.quiet and not report.as_json:
            self.console = output.console()

    def pair(self, pair: Pair, mode: str, label_a: str | None, label_b: str | None) -> None:
        report = self.report
        if report.quiet or (report.stat and not report.as_json):
            return
        secrets = _secrets_of(pair)  # a credential recorded in either call is never printed whole
        if report.as_json:
            self._json(pair, secrets)
            return
        if mode == "directories":
            lines = [diffview.status_line(pair)]
            if report.verbose and pair.status == "changed":
                lines += diffview.pair_lines(pair, report.word_diff)
        elif pair.status == "error" or (mode == "files" and pair.status == "same" and not pair.chunking):
            return  # errors go to stderr; like diff(1), nothing to say about equal files
        else:
            lines = diffview.pair_lines(pair, report.word_diff, label_a, label_b)
        if secrets:
            lines = [[(style, mask_in(text, secrets)) for style, text in line] for line in lines]
        self._draw(lines)

    def totals(self, pairs: list[Pair]) -> None:
        if self.report.quiet or self.report.as_json:
            return
        self._draw([diffview.totals_line(pairs)])

    def fallback(self, label_a: str, path_a: str, label_b: str, path_b: str, pair: Pair) -> None:
        """git handed over a file that is not a recording: a plain text diff, as git would print."""
        if self.report.quiet:
            return
        if self.report.as_json:
            self._json(pair)
            return
        a, b = (_text_of(p) for p in (path_a, path_b))
        lines = [[("header", "--- " + diffview.inline(label_a))], [("header", "+++ " + diffview.inline(label_b))],
                 [("muted", f"note: not a recording ({diffview.inline(pair.reason or '?')}); compared as text")]]
        self._draw(lines + diffview.text_diff(a, b, self.report.word_diff, file_text=True))

    def _json(self, pair: Pair, secrets: list[str] | None = None) -> None:
        from llmcat.render.machine import dumps_line

        differences = [{"path": d.path, "a": None if d.a is ABSENT else d.a, "b": None if d.b is ABSENT else d.b}
                       for d in pair.differences]
        self.out.write(dumps_line(mask_tree({"a": pair.a, "b": pair.b, "status": pair.status, "differences": differences},
                                            secrets or [])))

    def _draw(self, lines: list) -> None:
        if self.console is not None:
            self.out.flush()
            diffview.draw(lines, self.console)
        else:
            self.out.write(diffview.plain(lines).encode("utf-8", "backslashreplace"))

    def flush(self) -> None:
        self.out.flush()


def _secrets_of(pair: Pair) -> list[str]:
    from llmcat.secrets import secret_values

    found: set[str] = set()
    for call in pair.calls:
        if call is not None:
            found |= secret_values(call.recording)
    return sorted(found)


def _text_of(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
