"""The layout holds: imports point one way and no module takes part in an import cycle.

Function-local imports count: a cycle hidden inside a function still makes two modules
impossible to understand (or test) apart. The map is in `monitor/__init__.py`.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitor", "collectors", "responders", "networks", "sentiment", "views")
# Each top-level part may import only the parts listed for it (and itself).
ALLOWED = {
    "dashboard": {"views", "monitor", "sentiment"},
    "views": {"monitor", "sentiment", "responders", "collectors", "networks"},
    "monitor": {"collectors", "responders", "networks", "sentiment"},
    "collectors": {"networks"},
    "responders": {"networks"},
    "networks": set(),
    "sentiment": set(),
}
# The Mention value is what collectors hand to the store: a leaf that everyone may read.
SHARED_VALUES = {"monitor.mention"}


def module_names() -> dict[str, Path]:
    modules = {"dashboard": ROOT / "dashboard.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules `name` imports anywhere in its body (a `from package import module` counts
    as importing that module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {target for target in found if target in modules and target != name}


def graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_takes_part_in_an_import_cycle():
    assert cycles(graph()) == []


def test_imports_point_one_way():
    wrong = []
    for source, targets in graph().items():
        part = source.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != part and other not in ALLOWED[part] and target not in SHARED_VALUES:
                wrong.append(f"{source} imports {target}")
    assert sorted(wrong) == []


def test_the_checks_see_cycles_and_function_local_imports(tmp_path):
    """The walk itself: a cycle closed by an import inside a function is found."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]
    path = tmp_path / "x.py"
    path.write_text("def f():\n    from monitor.store import ingest\n    import networks.http\n")
    modules = {"monitor.store": path, "monitor.store.ingest": path, "networks.http": path, "x": path}
    assert imports_of("x", path, modules) == {"monitor.store", "monitor.store.ingest", "networks.http"}


def test_modules_stay_small():
    """About 400 lines at most (STYLE.md); a module past 450 is a room that wants splitting."""
    big = {name: n for name, path in module_names().items()
           if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450}
    assert big == {}
