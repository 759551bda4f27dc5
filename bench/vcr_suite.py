"""Speed target of `llmcat ls` on VCR suites: within 0.7x a bare one-core libyaml loop (issue #29).

Run: python bench/vcr_suite.py [--files N] [--repeat R]

Most recorded LLM suites are VCR YAML. Generates a suite shaped like pydantic-ai's (1,400
cassettes, ~90 MB): most cassettes small, their bodies stored decoded as `parsed_body`
mappings (chat completions, Responses, Anthropic messages, tool definitions), streamed
answers as literal `|` SSE blocks, some plain vcrpy cassettes with JSON text bodies and
`!!binary` gzip bodies, some with aiohttp's Python-tagged header names, and a few of one
to three megabytes (a base64 image in the request). Then times, as subprocesses, (a) a bare
loop that only loads each file with PyYAML's libyaml `CSafeLoader` (unknown tags read as
nothing) on one core and prints two fields, and (b) `llmcat ls --json` over the same
directory, both ways in turn; the best of each counts. Targets: wall time within 0.7x the
loop's (llmcat has two cores, the loop one), CPU time within 1.3x.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import random
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suite import ls_against_loop  # noqa: E402

WALL_TARGET = 0.7
CPU_TARGET = 1.3

BARE_LOOP = """
import os, sys, yaml
class Loader(yaml.CSafeLoader):
    pass
Loader.add_constructor(None, lambda loader, node: None)  # tags ignored
paths = []
for top, dirs, files in os.walk(sys.argv[1]):
    paths += [os.path.join(top, f) for f in files]
out = sys.stdout
for path in sorted(paths):
    with open(path, "rb") as handle:
        obj = yaml.load(handle.read(), Loader=Loader)
    for entry in obj["interactions"]:
        out.write(f"{path}\\t{entry['request'].get('uri')}\\n")
"""

WORDS = ("the quick brown fox jumps over a lazy dog while models stream tokens one by one to the test "
         "suite that records every chunk for replay later street crossing weather tool result").split()
MODELS = ["gpt-4o", "gpt-4o-mini", "o3-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "mistral-large-latest"]


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def ident(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice("abcdef0123456789") for _ in range(24))


class Istr(str):
    """aiohttp's case-insensitive header name, dumped as vcrpy writes it under aiohttp."""


