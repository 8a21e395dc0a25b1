"""Import circles in the adapter package: strongly connected groups of modules, from every `import` in the source.

Usage: python scripts/import_cycles.py [package-dir]   (default: adapter). Prints each circle and its size, then
how many imports sit inside functions; exits 1 when a circle other than db <-> models remains.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    """The dotted name of a source file."""
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, known: set[str]) -> tuple[set[tuple[str, bool]], int]:
    """(module, inside a function) for each package module a file imports, and how many imports are in functions."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found, nested = set(), 0
    for node, in_function in _imports(tree, False):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            targets = submodules or [base]  # `from adapter import clock` depends on adapter.clock, not on adapter
        hits = {_known_prefix(t, known) for t in targets} - {None, name}
        found |= {(hit, in_function) for hit in hits}
        nested += bool(hits) and in_function
    return found, nested


def _imports(node: ast.AST, in_function: bool):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        else:
            yield from _imports(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _known_prefix(target: str, known: set[str]) -> str | None:
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def _db_and_models(group: list[str]) -> bool:
    """The one circle allowed: the database module and the models package (tables need Base, sessions need tables)."""
    return all(m == "adapter.db" or m == "adapter.models" or m.startswith("adapter.models.") for m in group)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
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
                found.append(sorted(group))

    sys.setrecursionlimit(10000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main(root: Path) -> int:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    edges, nested = {}, 0
    for name, path in files.items():
        edges[name], count = imports_of(path, name, set(files))
        nested += count
    failing = False
    for label, graph in (("top-level imports", {n: {t for t, inner in e if not inner} for n, e in edges.items()}),
                         ("all imports, function-level too", {n: {t for t, _ in e} for n, e in edges.items()})):
        groups = circles(graph)
        others = [g for g in groups if not _db_and_models(g)]
        print(f"{label}: {len(groups)} circle(s), {sum(map(len, groups))} modules in them, "
              f"{len(others)} besides db <-> models")
        for group in groups:
            print(f"  circle of {len(group)}: {', '.join(group)}")
        failing |= bool(others)
    print(f"{nested} function-level imports of package modules")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "adapter")))
