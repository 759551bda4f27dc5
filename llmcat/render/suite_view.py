"""`ls` rows and `stats` totals: tab-separated or plain text for pipes, rich tables for terminals.

Every recorded string (paths, models, test ids, finish reasons) is escaped with `inline`
here, so a tab or newline in one cannot break a TSV row and no control byte reaches a terminal.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

from llmcat.model import Row
from llmcat.render.escape import inline, path_label

COLUMNS = ("path", "api", "model", "streamed", "chunks", "finish", "prompt_tokens", "completion_tokens", "test_id")
TEST_ID_WIDTH = 48
ELLIPSIS = "\u2026"


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


TSV_COLUMNS = (*COLUMNS, "error")  # the error last: a script reading the columns by position keeps working


def tsv(rows: Iterable[Row]) -> Iterable[bytes]:
    yield ("\t".join(TSV_COLUMNS) + "\n").encode()
    for row in rows:
        yield ("\t".join([*row_cells(row), _text(row.error)]) + "\n").encode("utf-8", "backslashreplace")


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
    written, mark = as_written(file)
    names = list(COLUMNS)
    if "tokens" in extra:
        names.insert(names.index("completion_tokens") + 1, "tokens")
    if "error" in extra:
        names.append("error")
    # No cell is shown wider than the terminal: clipped here, a 10 MB model name costs
    # nothing to fit (fitting takes off a column at a time). Widths count what the stream
    # writes: in an encoding without a character, its backslash escape.
    cells = [{name: written(cell) for name, cell in _table_cells(row, names, mark).items()} for row in rows]
    prefix = common_directory([line["path"] for line in cells])  # said once, in the header
    for line in cells:
        line["path"] = line["path"][len(prefix):]
    cells = [{name: _clip_left(cell, 8 * console.width, mark) if name == "path" else _clip_right(cell, console.width, mark)
              for name, cell in line.items()} for line in cells]  # (a path's hash is cut before its start: room for both)
    shown, widths = _fit(names, cells, console.width, keep=extra, path_header=len(prefix))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in shown:
        header = _clip_left(prefix, widths["path"], mark) if name == "path" and prefix else _header(name)
        table.add_column(header, justify="right" if name in _NUMERIC else "left", no_wrap=True,
                         overflow="ellipsis", min_width=min(len(header), widths[name]))
    for row, line in zip(rows, cells, strict=True):
        line["path"] = clip_path(line["path"], widths["path"], mark)  # the path keeps its end: file name and #N
        line["test_id"] = _clip_test_id(line["test_id"], widths["test_id"], mark)
        for name in ("api", "model", "finish", "error"):
            if name in line:
                line[name] = _clip_right(line[name], widths[name], mark)
        style = "red" if row.failed else ""
        table.add_row(*(Text(line[name], style=style) for name in shown))
    console.print(table, crop=False)


def as_written(file: IO[str]) -> tuple[Callable[[str], str], str]:
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
        line["test_id"] = short_test_id(line["test_id"], 4 * TEST_ID_WIDTH, mark=mark)  # its width: _fit decides
    if row.finish_reason is not None:  # the category every provider's spelling falls in, and the spelling
        from llmcat.finish import category

        kind = category(row.finish_reason)
        line["finish"] = kind if row.finish_reason.lower() == kind else f"{kind} ({line['finish']})"
    if "tokens" in names:
        line["tokens"] = f"{row.total_tokens:,}" if row.total_tokens is not None else "-"
    if "error" in names:
        line["error"] = _text(row.error)
    return line


def common_directory(paths: list[str]) -> str:
    """The directory every path starts with (`../corpus/vcr/`), or "" (a path keeps at least its file name)."""
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    shared = 0
    for a, b in zip(first, last, strict=False):
        if a != b:
            break
        shared += 1
    return first[: first.rfind("/", 0, shared) + 1]


# When the columns do not fit: columns that say nothing (every cell `-`, or one value throughout) are left out
# first; long names give way down to _COMFORTABLE, the longest first; then the counts are left out (_COUNTS), the
# names give way down to _LEAST, and other columns are left out, the least telling first:
# _DROP_ORDER (api and finish: the one of fewer values first), the model and the test id last. The path
# keeps `path_share` columns, and on a terminal too narrow even for that, _PATH_LEAST (its file name's end, #N).
_SHRINKABLE = ("model", "error", "finish", "test_id", "api")
_DROP_ORDER = ("streamed", "chunks", "completion_tokens", "prompt_tokens", "tokens", "api", "finish", "error", "model", "test_id")
_COUNTS = ("streamed", "chunks", "completion_tokens", "prompt_tokens", "tokens")  # left out before a name shrinks past:
_COMFORTABLE = 24
_GAP = 2  # rich's padding between columns
_LEAST = 12
_PATH_LEAST = 24


def _fit(names: list[str], cells: list[dict[str, str]], width: int, keep: tuple[str, ...] = (),
         path_share: int = 32, path_header: int = 0) -> tuple[list[str], dict[str, int]]:
    """The columns to show and every column's width, to fit `width` (see above); `keep`: columns the
    listing was asked for (--sort tokens, --errors), left out just before the model and the test id;
    `path_header`: the path column's header (the directory all paths share), whole where there is room."""
    widths = {name: max([len(_header(name))] + [len(line[name]) for line in cells]) for name in names}
    widths["path"] = max(widths["path"], path_header)
    natural = dict(widths)
    shown = list(names)

    def others() -> int:  # what the columns besides the path take, gaps included
        return sum(widths[name] + _GAP for name in shown[1:])

    def fits(share: int) -> bool:
        return others() + min(widths["path"], share) <= width

    if not fits(path_share):
        shown[1:] = [name for name in shown[1:] if name in keep or any(line[name] != "-" for line in cells)]
    for name in [name for name in shown[1:] if name not in keep and name not in ("model", "test_id")]:
        if fits(path_share):
            break
        if len({line[name] for line in cells}) == 1:  # the same in every row: said by none
            shown.remove(name)
    order = _drop_order(shown, cells, keep)
    for least, leave in ((_COMFORTABLE, [name for name in order if name in _COUNTS and name not in keep]), (_LEAST, order)):
        while not fits(path_share):  # the longest name gives way: each keeps what it can
            longest = [name for name in _SHRINKABLE if name in shown and widths[name] > least]
            if not longest:
                break
            widths[max(longest, key=lambda name: widths[name])] -= 1
        for name in leave:
            if fits(path_share) or (name in ("test_id", "model") and fits(_PATH_LEAST)):
                break
            if name in shown:
                shown.remove(name)
    slack = width - others() - min(widths["path"], path_share)
    for name in (*keep, "test_id", "model", "error", "finish", "api"):  # room left over goes back to what was shortened
        if name in shown and slack > 0:
            grow = min(slack, natural[name] - widths[name])
            widths[name] += grow
            slack -= grow
    widths["path"] = max(1, min(widths["path"], width - others()))
    return shown, widths


