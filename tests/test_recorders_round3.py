"""The third round of recorders (fixtures/generate_round3.py) through the real CLI, with exact expected values.

Elixir ReqLLM fixtures, R's vcr cassettes, WireMock stub mappings, Polly.JS HAR; then the
same recorders' real files in ../shared/new-recorders, each call compared with a reading of
its raw bytes written here (skipped when absent).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys

import orjson
import pytest
from test_recorders import calls_of, summary  # (a call as a tuple of what a test compares)

from conftest import FIXTURES, SHARED, run, run_json, subprocess_llmcat

NEW = SHARED / "new-recorders"
REQ_LLM = FIXTURES / "req-llm"


def one_line_error(path, reason: str) -> None:
    """Every command that reads says the same one line, exit 2, and no traceback."""
    for command in ("show", "ls", "join"):
        proc = subprocess_llmcat(command, path)
        assert proc.returncode == 2, (command, proc.stderr)
        assert proc.stderr.decode() == f"llmcat: {path}: {reason}\n", command


# --- ReqLLM ------------------------------------------------------------------------------------


def test_req_llm_whole_answers_and_streams_of_every_framing():
    assert [calls_of(REQ_LLM / name)[0] for name in (
        "anthropic_whole.json", "anthropic_stream.json", "openai_chat_stream.json", "bedrock_converse_stream.json",
        "ollama_chat_ndjson.json", "openai_events_transcript.json")] == [
        ("req-llm", "anthropic.messages", False, "Hello, Elixir.", "Short answer.", [], "end_turn", (21, 9, 30)),
        ("req-llm", "anthropic.messages", True, "Let me search.", None,
         [("srvtoolu_fx", "web_search", '{"query": "llmcat"}'), ("toolu_fx", "lookup", '{"id": 7}')], "tool_use", (40, 25, 65)),
        ("req-llm", "openai.chat", True, "One, two, three.", None, [], "stop", (8, 4, 12)),
        ("req-llm", "bedrock.converse", True, "Sunny and warm.", None, [], "end_turn", (12, 4, 16)),
        ("req-llm", "ollama.chat", True, "Hi there!", None, [], "stop", (10, 3, 13)),
        ("req-llm", "openai.chat", False, "Hi!", None, [], "stop", (5, 2, 7)),
    ]


def test_req_llm_request_model_and_a_refusal_kept_as_text():
    (call,) = run_json(REQ_LLM / "bedrock_converse_stream.json")
    assert call["request"]["model"] == "us.anthropic.claude-fx-v1:0" and call["request"]["method"] == "POST"
    (refused,) = run_json(REQ_LLM / "anthropic_overloaded_text.json")
    assert refused["error"] == {"type": None, "status_code": 529, "message": "Overloaded, retry later"}
    listed = run("ls", REQ_LLM).stdout.splitlines()
    assert [line.split("\t")[:3] for line in listed[1:3]] == [
        [str(REQ_LLM / "anthropic_overloaded_text.json"), "anthropic.messages", "claude-fx"],
        [str(REQ_LLM / "anthropic_stream.json"), "anthropic.messages", "claude-fx"]]


def test_req_llm_is_not_taken_for_llama_stack():
    shown = run("show", REQ_LLM / "anthropic_stream.json").stdout
    assert "(req-llm, streamed)" in shown and "llama-stack" not in shown


@pytest.mark.parametrize(("change", "reason"), [
    (lambda f: f.update(chunks={"b64": "eA=="}), "a ReqLLM fixture whose chunks are not a list"),
    (lambda f: f["chunks"].__setitem__(1, "text"), "ReqLLM chunk 1 is not an object"),
    (lambda f: f["chunks"].__setitem__(2, {"b64": "%%%"}), "ReqLLM chunk 2: b64 is not base64"),
    (lambda f: f["chunks"].__setitem__(0, {"b64": 7}), "ReqLLM chunk 0: b64 is not a string"),
    (lambda f: f["chunks"].__setitem__(3, {}), "ReqLLM chunk 3 has no b64 bytes"),
])
def test_req_llm_hostile_variants_say_one_line(tmp_path, change, reason):
    fixture = json.loads((REQ_LLM / "anthropic_stream.json").read_text())
    change(fixture)
    path = tmp_path / "broken.json"
    path.write_bytes(orjson.dumps(fixture))
    one_line_error(path, reason)


def test_req_llm_truncated_and_wrongly_typed_fields(tmp_path):
    data = (REQ_LLM / "anthropic_whole.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: len(data) // 2])
    proc = subprocess_llmcat("show", cut)
    assert proc.returncode == 2 and proc.stderr.startswith(f"llmcat: {cut}: not JSON".encode()) and proc.stderr.count(b"\n") == 1
    fixture = json.loads(data)
    fixture["response"].update(status="200", headers=["x"], body=[1, 2])
    fixture["request"].update(url=5, method=None)
    odd = tmp_path / "odd.json"
    odd.write_bytes(orjson.dumps(fixture))
    (call,) = run_json(odd)  # read, not refused: what is there is shown
    assert (call["format"], call["request"]["url"], call["request"]["method"]) == ("req-llm", None, None)
    assert call["choices"] == [] and call["error"] is None


# --- Polly.JS HAR -------------------------------------------------------------------------------

POLLY = FIXTURES / "polly" / "recording.har"


def test_polly_har_base64_pieces_of_a_gzip_stream_whole_and_streamed():
    assert calls_of(POLLY) == [
        ("har", "openai.chat", False, "Why did the span cross the trace?", None, [], "stop", (9, 8, 17)),
        ("har", "openai.chat", True, "To get to the other side.", None, [], "stop", (8, 6, 14)),
        ("har", "anthropic.messages", False, "A plain one.", "Short answer.", [], "end_turn", (21, 9, 30)),
    ]
    assert run("join", f"{POLLY}#1").stdout == "To get to the other side.\n"


def test_polly_har_a_piece_that_is_not_base64_spoils_only_its_entry(tmp_path):
    har = json.loads(POLLY.read_text())
    pieces = json.loads(har["log"]["entries"][0]["response"]["content"]["text"])
    har["log"]["entries"][0]["response"]["content"]["text"] = json.dumps([pieces[0], "not*base64", *pieces[1:]])
    har["log"]["entries"][1]["response"]["content"]["text"] = "[1, 2]"  # wrong types: not pieces of text
    har["log"]["entries"][2]["response"]["content"]["text"] = '["cut'  # truncated
    path = tmp_path / "spoiled.har"
    path.write_text(json.dumps(har))
    calls = run_json(path)
    assert [c["error"]["message"] for c in calls] == ["HAR content.text says base64 but is not"] * 3
    pieces_cut = tmp_path / "cut.har"
    pieces_cut.write_text(json.dumps(json.loads(POLLY.read_text())) [:-40])
    proc = subprocess_llmcat("ls", pieces_cut)
    assert proc.returncode == 2 and proc.stderr.startswith(f"llmcat: {pieces_cut}: not JSON".encode()) and proc.stderr.count(b"\n") == 1


# --- R's vcr -----------------------------------------------------------------------------------

R_VCR = FIXTURES / "r-vcr"


def test_r_vcr_bare_status_plain_headers_and_bodies_stored_decoded():
    """`content-encoding: gzip` or `br` left on a body R stored decoded: read as the text it is, not
    decompressed again (nor refused as corrupt)."""
    assert calls_of(R_VCR / "ellmer_style.yml") == [
        ("r-vcr", "anthropic.messages", False, "It is Monday.", "Short answer.", [], "end_turn", (21, 9, 30)),
        ("r-vcr", "anthropic.messages", False, "Still Monday.", "Short answer.", [], "end_turn", (30, 4, 34)),
        ("r-vcr", "openai.chat", True, "Monday.", None, [], "stop", (8, 3, 11)),
    ]
    listed = run("ls", R_VCR / "ellmer_style.yml").stdout.splitlines()
    assert [line.split("\t")[0].rsplit("/", 1)[1] for line in listed[1:]] == [f"ellmer_style.yml#{n}" for n in range(3)]


def test_r_vcr_older_status_code_json_serializer_and_no_recorded_with():
    (old,) = run_json(R_VCR / "vcr1_status_code.yml")
    assert summary(old) == ("r-vcr", "openai.chat", False, "Tuesday, in 2019.", None, [], "stop", (7, 5, 12))
    assert (old["request"]["method"], run("show", R_VCR / "vcr1_status_code.yml").stdout.count("status:   200")) == ("POST", 1)
    assert [summary(c)[:4] for c in run_json(R_VCR / "json_serializer.json")] == [
        ("r-vcr", "anthropic.messages", False, "It is Monday.")]
    assert [summary(c)[:4] for c in run_json(R_VCR / "no_recorded_with.yml")] == [
        ("r-vcr", "anthropic.messages", False, "Still Monday.")]


def test_r_vcr_body_written_to_disk_is_said_not_shown_empty(tmp_path):
    text = (R_VCR / "ellmer_style.yml").read_text()
    path = tmp_path / "disk.yml"
    path.write_text(text.replace("    body:\n      encoding: ''\n      string: '{\"id\"", "    body:\n      encoding: ''\n"
                                 "      file: true\n      string: '{\"id\"", 1))
    first = run_json(path)[0]
    assert first["error"]["message"].startswith("the body was written to a file ({") and first["choices"] == []


def test_ruby_cassettes_stay_ruby_and_still_decompress_by_their_header():
    assert {c["format"] for c in run_json(FIXTURES / "ruby-vcr" / "anthropic_gzip_binary.yml")} == {"ruby-vcr"}


def test_r_vcr_hostile_variants(tmp_path):
    text = (R_VCR / "ellmer_style.yml").read_text()
    cut = tmp_path / "cut.yml"
    cut.write_text(text[: text.index("recorded_at")] + "      string: '{unterminated\n")
    proc = subprocess_llmcat("show", cut)
    assert proc.returncode == 2 and proc.stderr.startswith(f"llmcat: {cut}: not valid YAML".encode()) and proc.stderr.count(b"\n") == 1
    wrong = tmp_path / "wrong.yml"
    wrong.write_text(text.replace("status: 200", "status: [200]", 1).replace("base64_string: ", "base64_string: '%%%'\n      x: ", 1))
    calls = run_json(wrong)
    assert calls[0]["format"] == "r-vcr" and calls[1]["error"]["message"] == "a base64_string body that is not base64"
    assert "status:" not in run("show", f"{wrong}#0").stdout.split("--- request")[0]


# --- ../shared/new-recorders: each call against a reading of its raw bytes -----------------------


def _sse_data(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("data:") and line[5:].strip() not in ("", "[DONE]"):
            out.append(json.loads(line[5:]))
    return out


def _answer_of_events(events: list[dict]) -> str:
    """Text of a stream read independently: Anthropic's text deltas, the Responses API's output_text deltas,
    OpenAI chat's content deltas."""
    text = []
    for event in events:
        kind = event.get("type")
        if kind == "content_block_delta" and event["delta"].get("type") == "text_delta":
            text.append(event["delta"]["text"])
        elif kind == "response.output_text.delta":
            text.append(event["delta"])
        elif event.get("object") == "chat.completion.chunk":
            text += [c["delta"].get("content") or "" for c in event["choices"]]
    return "".join(text)


