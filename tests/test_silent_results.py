"""Input that used to vanish with "All checks passed": unreadable directories, a registry without
STEP_NAMES, malformed exclude globs, and `catalog` ignoring [tool.cursus-lint]."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cursus_lint.cli import cli, main
from cursus_lint.config import ConfigError, glob_problem, load_config
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules
from tests.repo_helpers import findings, lint_repo, write_repo


def deny(monkeypatch, *denied: Path) -> None:
    """List these directories as an unprivileged user would (tests run as root, who may read all)."""
    real_listdir, real_scandir = os.listdir, os.scandir

    def check(path) -> None:
        if Path(os.fsdecode(path)).absolute() in denied:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    def listdir(path="."):
        check(path)
        return real_listdir(path)

    def scandir(path="."):
        check(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_component_directory_is_a_cl902(tmp_path, monkeypatch):
    write_repo(tmp_path, ex.repo())
    contracts = tmp_path / "steps/contracts"
    deny(monkeypatch, contracts)
    result = lint_repo(tmp_path, {}, select=["CL902"])
    assert findings(result, tmp_path) == [
        ("steps/contracts", 1, "CL902",
         "cannot read directory: Permission denied; the files in it are not linted")]


def test_an_unreadable_directory_on_the_walk_is_a_cl902(tmp_path, monkeypatch):
    write_repo(tmp_path, ex.repo())
    hidden = tmp_path / "development"
    hidden.mkdir()
    deny(monkeypatch, hidden)
    result = lint_repo(tmp_path, {}, select=["CL902"])
    assert findings(result, tmp_path) == [
        ("development", 1, "CL902", "cannot read directory: Permission denied; the files in it are not linted")]


def test_a_registry_without_step_names_is_a_cl607(tmp_path):
    result = lint_repo(tmp_path, ex.repo(extra={"registry/step_names.py": "OTHER = 1\n"}), select=["CL6"])
    assert findings(result, tmp_path) == [
        ("registry/step_names.py", 1, "CL607",
         "registry file defines no STEP_NAMES table; the built-in core registry is used instead")]


def test_a_core_registry_with_only_workspace_tables_is_a_cl607(tmp_path):
    result = lint_repo(tmp_path, ex.repo(extra={"registry/step_names.py": "WORKSPACE_STEPS = {}\n"}),
                       select=["CL6"])
    assert findings(result, tmp_path) == [
        ("registry/step_names.py", 1, "CL607",
         "registry file outside any workspace defines no STEP_NAMES table (only workspace tables); "
         "the built-in core registry is used")]


@pytest.mark.parametrize("glob,position", [("[", 1), ("[!", 1), ("steps/[]", 7), ("a*[!]", 3)])
def test_malformed_globs_are_configuration_errors(tmp_path, glob, position):
    (tmp_path / "pyproject.toml").write_text(f"[tool.cursus-lint]\nextend-exclude = [{json.dumps(glob)}]\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, set(all_rules()))
    assert str(info.value) == (
        f"malformed glob {glob!r} in 'extend-exclude' of [tool.cursus-lint] of {tmp_path / 'pyproject.toml'}: "
        f"'[' at position {position} is never closed by ']' (write '[[]' for a literal '[')")


def test_well_formed_globs_pass_and_the_cli_rejects_a_bad_one(tmp_path, monkeypatch, capsys):
    for glob in ("[[]", "[]]", "[!]]", "*.py", "a[bc]/**", "[!_]*"):
        assert glob_problem(glob) is None, glob
    write_repo(tmp_path, ex.repo())
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--no-cache", "--exclude", "steps/[!"]) == 2
    assert "malformed glob 'steps/[!' in 'extend-exclude' of command-line options" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text('[tool.cursus-lint]\nper-file-ignores = {"[x" = ["CL103"]}\n')
    assert main(["check", ".", "--no-cache"]) == 2
    assert "malformed glob '[x' in 'per-file-ignores'" in capsys.readouterr().err


def test_catalog_reads_the_project_configuration(tmp_path, monkeypatch, capsys):
    files = ex.repo()
    files["names/registry_table.py"] = files.pop("registry/step_names.py")
    write_repo(tmp_path, files)
    (tmp_path / "pyproject.toml").write_text('[tool.cursus-lint]\nregistry = "names/registry_table.py"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["catalog", ".", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["registry"] == "names/registry_table.py"
    assert [(s["name"], s["registered"]) for s in doc["steps"]] == [("Clean", True), ("DataLoad", True)]
    (tmp_path / "pyproject.toml").write_text('[tool.cursus-lint]\nregistri = "x.py"\n')
    assert main(["catalog", "."]) == 2
    assert "unknown key 'registri' in [tool.cursus-lint]" in capsys.readouterr().err


def test_wrong_keyword_types_are_cl210_and_unknowable_values_are_not(tmp_path):
    contract = ex.edit("contract", 'entry_point="clean.py"', "entry_point=3")
    spec = ex.edit("spec", 'step_type="Clean"', 'step_type=["Clean"]').replace(
        'logical_name="raw_data"', "logical_name=None")
    load_spec = ex.edit("load_spec", "    outputs=[\n", '    dependencies="raw",\n    outputs=[\n')
    result = lint_repo(tmp_path, ex.repo(contract=contract, spec=spec, load_spec=load_spec), select=["CL210"])
    assert findings(result, tmp_path) == [
        ("steps/contracts/clean_contract.py", 4, "CL210",
         "contract 'CLEAN_CONTRACT': entry_point is an int, but must be a string (the script's file name)"),
        ("steps/specs/clean_spec.py", 6, "CL210", "spec 'CLEAN_SPEC': step_type is a list, but must be a string"),
        ("steps/specs/clean_spec.py", 11, "CL210", "spec 'CLEAN_SPEC': logical_name is None, but must be a string"),
        ("steps/specs/data_load_spec.py", 6, "CL210",
         "spec 'DATA_LOAD_SPEC': dependencies is a str, but must be a list (or dict) of DependencySpec")]
    computed = ex.edit("contract", 'entry_point="clean.py"', "entry_point=SCRIPT_NAME")
    spec = ex.edit("spec", 'step_type="Clean"', "step_type=get_step_type()")
    result = lint_repo(tmp_path / "computed", ex.repo(contract=computed, spec=spec), select=["CL210"])
    assert findings(result, tmp_path / "computed") == []


def test_an_empty_contract_or_spec_file_is_a_cl210(tmp_path):
    result = lint_repo(tmp_path, ex.repo(contract="", load_spec="# to do\nimport os\n"), select=["CL210"])
    assert findings(result, tmp_path) == [
        ("steps/contracts/clean_contract.py", 1, "CL210",
         "contract file of step 'Clean' defines nothing (no ScriptContract): the script is checked against no "
         "contract"),
        ("steps/specs/data_load_spec.py", 1, "CL210",
         "spec file of step 'DataLoad' defines nothing (no StepSpecification): its dependencies and outputs are "
         "unchecked")]
