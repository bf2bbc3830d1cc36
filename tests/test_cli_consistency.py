"""`check`, `build` and `test-scripts` agree (issue 14): option names, config defaults, error shapes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.diagnostic import Diagnostic, Location, Severity
from cursus_lint.report import Summary, render
from cursus_lint.rules_index import all_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "fixtures" / "example_repo"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repo whose pyproject names its DAG and saved config; cwd is its root."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    (root / "pyproject.toml").write_text('[tool.cursus-lint]\ndag = "pipeline/dag.json"\n'
                                         'pipeline-config = "pipeline/broken.json"\n')
    (root / "pipeline" / "broken.json").write_text("{bad\n")
    monkeypatch.chdir(root)
    return root


BROKEN_CONFIG = ("cursus-lint: error: pipeline/broken.json:1:2: invalid JSON: Expecting property name enclosed "
                 "in double quotes\n")


@pytest.mark.parametrize("command", ["build", "test-scripts"])
def test_both_read_the_saved_config_from_pyproject_and_fail_alike(repo: Path, command: str, capsys) -> None:
    assert main([command]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", BROKEN_CONFIG)


@pytest.mark.parametrize("command", ["build", "test-scripts"])
def test_a_broken_dag_names_its_path_once_and_exits_2(repo: Path, command: str, capsys) -> None:
    (repo / "pipeline" / "dag.json").write_text('{"nodes": [\n')
    assert main([command, "--config", "pipeline/config.json"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "cursus-lint: error: pipeline/dag.json:2:1: invalid JSON: "
                                                "Expecting value\n")


@pytest.mark.parametrize("command", ["build", "test-scripts"])
def test_without_dag_or_config_the_error_says_where_to_set_them(tmp_path: Path, monkeypatch, command: str,
                                                                  capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([command]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: no pipeline DAG: pass --dag or set 'dag' in "
                                       "[tool.cursus-lint]\n")
    assert main([command, "--dag", "d.json"]) == 2
    assert capsys.readouterr().err == ("cursus-lint: error: no saved pipeline config: pass --config or set "
                                       "'pipeline-config' in [tool.cursus-lint]\n")


@pytest.mark.parametrize("command", ["check", "build", "test-scripts"])
def test_output_is_the_report_file_and_format_has_one_alias_in_every_command(command: str) -> None:
    from click.testing import CliRunner

    from cursus_lint.cli import cli

    text = CliRunner().invoke(cli, [command, "--help"], env={"COLUMNS": "100"}).output
    assert "-o, --output FILE" in text
    assert "Write the report to FILE" in text
    assert "--format, --output-format" in text


def test_build_summary_never_says_in_0_steps() -> None:
    rules = all_rules()
    d = Diagnostic("CL801", rules["CL801"].name, Severity.ERROR, Location(Path("pipeline/dag.json"), 3), "cycle: a -> a")
    text = render("text", [d], rules, Summary(files=2, steps=0), color=False, statistics=False)
    assert text.splitlines()[-1] == "Found 1 problem (1 error)."
    text = render("text", [d], rules, Summary(files=2, steps=1), color=False, statistics=False)
    assert text.splitlines()[-1] == "Found 1 problem (1 error) in 1 step."


def test_build_writes_the_report_with_o_and_the_definition_with_definition(tmp_path: Path) -> None:
    """`build --format sarif -o x.sarif` (it failed when -o meant the definition)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".cursus-lint-cache"))
    proc = subprocess.run([sys.executable, "-m", "cursus_lint.cli", "build", "--dag", "pipeline/dag.json",
                           "--config", "pipeline/config.json", "--repo", ".", "--format", "sarif",
                           "-o", "build.sarif", "--definition", "definition.json"],
                          cwd=root, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == "Wrote the pipeline definition (10 steps) to definition.json.\n"
    sarif = json.loads((root / "build.sarif").read_text())
    assert sarif["runs"][0]["results"] == []
    assert len(json.loads((root / "definition.json").read_text())["Steps"]) == 10