def _answer_of_body(body: dict) -> str:
    if body.get("type") == "message":
        return "".join(block["text"] for block in body["content"] if block["type"] == "text")
    if "choices" in body:
        return body["choices"][0]["message"]["content"] or ""
    raise AssertionError(f"a body this test cannot read: {sorted(body)}")


req_llm_files = sorted((NEW / "req-llm").glob("*.json")) if (NEW / "req-llm").is_dir() else []


@pytest.mark.skipif(not req_llm_files, reason="../shared/new-recorders/req-llm is not here")
@pytest.mark.parametrize("path", req_llm_files, ids=lambda p: p.name)
def test_new_recorders_req_llm_answer_is_the_providers(path):
    raw = json.loads(path.read_bytes())
    if raw.get("chunks") is not None:
        joined = b"".join(base64.b64decode(chunk["b64"]) for chunk in raw["chunks"]).decode()
        expected, streamed = _answer_of_events(_sse_data(joined)), True
    else:
        expected, streamed = _answer_of_body(raw["response"]["body"]), False
    (call,) = run_json(path)
    assert (call["format"], call["streaming"]) == ("req-llm", streamed)
    assert expected and call["choices"][0]["text"] == expected


polly_files = sorted((NEW / "polly-har").glob("*.har")) if (NEW / "polly-har").is_dir() else []


