"""The mutation fuzzer (fuzz/), run briefly with a fixed seed: every command on hundreds of
mutants of the project's own fixtures. `python -m fuzz --minutes 10` (or `make fuzz`) is the long run."""

from __future__ import annotations

import pytest

from fuzz import mutate
from fuzz.commands import TABLE, present
from fuzz.run import Outcome, fuzz, problems_with
from llmcat.formats import parse
from llmcat.formats.registry import registered

SEED = 20261125


@pytest.mark.slow
def test_mutation_fuzz_every_command_fixed_seed(tmp_path):
    commands = present()
    assert {c.name for c in commands} >= {"show", "join"}
    # A fixed amount of work, not a time budget: on a busy machine a 20-second budget ran 31
    # mutants one time and 150 another, and the floor on the count failed with no bug found.
    # (The time limit is only a backstop against a hang.)
    stats, failures = fuzz(commands, seed=SEED, max_mutants=60, seconds=600, subprocess_every=30, save_dir=tmp_path)
    report = "\n".join(f"{f.description}: llmcat {' '.join(f.argv)}: {f.problems[0][:500]} (input: {f.saved})" for f in failures[:10])
    assert not failures, f"{len(failures)} failure(s):\n{report}"
    assert stats.mutants == 60 and stats.subprocess_runs >= 2
    # every container format was mutated (the first round takes one seed of each)
    assert set(stats.formats) >= {f.name for f in registered()} | {mutate.UNREADABLE}, stats.formats
    assert stats.by_exit.get(2, 0) and stats.by_exit.get(0, 0)  # both refused and readable mutants were made


def test_every_mutator_changes_its_input():
    import random

    rng = random.Random(1)
    data = (mutate.ROOT / "fixtures" / "llama-stack" / "chat-stream-tools.json").read_bytes()
    for name, mutator in mutate.MUTATORS.items():
        outs = {mutator(data, rng) for _ in range(5)}
        assert outs - {data, None}, name


def test_every_registered_format_has_fuzz_seeds():
    """A new format module cannot escape the fuzzer: fixtures/ must hold a recording llmcat reads
    as it (write one with a generator in fixtures/), and the fuzzer's seeds must include its name."""
    groups = mutate.by_format(mutate.seeds())
    missing = sorted({f.name for f in registered()} - set(groups))
    assert not missing, f"registered formats with no seed fixture for the fuzzers: {missing}"


def test_the_first_mutants_are_one_of_each_format_changed_in_its_own_syntax():
    import random

    from fuzz import syntax

    groups = mutate.by_format(mutate.seeds())
    stream = mutate.mutants(mutate.seeds(), random.Random(SEED))
    first = [next(stream) for _ in groups]
    assert [fmt for _, fmt, _ in first] == list(groups)
    for description, _fmt, _data in first:
        seed = mutate.ROOT / description.split()[0]
        if syntax.decode(seed.read_bytes()) is not None:
            assert description.split()[1].startswith("swap-type"), description


def test_a_yaml_value_change_keeps_the_cassette_yaml_with_its_tags():
    """Ruby VCR's `!binary` bodies and the cassette's shape survive a value change: the mutant
    is YAML a reader takes, not a JSON rewrite of it."""
    import random

    from fuzz import syntax

    data = (mutate.ROOT / "fixtures" / "ruby-vcr" / "anthropic_gzip_binary.yml").read_bytes()
    assert data.count(b"!binary") >= 1
    document = syntax.decode(data)
    assert document.syntax == "yaml"
    path = next(p for p in document.paths() if len(p) >= 3 and isinstance(document.get(p), str))
    document.set(path, "\x1b]0;t\x07")
    mutant = document.encode(random.Random(1))
    assert mutant.count(b"!binary") == data.count(b"!binary") and not mutant.lstrip().startswith(b"{")
    assert {r.format for r in parse(mutant, "m.yml")} == {"ruby-vcr"}


def test_the_fuzzer_reports_a_reader_bug(monkeypatch, tmp_path):
    """A bug planted in a reassembler is found: the checks can fail."""
    from msgspec.structs import replace

    from llmcat.apis import registry

    def broken(rec):
        raise KeyError("planted")

    chat = registry.registered()["openai.chat"]
    monkeypatch.setitem(registry.registered(), "openai.chat", replace(chat, reassemble=broken))
    show_json = next(c for c in TABLE if c.label == "show-json")
    _, failures = fuzz([show_json], seed=SEED, max_mutants=60, seconds=30, subprocess_every=0)
    assert any("unexpected exception" in p and "planted" in p for f in failures for p in f.problems)


@pytest.mark.parametrize("stderr, stdout, problem", [
    ("Traceback (most recent call last):\n", b"", "traceback"),
    ("llmcat: f: x\nllmcat: f: y\n", b"", "2 stderr lines"),
    ("oops\n", b"", "not of the form"),
    ("llmcat: \x1b]0;t\x07: x\n", b"", "raw control character on stderr"),
    ("", b"answer \x1b]0;t\x07", "raw control sequence on stdout"),
    ("", "\x9b2J".encode(), "raw control sequence on stdout"),
])
def test_the_checks_catch_what_they_promise(stderr, stdout, problem):
    show = next(c for c in TABLE if c.label == "show")
    found = problems_with(show, Outcome(["show", "f"], 2, stdout, stderr))
    assert any(problem in p for p in found), found
    assert not problems_with(show, Outcome(["show", "f"], 2, b"\x1b[1mcolour\x1b[0m\n", "llmcat: f: empty file\n"))
    assert problems_with(show, Outcome(["show", "f"], 3, b"", ""))  # an exit status outside the table
