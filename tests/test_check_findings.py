"""`check`'s secret, cookie, orphan, encoded-body and large findings through the real CLI:
findings, masks, exit statuses, --only/--skip/--max-size, totals, and no credential printed whole."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import orjson
import pytest

from conftest import FIXTURES, generated_secrets, run, subprocess_llmcat
from llmcat.commands.check import Report, run_check
from llmcat.render.output import Output

SECRETS_BASE = generated_secrets()  # written at test time: no key-shaped values in the repository
SECRETS = SECRETS_BASE / "secrets"
ORPHANS = FIXTURES / "orphans"
PLANTED = orjson.loads((SECRETS / "planted.txt").read_bytes())
PLANTED_FILES = sorted({str(SECRETS_BASE / p["file"]) for p in PLANTED})


def check_json(*args) -> tuple[int, list[dict]]:
    result = run("check", "--json", *args)
    return result.exit_code, [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def label(planted: dict) -> str:
    path = str(SECRETS_BASE / planted["file"])
    return path if "llama-stack" in planted["file"] else f"{path}#{planted['interaction']}"  # one call a file


def test_every_planted_credential_is_an_error_naming_place_kind_and_mask():
    result = run("check", *PLANTED_FILES)
    assert result.exit_code == 1
    secrets = [line for line in result.stdout.splitlines() if ": error: secret: " in line]
    expected = {f"{label(p)}: error: secret: {p['place']}: {p['kind']} recorded: " for p in PLANTED}
    assert {line[: line.rindex(": ") + 2] for line in secrets} == expected
    for line in secrets:
        assert re.search(r"recorded: (\S{1,4}…\S{0,2}|…) \(\d+ chars\)$", line), line


def test_json_findings_keep_their_shape():
    code, findings = check_json(*PLANTED_FILES)
    assert code == 1
    assert all(list(f) == ["source", "interaction", "level", "code", "message"] for f in findings)
    assert {f["code"] for f in findings} == {"secret", "cookie", "encoded-body"}
    assert sum(f["code"] == "secret" for f in findings) == len(PLANTED)


_HEADERS, _BODIES = str(SECRETS / "headers.yaml"), str(SECRETS / "bodies.yaml")


@pytest.mark.parametrize("argv", [["check"], ["check", "--json"], ["check", "--strict"], ["show"], ["show", "--json"],
                                  ["show", "--color", "always"], ["show", "--head", "1"], ["ls", "--json"], ["ls"],
                                  ["diff", _HEADERS, _BODIES], ["diff", "--json", _BODIES, _HEADERS],
                                  ["diff", "--color", "always", _HEADERS, _BODIES]])
def test_no_planted_value_is_printed_whole(argv):
    proc = subprocess_llmcat(*argv, *([] if argv[0] == "diff" else PLANTED_FILES))
    assert proc.returncode in (0, 1), proc.stderr
    if argv[0] == "diff":
        assert b"chars)]" in proc.stdout  # a changed credential is shown, masked
    printed = proc.stdout + proc.stderr
    assert printed
    for planted in PLANTED:
        assert planted["value"].encode() not in printed, (argv, planted["file"], planted["place"])
        assert planted["value"][6:-2].encode() not in printed, (argv, planted["file"], planted["place"])
        assert quote(planted["value"], safe="")[6:-2].encode() not in printed, (argv, planted["file"], planted["place"])


def test_show_masks_but_still_shows_the_call():
    query = str(SECRETS / "query.yaml") + "#0"
    (call,) = [orjson.loads(line) for line in run("show", "--json", query).stdout_bytes.splitlines()]
    assert call["request"]["url"].startswith("https://generativelanguage.googleapis.com/v1beta/models/gemini-fx:generateContent?key=[AIza…")
    assert call["choices"][0]["text"] == "Hello."
    text = run("show", "--color", "never", query).stdout
    assert "key=[AIza…" in text and "(39 chars)]" in text


def test_placeholders_give_no_finding():
    result = run("check", SECRETS / "placeholders.yaml")
    assert result.exit_code == 0 and result.stdout == ""


def test_only_and_skip_select_codes():
    code, findings = check_json("--only", "cookie", *PLANTED_FILES)
    assert code == 0 and findings and {f["code"] for f in findings} == {"cookie"}
    assert check_json("--only", "cookie", "--strict", *PLANTED_FILES)[0] == 1
    code, findings = check_json("--skip", "secret", "--skip", "cookie", *PLANTED_FILES)
    assert code == 0 and {f["code"] for f in findings} == {"encoded-body"}
    assert run("check", "--only", "no-such-code", SECRETS).exit_code == 2
    assert run("check", "--max-size", "lots", SECRETS).exit_code == 2


def test_cookies_and_encoded_bodies():
    _, findings = check_json(SECRETS / "headers.yaml", SECRETS / "session.har", SECRETS / "bodies.yaml")
    cookies = [(f["source"], f["interaction"], f["message"]) for f in findings if f["code"] == "cookie"]
    assert (str(SECRETS / "headers.yaml"), 9, "request.headers.cookie: cookie session recorded with the value"
                                              " (a session may be replayable)") in cookies
    assert all(f["level"] == "warning" for f in findings if f["code"] == "cookie")
    encoded = {(f["source"], f["interaction"], f["level"]) for f in findings if f["code"] == "encoded-body"}
    assert encoded == {(str(SECRETS / "bodies.yaml"), 1, "info"), (str(SECRETS / "session.har"), 0, "info")}


def test_orphans_through_check():
    expected = sorted(str(FIXTURES / p) for p in orjson.loads((ORPHANS / "expected.txt").read_bytes()))
    code, findings = check_json(ORPHANS)
    assert code == 0  # warnings
    assert sorted(f["source"] for f in findings) == expected
    assert all(f["code"] == "orphan" and f["level"] == "warning" and f["interaction"] is None for f in findings)
    assert check_json("--strict", ORPHANS)[0] == 1
    assert check_json("--skip", "orphan", ORPHANS) == (0, [])


def test_large_files_over_max_size():
    code, findings = check_json("--only", "large", "--max-size", "8K", SECRETS)
    assert code == 0
    big = {f["source"] for f in findings}
    assert big == {str(p) for p in SECRETS.rglob("*") if p.is_file() and p.stat().st_size > 8192 and p.suffix != ".txt"}
    assert all(f["level"] == "info" and f["interaction"] is None and "over --max-size 8 KB" in f["message"] for f in findings)
    assert check_json("--only", "large", SECRETS) == (0, [])  # 1 MB by default


def _check_to(terminal: bool, *paths, verbose: bool = False) -> str:
    buffer = io.BytesIO()
    run_check([str(p) for p in paths], Report(verbose=verbose), Output.of_buffer(buffer, terminal=terminal))
    return buffer.getvalue().decode()


def test_a_pipe_gets_one_line_a_finding_and_a_terminal_groups_with_totals():
    in_pipe = _check_to(False, SECRETS / "headers.yaml", SECRETS / "bodies.yaml")
    lines = in_pipe.splitlines()
    assert len(lines) == 20 and all(re.match(r"\S+: (error|warning|info): [a-z-]+: ", line) for line in lines)
    on_terminal = _check_to(True, SECRETS / "headers.yaml", SECRETS / "bodies.yaml").splitlines()
    headers, bodies = str(SECRETS / "headers.yaml"), str(SECRETS / "bodies.yaml")
    secret_lines = [line for line in lines if ": error: secret: " in line]
    in_headers = [line for line in secret_lines if line.startswith(headers + "#")]
    in_bodies = [line for line in secret_lines if line.startswith(bodies + "#")]
    first_headers = in_headers[0].replace(": error: secret: ", ": ", 1)
    first_bodies = in_bodies[0].replace(": error: secret: ", ": ", 1)
    assert on_terminal[:3] == [
        "error: secret: 18 in 2 test files",
        f"  {headers}: {len(in_headers)} in 1 recording, e.g. {first_headers}",
        f"  {bodies}: {len(in_bodies)} in 1 recording, e.g. {first_bodies}",
    ]
    assert on_terminal[-1] == "18 errors, 1 warning, 1 info"
    assert len(on_terminal) == 3 + 2 + 2 + 1  # secret, cookie and encoded-body groups, and the totals
    verbose = _check_to(True, SECRETS / "headers.yaml", SECRETS / "bodies.yaml", verbose=True).splitlines()
    assert [line.strip() for line in verbose if line.startswith("    ")] == [
        line.replace(": error: secret: ", ": ", 1) for line in secret_lines]
    assert _check_to(True, SECRETS / "placeholders.yaml") == ""


def test_a_session_that_made_no_call_is_said_as_a_warning(tmp_path):
    """A test-proxy record with no entries is a recording of nothing: named, not an error (check exits 0)."""
    empty = tmp_path / "NoCallsMade.json"
    empty.write_bytes(orjson.dumps({"Entries": [], "Variables": {"RandomSeed": "1"}}))
    result = run("check", tmp_path)
    assert result.exit_code == 0
    assert result.stdout == f"{empty}: warning: empty-recording: a test-proxy record with no entries (the test made no call)\n"
    assert run("check", "--strict", tmp_path).exit_code == 1
