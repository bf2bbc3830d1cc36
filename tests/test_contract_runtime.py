"""ContractRuntime: paths by logical name, input checks, env defaults, redirection for tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cursus_core.base import ScriptContract
from cursus_core.runtime import (
    PATHS_ENV, ROOT_ENV, ContractRuntime, MissingEnvVarError, MissingInputError, RuntimeContractError,
    contract_from_file, map_container_path,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example_repo"
CONTRACT = ScriptContract(
    entry_point="prep.py",
    expected_input_paths={"DATA": "/opt/ml/processing/input/data", "SIGNATURE": "/opt/ml/processing/input/signature"},
    expected_output_paths={"processed_data": "/opt/ml/processing/output"},
    expected_arguments={"job_type": "training"},
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"TRAIN_RATIO": "0.7"},
)


def test_paths_are_container_paths_without_redirection() -> None:
    rt = ContractRuntime(CONTRACT, environ={})
    assert rt.input_paths == {"DATA": "/opt/ml/processing/input/data",
                              "SIGNATURE": "/opt/ml/processing/input/signature"}
    assert rt.output_path("processed_data") == "/opt/ml/processing/output"
    with pytest.raises(KeyError, match=r"unknown input 'data' \(expected: DATA, SIGNATURE\)"):
        rt.input_path("data")
    with pytest.raises(KeyError, match=r"unknown output 'out' \(expected: processed_data\)"):
        rt.output_path("out")


def test_root_and_path_map_redirect(tmp_path: Path) -> None:
    environ = {ROOT_ENV: str(tmp_path), PATHS_ENV: json.dumps({"/opt/ml/processing/input/data": "/data/raw"})}
    rt = ContractRuntime(CONTRACT, environ=environ)
    assert rt.input_path("DATA") == "/data/raw"
    assert rt.input_path("SIGNATURE") == f"{tmp_path}/opt/ml/processing/input/signature"
    assert map_container_path("/opt/ml/a/b", {"/opt/ml": "/x", "/opt/ml/a": "/y"}, None) == "/y/b"
    assert map_container_path("/opt/ml/ab", {"/opt/ml/a": "/y"}, None) == "/opt/ml/ab"
    with pytest.raises(RuntimeContractError, match="CURSUS_RUNTIME_PATHS is not a JSON object"):
        ContractRuntime(CONTRACT, environ={PATHS_ENV: "{"})


def test_required_inputs_checked_before_work_optional_may_be_absent(tmp_path: Path) -> None:
    rt = ContractRuntime(CONTRACT, optional_inputs={"SIGNATURE"}, environ={ROOT_ENV: str(tmp_path)})
    with pytest.raises(MissingInputError) as info:
        rt.check_inputs()
    assert info.value.missing == {"DATA": f"{tmp_path}/opt/ml/processing/input/data"}
    Path(rt.input_path("DATA")).mkdir(parents=True)
    assert rt.check_inputs() == {"DATA": f"{tmp_path}/opt/ml/processing/input/data"}
    assert rt.prepare_outputs() == {"processed_data": f"{tmp_path}/opt/ml/processing/output"}
    assert Path(rt.output_path("processed_data")).is_dir()
    with pytest.raises(RuntimeContractError, match=r"optional input\(s\) SIG are not contract inputs"):
        ContractRuntime(CONTRACT, optional_inputs={"SIG"})


def test_env_vars_with_contract_defaults_and_arguments() -> None:
    rt = ContractRuntime(CONTRACT, environ={"LABEL_FIELD": "y"})
    assert rt.env("TRAIN_RATIO") == "0.7"
    assert rt.environ_vars() == {"LABEL_FIELD": "y", "TRAIN_RATIO": "0.7"}
    assert ContractRuntime(CONTRACT, environ={"LABEL_FIELD": "y", "TRAIN_RATIO": "0.9"}).env("TRAIN_RATIO") == "0.9"
    declared = r"env var 'OTHER' is not declared by the contract \(declared: LABEL_FIELD, TRAIN_RATIO\)"
    with pytest.raises(KeyError, match=declared):
        rt.env("OTHER")
    with pytest.raises(MissingEnvVarError, match=r"required env var\(s\) not set: LABEL_FIELD"):
        ContractRuntime(CONTRACT, environ={}).environ_vars()
    assert vars(rt.job_args([])) == {"job_type": "training"}
    assert vars(rt.job_args(["--job_type", "calibration"])) == {"job_type": "calibration"}


def test_from_step_reads_the_contract_and_spec_statically(tmp_path: Path) -> None:
    rt = ContractRuntime.from_step("TabularPreprocessing", EXAMPLE, environ={ROOT_ENV: str(tmp_path)})
    assert rt.optional_inputs == frozenset({"SIGNATURE"})
    assert rt.contract.required_env_vars == ["LABEL_FIELD"]
    assert rt.output_path("processed_data") == f"{tmp_path}/opt/ml/processing/output"
    with pytest.raises(RuntimeContractError, match="no contract found for step 'DataLoading'"):
        ContractRuntime.from_step("DataLoading", EXAMPLE)


def test_contract_from_file_errors(tmp_path: Path) -> None:
    two = tmp_path / "two.py"
    two.write_text("A = ScriptContract(entry_point='a.py', expected_input_paths={}, expected_output_paths={})\n"
                   "B = ScriptContract(entry_point='b.py', expected_input_paths={}, expected_output_paths={})\n")
    with pytest.raises(RuntimeContractError, match=r"expected exactly one ScriptContract\(...\) assignment, found 2"):
        contract_from_file(two)
    assert contract_from_file(two, "B").entry_point == "b.py"
    dynamic = tmp_path / "dyn.py"
    dynamic.write_text("A = ScriptContract(entry_point=name(), expected_input_paths={}, expected_output_paths={})\n")
    with pytest.raises(RuntimeContractError, match="contract 'A' cannot be read statically"):
        contract_from_file(dynamic)
