"""Issue #24: credentials planted in every place (fresh each run, fixtures/generate_planted.py) are
found by `check`, and no output mode of any command prints one whole, in any form it could be written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import orjson
import pytest

from conftest import FIXTURES, subprocess_llmcat

sys.path.insert(0, str(FIXTURES))
import generate_planted  # noqa: E402

from llmcat.validation.secrets import mask  # noqa: E402


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Path, list[tuple[str, str, str]]]:
    directory = tmp_path_factory.mktemp("planted")
    return directory, generate_planted.write_planted(directory)


def forms(value: str) -> set[str]:
    """How a value could be written whole: as is, JSON-escaped, percent-escaped (either case of hex)."""
    escaped = json.dumps(value)[1:-1]
    percent = {quote(value, safe=""), quote_plus(value), quote(value)}
    return {value, escaped, json.dumps(value, ensure_ascii=True)[1:-1]} | percent | {p.lower() for p in percent if "%" in p}


def whole(printed: bytes, planted: list[tuple[str, str, str]]) -> list[str]:
    text = printed.decode("utf-8", "replace")
    return [place for _, place, value in planted if any(form in text for form in forms(value))]


def test_check_finds_every_planted_credential(planted):
    directory, keys = planted
    proc = subprocess_llmcat("check", "--json", "--only", "secret", directory)
    assert proc.returncode == 1, proc.stderr
    messages = [orjson.loads(line)["message"] for line in proc.stdout.splitlines()]
    missed = [place for _, place, value in keys if not any(mask(value) in m for m in messages)]
    assert not missed, missed
    assert len(keys) >= 22
