"""Reviewing a re-recorded suite with `llmcat diff`, through the real CLI: pairing renamed recordings
by what they record, rows that name tests, --stat, --name-status, word runs, git's external-diff
convention (labels, colour) and `--git REV`. Fixtures: fixtures/diff/suite-* (generate.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from conftest import FIXTURES, SHARED, generated_secrets, run, subprocess_llmcat

DIFF = FIXTURES / "diff"
LEGACY, CURRENT, MOVED = DIFF / "suite-legacy", DIFF / "suite-current", DIFF / "suite-moved"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

R = "tests/integration/recordings/responses"
T_STORY = "tests/integration/agents/test_agents.py::test_story[txt=ollama/qwen3:4b]"
T_SEASON = "tests/integration/inference/test_inference.py::test_season[txt=ollama/llama3.2:3b]"
STORY_B = "tests/integration/agents/recordings/cf6db020ec315c3cb7e08856d722e92c3c0cf71488ec6a6a7cbeaed1cc1e6253.json"
SEASON_B = "tests/integration/inference/recordings/8eac69cb1c4208b78be00fdeb62c52807d29f5514306b3b20b75b598c297a961.json"
ADDED_B = "tests/integration/agents/recordings/64fa54b947ce120287b4638c95e4985d60e0361ebb367ae56f0dd436815671b7.json"
GREETING_B = "tests/integration/inference/recordings/5e10349eafd41014dfdd05c9cdfc97aebc19169ec8953a4f4e1f316e96a0eb37.json"
SHARED_B = "tests/integration/inference/recordings/63e8a3139577b21b5505839e38008684529aa610ad0dcdbaf952712920fd9726.json"

# legacy -> current: 10 calls under llama-stack's legacy names (no test ids) and a cassette of 2, against the suite
# re-recorded under the current scheme. Paired by request: 7 unchanged (not listed), 3 changed; "Say hello." was one
# legacy file and is now recorded by two tests (ambiguous: never guessed at); one call removed, one added.
# The changed calls first (#26), then those that came or went.
LEGACY_TO_CURRENT = [
    "renamed  cassettes/test_weather.yaml#1 → cassettes/test_weather_in_paris.yaml#1  gpt-fx  (text +4 −1 words)  “Weather in Paris?”",
    f"renamed  {T_STORY}  qwen3:4b  (text +0 −5 words, finish stop → length, tokens 37 → 32)  {R}/335dd3684f42.json → {STORY_B}",
    f"renamed  {T_SEASON}  llama3.2:3b  (text +8 −9 words, tokens 33 → 32)  {R}/5d650519f906.json → {SEASON_B}",
    f"only-b   tests/integration/agents/test_agents.py::test_added[txt=ollama/qwen3:4b]  qwen3:4b  {ADDED_B}",
    f"only-b   tests/integration/inference/test_inference.py::test_greeting[txt=ollama/llama3.2:3b]  llama3.2:3b  {GREETING_B}",
    f"only-b   tests/integration/inference/test_inference.py::test_shared[txt=ollama/llama3.2:3b]  llama3.2:3b  {SHARED_B}",
    f"only-a   {R}/c99f23702fe3.json  qwen3:4b  “Name a prime number.”",
    f"only-a   {R}/ce6be8ab302a.json  llama3.2:3b  “Say hello.”",
    "7 same, 3 changed, 2 only-a, 3 only-b, 0 error (10 renamed)",
]


def test_a_suite_renamed_under_the_other_naming_scheme_pairs_by_what_it_records():
    result = run("diff", LEGACY, CURRENT)
    assert result.exit_code == 1 and result.stderr == ""
    assert result.stdout.splitlines() == LEGACY_TO_CURRENT


def test_json_rows_say_renamed_and_every_pair_is_there():
    rows = [orjson.loads(line) for line in run("diff", "--json", LEGACY, CURRENT).stdout_bytes.splitlines()]
    assert len(rows) == 15
    assert sorted((r["status"], r["renamed"]) for r in rows) == sorted(
        [("same", True)] * 7 + [("changed", True)] * 3 + [("only-a", False)] * 2 + [("only-b", False)] * 3)
    story = next(r for r in rows if r["b"] == str(CURRENT / STORY_B))
    assert story["a"] == str(LEGACY / R / "335dd3684f42.json")
    assert [d["path"] for d in story["differences"]] == [
        "response.choices[0].text", "response.choices[0].finish_reason", "response.usage.completion_tokens",
        "response.usage.total_tokens"]


def test_repeated_requests_pair_by_test_id_and_unchanged_pairs_are_summarised():
    # suite-moved: suite-current's calls under another layout; "Say hello." by two tests pairs by test id
    result = run("diff", CURRENT, MOVED)
    assert (result.exit_code, result.stdout) == (0, "13 same, 0 changed, 0 only-a, 0 only-b, 0 error (13 renamed)\n")
    listed = run("diff", "--all", CURRENT, MOVED).stdout.splitlines()
    assert len(listed) == 14 and all(line.startswith("renamed  ") and "  (same)" in line for line in listed[:-1])
    assert (f"renamed  tests/integration/inference/test_inference.py::test_greeting[txt=ollama/llama3.2:3b]  llama3.2:3b  (same)"
            f"  {GREETING_B} → recordings/inference/5e10349eafd41014.json") in listed


def test_stat_lists_each_changed_pair_like_git():
    result = run("diff", "--stat", LEGACY, CURRENT)
    name_width = len("tests/integration/inference/test_inference.py::test_greeting[txt=ollama/llama3.2:3b]")
    assert result.stdout.splitlines() == [
        f" {name:<{name_width}} | {what}" for name, what in [
            ("cassettes/test_weather.yaml#1 → cassettes/test_weather_in_paris.yaml#1", "renamed, text +4 −1 words"),
            ("tests/integration/agents/test_agents.py::test_added[txt=ollama/qwen3:4b]", "only in b"),
            ("tests/integration/inference/test_inference.py::test_greeting[txt=ollama/llama3.2:3b]", "only in b"),
            ("tests/integration/inference/test_inference.py::test_shared[txt=ollama/llama3.2:3b]", "only in b"),
            (T_STORY, "renamed, text +0 −5 words, finish stop → length, tokens 37 → 32"),
            (T_SEASON, "renamed, text +8 −9 words, tokens 33 → 32"),
            (f"{R}/c99f23702fe3.json", "only in a"),
            (f"{R}/ce6be8ab302a.json", "only in a"),
        ]] + [LEGACY_TO_CURRENT[-1]]


def test_name_status_prints_letters_and_paths_tab_separated():
    result = run("diff", "--name-status", LEGACY, CURRENT)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "R\tcassettes/test_weather.yaml#1\tcassettes/test_weather_in_paris.yaml#1",
        f"A\t{ADDED_B}", f"A\t{GREETING_B}", f"A\t{SHARED_B}",
        f"R\t{R}/335dd3684f42.json\t{STORY_B}", f"R\t{R}/5d650519f906.json\t{SEASON_B}",
        f"D\t{R}/c99f23702fe3.json", f"D\t{R}/ce6be8ab302a.json",
    ]


def test_word_diff_pairs_runs_of_words():
    result = run("diff", "--word-diff", LEGACY / R / "5d650519f906.json", CURRENT / SEASON_B)
    assert ("[-The best time to visit Japan is spring. Cherry-]{+Spring (March-May): cherry+} blossoms bloom in late March"
            " and early April. {+Autumn is a close second.+}\n") in result.stdout
    coloured = subprocess_llmcat("diff", "--word-diff", "--color", "always", LEGACY / R / "5d650519f906.json",
                                 CURRENT / SEASON_B).stdout.decode()
    # in colour: background colours, one run removed, the next added, never run together
    assert "\x1b[97;41mThe best time to visit Japan is spring. Cherry\x1b[0m\x1b[30;42mSpring (March-May): cherry\x1b[0m" in coloured


def test_word_diff_alignment_is_complete_and_bounded():
    from llmcat.comparison.words import opcodes, word_segments

    a = " ".join(f"w{n % 97}" for n in range(30_000))  # repeated words, long: no quadratic path may run
    b = a.replace("w5 ", "x5 ", 40)
    segments = word_segments(a, b)
    assert "".join(t for s, t in segments if s != "del") == b and "".join(t for s, t in segments if s != "add") == a
    ops = opcodes(a.split(), b.split())
    assert ops[0][1:] == (0, ops[0][2], 0, ops[0][4]) and ops[-1][2] == len(a.split()) and ops[-1][4] == len(b.split())


# --- git ---------------------------------------------------------------------------------------------------------


def test_external_diff_labels_each_call_of_a_cassette():
    old, new = LEGACY / "cassettes" / "test_weather.yaml", CURRENT / "cassettes" / "test_weather_in_paris.yaml"
    result = run("diff", "w.yaml", old, "a" * 40, "100644", new, "b" * 40, "100644")
    assert result.exit_code == 0
    assert result.stdout == ("--- a/w.yaml#0\n+++ b/w.yaml#0\nsame call\n"
                             "--- a/w.yaml#1\n+++ b/w.yaml#1\n== choice 0\ntext:\n@@ -1 +1 @@\n"
                             "-Rain after six.\n+Rain after seven, clearing by midnight.\n")


def _seven(env: dict, *options: str, cwd: Path) -> str:
    old, new = LEGACY / R / "5d650519f906.json", CURRENT / SEASON_B
    proc = subprocess.run([sys.executable, "-m", "llmcat", "diff", *options, "rec.json", str(old), "a" * 40, "100644",
                           str(new), "b" * 40, "100644"], capture_output=True, env=env, cwd=cwd, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


@needs_git
def test_under_git_colour_follows_gits_decision(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "NO_COLOR"))}
    env.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1", TERM="xterm")
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    assert not ANSI.search(_seven(env, cwd=repo))  # a pipe, and no pager: git would not colour
    paged = {**env, "GIT_PAGER_IN_USE": "true"}  # git's pager reads our output: colour, as git's own diff
    assert ANSI.search(_seven(paged, cwd=repo)) and "\x1b[1m--- a/rec.json\x1b[0m" in _seven(paged, cwd=repo)
    assert not ANSI.search(_seven(paged, "--color", "never", cwd=repo))  # --color still decides
    subprocess.run(["git", "config", "color.diff", "never"], cwd=repo, env=env, check=True)
    assert not ANSI.search(_seven(paged, cwd=repo))  # the user's color.diff
    subprocess.run(["git", "config", "color.diff", "always"], cwd=repo, env=env, check=True)
    assert ANSI.search(_seven(env, cwd=repo))
    subprocess.run(["git", "config", "--unset", "color.diff"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "config", "color.ui", "false"], cwd=repo, env=env, check=True)
    assert not ANSI.search(_seven(paged, cwd=repo))  # color.ui when color.diff is unset


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose first commit holds suite-legacy as rec/ and second suite-current; cwd inside it."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    root = tmp_path / "repo"
    root.mkdir()
    for key in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(root)

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    shutil.copytree(LEGACY, root / "rec")
    (root / "README.md").write_text("a repository\n")
    git("add", ".")
    git("commit", "-qm", "legacy recordings")
    shutil.rmtree(root / "rec")
    shutil.copytree(CURRENT, root / "rec")
    git("add", ".")
    git("commit", "-qm", "re-recorded")
    return root


def test_git_revision_against_working_tree_and_between_revisions(repo):
    expected = [re.sub(r"(\S+\.(?:json|yaml)(?:#\d)?)", r"rec/\1", line) for line in LEGACY_TO_CURRENT]
    between = run("diff", "--git", "HEAD~1", "HEAD", "--", "rec")
    assert between.exit_code == 1 and between.stdout.splitlines() == expected
    worktree = run("diff", "--git", "HEAD~1", "--", "rec")  # the working tree holds HEAD's files
    assert worktree.stdout == between.stdout
    assert run("diff", "--git", "HEAD", "--", "rec").stdout == "13 same, 0 changed, 0 only-a, 0 only-b, 0 error\n"
    # an untracked recording in the working tree is compared too; the specs name revision and file
    shutil.copy(LEGACY / R / "c99f23702fe3.json", repo / "rec" / "again.json")
    rows = [orjson.loads(line) for line in run("diff", "--json", "--git", "HEAD~1", "rec").stdout_bytes.splitlines()]
    back = next(r for r in rows if r["b"] == "rec/again.json")
    assert back == {"a": f"HEAD~1:rec/{R}/c99f23702fe3.json", "b": "rec/again.json", "status": "same", "renamed": True,
                    "differences": []}
    # no path: the whole tree, the same pairs and verdicts as `-- rec` (README.md is no recording: skipped)
    (repo / "rec" / "again.json").unlink()
    for revs in (["HEAD~1", "HEAD"], ["HEAD~1"]):
        whole = run("diff", "--git", *revs)
        assert whole.exit_code == 1 and whole.stdout.splitlines() == expected, revs
    assert run("diff", "--git", "HEAD").stdout == "13 same, 0 changed, 0 only-a, 0 only-b, 0 error\n"


def test_git_trouble_is_one_line_and_status_2(repo, tmp_path, monkeypatch):
    bad = run("diff", "--git", "no-such-rev", "--", "rec")
    assert (bad.exit_code, bad.stdout, bad.stderr) == (2, "", "llmcat: git: no-such-rev: not a revision\n")
    monkeypatch.chdir(tmp_path)  # not a repository
    outside = run("diff", "--git", "HEAD")
    assert outside.exit_code == 2 and outside.stderr.startswith("llmcat: git: ") and "not a git repository" in outside.stderr


@pytest.mark.parametrize("options", [["-v", "--all"], ["--json"], ["--stat"], ["-v", "--word-diff", "--color", "always"]])
def test_a_tree_diff_never_prints_a_recorded_credential_whole(tmp_path, options):
    secrets = generated_secrets() / "secrets"  # written at test time: no key-shaped values in the repository
    planted = orjson.loads((secrets / "planted.txt").read_bytes())
    a, b = tmp_path / "a", tmp_path / "b"
    for side in (a, b):
        side.mkdir()
        for name in ("headers.yaml", "llama-stack.json", "query.yaml"):
            shutil.copy(secrets / name, side / name)
    shutil.copy(secrets / "bodies.yaml", b / "headers.yaml")  # the calls' credentials change
    shutil.move(b / "query.yaml", b / "renamed.yaml")  # found again by identity, read in another file
    proc = subprocess_llmcat("diff", *options, a, b)
    assert proc.returncode == 1, proc.stderr
    printed = proc.stdout + proc.stderr
    assert b"headers.yaml" in printed
    if options == ["--json"]:  # what was compared: headers.yaml's calls changed, the others the same (query.yaml renamed)
        rows = [orjson.loads(line) for line in proc.stdout.splitlines()]
        pairs = {(r["a"] and Path(r["a"]).name.split("#")[0], r["b"] and Path(r["b"]).name.split("#")[0], r["status"]) for r in rows}
        assert pairs == {("headers.yaml", "headers.yaml", "changed"), ("headers.yaml", None, "only-a"),
                         ("llama-stack.json", "llama-stack.json", "same"), ("query.yaml", "renamed.yaml", "same")}
        assert all(r["renamed"] for r in rows if r["b"] and "renamed.yaml" in r["b"])
    for value in {p["value"] for p in planted}:
        assert value.encode() not in printed and value[6:-2].encode() not in printed, value


CORPUS_LLAMA = SHARED / "corpus" / "llama-stack"


def _changed_answer(value, changed: list) -> None:
    """Every `content` and `text` string of a recorded answer made longer (whichever one its reader reads)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("content", "text") and isinstance(inner, str) and inner.strip():
                value[key] = inner + " (re-recorded)"
                changed.append(key)
            else:
                _changed_answer(inner, changed)
    elif isinstance(value, list):
        for inner in value:
            _changed_answer(inner, changed)


