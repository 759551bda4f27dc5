"""`stats` totals: plain aligned text for pipes, rich tables for terminals (never a wrapped cell).

Every recorded name (models, hosts, finish reasons) is escaped with `inline` here.
"""

from __future__ import annotations

from typing import IO

from llmcat.render.escape import inline
from llmcat.render.suite_view import as_written, clip_middle


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
    written, mark = as_written(file)
    blocks = written("\u2588") == "\u2588"

    def name_cell(name: str, room: int) -> str:  # never wrapped: shortened in its middle, as ls does
        return clip_middle(written(inline(name)), max(room, 8), mark)

    summary = Table(box=None, show_header=False, pad_edge=False)
    summary.add_column(style="cyan")
    summary.add_column(justify="right")
    for key, value in _summary_lines(totals, human=True):
        summary.add_row(key, value)
    console.print(summary)
    calls = totals["calls"]
    for key, title in _BREAKDOWNS:
        table = Table(title=Text(f"by {title}", style="bold"), title_justify="left", header_style="bold", pad_edge=False)
        table.add_column(title, no_wrap=True)
        for name in ("calls", "share", "prompt", "completion"):
            table.add_column(name, justify="right", no_wrap=True)
        table.add_column("", style="cyan", no_wrap=True)
        numbers = [[f"{entry['calls']:,}", _share(entry["calls"], calls), f"{entry['prompt_tokens']:,}",
                    f"{entry['completion_tokens']:,}", share_bar(entry["calls"], calls, blocks=blocks)]
                   for entry in totals[key].values()]
        room = _name_room(console.width, ["calls", "share", "prompt", "completion", ""], numbers)
        for name, cells in zip(totals[key], numbers, strict=True):
            table.add_row(Text(name_cell(name, room)), *cells)
        console.print(table)
    reasons = Table(title=Text("finish reasons", style="bold"), title_justify="left", header_style="bold", pad_edge=False)
    reasons.add_column("finish", no_wrap=True)
    reasons.add_column("calls", justify="right", no_wrap=True)
    reasons.add_column("as the providers spell it", no_wrap=True)
    grouped = finish_categories(totals["finish_reasons"])
    room = _name_room(console.width, ["finish", "calls"], [[kind, f"{count:,}"] for kind, (count, _) in grouped.items()])
    for kind, (count, spellings) in grouped.items():
        spelt = ", ".join(f"{inline(name)} {n:,}" for name, n in spellings)
        reasons.add_row(Text(kind), f"{count:,}", Text(name_cell(spelt, room)))
    console.print(reasons)


def _name_room(width: int, headers: list[str], rows: list[list[str]]) -> int:
    """What a table of rich's heavy-headed box leaves of `width` for one more column, besides these."""
    taken = sum(max([len(header)] + [len(row[n]) for row in rows]) for n, header in enumerate(headers))
    columns = len(headers) + 1
    return width - taken - 3 * columns - 1 + 2  # a border and two spaces of padding each, but none at the two edges


def finish_categories(reasons: dict[str, int]) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    """Finish reasons by category (llmcat.finish): each category's calls and its spellings, most calls first."""
    from llmcat.finish import category

    grouped: dict[str, tuple[int, list[tuple[str, int]]]] = {}
    for name, count in reasons.items():
        kind = category(name) if name != "(none)" else "(none)"
        total, spellings = grouped.get(kind, (0, []))
        grouped[kind] = (total + count, [*spellings, (name, count)])
    return dict(sorted(grouped.items(), key=lambda kv: (-kv[1][0], kv[0])))
