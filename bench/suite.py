"""Speed target of `llmcat ls`: a llama-stack-sized suite within 1.5x a bare orjson loop.

Run: python bench/suite.py [--files N] [--repeat R] [--check]

`--check` times `llmcat check` (every finding code, credentials included; one recording in a
hundred holds a key) against `llmcat ls --json` on the same suite instead (target: within 2x).

Generates a suite shaped like llama-stack's `tests/integration/*/recordings/` (streamed
and plain chat, completions, model lists, embeddings, Anthropic SSE passthrough, Ollama;
pretty-printed JSON named by request hash, ~30 KB a file on average) into a temporary
directory, then times, as subprocesses, (a) a bare loop that only `orjson.loads` each
file and prints two fields and (b) `llmcat ls --json` over the same directory. Each is
run several times; the minimum counts. `measure(tmpdir)` returns the numbers for
bench/run.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5
ROOT = Path(__file__).resolve().parent.parent

CHUNK = "openai.types.chat.chat_completion_chunk.ChatCompletionChunk"
CHAT = "openai.types.chat.chat_completion.ChatCompletion"
COMPLETION = "openai.types.completion.Completion"
MODEL = "openai.types.model.Model"
EMBEDDINGS = "openai.types.create_embedding_response.CreateEmbeddingResponse"
OLLAMA_CHAT = "ollama._types.ChatResponse"

HOSTS = ["http://0.0.0.0:11434/v1", "https://api.openai.com/v1", "http://localhost:8000/v1",
         "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1", "https://api.together.xyz/v1"]
MODELS = ["llama3.2:3b-instruct-fp16", "gpt-4o", "gpt-4o-mini", "Qwen/Qwen3-0.6B", "meta-llama/Llama-3.3-70B-Instruct"]
SUITES = ["inference", "responses", "agents", "common", "vector_io", "messages", "batches"]
WORDS = ("the quick brown fox jumps over a lazy dog while models stream tokens one by one to the test "
         "suite that records every chunk for replay later").split()

WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CHECK_TARGET = 2.0  # check, secrets included, within 2x ls --json on the same suite (issue #25)

BARE_LOOP = """
import os, sys, orjson
paths = []
for top, dirs, files in os.walk(sys.argv[1]):
    paths += [os.path.join(top, f) for f in files]
out = sys.stdout
for path in sorted(paths):
    with open(path, "rb") as handle:
        obj = orjson.loads(handle.read())
    out.write(f"{path}\\t{obj['request'].get('model')}\\n")
