"""The package's import graph has no cycle, counting imports under `if TYPE_CHECKING:` too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The sim modules `path` imports, at any depth of the file (functions and TYPE_CHECKING blocks included)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # importing sim.report.palette runs sim/report/__init__.py first (the root package aside)
            while target.count(".") >= 1:
                if target != name and not name.startswith(target + "."):
                    found.add(target)
                target = target.rpartition(".")[0]
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_checker_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "sim.model" in graph and "sim.engines.member_day" in graph["sim.agents"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_reports_read_results_without_the_experiments() -> None:
    graph = import_graph()
    report = [m for m in graph if _inside(m, "sim.report")]
    assert "sim.report.compare" in report and "sim.experiments.compare" in graph
    leaks = {m: sorted(n for n in _reaches(graph, m) if _inside(n, "sim.experiments")) for m in report}
    assert not {m: n for m, n in leaks.items() if n}, f"sim.report imports sim.experiments: {leaks}"


def test_rules_import_nothing_of_sim_but_rules() -> None:
    graph = import_graph()
    rules = [m for m in graph if _inside(m, "sim.rules")]
    assert rules
    outside = {m: sorted(n for n in graph[m] if not _inside(n, "sim.rules")) for m in rules}
    assert not {m: n for m, n in outside.items() if n}, f"sim.rules imports the rest of sim: {outside}"


def test_the_checks_see_a_forbidden_import() -> None:
    graph = {"sim.report.x": {"sim.kpis"}, "sim.kpis": {"sim.experiments.y"}, "sim.experiments.y": set()}
    assert _reaches(graph, "sim.report.x") == {"sim.kpis", "sim.experiments.y"}
