"""Speed target of a review diff (#15): `llmcat diff` of two 3,000-file trees within 2x `llmcat ls` of both.

Run: python bench/diff_trees.py [--files N] [--repeat R]

Tree a is bench/suite.py's generated llama-stack suite. Tree b holds the same calls as a
re-recorded suite would: every file renamed (another naming scheme and folder layout, so
diff must pair by what the calls record), 20 answers changed, 10 files removed, 10 added.
Both commands run as subprocesses, taking turns; the best of each counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

import suite  # bench/suite.py (this folder is on sys.path when run as `python bench/diff_trees.py`)

TARGET = 2.0
CHANGED, REMOVED, ADDED = 20, 10, 10


def rerecord(tree_a: Path, tree_b: Path, seed: int = 9) -> None:
    """Tree b: tree a's calls under new names and folders, with some answers changed, removed and added."""
    rng = random.Random(seed)
    files = sorted(p for p in tree_a.rglob("*.json"))
    with_text = [p for p in files if _change_answer(p.read_text()) is not None]  # not model lists or embeddings
    changed = set(rng.sample(with_text, CHANGED))
    removed = set(rng.sample([p for p in files if p not in changed], REMOVED))
    for path in files:
        if path in removed:
            continue
        data = path.read_text()
        if path in changed:
            data = _change_answer(data) or data
        name = hashlib.sha256(("v2" + path.name).encode()).hexdigest()[:16]
        target = tree_b / "recordings" / path.parent.parent.name / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(data)
    suite.generate(tree_b / "added", files=ADDED, seed=seed + 1)


def _change_answer(data: str) -> str | None:
    """The same call with one word of its answer changed (None: no answer text to change)."""
    obj = json.loads(data)
    text = json.dumps(obj["response"])
    for word in suite.WORDS:
        if f" {word} " in text:
            obj["response"] = json.loads(text.replace(f" {word} ", " changed ", 1))
            return json.dumps(obj, indent=2) + "\n"
    return None


def measure(tmpdir, files: int = 3000, repeat: int = 5) -> dict:
    tree_a, tree_b = Path(tmpdir) / "a", Path(tmpdir) / "b"
    suite.generate(tree_a, files)
    rerecord(tree_a, tree_b)
    llmcat = [sys.executable, "-m", "llmcat"]
    diff = [*llmcat, "diff", "--json", str(tree_a), str(tree_b)]
    ls = [*llmcat, "ls", "--json", str(tree_a), str(tree_b)]
    (ls_s, ls_cpu), (diff_s, diff_cpu) = suite.side_by_side(ls, diff, repeat, ok=(0, 1))
    ratio = diff_s / ls_s
    return {"name": "diff of two trees", "files": files, "ls_seconds": round(ls_s, 4), "diff_seconds": round(diff_s, 4),
            "ratio": round(ratio, 3), "target": TARGET, "ok": ratio <= TARGET, "ls_cpu_seconds": round(ls_cpu, 4),
            "diff_cpu_seconds": round(diff_cpu, 4), "load_average": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="llmcat-bench-") as tmpdir:
        result = measure(tmpdir, args.files, args.repeat)
    print(f"{result['files']} files a side; ls of both {result['ls_seconds']:.3f} s, diff {result['diff_seconds']:.3f} s")
    print(f"CPU time: ls {result['ls_cpu_seconds']:.3f} s, diff {result['diff_cpu_seconds']:.3f} s; "
          f"load average {result['load_average']} on {os.cpu_count()} cores")
    print(f"ratio {result['ratio']:.2f} (target <= {TARGET}): {'meets' if result['ok'] else 'MISSES'} the target")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