@pytest.mark.skipif(not CORPUS_LLAMA.is_dir(), reason="the shared corpus (../shared/corpus/llama-stack) is absent")
def test_a_real_suite_re_recorded_under_other_names_reports_exactly_what_changed(tmp_path):
    """#15's check on real recordings: the shared llama-stack corpus against the same calls renamed into
    another naming scheme and folder layout, with 20 answers changed, 10 calls removed and 10 added.
    Real suites repeat requests (under other test ids, other hosts, no test id at all)."""
    import hashlib
    import random

    rng = random.Random(15)
    files = sorted(CORPUS_LLAMA.rglob("*.json"))
    docs = {p: orjson.loads(p.read_bytes()) for p in files}
    changeable = []
    for path, doc in docs.items():
        copy = orjson.loads(orjson.dumps(doc["response"]))
        _changed_answer(copy.get("body"), hits := [])
        if hits:
            changeable.append(path)
    changed = set(rng.sample(changeable, 20))
    removed = set(rng.sample([p for p in files if p not in changed], 10))
    added = rng.sample([p for p in files if p not in changed | removed], 10)
    a, b = tmp_path / "a", tmp_path / "b"
    for path, doc in docs.items():
        (a / path.relative_to(CORPUS_LLAMA)).parent.mkdir(parents=True, exist_ok=True)
        (a / path.relative_to(CORPUS_LLAMA)).write_bytes(path.read_bytes())
        if path in removed:
            continue
        if path in changed:
            _changed_answer(doc["response"]["body"], [])
        name = hashlib.sha256(b"scheme-2:" + str(path.relative_to(CORPUS_LLAMA)).encode()).hexdigest()[:20]
        (b / "recordings" / name[:2]).mkdir(parents=True, exist_ok=True)
        (b / "recordings" / name[:2] / f"{name}.json").write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    for n, path in enumerate(added):  # new calls: another test asking another model
        doc = orjson.loads(path.read_bytes())
        doc["test_id"] = f"tests/integration/test_added.py::test_new[{n}]"
        doc["request"]["model"] = doc["request"]["body"]["model"] = f"added-model-{n}"
        (b / "added").mkdir(exist_ok=True)
        (b / "added" / f"new-{n}.json").write_bytes(orjson.dumps(doc))
    proc = subprocess_llmcat("diff", "--json", a, b)
    assert proc.returncode == 1, proc.stderr
    rows = [orjson.loads(line) for line in proc.stdout.splitlines()]
    by_status: dict[str, list] = {}
    for row in rows:
        by_status.setdefault(row["status"], []).append(row)
    relative = lambda spec: str(Path(spec).relative_to(a))  # noqa: E731
    assert sorted(relative(r["a"]) for r in by_status["changed"]) == sorted(str(p.relative_to(CORPUS_LLAMA)) for p in changed)
    assert sorted(relative(r["a"]) for r in by_status["only-a"]) == sorted(str(p.relative_to(CORPUS_LLAMA)) for p in removed)
    assert sorted(Path(r["b"]).name for r in by_status["only-b"]) == [f"new-{n}.json" for n in range(10)]
    assert len(by_status["same"]) == len(files) - 30 and "error" not in by_status
    assert all(r["renamed"] for r in by_status["same"] + by_status["changed"])
    text = run("diff", a, b).stdout
    assert text.endswith(f"{len(files) - 30} same, 20 changed, 10 only-a, 10 only-b, 0 error ({len(files) - 10} renamed)\n")
    assert not any(line.startswith(("same", "renamed ")) and "(same)" in line for line in text.splitlines())


