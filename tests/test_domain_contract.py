"""ScriptContract / TrainingScriptContract / ValidationResult: path rules, env vars, messages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cursus_core.base import ScriptContract, TrainingScriptContract, ValidationResult


def processing(**overrides: Any) -> ScriptContract:
    fields: dict[str, Any] = {
        "entry_point": "tabular_preprocessing.py",
        "expected_input_paths": {"DATA": "/opt/ml/processing/input/data"},
        "expected_output_paths": {"processed_data": "/opt/ml/processing/output"},
        "expected_arguments": {"job_type": "training"},
        "required_env_vars": ["LABEL_FIELD", "TRAIN_RATIO"],
        "optional_env_vars": {"CATEGORICAL_COLUMNS": ""},
    }
    fields.update(overrides)
    return ScriptContract(**fields)


def message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(exc.value.errors()[0]["msg"])


def test_valid_processing_contract_and_convenience_views() -> None:
    contract = processing()
    assert contract.input_names == ["DATA"]
    assert contract.output_names == ["processed_data"]
    assert contract.all_env_vars == ["LABEL_FIELD", "TRAIN_RATIO", "CATEGORICAL_COLUMNS"]
    assert contract.description == ""
    assert contract.framework_requirements == {}


def test_defaults_are_not_shared_between_instances() -> None:
    a = ScriptContract(entry_point="a.py", expected_input_paths={}, expected_output_paths={})
    b = ScriptContract(entry_point="b.py", expected_input_paths={}, expected_output_paths={})
    assert a.required_env_vars is not b.required_env_vars
    assert a.expected_arguments == {} and a.optional_env_vars == {}


@pytest.mark.parametrize("entry_point", ["run.sh", ".py", "/abs/script.py", "script"])
def test_entry_point_must_be_relative_python_file(entry_point: str) -> None:
    with pytest.raises(ValidationError) as exc:
        processing(entry_point=entry_point)
    assert exc.value.errors()[0]["loc"] == ("entry_point",)
    assert message(exc) == (
        f"Value error, entry_point: {entry_point!r} must be a relative Python file name ending in '.py'"
    )


def test_entry_point_may_live_in_a_subdirectory() -> None:
    assert processing(entry_point="scripts/run.py").entry_point == "scripts/run.py"


def test_processing_input_outside_processing_root_names_field_and_value() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_input_paths={"DATA": "/opt/ml/input/data"})
    assert exc.value.errors()[0]["loc"] == ("expected_input_paths",)
    assert message(exc) == (
        "Value error, expected_input_paths['DATA']: '/opt/ml/input/data' is not under the "
        "processing container roots (/opt/ml/processing/)"
    )


def test_processing_root_itself_is_not_a_valid_path() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_output_paths={"out": "/opt/ml/processing/"})
    assert "expected_output_paths['out']: '/opt/ml/processing/'" in message(exc)


def test_processing_path_must_be_absolute() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_output_paths={"out": "opt/ml/processing/output"})
    assert message(exc) == (
        "Value error, expected_output_paths['out']: 'opt/ml/processing/output' is not an absolute container path"
    )


def test_processing_path_must_be_normalized() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_input_paths={"DATA": "/opt/ml/processing/../input"})
    assert "not a normalized path" in message(exc)


def test_unconventional_processing_subroot_is_only_a_warning() -> None:
    contract = processing(expected_input_paths={"model": "/opt/ml/processing/model"})
    assert contract.validate_conventions() == ValidationResult(
        is_valid=True,
        warnings=[
            "expected_input_paths['model']: '/opt/ml/processing/model' "
            "is conventionally under /opt/ml/processing/input/"
        ],
    )


def test_same_path_as_input_and_output_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(
            expected_input_paths={"DATA": "/opt/ml/processing/data"},
            expected_output_paths={"out": "/opt/ml/processing/data/"},
        )
    assert message(exc) == (
        "Value error, path '/opt/ml/processing/data' is both expected_input_paths['DATA'] "
        "and expected_output_paths['out']"
    )


def test_logical_name_with_whitespace_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_input_paths={"my data": "/opt/ml/processing/input/data"})
    assert "expected_input_paths: logical name 'my data'" in message(exc)


def test_training_contract_accepts_channels_config_code_and_model_dirs() -> None:
    contract = TrainingScriptContract(
        entry_point="xgboost_training.py",
        expected_input_paths={
            "input_path": "/opt/ml/input/data",
            "hyperparameters_s3_uri": "/opt/ml/code/hyperparams/hyperparameters.json",
            "config": "/opt/ml/input/config/hyperparameters.json",
        },
        expected_output_paths={
            "model_output": "/opt/ml/model",
            "evaluation_output": "/opt/ml/output/data",
            "checkpoints": "/opt/ml/checkpoints/run",
        },
    )
    assert contract.validate_conventions().warnings == []
    assert isinstance(contract, ScriptContract)


def test_training_contract_rejects_processing_paths() -> None:
    with pytest.raises(ValidationError) as exc:
        TrainingScriptContract(
            entry_point="train.py",
            expected_input_paths={"input_path": "/opt/ml/processing/input/data"},
            expected_output_paths={},
        )
    assert message(exc) == (
        "Value error, expected_input_paths['input_path']: '/opt/ml/processing/input/data' is not under the "
        "training container roots (/opt/ml/input/data/, /opt/ml/input/config/, /opt/ml/code/)"
    )


def test_training_output_must_be_model_output_or_checkpoints() -> None:
    with pytest.raises(ValidationError) as exc:
        TrainingScriptContract(
            entry_point="train.py", expected_input_paths={}, expected_output_paths={"m": "/opt/ml/models"}
        )
    assert "expected_output_paths['m']: '/opt/ml/models' is not under the training container roots" in message(exc)


def test_processing_contract_rejects_training_output_paths() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_output_paths={"model": "/opt/ml/model"})
    assert "expected_output_paths['model']: '/opt/ml/model'" in message(exc)


@pytest.mark.parametrize("name", ["1ABC", "LABEL-FIELD", "", "A B"])
def test_invalid_required_env_var_name(name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        processing(required_env_vars=[name])
    assert message(exc) == f"Value error, required_env_vars: {name!r} is not a valid environment variable name"


def test_invalid_optional_env_var_name() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(optional_env_vars={"X.Y": "1"})
    assert exc.value.errors()[0]["loc"] == ("optional_env_vars",)
    assert "'X.Y' is not a valid environment variable name" in message(exc)


def test_duplicate_required_env_var() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(required_env_vars=["A", "A"])
    assert message(exc) == "Value error, required_env_vars: 'A' is listed more than once"


def test_env_var_both_required_and_optional() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(required_env_vars=["LABEL_FIELD"], optional_env_vars={"LABEL_FIELD": "label"})
    assert message(exc) == "Value error, env var 'LABEL_FIELD' is in both required_env_vars and optional_env_vars"


def test_lower_case_env_var_is_legal_but_warned() -> None:
    contract = processing(required_env_vars=["label_field"], optional_env_vars={})
    assert contract.validate_conventions().warnings == ["env var 'label_field' is not UPPER_SNAKE_CASE"]


def test_argument_names_must_not_carry_dashes_prefix() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_arguments={"--job_type": "training"})
    assert message(exc) == (
        "Value error, expected_arguments: argument name '--job_type' must not start with '-'; write 'job_type'"
    )


def test_argument_names_may_use_dashes_inside() -> None:
    assert processing(expected_arguments={"job-type": "training"}).expected_arguments == {"job-type": "training"}


def test_unknown_contract_field_is_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        processing(expected_env_vars=["X"])
    assert exc.value.errors()[0]["loc"] == ("expected_env_vars",)
    assert exc.value.errors()[0]["type"] == "extra_forbidden"


def test_contract_is_immutable() -> None:
    contract = processing()
    with pytest.raises(ValidationError):
        contract.entry_point = "other.py"  # type: ignore[misc]


def test_validation_result_helpers() -> None:
    ok = ValidationResult.success(["w1"])
    bad = ValidationResult.error("e1", warnings=["w2"])
    assert ok.is_valid and ok.errors == [] and ok.warnings == ["w1"]
    assert bad == ValidationResult(is_valid=False, errors=["e1"], warnings=["w2"])
    assert ValidationResult.error(["a", "b"]).errors == ["a", "b"]
    merged = ok.merge(bad, ValidationResult.success())
    assert merged == ValidationResult(is_valid=False, errors=["e1"], warnings=["w1", "w2"])
    assert ok.merge(ValidationResult.success(["w3"])) == ValidationResult(is_valid=True, warnings=["w1", "w3"])


def test_validation_result_cannot_be_valid_with_errors() -> None:
    with pytest.raises(ValidationError) as exc:
        ValidationResult(is_valid=True, errors=["boom"])
    assert message(exc) == "Value error, is_valid=True contradicts errors ['boom']"
