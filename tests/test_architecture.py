"""The import-layer contract: every module imports only from its own layer or below, the
import graph has no cycle (lazy imports inside functions count), and every module of the
package is placed in a layer (a new module must be added to LAYERS; docs/architecture.md
shows the same table).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "corridor_map"

#: layer → modules, lowest first. A module may import from its own layer and any lower one.
LAYERS: dict[str, tuple[str, ...]] = {
    "base": (
        "corridor_map",
        "errors",
        "numbers",
        "records",
        "snippets",
        "paths",
        "vocab",
        "markup",
        "verdicts",
        "i18n",
    ),
    "geo": ("geodesy", "gcj02", "_geojson_io", "_normalize"),
    "data": ("schemas", "corpus", "indicators", "validation", "atlas"),
    "analysis": (
        "measure",
        "imports",
        "_graph",
        "travel",
        "travel_isochrone",
        "travel_targets",
        "travel_compare",
        "travel_reach",
        "timeline",
        "output",
    ),
    "presentation": ("assets", "panel", "webmap", "indicator_view", "travel_view"),
    "products": ("export", "printmap", "brief"),
    "adapters": (
        "map_component",
        "cli",
        "_cli_atlas",
        "_cli_corpus",
        "_cli_export",
        "_cli_indicators",
        "_cli_travel",
    ),
    "app": ("app",),
}
#: test and benchmark support shipped in the package: nothing may import it.
ISOLATED = ("_appserver",)
#: modules that must not import Streamlit or folium (everything below presentation).
NO_UI = ("base", "geo", "data", "analysis")
UI_LIBRARIES = ("streamlit", "folium", "streamlit_folium")


def _rank() -> dict[str, int]:
    return {module: i for i, modules in enumerate(LAYERS.values()) for module in modules}


def _module_name(path: Path) -> str:
    if path.name == "app.py":
        return "app"
    return "corridor_map" if path.stem == "__init__" else path.stem


def _sources() -> dict[str, Path]:
    found = {_module_name(p): p for p in sorted(PACKAGE.glob("*.py"))}
    # a subpackage is one module of its layer (its files are its own business)
    found.update({p.parent.name: p for p in sorted(PACKAGE.glob("*/__init__.py"))})
    found["app"] = ROOT / "app.py"
    return found


def imports_of(source: str, known: set[str]) -> list[tuple[str, int]]:
    """Return (imported package module, line) for every import in ``source``, lazy ones
    inside functions included; third-party imports are returned with their top name."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                name = parts[1] if parts[0] == "corridor_map" and len(parts) > 1 else parts[0]
                found.append((name, node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.level:
                raise AssertionError(f"line {node.lineno}: relative import; use corridor_map.…")
            parts = node.module.split(".")
            if parts == ["corridor_map"]:
                for alias in node.names:
                    name = alias.name if alias.name in known else "corridor_map"
                    found.append((name, node.lineno))
            elif parts[0] == "corridor_map":
                found.append((parts[1], node.lineno))
            else:
                found.append((parts[0], node.lineno))
    return found


def _graph() -> dict[str, dict[str, int]]:
    sources = _sources()
    known = set(sources)
    graph: dict[str, dict[str, int]] = {}
    for module, path in sources.items():
        edges = graph.setdefault(module, {})
        for name, line in imports_of(path.read_text(encoding="utf-8"), known):
            if name in known and name != module:
                edges.setdefault(name, line)
    return graph


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """Return one import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def upward_imports(graph: dict[str, dict[str, int]], rank: dict[str, int]) -> list[str]:
    """Return ``module:line imports target`` for every import of a higher layer."""
    return [
        f"{module}:{line} imports {target} ({_layer_of(target)} above {_layer_of(module)})"
        for module, edges in sorted(graph.items())
        for target, line in sorted(edges.items())
        if module in rank and target in rank and rank[target] > rank[module]
    ]


def _layer_of(module: str) -> str:
    return next((layer for layer, mods in LAYERS.items() if module in mods), "?")


def test_every_module_has_exactly_one_layer() -> None:
    placed = [m for modules in LAYERS.values() for m in modules] + list(ISOLATED)
    assert len(placed) == len(set(placed)), "a module is placed twice"
    sources = set(_sources())
    assert sorted(sources - set(placed)) == [], "new module: add it to LAYERS"
    assert sorted(set(placed) - sources) == [], "LAYERS names a module that is gone"


def test_imports_go_only_downward() -> None:
    assert upward_imports(_graph(), _rank()) == []


def test_the_import_graph_has_no_cycle() -> None:
    assert find_cycle(_graph()) is None


def test_test_support_is_imported_by_nothing_in_the_product() -> None:
    graph = _graph()
    users = sorted(m for m, edges in graph.items() for target in edges if target in ISOLATED)
    assert users == []


@pytest.mark.parametrize("layer", NO_UI)
def test_core_layers_import_no_ui_library(layer: str) -> None:
    sources = _sources()
    offenders = [
        f"{module}:{line} imports {name}"
        for module in LAYERS[layer]
        for name, line in imports_of(sources[module].read_text(encoding="utf-8"), set(sources))
        if name in UI_LIBRARIES
    ]
    assert offenders == []


def test_the_checker_sees_lazy_upward_imports_and_cycles() -> None:
    # The contract is only as good as its parser: a lazy import inside a function and a
    # "from corridor_map import x" both count, and a two-module loop is a cycle.
    source = (
        "from corridor_map import travel\n"
        "def f():\n"
        "    from corridor_map.app_helpers import x\n"
        "    import corridor_map.webmap\n"
    )
    names = sorted(name for name, _ in imports_of(source, {"travel", "webmap"}))
    assert names == ["app_helpers", "travel", "webmap"]
    graph = {"geodesy": {"webmap": 3}, "webmap": {"geodesy": 1}}
    assert upward_imports(graph, _rank()) == ["geodesy:3 imports webmap (presentation above geo)"]
    assert find_cycle(graph) == ["geodesy", "webmap", "geodesy"]
