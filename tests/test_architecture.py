"""The shape of the code: no import circle in llmcat/ (imports inside functions count), no module over 400 lines.

Importing `llmcat.x.y` runs `llmcat/x/__init__.py` first, but that is no tie to it: an
edge to a package's `__init__` is counted only when names are imported from it. Nor is
`import llmcat.x` inside package x (a registry listing its package's `__path__`): a
package is always initialised before its own modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "llmcat"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, is_package: bool, source: str, known: set[str]) -> set[str]:
    """The llmcat modules `name` imports anywhere in its code (top level, functions, TYPE_CHECKING)."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known and not name.startswith(alias.name + ".")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:
                    found.add(submodule)  # `from llmcat.x import y` where y is a module
                elif base in known:
                    found.add(base)  # names taken from the module (or the package's __init__)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path.name == "__init__.py", path.read_text(encoding="utf-8"), set(known))
            for name, path in known.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_is_read():
    graph = import_graph()
    assert "llmcat.commands.app" in graph and "llmcat.render.escape" in graph
    assert "llmcat.model" in graph["llmcat.reading.pipeline"]
    assert graph["llmcat.model"].isdisjoint({"llmcat.commands.app", "llmcat.reading.pipeline"})


def test_no_import_circles():
    found = circles(import_graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(group) for group in found)


def test_the_circle_finder_finds_lazy_and_package_circles():
    """The checker itself: a lazy import closing a loop is a circle; importing a submodule is no tie to its package."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    known = {"llmcat.a", "llmcat.x", "llmcat.x.y", "llmcat.x.z"}
    assert imported("llmcat.a", False, "def f():\n    from llmcat.x import y\n", known) == {"llmcat.x.y"}
    assert imported("llmcat.a", False, "import llmcat.x.y\n", known) == {"llmcat.x.y"}
    assert imported("llmcat.a", False, "if TYPE_CHECKING:\n    from llmcat.x import Name\n", known) == {"llmcat.x"}
    assert imported("llmcat.x.z", False, "from . import y\nfrom .y import q\n", known) == {"llmcat.x.y"}
    assert imported("llmcat.x", True, "from .z import q\nfrom llmcat import a\n", known) == {"llmcat.x.z", "llmcat.a"}
    assert imported("llmcat.x.z", False, "def f():\n    import llmcat.x as package\n", known) == set()
    assert imported("llmcat.x.z", False, "def f():\n    from llmcat.x import name\n", known) == {"llmcat.x"}


def test_no_module_over_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