@pytest.mark.skipif(not polly_files, reason="../shared/new-recorders/polly-har is not here")
@pytest.mark.parametrize("path", polly_files, ids=lambda p: p.name)
def test_new_recorders_polly_answer_is_the_providers(path):
    entries = json.loads(path.read_bytes())["log"]["entries"]
    calls = run_json(path)
    assert len(calls) == len(entries)
    for entry, call in zip(entries, calls, strict=True):
        stream = b"".join(base64.b64decode(piece) for piece in json.loads(entry["response"]["content"]["text"]))
        body = json.loads(gzip.decompress(stream) if stream[:2] == b"\x1f\x8b" else stream)
        expected = body["choices"][0].get("text") or body["choices"][0].get("message", {}).get("content")
        assert expected and call["choices"][0]["text"] == expected


def _answer_and_tools(body: dict) -> tuple[str, list[str]]:
    """Text and tool names of a whole response, read here: Anthropic, Bedrock Converse, Gemini."""
    if body.get("type") == "message":
        blocks = body["content"]
        return "".join(b["text"] for b in blocks if b["type"] == "text"), [b["name"] for b in blocks if b["type"] == "tool_use"]
    if "output" in body:
        blocks = body["output"]["message"]["content"]
        return "".join(b.get("text", "") for b in blocks), [b["toolUse"]["name"] for b in blocks if "toolUse" in b]
    parts = body["candidates"][0]["content"]["parts"]
    return ("".join(p.get("text", "") for p in parts if not p.get("thought")),
            [p["functionCall"]["name"] for p in parts if "functionCall" in p])


