"""Issue #24: credentials planted in every place (fresh each run, fixtures/generate_planted.py) are
found by `check`, and no output mode of any command prints one whole, in any form it could be written."""

from __future__ import annotations

import json
import re
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
    lower_hex = {re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), p) for p in percent}
    return {value, escaped, json.dumps(value, ensure_ascii=True)[1:-1]} | percent | lower_hex


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


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path, list[tuple[str, str, str]]]:
    """The same recordings twice, each with its own fresh credentials: a diff shows every place changed."""
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    return a, b, generate_planted.write_planted(a) + generate_planted.write_planted(b)


def modes(a: Path, b: Path) -> list[list[str]]:
    files = [str(a / name) for name in ("planted.yaml", "planted.har", "planted-llama.json")]
    yaml_a, yaml_b = str(a / "planted.yaml"), str(b / "planted.yaml")
    return [
        ["show", *files], ["show", "--color", "always", *files], ["show", "--json", *files], ["show", str(a)],
        ["join", *files], ["join", "--color", "always", *files],
        ["ls", str(a)], ["ls", "--json", str(a)], ["ls", "--color", "always", str(a)], ["ls", "--errors", "--color", "always", str(a)],
        ["stats", str(a)], ["stats", "--json", str(a)], ["stats", "--color", "always", str(a)],
        ["check", str(a)], ["check", "--json", str(a)], ["check", "--color", "always", str(a)],
        ["diff", yaml_a, yaml_b], ["diff", "--strict", yaml_a, yaml_b], ["diff", "--strict", "--json", yaml_a, yaml_b],
        ["diff", "--strict", "--word-diff", yaml_a, yaml_b], ["diff", "--strict", "--color", "always", yaml_a, yaml_b],
        ["diff", "--strict", "--word-diff", "--color", "always", yaml_a, yaml_b],
        ["diff", "--stat", str(a), str(b)], ["diff", "--all", "-v", "--strict", str(a), str(b)], ["diff", "--json", str(a), str(b)],
        ["diff", "--strict", "planted.yaml", yaml_a, "0" * 40, "100644", yaml_b, "1" * 40, "100644"],  # git's external diff
        ["explain", yaml_a, str(b)], ["explain", "--json", yaml_a, str(b)],
    ]


def test_no_output_mode_prints_a_planted_credential_whole(two_runs):
    a, b, keys = two_runs
    printed = []
    for argv in modes(a, b):
        proc = subprocess_llmcat(*argv)
        assert proc.returncode in (0, 1), (argv, proc.stderr[-2000:])
        assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr, (argv, proc.stderr[-2000:])
        leaked = whole(proc.stdout + proc.stderr, keys)
        assert not leaked, (argv, leaked)
        printed.append(proc.stdout)
    assert all(printed[:14]), "every mode printed something"
    # and the masks are there: the diff shows both sides of each changed credential masked
    strict = subprocess_llmcat("diff", "--strict", str(a / "planted.yaml"), str(b / "planted.yaml")).stdout.decode()
    assert strict.count(" chars)]") >= len(keys) // 2


def test_reveal_prints_recorded_credentials_as_they_are(planted):
    directory, keys = planted
    proc = subprocess_llmcat("show", "--reveal", directory / "planted.yaml")
    assert proc.returncode == 0
    assert {place for _, place, _ in keys if _ == "planted.yaml"} - set(whole(proc.stdout, keys)) <= {
        "gzip body", "answer split across chunks"} or whole(proc.stdout, keys)
    joined = subprocess_llmcat("join", "--reveal", directory / "planted.yaml").stdout
    split = next(value for _, place, value in keys if place == "answer split across chunks")
    assert split.encode() in joined
    assert split.encode() not in subprocess_llmcat("join", directory / "planted.yaml").stdout


def test_the_mask_finds_a_credential_split_across_writes_and_escaped():
    from io import BytesIO

    from llmcat.render.mask import KNOWN
    from llmcat.render.output import Output

    secret = generate_planted.mixed(30) + '"/\\é'
    KNOWN.add([secret])
    sink = BytesIO()
    output = Output.of_buffer(sink)
    for form in forms(secret) | {re.sub(r"\\u00e9", r"\\u00E9", json.dumps(secret)[1:-1])}:
        data = f"<{form}>".encode()
        for size in (1, 3, 7, 64):
            for i in range(0, len(data), size):
                output.stdout.write(data[i:i + size])
            output.stdout.write(b"\n")
    output.close()
    assert sink.getvalue().count(b"<[") == sink.getvalue().count(b"\n") and not whole(sink.getvalue(), [("", "", secret)])


def test_the_check_fixtures_print_no_credential_whole_either():
    """fixtures/generate_secrets.py's recordings (every key shape in every place of every container) through
    the views that print most of a call."""
    from conftest import generated_secrets

    base = generated_secrets()
    planted = [(p["file"], p["place"], p["value"]) for p in orjson.loads((base / "secrets" / "planted.txt").read_bytes())]
    files = sorted({str(base / file) for file, _, _ in planted})
    for argv in (["show", *files], ["show", "--json", *files], ["join", *files], ["ls", "--json", str(base / "secrets")],
                 ["ls", "--color", "always", str(base / "secrets")], ["check", str(base / "secrets")],
                 ["diff", "--strict", files[0], files[1]], ["stats", "--json", str(base / "secrets")]):
        proc = subprocess_llmcat(*argv)
        assert b"internal error" not in proc.stderr, (argv, proc.stderr[-1000:])
        assert not whole(proc.stdout + proc.stderr, planted), (argv, whole(proc.stdout + proc.stderr, planted))
