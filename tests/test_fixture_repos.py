"""The clean example repo has zero findings; each broken fixture has exactly its snapshot.

A broken fixture is ``fixtures/broken/<name>/``: ``files/`` is laid over a copy of
``fixtures/example_repo`` (``delete.txt`` lists files to remove first) and ``expected.txt``
holds one ``path:line: CODE`` per expected finding, sorted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BROKEN = sorted(p for p in (FIXTURES / "broken").glob("*") if p.is_dir())


def lint(root: Path) -> list[str]:
    settings = load_config(root, set(all_rules()))
    result = Engine(settings).run([root])
    return sorted(f"{d.location.path.relative_to(root).as_posix()}:{d.location.line}: {d.code}"
                  for d in result.diagnostics)


def test_clean_example_repo_has_no_findings() -> None:
    assert lint(FIXTURES / "example_repo") == []


def build_broken(case: Path, dest: Path) -> Path:
    root = dest / "repo"
    shutil.copytree(FIXTURES / "example_repo", root)
    delete = case / "delete.txt"
    if delete.exists():
        for rel in delete.read_text().split():
            (root / rel).unlink()
    for src in sorted((case / "files").rglob("*")):
        if src.is_file():
            target = root / src.relative_to(case / "files")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    return root


@pytest.mark.parametrize("case", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_fixture_matches_its_snapshot(case: Path, tmp_path: Path) -> None:
    root = build_broken(case, tmp_path)
    expected = [line for line in (case / "expected.txt").read_text().splitlines() if line.strip()]
    assert lint(root) == sorted(expected)
