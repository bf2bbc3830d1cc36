"""The command line as users call it: exit codes, formats, options, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.rules import _examples

from .repo_helpers import write_repo

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_repo"

BAD_SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                            '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')


@pytest.fixture()
def bad_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_repo(tmp_path, _examples.repo(script=BAD_SCRIPT))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_clean_repo_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--no-color"]) == 0
    assert capsys.readouterr().out.strip() == "All checks passed: 12 steps, 59 files."


def test_findings_exit_one_with_path_line_col_code(bad_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--no-color", "--select", "CL103"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("steps/scripts/clean.py:11:13: CL103 [*] script reads env var 'DEBUG_MODE' that contract "
                      "'CLEAN_CONTRACT' does not declare")


def test_exit_zero_and_quiet(bad_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--select", "CL103", "--exit-zero", "--quiet", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "CL103" in out
    assert "Found" not in out


def test_json_output_follows_the_contract(bad_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--format", "json", "--select", "CL103"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["tool", "diagnostics", "summary"]
    (d,) = doc["diagnostics"]
    assert (d["code"], d["name"], d["severity"], d["path"], d["line"], d["column"], d["step"]) == (
        "CL103", "undeclared-env-var", "error", "steps/scripts/clean.py", 11, 13, "Clean")
    assert d["related"][0]["path"] == "steps/contracts/clean_contract.py"
    assert doc["summary"]["by_code"] == {"CL103": 1}


def test_output_file(bad_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ".", "--format", "sarif", "-o", "out.sarif", "--select", "CL103"]) == 1
    assert capsys.readouterr().out == ""
    sarif = json.loads((bad_repo / "out.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "CL103"


def test_single_file_checks_its_step_against_the_other_components(bad_repo: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # the finding is in the script; passing only the contract still reports it (same step)
    assert main(["check", "steps/contracts/clean_contract.py", "--select", "CL103", "--no-color", "-q"]) == 1
    assert "steps/scripts/clean.py:11:13: CL103" in capsys.readouterr().out
    # a file of another step does not report Clean's findings
    assert main(["check", "steps/specs/data_load_spec.py", "--select", "CL103", "--no-color", "-q"]) == 0


def test_unknown_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "--select", "CL999"]) == 2
    assert capsys.readouterr().err.strip() == (
        "cursus-lint: error: unknown rule code 'CL999' in 'select' of command-line options")


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/nonexistent/repo"]) == 2
    assert capsys.readouterr().err.strip() == "cursus-lint: error: path does not exist: /nonexistent/repo"


def test_bad_config_key_is_a_one_line_error(bad_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bad_repo / "pyproject.toml").write_text('[tool.cursus-lint]\nselct = ["CL1"]\n')
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("cursus-lint: error: unknown key 'selct' in [tool.cursus-lint] of ")
    assert err[0].endswith("did you mean 'select'?")


def test_config_file_selection_is_honoured(bad_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bad_repo / "pyproject.toml").write_text('[tool.cursus-lint]\nignore = ["CL103"]\n')
    assert main(["check", ".", "--no-color"]) == 0


def test_rule_and_rules_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "CL103"]) == 0
    doc = capsys.readouterr().out
    assert doc.startswith("# CL103 undeclared-env-var")
    assert "## How to fix" in doc
    assert main(["rule", "undeclared-env-var"]) == 0
    assert capsys.readouterr().out == doc
    assert main(["rule", "CL1O3"]) == 2
    assert "did you mean CL103" in capsys.readouterr().err
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    entry = next(r for r in rules if r["code"] == "CL103")
    assert entry == {"code": "CL103", "name": "undeclared-env-var", "family": "script-contract",
                     "severity": "error", "fixable": "safe", "summary": entry["summary"]}


def test_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("cursus-lint")
    out = subprocess.run([str(exe), "check", str(tmp_path / "missing")], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1


def test_empty_directory_is_a_usage_error_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path), "--no-color"]) == 2  # a wrong path in CI must not stay green
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("cursus-lint: error: no step repo under ")
