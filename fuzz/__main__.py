"""`python -m fuzz [--minutes M] [--seed S]`: the long mutation-fuzz run over every llmcat command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fuzz.commands import TABLE, present, skip_reason, uncovered
from fuzz.run import fuzz


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="stop after this long (default 10)")
    parser.add_argument("--mutants", type=int, default=10**9, help="stop after this many mutants")
    parser.add_argument("--seed", type=int, default=0, help="random seed (a run is reproducible from it)")
    parser.add_argument("--subprocess-every", type=int, default=25, help="also run every Nth mutant in a child process")
    parser.add_argument("--seeds", type=Path, action="append",
                        help="mutate the recordings under this directory instead of fixtures/ (repeatable)")
    parser.add_argument("--save", type=Path, default=Path("fuzz-failures"), help="where failing inputs are written")
    args = parser.parse_args(argv)

    missing = uncovered()
    if missing:
        print(f"fuzz: commands not in fuzz/commands.py TABLE: {', '.join(missing)}", file=sys.stderr)
        return 2
    for command in TABLE:
        reason = skip_reason(command)
        if reason:
            print(f"fuzz: skipping {command.label}: {reason}", file=sys.stderr)
    commands = present()
    stats, failures = fuzz(commands, seed=args.seed, max_mutants=args.mutants, seconds=args.minutes * 60,
                           subprocess_every=args.subprocess_every, save_dir=args.save, seed_dirs=args.seeds,
                           log=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"fuzz: seed {args.seed}: {stats.mutants} mutants, {stats.runs} runs in-process, "
          f"{stats.subprocess_runs} in child processes, {stats.seconds:.0f} s; {len(stats.formats)} seed formats; "
          f"exit statuses {dict(sorted(stats.by_exit.items(), key=str))}; "
          f"{len(failures)} failure(s)" + (f", inputs saved in {args.save}/" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
