"""llmcat's speed targets, measured side by side in one run (issue #7).

    python bench/run.py            # about a minute on 2 cores; add --big for the 200 MB memory check

Generates its own inputs in a temporary directory (removed afterwards), runs
each command as a child process several times, and prints each ratio and
whether it meets its target. Wall times are the median of the runs; peak
memory is the child's max RSS (from wait4). Exit status 1 when a target is missed.

Inputs are written by a child process: a child's max RSS counts the memory of
the process it was spawned from, so this process must stay small.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import diff_trees  # bench/diff_trees.py
import explain  # bench/explain.py
import suite  # bench/suite.py (this folder is on sys.path when run as `python bench/run.py`)
import vcr_suite  # bench/vcr_suite.py

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_e98b6dfec2cb5e08.txt"
JQ = "/usr/bin/jq"
JQ_FILTER = ".response.body[].__data__.choices[0].delta.content // empty"

def llmcat_command() -> list[str]:
    script = Path(sys.executable).parent / "llmcat"
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmcat"]


def run_once(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, max RSS bytes) of one run, output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {err.strip()}")
    return wall, usage.ru_maxrss * 1024


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, int]]:
    """Median wall time and peak RSS of each command, runs interleaved so load hits all alike."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, int] = dict.fromkeys(commands, 0)
    for _ in range(runs):
        for name, cmd in commands.items():
            wall, rss = run_once(cmd)
            walls[name].append(wall)
            peaks[name] = max(peaks[name], rss)
    return {name: (statistics.median(walls[name]), peaks[name]) for name in commands}