"""


def wrap(kind: str, data: dict) -> dict:
    return {"__type__": kind, "__data__": data}


def words(rng: random.Random, n: int) -> list[str]:
    return [" " + rng.choice(WORDS) for _ in range(n)]


def request(host: str, path: str, body: dict) -> dict:
    return {"method": "POST", "url": host + path, "headers": {}, "body": body, "endpoint": path, "model": body.get("model", "")}


def messages(rng: random.Random) -> list[dict]:
    turns = [{"role": "system", "content": "You are a helpful assistant."}]
    for _ in range(rng.randint(1, 4)):
        turns.append({"role": "user", "content": "".join(words(rng, rng.randint(5, 60))).strip()})
    return turns


def chat_stream(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    pieces = words(rng, rng.choice([8, 20, 40, 60, 100, 220]))
    usage = {"completion_tokens": len(pieces), "prompt_tokens": rng.randint(10, 400)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    chunks = []
    for n, piece in enumerate(pieces + [""]):
        last = n == len(pieces)
        delta = {"content": piece or None, "function_call": None, "refusal": None, "role": "assistant", "tool_calls": None}
        chunks.append(wrap(CHUNK, {
            "id": "rec-0123456789ab", "choices": [{"delta": delta, "finish_reason": "stop" if last else None, "index": 0,
                                                   "logprobs": None}],
            "created": 0, "model": model, "object": "chat.completion.chunk", "service_tier": None,
            "system_fingerprint": "fp_bench", "usage": usage if last else None}))
    body = {"model": model, "messages": messages(rng), "stream": True, "stream_options": {"include_usage": True}}
    return request(host, "/v1/chat/completions", body) | {"_body": chunks}, True


def chat_plain(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    text = "".join(words(rng, rng.randint(10, 200)))
    usage = {"completion_tokens": 40, "prompt_tokens": 30, "total_tokens": 70}
    data = {"id": "rec-0123456789ab", "choices": [{"finish_reason": "stop", "index": 0, "logprobs": None,
            "message": {"content": text, "refusal": None, "role": "assistant", "tool_calls": None}}],
            "created": 0, "model": model, "object": "chat.completion", "usage": usage}
    body = {"model": model, "messages": messages(rng), "stream": False, "temperature": 0.0}
    return request(host, "/v1/chat/completions", body) | {"_body": wrap(CHAT, data)}, False


def completions_stream(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    pieces = words(rng, rng.choice([10, 50, 100]))
    chunks = [wrap(COMPLETION, {"id": "rec-0123456789ab", "choices": [{"finish_reason": "length" if n == len(pieces) - 1 else None,
              "index": 0, "logprobs": None, "text": p}], "created": 0, "model": model, "object": "text_completion",
              "system_fingerprint": None, "usage": None}) for n, p in enumerate(pieces)]
    body = {"model": model, "prompt": "Roses are red, violets are", "max_tokens": len(pieces), "stream": True}
    return request(host, "/v1/completions", body) | {"_body": chunks}, True


def models_list(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    items = [wrap(MODEL, {"id": f"{m}-{n}", "created": 0, "object": "model", "owned_by": "bench"})
             for n in range(rng.randint(3, 60)) for m in [rng.choice(MODELS)]]
    return request(host, "/v1/models", {}) | {"_body": items}, False


def embeddings(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    vectors = [{"embedding": [round(rng.uniform(-1, 1), 8) for _ in range(384)], "index": i, "object": "embedding"} for i in range(2)]
    data = {"data": vectors, "model": "nomic-embed-text", "object": "list", "usage": {"prompt_tokens": 8, "total_tokens": 8}}
    body = {"model": "nomic-embed-text", "input": ["hello", "world"], "encoding_format": "float"}
    return request(host, "/v1/embeddings", body) | {"_body": wrap(EMBEDDINGS, data)}, False


def ollama_chat(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    pieces = words(rng, rng.randint(5, 40))
    chunks = [wrap(OLLAMA_CHAT, {"model": model, "created_at": "1970-01-01T00:00:00.000000Z", "done": n == len(pieces) - 1,
              "done_reason": "stop" if n == len(pieces) - 1 else None, "message": {"role": "assistant", "content": p}})
              for n, p in enumerate(pieces)]
    body = {"model": model, "messages": messages(rng), "stream": True}
    return request("http://localhost:11434", "/api/chat", body) | {"_body": chunks}, True


def anthropic_sse(rng: random.Random, model: str, host: str) -> tuple[dict, bool]:
    def event(name: str, data: dict) -> list[str]:
        return [f"event: {name}", "data: " + json.dumps(data, separators=(",", ":")), ""]

    lines = event("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                  "model": model, "content": [], "usage": {"input_tokens": 20, "output_tokens": 1}}})
    lines += event("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    for piece in words(rng, rng.randint(5, 80)):
        lines += event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})
    lines += event("content_block_stop", {"type": "content_block_stop", "index": 0})
    lines += event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 30}})
    lines += event("message_stop", {"type": "message_stop"})
    req = {"url": "http://0.0.0.0:11434/v1/messages", "method": "POST",
           "payload": {"model": model, "messages": messages(rng)[1:], "max_tokens": 256, "stream": True}}
    return req | {"_body": lines}, True


def request_hash(req: dict, test_id: str) -> str:
    """The name llama-stack's current recorder gives the file (so `llmcat check` finds it healthy)."""
    if "payload" in req:
        ident = {"test_id": test_id, "url": req["url"], "method": req["method"], "payload": req["payload"]}
    else:
        path = "/" + req["url"].split("/", 3)[3]
        ident = {"method": req["method"], "endpoint": path, "body": req["body"], "test_id": test_id}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


