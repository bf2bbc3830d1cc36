"""Small hostile inputs get bounded work: literal folding has a size limit, CL102 is linear in
the paths a script uses, deep nesting degrades to "unknowable", and a stray file is never
linted together with its whole directory tree (or the home directory)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from cursus_core.catalog.layout import find_repo_root
from cursus_core.literals import MAX_FOLDED_CHARS, MAX_FOLDED_DEPTH, NotLiteral, literal_value, module_constants
from cursus_core.source import parse_text
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.facts import extract_contracts
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo

BOMB = 'A0 = "xxxxxxxx"\n' + "".join(f"A{i + 1} = A{i} + A{i}\n" for i in range(34))


def run(root: Path, select: list[str] | None = None, paths: list[Path] | None = None):
    overrides = {"select": select} if select is not None else {}
    return Engine(load_config(root, set(all_rules()), overrides=overrides)).run(paths or [root])


# ------------------------------------------------------------------------------ literal folding


def test_a_doubling_string_bomb_stops_at_the_bound() -> None:
    consts = module_constants(ast.parse(BOMB))
    assert len(consts["A13"]) == MAX_FOLDED_CHARS  # 8 * 2**13: the last value within the bound
    assert [name for name in consts if name not in {f"A{i}" for i in range(14)}] == []
    with pytest.raises(NotLiteral, match="too long"):
        literal_value(ast.parse("A13 + A0", mode="eval").body, consts)


def test_shared_containers_count_every_occurrence() -> None:
    src = "L0 = [1]\n" + "".join(f"L{i + 1} = [L{i}, L{i}]\n" for i in range(34))
    consts = module_constants(ast.parse(src))
    # L_k weighs 3 * 2**k - 1 units once serialised: L11 (6143) is the last within 10,000
    assert max(int(n[1:]) for n in consts) == 11
    deep = "D0 = 1\n" + "".join(f"D{i + 1} = [D{i}]\n" for i in range(200))
    assert max(int(n[1:]) for n in module_constants(ast.parse(deep))) == MAX_FOLDED_DEPTH


def test_a_bomb_in_a_contract_is_not_statically_knowable() -> None:
    contract = ex.CONTRACT.replace("from cursus_core.base import ScriptContract\n",
                                   "from cursus_core.base import ScriptContract\n" + BOMB)
    contract = contract.replace('entry_point="clean.py"', "entry_point=A34")
    assert len(BOMB) < 700 and "entry_point=A34" in contract
    (facts,) = extract_contracts(parse_text(Path("clean_contract.py"), contract.encode()))
    assert facts.entry_point is not None and facts.entry_point.value is None
    assert "entry_point" in facts.non_literal


# ------------------------------------------------------------------------------ CL102 is linear


def _script_with_uses(n: int) -> str:
    body = "".join(f'    open("/opt/ml/processing/extra/d{i}/f.csv")\n' for i in range(n))
    return ex.SCRIPT.replace("def main(", "def helper():\n" + body + "    return None\n\n\ndef main(", 1)


@pytest.mark.parametrize("n", [500, 2000])
def test_cl102_work_grows_linearly_with_path_uses(tmp_path: Path, n: int) -> None:
    """Counts every Python and builtin call of a whole CL102 run (a profiler hook, not a clock):
    linear work stays near 350 calls per use; the old scan of the reported list per use made
    about 2,300 per use at n=2000 (and 1,000 per use more for every further 2,000 uses)."""
    write_repo(tmp_path, ex.repo(script=_script_with_uses(n)))
    run(tmp_path, ["CL102"])  # imports and first-use caches out of the count
    counts = {"calls": 0, "startswith": 0}

    def count(frame, event, arg) -> None:
        if event in ("call", "c_call"):
            counts["calls"] += 1
            if event == "c_call" and getattr(arg, "__name__", "") == "startswith":
                counts["startswith"] += 1

    sys.setprofile(count)
    try:
        found = [d for d in run(tmp_path, ["CL102"]).diagnostics if d.code == "CL102"]
    finally:
        sys.setprofile(None)
    assert len(found) == n
    assert counts["calls"] <= 600 * n
    assert counts["startswith"] <= 20 * n


# ------------------------------------------------------------------------------ deep nesting


@pytest.mark.parametrize("expr", [
    " + ".join(['"a"'] * 2500), "a" + ".b" * 2500, "f" + "()" * 2500, "not " * 2500 + "a", "a" + "[0]" * 2500,
], ids=["plus", "attribute", "call", "not", "subscript"])
def test_deep_but_valid_python_is_unknowable_not_a_crash(tmp_path: Path, expr: str) -> None:
    compile("x = " + expr, "x.py", "exec")  # CPython parses it
    script = ex.SCRIPT.replace("import os\n", f"import os\nDEEP = {expr}\n", 1)
    write_repo(tmp_path, ex.repo(script=script, contract=ex.CONTRACT, spec=ex.SPEC))
    result = run(tmp_path)
    assert [d for d in result.diagnostics if d.code.startswith("CL9")] == []


def test_deep_json_dag_is_one_finding(tmp_path: Path) -> None:
    write_repo(tmp_path, ex.repo())
    (tmp_path / "dag.json").write_text('{"nodes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (tmp_path / "pyproject.toml").write_text('[tool.cursus-lint]\ndag = "dag.json"\n')
    found = [(d.code, d.message) for d in run(tmp_path, ["CL9"]).diagnostics]
    assert found == [("CL901", "cannot read the pipeline DAG: JSON nested too deeply")]


# ------------------------------------------------------------------------------ roots


def test_a_lone_file_is_its_own_root(tmp_path: Path) -> None:
    lone = tmp_path / "scratch" / "x.py"
    lone.parent.mkdir()
    lone.write_text("import os\n")
    (tmp_path / "scratch" / "big").mkdir()  # a tree that must not be indexed
    assert find_repo_root(lone) == lone
    result = run(tmp_path / "scratch", paths=[lone])
    assert (result.files, result.steps) == (0, 0)


def test_home_and_filesystem_root_are_never_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / ".git").mkdir(parents=True)  # a dotfiles repo
    (home / "notes").mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert find_repo_root(home / "notes" / "x.py") == home / "notes" / "x.py"
    assert find_repo_root(Path("/x.py")) == Path("/x.py")
    (home / "proj" / ".git").mkdir(parents=True)
    assert find_repo_root(home / "proj" / "x.py") == home / "proj"
