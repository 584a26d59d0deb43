"""Print the imports between quiz_api's packages and every pair that imports each other.

    python tools/package_graph.py          # edges and two-way ties; exit 1 when a tie exists

A "package" is a first-level name under quiz_api/ (a sub-package such as `reports`, or a top-level
module such as `db`). Imports inside one package are ignored.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "quiz_api"


def package_of(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """First-level quiz_api names that a module imports (absolute or relative)."""
    tree = ast.parse(path.read_text("utf-8"))
    rel = path.relative_to(root)
    here = list(rel.parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "quiz_api" and len(parts) > 1:
                    names.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                parts = base + (node.module.split(".") if node.module else [])
                if parts:
                    names.add(parts[0])
                else:
                    names.update(alias.name for alias in node.names)
            elif node.module and node.module.split(".")[0] == "quiz_api":
                parts = node.module.split(".")
                if len(parts) > 1:
                    names.add(parts[1])
                else:
                    names.update(alias.name for alias in node.names)
    return names


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Package -> the packages it imports (root: the quiz_api directory, or a tree laid out like it)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        source = package_of(path, root)
        for target in imported(path, root):
            if target != source and ((root / target).is_dir() or (root / f"{target}.py").exists()):
                edges[source].add(target)
    return edges


def ties(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Every pair of packages that import each other, sorted."""
    return sorted({tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges.get(b, ())})


def main() -> int:
    edges = graph()
    for source in sorted(edges):
        print(f"{source} -> {', '.join(sorted(edges[source]))}")
    found = ties(edges)
    print(f"\n{len(found)} two-way ties" + (":" if found else ""))
    for a, b in found:
        print(f"  {a} <-> {b}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
