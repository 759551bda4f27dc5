"""YAML as recorders write it, read as data: tags never construct objects, alias bombs are refused.

Recorders dump their language's objects into cassettes: Ruby's VCR writes `!binary`
(base64 bytes) and, in old cassettes, `!ruby/struct:VCR::HTTPInteraction` mappings;
vcrpy under aiohttp writes header names as `!!python/object/apply:multidict._multidict.istr`.
A safe loader refuses such tags outright. This loader constructs no object of any
language: a tagged mapping is its mapping, a tagged sequence its list (or its one
argument, for a wrapper like `istr('Accept')`), a tagged scalar its text; `!binary`
and `!!python/bytes` are base64 decoded to bytes. A Python tag that would call a
function (`!!python/object/apply:os.system`) wraps no data: it is refused, as the safe
loader refuses it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Hashable
from typing import Any

import yaml

from llmcat.model import InputError

# Aliases may add at most this many nodes, and this many bytes (each node NODE_BYTES, each
# string or byte string its length too), beyond what the file writes. A cassette vcrpy wrote
# shares a header list now and then; an alias bomb adds billions of nodes, or gigabytes of
# one big string aliased over and over.
MAX_ALIAS_EXPANSION = 1_000_000
MAX_ALIAS_EXPANSION_BYTES = 16 * 1024 * 1024
NODE_BYTES = 16


def load_yaml(data: bytes) -> Any:
    return read_yaml(data)[0]


def read_yaml(data: bytes) -> tuple[Any, bool]:
    """The document, and whether it holds only what JSON can (string keys; strings, numbers but NaN,
    booleans, null, lists, mappings): then a format need not look through it for dates, bytes or sets."""
    try:
        if may_hold_anchor(data):
            obj = yaml.load(data, Loader=DataLoader)
            check_expansion(obj)
            return obj, False
        return _load_tree(data)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {_one_line(exc)}") from None
    except ValueError as exc:  # e.g. a bad !!binary payload, an out-of-range timestamp
        raise InputError(f"not valid YAML: {_one_line(exc)}") from None


def may_hold_anchor(data: bytes) -> bool:
    """Could this YAML hold an anchor (`&name`), so that aliases could share or loop? Without one, the
    document is a plain tree: no alias to expand, no expansion to count (counting took as long as the
    rest of the load of a cassette).

    An anchor is `&` then a name, where a node starts: at the start, after white space, or after a flow
    or value indicator (`[`, `{`, `,`, `:`, `?`, `-`). Any such `&` counts, quoted or in prose too: a false
    "maybe" only costs the slower, counted load; a false "no" cannot happen."""
    if data.startswith(b"&"):
        return True
    at = data.find(b"&", 1)
    while at != -1:  # (a scan for the byte itself is a hundred times quicker than the regex over the whole file)
        if _ANCHOR_START.match(data, at - 1):
            return True
        at = data.find(b"&", at + 1)
    return False


# (`]`, `}` and quotes too, and the last bytes of YAML's other line breaks NEL, LS, PS: wherever the scanner
# could begin a token, even one that makes the document invalid)
_ANCHOR_START = re.compile(rb"[\s\[\]{},:?\-\"'\x85\xa8\xa9]&[^\s]")


def _load_tree(data: bytes) -> tuple[Any, bool]:
    """A document with no anchor, composed by libyaml and built here in one pass: the values the
    DataLoader constructs, without its per-node bookkeeping (made for aliases and recursion, which
    this document cannot have). Tagged nodes, merge keys and every scalar but a plain string are
    constructed by the DataLoader itself, so each of its rules holds."""
    loader = DataLoader(data)
    try:
        node = loader.get_single_node()
        return (None, True) if node is None else (_build(loader, node), loader.json_values)
    finally:
        loader.dispose()


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_KEY_TAGS_OF_THE_LOADER = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")  # flatten_mapping's business
_JSON_SCALARS = (int, float, bool, type(None))


def _build(loader: DataLoader, node: yaml.Node) -> Any:
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        value = loader.construct_object(node)
        if type(value) not in _JSON_SCALARS or value != value:  # a date, bytes, NaN
            loader.json_values = False
        return value
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(loader, item) for item in node.value]
    if kind is yaml.MappingNode and tag == _MAP and not any(k.tag in _KEY_TAGS_OF_THE_LOADER for k, _ in node.value):
        mapping = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node)
            if type(key) is not str:
                loader.json_values = False
                if not isinstance(key, Hashable):
                    raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                            "found unhashable key", key_node.start_mark)
            mapping[key] = _build(loader, value_node)
        return mapping
    loader.json_values = False  # a tagged node: whatever the DataLoader makes of it
    return loader.construct_object(node, deep=True)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def check_expansion(root: Any) -> None:
    """Refuse YAML whose aliases expand far past its written size (an alias bomb), or loop.

    PyYAML shares an aliased object instead of copying it, so loading is cheap; the blow-up
    comes when anything walks or prints the result. Count the expanded size, in nodes and in
    bytes, without expanding: each container's size is computed once (by identity) and reused at every
    reference; what the file writes counts each container and each string object once.
    """
    sizes: dict[int, int] = {}  # nodes
    weights: dict[int, int] = {}  # bytes
    unique = written = 0
    strings_seen: set[int] = set()  # strings written once, referenced by alias many times
    stack: list[tuple[Any, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        children = list(node.keys()) + list(node.values()) if isinstance(node, dict) else node
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[key] - unique > MAX_ALIAS_EXPANSION:
                raise InputError("YAML aliases expand to millions of nodes (an alias bomb?); refused")
            weights[key] = NODE_BYTES + sum(weights[id(c)] if isinstance(c, (dict, list)) else _leaf_bytes(c) for c in children)
            if weights[key] - written > MAX_ALIAS_EXPANSION_BYTES:
                raise InputError("YAML aliases expand past "
                                 f"{MAX_ALIAS_EXPANSION_BYTES // (1024 * 1024)} MB (an alias bomb?); refused")
            continue
        if key in sizes:
            continue
        if key in active:
            raise InputError("YAML aliases refer to themselves (a recursive structure); refused")
        active.add(key)
        unique += 1 + sum(1 for c in children if not isinstance(c, (dict, list)))
        written += NODE_BYTES + _written_leaves(children, strings_seen)
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list)) and id(c) not in sizes)


_BASE = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # libyaml when built with it: ~10x faster

_BINARY_TAGS = ("!binary", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:python/bytes")
_MAPPING_STATE_KEYS = ("state", "dictitems")  # python/object/new: the object's own fields


class DataLoader(_BASE):  # type: ignore[misc, valid-type]
    """SafeLoader that turns unknown tags into plain data instead of refusing them."""

    merged_nodes = 0  # what merge keys (`<<: *a`) copied so far in this document (per instance once set)
    merged_bytes = 0
    json_values = True  # (see _build) nothing built so far that JSON could not carry

    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        # The composer tells the resolver each node it enters and leaves, for path resolvers, which this
        # loader has none of: two calls of Python per node doing nothing. C callables that ignore what
        # they are given (a lookup in an empty dict, an empty tuple) do nothing quicker: 6% of composing.
        self.descend_resolver = dict[Any, Any]().get
        self.ascend_resolver = tuple

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        """The node's tag, as PyYAML's resolver gives it without path resolvers, from tables made once
        (its own lookup builds a list for every scalar): a fifth less time composing a cassette."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _IMPLICIT.get(value[:1] if value else "", _WILDCARD):
                    if pattern.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Merge keys copy the merged mapping's pairs into each mapping that names it: a chain of
        mappings each merging the one before is quadratic (2,000 of them, 70 KB, copy two million
        pairs), and unlike an alias the copies are new objects, which check_expansion cannot tell
        from written ones. So the copying is counted here, before it is done, against the alias
        budget: each merged mapping is flattened first, then its pairs counted, then merged."""
        for key, value in node.value:
            if key.tag != _MERGE_TAG:
                continue
            for merged in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                if isinstance(merged, yaml.MappingNode):
                    self.flatten_mapping(merged)  # (a second call finds no merge key: it is cheap)
                    self._count_merge(merged)
        super().flatten_mapping(node)

    def _count_merge(self, merged: yaml.MappingNode) -> None:
        self.merged_nodes += 2 * len(merged.value)
        self.merged_bytes += sum(2 * NODE_BYTES + _scalar_bytes(k) + _scalar_bytes(v) for k, v in merged.value)
        if self.merged_nodes > MAX_ALIAS_EXPANSION:
            raise InputError("YAML merge keys (<<) expand to millions of nodes (a merge-key bomb?); refused")
        if self.merged_bytes > MAX_ALIAS_EXPANSION_BYTES:
            raise InputError("YAML merge keys (<<) expand past "
                             f"{MAX_ALIAS_EXPANSION_BYTES // (1024 * 1024)} MB (a merge-key bomb?); refused")


_MERGE_TAG = "tag:yaml.org,2002:merge"
_WILDCARD = tuple(DataLoader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {first: tuple(found) + _WILDCARD for first, found in DataLoader.yaml_implicit_resolvers.items() if first is not None}


def _scalar_bytes(node: yaml.Node) -> int:
    return len(node.value) if isinstance(node, yaml.ScalarNode) else 0


def _tagged(loader: yaml.constructor.SafeConstructor, node: yaml.Node) -> Any:
    tag = node.tag or ""
    if not _wraps_data(tag):
        raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag {tag!r}", node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        text = loader.construct_scalar(node)
        if tag in _BINARY_TAGS or tag.endswith(":binary"):
            return _base64(text)
        return text
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        if "python/object" in tag and len(items) == 1 and _hashable(items[0]):
            return items[0]  # a one-argument wrapper: istr('Accept') is the name 'Accept'
        return items
    assert isinstance(node, yaml.MappingNode)  # PyYAML composes scalars, sequences and mappings only
    mapping = _mapping(loader, node)
    if "python/object" in tag:  # new/apply with keyword form: {args: [...], state: {...}}
        for key in _MAPPING_STATE_KEYS:
            if isinstance(mapping.get(key), dict):
                return mapping[key]
        args = mapping.get("args")
        if isinstance(args, list) and len(args) == 1 and _hashable(args[0]):
            return args[0]
    return mapping


_PYTHON_CALLS = ("python/object/apply:", "python/object/new:", "python/object:")
_DATA_MODULES = ("multidict.", "builtins.", "collections.", "__builtin__.")


def _wraps_data(tag: str) -> bool:
    """A Python tag that names a class wraps data (its arguments, its state); one that names
    a function (`os.system`), a module or a bare name does not, and is refused as before."""
    if "python/name:" in tag or "python/module:" in tag:
        return False
    for marker in _PYTHON_CALLS:
        if marker in tag:
            target = tag.split(marker, 1)[1]
            return target.startswith(_DATA_MODULES) or target.rsplit(".", 1)[-1][:1].isupper()
    return True


def _mapping(loader: yaml.constructor.SafeConstructor, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    out = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not _hashable(key):
            key = str(key)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise yaml.constructor.ConstructorError(None, None, "a !binary value that is not base64", None) from None


# An integer is read in time linear in its text, and printable: PyYAML's base 60 (`1:59:59`) is quadratic (1 MB
# took 76 s), and past Python's 4,300 digits any str() of it raises ValueError (a whole diff ended on one).
# A longer one refuses its file, in one line; recordings write counts and timestamps, not kilobytes of digits.
MAX_INTEGER_CHARS = 4300
MAX_SEXAGESIMAL_CHARS = 1000
_PRINTABLE_BELOW = 10 ** MAX_INTEGER_CHARS  # (hex, octal, binary: shorter text, as many digits)


def _integer(loader: DataLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    if len(text) > MAX_INTEGER_CHARS or (":" in text and len(text) > MAX_SEXAGESIMAL_CHARS):
        raise InputError(f"a YAML integer {len(text):,} characters long (line {node.start_mark.line + 1}); refused")
    value = loader.construct_yaml_int(node)
    if isinstance(value, int) and abs(value) >= _PRINTABLE_BELOW:
        raise InputError(f"a YAML integer of more than {MAX_INTEGER_CHARS:,} digits (line {node.start_mark.line + 1}); refused")
    return value


DataLoader.add_constructor("tag:yaml.org,2002:int", _integer)
DataLoader.add_constructor("tag:yaml.org,2002:binary", _tagged)  # (the safe one refuses bad padding with a traceback-ish text)
DataLoader.add_constructor(None, _tagged)  # every tag the safe loader does not know


def _leaf_bytes(value: Any) -> int:
    return NODE_BYTES + len(value) if isinstance(value, (str, bytes)) else NODE_BYTES


def _written_leaves(children: Any, strings_seen: set[int]) -> int:
    """The bytes the file writes for these leaves: an aliased string only the first time."""
    total = 0
    for child in children:
        if isinstance(child, (dict, list)):
            continue
        if isinstance(child, (str, bytes)) and len(child) > NODE_BYTES:
            if id(child) in strings_seen:
                total += NODE_BYTES
                continue
            strings_seen.add(id(child))
        total += _leaf_bytes(child)
    return total
