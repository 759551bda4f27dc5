"""Recordings whose test no longer exists, judged from the test sources as text.

The sources are parsed with `ast` (or, when they do not parse, searched for `def`/`class`
lines); they are never imported or run. Two layouts are known:

- pytest-recording / vcrpy: `…/cassettes/<module>/<test>.yaml` (also `<Class>.<test>.yaml`
  and parametrised `<test>[id].yaml`) belongs to `<module>.py` beside `cassettes/`.
- llama-stack: the recording's `test_id`, `path/to/test_x.py::[Class::]test_fn[params]`,
  resolved from the project root: the nearest ancestor holding the id's top folder with
  the recording inside it (or, for an id without a folder, `pyproject.toml`/`.git`).

A test is gone when no test module defines a test of that name: first its own module by
the layout, then any test module of the suite (projects point cassette folders elsewhere),
and no test module names the cassette file in a string (`@pytest.mark.vcr("name.yaml")`);
or when its llama-stack test file is gone. No test sources found: no judgement.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from msgspec import Struct

from llmcat.formats import read_bytes
from llmcat.model import InputError
from llmcat.reading.walk import directories

CASSETTE_SUFFIXES = (".yaml.gz", ".yml.gz", ".json.gz", ".yaml", ".yml", ".json")
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "build", "dist", "venv", "env", "cassettes",
                          "recordings"})
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # a test module bigger than this is searched as text
MAX_MODULES = 20_000  # a walk that finds more test modules stops there


class Orphan(Struct, frozen=True):
    source: str  # the recording, as given
    message: str  # why its test is gone, naming the module looked in


class Recorded(Struct, frozen=True):
    source: str  # the recording's path
    format: str  # its container
    test_id: str | None  # llama-stack's test id, where recorded


def find_orphans(recordings: Iterable[Recorded]) -> list[Orphan]:
    """The recordings among these whose test is gone, in the order given."""
    sources = _Sources()
    out = []
    for rec in recordings:
        if rec.source == "-":
            continue
        if rec.format == "llama-stack" and rec.test_id:
            message = _llama_stack_orphan(rec.source, rec.test_id, sources)
        elif rec.format == "vcr":
            message = _cassette_orphan(rec.source, sources)
        else:
            message = None
        if message:
            out.append(Orphan(rec.source, message))
    return out


# --- what the test sources define ----------------------------------------------------------------


@dataclass
class _Module:
    functions: set[str] = field(default_factory=set)  # every def (module level, in classes) and `test_x = ...`
    classes: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)  # string constants: explicit cassette names


class _Sources:
    """Test modules read once each, and each project's list of test modules walked once."""

    def __init__(self) -> None:
        self.modules: dict[str, _Module | None] = {}
        self.suites: dict[str, list[str]] = {}

    def module(self, path: str) -> _Module | None:
        if path not in self.modules:
            self.modules[path] = _read_module(path)
        return self.modules[path]

    def suite(self, root: str) -> list[str]:
        if root not in self.suites:
            self.suites[root] = _test_modules(root)
        return self.suites[root]

    def defines(self, paths: Iterable[str], test: str, cls: str | None) -> bool:
        for path in paths:
            module = self.module(path)
            if module and test in module.functions and (cls is None or self._has_class(cls, paths)):
                return True
        return False

    def _has_class(self, cls: str, paths: Iterable[str]) -> bool:
        return any((m := self.module(p)) is not None and cls in m.classes for p in paths)

    def names_file(self, paths: Iterable[str], file_name: str, stem: str) -> bool:
        return any((m := self.module(p)) is not None and (file_name in m.strings or stem in m.strings) for p in paths)


