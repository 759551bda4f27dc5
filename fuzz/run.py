"""Run llmcat commands on hostile inputs and check what every run must satisfy.

In-process (typer's CliRunner) for speed, with a SIGALRM watchdog for hangs; a sample
in a real child process (`python -m llmcat`) with a timeout, so the entry point's own
behaviour (exit statuses, stderr) is checked too.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from fuzz.commands import ROOT, Command

# What may reach a human view: SGR colour codes are llmcat's own; any other ESC, C0
# (except newline and tab), DEL or C1 byte came from the data and must not get through;
# nor may (as UTF-8) bidi controls, zero-width characters or U+2028/2029 (Trojan Source).
_RAW_CONTROL = re.compile(rb"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]|\xc2[\x80-\x9f]"
                          rb"|\xd8\x9c|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf")
# JSON Lines: no raw control byte at all (JSON escapes C0; llmcat escapes DEL and C1 too).
_RAW_IN_JSON = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
_UNEXPECTED = re.compile(r": cannot read: [A-Za-z_.]*(Error|Exception|Warning)\b|: internal error")
HOSTILE_NAME = "evil\x1b]0;title\x07\x9b2J"


class Hang(KeyboardInterrupt):
    """Raised by the watchdog; a KeyboardInterrupt so llmcat's per-file isolation does not swallow it."""


@dataclass
class Outcome:
    argv: list[str]
    exit_code: int | None
    stdout: bytes
    stderr: str
    error: str | None = None  # an exception that escaped, with its traceback, or "hang"


@dataclass
class Failure:
    description: str
    argv: list[str]
    problems: list[str]
    saved: str | None = None


@dataclass
class Stats:
    mutants: int = 0
    runs: int = 0
    subprocess_runs: int = 0
    formats: dict = field(default_factory=dict)  # seed format -> mutants made of it
    by_exit: dict = field(default_factory=dict)
    seconds: float = 0.0


