"""`llmcat explain`: the nearest recorded calls to a request that missed, each recorder's rules, what differs.

A suite written by fixtures/generate_explain.py (every recorder whose rules explain names, each file
with its target call between two decoys), and requests that miss the target by one field each.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest

from conftest import FIXTURES, run

sys.path.insert(0, str(FIXTURES))
import generate_explain as suite  # noqa: E402

RULES_FAILED = {  # recorder -> mutation -> the rules the changed request fails
    "vcrpy": {"model": {"body"}, "message": {"body"}, "tool": {"body"}, "parameter": {"body"}, "query": {"query"}, "path": {"path"}},
    "ruby-vcr": {"model": {"body"}, "message": {"body"}, "tool": {"body"}, "parameter": {"body"}, "query": {"uri"}, "path": {"uri"}},
    "go-vcr": {"model": set(), "message": set(), "tool": set(), "parameter": set(), "query": {"url"}, "path": {"url"}},
    # llama-stack hashes the URL's path, never its query
    "llama-stack": {"model": {"hash"}, "message": {"hash"}, "tool": {"hash"}, "parameter": {"hash"}, "query": set(), "path": {"hash"}},
    "test-proxy": {"model": {"body"}, "message": {"body"}, "tool": {"body"}, "parameter": {"body"}, "query": {"uri"}, "path": {"uri"}},
    "nock": {"model": {"body"}, "message": {"body"}, "tool": {"body"}, "parameter": {"body"}, "query": {"path"}, "path": {"path"}},
}
RULES = {"vcrpy": {"method", "scheme", "host", "port", "path", "query", "body"}, "ruby-vcr": {"method", "uri", "body"},
         "go-vcr": {"method", "url"}, "llama-stack": {"hash"}, "test-proxy": {"method", "uri", "headers", "body"},
         "nock": {"method", "scope", "path", "body"}}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("explain")
    return base, suite.write_suite(base / "suite")


def explain_json(request: dict | bytes, *paths, options=()) -> tuple[int, list[dict], str]:
    data = request if isinstance(request, bytes) else json.dumps(request).encode()
    result = run("explain", "--json", *options, "-", *paths, input=data)
    return result.exit_code, [orjson.loads(line) for line in result.stdout_bytes.splitlines()], result.stderr


@pytest.mark.parametrize("mutation", list(suite.MUTATIONS))
@pytest.mark.parametrize("recorder", list(RULES_FAILED))
def test_a_request_changed_in_one_field_finds_its_recording_first_and_names_the_field(written, recorder, mutation):
    base, targets = written
    status, (line,), stderr = explain_json(suite.mutated(recorder, mutation), base / "suite")
    assert status == 1, stderr
    assert line["request"] == "-" and line["exact"] is False
    first = line["candidates"][0]
    assert (first["source"], first["interaction"]) == targets[recorder]
    assert first["recorder"] == recorder
    assert set(first["matches"]) == RULES[recorder]
    assert {rule for rule, passed in first["matches"].items() if passed is False} == RULES_FAILED[recorder][mutation]
    paths = [d["path"] for d in first["differences"]]
    assert suite.MUTATIONS[mutation][1] in paths
    assert len(line["candidates"]) == 3


@pytest.mark.parametrize("recorder", list(RULES_FAILED))
def test_an_exact_match_is_said_with_how_many_recordings_of_it_the_file_holds(written, recorder):
    base, targets = written
    status, (line,), stderr = explain_json(suite.request_for(recorder), base / "suite")
    assert status == 0, stderr
    first = line["candidates"][0]
    assert line["exact"] is True and first["exact"] is True and first["differences"] == []
    assert (first["source"], first["interaction"]) == targets[recorder]
    assert all(first["matches"].values())
    if recorder == "llama-stack":  # a hash lookup replays as often as asked
        assert "copies" not in first
        assert first["hash"]["request"] == first["hash"]["recording"] == Path(targets[recorder][0]).stem
    else:  # all three calls of a file share the URL: only a recorder that compares bodies tells them apart
        assert first["copies"] == (1 if "body" in first["default_rules"] else 3)


def test_a_tool_added_is_named_by_the_tool_and_a_parameter_by_its_key(written):
    base, _ = written
    _, (line,), _ = explain_json(suite.mutated("vcrpy", "tool"), base / "suite")
    (added,) = [d for d in line["candidates"][0]["differences"] if d["path"] == "request.tools[+get_time]"]
    assert added["a"] is None and added["b"]["function"]["name"] == "get_time"
    _, (line,), _ = explain_json(suite.mutated("vcrpy", "parameter"), base / "suite")
    (changed,) = line["candidates"][0]["differences"]
    assert (changed["path"], changed["a"], changed["b"]) == ("request.params.temperature", 0.2, 0.7)


def test_human_output_names_the_rules_and_the_change(written):
    base, targets = written
    request = json.dumps(suite.mutated("vcrpy", "message")).encode()
    result = run("explain", "-", base / "suite", input=request)
    assert result.exit_code == 1
    out = result.stdout
    assert "no exact match" in out
    assert f"1. {targets['vcrpy'][0]}#1" in out
    assert "query ✓" in out and "body* ✗" in out
    assert "vcrpy's default rules pass: it would replay this recording" in out
    assert "[-Oslo-]{+Tromsø+}" in out
    result = run("explain", "-", base / "suite", input=json.dumps(suite.request_for("ruby-vcr")).encode())
    assert result.exit_code == 0
    assert "exact match: " in result.stdout
    assert "3 recordings of the file answer it by ruby-vcr's default rules; it replays each once" in result.stdout


def test_json_lines_explain_several_requests_in_order_and_minus_n_limits(written):
    base, targets = written
    lines = b"\n".join(json.dumps(r).encode() for r in (suite.mutated("go-vcr", "query"), suite.request_for("nock")))
    status, out, _ = explain_json(lines, base / "suite", options=("-n", "1"))
    assert status == 1  # one of them has no exact match
    assert [line["request"] for line in out] == ["-:1", "-:2"]
    assert [line["exact"] for line in out] == [False, True]
    assert [len(line["candidates"]) for line in out] == [1, 1]
    assert (out[1]["candidates"][0]["source"], out[1]["candidates"][0]["interaction"]) == targets["nock"]


def test_a_recording_as_the_request_explains_each_call_and_is_not_searched_itself(written, tmp_path):
    base, targets = written
    import yaml

    fresh = yaml.safe_load(Path(targets["vcrpy"][0]).read_text())
    body = json.loads(fresh["interactions"][1]["request"]["body"])
    body["temperature"] = 0.9
    fresh["interactions"][1]["request"]["body"] = json.dumps(body)
    path = base / "suite" / "cassettes" / "fresh.yaml"  # under the searched tree: must not match itself
    path.write_text(yaml.safe_dump(fresh))
    try:
        result = run("explain", "--json", path, base / "suite")
    finally:
        path.unlink()
    out = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert [line["request"] for line in out] == [f"{path}#0", f"{path}#1", f"{path}#2"]
    assert [line["exact"] for line in out] == [True, False, True]
    first = out[1]["candidates"][0]
    assert (first["source"], first["interaction"]) == targets["vcrpy"]
    assert [d["path"] for d in first["differences"]] == ["request.params.temperature"]
    assert all(c["source"] != str(path) for line in out for c in line["candidates"])
    assert result.exit_code == 1


def test_vcrpy_message_pasted_from_pytest_gives_method_and_url_only(written):
    base, targets = written
    url = suite.HOSTS["vcrpy"] + suite.PATH + "?api-version=2024-10-21"
    message = ("E   vcr.errors.CannotOverwriteExistingCassetteException: Can't overwrite existing cassette "
               "('tests/cassettes/test_weather.yaml') in your current record mode ('none').\n"
               f"E   No match for the request (<Request (POST) {url}>) was found.\n"
               "E   Found 1 similar requests with 1 different matcher(s) :\n"
               f"E   1 - (<Request (POST) {suite.HOSTS['vcrpy'] + suite.PATH + suite.QUERY}>).\n").encode()
    status, (line,), _ = explain_json(message, base / "suite")
    assert status == 1
    assert line["from"] == "vcrpy message" and line["missing"] == ["body", "headers"]
    first = line["candidates"][0]
    assert first["source"] == targets["vcrpy"][0]
    # the three calls of the cassette share the URL: without a body they are equally near, the first first
    assert [c["interaction"] for c in line["candidates"]] == [0, 1, 2]
    assert len({c["score"] for c in line["candidates"]}) == 1
    assert first["matches"]["query"] is False and first["matches"]["body"] is None
    assert [d["path"] for d in first["differences"]] == ["request.query.api-version"]
    result = run("explain", "-", base / "suite", input=message)
    assert "cassette named: tests/cassettes/test_weather.yaml" in result.stdout
    assert "the body and the headers not given" in result.stdout


def test_llama_stack_messages_old_and_new(written):
    base, targets = written
    recorded = Path(targets["llama-stack"][0]).stem
    body = suite.body_for("llama-stack")
    body["temperature"] = 0.5
    newer = (f"RuntimeError: No recorded response found for request hash: {'ab' * 32}\n"
             f"Request: POST {suite.HOSTS['llama-stack'] + suite.PATH} {body!r}\n"
             "Model: gpt-4o-mini\nTo record this response, run with LLAMA_STACK_TEST_INFERENCE_MODE=record\n").encode()
    status, (line,), _ = explain_json(newer, base / "suite")
    first = line["candidates"][0]
    assert status == 1 and line["from"] == "llama-stack message"
    assert first["source"] == targets["llama-stack"][0]
    assert first["matches"] == {"hash": False}
    assert first["hash"]["given"] == "ab" * 32 and first["hash"]["recording"] == recorded
    assert "request.params.temperature" in [d["path"] for d in first["differences"]]
    older = (f"No recorded response found for request hash: {recorded[:12]}\nEndpoint: {suite.PATH}\n"
             "Model: gpt-4o-mini\nTo record this response, run with LLAMA_STACK_INFERENCE_MODE=record\n").encode()
    _, (line,), _ = explain_json(older, Path(targets["llama-stack"][0]).parent)
    assert line["missing"] == ["headers", "method", "url", "body"]
    assert [c["hash"]["given"] for c in line["candidates"]] == [recorded[:12]] * 3
    assert [c["matches"]["hash"] for c in line["candidates"]].count(True) == 1  # the given hash names one file


def test_go_vcr_message(written):
    base, targets = written
    url = suite.HOSTS["go-vcr"] + "/v1/responses" + suite.QUERY
    status, (line,), _ = explain_json(f'Post "{url}": requested interaction not found'.encode(), base / "suite")
    first = line["candidates"][0]
    assert status == 1 and line["from"] == "go-vcr message"
    assert first["source"] == targets["go-vcr"][0]
    assert first["matches"] == {"method": True, "url": False}
    assert "request.path" in [d["path"] for d in first["differences"]]


def test_what_is_not_a_request_is_one_line_and_status_2(written, tmp_path):
    base, _ = written
    junk = tmp_path / "junk.txt"
    junk.write_text("hello, this is no request\n")
    result = run("explain", junk, base / "suite")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"llmcat: {junk}: not a request, a recorder's miss message nor a recording")
    assert result.stderr.count("\n") == 1
    result = run("explain", tmp_path / "absent.json", base / "suite")
    assert result.exit_code == 2 and "llmcat: " in result.stderr
    result = run("explain", "-", tmp_path / "nothing-here", input=json.dumps(suite.request_for("vcrpy")).encode())
    assert result.exit_code == 2 and result.stderr == f"llmcat: {tmp_path / 'nothing-here'}: no such file\n"


def test_a_credential_in_the_request_is_never_printed_whole(written):
    base, _ = written
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8" * 3  # made here: never committed
    request = suite.mutated("vcrpy", "query")
    request["url"] += "&key=" + key
    request["headers"]["Authorization"] = "Bearer " + key
    for options in ((), ("--json",)):
        result = run("explain", *options, "-", base / "suite", input=json.dumps(request).encode())
        assert key not in result.stdout and "request.query.key" in result.stdout or "query.key" in result.stdout


def test_a_request_asked_twice_where_the_cassette_holds_it_once_is_said_to_find_none_left(written, tmp_path):
    """vcrpy (and Ruby VCR, go-vcr, the test proxy, nock) replay each recording once: a test that now sends
    the same request twice finds the second missing although it matches exactly."""
    base, targets = written
    proxy = json.loads(Path(targets["test-proxy"][0]).read_text())
    proxy["Entries"].insert(2, proxy["Entries"][1])  # the target asked twice
    fresh = tmp_path / "WeatherTests.json"
    fresh.write_text(json.dumps(proxy))
    result = run("explain", "--json", "-n", "1", fresh, base / "suite")
    out = [orjson.loads(line) for line in result.stdout_bytes.splitlines()]
    assert [(line["occurrence"], line["used_up"], line["exact"]) for line in out] == \
        [(1, False, True), (1, False, True), (2, True, False), (1, False, True)]
    assert out[2]["candidates"][0]["copies"] == 1
    assert result.exit_code == 1
    text = run("explain", "-n", "1", f"{fresh}#2", base / "suite")
    assert text.exit_code == 0  # one call alone: asked once, and found
    human = run("explain", "-n", "1", fresh, base / "suite").stdout
    assert "no recording left: " in human and "this is the 2nd time the request is asked, and 1 recording of the file answers" in human


def _wiremock_read() -> bool:
    from llmcat.formats.registry import registered

    return any(f.name == "wiremock" for f in registered())


# WireMock's recorder writes `ignoreExtraElements`: a tool added is an extra array item, and the stub still matches.
WIREMOCK_FAILED = {"model": {"equalToJson"}, "message": {"equalToJson"}, "tool": set(), "parameter": {"equalToJson"},
                   "query": {"url"}, "path": {"url"}, "exact": set()}


@pytest.mark.skipif(not _wiremock_read(), reason="llmcat does not read WireMock stubs yet")
@pytest.mark.parametrize("mutation", [*suite.MUTATIONS, "exact"])
def test_wiremock_stubs_url_and_equal_to_json(written, mutation):
    base, _ = written
    target = suite.write_wiremock(base / "wiremock")
    request = suite.request_for("wiremock") if mutation == "exact" else suite.mutated("wiremock", mutation)
    status, (line,), stderr = explain_json(request, base / "wiremock", base / "suite")
    first = line["candidates"][0]
    assert (first["source"], first["interaction"]) == target, stderr
    assert first["recorder"] == "wiremock" and set(first["matches"]) == {"method", "url", "equalToJson"}
    assert {rule for rule, passed in first["matches"].items() if passed is False} == WIREMOCK_FAILED[mutation]
    if mutation == "exact":
        assert status == 0 and first["exact"] and "copies" not in first  # a stub answers as often as asked
    else:
        assert status == 1 and suite.MUTATIONS[mutation][1] in [d["path"] for d in first["differences"]]


def test_a_header_the_test_proxy_compares_is_named_when_it_differs(written):
    base, targets = written
    request = suite.request_for("test-proxy")
    request["headers"]["Accept"] = "text/event-stream"
    request["headers"]["User-Agent"] = "OpenAI/2.6.0"  # volatile: never compared
    status, (line,), _ = explain_json(request, base / "suite")
    first = line["candidates"][0]
    assert status == 1 and (first["source"], first["interaction"]) == targets["test-proxy"]
    assert first["matches"] == {"method": True, "uri": True, "headers": False, "body": True}
    assert first["differences"] == [{"path": "request.headers.accept", "a": "application/json", "b": "text/event-stream"}]


def test_an_unreadable_file_in_the_suite_is_trouble_even_when_every_request_is_found(written, tmp_path):
    base, _ = written
    suite_copy = tmp_path / "suite"
    import shutil

    shutil.copytree(base / "suite", suite_copy)
    (suite_copy / "cassettes" / "broken.yaml").write_text("interactions:\n- request: [unclosed\n")
    result = run("explain", "--json", "-", suite_copy, input=json.dumps(suite.request_for("vcrpy")).encode())
    assert result.exit_code == 2
    assert orjson.loads(result.stdout_bytes)["exact"] is True
    assert result.stderr.startswith(f"llmcat: {suite_copy / 'cassettes' / 'broken.yaml'}: ") and result.stderr.count("\n") == 1


def test_go_vcr_v4_cassettes_are_judged_by_v4s_default_matcher(written, tmp_path):
    """go-vcr v4's default matcher compares the body and headers too; before v4, method and URL only."""
    (tmp_path / "TestWeather.yaml").write_text(suite.go_vcr_cassette(v4=True))
    status, (line,), _ = explain_json(suite.mutated("go-vcr", "parameter"), tmp_path)
    first = line["candidates"][0]
    assert status == 1 and (first["source"], first["interaction"]) == (str(tmp_path / "TestWeather.yaml"), suite.TARGET)
    assert first["default_rules"] == ["method", "url", "body", "headers"]
    assert first["matches"] == {"method": True, "url": True, "body": False, "headers": True}
    assert first["replayed"] is False
    _, (line,), _ = explain_json(suite.mutated("go-vcr", "parameter"), written[0] / "suite")
    assert line["candidates"][0]["replayed"] is True  # the v2 cassette: method and URL pass, it would replay