class CassetteDumper(yaml.CSafeDumper):
    """pydantic-ai's way: multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and len(value) < 200_000 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _istr(dumper: yaml.SafeDumper, value: Istr) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:python/object/apply:multidict._multidict.istr", [str(value)])


CassetteDumper.add_representer(str, _str)
CassetteDumper.add_representer(Istr, _istr)


def request_headers(rng: random.Random, host: str, length: int, tagged: bool) -> dict:
    names = ["accept", "accept-encoding", "connection", "content-length", "content-type", "host", "user-agent",
             "x-stainless-arch", "x-stainless-lang", "x-stainless-os", "x-stainless-package-version", "x-stainless-retry-count"]
    values = ["application/json", "gzip, deflate", "keep-alive", str(length), "application/json", host, "AsyncOpenAI/Python 1.99.1",
              "x64", "python", "Linux", "1.99.1", "0"]
    return {(Istr(n) if tagged else n): [v] for n, v in zip(names, values, strict=True)}


def response_headers(rng: random.Random, content_type: str, length: int) -> dict:
    return {"alt-svc": ['h3=":443"; ma=86400'], "connection": ["keep-alive"], "content-length": [str(length)],
            "content-type": [content_type], "openai-organization": ["bench-org"], "openai-processing-ms": [str(rng.randint(100, 30000))],
            "openai-version": ["2020-10-01"], "strict-transport-security": ["max-age=31536000; includeSubDomains; preload"],
            "transfer-encoding": ["chunked"], "x-request-id": [ident(rng, "req_")]}


def tools(rng: random.Random) -> list:
    return [{"type": "function", "function": {"name": f"tool_{n}", "description": text(rng, 12), "strict": True,
             "parameters": {"type": "object", "additionalProperties": False, "required": ["city"],
                            "properties": {"city": {"type": "string", "description": text(rng, 6)},
                                           "units": {"type": "string", "enum": ["c", "f"]}}}}} for n in range(rng.randint(0, 4))]


def chat_request(rng: random.Random, model: str, stream: bool, image: int = 0) -> dict:
    messages: list = [{"role": "system", "content": text(rng, rng.randint(5, 40))}]
    for _ in range(rng.randint(1, 5)):
        messages.append({"role": "user", "content": text(rng, rng.randint(5, 80))})
        messages.append({"role": "assistant", "content": text(rng, rng.randint(5, 120))})
    messages.append({"role": "user", "content": text(rng, rng.randint(5, 40))})
    if image:
        payload = base64.b64encode(rng.randbytes(image)).decode()
        messages.append({"role": "user", "content": [{"type": "text", "text": "What is in this image?"},
                                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64," + payload}}]})
    body = {"model": model, "messages": messages, "n": 1, "stream": stream, "tools": tools(rng)}
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def chat_response(rng: random.Random, model: str) -> dict:
    answer = text(rng, rng.randint(10, 300))
    return {"id": ident(rng, "chatcmpl-"), "object": "chat.completion", "created": 1757110037, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer, "refusal": None, "annotations": []},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": rng.randint(10, 900), "completion_tokens": rng.randint(10, 300), "total_tokens": 1200,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}},
            "service_tier": "default", "system_fingerprint": "fp_bench"}


def chat_stream(rng: random.Random, model: str) -> str:
    lines = []
    pieces = [" " + w for w in text(rng, rng.randint(10, 400)).split()]
    for n, piece in enumerate(pieces + [""]):
        last = n == len(pieces)
        chunk = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1757110037, "model": model,
                 "service_tier": "default", "system_fingerprint": "fp_bench",
                 "choices": [{"index": 0, "delta": {} if last else {"content": piece}, "logprobs": None,
                              "finish_reason": "stop" if last else None}], "usage": None}
        lines.append("data: " + json.dumps(chunk, separators=(",", ":")) + "\n\n")
    return "".join(lines) + "data: [DONE]\n\n"


def responses_response(rng: random.Random, model: str) -> dict:
    summary = [{"type": "summary_text", "text": text(rng, rng.randint(20, 120)) + "\n\n" + text(rng, 40)} for _ in range(rng.randint(0, 3))]
    return {"id": ident(rng, "resp_"), "object": "response", "created_at": 1757110037, "status": "completed", "model": model,
            "background": False, "error": None, "incomplete_details": None, "instructions": None, "metadata": {},
            "output": [{"id": ident(rng, "rs_"), "type": "reasoning", "summary": summary,
                        "encrypted_content": base64.urlsafe_b64encode(rng.randbytes(rng.randint(200, 2000))).decode()},
                       {"id": ident(rng, "msg_"), "type": "message", "status": "completed", "role": "assistant",
                        "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": text(rng, rng.randint(10, 300))}]}],
            "usage": {"input_tokens": 13, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 900,
                      "output_tokens_details": {"reasoning_tokens": 640}, "total_tokens": 913}}


def interaction(rng: random.Random, kind: str, host: str = "api.openai.com") -> dict:
    model = rng.choice(MODELS)
    streamed = kind == "stream"
    image = rng.randint(700_000, 2_200_000) if kind == "image" else 0
    req_body = chat_request(rng, model, streamed, image)
    path = "/v1/responses" if kind == "responses" else "/v1/chat/completions"
    length = len(json.dumps(req_body))
    request = {"headers": request_headers(rng, host, length, kind == "tagged"), "method": "POST", "uri": f"https://{host}{path}"}
    status = {"code": 200, "message": "OK"}
    if kind in ("plain", "binary", "tagged"):
        request["body"] = json.dumps(req_body)
        answer = json.dumps(chat_response(rng, model))
        if kind == "binary":
            headers = response_headers(rng, "application/json", len(answer)) | {"content-encoding": ["gzip"]}
            body = {"string": gzip.compress(answer.encode(), mtime=0)}
        else:
            headers, body = response_headers(rng, "application/json", len(answer)), {"string": answer}
        return {"request": request, "response": {"headers": headers, "status": status, "body": body}}
    request["parsed_body"] = req_body
    if streamed:
        stream = chat_stream(rng, model)
        response = {"headers": response_headers(rng, "text/event-stream; charset=utf-8", len(stream)), "status": status,
                    "body": {"string": stream}}
    else:
        answer_obj = responses_response(rng, model) if kind == "responses" else chat_response(rng, model)
        response = {"headers": response_headers(rng, "application/json", 2000), "status": status, "parsed_body": answer_obj}
    return {"request": request, "response": response}


# (kind, weight): pydantic-ai's mix, mostly decoded JSON bodies; a plain vcrpy minority.
KINDS = [("parsed", 38), ("responses", 15), ("stream", 25), ("plain", 10), ("binary", 6), ("tagged", 4), ("image", 2)]


def generate(directory: Path, files: int = 1400, seed: int = 29) -> int:
    """Write `files` cassettes under `directory`; returns the total bytes written."""
    rng = random.Random(seed)
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    total = 0
    for n in range(files):
        kind = rng.choice(kinds)
        count = 1 if kind == "image" else rng.choice([1, 1, 1, 2, 2, 3, 4])
        cassette = {"interactions": [interaction(rng, kind) for _ in range(count)], "version": 1}
        data = yaml.dump(cassette, Dumper=CassetteDumper, allow_unicode=True, sort_keys=False, width=120).encode()
        path = directory / "tests" / "cassettes" / f"test_{kind}" / f"test_{kind}_{n}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
    return total


REPEAT = 5


def measure(tmpdir, files: int = 1400, repeat: int = REPEAT) -> dict:
    """Generate the suite into `tmpdir` and time both sides; the numbers as a dict."""
    directory = Path(tmpdir) / "vcr-suite"
    size = generate(directory, files)
    bare_s, bare_cpu, ls_s, ls_cpu = ls_against_loop(BARE_LOOP, directory, repeat)
    ratio, cpu_ratio = ls_s / bare_s, ls_cpu / bare_cpu
    return {"name": "ls --json over a VCR suite", "files": files, "bytes": size, "bare_seconds": round(bare_s, 4),
            "llmcat_seconds": round(ls_s, 4), "ratio": round(ratio, 3), "target": WALL_TARGET,
            "bare_cpu_seconds": round(bare_cpu, 4), "llmcat_cpu_seconds": round(ls_cpu, 4), "cpu_ratio": round(cpu_ratio, 3),
            "cpu_target": CPU_TARGET, "ok": ratio <= WALL_TARGET and cpu_ratio <= CPU_TARGET,
            "load_average": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1400)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--keep", metavar="DIR", help="generate the suite into DIR (kept) and time it there")
    args = parser.parse_args(argv)
    if args.keep:
        result = measure(args.keep, args.files, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="llmcat-bench-") as tmpdir:
            result = measure(tmpdir, args.files, args.repeat)
    print(f"{result['files']} cassettes, {result['bytes'] / 1e6:.1f} MB")
    print(f"bare libyaml loop (one core): {result['bare_seconds']:.3f} s wall, {result['bare_cpu_seconds']:.3f} s CPU")
    print(f"llmcat ls --json:             {result['llmcat_seconds']:.3f} s wall, {result['llmcat_cpu_seconds']:.3f} s CPU")
    print(f"wall ratio {result['ratio']:.2f} (target <= {WALL_TARGET}), CPU ratio {result['cpu_ratio']:.2f} "
          f"(target <= {CPU_TARGET}); load average {result['load_average']} on {os.cpu_count()} cores")
    print("meets the targets" if result["ok"] else "MISSES the targets")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
