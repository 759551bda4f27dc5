"""Mutators: turn a good recording into the hostile inputs llmcat must survive.

Each takes the original bytes and a `random.Random` and returns the mutant bytes.
Byte-level mutators work on any format; the structural ones change a value at a path of
the recording in its own syntax (fuzz/syntax.py) and return None when no syntax reads it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import yaml

from fuzz import syntax

ROOT = Path(__file__).resolve().parent.parent
SEED_SUFFIXES = (".json", ".yaml", ".yml", ".har", ".sse", ".jsonl", ".ndjson", ".txt", ".httprr", ".responses")

# Values dropped where something else belongs, including text that tries to drive a terminal.
HOSTILE_VALUES: tuple = (
    None, True, False, 0, -1, 1.5, 2**64, -(2**63), 1e308, "", "x", "\x1b]0;title\x07", "\x9b2J", "\ud800",
    "[bold]x[/bold] :skull:", [], [None], [[]], {}, {"": None}, {"__type__": 1, "__data__": None},
    "data: {\"x\": 1}", ["data: [DONE]"], "ok\u202e\u2066\u200b\u2028txt",
)


def seeds(directories: list[Path] | None = None) -> list[Path]:
    """Recordings to mutate: the project's own fixtures (good and bad, every format), or the given directories."""
    found = [p for d in (directories or [ROOT / "fixtures"]) for p in sorted(Path(d).rglob("*"))
             if p.is_file() and p.name.endswith(SEED_SUFFIXES)]
    return [p for p in found if p.stat().st_size < 2_000_000]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)] if data else data


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_nul(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b"\x00" * rng.choice((1, 3)) + data[at:]


def bad_utf8(data: bytes, rng: random.Random) -> bytes:
    junk = rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80\x80"))
    at = _inside_string(data, rng)
    return data[:at] + junk + data[at:]


def lone_surrogate(data: bytes, rng: random.Random) -> bytes:
    escape = rng.choice((b"\\ud800", b"\\udfff", b"\\ud83d", b"\\udc00\\ud800"))
    at = _inside_string(data, rng)
    return data[:at] + escape + data[at:]


def _inside_string(data: bytes, rng: random.Random) -> int:
    """A position just after an opening quote, where an escape is legal JSON text."""
    quotes = [i + 1 for i, b in enumerate(data) if b == 0x22][:5000]
    return rng.choice(quotes) if quotes else rng.randrange(len(data) + 1)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((300, 1100, 5000, 100_000))
    opener, closer = rng.choice(((b"[", b"]"), (b'{"a":', b"}")))
    nest = opener * depth + b"1" + closer * depth
    if rng.random() < 0.5:
        return nest
    at = _inside_value(data, rng)
    return data[:at] + nest + data[at:] if at is not None else nest


def _inside_value(data: bytes, rng: random.Random) -> int | None:
    """A position after `":` (a value slot), for splicing a value in front of the old one."""
    slots = [i + 2 for i in range(len(data) - 1) if data[i:i + 2] == b'":'][:5000]
    return rng.choice(slots) if slots else None


def huge_value(data: bytes, rng: random.Random) -> bytes:
    """A long string (kept to a few MB here; the 100 MB case is its own test)."""
    size = rng.choice((10_000, 1_000_000, 3_000_000))
    return _structured_mutant(data, rng, lambda _old: "\x1b[2J" + "A" * size)


_paths = syntax.value_paths  # every path of a JSON value (tests/test_hostile.py walks them too)


def _structured_mutant(data: bytes, rng: random.Random, change: Callable) -> bytes | None:
    """Change the value at a random path of the recording, in its own syntax (fuzz/syntax.py:
    JSON, JSON Lines, SSE, httprr, YAML with its tags and aliases); None when no syntax reads it."""
    document = syntax.decode(data)
    if document is None:
        return None
    path = rng.choice(document.paths())
    try:
        new = change(document.get(path))
        if new is _DELETE:
            if not path:
                return b""
            document.delete(path)
        else:
            document.set(path, new)
        return document.encode(rng)
    except (yaml.YAMLError, RecursionError):  # a value YAML cannot write, a structure too deep to write again
        return None


_DELETE = object()


def swap_type(data: bytes, rng: random.Random) -> bytes | None:
    def change(old):
        choices = [v for v in HOSTILE_VALUES if type(v) is not type(old)]
        return rng.choice(choices)

    return _structured_mutant(data, rng, change)


def delete_key(data: bytes, rng: random.Random) -> bytes | None:
    return _structured_mutant(data, rng, lambda _old: _DELETE)


def hostile_key(data: bytes, rng: random.Random) -> bytes | None:
    """Rename a random key to text that tries to drive a terminal (keys are shown as labels)."""
    def change(old):
        if isinstance(old, dict) and old:
            key = rng.choice(list(old))
            return {(rng.choice(("\x1b]0;t\x07", "\x9b2J", "[bold]k[/bold]", "\r", "\u202e\u2066")) + key if k == key else k): v
                    for k, v in old.items()}
        return old

    return _structured_mutant(data, rng, change)


def duplicate_or_shuffle(data: bytes, rng: random.Random) -> bytes | None:
    def change(old):
        if isinstance(old, list) and old:
            copy = list(old)
            rng.shuffle(copy)
            return copy + copy[: rng.randrange(len(copy) + 1)]
        if isinstance(old, str):
            return old * rng.choice((0, 2, 3))
        return [old, old]

    return _structured_mutant(data, rng, change)


def inflate(data: bytes, rng: random.Random) -> bytes | None:
    """Repeat a recording's stream chunks past 256 KB, where the fast reader for big streams takes over."""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return None
    body = obj.get("response", {}).get("body") if isinstance(obj, dict) and isinstance(obj.get("response"), dict) else None
    if not isinstance(body, list) or not body:
        return None
    size = len(json.dumps(body)) or 1
    obj["response"]["body"] = body * (300_000 // size + 1)
    return json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def empty(data: bytes, rng: random.Random) -> bytes:
    return rng.choice((b"", b" ", b"\n\n", b"\xef\xbb\xbf", b"null", b"[]", b"{}", b'""', b"0"))


MUTATORS: dict[str, Callable] = {
    "truncate": truncate,
    "flip-bytes": flip_bytes,
    "nul": insert_nul,
    "bad-utf8": bad_utf8,
    "lone-surrogate": lone_surrogate,
    "deep-nesting": deep_nesting,
    "huge-value": huge_value,
    "swap-type": swap_type,
    "delete-key": delete_key,
    "hostile-key": hostile_key,
    "duplicate-shuffle": duplicate_or_shuffle,
    "empty": empty,
    "inflate": inflate,
}
# How often each is picked: the structural ones find the most, the costly ones are rarer.
WEIGHTS = {"truncate": 4, "flip-bytes": 4, "nul": 1, "bad-utf8": 1, "lone-surrogate": 1, "deep-nesting": 1,
           "huge-value": 0.3, "swap-type": 8, "delete-key": 4, "hostile-key": 2, "duplicate-shuffle": 2, "empty": 0.5, "inflate": 1.5}


UNREADABLE = "(unreadable)"  # the bad fixtures: a class of their own among the formats


def seed_format(path: Path) -> str:
    """The format llmcat reads a seed as (its first call's), or UNREADABLE."""
    from llmcat.formats import parse
    from llmcat.model import InputError

    try:
        found = parse(path.read_bytes(), str(path), name=path.name)
    except InputError:
        return UNREADABLE
    return found[0].format if found else UNREADABLE


def by_format(seed_files: list[Path]) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in seed_files:
        groups.setdefault(seed_format(path), []).append(path)
    return dict(sorted(groups.items()))


def mutants(seed_files: list[Path], rng: random.Random):
    """An endless stream of (description, format, bytes); stacked mutations now and then.

    The first round takes one seed of every format in turn, so that even a short fixed-seed
    run mutates every container format (88 llama-stack seeds would otherwise drown the one
    HAR), and changes a value at a path of it in its own syntax first (swap-type); after it,
    seeds and mutators are drawn at random."""
    groups = by_format(seed_files)
    cache: dict[Path, bytes] = {}
    first_round = [(fmt, rng.choice(paths)) for fmt, paths in groups.items()]
    names = list(MUTATORS)
    weights = [WEIGHTS[n] for n in names]
    formats = {path: fmt for fmt, paths in groups.items() for path in paths}
    n = 0
    while True:
        fmt, path = first_round[n] if n < len(first_round) else (None, rng.choice(seed_files))
        fmt = fmt or formats[path]
        data = cache.setdefault(path, path.read_bytes())
        steps = []
        structural_first = n < len(first_round) and syntax.decode(data) is not None
        for step in range(rng.choice((1, 1, 1, 2, 3))):
            name = "swap-type" if structural_first and step == 0 else rng.choices(names, weights)[0]
            out = MUTATORS[name](data, rng)
            if out is None:
                continue
            data = out
            steps.append(name)
        if steps:  # (a seed of the first round is tried again until something changed it)
            n += 1
            yield f"{_shown(path)} {'+'.join(steps)}", fmt, data


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
