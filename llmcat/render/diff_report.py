"""What `diff` says about each compared pair: JSON Lines, rows, `--stat`, `--name-status`, full diffs, or nothing (-q).

The command (llmcat/commands/diff.py) hands over pairs; this decides what each output mode
says about them and draws it, in colour or plain, on the run's `Output`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec import Struct

from llmcat.comparison.trees import ABSENT, Pair
from llmcat.render import diffrows, diffview
from llmcat.render.escape import inline
from llmcat.render.mask import mask_in, mask_tree

if TYPE_CHECKING:
    from llmcat.render.output import Output


class Report(Struct):
    """What to say about the pairs (where it goes and in what colour is the `Output`'s business)."""

    as_json: bool = False
    stat: bool = False
    name_status: bool = False
    verbose: bool = False
    quiet: bool = False
    word_diff: bool = False
    all: bool = False  # list unchanged pairs of a tree too


class DiffWriter:
    """Where each pair's report goes."""

    def __init__(self, report: Report, output: Output) -> None:
        self.report = report
        self.turns = diffview.PairTurns()  # an agent's calls: each pair's messages compared from its new turns
        self.out = output.stdout
        self.console = None
        if output.color and not report.quiet and not report.as_json and not report.name_status:
            self.console = output.console()

    # --- two files, or one pair git handed over ---------------------------------------------------------------

    def pair(self, pair: Pair, label_a: str | None = None, label_b: str | None = None, git: bool = False) -> None:
        report = self.report
        if report.quiet:
            return
        if report.as_json:
            self._json(pair)
        elif report.name_status:
            self._draw(diffrows.name_status_lines([pair]))
        elif report.stat:
            self._draw(diffrows.stat_lines([pair]), _secrets_of([pair]))
        elif pair.status == "error":
            return  # errors go to stderr
        else:
            earlier = self.turns.of(pair)
            if not git and pair.status == "same" and not pair.chunking:
                return  # like diff(1), nothing to say about equal files
            self._draw(diffview.pair_lines(pair, report.word_diff, label_a, label_b, earlier), _secrets_of([pair]))

    def fallback(self, label_a: str, text_a: str, label_b: str, text_b: str, pair: Pair) -> None:
        """git handed over a file that is not a recording: a plain text diff, as git would print."""
        if self.report.quiet:
            return
        if self.report.as_json:
            self._json(pair)
            return
        reason = inline(pair.reason or "?")
        said = reason if reason.startswith("not a recording") else f"not a recording ({reason})"  # (said once)
        lines = [[("header", "--- " + inline(label_a))], [("header", "+++ " + inline(label_b))],
                 [("muted", f"note: {said}; compared as text")]]
        self._draw(lines + diffview.text_diff(text_a, text_b, self.report.word_diff, file_text=True))

    # --- two trees -----------------------------------------------------------------------------------------

    def tree(self, pairs: list[Pair]) -> None:
        """Rows for what changed (every pair with --all), or --stat's or --name-status' lines; then the totals."""
        report = self.report
        if report.quiet:
            return
        if report.as_json:
            for pair in pairs:
                self._json(pair)
            return
        if report.name_status:
            self._draw(diffrows.name_status_lines(pairs, report.all))
            return
        if report.stat:
            self._draw(diffrows.stat_lines(pairs), _secrets_of(pairs))
        else:
            earlier = self.turns.of_all(pairs) if report.verbose else {}
            width = self.console.width if self.console is not None else None
            for pair in sorted(pairs, key=lambda p: _ROW_ORDER.get(p.status, 1)):  # what changed, what came or went, the same
                if report.all or diffrows.shown(pair):
                    lines = [diffrows.row(pair) if width is None else diffrows.fitted(diffrows.row(pair), width)]
                    if report.verbose and pair.status == "changed":
                        lines += diffview.pair_lines(pair, report.word_diff, earlier=earlier.get(id(pair)))
                    self._draw(lines, _secrets_of([pair]))
        self.totals(pairs)

    def totals(self, pairs: list[Pair]) -> None:
        if not (self.report.quiet or self.report.as_json or self.report.name_status):
            self._draw([diffrows.totals_line(pairs)])

    # --- drawing --------------------------------------------------------------------------------------------

    def _json(self, pair: Pair) -> None:
        from llmcat.render.machine import dumps_line

        differences = [{"path": d.path, "a": None if d.a is ABSENT else d.a, "b": None if d.b is ABSENT else d.b}
                       for d in pair.differences]
        row = {"a": pair.a, "b": pair.b, "status": pair.status, "renamed": pair.renamed_to is not None, "differences": differences}
        self.out.write(dumps_line(mask_tree(row, _secrets_of([pair]))))

    def _draw(self, lines: list, secrets: list[str] | None = None) -> None:
        from llmcat.render.payloads import summarized

        if secrets:  # a credential recorded in either call is never printed whole
            lines = [[(style, mask_in(text, secrets)) for style, text in line] for line in lines]
        # A base64 image or upload is one line here too (its ending tells two apart); --json keeps it whole.
        lines = [[(style, summarized(text, distinct=True)) for style, text in line] for line in lines]
        diffview.write(lines, self.out, self.console)

    def flush(self) -> None:
        self.out.flush()


_ROW_ORDER = {"changed": 0, "same": 2}  # only-a, only-b and error between


def _secrets_of(pairs: list[Pair]) -> list[str]:
    from llmcat.validation.secrets import secret_values

    found: set[str] = set()
    for pair in pairs:
        found.update(pair.secrets)  # found where the files were read (a suite's calls stay in the readers)
        for call in pair.calls:
            if call is not None:
                found |= secret_values(call.recording)
    return sorted(found)
