"""`check -v/--verbose`: where each fact that is not statically knowable is, and what it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.rules import _examples

from .repo_helpers import write_repo

SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                        '    sep = environ_vars.get("SEPARATOR", ",")\n'
                        '    mode = os.environ[label.upper() + "_MODE"]\n'
                        '    parser = argparse.ArgumentParser()\n'
                        '    parser.add_argument(*FLAGS)\n')
CONTRACT = _examples.edit("contract", '    expected_arguments={"job_type": "training"},\n',
                          '    expected_arguments={"job_type": default_job_type()},\n')


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, _examples.repo(script=SCRIPT, contract=CONTRACT))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_verbose_lists_each_unknowable_case_with_its_location(repo: Path, capsys) -> None:
    main(["check", ".", "--no-cache", "-v"])
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "8 cases not statically knowable:",
        "  steps/contracts/clean_contract.py:7:37: contract value that is not a literal (non-literal-contract-field): "
        "default_job_type()",
        "  steps/scripts/clean.py:11:12: env var name built at run time (dynamic-env-name): "
        "os.environ[label.upper() + '_MODE']",
        "  steps/scripts/clean.py:13:5: argparse argument whose name is not a literal (dynamic-argument): "
        "parser.add_argument(*FLAGS)",
        # what rules could not decide (e.g. whether the dynamic name reads a declared env var)
        "  5 without a location: compatible-sources-checked-against-literal-registry: 1, "
        "script-arguments-unknown: 1, unparsed-argument-dynamic-definition: 1, unread-env-var-dynamic-read: 2",
    ]


def test_without_verbose_nothing_is_listed(repo: Path, capsys) -> None:
    main(["check", ".", "--no-cache", "--format", "json"])
    assert "not statically knowable" not in capsys.readouterr().err


def test_verbose_on_an_aligned_repo_lists_only_what_rules_counted(tmp_path: Path, monkeypatch, capsys) -> None:
    write_repo(tmp_path, _examples.repo())
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--verbose"]) == 0
    assert capsys.readouterr().err == (
        "1 case not statically knowable:\n"
        "  1 without a location: compatible-sources-checked-against-literal-registry: 1\n")


def test_verbose_locations_survive_the_cache(repo: Path, capsys) -> None:
    main(["check", ".", "-v"])
    first = capsys.readouterr().err
    main(["check", ".", "-v"])  # now from the facts cache
    assert capsys.readouterr().err == first and first.startswith("8 cases")


def test_a_path_constant_with_two_values_is_listed_at_its_first_assignment(tmp_path: Path, monkeypatch,
                                                                            capsys) -> None:
    script = _examples.edit("script", 'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n',
                            'OUTPUT_DIR = "/opt/ml/processing/output/clean"\n'
                            'if os.environ.get("ALT"):\n    OUTPUT_DIR = "/opt/ml/processing/output/alt"\n')
    write_repo(tmp_path, _examples.repo(script=script))
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--no-cache", "-v"])
    assert ("  steps/scripts/clean.py:5:1: path constant assigned different paths (ambiguous-path-constant): "
            "OUTPUT_DIR") in capsys.readouterr().err.splitlines()
