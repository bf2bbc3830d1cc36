"""The cold-run parse pass (cursus_lint.prefetch): one walk per file shared by the facts and the
catalog summary, shares balanced by bytes, forked children whose results equal one process's,
and the cyclic collector paused only while parsing."""

from __future__ import annotations

import ast
import gc
import os
import pickle
import textwrap
from pathlib import Path

import pytest

import cursus_lint.prefetch as prefetch
from cursus_core.catalog.scan import summarize
from cursus_core.facts import TreeIndex, extract_all
from cursus_core.source import parse_decoded

from .test_fixture_repos import BROKEN, build_broken

CASES = {case.name: case for case in BROKEN}

#: contract and spec calls whose breadth-first order differs from their source order: the first
#: call sits two levels deeper than the second
NESTED = textwrap.dedent('''
    from cursus.core.base import ScriptContract, StepSpecification
    import os.path as osp

    A_CONTRACT = wrap(ScriptContract(entry_point="deep.py"))
    B_CONTRACT = ScriptContract(entry_point="shallow.py")
    SPECS = [keep(StepSpecification(step_type="DeepStep", script_contract=A_CONTRACT))]
    SPEC = StepSpecification(step_type="ShallowStep", script_contract=B_CONTRACT)
''')


def test_summary_from_the_facts_walk_keeps_the_breadth_first_order() -> None:
    source = parse_decoded(Path("nested_contract.py"), NESTED)
    walked, shared = summarize(source), summarize(source, TreeIndex(source))
    assert walked.entry_points == ["shallow.py", "deep.py"]
    assert walked.spec_types == [("ShallowStep", None), ("DeepStep", None)]
    assert walked.contract_refs == ["B_CONTRACT", "A_CONTRACT"]
    assert shared == walked
    assert shared.imported_modules == {"base", "ScriptContract", "StepSpecification", "path"}


def test_walk_order_is_depth_then_source_order() -> None:
    source = parse_decoded(Path("calls.py"), "f(g(h()))\nk()\n")
    index = TreeIndex(source)
    calls = index.nodes(ast.Call)
    assert [ast.unparse(c.func) for c in calls] == ["h", "g", "f", "k"]  # post-order
    assert [ast.unparse(c.func) for c in index.in_walk_order(calls)] == ["f", "k", "g", "h"]
    assert [index.depth(c) for c in calls] == [4, 3, 2, 2]


def test_extract_all_uses_a_given_index_only_for_its_own_file() -> None:
    source = parse_decoded(Path("c.py"), NESTED)
    other = parse_decoded(Path("d.py"), "X = 1\n")
    assert extract_all(source, {"contract"}, TreeIndex(source)) == extract_all(source, {"contract"})
    # an index of another file is ignored, not read as this one's
    assert extract_all(source, {"contract"}, TreeIndex(other)) == extract_all(source, {"contract"})


def test_shares_balance_bytes_and_keep_submission_order(tmp_path: Path) -> None:
    sizes = [900, 100, 100, 500, 400, 0]
    items = []
    for i, size in enumerate(sizes):
        p = tmp_path / f"f{i}.py"
        p.write_text("#" * size)
        items.append((p, frozenset({"script"})))
    items.append((tmp_path / "missing.py", frozenset({"script"})))
    parts = prefetch.shares(items, 2)
    assert parts == [[0, 1, 5, 6], [2, 3, 4]]
    assert [sum(sizes[i] for i in part if i < len(sizes)) for part in parts] == [1000, 1000]
    assert prefetch.shares(items, 1) == [list(range(7))]


