"""The built-in core table is the contract every step repo is checked against by default."""

from cursus_core.registry import CORE_STEP_NAMES, REQUIRED_STEP_KEYS, VALID_SAGEMAKER_STEP_TYPES


def test_valid_sagemaker_step_types_is_the_documented_set() -> None:
    assert {
        "Processing", "Training", "CreateModel", "Transform", "RegisterModel", "Lambda", "Condition", "Fail",
        "Tuning", "Base", "Utility", "CradleDataLoading", "RedshiftDataLoading", "MimsModelRegistrationProcessing",
    } == VALID_SAGEMAKER_STEP_TYPES


def test_core_table_has_the_common_steps() -> None:
    for name in ("Base", "Processing", "CradleDataLoading", "TabularPreprocessing", "RiskTableMapping",
                 "CurrencyConversion", "XGBoostTraining", "PyTorchTraining", "XGBoostModelEval", "PyTorchModelEval",
                 "XGBoostModel", "PyTorchModel", "BatchTransform", "Package", "Payload", "Registration",
                 "ModelCalibration"):
        assert name in CORE_STEP_NAMES
    assert len(CORE_STEP_NAMES) == 25


def test_every_entry_is_complete_and_consistent() -> None:
    for name, info in CORE_STEP_NAMES.items():
        assert set(info) == set(REQUIRED_STEP_KEYS) | {"description"}, name
        assert info["sagemaker_step_type"] in VALID_SAGEMAKER_STEP_TYPES, name
        assert info["spec_type"] == name
        assert info["config_class"].endswith("Config") or info["config_class"].endswith("ConfigBase"), name
        assert info["builder_step_name"].endswith("StepBuilder") or name == "Base", name
        assert info["description"], name


def test_step_types_of_representative_steps() -> None:
    assert CORE_STEP_NAMES["TabularPreprocessing"] == {
        "config_class": "TabularPreprocessingConfig",
        "builder_step_name": "TabularPreprocessingStepBuilder",
        "spec_type": "TabularPreprocessing",
        "sagemaker_step_type": "Processing",
        "description": "Cleans tabular data and splits it into train / validation / test",
    }
    kinds = {n: i["sagemaker_step_type"] for n, i in CORE_STEP_NAMES.items()}
    assert kinds["XGBoostTraining"] == "Training"
    assert kinds["PyTorchModel"] == "CreateModel"
    assert kinds["BatchTransform"] == "Transform"
    assert kinds["Registration"] == "MimsModelRegistrationProcessing"
    assert kinds["CradleDataLoading"] == "CradleDataLoading"
    assert kinds["Base"] == "Base"