def _read_module(path: str) -> _Module | None:
    try:
        data = read_bytes(path)
    except InputError:
        return None
    text = data.decode("utf-8", "replace")
    if len(data) <= MAX_SOURCE_BYTES:
        try:
            return _from_ast(ast.parse(text, filename=path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return _from_text(text)


def _from_ast(tree: ast.AST) -> _Module:
    module = _Module()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            module.functions.add(node.name)
        elif isinstance(node, ast.ClassDef):
            module.classes.add(node.name)
        elif isinstance(node, ast.Assign):
            module.functions.update(t.id for t in node.targets if isinstance(t, ast.Name) and t.id.startswith("test"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 300:
            module.strings.add(node.value)
    return module


_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.M)
_CLASS = re.compile(r"^[ \t]*class[ \t]+(\w+)", re.M)
_QUOTED = re.compile(r"""["']([^"'\n]{1,300})["']""")


def _from_text(text: str) -> _Module:
    """A module that does not parse (newer syntax, a merge conflict) still names its tests."""
    return _Module(set(_DEF.findall(text)), set(_CLASS.findall(text)), set(_QUOTED.findall(text)))


def _test_modules(root: str) -> list[str]:
    """The test modules under `root` (`test_*.py`, `*_test.py`), hidden and vendored folders aside,
    walked as a suite is (`walk.directories`: no link out of the tree is followed)."""
    found: list[str] = []
    for _, entries in directories(root, enter=_searched):
        found += [entry.path for entry in entries if _is_test_module(entry)]
        if len(found) >= MAX_MODULES:
            break
    return sorted(found)


def _searched(entry: os.DirEntry) -> bool:
    return entry.name not in SKIPPED_DIRS and not entry.name.endswith(".egg-info")


def _is_test_module(entry: os.DirEntry) -> bool:
    name = entry.name
    try:
        return name.endswith(".py") and (name.startswith("test") or name.endswith("_test.py")) and entry.is_file()
    except OSError:
        return False


def _project_root(start: str) -> str | None:
    """The nearest ancestor of `start` (itself included) holding a project marker, or None."""
    current = os.path.abspath(start)
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in PROJECT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


# --- the two layouts -----------------------------------------------------------------------------


def cassette_test(file_name: str) -> tuple[str | None, str] | None:
    """(class or None, test function) that a cassette's file name records, or None when the
    name is not a test's: `TestX.test_y[param].yaml` -> ("TestX", "test_y")."""
    low = file_name.lower()
    stem = next((file_name[: -len(s)] for s in CASSETTE_SUFFIXES if low.endswith(s)), None)
    if stem is None:
        return None
    if stem.endswith("]") and "[" in stem:
        stem = stem[: stem.index("[")]
    cls, _, test = stem.rpartition(".")
    if not test.isidentifier():
        return None
    return (cls or None), test


def _cassette_orphan(path: str, sources: _Sources) -> str | None:
    folder = os.path.dirname(os.path.abspath(path))
    cassettes = os.path.dirname(folder)
    if os.path.basename(cassettes) != "cassettes":
        return None  # not pytest-recording's layout: no judgement
    wanted = cassette_test(os.path.basename(path))
    if wanted is None:
        return None
    cls, test = wanted
    tests_dir = os.path.dirname(cassettes)
    own = os.path.join(tests_dir, os.path.basename(folder) + ".py")
    own_exists = sources.module(own) is not None
    if own_exists and sources.defines([own], test, cls):
        return None
    suite = sources.suite(_project_root(tests_dir) or tests_dir)
    if not suite and not own_exists:
        return None  # no test sources found: no judgement
    modules = ([own] if own_exists else []) + suite
    file_name = os.path.basename(path)
    if sources.defines(modules, test, cls) or sources.names_file(modules, file_name, _stem(file_name)):
        return None
    name = f"{cls}.{test}" if cls else test
    where = _relative(own, tests_dir)
    if own_exists:
        return f"its test {name} is gone: defined neither in {where} nor in any other test module"
    return f"its test module {where} is gone, and no other test module defines {name}"


def _stem(file_name: str) -> str:
    low = file_name.lower()
    return next((file_name[: -len(s)] for s in CASSETTE_SUFFIXES if low.endswith(s)), file_name)


def _llama_stack_orphan(path: str, test_id: str, sources: _Sources) -> str | None:
    file_part, _, rest = test_id.partition("::")
    parts = [p for p in file_part.replace("\\", "/").split("/") if p not in ("", ".")]
    if not rest or not parts or not parts[-1].endswith(".py") or ".." in parts:
        return None
    root = _llama_stack_root(path, parts)
    if root is None:
        return None
    test_file = os.path.join(root, *parts)
    names = [n for n in rest.split("::") if n]
    test = re.sub(r"\[.*\]$", "", names[-1]) if names else ""
    cls = names[-2] if len(names) > 1 else None
    if not test.isidentifier():
        return None
    if sources.module(test_file) is None:
        if not sources.suite(root):
            return None  # no test sources at all (recordings copied, or checked out alone): no judgement
        return f"its test file {file_part} is gone"
    if sources.defines([test_file], test, cls) or sources.defines(sources.suite(root), test, cls):
        return None
    return f"its test {test} is gone: defined neither in {file_part} nor in any other test module"


def _llama_stack_root(path: str, parts: list[str]) -> str | None:
    """The project root a test id is relative to: the nearest ancestor holding the id's top
    folder, with the recording inside that folder (llama-stack writes recordings beside its
    tests; one elsewhere is a copy, and judging it against this project would be a false
    alarm). An id without a folder is relative to the nearest `pyproject.toml`/`.git`."""
    folder = os.path.dirname(os.path.abspath(path))
    if len(parts) == 1:
        return _project_root(folder)
    current = folder
    while True:
        parent = os.path.dirname(current)
        if os.path.basename(current) == parts[0]:
            return parent
        if parent == current:
            return None
        current = parent


def _relative(path: str, tests_dir: str) -> str:
    return os.path.join(os.path.basename(tests_dir), os.path.relpath(path, tests_dir))
