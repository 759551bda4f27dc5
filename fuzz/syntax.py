"""A recording's structure in its own syntax: read it, change a value at a path, write it back.

The structural mutators (and the property suite) change one value deep inside a recording.
Doing that only to JSON would leave the YAML cassettes (vcrpy, Ruby VCR, websocket, xAI gRPC),
httprr traces, SSE captures and JSON Lines with byte-level damage alone, which their readers
mostly refuse at the first line. So each syntax has a `Document`: `paths()` lists every place
in it, `get`/`set`/`delete` work on one, and `encode` writes the whole in the same syntax
(YAML keeps its tags, anchors and aliases; httprr its length prefixes; SSE its field lines),
so the mutant reaches the format's own reader. `decode` sniffs the syntax from the bytes
(a stacked mutation no longer has the seed's shape) and returns None when none fits.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.representer import SafeRepresenter

Path = tuple


def value_paths(node: Any, prefix: Path = ()) -> Iterator[Path]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from value_paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from value_paths(value, prefix + (i,))


def _dumps(value: Any, rng: random.Random | None) -> str:
    return json.dumps(value, ensure_ascii=rng.random() < 0.5 if rng else True)


class ValueDocument:
    """Plain values (JSON's): paths are key and index steps."""

    syntax = "json"

    def __init__(self, value: Any) -> None:
        self.value = value

    def paths(self) -> list[Path]:
        return list(value_paths(self.value))

    def get(self, path: Path) -> Any:
        node = self.value
        for step in path:
            node = node[step]
        return node

    def set(self, path: Path, value: Any) -> None:
        if not path:
            self.value = value
        else:
            self.get(path[:-1])[path[-1]] = value

    def delete(self, path: Path) -> None:
        if path:
            del self.get(path[:-1])[path[-1]]
        else:
            self.value = None

    def encode(self, rng: random.Random | None = None) -> bytes:
        return _dumps(self.value, rng).encode("utf-8", "surrogatepass")


class JsonLinesDocument(ValueDocument):
    """One JSON value a line (Ollama's NDJSON, `.jsonl` captures); the root is the list of lines."""

    syntax = "jsonl"

    def encode(self, rng: random.Random | None = None) -> bytes:
        lines = self.value if isinstance(self.value, list) else [self.value]
        return "".join(_dumps(v, rng) + "\n" for v in lines).encode("utf-8", "surrogatepass")


_SSE_FIELD = re.compile(r"^(data|event|id|retry)?:")


class SseDocument(ValueDocument):
    """Server-sent events: a list of events, each a list of [field, value] lines; a `data`
    value that is JSON is its parsed value (so paths reach inside it), written back on one line."""

    syntax = "sse"

    def encode(self, rng: random.Random | None = None) -> bytes:
        events = self.value if isinstance(self.value, list) else [[["data", self.value]]]
        out = []
        for event in events:
            lines = event if isinstance(event, list) else [["data", event]]
            for line in lines:
                field, value = (line + [""])[:2] if isinstance(line, list) and line else ("data", line)
                out.append(f"{_text(field, rng)}: {_text(value, rng)}\n" if field else f":{_text(value, rng)}\n")
            out.append("\n")
        return "".join(out).encode("utf-8", "surrogatepass")


def _text(value: Any, rng: random.Random | None) -> str:
    return value if isinstance(value, str) else _dumps(value, rng)


def _decode_sse(text: str) -> SseDocument:
    events, current = [], []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            if current:
                events.append(current)
            current = []
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        current.append([field, _json_or_text(value) if field == "data" else value])
    if current:
        events.append(current)
    return SseDocument(events)


def _json_or_text(text: str) -> Any:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # (a deep-nesting mutant: kept as its text)
        return text
    return value if isinstance(value, (dict, list)) else text


class HttprrDocument(ValueDocument):
    """An httprr trace (Go's rsc.io/httprr): request and response messages, each with its start
    line, [name, value] headers and a body (parsed when it is JSON); written back with fresh
    length prefixes and, where the message declares one, a matching Content-Length."""

    syntax = "httprr"

    def encode(self, rng: random.Random | None = None) -> bytes:
        records = self.value if isinstance(self.value, list) else [self.value]
        out = [b"httprr trace v1\n"]
        for record in records:
            pair = record if isinstance(record, list) else [record, record]
            request, response = (_message_bytes(m, rng) for m in (pair + [{}, {}])[:2])
            out.append(b"%d %d\n" % (len(request), len(response)) + request + response)
        return b"".join(out)


def _message_bytes(message: Any, rng: random.Random | None) -> bytes:
    if not isinstance(message, dict):
        return _text(message, rng).encode("utf-8", "surrogatepass")
    body = message.get("body", "")
    raw_body = _bytes(body if isinstance(body, str) else _dumps(body, rng))
    lines = [_text(message.get("start", ""), rng)]
    headers = message.get("headers")
    for header in headers if isinstance(headers, list) else []:
        name, value = ((header + ["", ""])[:2] if isinstance(header, list) else (header, ""))
        if str(name).lower() == "content-length" and str(value).isdigit():
            value = str(len(raw_body))
        lines.append(f"{_text(name, rng)}: {_text(value, rng)}")
    return _bytes("\r\n".join(lines) + "\r\n\r\n") + raw_body


def _bytes(text: str) -> bytes:
    """Text back to bytes: undecodable bytes kept as read, a lone surrogate a value put there."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _decode_httprr(data: bytes) -> HttprrDocument | None:
    records, pos = [], data.index(b"\n") + 1
    while pos < len(data):
        end = data.find(b"\n", pos)
        sizes = data[pos:end].split() if end >= 0 else []
        if len(sizes) != 2 or not all(s.isdigit() for s in sizes):
            return None
        start, n_request, n_response = end + 1, int(sizes[0]), int(sizes[1])
        request = data[start:start + n_request]
        response = data[start + n_request:start + n_request + n_response]
        records.append([_message(request), _message(response)])
        pos = start + n_request + n_response
    return HttprrDocument(records)


def _message(raw: bytes) -> dict:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "surrogateescape").split("\r\n")
    headers = [list(line.split(": ", 1)) + [""] * (": " not in line) for line in lines[1:]]
    try:
        text = _json_or_text(body.decode("utf-8"))
    except UnicodeDecodeError:  # (a gzip or binary body: kept byte for byte)
        text = body.decode("utf-8", "surrogateescape")
    return {"start": lines[0], "headers": headers, "body": text}


class YamlDocument:
    """A YAML cassette as PyYAML's node graph: tags (`!binary`, `!ruby/struct:...`,
    `!!python/object/apply:...`), anchors and aliases stay as written. A path steps into a
    mapping by pair index (its value) and a sequence by item index; a new value is
    represented as YAML nodes; `encode` serialises the graph again."""

    syntax = "yaml"

    def __init__(self, root: yaml.Node) -> None:
        self.root = root

    def paths(self) -> list[Path]:
        out, stack, seen = [], [((), self.root)], set()
        while stack:
            path, node = stack.pop()
            out.append(path)
            if id(node) in seen:  # an alias: its inside is reached through its anchor
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                stack.extend((path + (i,), value) for i, (_key, value) in enumerate(node.value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((path + (i,), item) for i, item in enumerate(node.value))
        return out

    def _node(self, path: Path) -> yaml.Node:
        node = self.root
        for step in path:
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                raise KeyError(step)  # an earlier change put a scalar where this path went on
            item = node.value[step]
            node = item[1] if isinstance(node, yaml.MappingNode) else item
        return node

    def get(self, path: Path) -> Any:
        """The value there, as the project's YAML loader reads it (its text if that fails)."""
        from llmcat.formats._yaml import DataLoader

        node = self._node(path)
        try:
            return DataLoader("").construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            return node.value if isinstance(node, yaml.ScalarNode) else None

    def set(self, path: Path, value: Any) -> None:
        new = SafeRepresenter().represent_data(value)
        if not path:
            self.root = new
            return
        parent = self._node(path[:-1])
        if isinstance(parent, yaml.MappingNode):
            parent.value[path[-1]] = (parent.value[path[-1]][0], new)
        else:
            parent.value[path[-1]] = new

    def delete(self, path: Path) -> None:
        if path:
            del self._node(path[:-1]).value[path[-1]]
        else:
            self.root = yaml.ScalarNode("tag:yaml.org,2002:null", "")

    def encode(self, rng: random.Random | None = None) -> bytes:
        text = yaml.serialize(self.root, Dumper=yaml.SafeDumper, allow_unicode=rng.random() < 0.5 if rng else True)
        return text.encode("utf-8", "surrogatepass")


Document = ValueDocument | YamlDocument


def decode(data: bytes) -> Document | None:
    """The bytes as a document of the first syntax that reads them, or None."""
    if data.startswith(b"httprr trace v1\n"):
        try:
            return _decode_httprr(data)
        except ValueError:
            return None
    try:
        return ValueDocument(json.loads(data))
    except (ValueError, RecursionError):
        pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _SSE_FIELD.match(first):
        return _decode_sse(text)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and first.lstrip().startswith(("{", "[")):
        try:
            return JsonLinesDocument([json.loads(line) for line in lines])
        except (ValueError, RecursionError):
            return None
    return _decode_yaml(data)


def _decode_yaml(data: bytes) -> YamlDocument | None:
    try:
        root = yaml.compose(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return YamlDocument(root) if isinstance(root, (yaml.MappingNode, yaml.SequenceNode)) else None
