"""`ls` rows and `stats` totals: tab-separated or plain text for pipes, rich tables for terminals.

Every recorded string (paths, models, test ids, finish reasons) is escaped with `inline`
here, so a tab or newline in one cannot break a TSV row and no control byte reaches a terminal.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable
from typing import IO, Any

from llmcat.model import Row
from llmcat.render.escape import inline, path_label

COLUMNS = ("path", "api", "model", "streamed", "chunks", "finish", "prompt_tokens", "completion_tokens", "test_id")
TEST_ID_WIDTH = 48


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return inline(str(value))


def row_cells(row: Row) -> list[str]:
    path = path_label(row.source, row.interaction if row.label != row.source else None)
    return [path] + [_text(v) for v in (row.api, row.model, row.streaming, row.chunks, row.finish_reason,
                               row.prompt_tokens, row.completion_tokens, row.test_id)]


def tsv(rows: Iterable[Row]) -> Iterable[bytes]:
    yield ("\t".join(COLUMNS) + "\n").encode()
    for row in rows:
        yield ("\t".join(row_cells(row)) + "\n").encode("utf-8", "backslashreplace")


def short_test_id(test_id: str, width: int = TEST_ID_WIDTH, mark: str = "\u2026") -> str:
    """`tests/integration/x/test_y.py::test_z[params]` as `x/test_y.py::test_z[params]`, for a terminal;
    a longer one loses its middle, keeping the file and the test's name and parameters."""
    test_id = test_id.removeprefix("tests/integration/").removeprefix("tests/")
    return _clip_test_id(test_id, width, mark)


EXTRA_COLUMNS = ("tokens", "error")  # shown when they explain the listing: --sort tokens, --errors
_NUMERIC = ("chunks", "prompt_tokens", "completion_tokens", "tokens")


def ls_table(rows: list[Row], file: IO[str], width: int, color: bool = True, extra: tuple[str, ...] = ()) -> None:
    """The rows as a table that fits `width`: never wrapped, columns given up before paths lose their ends.
    `extra`: columns of EXTRA_COLUMNS to show too (the total --sort tokens orders by, the error of --errors)."""
    from rich.table import Table
    from rich.text import Text

    from llmcat.render.rich_view import make_console

    console = make_console(file, force_terminal=color, width=width, color=color)
    written, mark = _as_written(file)
    names = list(COLUMNS)
    if "tokens" in extra:
        names.insert(names.index("completion_tokens") + 1, "tokens")
    if "error" in extra:
        names.append("error")
    # No cell is shown wider than the terminal: clipped here, a 10 MB model name costs
    # nothing to fit (fitting takes off a column at a time). Widths count what the stream
    # writes: in an encoding without a character, its backslash escape.
    cells = [{name: written(_clip_left(cell, console.width, mark) if name == "path" else _clip_right(cell, console.width, mark))
              for name, cell in _table_cells(row, names, mark).items()} for row in rows]
    shown, widths = _fit(names, cells, console.width)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in shown:
        table.add_column(_header(name), justify="right" if name in _NUMERIC else "left", no_wrap=True,
                         overflow="ellipsis", min_width=min(len(_header(name)), widths[name]))
    for row, line in zip(rows, cells, strict=True):
        line["path"] = _clip_left(line["path"], widths["path"], mark)  # the path keeps its end: file name and #N
        line["test_id"] = _clip_test_id(line["test_id"], widths["test_id"], mark)
        for name in ("api", "model", "finish", "error"):
            if name in line:
                line[name] = _clip_right(line[name], widths[name], mark)
        style = "red" if row.failed else ""
        table.add_row(*(Text(line[name], style=style) for name in shown))
    console.print(table, crop=False)


def _as_written(file: IO[str]) -> tuple[Callable[[str], str], str]:
    """How text reaches `file`, and the ellipsis to clip with. An encoding that cannot take a
    character (PYTHONIOENCODING=ascii) gets its backslash escape (render/output.py): cells are
    measured as that, and clipped with `...` where `…` would be written as six characters."""
    encoding = getattr(file, "encoding", None) or "utf-8"
    try:
        if codecs.lookup(encoding).name == "utf-8":
            return (lambda text: text), ELLIPSIS
    except LookupError:
        return (lambda text: text), ELLIPSIS

    def written(text: str) -> str:
        return text.encode(encoding, "backslashreplace").decode(encoding)

    return written, ELLIPSIS if written(ELLIPSIS) == ELLIPSIS else "..."


