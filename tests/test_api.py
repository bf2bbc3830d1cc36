"""The Python API: cursus_lint.check and cursus_lint.validate_script_compliance."""

from __future__ import annotations

from pathlib import Path

import pytest

import cursus_lint
from cursus_core.base import ScriptContract, StepSpecification
from cursus_lint.rules import _examples

from .repo_helpers import write_repo

ROOT = Path(__file__).resolve().parents[1]


write = write_repo


def test_check_returns_diagnostic_objects(tmp_path: Path) -> None:
    script = _examples.edit("script", 'label = environ_vars["LABEL_FIELD"]', 'label = environ_vars["LABEL_COLUMN"]')
    write(tmp_path, _examples.repo(script=script))
    found = cursus_lint.check([tmp_path], select=["CL103"])
    assert [(d.code, d.step, d.location.path.name, d.location.line) for d in found] == [
        ("CL103", "Clean", "clean.py", 9)]
    assert found[0].message == "script reads env var 'LABEL_COLUMN' that contract 'CLEAN_CONTRACT' does not declare"


def test_check_on_the_clean_example_is_empty() -> None:
    assert cursus_lint.check([ROOT / "fixtures" / "example_repo"]) == []


def contract(**kw) -> ScriptContract:
    base = dict(entry_point="clean.py",
                expected_input_paths={"raw_data": "/opt/ml/processing/input/data"},
                expected_output_paths={"clean_data": "/opt/ml/processing/output/clean"},
                expected_arguments={"job_type": "training"},
                required_env_vars=["LABEL_FIELD"], optional_env_vars={"SEPARATOR": ","})
    base.update(kw)
    return ScriptContract(**base)


def test_validate_script_compliance_passes_an_aligned_script(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(_examples.SCRIPT)
    assert cursus_lint.validate_script_compliance(contract(), tmp_path / "clean.py") == []


def test_validate_script_compliance_reports_level1_findings(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(_examples.SCRIPT)
    found = cursus_lint.validate_script_compliance(contract(optional_env_vars={}), tmp_path / "clean.py")
    assert [(d.code, d.location.line) for d in found if d.code == "CL103"] == [("CL103", 10)]


def test_validate_script_compliance_accepts_a_spec(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(_examples.SCRIPT)
    spec = StepSpecification(step_type="Clean", node_type="singular", script_contract=contract(optional_env_vars={}))
    found = cursus_lint.validate_script_compliance(spec, tmp_path / "clean.py")
    assert "CL103" in {d.code for d in found}


def test_validate_script_compliance_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        cursus_lint.validate_script_compliance(contract(), tmp_path / "missing.py")
    with pytest.raises(TypeError):
        cursus_lint.validate_script_compliance(object(), tmp_path / "missing.py")
    (tmp_path / "broken.py").write_text("def main(:\n")
    (d,) = cursus_lint.validate_script_compliance(contract(), tmp_path / "broken.py")
    assert d.code == "CL901"