def run_inprocess(argv: list[str], stdin: bytes = b"", timeout: float = 20.0) -> Outcome:
    from typer.testing import CliRunner

    from llmcat.commands.app import app

    def on_alarm(signum, frame):
        raise Hang()

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = CliRunner().invoke(app, argv, input=stdin, catch_exceptions=True)
    except Hang:
        return Outcome(argv, None, b"", "", f"hang: no exit within {timeout} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    error = None
    if isinstance(result.exception, Hang):
        error = f"hang: no exit within {timeout} s"
    elif result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        error = "".join(traceback.format_exception(result.exception)).strip()
    return Outcome(argv, result.exit_code, result.stdout_bytes, result.stderr, error)


def run_subprocess(argv: list[str], stdin: bytes = b"", timeout: float = 30.0) -> Outcome:
    env = {**os.environ, "NO_COLOR": "", "COLUMNS": "100"}
    try:
        proc = subprocess.run([sys.executable, "-m", "llmcat", *argv], input=stdin, capture_output=True,
                              timeout=timeout, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return Outcome(argv, None, b"", "", f"hang: no exit within {timeout} s")
    return Outcome(argv, proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


def problems_with(command: Command, outcome: Outcome, bad_inputs: int = 1) -> list[str]:
    """Everything wrong with one run; empty when it behaved."""
    found = []
    if outcome.error:
        return [outcome.error]
    if outcome.exit_code not in command.exits:
        found.append(f"exit status {outcome.exit_code}, allowed {sorted(command.exits)}")
    if "Traceback" in outcome.stderr or b"Traceback (most recent call last)" in outcome.stdout:
        found.append("a traceback")
    lines = outcome.stderr.splitlines()
    stray = [line for line in lines if not line.startswith("llmcat: ")]
    if stray:
        found.append(f"stderr line not of the form 'llmcat: ...': {stray[0][:200]!r}")
    unexpected = [line for line in lines if _UNEXPECTED.search(line)]
    if unexpected:  # isolated per file, but a reader bug all the same: bad input has a reason, not an exception
        found.append(f"unexpected exception: {unexpected[0][:300]!r}")
    if any("internal error" in line for line in lines):
        found.append(f"internal error: {outcome.stderr[:300]!r}")
    labels = _labels(lines, outcome.argv)
    repeated = sorted({label for label in labels if label and labels.count(label) > 1})
    if repeated:  # one line per bad input (or per call of a multi-call file, as FILE#N)
        found.append(f"several stderr lines for {repeated[0]!r}: {lines[:3]!r}")
    whole_files = [label for label in labels if label and "#" not in label.rsplit("/", 1)[-1]]
    if len(whole_files) > bad_inputs:
        found.append(f"{len(whole_files)} stderr lines for {bad_inputs} bad input(s): {lines[:3]!r}")
    if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", outcome.stderr):
        found.append(f"raw control character on stderr: {outcome.stderr[:200]!r}")
    if command.human:
        match = _RAW_CONTROL.search(outcome.stdout)
        if match:
            around = outcome.stdout[max(0, match.start() - 20):match.end() + 20]
            found.append(f"raw control sequence on stdout at byte {match.start()}: {around!r}")
    elif command.label.endswith("-json"):
        match = _RAW_IN_JSON.search(outcome.stdout)
        if match:
            found.append(f"raw control byte in JSON Lines at {match.start()}")
    return found


def _labels(lines: list[str], argv: list[str]) -> list[str | None]:
    """Which input (`FILE`, or `FILE#N` for one call in it) each `llmcat: ...` line is about; None if none."""
    from llmcat.render.escape import inline

    names = sorted({inline(a) for a in argv if a == "-" or not a.startswith("-")}, key=len, reverse=True)
    out: list[str | None] = []
    for line in lines:
        body = line[len("llmcat: "):]
        label = None
        for name in names:
            match = re.match(re.escape(name) + r"(#\d+)?: ", body)
            if match:
                label = match.group(0)[:-2]
                break
        out.append(label)
    return out


def fingerprint(path: Path) -> tuple[str, int]:
    info = path.lstat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns


def write_input(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    path.chmod(0o444)
    return path


def good_recording() -> str:
    return str(ROOT / "fixtures" / "llama-stack" / "chat-stream.json")


def fuzz(commands: list[Command], *, seed: int, max_mutants: int, seconds: float, subprocess_every: int = 50,
         save_dir: Path | None = None, log=None, seed_dirs: list[Path] | None = None) -> tuple[Stats, list[Failure]]:
    """Mutate the fixtures and run every command on each mutant until either limit is reached."""
    import random

    from fuzz.mutate import mutants, seeds

    rng = random.Random(seed)
    stats, failures = Stats(), []
    good = good_recording()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="llmcat-fuzz-") as tmp:
        tmpdir = Path(tmp)
        for n, (description, fmt, data) in enumerate(mutants(seeds(seed_dirs), rng)):
            if n >= max_mutants or time.monotonic() - start > seconds:
                break
            stats.mutants += 1
            stats.formats[fmt] = stats.formats.get(fmt, 0) + 1
            stem = HOSTILE_NAME if rng.random() < 0.1 else f"m{n:06d}"
            path = write_input(tmpdir, stem + _suffix(description.split()[0]), data)
            before = fingerprint(path)
            via_stdin = rng.random() < 0.05
            for command in commands:
                files = ["-"] if via_stdin else [str(path)]
                argv = command.build(files, good)
                stdin = data if via_stdin else b""
                outcome = run_inprocess(argv, stdin)
                stats.runs += 1
                stats.by_exit[outcome.exit_code] = stats.by_exit.get(outcome.exit_code, 0) + 1
                found = problems_with(command, outcome)
                if _sampled(command, n, subprocess_every):
                    sub = run_subprocess(argv, stdin)
                    stats.subprocess_runs += 1
                    found += [f"(subprocess) {p}" for p in problems_with(command, sub)]
                    if sub.exit_code != outcome.exit_code and not sub.error and not outcome.error:
                        found.append(f"subprocess exit {sub.exit_code} but in-process {outcome.exit_code}")
                if found:
                    failures.append(_failure(description, argv, found, data, save_dir, len(failures)))
                    if log:
                        log(f"FAIL {description}: {' '.join(argv)}: {found[0][:300]}")
            if fingerprint(path) != before:
                failures.append(_failure(description, ["(all)"], ["the input was modified"], data, save_dir, len(failures)))
            path.chmod(0o644)
            path.unlink()
    stats.seconds = time.monotonic() - start
    return stats, failures


def _suffix(seed: str) -> str:
    """The seed's file name ending, a compound one (`.xai.yaml`) kept whole: some formats go by it."""
    from fuzz.mutate import SEED_SUFFIXES
    from llmcat.formats.registry import recording_suffixes

    endings = sorted({*recording_suffixes(), *SEED_SUFFIXES}, key=len, reverse=True)
    return next((e for e in endings if seed.endswith(e)), "." + seed.rsplit(".", 1)[-1])


def _sampled(command: Command, n: int, every: int) -> bool:
    """Run mutant `n` in a child process too? Every `every`-th mutant, for the commands themselves: a
    variant (another way to call a command already sampled) shares its entry point, and a child
    process costs ~50 in-process runs, which a short budget cannot spend on every variant."""
    return bool(every) and n % every == 0 and not command.variant


def _failure(description: str, argv: list[str], found: list[str], data: bytes, save_dir: Path | None, n: int) -> Failure:
    saved = None
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
        target = save_dir / f"failure-{n:04d}.bin"
        target.write_bytes(data)
        saved = str(target)
    return Failure(description, argv, found, saved)