def _table_cells(row: Row, names: list[str], mark: str) -> dict[str, str]:
    line = dict(zip(COLUMNS, row_cells(row), strict=True))
    if row.test_id:
        line["test_id"] = short_test_id(line["test_id"], mark=mark)
    if row.finish_reason is not None:  # the category every provider's spelling falls in, and the spelling
        from llmcat.finish import category

        kind = category(row.finish_reason)
        line["finish"] = kind if row.finish_reason.lower() == kind else f"{kind} ({line['finish']})"
    if "tokens" in names:
        line["tokens"] = f"{row.total_tokens:,}" if row.total_tokens is not None else "-"
    if "error" in names:
        line["error"] = _text(row.error)
    return line


# Long names give way first, down to _LEAST columns: the model, then the error, finish and test id
# (the only readable name of a llama-stack recording, kept longest); then whole columns are left out.
# On a narrow terminal the path still keeps _PATH_LEAST columns (its file name's end and #N): the
# API shortens and the counts and finish are left out, the API last.
_SHRINKABLE = ("model", "error", "finish", "test_id")
_DROPPABLE = ("streamed", "model", "test_id", "error")
_NARROW_DROPPABLE = ("finish", "tokens", "chunks", "completion_tokens", "prompt_tokens", "api")
_GAP = 2  # rich's padding between columns
_LEAST = 12
_PATH_LEAST = 24


def _fit(names: list[str], cells: list[dict[str, str]], width: int, path_share: int = 32) -> tuple[list[str], dict[str, int]]:
    """The columns to show and every column's width, to fit `width`: the shrinkable columns give
    way in turn (down to _LEAST) until the path has `path_share` columns; on a narrower terminal
    streamed, model, test id and error are left out, in that order; then the path takes what is left."""
    widths = {name: max([len(_header(name))] + [len(line[name]) for line in cells]) for name in names}
    natural = dict(widths)
    shown = list(names)

    def others() -> int:  # what the columns besides the path take, gaps included
        return sum(widths[name] + _GAP for name in shown[1:])

    while others() + min(widths["path"], path_share) > width:
        shrinkable = next((name for name in _SHRINKABLE if name in shown and widths[name] > _LEAST), None)
        if shrinkable:
            widths[shrinkable] -= 1
            continue
        droppable = [name for name in _DROPPABLE if name in shown]
        if not droppable:
            break
        shown.remove(droppable[0])
    _narrow(shown, widths, width, others)
    slack = width - others() - min(widths["path"], path_share)
    for name in ("finish", "test_id", "error", "model"):  # room left by a column left out goes back to what was shortened
        if name in shown and slack > 0:
            grow = min(slack, natural[name] - widths[name])
            widths[name] += grow
            slack -= grow
    widths["path"] = max(1, min(widths["path"], width - others()))
    return shown, widths


def _narrow(shown: list[str], widths: dict[str, int], width: int, others: Callable[[], int]) -> None:
    """Past what `_fit` gives up, on a terminal too narrow for the path's _PATH_LEAST columns:
    the API shortens to _LEAST, then finish, the counts and at last the API are left out."""
    if "api" in shown and others() + min(widths["path"], _PATH_LEAST) > width:
        widths["api"] = min(widths["api"], max(_LEAST, widths["api"] - (others() + min(widths["path"], _PATH_LEAST) - width)))
    for name in _NARROW_DROPPABLE:
        if others() + min(widths["path"], _PATH_LEAST) <= width:
            return
        if name in shown:
            shown.remove(name)


ELLIPSIS = "\u2026"


def _clip_left(text: str, width: int, mark: str = ELLIPSIS) -> str:
    if len(text) <= width:
        return text
    if width <= len(mark):
        return text[len(text) - max(width, 0):]
    return mark + text[len(text) - (width - len(mark)):]


def _clip_right(text: str, width: int, mark: str = ELLIPSIS) -> str:
    if len(text) <= width:
        return text
    if width <= len(mark):
        return text[:max(width, 0)]
    return text[: width - len(mark)] + mark


def _clip_test_id(text: str, width: int, mark: str = ELLIPSIS) -> str:
    """Shortened in the middle of what tells tests apart least: the parameters' middle, keeping the
    file, the test's name and the parameters' ends; without room for that, the middle of the whole."""
    if len(text) <= width:
        return text
    bracket = text.find("[")
    keep = text[: bracket + 1] if bracket >= 0 else ""
    if keep and len(keep) + 3 + len(mark) <= width:
        return keep + _clip_middle(text[len(keep):], width - len(keep), mark)
    return _clip_middle(text, width, mark)


def _clip_middle(text: str, width: int, mark: str = ELLIPSIS) -> str:
    if len(text) <= width:
        return text
    if width <= len(mark):
        return text[:max(width, 0)]
    tail = (width - len(mark)) // 2
    return text[: width - len(mark) - tail] + mark + text[len(text) - tail:]


