"""One direction of imports: rules -> cursus_lint -> cursus_core, never back.

Two guards: an ast walk over every cursus_core module (cheap, no tool needed), and the
import-linter contracts in pyproject.toml, run the way ``make layers`` runs them and shown to
break when an upward import is added. A third keeps import circles out of the packages (a
function-level import counts: it still runs the other module).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "cursus_core"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, at any depth, plus
    ``importlib.import_module("...")``/``__import__("...")`` calls with a literal name."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) \
                and ast.unparse(node.func) in ("importlib.import_module", "import_module", "__import__"):
            found.append((node.lineno, node.args[0].value))
    return found


def linter_imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_names(source, module, is_package)
            if name == "cursus_lint" or name.startswith("cursus_lint.")]


@pytest.mark.parametrize(("source", "module", "expected"), [
    ("import cursus_lint.facts\n", "cursus_core.dag", [(1, "cursus_lint.facts")]),
    ("def f():\n    from cursus_lint.facts.pipeline import load_pipeline\n", "cursus_core.testing.plan",
     [(2, "cursus_lint.facts.pipeline")]),
    ("import importlib\nimportlib.import_module('cursus_lint.rules')\n", "cursus_core.x", [(2, "cursus_lint.rules")]),
    ("from ...cursus_lint import rule\n", "cursus_core.testing.plan", [(1, "cursus_lint")]),
    ("from cursus_core.facts import extract_specs\nfrom .models import X\n", "cursus_core.testing.plan", []),
])
def test_linter_imports_finds_every_spelling_of_an_upward_import(source: str, module: str,
                                                                 expected: list[tuple[int, str]]) -> None:
    assert linter_imports(source, module) == expected


def test_cursus_core_imports_nothing_from_the_linter() -> None:
    found = []
    for path in sorted(CORE.rglob("*.py")):
        module = _module_name(path, ROOT)
        for line, name in linter_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            found.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert found == []


def test_cursus_core_does_not_even_name_the_linter() -> None:
    """Not in docstrings or comments either: the core is usable, and documented, without the linter."""
    named = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(CORE.rglob("*.py"))
             for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "cursus_lint" in text]
    assert named == []


# ----------------------------------------------------------------------------- import-linter


def _tool():
    spec = importlib.util.spec_from_file_location("lint_imports_tool", ROOT / "tools" / "lint_imports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _broken_imports(output: str) -> list[str]:
    return sorted(line.strip()[2:].split(" (l.")[0] for line in output.splitlines() if line.strip().startswith("- "))


def test_import_linter_contracts_hold_and_break_on_an_upward_import(tmp_path: Path) -> None:
    tool = _tool()
    staged = tool.stage(ROOT, tmp_path / "kept")
    # the copy has the installed shape, so the rules are visible to import-linter
    assert (staged / "cursus_lint" / "rules" / "cl101_missing_entry_point_script.py").is_file()
    kept = tool.lint_imports(staged, ROOT / "pyproject.toml")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "Contracts: 2 kept, 0 broken." in kept.stdout

    broken = tool.stage(ROOT, tmp_path / "broken")
    with (broken / "cursus_core" / "dag.py").open("a") as f:
        f.write("\nfrom cursus_lint import rule\n")
    with (broken / "cursus_lint" / "diagnostic.py").open("a") as f:
        f.write("\nfrom .rules import _examples\n")
    result = tool.lint_imports(broken, ROOT / "pyproject.toml")
    assert result.returncode == 1
    assert "Contracts: 0 kept, 2 broken." in result.stdout
    assert _broken_imports(result.stdout) == ["cursus_core.dag -> cursus_lint.rule",
                                              "cursus_lint.diagnostic -> cursus_lint.rules._examples"]


# ----------------------------------------------------------------------------- import circles


PACKAGES = {"cursus_core": CORE, "cursus_lint": ROOT / "cursus_lint", "cursus_lint.rules": ROOT / "rules"}


def module_files(packages: dict[str, Path]) -> dict[str, Path]:
    """Module name -> file for every module of ``packages`` (rules/ under its shipped name)."""
    out: dict[str, Path] = {}
    for package, directory in packages.items():
        for path in sorted(directory.rglob("*.py")):
            relative = _module_name(path, directory)
            out[package + ("." + relative if relative else "")] = path
    return out


def import_graph(modules: dict[str, str], packages: set[str]) -> dict[str, set[str]]:
    """Module -> the modules of the graph it imports (at any depth: a function-level import
    still runs the other module). ``from pkg import sub`` depends on ``pkg.sub``; on ``pkg``'s
    ``__init__`` only when it imports names that are not submodules."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, source in modules.items():
        package = name if name in packages else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(source)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")
                if node.level:
                    base = base[: len(base) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                subs = [f"{origin}.{alias.name}" for alias in node.names]
                targets = [s for s in subs if s in modules] + ([origin] if any(s not in modules for s in subs) else [])
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    import networkx as nx

    return sorted(sorted(c) for c in nx.simple_cycles(nx.DiGraph([(a, b) for a, bs in graph.items() for b in bs])))


def test_the_cycle_check_finds_a_circle_through_a_lazy_import() -> None:
    modules = {"pkg": "from . import api\n", "pkg.api": "from .engine import run\n",
               "pkg.engine": "def run():\n    from . import __version__\n", "pkg.leaf": "from pkg import api\n"}
    assert import_cycles(import_graph(modules, {"pkg"})) == [["pkg", "pkg.api", "pkg.engine"]]


def test_no_import_circles_inside_the_packages() -> None:
    files = module_files(PACKAGES)
    packages = {name for name, path in files.items() if path.name == "__init__.py"}
    graph = import_graph({name: path.read_text(encoding="utf-8") for name, path in files.items()}, packages)
    assert import_cycles(graph) == []