def _drop_order(shown: list[str], cells: list[dict[str, str]], keep: tuple[str, ...]) -> list[str]:
    def rank(name: str) -> tuple:
        last = name in ("test_id", "model")
        values = len({line[name] for line in cells}) if name in ("api", "finish") else 0
        return (name in keep or last, _DROP_ORDER.index(name) if last else 0, values, _DROP_ORDER.index(name))

    return sorted(shown[1:], key=rank)


_HEX_RUN = re.compile(r"[0-9a-f]{16,}")


def clip_path(text: str, width: int, mark: str = ELLIPSIS) -> str:
    """A path in `width` columns, keeping its end (file name, #N): a long hash in it is cut to its
    first 8 characters first (the rest tells no reader anything), then the start gives way."""
    if len(text) > width:
        text = _HEX_RUN.sub(lambda m: m.group()[:8] + mark, text)
    return _clip_left(text, width, mark)




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
    """Shortened keeping the test's name whole where it can: the parameters lose their middle, then the
    file its start (its end, the module's name, is kept longest); without room for the name, the middle of the whole."""
    if len(text) <= width:
        return text
    base, bracket, params = text.partition("[")
    file, colons, name = base.rpartition("::")  # a class's name goes with the file: the test's is kept
    params = bracket + params
    room = width - len(colons) - len(name)
    if not colons:
        return clip_middle(text, width, mark)
    if room < len(mark):  # the name alone is too long: its start, after the file's place
        return _clip_right(mark + colons + name + params, width, mark) if width > 2 * len(mark) + 2 else clip_middle(text, width, mark)
    params_room = min(len(params), max(0, room - min(len(file), 16)))
    if params_room < len(params):
        params = clip_middle(params, params_room, mark) if params_room > 2 * len(mark) + 2 else ""
    file_room = room - len(params)
    file = _clip_left(file, file_room, mark) if file_room > len(mark) else mark[:file_room]  # (not one stray letter)
    return file + colons + name + params


def clip_middle(text: str, width: int, mark: str = ELLIPSIS) -> str:
    if len(text) <= width:
        return text
    if width <= len(mark):
        return text[:max(width, 0)]
    tail = (width - len(mark)) // 2
    return text[: width - len(mark) - tail] + mark + text[len(text) - tail:]


def _header(name: str) -> str:
    return name.replace("_tokens", "")
