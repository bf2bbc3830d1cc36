"""Every rule's documented bad/good examples, run through the real engine.

A bad example must produce exactly its expected (path, line) findings for that rule; a good
example none. The shared base repo (rules/_examples.repo()) must be clean for every rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rule import Example, Rule
from cursus_lint.rules import _examples
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo

RULES = all_rules()


materialize = write_repo


def run(root: Path, example: Example, select: list[str] | None):
    materialize(root, example.files)
    overrides = dict(example.config)
    if select is not None:
        overrides["select"] = select
    settings = load_config(root, set(RULES), overrides=overrides)
    result = Engine(settings).run([root])
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.code, d.message)
            for d in result.diagnostics]


def cases(kind: str):
    for rule in RULES.values():
        if rule.check is None and rule.scope in ("build", "editor"):
            continue  # emitted by `cursus-lint build` only: tests/test_build_cli.py covers them
        for i, ex in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, ex, id=f"{rule.code}-{kind}{i}")


@pytest.mark.parametrize(("rule", "example"), list(cases("bad")))
def test_bad_example_reports_exactly_the_expected_lines(tmp_path: Path, rule: Rule, example: Example) -> None:
    found = run(tmp_path, example, [rule.code])
    assert sorted((p, line) for p, line, code, _ in found if code == rule.code) == sorted(example.expect), found


@pytest.mark.parametrize(("rule", "example"), list(cases("good")))
def test_good_example_is_clean_for_its_rule(tmp_path: Path, rule: Rule, example: Example) -> None:
    found = run(tmp_path, example, [rule.code])
    assert [f for f in found if f[2] == rule.code] == []


def test_every_rule_has_docs_and_examples() -> None:
    for rule in RULES.values():
        assert rule.docs.strip(), rule.code
        for heading in ("## What it checks", "## Why it matters", "## Example", "## How to fix"):
            assert heading in rule.docs, (rule.code, heading)
        if rule.check is not None:
            assert rule.bad and rule.good, rule.code
            assert all(ex.expect for ex in rule.bad), rule.code


def test_the_shared_example_repo_is_clean_for_every_rule(tmp_path: Path) -> None:
    assert run(tmp_path, Example(_examples.repo()), None) == []


def test_the_shared_interface_example_repo_is_clean_for_every_rule(tmp_path: Path) -> None:
    assert run(tmp_path, Example(_examples.interface_repo()), None) == []
