"""`check --format sarif`: the findings as one SARIF 2.1.0 log, as GitHub code scanning reads it.

One run of the `llmcat` tool; a rule per finding code (id, a name, the help sentence, the default
level); a result per finding: its rule, level (`error`, `warning`, `note` for info), message, a
location (the file, relative to the working directory when inside it, and a line: where the
credential is written, else 1, the file as a whole; code scanning needs one), and a partial
fingerprint (the baseline's hash of the finding) so that an alert keeps its identity across runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import orjson

from llmcat.render.machine import terminal_safe

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}

# (source, interaction, line, level, code, message, fingerprint)
Result = tuple[str, "int | None", "int | None", str, str, str, str]


def sarif_log(rules: dict[str, tuple[str, str]], results: Iterable[Result], version: str) -> bytes:
    """`rules`: code -> (default level, help sentence), in the order to list them."""
    index = {code: i for i, code in enumerate(rules)}
    driver = {
        "name": "llmcat", "version": version,
        "rules": [_rule(code, level, help_text) for code, (level, help_text) in rules.items()],
    }
    out = [_result(r, index) for r in results]
    log = {"$schema": SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": out}]}
    data = orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n"
    return terminal_safe(data)


def _rule(code: str, level: str, help_text: str) -> dict[str, Any]:
    return {
        "id": code, "name": "".join(part.capitalize() for part in code.split("-")),
        "shortDescription": {"text": help_text.split(":")[0].rstrip(".") + "."},
        "fullDescription": {"text": help_text},
        "help": {"text": f"{help_text} See `man llmcat`, check, for what `{code}` means and how it is judged."},
        "defaultConfiguration": {"level": _LEVELS.get(level, "note")},
        "properties": {"tags": ["security"] if code in ("secret", "cookie") else ["recordings"]},
    }


def _result(result: Result, index: dict[str, int]) -> dict[str, Any]:
    source, interaction, line, level, code, message, fingerprint = result
    where = f" (call #{interaction})" if interaction is not None else ""
    return {
        "ruleId": code, "ruleIndex": index.get(code, 0), "level": _LEVELS.get(level, "note"),
        "message": {"text": message + where},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(source)}, "region": {"startLine": line or 1}}}],
        "partialFingerprints": {"llmcatFinding/v1": fingerprint},
    }


def _uri(source: str) -> str:
    """A relative URI when the file is under the working directory (code scanning resolves it from
    the checkout), else a file URI."""
    from urllib.parse import quote

    if source == "-":
        return "stdin"
    path = os.path.abspath(source)
    try:
        relative = os.path.relpath(path)
    except ValueError:
        relative = path
    if not relative.startswith(".."):
        return quote(relative.replace(os.sep, "/"))
    return "file://" + quote(path.replace(os.sep, "/"))
