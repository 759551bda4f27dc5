"""YAML as recorders write it, read safely: tags never construct objects, alias bombs are refused."""

from __future__ import annotations

from typing import Any

from llmcat.model import InputError

# Aliases may add at most this many nodes beyond those written in the file: a cassette
# vcrpy wrote shares a header list now and then; an alias bomb adds billions.
MAX_ALIAS_EXPANSION = 1_000_000


def load_yaml(data: bytes) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader  # libyaml when built with it: ~10x faster
    try:
        obj = yaml.load(data, Loader=loader)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {_one_line(exc)}") from None
    except ValueError as exc:  # e.g. a bad !!binary payload, an out-of-range timestamp
        raise InputError(f"not valid YAML: {_one_line(exc)}") from None
    check_expansion(obj)
    return obj


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def check_expansion(root: Any) -> None:
    """Refuse YAML whose aliases expand far past its written size (an alias bomb), or loop.

    PyYAML shares an aliased object instead of copying it, so loading is cheap; the blow-up
    comes when anything walks the result. Count the expanded size without expanding:
    each container's size is computed once (by identity) and reused at every reference.
    """
    sizes: dict[int, int] = {}
    unique = 0
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
            continue
        if key in sizes:
            continue
        if key in active:
            raise InputError("YAML aliases refer to themselves (a recursive structure); refused")
        active.add(key)
        unique += 1 + sum(1 for c in children if not isinstance(c, (dict, list)))
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list)) and id(c) not in sizes)
