"""`ls`, `stats` and `check` over suites built at test time from fixtures/ (faults planted on purpose)."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import orjson
import pytest

from conftest import FIXTURES, LLAMA, SHARED, run, run_json, subprocess_llmcat
from llmcat.commands import ls as suite
from llmcat.commands._rows import Filters, RowsWork
from llmcat.commands.check import Report, run_check
from llmcat.finish import category
from llmcat.model import Need
from llmcat.reading import parallel, pipeline
from llmcat.reading.walk import Source
from llmcat.render.output import Output

CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "llama-stack").is_dir(),
                                  reason="../shared/corpus not present (third-party data kept outside the repo)")

LS_KEYS = ["source", "interaction", "format", "api", "request", "streaming", "chunks", "finish_reason", "usage", "error", "test_id"]
HEADER = "path\tapi\tmodel\tstreamed\tchunks\tfinish\tprompt_tokens\tcompletion_tokens\ttest_id\terror"
STREAM_CHUNK = "openai.types.chat.chat_completion_chunk.ChatCompletionChunk"


def load(name: str) -> dict:
    return json.loads((LLAMA / name).read_text())


def save(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2))
    return path


def ls_json(*args) -> list[dict]:
    result = run("ls", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def tsv_rows(*args) -> list[list[str]]:
    result = run("ls", *args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == HEADER
    return [line.split("\t") for line in lines[1:]]


# --- ls ----------------------------------------------------------------------------------------------


def test_ls_tsv_one_row_per_recording_with_header():
    rows = tsv_rows(LLAMA)
    files = sorted(str(p) for p in LLAMA.glob("*.json"))
    assert [r[0] for r in rows] == files
    assert all(len(r) == 10 for r in rows)
    stream = next(r for r in rows if r[0].endswith("/chat-stream.json"))
    assert stream[1:] == ["openai.chat", "fixture-gpt", "yes", "10", "stop", "21", "7",
                          "tests/integration/inference/test_fixture.py::test_chat_stream[txt=azure]", "-"]
    # the error, last (#26: a script reading the columns by position keeps working), in one line
    failed = next(r for r in rows if r[0].endswith("/anthropic-error.json"))
    assert failed[9] == "400 invalid_request_error messages: field required"


def test_ls_json_has_show_json_keys_without_long_texts_and_agrees_with_show():
    rows = ls_json(LLAMA)
    shown = {c["source"]: c for c in run_json(*sorted(LLAMA.glob("*.json")))}
    assert len(rows) == len(shown)
    for row in rows:
        assert list(row) == LS_KEYS
        full = shown[row["source"]]
        assert "messages" not in row["request"] and "prompt" not in row["request"] and "transcript" not in row["request"]
        assert row["request"] == {k: v for k, v in full["request"].items() if k not in ("messages", "prompt", "transcript")}
        for key in ("interaction", "format", "api", "streaming", "chunks", "usage", "error"):
            assert row[key] == full[key], (row["source"], key)
        assert row["finish_reason"] == (full["choices"][0]["finish_reason"] if full["choices"] else None)
        assert row["test_id"] == full["request"]["test_id"]


def _stream_variants() -> list[tuple[str, dict]]:
    """Streams `ls` reads with the fast reader (or hands back to the general one): awkward ones included."""
    base = load("chat-stream-tools.json")
    variants = [(p.name, json.loads(p.read_text())) for p in sorted(LLAMA.glob("*.json"))]
    two_types = copy.deepcopy(base)
    two_types["response"]["body"][1]["__type__"] = "something.Else"
    unwrapped = copy.deepcopy(base)
    unwrapped["response"]["body"][1] = unwrapped["response"]["body"][1]["__data__"]
    errored = copy.deepcopy(base)
    errored["response"]["body"][-1]["__data__"]["error"] = {"message": "overloaded"}
    odd_index = copy.deepcopy(load("chat-stream-n2.json"))
    for item in odd_index["response"]["body"]:
        for choice in item["__data__"].get("choices") or []:
            choice["index"] = float(choice.get("index", 0))
    groq = copy.deepcopy(load("chat-stream.json"))
    for item in groq["response"]["body"]:
        item["__data__"]["x_groq"] = {"usage": item["__data__"].pop("usage", None)}
    cut = copy.deepcopy(load("chat-stream.json"))
    cut["response"]["body"] = cut["response"]["body"][:3]
    return variants + [("two-types", two_types), ("unwrapped", unwrapped), ("errored", errored), ("float-index", odd_index),
                       ("cut", cut), ("groq", groq)]


@pytest.mark.parametrize("name,obj", _stream_variants(), ids=lambda v: v if isinstance(v, str) else "")
def test_ls_row_agrees_with_the_general_reader(name, obj, tmp_path):
    path = save(tmp_path / "r.json", obj)
    (call,) = pipeline.read_one(str(path), Need.EVERYTHING).value  # the general reader
    full = call.completion
    (result,) = pipeline.read_block([Source(str(path), str(path), True)], RowsWork())
    assert result.failure is None
    (row,) = result.value
    usage = full.usage
    first_finish = full.choices[0].finish_reason if full.choices else None
    tools = any(choice.tool_calls for choice in full.choices)
    assert (row.api, row.chunks, row.finish_reason, row.failed, row.tools) == (full.api, full.chunks, first_finish, full.error is not None,
                                                                               tools)
    assert (row.prompt_tokens, row.completion_tokens, row.total_tokens) == ((usage.prompt_tokens, usage.completion_tokens,
                                                                             usage.total_tokens) if usage else (None, None, None))
    if name == "groq":
        assert row.total_tokens == 28


@needs_corpus
def test_ls_rows_agree_with_show_on_the_corpus():
    files = sorted((CORPUS / "llama-stack").rglob("*.json"))
    shown = {c["source"]: c for c in run_json(*files)}
    for row in ls_json(*files):
        full = shown[row["source"]]
        for key in ("api", "chunks", "usage", "error", "streaming"):
            assert row[key] == full[key], (row["source"], key)
        assert row["finish_reason"] == (full["choices"][0]["finish_reason"] if full["choices"] else None)


@pytest.mark.parametrize("option,value,expected", [
    ("--api", "openai.chat", {"chat-stream.json", "chat-stream-tools.json", "chat-tools.json", "chat-exception.json"}),
    ("--api", "ollama", {"ollama-chat-stream.json", "ollama-embed.json", "ollama-generate-stream.json", "ollama-ps.json"}),
    ("--model", "fixture-c*", {"anthropic.json", "anthropic-stream.json", "anthropic-error.json"}),
    ("--test", "*test_chat_stream*", {"chat-stream.json"}),
    ("--finish", "tool_calls", {"chat-stream-tools.json", "chat-tools.json"}),
])
def test_ls_filters(option, value, expected):
    names = {Path(r["source"]).name for r in ls_json(option, value, LLAMA)}
    assert expected <= names, expected - names
    rows = ls_json(option, value, LLAMA)
    for row in rows:
        if option == "--api":
            assert row["api"] == value or row["api"].startswith(value + ".")
        elif option == "--model":
            assert row["request"]["model"].startswith("fixture-c")
        elif option == "--test":
            assert "test_chat_stream" in row["test_id"]
        elif option == "--finish":  # the provider's word or its category (issue #17: Anthropic's tool_use too)
            assert row["finish_reason"] == value or category(row["finish_reason"]) == value
    assert len(rows) < len(list(LLAMA.glob("*.json")))


def test_ls_errors_and_tools_filters():
    failed = ls_json("--errors", LLAMA)
    assert failed and all(r["error"] for r in failed)
    assert {"chat-exception.json", "anthropic-error.json"} <= {Path(r["source"]).name for r in failed}
    with_tools = {Path(r["source"]).name for r in ls_json("--tools", LLAMA)}
    assert {"chat-stream-tools.json", "chat-tools.json", "anthropic-stream.json"} <= with_tools
    assert "chat-stream.json" not in with_tools


@pytest.mark.parametrize("pattern,expected", [
    ("capital of France", "chat-stream.json"),  # in the answer and the messages
    ("^Paris is", "chat-stream.json"),  # the reassembled answer, across chunks
    ("2\\+2=4", "chat-stream-reasoning.json"),  # in the reasoning
    ("violets are", "completions-stream.json"),  # in the prompt
    ("You are terse", "chat-stream-tools.json"),  # in the system message
])
def test_ls_grep(pattern, expected):
    names = {Path(r["source"]).name for r in ls_json("--grep", pattern, LLAMA)}
    assert expected in names
    assert len(names) < len(list(LLAMA.glob("*.json")))


def test_ls_bad_regex_is_a_usage_error():
    proc = subprocess_llmcat("ls", "--grep", "(", LLAMA)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr and b"--grep" in proc.stderr


def test_ls_sort_orders():
    rows = ls_json("--sort", "tokens", LLAMA)
    totals = [(r["usage"] or {}).get("total_tokens") or 0 for r in rows]
    assert totals == sorted(totals, reverse=True) and totals[0] > 0
    chunks = [r["chunks"] for r in ls_json("--sort", "chunks", LLAMA)]
    assert chunks == sorted(chunks, reverse=True)
    models = [r["request"]["model"] for r in ls_json("--sort", "model", LLAMA)]
    named = [m for m in models if m is not None]
    assert named == sorted(named) and models[: len(named)] == named
    paths = [r["source"] for r in ls_json("--sort", "path", LLAMA / "models.json", LLAMA / "anthropic.json")]
    assert paths == sorted(paths)
    assert run("ls", "--sort", "size", LLAMA).exit_code == 2


def test_ls_terminal_table_shortens_test_ids_and_escapes(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    out = io.BytesIO()
    code = suite.run_ls([str(LLAMA)], Filters(), None, False, Output.of_buffer(out, terminal=True))
    text = out.getvalue().decode()
    assert code == 0
    assert "\t" not in text and "\x1b" not in text.replace("\x1b[", "")  # rich may colour; no raw recorded ESC
    assert "inference/test_fixture.py::test_chat_stream" in text and "tests/integration/" not in text
    assert "evil\\x1b[31m-model" in text


def test_ls_terminal_table_fits_and_keeps_each_calls_path_end(monkeypatch):
    """On a 120-column terminal long models give way first; each path keeps its end (file name and #N)."""
    monkeypatch.setenv("COLUMNS", "120")
    out = io.BytesIO()
    suite.run_ls([str(FIXTURES / "vcr" / "bedrock.yaml"), str(FIXTURES / "vcr" / "multi.yaml")], Filters(), None, False,
                 Output.of_buffer(out, terminal=True))
    lines = out.getvalue().decode().splitlines()
    assert lines and all(len(line) <= 120 for line in lines)
    # the directory they share is said once, in the header (#26)
    assert lines[0].split()[:3] == [f"{FIXTURES / 'vcr'}/", "api", "model"] and "finish" in lines[0]
    assert all(line.startswith(("bedrock.yaml#", "multi.yaml#")) for line in lines[1:])
    for n in (0, 1, 2):
        assert any(f"bedrock.yaml#{n} " in line for line in lines), n
    assert any("multi.yaml#5 " in line for line in lines)


@pytest.mark.parametrize("columns", [80, 100])
def test_ls_on_a_narrow_terminal_leaves_out_columns_before_file_names(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    out = io.BytesIO()
    files = sorted(LLAMA.glob("*.json"))
    suite.run_ls([str(f) for f in files], Filters(), None, False, Output.of_buffer(out, terminal=True))
    lines = out.getvalue().decode().splitlines()
    assert lines and all(len(line) <= columns for line in lines)
    header = lines[0].split()
    # columns that say least give way first: the model and the test id are kept (#26)
    assert header[0].endswith("fixtures/llama-stack/") and header[1:3] == ["api", "model"]
    assert header[-1] == "test_id" and "streamed" not in header
    for f in files:  # every path keeps its end
        assert any(f"{f.name[-16:]} " in line for line in lines[1:]), f.name


def test_ls_pipe_escapes_control_characters():
    proc = subprocess_llmcat("ls", LLAMA / "hostile.json")
    assert proc.returncode == 0 and b"\x1b" not in proc.stdout and b"evil\\x1b[31m-model" in proc.stdout


def test_ls_directory_walk_reports_unreadable_recordings_and_skips_other_files(tmp_path):
    shutil.copy(LLAMA / "chat-stream.json", tmp_path / "good.json")
    shutil.copy(FIXTURES / "bad" / "truncated.json", tmp_path / "cut.json")
    shutil.copy(FIXTURES / "bad" / "not-a-recording.json", tmp_path / "package.json")
    (tmp_path / "notes.txt").write_text("not a recording\n")
    (tmp_path / ".hidden.json").write_text("{")
    proc = subprocess_llmcat("ls", tmp_path)
    assert proc.returncode == 2
    cut = tmp_path / "cut.json"
    assert proc.stderr.decode().splitlines() == [f"llmcat: {cut}: not JSON: unexpected end of data: line 1 column 94 (char 93)"]
    assert [line.split("\t")[0] for line in proc.stdout.decode().splitlines()[1:]] == [str(tmp_path / "good.json")]
    missing = subprocess_llmcat("ls", tmp_path / "nope")
    assert missing.returncode == 2 and missing.stderr.decode() == f"llmcat: {tmp_path / 'nope'}: no such file\n"


def test_ls_reads_many_files_in_parallel_in_input_order(tmp_path):
    names = []
    sources = sorted(LLAMA.glob("*.json"))
    for n in range(parallel.PARALLEL_MIN + 40):
        src = sources[n % len(sources)]
        name = tmp_path / f"d{n % 3}" / f"{n:03d}-{src.name}"
        name.parent.mkdir(exist_ok=True)
        shutil.copy(src, name)
        names.append(str(name))
    bad = tmp_path / "d2" / "999-cut.json"  # read by a forked child: reported all the same
    shutil.copy(FIXTURES / "bad" / "truncated.json", bad)
    proc = subprocess_llmcat("ls", "--json", tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [f"llmcat: {bad}: not JSON: unexpected end of data: line 1 column 94 (char 93)"]
    rows = [orjson.loads(line) for line in proc.stdout.splitlines()]
    assert [r["source"] for r in rows] == sorted(names)
    serial = run_json(*sorted(names))
    assert [(r["api"], r["chunks"], r["usage"]) for r in rows] == [(c["api"], c["chunks"], c["usage"]) for c in serial]


def test_a_block_read_stage_by_stage_keeps_each_files_own_outcome(monkeypatch, tmp_path):
    names = ["chat-stream.json", "embeddings.json", "anthropic-stream.json", "chat-stream-tools.json"]
    specs = [str(LLAMA / name) for name in names]
    bad = tmp_path / "cut.json"
    shutil.copy(FIXTURES / "bad" / "truncated.json", bad)
    specs.insert(2, str(bad))
    alone = [pipeline.read_block([Source(spec, spec, True)], RowsWork())[0] for spec in specs]
    monkeypatch.setattr(pipeline, "STAGED_MAX_BYTES", 4000)  # some files now go through every stage at once
    together = pipeline.read_block([Source(spec, spec, True) for spec in specs], RowsWork())
    assert [r.spec for r in together] == specs
    assert [(r.failure, r.value, r.size) for r in together] == [(r.failure, r.value, r.size) for r in alone]
    assert [r.failure is not None for r in together] == [False, False, True, False, False]

    from msgspec.structs import replace

    from llmcat.apis import registry

    def broken(rec):
        raise KeyError("planted")

    anthropic = registry.registered()["anthropic.messages"]  # a failure in the second stage: that file only
    monkeypatch.setitem(registry.registered(), "anthropic.messages", replace(anthropic, reassemble=broken))
    together = pipeline.read_block([Source(spec, spec, True) for spec in specs], RowsWork())
    assert [r.failure is not None for r in together] == [False, False, True, True, False]
    assert not together[3].value and together[4].value == alone[4].value


def test_parallel_readers_share_the_blocks_and_results_keep_input_order(monkeypatch, tmp_path):
    import os
    import time

    sources = sorted(LLAMA.glob("*.json"))
    specs = []
    for n in range(parallel.PARALLEL_MIN * 2):
        path = tmp_path / f"{n:03d}-{sources[n % len(sources)].name}"
        shutil.copy(sources[n % len(sources)], path)
        specs.append(str(path))

    class SlowAndTagged(RowsWork):  # slow enough that every reader gets blocks; tagged with who read it
        def digest(self, source, calls):
            time.sleep(0.005)
            return os.getpid(), super().digest(source, calls)

        def pack(self, value):
            return value

        def unpack(self, packed):
            return packed

    monkeypatch.setattr(parallel, "workers", lambda: 2)
    results = list(pipeline.read([Source(spec, spec, True) for spec in specs], SlowAndTagged()))
    assert [r.spec for r in results] == specs
    readers = [r.value[0] for r in results]
    assert len(set(readers)) == 2 and os.getpid() in readers
    serial = pipeline.read_block([Source(spec, spec, True) for spec in specs], RowsWork())
    assert [r.value[1] for r in results] == [r.value for r in serial]


@needs_corpus
def test_ls_json_gives_one_row_per_recorded_call_on_the_corpus():
    from llmcat.formats.registry import recording_suffixes

    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name.lower().endswith(recording_suffixes()))
    shown = subprocess_llmcat("show", "--json", *files, timeout=120)
    calls = [(c["source"], c["interaction"]) for c in map(orjson.loads, shown.stdout.splitlines())]
    proc = subprocess_llmcat("ls", "--json", CORPUS, timeout=120)
    rows = [(r["source"], r["interaction"]) for r in map(orjson.loads, proc.stdout.splitlines())]
    assert len(rows) >= 117
    assert sorted(rows) == sorted(calls)
    assert len(set(rows)) == len(rows)


# --- stats -------------------------------------------------------------------------------------------


def test_stats_json_totals_add_up():
    result = run("stats", "--json", LLAMA, FIXTURES / "bad")
    assert result.exit_code == 2  # the bad files are reported ...
    data = orjson.loads(result.stdout_bytes)  # ... and the rest still counted
    assert list(data)[:2] == ["recordings", "calls"]
    files = list(LLAMA.glob("*.json"))
    assert data["recordings"] == len(files) and data["calls"] == len(files)
    assert data["bytes"] == sum(p.stat().st_size for p in files)
    for key in ("by_api", "by_model", "by_host"):
        table = data[key]
        assert sum(e["calls"] for e in table.values()) == data["calls"], key
        assert sum(e["prompt_tokens"] for e in table.values()) == data["prompt_tokens"], key
        assert sum(e["completion_tokens"] for e in table.values()) == data["completion_tokens"], key
    assert sum(data["finish_reasons"].values()) == data["calls"]
    rows = ls_json(LLAMA)
    assert data["streamed"] == sum(r["streaming"] for r in rows)
    assert data["failed"] == sum(r["error"] is not None for r in rows)
    assert data["prompt_tokens"] == sum((r["usage"] or {}).get("prompt_tokens") or 0 for r in rows)
    assert data["by_api"]["openai.chat"]["calls"] == sum(r["api"] == "openai.chat" for r in rows)
    assert data["by_host"]["localhost:11434"]["calls"] == sum("localhost:11434" in (r["request"]["url"] or "") for r in rows)


def test_stats_plain_and_terminal():
    result = run("stats", LLAMA)
    assert result.exit_code == 0
    text = result.stdout
    count = len(list(LLAMA.glob("*.json")))
    assert re.search(rf"^calls:\s+{count}$", text, re.M) and "\x1b" not in text
    assert re.search(r"^openai\.chat\s+\d+\s+\d+\s+\d+$", text, re.M)
    assert "evil\\x1b[31m-model" in text
    out = io.BytesIO()
    assert suite.run_stats([str(LLAMA)], False, Output.of_buffer(out, terminal=True)) == 0
    drawn = out.getvalue().decode()
    assert "by model" in drawn and "openai.chat" in drawn and "finish reasons" in drawn


# --- check -------------------------------------------------------------------------------------------


def legacy_name(obj: dict) -> str:
    """llama-stack's legacy file name, computed here independently of llmcat.formats.llama_stack.hashing."""
    req = obj["request"]
    endpoint = "/" + req["url"].split("/", 3)[3]
    text = json.dumps({"method": req["method"], "endpoint": endpoint, "body": req["body"]}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12] + ".json"


def current_name(obj: dict) -> str:
    req = obj["request"]
    endpoint = "/" + req["url"].split("/", 3)[3]
    text = json.dumps({"method": req["method"], "endpoint": endpoint, "body": req["body"], "test_id": obj.get("test_id")}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest() + ".json"


@pytest.fixture
def faulty(tmp_path) -> Path:
    """A suite with one of each fault planted, and healthy files named as llama-stack names them."""
    root = tmp_path / "recordings"
    good = load("chat-stream.json")
    save(root / current_name(good), good)
    legacy = load("completions-stream.json")
    save(root / legacy_name(legacy), legacy)
    cut = load("chat-stream.json")
    cut["test_id"] = "tests/integration/x.py::test_cut"
    cut["response"]["body"] = cut["response"]["body"][:4]
    save(root / current_name(cut), cut)
    late = load("completions-stream.json")
    late["test_id"] = "tests/integration/x.py::test_late"
    extra = copy.deepcopy(late["response"]["body"][1])
    extra["__data__"]["choices"][0]["text"] = " more"
    late["response"]["body"].append(extra)
    save(root / current_name(late), late)
    usage = load("chat-tools.json")
    usage["test_id"] = "tests/integration/x.py::test_usage"
    usage["response"]["body"]["__data__"]["usage"]["total_tokens"] += 5
    save(root / current_name(usage), usage)
    renamed = load("chat-stream.json")
    renamed["test_id"] = "tests/integration/x.py::test_renamed"
    save(root / ("0" * 64 + ".json"), renamed)
    save(root / "copy" / current_name(good), good)  # the same request again, elsewhere
    failed = load("chat-exception.json")
    save(root / current_name(failed), failed)
    shutil.copy(FIXTURES / "bad" / "truncated.json", root / "cut-short.json")
    shutil.copy(FIXTURES / "bad" / "not-a-recording.json", root / "index.json")
    (root / "README.md").write_text("# recordings\n")
    return root


def check_json(*args) -> tuple[int, list[dict]]:
    result = run("check", "--json", *args)
    return result.exit_code, [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def test_check_does_not_call_cassettes_that_repeat_a_request_duplicates(tmp_path):
    for name in ("test_one.yaml", "test_two.yaml"):  # two tests that make the same calls
        shutil.copyfile(FIXTURES / "vcr" / "multi.yaml", tmp_path / name)
    code, findings = check_json(tmp_path)
    assert findings and not [f for f in findings if f["code"] == "duplicate-request"]
    assert code in (0, 1)


def test_check_finds_each_planted_fault(faulty):
    code, findings = check_json(faulty)
    assert code == 1
    assert all(list(f) == ["source", "interaction", "level", "code", "message"] for f in findings)
    by_code = {}
    for f in findings:
        by_code.setdefault(f["code"], []).append(f)
    expected = {"unreadable": "error", "not-a-recording": "error", "truncated-stream": "error", "chunks-after-finish": "warning",
                "usage-mismatch": "warning", "hash-mismatch": "warning", "duplicate-request": "warning", "recorded-error": "info"}
    assert set(by_code) == set(expected)
    for code_name, level in expected.items():
        assert len(by_code[code_name]) == 1, (code_name, by_code[code_name])
        assert by_code[code_name][0]["level"] == level
    assert by_code["unreadable"][0]["source"].endswith("cut-short.json") and by_code["unreadable"][0]["interaction"] is None
    assert by_code["not-a-recording"][0]["source"].endswith("index.json")
    assert by_code["hash-mismatch"][0]["source"].endswith("0" * 64 + ".json")
    assert "/copy/" in by_code["duplicate-request"][0]["source"]
    assert by_code["duplicate-request"][0]["message"].startswith("records the same request as " + str(faulty))
    cut_file = [f for f in faulty.iterdir() if f.is_file() and "test_cut" in f.read_text()]
    assert by_code["truncated-stream"][0]["source"] == str(cut_file[0])
    assert by_code["chunks-after-finish"][0]["message"] == "1 chunk carries content after the finish"  # (#26: its grammar)
    assert "total_tokens" in by_code["usage-mismatch"][0]["message"]
    assert "maximum context length" in by_code["recorded-error"][0]["message"]


def test_check_line_format(faulty):
    result = run("check", faulty)
    assert result.exit_code == 1
    for line in result.stdout.splitlines():
        assert re.match(r"^\S.*: (error|warning|info): [a-z-]+: .+$", line), line
    assert f"{faulty / 'cut-short.json'}: error: unreadable: not JSON" in result.stdout


def test_check_exit_statuses(tmp_path):
    healthy = load("chat-stream.json")
    save(tmp_path / "ok" / current_name(healthy), healthy)
    assert run("check", tmp_path / "ok").exit_code == 0
    assert run("check", tmp_path / "ok").stdout == ""
    failed = load("chat-exception.json")
    save(tmp_path / "info" / current_name(failed), failed)
    info = run("check", tmp_path / "info")
    assert info.exit_code == 0 and ": info: recorded-error: " in info.stdout
    warn = load("chat-stream.json")
    save(tmp_path / "warn" / "0123456789ab.json", warn)
    assert run("check", tmp_path / "warn").exit_code == 0
    assert run("check", "--strict", tmp_path / "warn").exit_code == 1
    assert run("check", "--strict", tmp_path / "info").exit_code == 0
    assert run("check", FIXTURES / "bad" / "empty.txt").exit_code == 1  # unreadable: a finding, not trouble
    missing = subprocess_llmcat("check", tmp_path / "ok", tmp_path / "nope")
    assert missing.returncode == 2 and missing.stderr.decode() == f"llmcat: {tmp_path / 'nope'}: no such file or directory\n"
    assert run("check", "--bogus", tmp_path).exit_code == 2


def test_check_escapes_untrusted_paths_and_messages(tmp_path):
    hostile = tmp_path / "evil\x1b[2J.json"
    hostile.write_text("{")
    proc = subprocess_llmcat("check", tmp_path)
    assert proc.returncode == 1 and b"\x1b" not in proc.stdout and b"evil\\x1b[2J.json" in proc.stdout


def test_check_model_lists_with_different_model_sets_are_not_duplicates(tmp_path):
    models = load("models.json")
    other = copy.deepcopy(models)
    other["response"]["body"] = other["response"]["body"][:1]
    name = "models-" + "1" * 64 + "-{}.json"
    save(tmp_path / "a" / name.format("aaaaaaaa"), models)
    save(tmp_path / "b" / name.format("bbbbbbbb"), other)
    save(tmp_path / "c" / name.format("aaaaaaaa"), models)
    _, findings = check_json(tmp_path)
    dupes = [f for f in findings if f["code"] == "duplicate-request"]
    assert [Path(f["source"]).parent.name for f in dupes] == ["c"]


def test_check_via_run_check_in_process_collects_in_input_order(faulty):
    out = io.BytesIO()
    assert run_check([str(faulty)], Report(), Output.of_buffer(out)) == 1
    sources = [line.split(": ")[0] for line in out.getvalue().decode().splitlines()]
    assert sources == sorted(sources)


# --- progress ----------------------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_when_slow(monkeypatch):
    from llmcat.render import progress

    monkeypatch.setattr(progress, "DELAY", 0.0)
    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = progress.LazyProgress(100, stream)
        bar.advance(10)
        bar.advance(10)
        bar.close()
    assert tty.getvalue() and pipe.getvalue() == ""
    monkeypatch.setattr(progress, "DELAY", 60.0)
    quick_tty = _Tty()
    bar = progress.LazyProgress(100, quick_tty)
    bar.advance(50)
    bar.close()
    assert quick_tty.getvalue() == ""