r_vcr_files = sorted((NEW / "r-vcr").glob("*.yml")) if (NEW / "r-vcr").is_dir() else []


@pytest.mark.skipif(not r_vcr_files, reason="../shared/new-recorders/r-vcr is not here")
@pytest.mark.parametrize("path", r_vcr_files, ids=lambda p: p.name)
def test_new_recorders_r_vcr_answer_is_the_providers(path):
    import yaml

    interactions = yaml.safe_load(path.read_bytes())["http_interactions"]
    calls = run_json(path)
    assert len(calls) == len(interactions)
    for interaction, call in zip(interactions, calls, strict=True):
        text, tools = _answer_and_tools(json.loads(interaction["response"]["body"]["string"]))
        choice = call["choices"][0]
        assert (call["format"], choice["text"], [t["name"] for t in choice["tool_calls"]]) == ("r-vcr", text, tools)
        assert text or tools


# --- WireMock ----------------------------------------------------------------------------------

WIREMOCK = FIXTURES / "wiremock"
STUBS = WIREMOCK / "mappings"


def test_wiremock_stub_and_its_body_file_are_one_call_named_by_the_stub():
    assert [calls_of(STUBS / name)[0] for name in (
        "v1_messages-5a1f.json", "model_converse-stream-9c2e.json", "chat_completions-0b7d.json", "gemini_generate-3e4f.json",
        "responses-77aa.json")] == [
        ("wiremock", "anthropic.messages", True, "The capital of Peru is Lima.", None, [], "end_turn", (14, 9, 23)),
        ("wiremock", "bedrock.converse", True, "Santiago.", None, [], "end_turn", (12, 4, 16)),
        ("wiremock", "openai.chat", False, "Sucre (and La Paz).", None, [], "stop", (11, 6, 17)),
        ("wiremock", "gemini", False, "Hola.", None, [], "STOP", (2, 2, 4)),
        ("wiremock", "openai.responses", False, "Lima.", None, [], "completed", (6, 2, 8)),
    ]
    (call,) = run_json(STUBS / "v1_messages-5a1f.json")
    assert (call["source"], call["request"]["url"], call["request"]["model"], call["chunks"]) == (
        str(STUBS / "v1_messages-5a1f.json"), "/v1/messages", "claude-wm-latest", 9)  # the stream's ping is a chunk too


def test_wiremock_export_of_several_stubs_is_one_call_each():
    path = STUBS / "export" / "all-stubs.json"
    calls = run_json(path)
    assert [(c["format"], c["interaction"], c["api"], c["request"]["url"]) for c in calls] == [
        ("wiremock-mappings", 0, "openai.models", "/v1/models"),
        ("wiremock-mappings", 1, "openai.chat", "/v1/chat/comp*"),
        ("wiremock-mappings", 2, "anthropic.messages", "/v1/messages")]
    assert run("join", f"{path}#1").stdout == "La Paz.\n"
    assert calls[2]["error"]["message"] == "Overloaded"


