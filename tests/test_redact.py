"""`llmcat redact` through the real CLI: in every container llmcat reads, a planted credential is
replaced by `REDACTED-<kind>`, byte for byte elsewhere; inside gzip, `!!binary`, base64 and AWS
event streams too; the redacted file reads as the same calls and `check` finds no credential in
it; nothing is written without --in-place or -o; vcrpy still loads a redacted cassette."""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
import re
import shutil
import stat
import string
import sys

import orjson
import pytest
import yaml

from conftest import FIXTURES, generated_secrets, run, subprocess_llmcat

sys.path.insert(0, str(FIXTURES))
import generate_apis  # noqa: E402
from generate_formats import headers  # noqa: E402

from llmcat.validation.secrets import mask  # noqa: E402

SECRETS = generated_secrets() / "secrets"
PLANTED = orjson.loads((SECRETS / "planted.txt").read_bytes())
RNG = random.Random(25)
KEY = "AIza" + "".join(RNG.choice(string.ascii_letters + string.digits + "_-") for _ in range(35))
REPLACED = "REDACTED-google-api-key"


def secrets_found(path) -> list[dict]:
    result = run("check", "--json", "--only", "secret", path)
    return [orjson.loads(line) for line in result.stdout_bytes.splitlines()]


def calls(path) -> list[dict]:
    """What llmcat reads of each call, the parts a credential does not touch."""
    result = run("show", "--json", path)
    assert result.exit_code == 0, result.stderr
    out = []
    for line in result.stdout_bytes.splitlines():
        call = orjson.loads(line)
        out.append({k: call.get(k) for k in ("api", "format", "streaming", "chunks", "usage", "finish_reason")}
                   | {"texts": [c.get("text") for c in call.get("choices") or []]})
    return out


# --- one fixture of every container, a key planted in it ---------------------------------------

def _one_fixture_of_each_format() -> list[str]:
    """The first fixture llmcat reads as each format it has: a new format is covered without a word."""
    seen: dict[str, str] = {}
    for line in run("ls", "--json", FIXTURES).stdout_bytes.splitlines():
        row = orjson.loads(line)
        seen.setdefault(row["format"], os.path.relpath(row["source"], FIXTURES))
    return sorted(seen.values())


ONE_OF_EACH = _one_fixture_of_each_format()
_URL = re.compile(rb"https?://[A-Za-z0-9.\-:]+/[^\s\"'?\\]*(\?)?")
_TEXT_FIELD = re.compile(rb"(\\?\"(?:text|content|completion|generation|outputText)\\?\"\s*:\s*\\?\"|\b(?:text|content): )")


def plantings(data: bytes, value: str):
    """Ways to plant `value` in a recording's bytes: in its first URL's query, or at the start of a
    text field; an httprr trace's first exchange gets its length written anew."""
    match = _URL.search(data)
    if match:
        at = match.end()
        yield _lengths_fixed(data, data[:at] + (f"key={value}&" if match.group(1) else f"?key={value}").encode() + data[at:])
    for match in _TEXT_FIELD.finditer(data):
        yield _lengths_fixed(data, data[:match.end()] + f"the key {value} ".encode() + data[match.end():])


def _lengths_fixed(original: bytes, planted: bytes) -> bytes:
    if not original.startswith(b"httprr trace v1\n"):
        return planted
    first, _, rest = planted[16:].partition(b"\n")
    request, response = map(int, first.split())
    return b"httprr trace v1\n%d %d\n" % (request + len(planted) - len(original), response) + rest


def planted_copy(tmp_path, name: str):
    """The fixture with KEY planted where check finds it, and the same with the placeholder planted
    instead (what redact must write, byte for byte)."""
    data = (FIXTURES / name).read_bytes()
    target = tmp_path / os.path.basename(name)
    for planted, expected in zip(plantings(data, KEY), plantings(data, REPLACED), strict=True):
        target.write_bytes(planted)
        if any(KEY[:4] in f["message"] for f in secrets_found(target)):
            return target, planted, expected
    return None, None, None