# (maker, weight): roughly the mix of a real suite, which is mostly chat.
KINDS = [(chat_stream, 45), (chat_plain, 15), (completions_stream, 10), (models_list, 7), (embeddings, 5),
         (ollama_chat, 8), (anthropic_sse, 10)]


def generate(directory: Path, files: int = 3000, seed: int = 4, secrets: bool = False) -> int:
    """Write `files` recordings under `directory`; returns the total bytes written. `secrets`: one
    recording in a hundred has an API key in its request headers (for `check` to find)."""
    rng = random.Random(seed)
    makers = [maker for maker, weight in KINDS for _ in range(weight)]
    total = 0
    for n in range(files):
        maker = rng.choice(makers)
        suite = rng.choice(SUITES)
        test_id = f"tests/integration/{suite}/test_bench.py::test_{maker.__name__}[{n}]"
        req, streaming = maker(rng, rng.choice(MODELS), rng.choice(HOSTS))
        body = req.pop("_body")
        if "payload" in req:
            req = {"test_id": test_id, **req}
        name = request_hash(req, test_id)
        if maker is models_list:
            name = f"models-{name}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
        if secrets and n % 100 == 7:
            req["headers"] = {"Authorization": "Bearer sk-proj-" + "".join(rng.choice(WORD_CHARS) for _ in range(48))}
        obj = {"test_id": test_id, "request": req, "response": {"body": body, "is_streaming": streaming}, "id_normalization_mapping": {}}
        path = directory / "tests" / "integration" / suite / "recordings" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(obj, indent=2) + "\n"
        path.write_text(data)
        total += len(data)
    return total


def compile_bytecode() -> None:
    """Byte-compile llmcat, as `pip install` does for an installed package.

    An editable install under PYTHONDONTWRITEBYTECODE (set on this project's machines)
    never caches bytecode, so every run would recompile llmcat's ~6,000 lines (~40 ms)
    while the bare loop compiles nothing: not the steady state users run in. Python
    reads an up-to-date .pyc even where it may not write one."""
    import compileall

    compileall.compile_dir(str(ROOT / "llmcat"), quiet=1)


