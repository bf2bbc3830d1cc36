"""A safe fix never trades one finding for a new error anywhere in the repo.

For every rule with a safe fix, each documented bad example is fixed with ``--fix`` semantics
(safe fixes only) and linted with every rule: no error-level finding may appear that was not
there before (compared by code, file and message, since the fix moves lines).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.fix.apply import run_fixes
from cursus_lint.rule import Example, Rule
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo

RULES = all_rules()


def _safe_cases():
    for rule in RULES.values():
        if rule.fixable != "safe":
            continue
        for i, ex in enumerate(rule.bad):
            yield pytest.param(rule, ex, id=f"{rule.code}-bad{i}")


def _errors(result, root: Path) -> set[tuple[str, str, str]]:
    return {(d.code, d.location.path.relative_to(root).as_posix(), d.message)
            for d in result.diagnostics if d.severity.value == "error"}


@pytest.mark.parametrize(("rule", "example"), list(_safe_cases()))
def test_safe_fix_raises_no_new_error(tmp_path: Path, rule: Rule, example: Example) -> None:
    write_repo(tmp_path, example.files)
    settings = load_config(tmp_path, set(RULES), overrides=dict(example.config))

    def run(overlay: dict[Path, str]):
        return Engine(settings, RULES, overlay=overlay).run([tmp_path])

    before = run({})
    outcome = run_fixes(run, unsafe=False, fix=True)
    assert [a.code for a in outcome.applied if a.code == rule.code], f"{rule.code}: the safe fix did not apply"
    new = _errors(outcome.result, tmp_path) - _errors(before, tmp_path)
    assert new == set(), new


def test_every_fixable_rule_is_covered() -> None:
    assert {p.values[0].code for p in _safe_cases()} == {c for c, r in RULES.items() if r.fixable == "safe"}