def _items(root: Path) -> list[tuple[Path, frozenset[str]]]:
    roles = {"scripts": "script", "contracts": "contract", "specs": "spec", "builders": "builder",
             "configs": "config"}
    return [(p, frozenset({roles[p.parent.name]})) for p in sorted(root.rglob("*.py"))
            if p.parent.name in roles and p.name != "__init__.py"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked children need os.fork")
def test_forked_children_return_what_one_process_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    items = _items(root)
    assert len(items) > 20
    monkeypatch.setattr(prefetch, "workers", lambda: 3)
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    parallel = prefetch.parse_parallel(items, min_files=1)
    assert len(forks) == 2  # three shares: two children and this process
    assert parallel == prefetch.parse_serial(items)
    assert [p.path for p in parallel] == [p for p, _ in items]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked children need os.fork")
def test_a_child_that_fails_leaves_its_share_to_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    items = _items(root)
    monkeypatch.setattr(prefetch, "workers", lambda: 2)
    real_dumps = pickle.dumps
    parent = os.getpid()

    def failing_in_child(obj: object, protocol: int) -> bytes:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return real_dumps(obj, protocol)

    monkeypatch.setattr(pickle, "dumps", failing_in_child)  # prefetch imports it when it forks
    assert prefetch.parse_parallel(items, min_files=1) == prefetch.parse_serial(items)


def test_too_few_files_or_one_core_stay_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    items = _items(root)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for a small repo"))
    assert prefetch.parse_parallel(items) == []  # fewer than PARALLEL_MIN_FILES
    monkeypatch.setattr(prefetch, "workers", lambda: 1)
    assert prefetch.parse_parallel(items, min_files=1) == []


def test_the_collector_is_paused_while_parsing_and_restored_after(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "steps" / "scripts" / "s.py"
    p.parent.mkdir(parents=True)
    p.write_text("import os\nX = os.environ['A']\n")
    seen: list[bool] = []
    real = prefetch.parse_one

    def spying(item: tuple[str, tuple[str, ...]]) -> prefetch.Parsed:
        seen.append(gc.isenabled())
        return real(item)

    monkeypatch.setattr(prefetch, "parse_one", spying)
    assert gc.isenabled()
    [parsed] = prefetch.parse_serial([(p, frozenset({"script"}))])
    assert seen == [False] and gc.isenabled()
    assert parsed.facts.script is not None and [r.name for r in parsed.facts.script.env_reads] == ["A"]
    gc.disable()
    try:
        prefetch.parse_serial([(p, frozenset({"script"}))])
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()


ODD_FIELDS = textwrap.dedent('''
    def f(x: int = 1):
        global G
        def g():
            nonlocal x
        y: int = {**x, "k": "s3://bucket/a"}
        match x:
            case Point(x=0, y=None):
                pass
            case {"a": 1, **rest}:
                pass
''')


def test_the_walk_reaches_every_node_and_no_plain_value() -> None:
    source = parse_decoded(Path("odd.py"), ODD_FIELDS)
    index = TreeIndex(source)
    everything = list(ast.walk(source.tree))
    children = [n for n in everything if n is not source.tree and not isinstance(n, ast.expr_context)]
    # every node but the module has its parent, and nothing else (no identifier, flag or constant)
    assert set(index.parents) == {id(n) for n in children}
    for cls in (ast.Constant, ast.Name, ast.Dict, ast.FunctionDef, ast.AnnAssign):
        assert sorted(id(n) for n in index.nodes(cls)) == sorted(id(n) for n in everything if type(n) is cls)
    # y=None in the pattern is a MatchSingleton, no Constant
    assert [c.value for c in index.nodes(ast.Constant)] == [1, "k", "s3://bucket/a", 0, "a", 1]


class _Newer(ast.expr):
    """A node class as a newer Python might add, with a field the table does not know holds text."""

    _fields = ("label", "operand")


def test_a_field_holding_no_node_is_a_leaf_of_the_walk() -> None:
    source = parse_decoded(Path("x.py"), "x = f(1)\n")
    assert source.tree is not None
    call = source.tree.body[0].value  # type: ignore[attr-defined]
    newer = _Newer()
    newer.label, newer.operand = "plain text", ast.Constant("s3://b/k")  # type: ignore[attr-defined]
    call.args.append(newer)
    index = TreeIndex(source)
    assert index.parent(newer) is call and index.parent(newer.operand) is newer  # type: ignore[attr-defined]
    assert [c.value for c in index.nodes(ast.Constant)] == [1, "s3://b/k"]
