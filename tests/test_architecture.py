"""The house rules on imports, checked on the source: no module imports another app's
underscored name, and the layers import without cycles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("community", "notifications", "api", "realtime", "config")


def _app_of(module: str) -> str:
    """`community.forum.actions` -> `community.forum`; `notifications.views` -> `notifications`."""
    parts = module.split(".")
    if parts[0] == "community" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).with_suffix("")
            parts = list(relative.parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _imported_names(module: str, path: Path):
    """(imported module, name) for each `from X import name`, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                yield source, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno


def test_no_module_imports_another_apps_underscored_name():
    offences = []
    for module, path in _modules():
        for source, name, line in _imported_names(module, path):
            if not source.startswith(PACKAGES) or _app_of(source) == _app_of(module):
                continue
            private_module = any(p.startswith("_") for p in source.split("."))
            if (name and name.startswith("_")) or private_module:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {source}.{name}")
    assert not offences, "\n".join(offences)


def _import_graph() -> dict[str, set[str]]:
    """Module -> project modules it imports, imports inside functions included (they hide a
    cycle from the interpreter, not from the reader)."""
    modules = dict(_modules())
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        for source, name, _line in _imported_names(module, path):
            for candidate in (f"{source}.{name}" if name else "", source):
                if candidate in modules and candidate != module:
                    graph[module].add(candidate)
                    break
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles_among_the_projects_modules():
    cycles = _cycles(_import_graph())
    assert not cycles, "\n".join(" <-> ".join(group) for group in cycles)
