"""Issue #18, amplifying inputs: small files that cost far more than their size to read or compare.

Each test reproduces one finding through the real CLI, in a child process with a CPU or
address-space limit where the finding was a runaway, so a regression fails in seconds
instead of taking the machine with it.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import ROOT

CPU_SECONDS = 20  # a runaway is killed here (SIGXCPU); each of these runs needs well under 2 s


def completion(path: Path, text: str, usage: dict | None = None) -> Path:
    """A non-streamed llama-stack completions recording whose answer is `text`."""
    body = {"id": "cmpl-1", "created": 1, "model": "m", "object": "text_completion",
            "choices": [{"finish_reason": "stop", "index": 0, "logprobs": None, "text": text}],
            "usage": usage or {"completion_tokens": 2, "prompt_tokens": 6, "total_tokens": 8}}
    path.write_text(json.dumps({
        "test_id": "t::x",
        "request": {"method": "POST", "url": "http://h/v1/completions", "headers": {},
                    "body": {"model": "m", "prompt": "p"}, "endpoint": "/v1/completions", "model": "m"},
        "response": {"body": {"__type__": "openai.types.completion.Completion", "__data__": body}, "is_streaming": False},
    }))
    return path


def limited(*args: str, cpu: int = CPU_SECONDS, address_space: int | None = None, prelude: str = "",
            env: dict | None = None) -> subprocess.CompletedProcess:
    """`llmcat ARGS` in a child process under a CPU-time (and optionally address-space) limit.
    `prelude` is Python run before the CLI (to lower a module's cap for a test)."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if address_space:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    code = f"{prelude}\nfrom llmcat.commands.app import main\nmain()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, preexec_fn=limits, cwd=ROOT,
                          env=env, timeout=cpu * 4)


