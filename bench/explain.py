"""Speed target of `llmcat explain`: one request against a 3,000-file suite within 2x `ls --json` of the suite.

Run: python bench/explain.py [--files N] [--repeat R]

Generates bench/suite.py's llama-stack-shaped suite, takes one of its chat recordings, edits one
message of its request (the commonest miss) and times, as subprocesses taking turns, `llmcat ls --json`
of the suite and `llmcat explain --json REQUEST` against it. The best of each counts; the load
average is reported beside the ratio (the machine is shared). `measure(tmpdir)` returns the numbers
for bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suite  # noqa: E402

TARGET = 2.0


def missed_request(directory: Path) -> Path:
    """A chat recording's request with its last message edited, written beside (not inside) the suite."""
    for path in sorted(directory.rglob("*.json")):
        obj = json.loads(path.read_text())
        body = obj["request"].get("body")
        if isinstance(body, dict) and isinstance(body.get("messages"), list) and body["messages"]:
            body["messages"][-1]["content"] = str(body["messages"][-1].get("content")) + " (edited)"
            request = {"method": obj["request"]["method"], "url": obj["request"]["url"], "body": body}
            out = directory.parent / "request.json"
            out.write_text(json.dumps(request))
            return out
    raise RuntimeError("no chat recording in the generated suite")


def measure(tmpdir, files: int = 3000, repeat: int = suite.REPEAT) -> dict:
    directory = Path(tmpdir) / "explain-suite"
    size = suite.generate(directory, files)
    request = missed_request(directory)
    ls = [sys.executable, "-m", "llmcat", "ls", "--json", str(directory)]
    explain = [sys.executable, "-m", "llmcat", "explain", "--json", str(request), str(directory)]
    (ls_s, ls_cpu), (explain_s, explain_cpu) = suite.side_by_side(ls, explain, repeat, ok=(0, 1))
    ratio = explain_s / ls_s
    return {"name": "explain one request against a suite, vs ls --json of it", "files": files, "bytes": size,
            "ls_seconds": round(ls_s, 4), "explain_seconds": round(explain_s, 4), "ratio": round(ratio, 3),
            "target": TARGET, "ok": ratio <= TARGET, "ls_cpu_seconds": round(ls_cpu, 4),
            "explain_cpu_seconds": round(explain_cpu, 4), "load_average": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=suite.REPEAT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="llmcat-bench-explain-") as tmp:
        result = measure(tmp, args.files, args.repeat)
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"ratio {result['ratio']:.2f} (target <= {TARGET}): {'meets' if result['ok'] else 'misses'} the target")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