def _header(name: str) -> str:
    return name.replace("_tokens", "")


# --- stats -------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def human_size(size: int) -> str:
    """1536 -> `1.5 KiB`, 274990000 -> `262.3 MiB` (as `ls -h` and `du -h` count: powers of 1024)."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # (not reached)


def _summary_lines(totals: dict, human: bool = False) -> list[tuple[str, str]]:
    """The summary; `human` (a terminal) writes thousands separators. Bytes are always also a size."""
    number = (lambda n: f"{n:,}") if human else str
    size = human_size(totals["bytes"])
    return [
        ("recordings", number(totals["recordings"])),
        ("calls", number(totals["calls"])),
        ("streamed", f"{number(totals['streamed'])} ({_share(totals['streamed'], totals['calls'])})"),
        ("failed", f"{number(totals['failed'])} ({_share(totals['failed'], totals['calls'])})"),
        ("prompt tokens", number(totals["prompt_tokens"])),
        ("completion tokens", number(totals["completion_tokens"])),
        ("bytes on disk", size if human or size.endswith("bytes") else f"{size} ({totals['bytes']})"),
    ]


_EIGHTHS = " ▏▎▍▌▋▊▉"


def share_bar(part: int, whole: int, width: int = 10, blocks: bool = True) -> str:
    """`part` of `whole` as a bar of `width` cells, in eighths of a cell (`#` a cell without `blocks`)."""
    if not whole:
        return ""
    if not blocks:
        return ("#" * round(width * part / whole)).ljust(width)
    eighths = round(8 * width * part / whole)
    return ("█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")).ljust(width)


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
        for name, entry in zip(names, table.values(), strict=True):
            out.append(f"{name:<{w}}  {entry['calls']:>7}  {entry['prompt_tokens']:>10}  {entry['completion_tokens']:>10}")
    out.append("")
    reasons = totals["finish_reasons"]
    names = [inline(name) for name in reasons]
    w = max([len("finish")] + [len(n) for n in names])
    out.append(f"{'finish':<{w}}  {'calls':>7}")
    out += [f"{name:<{w}}  {count:>7}" for name, count in zip(names, reasons.values(), strict=True)]
    return "\n".join(out) + "\n"


def stats_tables(totals: dict, file: IO[str], width: int, color: bool = True) -> None:
    from rich.table import Table
    from rich.text import Text

    from llmcat.render.rich_view import make_console

    console = make_console(file, force_terminal=color, width=width, color=color)
    written, mark = _as_written(file)
    blocks = written("\u2588") == "\u2588"

    def name_cell(name: str) -> str:
        return _clip_right(written(inline(name)), console.width, mark)

    summary = Table(box=None, show_header=False, pad_edge=False)
    summary.add_column(style="cyan")
    summary.add_column(justify="right")
    for key, value in _summary_lines(totals, human=True):
        summary.add_row(key, value)
    console.print(summary)
    calls = totals["calls"]
    for key, title in _BREAKDOWNS:
        table = Table(title=Text(f"by {title}", style="bold"), title_justify="left", header_style="bold", pad_edge=False)
        table.add_column(title, overflow="fold")
        for name in ("calls", "share", "prompt", "completion"):
            table.add_column(name, justify="right")
        table.add_column("", style="cyan", no_wrap=True)
        for name, entry in totals[key].items():
            table.add_row(Text(name_cell(name)), f"{entry['calls']:,}", _share(entry["calls"], calls),
                          f"{entry['prompt_tokens']:,}", f"{entry['completion_tokens']:,}", share_bar(entry["calls"], calls, blocks=blocks))
        console.print(table)
    reasons = Table(title=Text("finish reasons", style="bold"), title_justify="left", header_style="bold", pad_edge=False)
    reasons.add_column("finish")
    reasons.add_column("calls", justify="right")
    reasons.add_column("as the providers spell it", overflow="fold")
    for kind, (count, spellings) in finish_categories(totals["finish_reasons"]).items():
        spelt = ", ".join(f"{name_cell(name)} {n:,}" for name, n in spellings)
        reasons.add_row(Text(kind), f"{count:,}", Text(spelt))
    console.print(reasons)


def finish_categories(reasons: dict[str, int]) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    """Finish reasons by category (llmcat.finish): each category's calls and its spellings, most calls first."""
    from llmcat.finish import category

    grouped: dict[str, tuple[int, list[tuple[str, int]]]] = {}
    for name, count in reasons.items():
        kind = category(name) if name != "(none)" else "(none)"
        total, spellings = grouped.get(kind, (0, []))
        grouped[kind] = (total + count, [*spellings, (name, count)])
    return dict(sorted(grouped.items(), key=lambda kv: (-kv[1][0], kv[0])))