@pytest.mark.parametrize("name", ONE_OF_EACH)
def test_a_planted_key_is_redacted_in_every_container(tmp_path, name):
    target, planted, expected = planted_copy(tmp_path, name)
    assert target is not None, f"no place to plant a key that check finds in {name}"
    before = calls(target)
    target.chmod(0o640)
    dry = run("redact", target)
    assert dry.exit_code == 1 and target.read_bytes() == planted  # a dry run writes nothing
    assert f": google-api-key AIza…{KEY[-2:]} (39 chars) → {REPLACED}\n" in dry.stdout
    result = run("redact", "--in-place", target)
    assert result.exit_code == 1, result.stderr
    assert target.read_bytes() == expected  # byte for byte elsewhere
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert secrets_found(target) == []
    shown = f"[{mask(KEY)}]"  # as show masks it
    assert calls(target) == [{**call, "texts": [t.replace(shown, REPLACED) if t else t for t in call["texts"]]} for call in before]
    assert run("redact", target).exit_code == 0  # nothing left to do
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left behind


# --- encoded bodies ---------------------------------------------------------------------------------


def test_keys_inside_gzip_binary_base64_and_event_streams(tmp_path):
    tree = tmp_path / "suite"
    shutil.copytree(SECRETS, tree, ignore=shutil.ignore_patterns("*.txt"))
    stream = generate_apis.post(f"{generate_apis.BEDROCK}/amazon.titan-text-express-v1/invoke-with-response-stream",
                                {"inputText": "Key?"}, headers("application/vnd.amazon.eventstream"), generate_apis.invoke_stream(
                                    {"outputText": f"Use {KEY} here.", "index": 0, "completionReason": None},
                                    {"outputText": " Done.", "index": 0, "completionReason": "FINISH", **generate_apis.metrics(4, 6)}))
    (tree / "bedrock-stream.yaml").write_text(yaml.safe_dump({"interactions": [stream], "version": 1}))
    gz = tree / "zipped.yaml.gz"
    gz.write_bytes(gzip.compress((SECRETS / "headers.yaml").read_bytes(), mtime=1700000000))
    found = secrets_found(tree)
    assert {f["source"] for f in found} >= {str(tree / "bodies.yaml"), str(tree / "session.har"), str(tree / "bedrock-stream.yaml"),
                                             str(gz), str(tree / "matrix" / "vcrpy.yaml")}
    before = {path: calls(path) for path in sorted({f["source"] for f in found})}
    result = run("redact", "--in-place", tree)
    assert result.exit_code == 1, result.stderr
    assert len(result.stdout.splitlines()) == len(found)
    assert secrets_found(tree) == []
    for path, was in before.items():
        now = calls(path)
        assert [{k: v for k, v in c.items() if k != "texts"} for c in now] == [{k: v for k, v in c.items() if k != "texts"} for c in was]
    assert calls(tree / "bedrock-stream.yaml")[0]["texts"] == [f"Use {REPLACED} here. Done."]
    unzipped = gzip.decompress(gz.read_bytes())
    assert unzipped == (tree / "headers.yaml").read_bytes()  # the same file, redacted alike inside its gzip
    assert gz.read_bytes()[4:8] == (1700000000).to_bytes(4, "little")  # the gzip header's time kept
    text = (tree / "bodies.yaml").read_text()
    assert "!!binary |" in text  # still the recorder's own encoding


def test_a_llama_stack_recording_keeps_its_name(tmp_path):
    (source,) = [SECRETS / "matrix" / name for name in os.listdir(SECRETS / "matrix") if name.startswith("llama-stack-google")]
    tree = tmp_path / "tests" / "integration" / "recordings"
    tree.mkdir(parents=True)
    shutil.copy(source, tree / source.name)
    assert run("redact", "--in-place", tmp_path).exit_code == 1
    assert [p.name for p in tree.iterdir()] == [source.name]
    assert secrets_found(tmp_path) == []


# --- where it writes ---------------------------------------------------------------------------------