def first_output_time(cmd: list[str]) -> tuple[float, float]:
    """(seconds to the first byte on stdout, seconds to the end) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    proc.stdout.read(1)
    first = time.perf_counter() - start
    while proc.stdout.read(1 << 16):
        pass
    proc.wait()
    return first, time.perf_counter() - start


class Report:
    def __init__(self) -> None:
        self.missed = 0
        self.last: dict | None = None  # the last side-by-side measure's figures

    def line(self, label: str, value: float, limit: float, unit: str = "x") -> None:
        ok = value <= limit
        self.missed += not ok
        print(f"  {label:<52} {value:7.2f}{unit}  (target <= {limit:g}{unit})  {'MET' if ok else 'MISSED'}")


def write_stream(path: Path, chunks: int) -> int:
    subprocess.run([sys.executable, __file__, "--write-stream", str(path), str(chunks)], check=True)
    return path.stat().st_size


def _write_stream(path: str, chunks: int) -> None:
    import orjson

    sys.path.insert(0, str(ROOT / "fixtures"))
    import generate  # the fixture generator

    Path(path).write_bytes(orjson.dumps(generate.big_chat_stream(chunks), option=orjson.OPT_INDENT_2))


def bench_big_join(tmp: Path, report: Report, runs: int) -> float:
    big = tmp / "big-stream.json"
    size = write_stream(big, 100_000)
    print(f"\n1. join -n on a generated 100,000-chunk streamed chat recording ({size / 1e6:.0f} MB)")
    commands = {"llmcat": [*llmcat_command(), "join", "-n", str(big)]}
    if Path(JQ).exists():
        commands["jq"] = [JQ, "-j", JQ_FILTER, str(big)]
    results = measure(commands, runs)
    wall, rss = results["llmcat"]
    print(f"  llmcat join -n: {wall:.3f} s, peak {rss / 1e6:.0f} MB")
    if "jq" in results:
        print(f"  jq -j '{JQ_FILTER}': {results['jq'][0]:.3f} s")
        report.line("time vs jq", wall / results["jq"][0], 0.35)
    else:
        print(f"  {JQ} not found: the ratio to jq is skipped")
    report.line("peak memory vs file size", rss / size, 2.0)
    return wall


def bench_show_first_output(tmp: Path, report: Report, join_wall: float) -> None:
    big = tmp / "big-stream.json"
    print("\n4. show on the same recording: time to the first output (rich, colour forced)")
    # The best of three runs, as a single run on a shared machine can land in a slow spell.
    first, total = min(first_output_time([*llmcat_command(), "show", "--color", "always", str(big)]) for _ in range(3))
    print(f"  first output after {first:.3f} s, all of it after {total:.3f} s (best of 3)")
    report.line("time to first output vs join -n", first / join_wall, 1.5)


def bench_start_up(report: Report, runs: int) -> None:
    seed = SEED if SEED.is_file() else ROOT / "fixtures" / "llama-stack" / "completions-stream.json"
    print(f"\n3. join -n on a small recording ({seed.name}) vs python3 -c pass")
    results = measure({"llmcat": [*llmcat_command(), "join", "-n", str(seed)], "python": [sys.executable, "-c", "pass"]}, runs)
    print(f"  llmcat join -n: {results['llmcat'][0] * 1000:.0f} ms; python3 -c pass: {results['python'][0] * 1000:.0f} ms")
    report.line("time vs python3 -c pass", results["llmcat"][0] / results["python"][0], 6.0)


def bench_measured(title: str, what: str, measure, report: Report) -> None:
    """A side-by-side measure (bench/suite.py, bench/diff_trees.py): its figures, then its ratio against its target."""
    print(f"\n{title}")
    try:
        result = measure()
    except (Exception, SystemExit) as exc:  # a failed measurement is a missed target, not a crashed bench
        print(f"  could not be measured: {exc}")
        report.missed += 1
        report.last = None
        return
    for key, value in result.items():
        print(f"  {key}: {value}")
    report.last = result
    report.line(what, result["ratio"], float(result["target"]))


def bench_suite(tmp: Path, report: Report) -> None:
    bench_measured("2. ls --json over a generated suite of 3,000 recordings vs a bare orjson loop",
                   "time vs bare orjson loop", lambda: suite.measure(tmp), report)


def bench_check(tmp: Path, report: Report) -> None:
    bench_measured("7. check (credentials included) over a generated suite of 3,000 recordings vs ls --json",
                   "check vs ls --json", lambda: suite.measure_check(tmp), report)


def bench_diff_trees(tmp: Path, report: Report) -> None:
    bench_measured("6. diff of two 3,000-file trees (renamed, 20 changed, 10 removed, 10 added) vs ls of both",
                   "diff of two trees vs ls of both", lambda: diff_trees.measure(tmp / "diff-trees"), report)


def bench_explain(tmp: Path, report: Report) -> None:
    bench_measured("7. explain one request against a 3,000-file suite vs ls --json of it",
                   "explain vs ls of the suite", lambda: explain.measure(tmp), report)


def bench_vcr(tmp: Path, report: Report) -> None:
    bench_measured("8. ls --json over a generated VCR suite of 1,400 cassettes vs a bare one-core libyaml loop",
                   "VCR suite: time vs bare libyaml loop", lambda: vcr_suite.measure(tmp), report)
    if report.last is not None and "cpu_ratio" in report.last:
        report.line("VCR suite: CPU vs bare libyaml loop", report.last["cpu_ratio"], vcr_suite.CPU_TARGET)


def bench_huge(tmp: Path, report: Report) -> None:
    huge = tmp / "huge-stream.json"
    size = write_stream(huge, 280_000)
    print(f"\n5. memory on a {size / 1e6:.0f} MB recording (280,000 chunks)")
    for args in (["join", "-n"], ["show", "--json"]):
        wall, rss = run_once([*llmcat_command(), *args, str(huge)])
        print(f"  llmcat {' '.join(args)}: {wall:.2f} s, peak {rss / 1e6:.0f} MB")
        report.line(f"{' '.join(args)} peak memory vs file size", rss / size, 2.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median taken)")
    parser.add_argument("--big", action="store_true", help="also check memory on a 200 MB recording")
    parser.add_argument("--write-stream", nargs=2, metavar=("PATH", "CHUNKS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_stream:
        _write_stream(args.write_stream[0], int(args.write_stream[1]))
        return 0
    report = Report()
    suite.compile_bytecode()  # the steady state of an installed llmcat (see bench/suite.py)
    tmp = Path(tempfile.mkdtemp(prefix="llmcat-bench-"))
    try:
        join_wall = bench_big_join(tmp, report, args.runs)
        bench_show_first_output(tmp, report, join_wall)
        bench_start_up(report, args.runs * 4)
        if args.big:
            bench_huge(tmp, report)
        bench_suite(tmp, report)  # (these two run in this process, which may grow)
        bench_diff_trees(tmp, report)
        bench_explain(tmp, report)
        bench_check(tmp, report)
        bench_vcr(tmp, report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{'all targets met' if not report.missed else f'{report.missed} target(s) missed'}")
    return 1 if report.missed else 0


if __name__ == "__main__":
    sys.exit(main())
