"""Hostile and broken input, one named test per case, for every command `llmcat --help` lists.

The commands and how to call them come from one table (fuzz/commands.py); an entry whose
command does not exist yet skips with that reason, and a command the table does not know
fails `test_every_command_is_in_the_table`. Every run must: exit with an allowed status,
print no traceback, write only `llmcat: ...` lines to stderr (one per bad input), keep
terminal control sequences out of human views, still process the other inputs, and leave
the input byte-for-byte and mtime untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import LLAMA
from fuzz import mutate
from fuzz.commands import TABLE, Command, skip_reason, uncovered
from fuzz.run import fingerprint, good_recording, problems_with, run_inprocess, write_input
from llmcat.render.escape import inline

COMMANDS = [pytest.param(c, id=c.label, marks=pytest.mark.skipif(bool(skip_reason(c)), reason=skip_reason(c) or ""))
            for c in TABLE]
# The exhaustive (costly) tests run each command once, not every variant of its options.
PRIMARY = [p for p, c in zip(COMMANDS, TABLE, strict=True) if not c.variant]
GOOD = good_recording()


def test_every_command_is_in_the_table():
    assert uncovered() == [], "add these commands to fuzz/commands.py TABLE so the hostile-input suites cover them"


@contextlib.contextmanager
def untouched(*paths: Path):
    """The inputs are read-only during the block and byte- and mtime-identical after it."""
    regular = [p for p in paths if p.is_file() and not p.is_symlink()]
    for path in regular:
        path.chmod(0o444)
    before = [fingerprint(p) for p in regular]
    yield
    assert [fingerprint(p) for p in regular] == before, "an input was written to"


def survive(command: Command, bad: list[str], *, stdin: bytes = b"", expect_bad: bool = True, with_good: bool = True):
    """Run `command` on the bad inputs; check everything a run must satisfy; return the outcome."""
    outcome = run_inprocess(command.build(bad, GOOD), stdin)
    found = problems_with(command, outcome, bad_inputs=len(bad))
    assert not found, found
    if expect_bad:
        assert outcome.exit_code in command.bad_exits, (outcome.exit_code, outcome.stderr)
        if command.reports_on_stderr:
            lines = outcome.stderr.splitlines()
            assert len(lines) == len(bad), lines
            for line, name in zip(lines, bad, strict=True):
                assert line.startswith(f"llmcat: {inline(name)}: ") and len(line) > len(f"llmcat: {inline(name)}: "), line
    if with_good and command.keeps_others:  # the good input after a bad one is still processed, in full
        alone = run_inprocess(command.build([GOOD], GOOD)).stdout
        both = run_inprocess(command.build([*bad, GOOD], GOOD), stdin)
        assert not problems_with(command, both, bad_inputs=len(bad))
        assert alone and alone in both.stdout
    return outcome


def mutant_file(tmp_path: Path, data: bytes, name: str = "mutant.json") -> Path:
    return write_input(tmp_path, name, data)


def checked_mutants(command: Command, tmp_path: Path, datas: list[bytes], batch: int = 40) -> None:
    """Every mutant through the command, bad or not, and each run must behave. Commands that take
    many inputs get them in batches (which also exercises per-file isolation); diff a sample, one at a time."""
    size = batch if command.many else 1
    if not command.many:  # one run per mutant: an even sample (the reader is covered in full by the others)
        datas = datas[:: max(1, len(datas) // 120)]
    for start in range(0, len(datas), size):
        paths = [mutant_file(tmp_path, data, f"m{start + n}.json") for n, data in enumerate(datas[start:start + size])]
        with untouched(*paths):
            outcome = run_inprocess(command.build([str(p) for p in paths], GOOD))
            found = problems_with(command, outcome, bad_inputs=len(paths))
            assert not found, (found, [d[:200] for d in datas[start:start + size]] if size == 1 else outcome.stderr[:2000])
        for path in paths:
            path.chmod(0o644)
            path.unlink()


# --- damaged content ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", PRIMARY)
def test_truncated_at_any_byte(command, tmp_path):
    data = (LLAMA / "anthropic-stream.json").read_bytes()
    cuts = sorted(set(range(0, len(data), 7)) | set(range(len(data) - 40, len(data))))
    checked_mutants(command, tmp_path, [data[:cut] for cut in cuts])
    survive(command, [str(mutant_file(tmp_path, data[: len(data) // 2], "half.json"))])


@pytest.mark.parametrize("command", PRIMARY)
def test_random_bytes_flipped(command, tmp_path):
    rng = random.Random(6)
    seeds = [(LLAMA / name).read_bytes() for name in ("chat-stream-tools.json", "gemini-stream.json", "interactions-stream.json")]
    checked_mutants(command, tmp_path, [mutate.flip_bytes(rng.choice(seeds), rng) for _ in range(120)])


def _with_value_at_every_path(data: bytes, values: list) -> list[bytes]:
    obj = json.loads(data)
    out = []
    for path in list(mutate._paths(obj))[1:]:
        for value in values:
            copy = json.loads(data)
            parent = copy
            for step in path[:-1]:
                parent = parent[step]
            if type(parent[path[-1]]) is type(value):
                continue
            parent[path[-1]] = value
            out.append(json.dumps(copy).encode())
    return out


@pytest.mark.parametrize("command", PRIMARY)
def test_wrong_type_at_any_path(command, tmp_path):
    values = [None, 7, "text", [1], {"k": "v"}]
    datas = []
    for name in ("chat-stream-tools.json", "anthropic-stream.json", "ollama-chat-stream.json", "chat-exception.json"):
        datas += _with_value_at_every_path((LLAMA / name).read_bytes(), values)
    assert len(datas) > 1000
    checked_mutants(command, tmp_path, datas)


@pytest.mark.parametrize("command", PRIMARY)
def test_missing_keys(command, tmp_path):
    datas = []
    for name in ("chat-stream-tools.json", "gemini-stream.json", "anthropic-stream.json", "interactions-error.json"):
        data = (LLAMA / name).read_bytes()
        obj = json.loads(data)
        for path in list(mutate._paths(obj))[1:]:
            copy = json.loads(data)
            parent = copy
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
            datas.append(json.dumps(copy).encode())
    checked_mutants(command, tmp_path, datas)
    survive(command, [str(mutant_file(tmp_path, b'{"request": {}, "response": {}}'))], expect_bad=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_file(command, tmp_path):
    """An empty file with a recording's ending is a recording of no call (no error); any other is an empty file,
    and so is an empty request for `explain` (the file it is given first is a request, not a recording); `explain`
    searching only a recording of no call says it had no call to compare with."""
    said_of_empty = {"explain": "empty file", "explain-suite": "no recorded call here to compare with"}.get(command.label, "")
    for n, data in enumerate((b"", b"  \n\t\n")):
        for name, said in ((f"empty{n}.json", said_of_empty), (f"empty{n}.txt", "empty file")):
            path = mutant_file(tmp_path, data, name)
            with untouched(path):
                outcome = survive(command, [str(path)], expect_bad=bool(said))
            if command.reports_on_stderr:
                assert outcome.stderr == (f"llmcat: {path}: {said}\n" if said else "")


@pytest.mark.parametrize("command", COMMANDS)
def test_nul_bytes(command, tmp_path):
    data = (LLAMA / "chat-stream.json").read_bytes()
    raw_nul = [b"\x00" + data, data[:200] + b"\x00" + data[200:], b"\x00" * 4096]
    for n, bad in enumerate(raw_nul):
        path = mutant_file(tmp_path, bad, f"nul{n}.json")
        with untouched(path):
            survive(command, [str(path)])
    # An escaped NUL inside the answer is valid JSON: read, and shown escaped.
    escaped = mutant_file(tmp_path, data.replace(b"Paris", b"Par\\u0000is"), "escaped-nul.json")
    with untouched(escaped):
        outcome = survive(command, [str(escaped)], expect_bad=False)
    if command.label == "show":
        assert "Par\\x00is" in outcome.stdout.decode()


@pytest.mark.parametrize("command", COMMANDS)
def test_invalid_utf8(command, tmp_path):
    data = (LLAMA / "chat-stream.json").read_bytes()
    for n, junk in enumerate((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80")):
        path = mutant_file(tmp_path, data.replace(b"Paris", b"Par" + junk + b"is"), f"utf8-{n}.json")
        with untouched(path):
            outcome = survive(command, [str(path)])
        if command.reports_on_stderr:
            assert "UTF-8" in outcome.stderr
    # The same in a stream big enough (> 256 KB) for the fast reader, in a text it reads
    # and, for the suite commands (which read every file fast), in a field it skips
    # (msgspec does not check skipped strings; show and join do not pay to check them).
    inflated = mutate.inflate(data, random.Random(0))
    assert len(inflated) > 256 * 1024 and b"chatcmpl-fixture" in inflated
    cases = [("read", inflated.replace(b"Paris", b"Par\xffis", 1))]
    if command.name in ("ls", "stats", "check"):
        cases.append(("skipped", inflated.replace(b"chatcmpl-fixture", b"chatcmpl-\xff", 1)))
    for name, big in cases:
        path = mutant_file(tmp_path, big, f"utf8-big-{name}.json")
        with untouched(path):
            outcome = survive(command, [str(path)], with_good=False)
        if command.reports_on_stderr:
            assert "not valid UTF-8" in outcome.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_lone_surrogates(command, tmp_path):
    data = (LLAMA / "chat-stream.json").read_bytes()
    for n, escape in enumerate((b"\\ud800", b"\\udfff", b"\\udc00\\ud83d")):
        path = mutant_file(tmp_path, data.replace(b"Paris", b"Par" + escape + b"is").replace(b"fixture-gpt", escape), f"sur{n}.json")
        with untouched(path):
            outcome = survive(command, [str(path)], expect_bad=False)
        if command.label == "show":
            assert "Par\\ud" in outcome.stdout.decode()


@pytest.mark.parametrize("command", COMMANDS)
def test_deep_nesting_100000(command, tmp_path):
    depth = 100_000
    whole = [b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth, b"[" * depth]
    for n, data in enumerate(whole):
        path = mutant_file(tmp_path, data, f"deep{n}.json")
        with untouched(path):
            survive(command, [str(path)])
    # Nested as deep as the reader accepts, inside a recording that is otherwise fine.
    data = (LLAMA / "chat-stream.json").read_bytes()
    deep = b"[" * 1000 + b"]" * 1000
    nested = data.replace(b'"stream": true', b'"stream": ' + deep).replace(b'"logprobs": null', b'"logprobs": ' + deep)
    path = mutant_file(tmp_path, nested, "deep-inside.json")
    with untouched(path):
        survive(command, [str(path)], expect_bad=False, with_good=False)


@pytest.fixture(scope="module")
def huge_recording(tmp_path_factory) -> Path:
    """A recording whose answer is one 100 MB string (ending in an escape sequence)."""
    path = tmp_path_factory.mktemp("huge") / "huge.json"
    head = (b'{"request": {"method": "POST", "url": "http://h.test/v1/chat/completions", "body": {"model": "m", '
            b'"messages": [{"role": "user", "content": "hi"}]}}, "response": {"body": {"__type__": '
            b'"openai.types.chat.chat_completion.ChatCompletion", "__data__": {"choices": [{"index": 0, '
            b'"finish_reason": "stop", "message": {"role": "assistant", "content": "')
    with open(path, "wb") as out:
        out.write(head)
        block = b"A" * (1 << 20)
        for _ in range(100):
            out.write(block)
        out.write(b'\\u001b[2J"}}]}}, "is_streaming": false}}')
    yield path
    path.chmod(0o644)
    path.unlink()


@pytest.mark.slow
@pytest.mark.parametrize("command", PRIMARY)
def test_huge_string_100mb(command, huge_recording):
    with untouched(huge_recording):
        argv = command.build([str(huge_recording)], GOOD)
        proc = subprocess.run([sys.executable, "-m", "llmcat", *argv], capture_output=True,
                              timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode in command.exits and b"Traceback" not in proc.stderr, proc.stderr[-500:]
    assert all(line.startswith(b"llmcat: ") for line in proc.stderr.splitlines())
    if command.human:
        assert b"\x1b[2J" not in proc.stdout
    if command.label == "join":
        assert proc.stdout.count(b"A") == 100 << 20
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 2000, f"peak RSS {peak_mb:.0f} MB for a 100 MB recording"


# --- not a regular file ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_directory_given_as_file(command, tmp_path):
    # The suite commands walk directories; the others refuse them. Either way: no trouble beyond one line.
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    holder = tmp_path / "holder"
    holder.mkdir()
    (holder / "broken.json").write_bytes(b'{"request": ')
    for directory in (empty_dir, holder):
        outcome = run_inprocess(command.build([str(directory)], GOOD))
        assert not problems_with(command, outcome), problems_with(command, outcome)
    if command.name in ("show", "join"):
        survive(command, [str(empty_dir)])


@pytest.mark.parametrize("command", COMMANDS)
def test_fifo_given_as_file_does_not_block(command, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading would block forever
    outcome = survive(command, [str(fifo)])
    if command.reports_on_stderr:
        assert outcome.stderr == f"llmcat: {fifo}: not a regular file\n"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_device_given_as_file_is_refused(command, device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    if device == "/dev/null" and command.name == "diff":
        # git passes /dev/null for an added or deleted file: diff reads it as no calls, on purpose.
        outcome = survive(command, [device], expect_bad=False)
        assert outcome.exit_code == 1 and outcome.stderr == ""
        return
    outcome = survive(command, [device])  # /dev/zero would never end; devices are not read at all
    if command.reports_on_stderr:
        assert outcome.stderr == f"llmcat: {device}: not a regular file\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_broken_symlink(command, tmp_path):
    link = tmp_path / "gone.json"
    link.symlink_to(tmp_path / "does-not-exist.json")
    outcome = survive(command, [str(link)])
    if command.reports_on_stderr:
        assert outcome.stderr == f"llmcat: {link}: no such file\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_looping_symlink(command, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.symlink_to(b)
    b.symlink_to(a)
    outcome = survive(command, [str(a)])
    if command.reports_on_stderr:
        assert outcome.stderr == f"llmcat: {a}: too many levels of symbolic links\n"


def _without_root_file_powers():
    """In the child, before exec: drop the capabilities that let root read any file."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.parametrize("command", COMMANDS)