def test_a_walk_lists_each_stub_once_and_not_its_body_files():
    rows = [line.split("\t")[0] for line in run("ls", WIREMOCK).stdout.splitlines()[1:]]
    assert [row.removeprefix(f"{WIREMOCK}/") for row in rows] == [
        "__files/unused-body.txt",  # named by no stub: read on its own, as before
        "mappings/chat_completions-0b7d.json", "mappings/export/all-stubs.json#0", "mappings/export/all-stubs.json#1",
        "mappings/export/all-stubs.json#2", "mappings/gemini_generate-3e4f.json", "mappings/model_converse-stream-9c2e.json",
        "mappings/responses-77aa.json", "mappings/v1_messages-5a1f.json"]
    stats = orjson.loads(run("stats", "--json", WIREMOCK).stdout)
    assert (stats["recordings"], stats["calls"]) == (7, 9)
    checked = subprocess_llmcat("check", "--json", WIREMOCK)
    assert [f for f in map(orjson.loads, checked.stdout.splitlines()) if f["level"] == "error"] == []


def test_a_walk_from_a_dotted_path_does_not_list_body_files_either():
    for spec, cwd in ((f"./{WIREMOCK.name}/", WIREMOCK.parent), (".", WIREMOCK), ("..", STUBS)):
        proc = subprocess.run([sys.executable, "-m", "llmcat", "ls", spec], capture_output=True, cwd=cwd, check=True)
        rows = [line.split(b"\t")[0].decode() for line in proc.stdout.splitlines()[1:]]
        assert [row for row in rows if "__files" in row] == [os.path.join(spec, "__files", "unused-body.txt")], spec
        assert len(rows) == 9


def _wiremock_copy(tmp_path, change=None):
    import shutil

    root = tmp_path / "wm"
    shutil.copytree(WIREMOCK, root)
    stub_path = root / "mappings" / "v1_messages-5a1f.json"
    if change:
        stub = json.loads(stub_path.read_text())
        change(stub)
        stub_path.write_text(json.dumps(stub))
    return root, stub_path


def test_wiremock_body_file_missing_or_outside_its_folder_is_one_line(tmp_path):
    root, stub_path = _wiremock_copy(tmp_path)
    (root / "__files" / "v1_messages-5a1f.txt").unlink()
    one_line_error(stub_path, "body file __files/v1_messages-5a1f.txt: no such file")
    listed = subprocess_llmcat("ls", root)
    assert listed.returncode == 2
    assert listed.stderr.decode() == f"llmcat: {stub_path}: body file __files/v1_messages-5a1f.txt: no such file\n"
    (tmp_path / "secret.txt").write_text("data: {}\n\n")
    _, escaping = _wiremock_copy(tmp_path / "b", lambda s: s["response"].update(bodyFileName="../../secret.txt"))
    one_line_error(escaping, "body file __files/../../secret.txt: outside __files/; not read")
    root_c, linked = _wiremock_copy(tmp_path / "c")
    target = root_c / "__files" / "v1_messages-5a1f.txt"
    target.unlink()
    target.symlink_to(tmp_path / "secret.txt")
    one_line_error(linked, "body file __files/v1_messages-5a1f.txt: outside __files/; not read")


def test_wiremock_body_file_that_is_a_fifo_or_too_big_or_unreachable(tmp_path, monkeypatch):
    import os

    root, stub_path = _wiremock_copy(tmp_path)
    body = root / "__files" / "v1_messages-5a1f.txt"
    body.unlink()
    os.mkfifo(body)
    one_line_error(stub_path, "body file __files/v1_messages-5a1f.txt: not a regular file")
    body.unlink()
    body.write_text("data: {}\n\n")
    import llmcat.formats

    monkeypatch.setattr(llmcat.formats, "MAX_COMPANION_BYTES", 4)
    big = run("show", stub_path)
    assert big.exit_code == 2 and big.stderr == f"llmcat: {stub_path}: body file __files/v1_messages-5a1f.txt: over 0 MB; not read\n"
    piped = subprocess_llmcat("show", "-", input=stub_path.read_bytes())
    assert piped.returncode == 2 and piped.stderr == (
        b"llmcat: -: its body file 'v1_messages-5a1f.txt' cannot be read: the recording was not read from a folder\n")