def test_output_directory_is_a_redacted_copy_of_the_tree(tmp_path):
    tree = tmp_path / "suite"
    shutil.copytree(SECRETS / "matrix", tree)
    before = {p.relative_to(tree): p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    result = run("redact", "-o", out, tree)
    assert result.exit_code == 1, result.stderr
    assert {p.relative_to(tree): p.read_bytes() for p in tree.rglob("*") if p.is_file()} == before  # the input untouched
    assert {p.relative_to(out) for p in out.rglob("*") if p.is_file()} == set(before)
    assert secrets_found(out) == [] and secrets_found(tree) != []
    assert run("redact", "-o", tree / "inside", tree).exit_code == 2  # into the tree it reads: refused
    assert run("redact", "--in-place", "-o", out, tree).exit_code == 2


def test_nothing_found_is_0_and_a_missing_path_is_2(tmp_path):
    clean = tmp_path / "clean.yaml"
    shutil.copy(SECRETS / "placeholders.yaml", clean)
    assert (run("redact", "--in-place", clean).exit_code, run("redact", clean).stdout) == (0, "")
    assert clean.read_bytes() == (SECRETS / "placeholders.yaml").read_bytes()
    missing = subprocess_llmcat("redact", tmp_path / "none.yaml")
    assert missing.returncode == 2 and missing.stderr.count(b"\n") == 1


def test_no_credential_is_printed_whole(tmp_path):
    tree = tmp_path / "suite"
    shutil.copytree(SECRETS, tree, ignore=shutil.ignore_patterns("*.txt"))
    for args in (["redact"], ["redact", "--dry-run"], ["redact", "-o", tmp_path / "out"], ["redact", "--in-place"]):
        proc = subprocess_llmcat(*args, tree)
        printed = proc.stdout + proc.stderr
        assert proc.returncode == 1 and printed
        for planted in PLANTED:
            assert planted["value"].encode() not in printed and planted["value"][6:-2].encode() not in printed


# --- vcrpy -----------------------------------------------------------------------------------------


def test_vcrpy_still_loads_a_redacted_cassette(tmp_path):
    vcr_filesystem = pytest.importorskip("vcr.persisters.filesystem")
    serializer = pytest.importorskip("vcr.serializers.yamlserializer")
    answer = json.dumps({"id": "c1", "choices": [{"index": 0, "message": {"role": "assistant", "content": f"Your key: {KEY}"}}]})
    zipped = generate_apis.post("https://api.example.test/v1/chat/completions", {"model": "m-fx"},
                                headers("application/json", content_encoding="gzip"), gzip.compress(answer.encode(), mtime=0))
    (tmp_path / "gzip-binary.yaml").write_text(yaml.safe_dump({"interactions": [zipped], "version": 1}))
    assert "!!binary" in (tmp_path / "gzip-binary.yaml").read_text()
    loaded = []
    for name in ("gzip-binary.yaml", "headers.yaml", "bodies.yaml", "matrix/vcrpy.yaml", "query.yaml", "matrix/pydantic-ai.yaml"):
        cassette = tmp_path / name.replace("/", "-")
        if name != "gzip-binary.yaml":
            shutil.copy(SECRETS / name, cassette)
        try:
            requests_before, responses_before = vcr_filesystem.FilesystemPersister.load_cassette(str(cassette), serializer)
        except TypeError:  # pytest-recording's and pydantic-ai's own keys (`parsed_body`): not vcrpy's to load
            continue
        loaded.append(name)
        assert run("redact", "--in-place", cassette).exit_code == 1
        requests, responses = vcr_filesystem.FilesystemPersister.load_cassette(str(cassette), serializer)
        assert len(requests) == len(requests_before) and len(responses) == len(responses_before)
        for before, after in zip(requests_before, requests, strict=True):
            assert (after.method, after.host) == (before.method, before.host)
        for before, after in zip(responses_before, responses, strict=True):
            assert after["status"] == before["status"] and isinstance(after["body"]["string"], type(before["body"]["string"]))
        bodies = [_text(r.body) for r in requests] + [_text(r["body"]["string"]) for r in responses]
        dumped = json.dumps([(r.uri, dict(r.headers)) for r in requests]) + json.dumps([r["headers"] for r in responses]) + "".join(bodies)
        assert "REDACTED-" in dumped
        for value in [p["value"] for p in PLANTED if p["file"].endswith(name)] + [KEY]:
            assert value not in dumped
    assert {"gzip-binary.yaml", "query.yaml", "headers.yaml"} <= set(loaded), loaded


def _text(body) -> str:
    if isinstance(body, bytes):
        return (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8", "replace")
    return body or ""


# --- #24's planted credentials: every one, in every place, replaced ---------------------------------


def test_every_planted_credential_is_redacted_and_check_then_finds_none(tmp_path):
    """fixtures/generate_planted.py's fresh keys (22 places: needless and lower-case %-escapes, a
    password with `"` and `\\`, an answer and tool arguments split across a stream's chunks...):
    redacted in place, the files read as the same calls, and check finds no credential left."""
    import generate_planted

    key = generate_planted.write_planted(tmp_path)
    listed_before = secrets_found(tmp_path)
    assert len(listed_before) == len(key)
    rows_before = run("ls", "--json", tmp_path).stdout_bytes.splitlines()
    result = run("redact", "--in-place", tmp_path)
    assert (result.exit_code, result.stderr) == (1, ""), result.stderr
    assert secrets_found(tmp_path) == []
    rows_after = run("ls", "--json", tmp_path).stdout_bytes.splitlines()
    assert [orjson.loads(r)["source"] for r in rows_after] == [orjson.loads(r)["source"] for r in rows_before]
    answers = run("join", tmp_path / "planted.yaml").stdout
    assert "Your key: REDACTED-openai-api-key." in answers  # (split across three chunks: one placeholder)
    arguments = [c["choices"][0]["tool_calls"] for c in run_json_lines("show", "--json", tmp_path / "planted.yaml")
                 if c["choices"] and c["choices"][0]["tool_calls"]]
    assert any(json.loads(t["arguments"]).get("api_key") == "REDACTED-groq-api-key" for calls in arguments for t in calls)
    for _, _, value in key:
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert value.encode() not in path.read_bytes()


def run_json_lines(*args) -> list[dict]:
    return [orjson.loads(line) for line in run(*args).stdout_bytes.splitlines()]


def test_a_split_value_is_replaced_only_where_the_chunks_cut_it():
    from llmcat.validation.redact import _pieced

    def redact_split(data: bytes, value: str, kind: str) -> bytes:
        return _pieced(data, value.encode(), f"REDACTED-{kind}".encode())

    value = "gsk_" + "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(52))
    chunks = b'data: {"d":"key: ' + value[:10].encode() + b'"}\n\ndata: {"d":"' + value[10:].encode() + b' ok"}\n'
    assert redact_split(chunks, value, "groq-api-key") == b'data: {"d":"key: REDACTED-groq-api-key"}\n\ndata: {"d":" ok"}\n'
    scattered = b'{"a":"' + value[:10].encode() + b'x", "b":"' + value[10:].encode() + b'"}'  # (not cut at a string's end)
    assert redact_split(scattered, value, "groq-api-key") == scattered
    far = b'{"a":"' + value[:10].encode() + b'", "pad":"' + b"p" * 3000 + b'", "b":"' + value[10:].encode() + b'"}'
    assert redact_split(far, value, "groq-api-key") == far  # (pieces a chunk's framing apart, no further)


def test_a_base64_block_whose_last_line_is_short_is_redacted_inside():
    """`!!binary` lines end where the base64 ends: the last may be `AAA=` (it had cut the block short, so
    its gzip could not be undone and the key inside stayed; seen with one draw of the planted keys)."""
    from llmcat.validation.redact import redact_bytes, replacements

    def short_last_line(encoded: bytes, width: int) -> bool:
        tail = len(encoded) % width
        return 1 <= tail <= 4 and encoded.endswith(b"=") and len(encoded[-tail:].rstrip(b"=")) <= 3

    encoded, width = next((e, w) for n in range(40) for e in [base64.b64encode(gzip.compress(
        json.dumps({"text": f"Your key is {KEY}." + " " * n}).encode(), mtime=0))] for w in range(40, 120) if short_last_line(e, w))
    lines = [encoded[i:i + width] for i in range(0, len(encoded), width)]
    assert len(lines[-1].rstrip(b"=")) <= 3 and lines[-1].endswith(b"=")
    data = b"body: !!binary |\n  " + b"\n  ".join(lines) + b"\nnext: 1\n"
    redacted = redact_bytes(data, replacements([("google-api-key", KEY)]))
    block = b"".join(line.strip() for line in redacted.split(b"\n")[1:-2])
    inner = gzip.decompress(base64.b64decode(block)).decode()
    assert KEY not in inner and REPLACED in inner
    assert redacted.endswith(b"\nnext: 1\n")