def test_file_without_read_permission(command, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_bytes((LLAMA / "chat-stream.json").read_bytes())
    secret.chmod(0)
    preexec = None
    if os.geteuid() == 0:  # root reads anything; drop that power in the child, or skip
        try:
            subprocess.run(["true"], preexec_fn=_without_root_file_powers, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE to make a file unreadable: {exc}")
        preexec = _without_root_file_powers
    argv = command.build([str(secret), GOOD], GOOD) if command.keeps_others else command.build([str(secret)], GOOD)
    proc = subprocess.run([sys.executable, "-m", "llmcat", *argv], capture_output=True, timeout=60, preexec_fn=preexec)
    assert proc.returncode in command.bad_exits and b"Traceback" not in proc.stderr, proc.stderr
    if command.reports_on_stderr:
        assert proc.stderr.decode() == f"llmcat: {secret}: permission denied\n"
    if command.label == "join":
        assert proc.stdout == b"Paris is the capital of France.\n"
    secret.chmod(0o644)


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_stdin(command):
    outcome = survive(command, ["-"], stdin=b"", with_good=False)
    if command.reports_on_stderr:
        assert outcome.stderr == "llmcat: -: empty file\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_device_on_stdin_is_refused(command):
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([sys.executable, "-m", "llmcat", *command.build(["-"], GOOD)], stdin=zero,
                              capture_output=True, timeout=60)
    assert proc.returncode in command.bad_exits and b"Traceback" not in proc.stderr
    if command.reports_on_stderr:
        assert proc.stderr == b"llmcat: -: standard input is a device, not a file or pipe\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_hostile_file_name_is_escaped(command, tmp_path):
    path = mutant_file(tmp_path, b"{not json", "evil\x1b]0;title\x07\x9b2J\n.json")
    with untouched(path):
        outcome = survive(command, [str(path)])
    # Named, escaped: in the `llmcat: FILE: reason` line, or in check's findings on stdout.
    said = outcome.stderr if command.reports_on_stderr else outcome.stdout.decode()
    as_json = said is not outcome.stderr and not command.human
    escaped = "\\u001b]0;title\\u0007\\u009b2J\\n.json" if as_json else "\\x1b]0;title\\x07\\x9b2J\\n.json"
    assert "\x1b" not in outcome.stderr and escaped in said


# --- YAML ------------------------------------------------------------------------------------------------------

CASSETTE = b"""interactions:
- request:
    body: '{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    headers: {}
    method: POST
    uri: https://api.openai.test/v1/chat/completions
  response:
    body:
      string: '{"id": "c1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello from yaml"}, "finish_reason": "stop"}]}'
    headers: {}
    status:
      code: 200
      message: OK
version: 1
"""  # noqa: E501  a recorder writes the body on one line; the test reads it as recorded


def _alias_bomb(levels: int = 12, width: int = 9) -> bytes:
    """The billion-laughs shape: each anchor a list of `width` aliases of the one before."""
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    lines.append(f"interactions:\n- request: {{uri: 'http://x/v1/chat/completions', method: POST, body: *a{levels - 1}}}")
    lines.append("  response: {status: {code: 200}, body: {string: ok}}")
    return ("\n".join(lines) + "\n").encode()


def _yaml_recognised(tmp_path: Path) -> bool:
    cassette = mutant_file(tmp_path, CASSETTE, "cassette.yaml")
    outcome = run_inprocess(["join", str(cassette)])
    return outcome.exit_code == 0 and b"hello from yaml" in outcome.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_yaml_alias_bomb(command, tmp_path):
    if not _yaml_recognised(tmp_path):
        pytest.skip("llmcat does not read VCR YAML cassettes on this branch yet")
    bomb = mutant_file(tmp_path, _alias_bomb(), "bomb.yaml")
    with untouched(bomb):
        outcome = run_inprocess(command.build([str(bomb)], GOOD), timeout=20)
    assert not problems_with(command, outcome), problems_with(command, outcome)
    assert outcome.exit_code in command.bad_exits
    assert len(outcome.stdout) < 1_000_000  # refused, not expanded
