"""`ls` rows and `stats` totals: tab-separated or plain text for pipes, rich tables for terminals.

Every recorded string (paths, models, test ids, finish reasons) is escaped with `inline`
here, so a tab or newline in one cannot break a TSV row and no control byte reaches a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from llmcat.render.escape import inline
from llmcat.rows import Row

COLUMNS = ("path", "api", "model", "streamed", "chunks", "finish", "prompt_tokens", "completion_tokens", "test_id")
TEST_ID_WIDTH = 48


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return inline(str(value))


def row_cells(row: Row) -> list[str]:
    return [_text(v) for v in (row.label, row.api, row.model, row.streaming, row.chunks, row.finish_reason,
                               row.prompt_tokens, row.completion_tokens, row.test_id)]


def tsv(rows: Iterable[Row]) -> Iterable[bytes]:
    yield ("\t".join(COLUMNS) + "\n").encode()
    for row in rows:
        yield ("\t".join(row_cells(row)) + "\n").encode("utf-8", "backslashreplace")


def short_test_id(test_id: str, width: int = TEST_ID_WIDTH) -> str:
    """`tests/integration/x/test_y.py::test_z[params]` as `x/test_y.py::test_z[par…]`, for a terminal."""
    test_id = test_id.removeprefix("tests/integration/").removeprefix("tests/")
    return test_id if len(test_id) <= width else test_id[: width - 1] + "…"


def ls_table(rows: list[Row], file, width: int) -> None:
    from rich.table import Table
    from rich.text import Text

    from llmcat.render.rich_view import make_console

    console = make_console(file, force_terminal=False, width=width)
    cells = []
    for row in rows:
        line = row_cells(row)
        if row.test_id:
            line[-1] = short_test_id(line[-1])
        # No cell is shown wider than the terminal: clipped here, a 10 MB model name costs
        # nothing to fit (fitting takes off a column at a time).
        cells.append([_clip_left(line[0], console.width)] + [_clip_right(cell, console.width) for cell in line[1:]])
    shown, widths = _fit(cells, console.width)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for i in shown:
        name = COLUMNS[i]
        numeric = name in ("chunks", "prompt_tokens", "completion_tokens")
        table.add_column(_header(name), justify="right" if numeric else "left", no_wrap=True, overflow="ellipsis",
                         min_width=len(_header(name)))
    for row, line in zip(rows, cells):
        line[0] = _clip_left(line[0], widths[0])  # the path keeps its end: file name and #N
        for i in _SHRINKABLE:
            line[i] = _clip_right(line[i], widths[i])
        style = "red" if row.failed else ""
        table.add_row(*(Text(line[i], style=style) for i in shown))
    console.print(table, crop=False)


_SHRINKABLE = (COLUMNS.index("model"), COLUMNS.index("test_id"))  # long names that can give way first
_DROPPABLE = (COLUMNS.index("test_id"), COLUMNS.index("streamed"), COLUMNS.index("model"))  # then whole columns, in this order
_GAP = 2  # rich's padding between columns


def _fit(cells: list[list[str]], width: int, path_share: int = 32, least: int = 12) -> tuple[list[int], list[int]]:
    """The columns to show and every column's width, to fit `width`: model and test id shrink first
    (down to `least`) until the path has `path_share` columns; on a narrower terminal test id,
    streamed and model are left out, in that order; then the path takes what is left."""
    widths = [max([len(_header(name))] + [len(line[i]) for line in cells]) for i, name in enumerate(COLUMNS)]
    shown = list(range(len(COLUMNS)))

    def others() -> int:  # what the columns besides the path take, gaps included
        return sum(widths[i] + _GAP for i in shown[1:])

    while others() + min(widths[0], path_share) > width:
        shrinkable = [i for i in _SHRINKABLE if i in shown and widths[i] > least]
        if shrinkable:
            widths[max(shrinkable, key=lambda i: widths[i])] -= 1
            continue
        droppable = [i for i in _DROPPABLE if i in shown]
        if not droppable:
            break
        shown.remove(droppable[0])
    widths[0] = max(least, min(widths[0], width - others()))
    return shown, widths


def _clip_left(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


def _clip_right(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _header(name: str) -> str:
    return name.replace("_tokens", "")


# --- stats -------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _summary_lines(totals: dict) -> list[tuple[str, str]]:
    return [
        ("recordings", str(totals["recordings"])),
        ("calls", str(totals["calls"])),
        ("streamed", f"{totals['streamed']} ({_share(totals['streamed'], totals['calls'])})"),
        ("failed", f"{totals['failed']} ({_share(totals['failed'], totals['calls'])})"),
        ("prompt tokens", str(totals["prompt_tokens"])),
        ("completion tokens", str(totals["completion_tokens"])),
        ("bytes on disk", str(totals["bytes"])),
    ]


_BREAKDOWNS = (("by_api", "api"), ("by_model", "model"), ("by_host", "host"))


def stats_plain(totals: dict) -> str:
    out = []
    width = max(len(k) for k, _ in _summary_lines(totals))
    out += [f"{k + ':':<{width + 1}} {v}" for k, v in _summary_lines(totals)]
    for key, title in _BREAKDOWNS:
        table = totals[key]
        out.append("")
        names = [inline(name) for name in table]
        w = max([len(title)] + [len(n) for n in names])
        out.append(f"{title:<{w}}  {'calls':>7}  {'prompt':>10}  {'completion':>10}")
        for name, entry in zip(names, table.values()):
            out.append(f"{name:<{w}}  {entry['calls']:>7}  {entry['prompt_tokens']:>10}  {entry['completion_tokens']:>10}")
    out.append("")
    reasons = totals["finish_reasons"]
    names = [inline(name) for name in reasons]
    w = max([len("finish")] + [len(n) for n in names])
    out.append(f"{'finish':<{w}}  {'calls':>7}")
    out += [f"{name:<{w}}  {count:>7}" for name, count in zip(names, reasons.values())]
    return "\n".join(out) + "\n"


def stats_tables(totals: dict, file, width: int) -> None:
    from rich.table import Table
    from rich.text import Text

    from llmcat.render.rich_view import make_console

    console = make_console(file, force_terminal=False, width=width)
    summary = Table(box=None, show_header=False, pad_edge=False)
    summary.add_column(style="cyan")
    summary.add_column(justify="right")
    for key, value in _summary_lines(totals):
        summary.add_row(key, value)
    console.print(summary)
    for key, title in _BREAKDOWNS:
        table = Table(title=Text(f"by {title}", style="bold"), title_justify="left", header_style="bold", pad_edge=False)
        table.add_column(title)
        for name in ("calls", "prompt", "completion"):
            table.add_column(name, justify="right")
        for name, entry in totals[key].items():
            table.add_row(Text(_clip_right(inline(name), console.width)), str(entry["calls"]), str(entry["prompt_tokens"]), str(entry["completion_tokens"]))
        console.print(table)
    reasons = Table(title=Text("finish reasons", style="bold"), title_justify="left", header_style="bold", pad_edge=False)
    reasons.add_column("finish")
    reasons.add_column("calls", justify="right")
    for name, count in totals["finish_reasons"].items():
        reasons.add_row(Text(_clip_right(inline(name), console.width)), str(count))
    console.print(reasons)
