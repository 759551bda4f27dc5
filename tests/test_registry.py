"""The format and API registries, and CONTRIBUTING.md's checklist where a test can hold it.

- every registered format reads at least one fixture of ours;
- every registered API answers at least one fixture, streamed and not where it streams;
- the documentation names every format and API;
- the registries, not tables elsewhere, decide: a format or API declared in a new module is
  used by every command without touching any other file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from functools import lru_cache
from pathlib import Path

import orjson
import pytest

from conftest import FIXTURES, ROOT, run
from llmcat.apis import reassemble
from llmcat.apis.registry import registered as registered_apis
from llmcat.formats import load
from llmcat.formats.registry import registered as registered_formats
from llmcat.model import InputError

# Fixtures that exist to be refused or to attack: not evidence that a format or API is covered.
NOT_COVERAGE = {"bad", "hostile"}


@lru_cache(maxsize=1)
def _fixture_calls() -> tuple[set[str], set[tuple[str, bool]]]:
    formats: set[str] = set()
    apis: set[tuple[str, bool]] = set()
    for root, dirs, files in os.walk(FIXTURES):
        dirs[:] = [d for d in dirs if d not in NOT_COVERAGE]
        for name in files:
            if name.endswith(".py"):
                continue
            try:
                recordings, _ = load(os.path.join(root, name))
            except InputError:
                continue
            for rec in recordings:
                formats.add(rec.format)
                apis.add((reassemble(rec).api, rec.response.streaming))
    return formats, apis


@pytest.mark.parametrize("fmt", [f.name for f in registered_formats()])
def test_every_format_has_a_fixture(fmt):
    formats, _ = _fixture_calls()
    assert fmt in formats, f"no fixture in fixtures/ is read as {fmt!r}: add one with its generator"


@pytest.mark.parametrize("name", sorted(registered_apis()))
def test_every_api_has_fixtures_streamed_and_not(name):
    _, apis = _fixture_calls()
    api = registered_apis()[name]
    assert (name, False) in apis or (name, True) in apis, f"no fixture answers as {name!r}"
    if api.streams:
        assert (name, True) in apis, f"{name!r} streams, but no fixture of a streamed answer"
        assert (name, False) in apis, f"{name!r} streams, but no fixture of a whole answer"


def test_docs_lists_are_generated_from_the_registries():
    checked = subprocess.run([sys.executable, str(ROOT / "tools" / "docs.py"), "--check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_docs_name_every_format_and_api():
    readme = (ROOT / "README.md").read_text()
    manual = (ROOT / "man" / "llmcat.1").read_text().replace("\\-", "-").replace("\\&", "")
    for fmt in registered_formats():
        assert f"`{fmt.name}`" in readme, f"README does not name format {fmt.name}"
        assert fmt.name in manual, f"man page does not name format {fmt.name}"
    for name in registered_apis():
        assert f"`{name}`" in readme, f"README does not name API {name}"
        assert name in manual, f"man page does not name API {name}"


def test_formats_declare_what_they_are():
    for fmt in registered_formats():
        assert fmt.summary and fmt.suffixes, f"{fmt.name}: summary and suffixes are for the docs and the walk"
    orders = [f.order for f in registered_formats()]
    assert orders == sorted(orders)


# --- one new module is enough ----------------------------------------------------------------

NEW_FORMAT = '''
from llmcat.formats.registry import Content, Format, register
from llmcat.formats import _http
from llmcat.model import Recording, Response


def read(content: Content):
    obj = content.json
    if not (isinstance(obj, dict) and obj.get("kind") == "toy-capture"):
        return None
    out = []
    for n, call in enumerate(obj["calls"]):
        response = Response(status=200)
        _http.fill_body(response, call["reply"], False)
        out.append(Recording(content.source, n, "toy", _http.http_request("POST", call["url"], None), response, call))
    return out


register(Format(name="toy", read=read, order=45, suffixes=(".toy",), multi_call=True, http_exchanges=True,
                summary="a format made up for this test"))
'''

NEW_API = '''
from llmcat.apis._common import Choices, seal
from llmcat.apis.registry import Api, register
from llmcat.model import Completion


def reassemble(rec):
    out = Completion(api="toy.echo")
    choices = Choices()
    choices.get(0).text.append(rec.response.events[0]["echo"])
    choices.get(0).finish_reason = "done"
    out.choices = choices.build()
    return seal(out, rec)


register(Api(name="toy.echo", reassemble=reassemble, paths=("/v1/echo",), summary="an API made up for this test"))
'''


def test_a_new_format_and_api_are_one_module_each(tmp_path):
    """Copy the package, add one module to formats/ and one to apis/, and every command uses them."""
    import shutil

    package = tmp_path / "llmcat"
    shutil.copytree(ROOT / "llmcat", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "formats" / "toy.py").write_text(textwrap.dedent(NEW_FORMAT))
    (package / "apis" / "toy_echo.py").write_text(textwrap.dedent(NEW_API))
    suite = tmp_path / "suite"
    suite.mkdir()
    calls = [{"url": "https://echo.test/v1/echo", "reply": orjson.dumps({"echo": "hello"}).decode()},
             {"url": "https://echo.test/v1/other", "reply": "plain"}]
    (suite / "a.toy").write_bytes(orjson.dumps({"kind": "toy-capture", "calls": calls}))
    (suite / "broken.toy").write_text("{")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def llmcat(*args):
        return subprocess.run([sys.executable, "-m", "llmcat", *args], capture_output=True, env=env, cwd=tmp_path, timeout=60)

    joined = llmcat("join", str(suite / "a.toy#0"))
    assert joined.returncode == 0 and joined.stdout == b"hello\n"
    shown = [orjson.loads(line) for line in llmcat("show", "--json", str(suite / "a.toy")).stdout.splitlines()]
    assert [(c["format"], c["api"], [choice["finish_reason"] for choice in c["choices"]]) for c in shown] == [
        ("toy", "toy.echo", ["done"]), ("toy", "http", [])]
    listed = llmcat("ls", str(suite))
    assert listed.returncode == 2  # broken.toy ends in a declared suffix: reported, not dropped
    assert b"broken.toy" in listed.stderr and b"a.toy#0" in listed.stdout and b"a.toy#1" in listed.stdout


def test_api_detection_prefers_the_longest_path_ending():
    """`/api/embeddings` is Ollama's, though `/embeddings` (OpenAI's) also ends it."""
    from llmcat.apis.registry import detect
    from llmcat.model import Recording, Request, Response

    def call(url):
        return Recording("x", 0, "vcr", Request("POST", url, None), Response(events=[{}], event_types=[None]))

    assert detect(call("http://localhost:11434/api/embeddings")) == "ollama.embed"
    assert detect(call("https://api.test/v1/embeddings")) == "openai.embeddings"
    assert detect(call("https://api.test/v1/chat/completions")) == "openai.chat"
    assert detect(call("https://api.test/v1/unknown")) == "http"


def test_the_cli_reads_every_format_fixture():
    """Through the real CLI, one file per format: nothing reads a format that ls cannot list."""
    formats, _ = _fixture_calls()
    listed = run("ls", "--json", str(FIXTURES / "llama-stack"), str(FIXTURES / "vcr"), str(FIXTURES / "har"), str(FIXTURES / "raw"))
    seen = {orjson.loads(line)["format"] for line in listed.stdout_bytes.splitlines()}
    assert {"llama-stack", "vcr", "har", "json", "jsonl", "sse"} <= seen <= formats | {"vcr"}


def test_no_two_fixture_files_are_the_same_bytes():
    """A copy tests one reader twice and looks like coverage of two: each fixture writes bytes of its own."""
    import hashlib

    seen: dict[bytes, list[str]] = {}
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts and path.stat().st_size > 64:
            seen.setdefault(hashlib.sha256(path.read_bytes()).digest(), []).append(str(path.relative_to(FIXTURES)))
    assert [names for names in seen.values() if len(names) > 1] == []


def test_unknown_text_keeps_its_reason(tmp_path):
    path = Path(tmp_path) / "notes.txt"
    path.write_text("just some words\n")
    result = run("show", str(path))
    assert result.exit_code == 2 and result.stderr.startswith(f"llmcat: {path}: not JSON:")
