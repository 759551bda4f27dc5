"""JSON values as text for people: pretty (indented) or compact, whatever the value holds."""

from __future__ import annotations

from typing import Any

import orjson

TOO_DEEP = "(nested too deeply to show)"


def pretty_json(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # lone surrogates, or deeper than orjson writes (255 levels)
        import json

        try:
            return json.dumps(value, indent=2, ensure_ascii=True, default=str)
        except RecursionError:
            return TOO_DEEP


def compact_json(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        import json

        try:
            return json.dumps(value, ensure_ascii=True, default=str)
        except RecursionError:
            return TOO_DEEP