def _run(argv: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """One run's wall time and CPU time (user + system, all its processes); `ok`: the exit statuses of success."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise RuntimeError(f"{argv[:4]} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _best_times(argvs: list[list[str]], repeat: int, ok: tuple[int, ...] = (0,)) -> list[tuple[float, float]]:
    """For each command, the best wall time of `repeat` runs (and that run's CPU time).
    The commands take turns, so a shared machine's slow spells fall on both sides alike."""
    best = [(float("inf"), 0.0) for _ in argvs]
    for _ in range(repeat):
        for i, argv in enumerate(argvs):
            result = _run(argv, ok)
            if result[0] < best[i][0]:
                best[i] = result
    return best


# Rounds of (bare loop, ls) taken in turn; the best of each counts. ls needs the second core,
# which a shared machine's other work takes in spells of seconds: nine rounds (~10 s) see
# more of the machine than five.
REPEAT = 9


def side_by_side(first: list[str], second: list[str], repeat: int, ok: tuple[int, ...] = (0,)) -> list[tuple[float, float]]:
    """Both commands' best (wall, CPU) of `repeat` rounds taken in turn, llmcat byte-compiled and the
    page cache warmed for both first."""
    compile_bytecode()
    _best_times([first, second], 1, ok)
    return _best_times([first, second], repeat, ok)


def ls_against_loop(loop: str, directory: Path, repeat: int) -> tuple[float, float, float, float]:
    """(loop wall, loop CPU, ls wall, ls CPU): a bare loop's source, run with `directory` as its argument,
    against `llmcat ls --json` over it."""
    bare = [sys.executable, "-c", loop, str(directory)]
    ls = [sys.executable, "-m", "llmcat", "ls", "--json", str(directory)]
    (bare_s, bare_cpu), (ls_s, ls_cpu) = side_by_side(bare, ls, repeat)
    return bare_s, bare_cpu, ls_s, ls_cpu


def measure(tmpdir, files: int = 3000, repeat: int = REPEAT) -> dict:
    """Generate the suite into `tmpdir` and time both sides; the numbers as a dict."""
    directory = Path(tmpdir) / "suite"
    size = generate(directory, files)
    bare_s, bare_cpu, ls_s, ls_cpu = ls_against_loop(BARE_LOOP, directory, repeat)
    ratio = ls_s / bare_s
    # The wall-time ratio is the target; the CPU ratio says how much of it the parallel reading bought
    # (on a busy machine the second core is not free and the two ratios converge).
    return {"name": "ls --json over a suite", "files": files, "bytes": size, "bare_seconds": round(bare_s, 4),
            "llmcat_seconds": round(ls_s, 4), "ratio": round(ratio, 3), "target": TARGET, "ok": ratio <= TARGET,
            "bare_cpu_seconds": round(bare_cpu, 4), "llmcat_cpu_seconds": round(ls_cpu, 4),
            "cpu_ratio": round(ls_cpu / bare_cpu, 3) if bare_cpu else None, "load_average": round(os.getloadavg()[0], 2)}


def measure_check(tmpdir, files: int = 3000, repeat: int = REPEAT) -> dict:
    """`llmcat check` (every code: credentials, cookies, orphans, hashes, duplicates) against
    `llmcat ls --json` on the same generated suite, one recording in a hundred holding a key."""
    directory = Path(tmpdir) / "check-suite"
    size = generate(directory, files, secrets=True)
    ls = [sys.executable, "-m", "llmcat", "ls", "--json", str(directory)]
    check = [sys.executable, "-m", "llmcat", "check", str(directory)]
    (ls_s, ls_cpu), (check_s, check_cpu) = side_by_side(ls, check, repeat, ok=(0, 1))
    ratio = check_s / ls_s
    return {"name": "check vs ls --json over a suite", "files": files, "bytes": size, "ls_seconds": round(ls_s, 4),
            "check_seconds": round(check_s, 4), "ratio": round(ratio, 3), "target": CHECK_TARGET, "ok": ratio <= CHECK_TARGET,
            "ls_cpu_seconds": round(ls_cpu, 4), "check_cpu_seconds": round(check_cpu, 4),
            "cpu_ratio": round(check_cpu / ls_cpu, 3) if ls_cpu else None, "load_average": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--check", action="store_true", help="time check against ls --json instead")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory(prefix="llmcat-bench-") as tmpdir:
            result = measure_check(tmpdir, args.files, args.repeat)
        for key, value in result.items():
            print(f"{key}: {value}")
        return 0 if result["ok"] else 1
    with tempfile.TemporaryDirectory(prefix="llmcat-bench-") as tmpdir:
        result = measure(tmpdir, args.files, args.repeat)
    print(f"{result['files']} files, {result['bytes'] / 1e6:.1f} MB")
    print(f"bare orjson loop: {result['bare_seconds']:.3f} s")
    print(f"llmcat ls --json: {result['llmcat_seconds']:.3f} s")
    print(f"CPU time: bare {result['bare_cpu_seconds']:.3f} s, llmcat {result['llmcat_cpu_seconds']:.3f} s "
          f"(ratio {result['cpu_ratio']}); load average {result['load_average']} on {os.cpu_count()} cores")
    verdict = "meets" if result["ok"] else "MISSES"
    print(f"ratio {result['ratio']:.2f} (target <= {TARGET}): {verdict} the target")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