def _prose(n_words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = "the of and a to in is it that was he for on are with as his they be at one have this from".split()
    vocab += [f"w{n}" for n in range(3000)]
    return [rng.choice(vocab) for _ in range(n_words)]


def _as_text(words: list[str]) -> str:
    """Sentences of 15 words, five to a line: how a model writes a long answer."""
    out = []
    for n, word in enumerate(words):
        out.append(word + ("." if n % 15 == 14 else ""))
        out.append("\n" if n % 75 == 74 else " ")
    return "".join(out)


def test_word_diff_of_20000_word_answers_is_near_linear(tmp_path):
    """#18.1: `diff --word-diff` compared words with difflib over the whole text: quadratic
    (20,000 words: over 60 s). textdiff's bounded alignment (#15) makes it ~0.4 s."""
    words = _prose(20_000, 1)
    changed = list(words)
    rng = random.Random(2)
    spots = sorted(rng.sample(range(len(words)), 200))
    for n in spots:
        changed[n] = f"CHANGED{n}"
    a, b = completion(tmp_path / "a.json", _as_text(words)), completion(tmp_path / "b.json", _as_text(changed))
    result = limited("diff", "--word-diff", "--color", "never", str(a), str(b))
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode()
    for n in spots:  # every change shown (only the new side has these words)
        assert f"CHANGED{n}" in out
    assert out.count("{+") >= 100  # as changed runs, not the whole text removed and added


def peak(args: list[str], address_space: int = 3 << 30, prelude: str = "") -> tuple[int, bytes, bytes, int]:
    """(exit status, stdout, stderr, peak RSS in bytes) of `llmcat ARGS` in a child under limits."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    code = f"{prelude}\nfrom llmcat.commands.app import main\nmain()"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=out, stderr=err, preexec_fn=limits, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), usage.ru_maxrss * 1024


def _string_bomb(path: Path, string_bytes: int, width: int, levels: int) -> Path:
    """One big string, aliased `width` times in a list, that list aliased `width` times, ... as the request body."""
    lines = [f's0: &s0 "{"x" * string_bytes}"', "a0: &a0 [" + ", ".join(["*s0"] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    lines.append(f"interactions:\n- request: {{uri: 'http://x/v1/chat/completions', method: POST, body: *a{levels - 1}}}")
    lines.append("  response: {status: {code: 200}, headers: {}, body: {string: *s0}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_yaml_alias_bomb_of_big_strings_is_refused(tmp_path):
    """#18.2: the alias check counted nodes, not bytes: 100 KB of YAML aliasing one 10 KB string
    10,000 times made `show` print 100 MB (1 MB of it: 4 GB of memory). Bytes are counted now."""
    bomb = _string_bomb(tmp_path / "bomb.yaml", 10_000, 100, 2)
    status, out, err, rss = peak(["show", "--color", "never", str(bomb)])
    assert status == 2 and err.decode() == f"llmcat: {bomb}: YAML aliases expand past 16 MB (an alias bomb?); refused\n"
    assert out == b"" and rss < 400 << 20
    shared = _string_bomb(tmp_path / "shared.yaml", 10_000, 3, 1)  # a string aliased a few times is read
    status, out, err, _ = peak(["show", "--color", "never", str(shared)])
    assert status == 0 and out.count(b"x" * 10_000) >= 3, err


def _aliased_gzip_cassette(path: Path, interactions: int, body_bytes: int) -> Path:
    """A VCR cassette whose `interactions` responses all alias one gzip body (YAML anchor on a !!binary)."""
    import base64
    import gzip

    packed = base64.encodebytes(gzip.compress(b"a" * body_bytes, 9)).decode().replace("\n", "")
    lines = ["interactions:"]
    for n in range(interactions):
        body = f"!!binary &body {packed}" if n == 0 else "*body"
        lines += [f"- request: {{method: GET, uri: 'https://example.test/{n}', body: null, headers: {{}}}}",
                  "  response:",
                  "    status: {code: 200, message: OK}",
                  "    headers: {Content-Type: [text/plain], Content-Encoding: [gzip]}",
                  f"    body: {{string: {body}}}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_decompression_cap_counts_the_whole_file(tmp_path):
    """#18.3: the decompression cap was per body: interactions aliasing one gzip body each expanded
    it again (four of a 500 MB body: 3.5 GB; forty: a crash). The cap now counts the whole file:
    four aliased bodies cost what one does; the ones past the cap are that call's error.
    (The cap is lowered to 48 MB in the child so that the test stays small.)"""
    lower = "import llmcat.formats._http as h; h.MAX_DECOMPRESSED = 48 << 20"
    one = _aliased_gzip_cassette(tmp_path / "one.yaml", 1, 40 << 20)
    four = _aliased_gzip_cassette(tmp_path / "four.yaml", 4, 40 << 20)
    status_one, out_one, err_one, rss_one = peak(["show", "--color", "never", str(one)], prelude=lower)
    status_four, out_four, err_four, rss_four = peak(["show", "--color", "never", str(four)], prelude=lower)
    assert status_one == status_four == 0, (err_one, err_four)
    assert out_four.count(b"expands past 48 MB with this file's other compressed data; refused") == 3, out_four[-2000:]
    assert rss_four <= 1.3 * rss_one, (rss_one, rss_four)


def test_out_of_address_space_is_reported_not_a_crash(tmp_path):
    """#18.4: under `ulimit -v`, big inputs ended in SIGSEGV inside orjson (an 8 MB answer: exit 139
    with 40-44 MB and 128-132 MB of address space). Now every limit gives the answer or
    `llmcat: FILE: out of memory ...` and status 2."""
    big = completion(tmp_path / "big.json", "word " * 1_600_000)
    limits = sorted({*range(40, 204, 16), 44, 128, 132, 200})
    for megabytes in limits:
        status, out, err, _ = peak(["show", "--json", str(big)], address_space=megabytes << 20)
        assert status == 0 or (status == 2 and err.decode() == f"llmcat: {big}: out of memory reading this file\n"), \
            (megabytes, status, err[-300:])
    assert status == 0  # with 200 MB it is read


def _merge_chain(path: Path, links: int) -> Path:
    """A VCR cassette whose `defaults` are a chain of mappings, each merging (`<<: *prev`) the one
    before and adding a key: 70 KB at 2,000 links, two million pairs copied by PyYAML's merge."""
    lines = ["d0: &d0 {k0: v}"]
    lines += [f"d{n}: &d{n} {{<<: *d{n - 1}, k{n}: v}}" for n in range(1, links)]
    lines += ["interactions:", f"- request: {{<<: *d{links - 1}, method: GET, uri: 'https://example.test/', body: null}}",
              "  response: {status: {code: 200, message: OK}, headers: {}, body: {string: ok}}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_yaml_merge_key_chain_is_bounded_by_the_alias_budget(tmp_path, monkeypatch):
    """#18.2 for merge keys: a chain of `<<: *a` merges is quadratic (each mapping copies all the
    pairs before it) and its copies are new objects, so the alias check never saw them. The
    copying is counted against the same budget as aliases now: the work done before the refusal
    (pairs merged, counted at PyYAML's own merge) stays within the budget, and the CLI refuses it."""
    import yaml

    from llmcat.formats import _yaml
    from llmcat.model import InputError

    copied = []
    original = yaml.constructor.SafeConstructor.flatten_mapping

    def counting(self, node):
        before = len(node.value)
        original(self, node)
        copied.append(max(0, len(node.value) - before))  # pairs the merge put in (its merge keys removed)

    monkeypatch.setattr(yaml.constructor.SafeConstructor, "flatten_mapping", counting)
    bomb = _merge_chain(tmp_path / "chain.yaml", 2_000)
    assert bomb.stat().st_size < 100_000
    try:
        _yaml.load_yaml(bomb.read_bytes())
    except InputError as exc:
        assert "merge keys (<<)" in str(exc) and "refused" in str(exc)
    else:
        raise AssertionError("a 2,000-link merge chain was read")
    # 2,000 links would copy ~2,000,000 pairs; refused within the budget (1,000,000 nodes = 500,000 pairs)
    assert sum(copied) <= _yaml.MAX_ALIAS_EXPANSION // 2, sum(copied)
    monkeypatch.undo()
    status = limited("show", str(bomb))
    assert status.returncode == 2 and status.stdout == b""
    assert status.stderr.decode() == f"llmcat: {bomb}: YAML merge keys (<<) expand past 16 MB (a merge-key bomb?); refused\n"
    short = _merge_chain(tmp_path / "short.yaml", 20)  # merge keys as cassettes use them are read
    shown = limited("show", "--json", str(short))
    assert shown.returncode == 0 and json.loads(shown.stdout)["request"]["url"] == "https://example.test/", shown.stderr
