"""The package's import graph, read from its source: no import cycle (function-local imports
count), the subpackages import in one direction (the layers docs/layout.md draws), and the layers
that must not know pytest or inspect do not import them."""

from __future__ import annotations

import ast
from pathlib import Path

import af_bench

PACKAGE = Path(af_bench.__file__).parent
PYTEST_SIDE = {"af_bench.pytest_plugin.plugin", "af_bench.pytest_plugin.gate", "af_bench.pytest_plugin.session", "af_bench.pytest_plugin.junit"}
"""The only modules that may import pytest: the plugin's hooks and what they alone use."""
PURE = {"af_bench.stats.paired", "af_bench.stats.sequences", "af_bench.scoring.pairs", "af_bench.scoring.value",
        "af_bench.results.schema", "af_bench.results.verdict", "af_bench.results.thresholds", "af_bench.gating.options"}
"""Statistics, the score and report models and the verdict: neither pytest nor inspect."""


LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"pytest_plugin", "cli", "testing"}),
    frozenset({"gating"}),
    frozenset({"results", "organisms"}),
    frozenset({"scenarios"}),
    frozenset({"scoring"}),
    frozenset({"scenario"}),
    frozenset({"stats", "endpoint", "errors", "files"}),
)
"""af_bench's parts from the top down: a part imports only parts of lower layers (its own modules
aside). The package's entry modules (`__init__`, `__main__`, `_registry`) stand above them all.
`af_bench.tasks` (the shipped scenarios) lives outside this folder (`tasks/`), so it is not read here."""
ENTRY_MODULES = {"__init__", "__main__", "_registry"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, name: str) -> set[str]:
    """Every module `path` imports, at the top or inside a function, resolved to full names."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}
    # A package's __init__ only re-exports: importing through it is importing the module itself,
    # so edges into packages are left out rather than read as an edge to every sibling.
    return {
        name: {m for m in _imports(path, name) if m in modules and m != name and m not in packages}
        for name, path in modules.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
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
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _third_party(module: str) -> set[str]:
    return {m.split(".")[0] for m in _imports(_modules()[module], module)}


def test_no_import_cycle_inside_the_package() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_a_function_local_import_is_an_edge(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from af_bench.gating.runner import run_gate\n", encoding="utf-8")
    assert "af_bench.gating.runner" in _imports(source, "af_bench.m")


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def _upward_edges(graph: dict[str, set[str]], layers: tuple[frozenset[str], ...]) -> list[str]:
    """Every import of a module from a part in the same or a higher layer than its own."""
    floor = {part: depth for depth, layer in enumerate(layers) for part in layer}
    wrong = []
    for module, imported in graph.items():
        src = _part(module)
        if src in ENTRY_MODULES:
            continue
        for target in imported:
            dst = _part(target)
            if dst != src and floor[dst] <= floor[src]:
                wrong.append(f"{module} imports {target} ({src} may not import {dst})")
    return sorted(wrong)


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(m) for m in _graph()} - ENTRY_MODULES
    assert parts == set().union(*LAYERS)


def test_the_parts_import_only_downward() -> None:
    assert _upward_edges(_graph(), LAYERS) == []


def test_an_upward_or_sideways_import_is_found() -> None:
    graph = {"af_bench.stats.x": {"af_bench.gating.y"}, "af_bench.results.a": {"af_bench.organisms.b"},
             "af_bench.gating.y": {"af_bench.stats.x"}}
    assert _upward_edges(graph, LAYERS) == [
        "af_bench.results.a imports af_bench.organisms.b (results may not import organisms)",
        "af_bench.stats.x imports af_bench.gating.y (stats may not import gating)",
    ]


def test_the_layout_page_draws_the_layers_in_their_order() -> None:
    page = (PACKAGE.parent / "docs" / "layout.md").read_text(encoding="utf-8")
    drawn = page.split("```")[1]
    order = [line.split()[0].rstrip("/").removesuffix(".py") for line in drawn.splitlines()
             if line.startswith("  ") and not line.startswith("   ")]
    assert set(order) >= set().union(*LAYERS), f"docs/layout.md leaves parts out: {order}"
    depth = [next(i for i, layer in enumerate(LAYERS) if part in layer) for part in order
             if any(part in layer for layer in LAYERS)]
    assert depth == sorted(depth), f"docs/layout.md draws the parts out of layer order: {order}"


def test_only_the_plugin_side_imports_pytest() -> None:
    offenders = sorted(m for m in _graph() if "pytest" in _third_party(m) and m not in PYTEST_SIDE
                       and not m.startswith("af_bench.testing"))
    assert offenders == []


def test_statistics_models_and_verdict_know_neither_pytest_nor_inspect() -> None:
    modules = _modules()
    assert PURE <= set(modules)
    assert {m: sorted(_third_party(m) & {"pytest", "inspect_ai"}) for m in sorted(PURE)} == {m: [] for m in sorted(PURE)}


def test_running_a_gate_outside_pytest_loads_no_pytest() -> None:
    import subprocess
    import sys

    code = ("import sys, af_bench.gating.runner, af_bench.cli.rescore, af_bench.cli.main, af_bench.tasks; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pytest', '_pytest'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