def _models_list(host: str, ids: list[str]) -> bytes:
    return orjson.dumps({
        "request": {"method": "POST", "url": f"{host}/v1/models", "headers": {}, "body": {}, "endpoint": "/v1/models", "model": ""},
        "response": {"body": [{"__type__": "openai.types.model.Model",
                               "__data__": {"id": i, "created": 1, "object": "model", "owned_by": "x"}} for i in ids],
                     "is_streaming": False}})


def _chat(answer: str) -> bytes:
    body = {"id": "c", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer}}]}
    return orjson.dumps({
        "request": {"method": "POST", "url": "http://h/v1/chat/completions", "headers": {},
                    "body": {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}, "endpoint": "/v1/chat/completions",
                    "model": "m"},
        "response": {"body": {"__type__": "openai.types.chat.chat_completion.ChatCompletion", "__data__": body}, "is_streaming": False}})


def test_calls_sharing_a_request_are_told_apart_by_host_then_by_answer(tmp_path):
    """The same model list asked of two servers, and one request recorded four times with four answers (no test
    ids): each key is shared, so the host, then an identical answer, pairs them, one to one; the two calls left
    on each side share their request still: never guessed at."""
    a, b = tmp_path / "a", tmp_path / "b"
    for side in (a, b):
        side.mkdir()
    (a / "models-1.json").write_bytes(_models_list("http://0.0.0.0:11434/v1", ["llama3.2:3b"]))
    (a / "models-2.json").write_bytes(_models_list("https://api.example.com/v1", ["big-model", "small-model"]))
    (b / "m-x.json").write_bytes(_models_list("https://api.example.com/v1", ["big-model", "small-model", "new-model"]))
    (b / "m-y.json").write_bytes(_models_list("http://0.0.0.0:11434/v1", ["llama3.2:3b"]))
    (a / "hi-1.json").write_bytes(_chat("Hello!"))
    (a / "hi-2.json").write_bytes(_chat("Hi there."))
    (a / "hi-3.json").write_bytes(_chat("Hey."))
    (b / "h-p.json").write_bytes(_chat("Hi there."))
    (b / "h-q.json").write_bytes(_chat("Hello!"))
    (a / "hi-4.json").write_bytes(_chat("Yo."))
    (b / "h-r.json").write_bytes(_chat("Greetings."))
    (b / "h-s.json").write_bytes(_chat("Howdy."))
    rows = {(Path(r["a"]).name if r["a"] else None, Path(r["b"]).name if r["b"] else None): r["status"]
            for r in map(orjson.loads, subprocess_llmcat("diff", "--json", a, b).stdout.splitlines())}
    assert rows == {("models-1.json", "m-y.json"): "same", ("models-2.json", "m-x.json"): "changed",
                    ("hi-1.json", "h-q.json"): "same", ("hi-2.json", "h-p.json"): "same",
                    ("hi-3.json", None): "only-a", ("hi-4.json", None): "only-a",
                    (None, "h-r.json"): "only-b", (None, "h-s.json"): "only-b"}
