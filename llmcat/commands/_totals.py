"""`stats`: running totals over a suite's rows; every breakdown sums to the totals."""

from __future__ import annotations

from typing import Any

from llmcat.model import Row
from llmcat.reading.pipeline import FileResult

NONE = "(none)"


def _bump(table: dict[str, dict[str, int]], key: str | None, row: Row) -> None:
    entry = table.setdefault(key if key is not None else NONE, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0})
    entry["calls"] += 1
    entry["prompt_tokens"] += row.prompt_tokens or 0
    entry["completion_tokens"] += row.completion_tokens or 0


class Totals:
    """Running totals for `stats`; every breakdown sums to the totals."""

    def __init__(self) -> None:
        self.recordings = 0
        self.calls = 0
        self.bytes = 0
        self.streamed = 0
        self.failed = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.by_api: dict[str, dict[str, int]] = {}
        self.by_model: dict[str, dict[str, int]] = {}
        self.by_host: dict[str, dict[str, int]] = {}
        self.finish_reasons: dict[str, int] = {}

    def add(self, result: FileResult[list[Row]]) -> None:
        if result.failure is not None or result.empty is not None:  # (a recording of no call adds nothing)
            return
        self.recordings += 1
        self.bytes += result.size
        for row in result.value or ():
            self.calls += 1
            self.streamed += row.streaming
            self.failed += row.failed
            self.prompt_tokens += row.prompt_tokens or 0
            self.completion_tokens += row.completion_tokens or 0
            _bump(self.by_api, row.api, row)
            _bump(self.by_model, row.model, row)
            _bump(self.by_host, row.host, row)
            reason = row.finish_reason if row.finish_reason is not None else NONE
            self.finish_reasons[reason] = self.finish_reasons.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        def ordered(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
            return dict(sorted(table.items(), key=lambda kv: (-kv[1]["calls"], kv[0])))

        return {
            "recordings": self.recordings,
            "calls": self.calls,
            "bytes": self.bytes,
            "streamed": self.streamed,
            "streamed_share": round(self.streamed / self.calls, 4) if self.calls else 0.0,
            "failed": self.failed,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "by_api": ordered(self.by_api),
            "by_model": ordered(self.by_model),
            "by_host": ordered(self.by_host),
            "finish_reasons": dict(sorted(self.finish_reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        }
