"""The fuzz harness on a CI budget: 150 seeded inputs from the two-step repo (three of them in a
child process), every outcome clean; benchmarks/fuzz.py runs thousands (see tests/fuzzing.py)."""

from __future__ import annotations

import pytest

from tests.fuzzing import MUTATORS, campaign, judge, make_input, base_repos

CI_SEED = 16
CI_COUNT = 150


@pytest.mark.slow
def test_fuzz_budget_finds_no_bad_outcome():
    result = campaign(CI_SEED, CI_COUNT, subprocess_every=50, time_limit=20.0, small=True)
    assert result.tried == CI_COUNT
    assert set(result.by_exit) <= {0, 1, 2}
    assert [(o.index, o.mutations, o.problems) for o in result.bad] == []


def test_inputs_are_reproducible_from_seed_and_index():
    repos = base_repos()
    assert make_input(7, 3, repos, sorted(MUTATORS)) == make_input(7, 3, repos, sorted(MUTATORS))
    assert make_input(7, 3, repos, sorted(MUTATORS)) != make_input(7, 4, repos, sorted(MUTATORS))


def test_the_judge_flags_each_kind_of_bad_outcome():
    same = {"a.py": "1"}
    report = '{"tool": {}, "diagnostics": [], "summary": {}}'
    assert judge(0, report, "", same, same, 0.1, 5) == []
    assert judge(3, "", "", same, same, 0.1, 5) == ["exit status 3"]
    assert judge(1, "{}", "", same, same, 0.1, 5) == ["JSON report without tool/diagnostics/summary"]
    assert judge(2, "", "Traceback (most recent call last):\n", same, same, 0.1, 5) == ["traceback on stderr"]
    assert judge(2, "", "cursus-lint: error: internal error: KeyError: 'x'\n", same, same, 0.1, 5) == [
        "internal error on stderr: cursus-lint: error: internal error: KeyError: 'x'"]
    assert judge(0, report, "", same, {"a.py": "2"}, 0.1, 5) == ["a linted file changed"]
    assert judge(0, report, "", same, same, 9.0, 5) == ["took 9.0 s (limit 5 s)"]