@pytest.mark.parametrize(("change", "reason"), [
    (lambda s: s["response"].update(bodyFileName=None, base64Body="%%%"), "a WireMock stub whose base64Body is not base64"),
    (lambda s: s["request"].update(bodyPatterns=[{"binaryEqualTo": "@@"}]), "a WireMock stub whose binaryEqualTo is not base64"),
])
def test_wiremock_hostile_values_say_one_line(tmp_path, change, reason):
    _, stub_path = _wiremock_copy(tmp_path, change)
    one_line_error(stub_path, reason)


def test_wiremock_wrong_types_are_read_as_what_is_there(tmp_path):
    def change(stub):
        stub["request"].update(bodyPatterns="x", method=7)
        stub["response"].update(status="200", headers=["x"], bodyFileName=3)

    _, stub_path = _wiremock_copy(tmp_path, change)
    (call,) = run_json(stub_path)
    assert (call["format"], call["api"], call["request"]["method"], call["chunks"]) == ("wiremock", "anthropic.messages", None, 0)


wiremock_stubs = sorted((NEW / "wiremock" / "mappings").glob("*.json")) if (NEW / "wiremock").is_dir() else []


@pytest.mark.skipif(not wiremock_stubs, reason="../shared/new-recorders/wiremock is not here")
@pytest.mark.parametrize("path", wiremock_stubs, ids=lambda p: p.name)
def test_new_recorders_wiremock_answer_is_the_providers(path):
    import struct

    stub = json.loads(path.read_bytes())
    data = (path.parent.parent / "__files" / stub["response"]["bodyFileName"]).read_bytes()
    if stub["response"]["headers"].get("Content-Type", "").startswith("application/vnd.amazon.eventstream"):
        texts, at = [], 0
        while at < len(data):  # each message: total length, headers length, CRC, headers, payload, CRC
            total, head = struct.unpack_from(">II", data, at)
            payload = json.loads(data[at + 12 + head: at + total - 4])
            texts.append(payload.get("delta", {}).get("text", ""))
            at += total
        expected = "".join(texts)
    else:
        expected = _answer_of_events(_sse_data(data.decode()))
    (call,) = run_json(path)
    assert call["format"] == "wiremock" and call["api"] != "other" and call["streaming"]
    assert expected and call["choices"][0]["text"] == expected
    rows = run("ls", NEW / "wiremock").stdout.splitlines()[1:]
    assert not any("__files" in row for row in rows) and len(rows) == len(wiremock_stubs)


# --- recordings of no call: one treatment whatever the recorder ------------------------------------

EMPTY = {
    "vcrpy.yaml": b"interactions: []\nversion: 1\n",
    "map.yaml": b"interactions: {}\n",
    "go-vcr.yaml": b"---\nversion: 2\ninteractions: []\n",
    "trace.httprr": b"httprr trace v1\n",
    "proxy.json": b'{"Entries": [], "Variables": {"RandomSeed": "7"}}',
    "ruby.yml": b"---\nhttp_interactions: []\nrecorded_with: VCR 6.2.0\n",
    "r.yml": b"http_interactions: []\nrecorded_with: VCR-vcr/2.1.0\n",
    "browser.har": b'{"log": {"version": "1.2", "creator": {"name": "x"}, "entries": []}}',
    "stubs.json": b'{"mappings": [], "meta": {"total": 0}}',
    "nock-back.json": b"[]\n",
    "nothing.json": b"",
    "blank.yaml": b"\n  \n",
}


def _empties(tmp_path):
    for name, data in EMPTY.items():
        (tmp_path / name).write_bytes(data)
    return sorted(str(tmp_path / name) for name in EMPTY)


@pytest.mark.parametrize("command", ["ls", "stats", "show", "join"])
def test_empty_recordings_give_no_row_no_error_and_exit_zero(tmp_path, command):
    files = _empties(tmp_path)
    for args in (files, [str(tmp_path)])[: 1 if command == "join" else 2]:  # named one by one, and found by a walk (join walks none)
        proc = subprocess_llmcat(command, *args)
        assert (proc.returncode, proc.stderr) == (0, b""), (command, proc.stderr)
        if command == "ls":
            assert proc.stdout.decode().splitlines()[1:] == []
        elif command in ("show", "join"):
            assert proc.stdout == b""
    stats = orjson.loads(subprocess_llmcat("stats", "--json", tmp_path).stdout)
    assert (stats["recordings"], stats["calls"]) == (0, 0)
    real = FIXTURES / "vcr" / "multi.yaml"
    beside = subprocess_llmcat(command, *files, real)  # beside a real recording: the same output as the real one alone
    assert (beside.returncode, beside.stderr, beside.stdout) == (0, b"", subprocess_llmcat(command, real).stdout)


def test_empty_recordings_in_diff_compare_as_no_calls(tmp_path):
    files = _empties(tmp_path)
    same = subprocess_llmcat("diff", files[0], files[1])
    assert (same.returncode, same.stdout, same.stderr) == (0, b"", b"")
    other = tmp_path / "b"
    other.mkdir()
    (other / "vcrpy.yaml").write_bytes((FIXTURES / "vcr" / "multi.yaml").read_bytes())
    changed = subprocess_llmcat("diff", "--name-status", tmp_path / "vcrpy.yaml", other / "vcrpy.yaml")
    assert changed.returncode == 1 and changed.stderr == b""


def test_check_says_empty_recording_once_per_file_as_a_warning(tmp_path):
    _empties(tmp_path)
    checked = subprocess_llmcat("check", "--json", tmp_path)
    findings = [orjson.loads(line) for line in checked.stdout.splitlines()]
    assert checked.returncode == 0 and checked.stderr == b""
    assert sorted((f["source"].rsplit("/", 1)[1], f["level"], f["code"]) for f in findings) == sorted(
        (name, "warning", "empty-recording") for name in EMPTY)
    said = {f["source"].rsplit("/", 1)[1]: f["message"] for f in findings}
    assert said["trace.httprr"] == "an httprr trace with no exchanges (the test made no call)"
    assert said["nothing.json"] == "an empty file" and said["r.yml"].startswith("an R vcr cassette with no interactions")
    assert subprocess_llmcat("check", "--strict", tmp_path).returncode == 1


def test_an_empty_recordings_call_number_is_no_call(tmp_path):
    path = tmp_path / "vcrpy.yaml"
    path.write_bytes(EMPTY["vcrpy.yaml"])
    proc = subprocess_llmcat("show", f"{path}#0")
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"llmcat: {path}#0: no interaction #0: a VCR cassette with no interactions (the test made no call)\n"
    other = tmp_path / "notes.txt"  # an empty file that is no recording by its name stays "empty file"
    other.write_bytes(b"")
    assert subprocess_llmcat("show", other).stderr.decode() == f"llmcat: {other}: empty file\n"


@pytest.mark.parametrize(("pattern", "path"), [
    ("^/model/.*/converse-stream$", "/model/*/converse-stream"),
    ("/v1beta/models/[^/]+:streamGenerateContent\\?alt=sse", "/v1beta/models/*:streamGenerateContent?alt=sse"),
    ("/v1/(chat|responses)", "/v1/*"),
    ("/x\\.y/z", "/x.y/z"),
    ("/openai/deployments/[a-z0-9-]+/chat/completions.*", "/openai/deployments/*/chat/completions*"),
])
def test_wiremock_url_patterns_are_read_as_the_paths_they_match(pattern, path):
    from llmcat.formats.wiremock import literal_part

    assert literal_part(pattern) == path


def test_wiremock_a_stub_matched_by_pattern_has_its_api_and_no_wildcard_model(tmp_path):
    def change(stub):
        stub["request"] = {"urlPattern": "^/model/.*/converse-stream$", "method": "POST"}
        stub["response"]["bodyFileName"] = "model_converse-stream-9c2e.txt"
        stub["response"]["headers"] = {}

    _, stub_path = _wiremock_copy(tmp_path, change)
    (call,) = run_json(stub_path)
    assert (call["api"], call["request"]["model"], call["streaming"], call["choices"][0]["text"]) == (
        "bedrock.converse", None, True, "Santiago.")
